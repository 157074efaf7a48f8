/**
 * A scripted Strands Model: plays back assistant turns (text, tool uses, failures) in order, and
 * records what it was sent. A turn can be a function of the conversation so far, to answer from
 * the tool results it was given.
 */
import {
  type BaseModelConfig,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
} from '@strands-agents/sdk';

export type Turn =
  | { readonly text: string }
  | { readonly tools: readonly { readonly name: string; readonly input: unknown }[]; readonly text?: string }
  | { readonly error: Error };

export type Script = Turn | ((messages: Message[]) => Turn | Promise<Turn>);

let ids = 0;

export class ScriptedModel extends Model<BaseModelConfig> {
  // a context window, as the agent gives its Bedrock model (agent.ts bedrockOptions)
  private config: BaseModelConfig = { modelId: 'scripted', contextWindowLimit: 200_000 };
  readonly script: Script[];
  /** When set, answers every call (after the script runs out). */
  readonly rules?: (messages: Message[]) => Turn | Promise<Turn>;
  /** The messages of each call, as the model saw them. */
  readonly calls: Message[][] = [];
  /** Tool specs the model was offered on the last call. */
  lastToolNames: string[] = [];

  constructor(script: Script[], rules?: (messages: Message[]) => Turn | Promise<Turn>) {
    super();
    this.script = script;
    if (rules) this.rules = rules;
  }

  updateConfig(modelConfig: BaseModelConfig): void {
    this.config = { ...this.config, ...modelConfig };
  }

  getConfig(): BaseModelConfig {
    return this.config;
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncIterable<ModelStreamEvent> {
    this.calls.push([...messages]);
    this.lastToolNames = (options?.toolSpecs ?? []).map((t) => t.name);
    const next = this.script.shift() ?? this.rules;
    if (!next) throw new Error('ScriptedModel: no turns left in the script');
    const turn = typeof next === 'function' ? await next(messages) : next;
    if ('error' in turn) throw turn.error;
    yield { type: 'modelMessageStartEvent', role: 'assistant' };
    const text = 'text' in turn ? turn.text : undefined;
    if (text) {
      yield { type: 'modelContentBlockStartEvent' };
      for (const piece of text.match(/.{1,24}/gs) ?? []) {
        yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: piece } };
      }
      yield { type: 'modelContentBlockStopEvent' };
    }
    const tools = 'tools' in turn ? turn.tools : [];
    for (const t of tools) {
      const toolUseId = `tooluse_${++ids}`;
      yield { type: 'modelContentBlockStartEvent', start: { type: 'toolUseStart', name: t.name, toolUseId } };
      yield {
        type: 'modelContentBlockDeltaEvent',
        delta: { type: 'toolUseInputDelta', input: JSON.stringify(t.input) },
      };
      yield { type: 'modelContentBlockStopEvent' };
    }
    yield { type: 'modelMessageStopEvent', stopReason: tools.length ? 'toolUse' : 'endTurn' };
    yield {
      type: 'modelMetadataEvent',
      usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
      metrics: { latencyMs: 1 },
    };
  }
}

/** The text of every tool result the model has been sent, in order. */
export function toolResultTexts(messages: Message[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    for (const block of m.content) {
      if (block.type === 'toolResultBlock') {
        for (const c of block.content) if (c.type === 'textBlock') out.push(c.text);
      }
    }
  }
  return out;
}

/** The text of the last user message that is a prompt (not tool results). */
export function lastPrompt(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    const text = m.content
      .filter((b) => b.type === 'textBlock')
      .map((b) => (b as { text: string }).text)
      .join('');
    if (text) return text;
  }
  return '';
}

/** True when the conversation ends in tool results the model has not answered yet. */
export function awaitingAnswer(messages: Message[]): boolean {
  const last = messages[messages.length - 1];
  return !!last && last.role === 'user' && last.content.some((b) => b.type === 'toolResultBlock');
}

/**
 * One pipeline for every surface: a Slack thread and a question in, a threaded answer out.
 *
 * thread → runtime session id (sha256 of team:channel:thread) → AgentClient events → Slack:
 * - streamed with chat.startStream/appendStream/stopStream: each AWS call is a task in the message's
 *   timeline (in progress → done), the answer text streams under it, throttled;
 * - or, where streaming is unavailable or the stream closes, posted and edited with chat.update at
 *   most every 2.5 s (Tier 3), continuing where the stream stopped;
 * - or, for a slash command where the bot cannot post, sent back through `respond()`.
 * Long answers are split within Slack's limits. Every answer ends with a footer naming the AWS calls,
 * the time and tokens; every failure ends with a clear message and a reference id that is in the logs.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../common/log.ts';
import { sessionIdForThread, type ToolCallSummary } from '../common/protocol.ts';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../common/defaults.ts';
import { newRef } from '../common/ref.ts';
import type { AgentClient } from './agent-client.ts';
import { MAX_MESSAGE_CHARS, footer, splitMarkdown, taskOutput, taskTitle } from './format.ts';

export interface Thread {
  readonly teamId: string;
  readonly channelId: string;
  /** The thread the answer goes in (the question's own ts when it starts one). */
  readonly threadTs: string;
  readonly userId: string;
  /** A DM or agent-view thread: the assistant status applies, no recipient ids needed. */
  readonly isDm: boolean;
}

export type RespondFn = (message: { response_type: 'ephemeral' | 'in_channel'; text: string; blocks?: unknown[]; replace_original?: boolean }) => Promise<unknown>;

export interface AnswerDeps {
  readonly client: WebClient;
  readonly agent: AgentClient;
  readonly logger: Logger;
  /** chat.startStream when true (default); post-and-update when false. */
  readonly streaming?: boolean;
  /** Least time between two chat.update calls. Default 2,500 ms. */
  readonly updateIntervalMs?: number;
  /** Least time between two appends of streamed text. Default 800 ms. */
  readonly streamIntervalMs?: number;
  /** Longest answer. Default 5 minutes. */
  readonly timeoutMs?: number;
}

export interface AnswerResult {
  readonly ok: boolean;
  readonly ref: string;
  readonly text: string;
  readonly toolCalls: readonly ToolCallSummary[];
  readonly errorCode?: string;
  /** ms from the question to the first thing the user saw change in Slack. */
  readonly firstUpdateMs?: number;
}

interface Renderer {
  callStarted(id: string, title: string): Promise<void>;
  callEnded(id: string, call: ToolCallSummary): Promise<void>;
  text(delta: string): Promise<void>;
  /** Ends the answer with `tail` (the footer or an error notice). */
  finish(tail: string): Promise<void>;
}

const slackError = (e: unknown): string => (e as { data?: { error?: string } }).data?.error ?? (e as Error).message ?? String(e);

const markdownBlocks = (text: string) => [{ type: 'markdown', text }];
const preview = (text: string) => text.replace(/[*_`>#|~]/g, '').replace(/\s+/g, ' ').trim().slice(0, 150) || 'aws-ask';

/** Posts a message and keeps editing it, throttled; splits long answers over several messages. */
class UpdateRenderer implements Renderer {
  private ts?: string;
  private readonly calls = new Map<string, string>();
  private answer = '';
  private lastUpdate = 0;
  private timer?: NodeJS.Timeout;
  private pending?: Promise<void>;
  private readonly o: { client: WebClient; thread: Thread; intervalMs: number; onFirstUpdate: () => void };

  constructor(o: { client: WebClient; thread: Thread; intervalMs: number; onFirstUpdate: () => void }, carried = '') {
    this.o = o;
    this.answer = carried;
  }

  private body(working: boolean): string {
    const lines = [...this.calls.values()];
    const status = working && lines.length ? `${lines.join('\n')}\n\n` : '';
    const text = this.answer || (working ? '_Looking into it…_' : '');
    const full = `${status}${text}`;
    return full.length > MAX_MESSAGE_CHARS ? `${full.slice(0, MAX_MESSAGE_CHARS - 20)}\n\n_…(continued)_` : full;
  }

  private async post(text: string): Promise<string> {
    const r = await this.o.client.chat.postMessage({ channel: this.o.thread.channelId, thread_ts: this.o.thread.threadTs, text: preview(text), blocks: markdownBlocks(text) as never });
    this.o.onFirstUpdate();
    return r.ts as string;
  }

  private async update(working: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastUpdate = Date.now();
    const text = this.body(working);
    if (!this.ts) this.ts = await this.post(text);
    else await this.o.client.chat.update({ channel: this.o.thread.channelId, ts: this.ts, text: preview(text), blocks: markdownBlocks(text) as never });
  }

  /** Updates now if the interval has passed, else once it has. */
  private touch(): Promise<void> {
    if (!this.ts) return (this.pending = this.update(true));
    const wait = this.o.intervalMs - (Date.now() - this.lastUpdate);
    if (wait <= 0) return (this.pending = this.update(true));
    this.timer ??= setTimeout(() => {
      this.pending = this.update(true).catch(() => {});
    }, wait);
    return Promise.resolve();
  }

  async start(): Promise<void> {
    await this.update(true);
  }

  async callStarted(id: string, title: string): Promise<void> {
    this.calls.set(id, `:hourglass_flowing_sand: ${title}`);
    await this.touch();
  }

  async callEnded(id: string, call: ToolCallSummary): Promise<void> {
    const title = this.calls.get(id)?.replace(/^:hourglass_flowing_sand: /, '') ?? `${call.service} ${call.operation} in ${call.region}`;
    this.calls.set(id, `${call.ok ? ':white_check_mark:' : ':x:'} ${title} (${taskOutput(call)})`);
    await this.touch();
  }

  async text(delta: string): Promise<void> {
    this.answer += delta;
    await this.touch();
  }

  async finish(tail: string): Promise<void> {
    clearTimeout(this.timer);
    await this.pending?.catch(() => {});
    const parts = splitMarkdown(`${this.answer}${tail}`.trim());
    const [first, ...rest] = parts;
    if (!this.ts) this.ts = await this.post(first ?? '');
    else await this.o.client.chat.update({ channel: this.o.thread.channelId, ts: this.ts, text: preview(first ?? ''), blocks: markdownBlocks(first ?? '') as never });
    for (const p of rest) await this.post(p);
  }
}

/** Streams the answer with chat.startStream; falls back to UpdateRenderer when it must. */
class StreamRenderer implements Renderer {
  private streamer?: ReturnType<WebClient['chatStream']>;
  private streamChars = 0;
  private pendingText = '';
  private lastFlush = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private fallback?: UpdateRenderer;
  private readonly tasks = new Map<string, string>();
  private readonly o: { client: WebClient; thread: Thread; intervalMs: number; updateIntervalMs: number; logger: Logger; onFirstUpdate: () => void };

  constructor(o: StreamRenderer['o']) {
    this.o = o;
  }

  private newStreamer() {
    const t = this.o.thread;
    this.streamChars = 0;
    return this.o.client.chatStream({
      channel: t.channelId,
      thread_ts: t.threadTs,
      ...(t.isDm ? {} : { recipient_team_id: t.teamId, recipient_user_id: t.userId }),
      task_display_mode: 'timeline',
      buffer_size: 1,
    });
  }

  /** Runs Slack calls one after another, so appends never overtake each other. */
  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(fn, fn);
    return this.chain;
  }

  private async switchToFallback(e: unknown, undelivered: string): Promise<void> {
    this.o.logger.warn('streaming unavailable, posting and updating instead', { error: slackError(e) });
    this.fallback = new UpdateRenderer({ client: this.o.client, thread: this.o.thread, intervalMs: this.o.updateIntervalMs, onFirstUpdate: this.o.onFirstUpdate }, undelivered);
    this.streamer = undefined;
    await this.fallback.start();
  }

  private async append(args: Parameters<ReturnType<WebClient['chatStream']>['append']>[0], text = ''): Promise<void> {
    if (this.fallback) {
      if (text) await this.fallback.text(text);
      return;
    }
    try {
      if (text && this.streamer && this.streamChars + text.length > MAX_MESSAGE_CHARS) {
        // Slack's per-message limit: close this message and go on in a new one.
        await this.streamer.stop({ markdown_text: '\n\n_…(continued below)_' });
        this.streamer = undefined;
      }
      this.streamer ??= this.newStreamer();
      const first = !this.streamer.ts;
      await this.streamer.append(args);
      if (first) this.o.onFirstUpdate();
      this.streamChars += text.length;
    } catch (e) {
      await this.switchToFallback(e, text);
    }
  }

  private flushText(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.enqueue(async () => {
      const text = this.pendingText;
      if (!text) return;
      this.pendingText = '';
      this.lastFlush = Date.now();
      for (const part of splitMarkdown(text, MAX_MESSAGE_CHARS)) await this.append({ markdown_text: part }, part);
    });
  }

  async callStarted(id: string, title: string): Promise<void> {
    this.tasks.set(id, title);
    await this.flushText();
    await this.enqueue(async () => {
      if (this.fallback) return this.fallback.callStarted(id, title);
      await this.append({ chunks: [{ type: 'task_update', id, title, status: 'in_progress' }] });
    });
  }

  async callEnded(id: string, call: ToolCallSummary): Promise<void> {
    const title = this.tasks.get(id) ?? `${call.service} ${call.operation} in ${call.region}`;
    await this.enqueue(async () => {
      if (this.fallback) return this.fallback.callEnded(id, call);
      await this.append({ chunks: [{ type: 'task_update', id, title, status: call.ok ? 'complete' : 'error', output: taskOutput(call) }] });
    });
  }

  async text(delta: string): Promise<void> {
    this.pendingText += delta;
    if (Date.now() - this.lastFlush >= this.o.intervalMs) await this.flushText();
    else this.timer ??= setTimeout(() => void this.flushText(), this.o.intervalMs);
  }

  async finish(tail: string): Promise<void> {
    await this.flushText();
    await this.enqueue(async () => {
      if (!this.fallback) {
        try {
          if (!this.streamer) {
            this.streamer = this.newStreamer();
            await this.streamer.append({ markdown_text: tail.trim() || '_(no answer)_' });
            this.o.onFirstUpdate();
            await this.streamer.stop();
          } else {
            await this.streamer.stop({ markdown_text: tail });
          }
          return;
        } catch (e) {
          // the stream closed under us (Slack ends streams after ~5 min): finish in a new message
          await this.switchToFallback(e, '');
        }
      }
      await this.fallback!.finish(tail);
    });
  }
}

/** Collects the answer and sends it through a slash command's response_url. */
class RespondRenderer implements Renderer {
  private answer = '';
  private readonly respond: RespondFn;
  private readonly preface: string;

  constructor(respond: RespondFn, preface: string) {
    this.respond = respond;
    this.preface = preface;
  }

  async callStarted(): Promise<void> {}
  async callEnded(): Promise<void> {}
  async text(delta: string): Promise<void> {
    this.answer += delta;
  }

  async finish(tail: string): Promise<void> {
    for (const part of splitMarkdown(`${this.preface}${this.answer}${tail}`.trim())) {
      await this.respond({ response_type: 'ephemeral', text: preview(part), blocks: markdownBlocks(part), replace_original: false });
    }
  }
}

export interface AnswerOptions {
  /** Send the answer through respond() (slash command where the bot cannot post). */
  readonly respond?: RespondFn;
  /** Text put before the answer (with respond). */
  readonly preface?: string;
  /** Which surface asked, for the logs. */
  readonly surface?: string;
  /** When the question arrived (ms epoch), for the first-update figure. */
  readonly receivedAt?: number;
  /**
   * A retried job (its worker died mid-answer): if the thread's agent is still busy with the dead
   * attempt, say nothing and return `retry`, so the queue brings it back later.
   */
  readonly retryIfBusy?: boolean;
}

export async function answerQuestion(deps: AnswerDeps, thread: Thread, question: string, options: AnswerOptions = {}): Promise<AnswerResult> {
  const ref = newRef();
  const started = options.receivedAt ?? Date.now();
  const log = deps.logger.child({ ref, team: thread.teamId, channel: thread.channelId, user: thread.userId, surface: options.surface ?? 'unknown' });
  let firstUpdateMs: number | undefined;
  const onFirstUpdate = () => {
    firstUpdateMs ??= Date.now() - started;
  };
  if (thread.isDm && !options.respond) {
    // the agent view's "is typing" line; cleared by Slack when the answer posts
    await deps.client.assistant.threads
      .setStatus({ channel_id: thread.channelId, thread_ts: thread.threadTs, status: 'is looking into it…', loading_messages: ['Reading the AWS account…', 'Checking the numbers…'] })
      .catch((e: unknown) => log.debug('setStatus failed', { error: slackError(e) }));
  }
  const renderer: Renderer = options.respond
    ? new RespondRenderer(options.respond, options.preface ?? '')
    : deps.streaming === false
      ? new UpdateRenderer({ client: deps.client, thread, intervalMs: deps.updateIntervalMs ?? 2_500, onFirstUpdate })
      : new StreamRenderer({ client: deps.client, thread, intervalMs: deps.streamIntervalMs ?? 800, updateIntervalMs: deps.updateIntervalMs ?? 2_500, logger: log, onFirstUpdate });

  const timeout = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
  const toolCalls: ToolCallSummary[] = [];
  const open: string[] = [];
  let seq = 0;
  let text = '';
  let tail = '';
  let ok = false;
  let errorCode: string | undefined;
  try {
    const sessionId = sessionIdForThread(thread.teamId, thread.channelId, thread.threadTs);
    const asker = { teamId: thread.teamId, userId: thread.userId, channelId: thread.channelId };
    for await (const ev of deps.agent.invoke(sessionId, { prompt: question, asker }, timeout)) {
      if (ev.type === 'status') {
        const id = `call-${++seq}`;
        open.push(id);
        await renderer.callStarted(id, taskTitle(ev.message));
      } else if (ev.type === 'tool') {
        toolCalls.push(ev);
        await renderer.callEnded(open.shift() ?? `call-${++seq}`, ev);
      } else if (ev.type === 'text') {
        text += ev.text;
        await renderer.text(ev.text);
      } else if (ev.type === 'done') {
        ok = true;
        tail = footer(ev.toolCalls, Date.now() - started, ev.usage);
        break;
      } else if (ev.type === 'error' && ev.code === 'busy' && options.retryIfBusy && !text && !toolCalls.length) {
        log.info('thread still busy with an earlier attempt; will retry', { agentRef: ev.ref });
        return { ok: false, ref, text: '', toolCalls, errorCode: 'retry' };
      } else if (ev.type === 'error') {
        errorCode = timeout.aborted ? 'timeout' : ev.code;
        const message = timeout.aborted ? `The answer took too long and was stopped. Try a narrower question. (ref ${ev.ref})` : ev.message;
        tail = `\n\n:warning: ${message}`;
        log.warn('agent error', { code: ev.code, agentRef: ev.ref });
        break;
      }
    }
    if (!ok && !errorCode) {
      errorCode = timeout.aborted ? 'timeout' : 'internal';
      tail = `\n\n:warning: ${timeout.aborted ? 'The answer took too long and was stopped. Try a narrower question.' : 'The agent stopped without an answer. Please try again.'} (ref ${ref})`;
    }
  } catch (e) {
    errorCode = 'internal';
    tail = `\n\n:warning: Something went wrong while answering. Please try again. (ref ${ref})`;
    log.error('answer failed', { error: e });
  }
  try {
    await renderer.finish(tail);
  } catch (e) {
    // whatever happened before, the asker has not seen an ending: the caller may retry
    errorCode = 'slack';
    ok = false;
    log.error('could not deliver the answer to Slack', { error: slackError(e) });
  }
  log.info('answer', { outcome: ok ? 'ok' : errorCode, toolCalls: toolCalls.length, answerChars: text.length, durationMs: Date.now() - started, firstUpdateMs: firstUpdateMs ?? null });
  return { ok, ref, text, toolCalls, ...(errorCode ? { errorCode } : {}), ...(firstUpdateMs !== undefined ? { firstUpdateMs } : {}) };
}

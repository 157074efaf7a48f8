/**
 * A loopback stand-in for Amazon Bedrock Runtime's ConverseStream and Converse, so the real BedrockModel
 * (and the real AWS SDK client under it) runs in the tests. It speaks what the SDK speaks: cleartext
 * HTTP/2, `POST /model/{modelId}/converse-stream`, answered with AWS event-stream frames (messageStart,
 * contentBlockStart/Delta/Stop, messageStop, metadata), and `POST /model/{modelId}/converse`, answered
 * with one JSON body (output.message, stopReason, usage). Errors come back as the service sends them:
 * an HTTP status with `x-amzn-errortype`.
 *
 * It refuses what Bedrock refuses (bedrock-rules.ts: the conversation's shape, the context window, cache
 * points), counts tokens (about four characters of the request a token) and keeps a prompt cache as
 * Bedrock does (prompt-cache.ts), reporting `cacheReadInputTokens` and `cacheWriteInputTokens` in the
 * usage of each reply.
 */

import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import {
  type ConverseBody,
  cachePointProblem,
  contextProblem,
  conversationProblem,
  layoutOf,
  limitsFor,
  type ModelLimits,
} from './bedrock-rules.ts';
import { PromptCache, type TokenUsage } from './prompt-cache.ts';

export type { TokenUsage };

export interface ConverseRequest {
  readonly modelId: string;
  /** ConverseStream (true) or Converse (false). */
  readonly stream: boolean;
  readonly body: ConverseBody;
}

export type BedrockTurn =
  | { readonly text: string }
  | { readonly tools: readonly { readonly name: string; readonly input: unknown }[]; readonly text?: string }
  | { readonly error: { readonly status: number; readonly type: string; readonly message: string } };

export interface FakeBedrockOptions {
  /** The model's limits; by default those of its model id (bedrock-rules.ts `limitsFor`). */
  readonly limits?: Partial<ModelLimits>;
  /** The clock of the cache's time to live, in ms (default Date.now): tests move it instead of waiting. */
  readonly now?: () => number;
}

export interface FakeBedrock {
  readonly url: string;
  /** Every request received, refused ones included. */
  readonly requests: ConverseRequest[];
  /** The usage reported for each request, index for index; undefined where it was refused or failed. */
  readonly usage: (TokenUsage | undefined)[];
  close(): Promise<void>;
}

const utf8 = new TextEncoder();
const fromUtf8 = (s: string) => utf8.encode(s);
const toUtf8 = (b: Uint8Array) => new TextDecoder().decode(b);
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

let ids = 0;

function respondError(stream: ServerHttp2Stream, error: { status: number; type: string; message: string }): void {
  stream.respond({ ':status': error.status, 'content-type': 'application/json', 'x-amzn-errortype': error.type });
  stream.end(JSON.stringify({ message: error.message }));
}

/** Output tokens of a turn: its text and tool inputs, four characters a token. */
const outputTokens = (turn: BedrockTurn): number => {
  if ('error' in turn) return 0;
  const tools = 'tools' in turn ? turn.tools.map((t) => t.name + JSON.stringify(t.input)).join('') : '';
  return Math.max(1, Math.ceil(((turn.text ?? '') + tools).length / 4));
};

function respond(stream: ServerHttp2Stream, turn: BedrockTurn, usage: TokenUsage): void {
  if ('error' in turn) {
    respondError(stream, turn.error);
    return;
  }
  stream.respond({
    ':status': 200,
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': `req-${++ids}`,
  });
  stream.write(frame('messageStart', { role: 'assistant' }));
  let index = 0;
  const text = 'text' in turn ? turn.text : undefined;
  if (text) {
    for (const piece of text.match(/.{1,16}/gs) ?? [])
      stream.write(frame('contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }));
    stream.write(frame('contentBlockStop', { contentBlockIndex: index }));
    index++;
  }
  const tools = 'tools' in turn ? turn.tools : [];
  for (const t of tools) {
    stream.write(
      frame('contentBlockStart', {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: `tooluse_${++ids}`, name: t.name } },
      }),
    );
    stream.write(
      frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: JSON.stringify(t.input) } } }),
    );
    stream.write(frame('contentBlockStop', { contentBlockIndex: index }));
    index++;
  }
  stream.write(frame('messageStop', { stopReason: tools.length ? 'tool_use' : 'end_turn' }));
  stream.write(frame('metadata', { usage, metrics: { latencyMs: 5 } }));
  stream.end();
}

/** Converse's reply: the whole message at once, cut to inferenceConfig.maxTokens "tokens" (words here). */
function respondWhole(
  stream: ServerHttp2Stream,
  turn: BedrockTurn,
  req: ConverseRequest,
  usageFor: (output: number) => TokenUsage,
): TokenUsage | undefined {
  if ('error' in turn) {
    respondError(stream, turn.error);
    return undefined;
  }
  const content: Record<string, unknown>[] = [];
  const max = Number(req.body.inferenceConfig?.maxTokens ?? Number.POSITIVE_INFINITY);
  const words = ('text' in turn && turn.text ? turn.text : '').split(/(?<=\s)/);
  const cut = words.length > max;
  const text = words.slice(0, max).join('');
  if (text) content.push({ text });
  const tools = 'tools' in turn && !cut ? turn.tools : [];
  for (const t of tools) content.push({ toolUse: { toolUseId: `tooluse_${++ids}`, name: t.name, input: t.input } });
  const usage = usageFor(Math.min(words.length, max));
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': `req-${++ids}` });
  stream.end(
    JSON.stringify({
      output: { message: { role: 'assistant', content } },
      stopReason: cut ? 'max_tokens' : tools.length ? 'tool_use' : 'end_turn',
      usage,
      metrics: { latencyMs: 5 },
    }),
  );
  return usage;
}

/**
 * Starts the stand-in; `answer` decides each turn from the request (the conversation so far). It is
 * asked only for requests Bedrock would accept.
 */
export async function startFakeBedrock(
  answer: (req: ConverseRequest) => BedrockTurn,
  options: FakeBedrockOptions = {},
): Promise<FakeBedrock> {
  const requests: ConverseRequest[] = [];
  const usage: (TokenUsage | undefined)[] = [];
  const cache = new PromptCache(options.now ?? Date.now);
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path'] ?? '');
    const m = /^\/model\/([^/]+)\/(converse-stream|converse)$/.exec(path);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (headers[':method'] !== 'POST' || !m) {
        respondError(stream, { status: 404, type: 'UnknownOperationException', message: `no route ${path}` });
        return;
      }
      const req: ConverseRequest = {
        modelId: decodeURIComponent(m[1] ?? ''),
        stream: m[2] === 'converse-stream',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ConverseBody,
      };
      const at = requests.push(req) - 1;
      usage[at] = undefined;
      const limits = { ...limitsFor(req.modelId), ...options.limits };
      const layout = layoutOf(req.body);
      const problem =
        conversationProblem(req.body) ?? cachePointProblem(layout, limits) ?? contextProblem(layout, req.body, limits);
      let turn: BedrockTurn;
      if (problem) turn = { error: { status: 400, type: 'ValidationException', message: problem } };
      else {
        try {
          turn = answer(req);
        } catch (e) {
          turn = { error: { status: 500, type: 'InternalServerException', message: (e as Error).message } };
        }
      }
      if ('error' in turn) {
        respondError(stream, turn.error);
        return;
      }
      // the cache is read and written only by requests the model answers
      const input = cache.account(req.modelId, layout, limits);
      const usageFor = (output: number): TokenUsage => ({
        ...input,
        outputTokens: output,
        totalTokens: input.totalTokens + output,
      });
      if (req.stream) {
        usage[at] = usageFor(outputTokens(turn));
        respond(stream, turn, usage[at]);
      } else usage[at] = respondWhole(stream, turn, req, usageFor);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    usage,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** The text of the tool results in the last request's conversation. */
export function lastToolResults(req: ConverseRequest): string[] {
  const last = req.body.messages?.at(-1);
  if (last?.role !== 'user') return [];
  const out: string[] = [];
  for (const c of last.content) {
    const tr = c.toolResult as { content?: { text?: string }[] } | undefined;
    for (const part of tr?.content ?? []) if (part.text) out.push(part.text);
  }
  return out;
}

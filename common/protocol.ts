/**
 * The bot ↔ agent protocol (docs/ARCHITECTURE.md, "The protocol"): request and event types,
 * validation at the boundary, and the runtime session id. Both sides import this module; the SSE
 * framing is in sse.ts.
 */
import { createHash } from 'node:crypto';
import type { ErrorCode } from './errors.ts';

export type { ErrorCode };

/** Who asked, from Slack. */
export interface Asker {
  readonly teamId?: string;
  readonly userId?: string;
  readonly channelId?: string;
}

export interface InvocationRequest {
  readonly prompt: string;
  readonly asker?: Asker;
}

/**
 * An AWS call as it starts (the `tool_start` event). `id` is the model's toolUseId: the tool calls of
 * one model turn run concurrently, so ends can arrive in any order and are matched to starts by id.
 */
export interface ToolCallStart {
  readonly id: string;
  readonly service: string;
  readonly operation: string;
  /** IAM action, when the operation was resolved. */
  readonly iamAction?: string;
  /** Where the call runs: a region, or with `regions`, a summary (`17 regions`, `all regions`). */
  readonly region: string;
  /** A call in several regions (the tool's `regions`): each region, when known. */
  readonly regions?: readonly string[];
  /**
   * The account (its alias) when the deployment reads several (AWS_ASK_ACCOUNTS); with `accounts`, a
   * summary (`3 accounts`, `all accounts`). Absent: the tool role's account, the only one.
   */
  readonly account?: string;
  /** A call in several accounts (the tool's `accounts`): each account's alias, when known. */
  readonly accounts?: readonly string[];
  readonly label: string;
}

/** One AWS call as it ended (the `tool_end` event, the footer, the logs, `toolCalls` in `done`). */
export interface ToolCallSummary extends ToolCallStart {
  readonly ok: boolean;
  /** Refused by the policy before any network call. */
  readonly refused: boolean;
  readonly ms: number;
  readonly pages: number;
  readonly items: number;
  readonly errorCode?: string;
  /**
   * With `regions`: the regions whose part failed or was refused, with its error code (the others
   * answered, so `ok` is true when any did); absent when every region answered.
   */
  readonly regionErrors?: Readonly<Record<string, string>>;
  /**
   * With `accounts`: the accounts that failed as a whole (their role could not be assumed, say), with
   * the error code; a region of an account that failed alone is in `regionErrors` as `alias/region`.
   */
  readonly accountErrors?: Readonly<Record<string, string>>;
}

/**
 * The model's tokens for one answer, summed over its model calls. With prompt caching, `inputTokens`
 * counts only the input neither read from nor written to the cache (as Bedrock reports it): the whole
 * input is `inputTokens + cacheReadInputTokens + cacheWriteInputTokens`, and `totalTokens` includes all
 * of it. The cache fields are absent when the model reported none.
 */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Input read from the prompt cache (billed at a fraction of the input price). */
  readonly cacheReadInputTokens?: number;
  /** Input written to the prompt cache (billed above the input price). */
  readonly cacheWriteInputTokens?: number;
}

export type AgentEvent =
  | ({ readonly type: 'tool_start' } & ToolCallStart)
  | ({ readonly type: 'tool_end' } & ToolCallSummary)
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'done';
      readonly usage: Usage;
      readonly toolCalls: readonly ToolCallSummary[];
      readonly durationMs: number;
    }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string; readonly ref: string };

/** `Accept: application/json`: the whole answer at once. */
export interface InvocationResponse {
  readonly answer: string;
  readonly toolCalls: readonly ToolCallSummary[];
  readonly usage: Usage;
  readonly durationMs: number;
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly ref?: string };
}

export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
export const SESSION_ID_MIN = 33;
export const SESSION_ID_MAX = 256;
export const MAX_PROMPT_CHARS = 8_000;
export const MAX_BODY_BYTES = 64 * 1024;

/** The runtime session id of a Slack thread: sha256 of team:channel:thread, 64 hex characters. */
export function sessionIdForThread(teamId: string, channelId: string, threadTs: string): string {
  return createHash('sha256').update(`${teamId}:${channelId}:${threadTs}`).digest('hex');
}

/** undefined when valid, else the problem. */
export function sessionIdProblem(id: string | undefined): string | undefined {
  if (!id) return `missing ${SESSION_HEADER} header`;
  if (id.length < SESSION_ID_MIN || id.length > SESSION_ID_MAX) {
    return `${SESSION_HEADER} must be ${SESSION_ID_MIN}–${SESSION_ID_MAX} characters (got ${id.length})`;
  }
  if (!/^[\x21-\x7e]+$/.test(id)) return `${SESSION_HEADER} must be printable ASCII without spaces`;
  return undefined;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Validates an invocation body (already size-checked). */
export function parseInvocationRequest(body: string): Parsed<InvocationRequest> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, message: 'body must be a JSON object' };
  const obj = raw as Record<string, unknown>;
  const extra = Object.keys(obj).filter((k) => k !== 'prompt' && k !== 'asker');
  if (extra.length) return { ok: false, message: `unknown field ${extra.join(', ')}; expected prompt and asker` };
  if (typeof obj.prompt !== 'string') return { ok: false, message: 'prompt must be a string' };
  const prompt = obj.prompt.trim();
  if (!prompt) return { ok: false, message: 'prompt must not be empty' };
  if (prompt.length > MAX_PROMPT_CHARS)
    return { ok: false, message: `prompt is longer than ${MAX_PROMPT_CHARS} characters` };
  if (obj.asker === undefined || obj.asker === null) return { ok: true, value: { prompt } };
  if (typeof obj.asker !== 'object' || Array.isArray(obj.asker))
    return { ok: false, message: 'asker must be an object' };
  const a = obj.asker as Record<string, unknown>;
  const asker: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k !== 'teamId' && k !== 'userId' && k !== 'channelId')
      return { ok: false, message: `asker has unknown field ${k}` };
    if (typeof v !== 'string' || !ID.test(v))
      return { ok: false, message: `asker.${k} must be a Slack id (letters, digits, . _ -; up to 64)` };
    asker[k] = v;
  }
  return { ok: true, value: { prompt, asker } };
}

/**
 * The agent service: turns an invocation into a stream of protocol events. One Strands Agent per
 * session, kept in memory and, with a session store, persisted to S3 so a thread continues after the
 * process (the AgentCore microVM) is gone. Invocations of one session run one at a time: a second
 * one waits up to `busyWaitMs` for the first, then gets a `busy` error; different sessions run in
 * parallel.
 *
 * The runtime server, the `ask` CLI and the bot's local client all use this one code path.
 */
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import {
  BeforeToolCallEvent,
  ModelThrottledError,
  ModelStreamUpdateEvent,
  SessionManager,
  type Agent,
  type Model,
  type RetryStrategy,
} from '@strands-agents/sdk';
import { S3Storage } from '@strands-agents/sdk/session/s3-storage';
import { agentSettingsFromEnv, createAgent, createModel, type AgentSettings } from './agent.ts';
import { PinnedCredentials, credentialModeFromEnv } from './credentials.ts';
import { silentLogger, type Logger } from '../common/log.ts';
import type { AgentEvent, ErrorCode, InvocationRequest, ToolCallSummary, Usage } from '../common/protocol.ts';
import { DEFAULT_AGENT_TIMEOUT_MS } from '../common/defaults.ts';
import { newRef } from '../common/ref.ts';
import { createControlledUseAws } from './tools/controlled-use-aws.ts';
import { AwsCaller, settingsFromEnv, type AwsCallRecord } from './tools/use-aws.ts';

export interface SessionStoreSettings {
  readonly bucket: string;
  readonly prefix?: string;
  readonly region?: string;
  readonly s3Client?: S3Client;
}

export interface AgentServiceOptions {
  readonly settings: Pick<AgentSettings, 'defaultRegion' | 'regions' | 'maxTurns'> & Partial<AgentSettings>;
  /** A model for a new session's agent. */
  readonly createModel: () => Model;
  readonly caller: AwsCaller;
  readonly credentials: PinnedCredentials;
  readonly sessionStore?: SessionStoreSettings;
  readonly logger?: Logger;
  /** How long a second invocation of a busy session waits. Default 30 s. */
  readonly busyWaitMs?: number;
  /** Longest invocation before it is cancelled with a `timeout` error. Default 240 s. */
  readonly invocationTimeoutMs?: number;
  /** Sessions kept in memory; the least recently used idle ones are dropped beyond it. Default 200. */
  readonly maxSessions?: number;
  /** Log prompts in full (default: only their length). */
  readonly logPrompts?: boolean;
  /** A retry strategy for each new agent's model calls (default: Strands' own). */
  readonly retryStrategy?: () => RetryStrategy;
}

interface Session {
  readonly id: string;
  readonly agent: Agent;
  busy: boolean;
  readonly waiters: (() => void)[];
  /** Where the current invocation's tool records go. */
  sink?: (record: AwsCallRecord) => void;
  lastUsed: number;
}

export class BusyError extends Error {
  override name = 'BusyError';
}


/** Strands session ids must match ^[a-z0-9_-]+$: the runtime session id, hashed. */
export const storageSessionId = (runtimeSessionId: string): string =>
  createHash('sha256').update(runtimeSessionId).digest('hex');

/** A message safe to show a Slack user, and a code, for any failure of an invocation. */
export function describeFailure(e: unknown, settings: { modelId?: string; modelRegion?: string }): { code: ErrorCode; message: string } {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = err?.name ?? '';
  const text = `${name} ${err?.message ?? ''}`;
  if (e instanceof BusyError) return { code: 'busy', message: 'I am still answering an earlier question in this thread. Ask again when that answer is done.' };
  if (e instanceof ModelThrottledError || /Throttl|TooManyRequests|ServiceQuotaExceeded/i.test(text)) {
    return { code: 'model_throttled', message: 'The AI model is busy right now (throttled). Please try again in a minute.' };
  }
  if (/AccessDenied|not authorized|don't have access|UnrecognizedClient|ResourceNotFound.*model|model identifier is invalid|ValidationException.*model/i.test(text)) {
    return {
      code: 'model_access',
      message: `The bot cannot use its AI model${settings.modelId ? ` (${settings.modelId}${settings.modelRegion ? ` in ${settings.modelRegion}` : ''})` : ''}. An operator needs to enable model access in Amazon Bedrock or set MODEL_ID.`,
    };
  }
  if (/CredentialsProviderError|Could not load credentials|ExpiredToken/i.test(text)) {
    return { code: 'aws_credentials', message: 'The bot has no valid AWS credentials right now. An operator needs to check its configuration.' };
  }
  if (name === 'AbortError' || /aborted|cancel/i.test(text)) return { code: 'cancelled', message: 'The answer was cancelled.' };
  if (/ModelError|ContextWindowOverflow|MaxTokens|ModelStreamError|InternalServer|ServiceUnavailable|ModelNotReady/i.test(text)) {
    return { code: 'model_error', message: 'The AI model failed while answering. Please try again.' };
  }
  return { code: 'internal', message: 'Something went wrong while answering. Please try again.' };
}

const toSummary = ({ bytes: _bytes, ...summary }: AwsCallRecord): ToolCallSummary => summary;

export class AgentService {
  private readonly sessions = new Map<string, Session>();
  private readonly opts: AgentServiceOptions;
  private readonly log: Logger;
  private readonly s3?: S3Client;
  private active = 0;
  private readonly busyListeners: ((busy: boolean) => void)[] = [];
  private closing = false;

  constructor(options: AgentServiceOptions) {
    this.opts = options;
    this.log = options.logger ?? silentLogger;
    if (options.sessionStore) {
      this.s3 = options.sessionStore.s3Client ?? new S3Client({ region: options.sessionStore.region ?? options.settings.defaultRegion });
    }
  }

  /** Invocations running now. */
  get activeInvocations(): number {
    return this.active;
  }

  /** Called with true when the first invocation starts and false when the last one ends. */
  onBusyChange(listener: (busy: boolean) => void): void {
    this.busyListeners.push(listener);
  }

  private setActive(delta: number): void {
    const was = this.active > 0;
    this.active += delta;
    const is = this.active > 0;
    if (was !== is) for (const l of this.busyListeners) l(is);
  }

  private session(id: string): Session {
    let s = this.sessions.get(id);
    if (s) return s;
    const sessionManager = this.opts.sessionStore && this.s3
      ? new SessionManager({
          sessionId: storageSessionId(id),
          storage: { snapshot: new S3Storage({ bucket: this.opts.sessionStore.bucket, ...(this.opts.sessionStore.prefix ? { prefix: this.opts.sessionStore.prefix } : {}), s3Client: this.s3 }) },
          saveLatestOn: 'invocation',
        })
      : undefined;
    const holder: { session?: Session } = {};
    const tool = createControlledUseAws({
      credentials: this.opts.credentials,
      caller: this.opts.caller,
      onCall: (record) => holder.session?.sink?.(record),
    });
    const agent = createAgent({
      model: this.opts.createModel(),
      tool,
      settings: this.opts.settings,
      ...(sessionManager ? { sessionManager } : {}),
      ...(this.opts.retryStrategy ? { retryStrategy: this.opts.retryStrategy() } : {}),
    });
    s = { id, agent, busy: false, waiters: [], lastUsed: Date.now() };
    holder.session = s;
    this.sessions.set(id, s);
    this.evictIdle();
    return s;
  }

  private evictIdle(): void {
    const max = this.opts.maxSessions ?? 200;
    if (this.sessions.size <= max) return;
    const idle = [...this.sessions.values()].filter((s) => !s.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const s of idle) {
      if (this.sessions.size <= max) break;
      this.sessions.delete(s.id);
    }
  }

  private async acquire(s: Session): Promise<void> {
    if (!s.busy) {
      s.busy = true;
      return;
    }
    const wait = this.opts.busyWaitMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = s.waiters.indexOf(go);
        if (i >= 0) s.waiters.splice(i, 1);
        reject(new BusyError('session busy'));
      }, wait);
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      s.waiters.push(go);
    });
  }

  private release(s: Session): void {
    s.lastUsed = Date.now();
    const next = s.waiters.shift();
    if (next) next();
    else s.busy = false;
  }

  /** Runs one invocation; yields status, tool and text events, then done or error. Never throws. */
  async *invoke(sessionId: string, request: InvocationRequest, signal?: AbortSignal): AsyncGenerator<AgentEvent> {
    const started = Date.now();
    const ref = newRef();
    const log = this.log.child({ ref, session: storageSessionId(sessionId).slice(0, 16) });
    const toolCalls: ToolCallSummary[] = [];
    let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let outcome = 'ok';
    let answerChars = 0;
    if (this.closing) {
      yield { type: 'error', code: 'busy', message: 'The agent is restarting. Please ask again in a moment.', ref };
      return;
    }
    this.setActive(+1);
    let session: Session | undefined;
    let acquired = false;
    try {
      session = this.session(sessionId);
      await this.acquire(session);
      acquired = true;
      const pending: AgentEvent[] = [];
      session.sink = (record) => {
        const summary = toSummary(record);
        toolCalls.push(summary);
        pending.push({ type: 'tool', ...summary });
      };
      const timeout = AbortSignal.timeout(this.opts.invocationTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS);
      const cancel = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const stream = session.agent.stream(request.prompt, {
        invocationState: request.asker ? { asker: { ...request.asker } } : {},
        cancelSignal: cancel,
        limits: { turns: this.opts.settings.maxTurns },
      });
      const next = () => nextOrAbort(stream, cancel);
      let step = await next();
      while (!step.done) {
        const ev = step.value;
        if (ev instanceof ModelStreamUpdateEvent) {
          const inner = ev.event;
          if (inner.type === 'modelContentBlockDeltaEvent' && inner.delta.type === 'textDelta' && inner.delta.text) {
            answerChars += inner.delta.text.length;
            yield { type: 'text', text: inner.delta.text };
          }
        } else if (ev instanceof BeforeToolCallEvent) {
          yield { type: 'status', message: statusFor(ev.toolUse.input, this.opts.settings.defaultRegion) };
        }
        while (pending.length) yield pending.shift() as AgentEvent;
        step = await next();
      }
      while (pending.length) yield pending.shift() as AgentEvent;
      if (timeout.aborted) throw Object.assign(new Error('invocation timed out'), { name: 'TimeoutError' });
      if (signal?.aborted) throw Object.assign(new Error('cancelled by the caller'), { name: 'AbortError' });
      const u = step.value.metrics?.accumulatedUsage;
      if (u) usage = { inputTokens: u.inputTokens, outputTokens: u.outputTokens, totalTokens: u.totalTokens };
      yield { type: 'done', usage, toolCalls, durationMs: Date.now() - started };
    } catch (e) {
      if (session && (signal?.aborted || (e as { name?: string }).name === 'TimeoutError')) {
        // The agent may still be mid-turn: cancel it and give this thread a fresh agent next time
        // (reloaded from the session store when there is one) rather than risk a corrupt conversation.
        session.agent.cancel();
        if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
      }
      const failure = (e as { name?: string }).name === 'TimeoutError'
        ? { code: 'timeout' as const, message: 'The answer took too long and was stopped. Try a narrower question.' }
        : describeFailure(e, this.opts.settings);
      outcome = failure.code;
      log.error('invocation failed', { code: failure.code, error: e });
      yield { type: 'error', code: failure.code, message: `${failure.message} (ref ${ref})`, ref };
    } finally {
      if (session) session.sink = undefined;
      if (session && acquired) this.release(session);
      this.setActive(-1);
      log.info('invocation', {
        asker: request.asker ?? null,
        promptChars: request.prompt.length,
        ...(this.opts.logPrompts ? { prompt: request.prompt } : {}),
        answerChars,
        toolCalls: toolCalls.map((t) => ({ call: `${t.action ?? `${t.service}:${t.operation}`}`, region: t.region, ok: t.ok, refused: t.refused, ms: t.ms, ...(t.errorCode ? { error: t.errorCode } : {}) })),
        usage,
        durationMs: Date.now() - started,
        outcome,
      });
    }
  }

  /** Stops taking invocations and waits (up to `waitMs`) for running ones to finish. */
  async close(waitMs = 30_000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + waitMs;
    while (this.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.opts.caller.close();
  }
}

/** The iterator's next step, or a rejection as soon as the signal aborts (a hung model call included). */
function nextOrAbort<T, R>(it: AsyncGenerator<T, R>, signal: AbortSignal): Promise<IteratorResult<T, R>> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

function statusFor(input: unknown, defaultRegion: string): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : '');
  const call = [s('service_name'), s('operation_name')].filter(Boolean).join(' ') || 'AWS';
  const region = s('region') || defaultRegion;
  const label = s('label');
  return `Calling ${call} in ${region}${label ? `: ${label}` : ''}`;
}

/**
 * The service as configured by the environment (AWS_REGION, MODEL_ID, BEDROCK_REGION, TOOL_ROLE_ARN or
 * AGENT_TOOL_USE_AWS_PROFILE_NAME, SESSION_BUCKET, USE_AWS_*, AWS_ASK_REGIONS, LOG_PROMPTS). Throws
 * ConfigError naming what to set.
 */
export function agentServiceFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): { service: AgentService; settings: AgentSettings; credentials: PinnedCredentials } {
  const settings = agentSettingsFromEnv(env);
  const toolSettings = settingsFromEnv(env);
  const credentials = new PinnedCredentials(credentialModeFromEnv(env), { region: settings.defaultRegion });
  const bucket = env.SESSION_BUCKET?.trim();
  const service = new AgentService({
    settings,
    createModel: () => createModel(settings),
    caller: new AwsCaller(toolSettings),
    credentials,
    ...(bucket ? { sessionStore: { bucket, prefix: env.SESSION_PREFIX ?? 'sessions/' } } : {}),
    ...(logger ? { logger } : {}),
    logPrompts: env.LOG_PROMPTS === 'true',
    invocationTimeoutMs: settings.timeoutMs,
  });
  return { service, settings, credentials };
}

/**
 * The agent service: turns an invocation into a stream of protocol events. One Strands Agent per
 * session (session-pool.ts), kept in memory and, with a session store (session-store.ts), persisted to
 * S3; the stream translated by events.ts; failures told by failures.ts; busy state for /ping in
 * busy-state.ts.
 *
 * The runtime server, the `ask` CLI and the bot's local client all use this one code path.
 */
import type { Model, RetryStrategy } from '@strands-agents/sdk';
import { DEFAULT_AGENT_TIMEOUT_MS } from '../../common/defaults.ts';
import { FAILURES, userMessage } from '../../common/errors.ts';
import { type Logger, silentLogger } from '../../common/log.ts';
import type { AgentEvent, InvocationRequest, ToolCallSummary, Usage } from '../../common/protocol.ts';
import { newRef } from '../../common/ref.ts';
import type { AccountDirectory } from '../accounts.ts';
import { type AgentSettings, createAgent, promptAccounts } from '../agent.ts';
import type { PinnedCredentials } from '../credentials.ts';
import type { ScopeFor } from '../tools/accounts.ts';
import type { AwsCaller } from '../tools/aws-caller.ts';
import { createControlledUseAws } from '../tools/controlled-use-aws.ts';
import { BusyState } from './busy-state.ts';
import {
  callForLog,
  fromStreamEvent,
  type ToolRecord,
  toolCallSummary,
  toolEnd,
  unresolvedCallEnd,
  usageOf,
} from './events.ts';
import { describeFailure } from './failures.ts';
import { type Session, SessionPool } from './session-pool.ts';
import { SessionStore, type SessionStoreSettings, storageSessionId } from './session-store.ts';

export interface AgentServiceOptions {
  readonly settings: Pick<AgentSettings, 'defaultRegion' | 'regions' | 'maxTurns'> & Partial<AgentSettings>;
  /** A model for a new session's agent. */
  readonly createModel: () => Model;
  readonly caller: AwsCaller;
  readonly credentials: PinnedCredentials;
  /** The accounts the tool may read (AWS_ASK_ACCOUNTS); absent: the tool role's account alone. */
  readonly accounts?: AccountDirectory;
  /** What the asker may ask about (AWS_ASK_SCOPES, common/scopes.ts), enforced by the tool. */
  readonly scopeFor?: ScopeFor;
  /** The operator's extra denies (AWS_ASK_DENY_ACTIONS), refused by the tool like the sensitive list. */
  readonly denyActions?: readonly string[];
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

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

export class AgentService {
  /** Whether any invocation runs (`busy.active` counts them), for /ping. */
  readonly busy = new BusyState();
  private readonly opts: AgentServiceOptions;
  private readonly log: Logger;
  private readonly sessions: SessionPool;
  private closing = false;

  constructor(options: AgentServiceOptions) {
    this.opts = options;
    this.log = options.logger ?? silentLogger;
    const store = options.sessionStore
      ? new SessionStore(options.sessionStore, options.settings.defaultRegion)
      : undefined;
    this.sessions = new SessionPool({
      createAgent: (id, onCall) => this.newAgent(id, onCall, store),
      ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
      ...(options.busyWaitMs !== undefined ? { busyWaitMs: options.busyWaitMs } : {}),
    });
  }

  private newAgent(id: string, onCall: (record: ToolRecord) => void, store: SessionStore | undefined) {
    const sessionManager = store?.managerFor(id);
    return createAgent({
      model: this.opts.createModel(),
      tool: createControlledUseAws({
        credentials: this.opts.credentials,
        caller: this.opts.caller,
        onCall,
        ...(this.opts.denyActions ? { denyActions: this.opts.denyActions } : {}),
        ...(this.opts.accounts ? { accounts: this.opts.accounts } : {}),
        ...(this.opts.scopeFor ? { scopeFor: this.opts.scopeFor } : {}),
      }),
      settings: this.opts.settings,
      ...(this.opts.accounts ? { accounts: promptAccounts(this.opts.accounts.config) } : {}),
      ...(sessionManager ? { sessionManager } : {}),
      ...(this.opts.retryStrategy ? { retryStrategy: this.opts.retryStrategy() } : {}),
    });
  }

  /**
   * Runs one invocation; yields text, tool_start and tool_end events (the ends of one model turn's
   * calls in the order they finish), then done or error. Never throws.
   */
  async *invoke(sessionId: string, request: InvocationRequest, signal?: AbortSignal): AsyncGenerator<AgentEvent> {
    const started = Date.now();
    const ref = newRef();
    const log = this.log.child({ ref, session: storageSessionId(sessionId).slice(0, 16) });
    const toolCalls: ToolCallSummary[] = [];
    let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let outcome = 'ok';
    let answerChars = 0;
    if (this.closing) {
      yield { type: 'error', code: FAILURES.restarting.code, message: userMessage(FAILURES.restarting, ref), ref };
      return;
    }
    this.busy.enter();
    let session: Session | undefined;
    let acquired = false;
    // this invocation's own time limit: its firing, not an error's name, is what makes a `timeout`
    let timeout: AbortSignal | undefined;
    try {
      session = this.sessions.get(sessionId);
      await this.sessions.acquire(session);
      acquired = true;
      const ended: AgentEvent[] = [];
      const endedIds = new Set<string>();
      const end = (summary: ToolCallSummary) => {
        endedIds.add(summary.id);
        toolCalls.push(summary);
        ended.push(toolEnd(summary));
      };
      session.sink = (record) => end(toolCallSummary(record));
      timeout = AbortSignal.timeout(this.opts.invocationTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS);
      const cancel = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const stream = session.agent.stream(request.prompt, {
        invocationState: request.asker ? { asker: { ...request.asker } } : {},
        cancelSignal: cancel,
        limits: { turns: this.opts.settings.maxTurns },
      });
      let step = await nextOrAbort(stream, cancel);
      while (!step.done) {
        // calls that ended while this event was awaited come first
        while (ended.length) yield ended.shift() as AgentEvent;
        const region = this.opts.settings.defaultRegion;
        const unresolved = unresolvedCallEnd(step.value, region);
        if (unresolved && !endedIds.has(unresolved.id)) end(unresolved);
        while (ended.length) yield ended.shift() as AgentEvent;
        const ev = fromStreamEvent(step.value, region);
        if (ev?.type === 'text') answerChars += ev.text.length;
        if (ev) yield ev;
        step = await nextOrAbort(stream, cancel);
      }
      while (ended.length) yield ended.shift() as AgentEvent;
      if (timeout.aborted) throw named('TimeoutError', 'invocation timed out');
      if (signal?.aborted) throw named('AbortError', 'cancelled by the caller');
      // this answer's model calls (the agent's `accumulatedUsage` counts every answer of the thread)
      const u = step.value.metrics?.latestAgentInvocation?.usage;
      if (u) usage = usageOf(u);
      yield { type: 'done', usage, toolCalls, durationMs: Date.now() - started };
    } catch (e) {
      const timedOut = timeout?.aborted === true;
      if (session && (signal?.aborted || timedOut)) {
        // The agent may still be mid-turn: cancel it and give this thread a fresh agent next time
        // (reloaded from the session store when there is one) rather than risk a corrupt conversation.
        session.agent.cancel();
        this.sessions.drop(session);
      }
      const failure = describeFailure(e, this.opts.settings, {
        timedOut,
        cancelledByCaller: signal?.aborted === true && !timedOut,
      });
      outcome = failure.code;
      log.error('invocation failed', { code: failure.code, error: e });
      yield { type: 'error', code: failure.code, message: userMessage(failure, ref), ref };
    } finally {
      if (session) session.sink = undefined;
      if (session && acquired) this.sessions.release(session);
      this.busy.leave();
      log.info('invocation', {
        asker: request.asker ?? null,
        promptChars: request.prompt.length,
        ...(this.opts.logPrompts ? { prompt: request.prompt } : {}),
        answerChars,
        toolCalls: toolCalls.map(callForLog),
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
    while (this.busy.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
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

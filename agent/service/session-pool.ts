/**
 * The sessions in memory: one Strands Agent per runtime session, the least recently used idle ones
 * dropped beyond a limit, and a lock per session. Invocations of one session run one at a time: a
 * second one waits up to `busyWaitMs` for the first, then fails with BusyError; different sessions run
 * in parallel.
 */
import type { Agent } from '@strands-agents/sdk';
import type { ToolRecord } from './events.ts';

/** The session's earlier invocation did not finish within the wait. */
export class BusyError extends Error {
  override name = 'BusyError';
}

export interface Session {
  readonly id: string;
  readonly agent: Agent;
  /** Where the current invocation's tool records go. */
  sink: ((record: ToolRecord) => void) | undefined;
}

interface Slot extends Session {
  busy: boolean;
  readonly waiters: (() => void)[];
  lastUsed: number;
}

export interface SessionPoolOptions {
  /** A new session's agent; its tool reports each call to `onCall`. */
  readonly createAgent: (sessionId: string, onCall: (record: ToolRecord) => void) => Agent;
  /** Sessions kept; the least recently used idle ones are dropped beyond it. Default 200. */
  readonly maxSessions?: number;
  /** How long a second invocation of a busy session waits. Default 30 s. */
  readonly busyWaitMs?: number;
}

export class SessionPool {
  private readonly slots = new Map<string, Slot>();
  private readonly opts: SessionPoolOptions;

  constructor(options: SessionPoolOptions) {
    this.opts = options;
  }

  /** The session, made (with a new agent) if it is not in memory. */
  get(id: string): Session {
    const existing = this.slots.get(id);
    if (existing) return existing;
    const holder: { slot?: Slot } = {};
    const agent = this.opts.createAgent(id, (record) => holder.slot?.sink?.(record));
    const slot: Slot = { id, agent, sink: undefined, busy: false, waiters: [], lastUsed: Date.now() };
    holder.slot = slot;
    this.slots.set(id, slot);
    this.evictIdle();
    return slot;
  }

  /** Takes the session's lock, waiting for an invocation that holds it; throws BusyError when the wait runs out. */
  async acquire(session: Session): Promise<void> {
    const s = this.slot(session);
    if (!s.busy) {
      s.busy = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = s.waiters.indexOf(go);
        if (i >= 0) s.waiters.splice(i, 1);
        reject(new BusyError('session busy'));
      }, this.opts.busyWaitMs ?? 30_000);
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      s.waiters.push(go);
    });
  }

  /** Hands the lock to the next waiting invocation, or frees it. */
  release(session: Session): void {
    const s = this.slot(session);
    s.lastUsed = Date.now();
    const next = s.waiters.shift();
    if (next) next();
    else s.busy = false;
  }

  /** Forgets the session (if it is still the one in memory): its next invocation gets a fresh agent. */
  drop(session: Session): void {
    if (this.slots.get(session.id) === session) this.slots.delete(session.id);
  }

  private slot(session: Session): Slot {
    return session as Slot;
  }

  private evictIdle(): void {
    const max = this.opts.maxSessions ?? 200;
    if (this.slots.size <= max) return;
    const idle = [...this.slots.values()].filter((s) => !s.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const s of idle) {
      if (this.slots.size <= max) break;
      this.slots.delete(s.id);
    }
  }
}

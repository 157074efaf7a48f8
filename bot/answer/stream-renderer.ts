/**
 * Streaming: each AWS call is a task in the message's timeline (in progress → done), keyed by its id;
 * the answer text streams under the tasks. What is waiting to be shown is batched into as few
 * chat.appendStream calls as the interval and the workspace's shared budget allow.
 *
 * Every path closes what it opened:
 * - a message is stopped before Slack ends it (streams expire after about five minutes): at
 *   `rolloverMs` the stream is stopped and the answer goes on in a new message, open tasks with it;
 * - tasks still open when the answer ends (an error, a timeout) are marked as errors, so no spinner
 *   stays in the final message;
 * - a stream that fails is stopped best-effort (its open tasks marked as errors) and the rest of the
 *   answer is posted and updated instead (UpdateRenderer);
 * - the user pressing Stop (`stopped_by_user`) ends the answer: `onStoppedByUser` is called and nothing
 *   more is sent.
 *
 * Each task carries console links to what its call reads (`sources`, bot/sources.ts); the last message is
 * stopped with the feedback buttons at its bottom (chat.stopStream's `blocks`, "rendered at the bottom of
 * the finalized message": https://docs.slack.dev/reference/methods/chat.stopStream).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../common/log.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import type { FeedbackBlock } from '../feedback.ts';
import { MAX_MESSAGE_CHARS, splitOnce, taskOutput, taskTitle } from '../format.ts';
import { sourcesFor, type UrlSource } from '../sources.ts';
import { type Renderer, slackError, type Thread, withFeedback } from './renderer.ts';
import type { SlackBudget } from './slack-budget.ts';
import { SlackStream, type StreamChunk, type TaskChunk } from './slack-stream.ts';
import { type CallLine, UpdateRenderer } from './update-renderer.ts';

export interface StreamRendererOptions {
  readonly client: WebClient;
  readonly thread: Thread;
  /** Least time between two appends of streamed text. */
  readonly intervalMs: number;
  /** For the post-and-update fallback. */
  readonly updateIntervalMs: number;
  /** Age at which a streamed message is stopped and the answer goes on in a new one. */
  readonly rolloverMs: number;
  readonly budget: SlackBudget;
  readonly logger: Logger;
  readonly onFirstUpdate: () => void;
  /** The user pressed Stop: the answer must end, and nothing more be sent. */
  readonly onStoppedByUser: () => void;
}

/** Room kept in each message for the line that says it goes on below. */
const CONTINUED = '\n\n_…(continued below)_';
const ROOM = MAX_MESSAGE_CHARS - CONTINUED.length;
/** The shortest piece of text worth starting or ending a message with. */
const MIN_PIECE = 200;

const taskChunk = (
  id: string,
  title: string,
  status: TaskChunk['status'],
  output?: string,
  sources: readonly UrlSource[] = [],
): TaskChunk => ({
  type: 'task_update',
  id,
  title,
  status,
  ...(output ? { output } : {}),
  ...(sources.length ? { sources: [...sources] } : {}),
});

export class StreamRenderer implements Renderer {
  private stream?: SlackStream;
  /** Chunks not sent yet, in order; text runs merged. */
  private pending: StreamChunk[] = [];
  private readonly tasks = new Map<string, CallLine>();
  private lastFlush = 0;
  private timer?: NodeJS.Timeout;
  private rolloverTimer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private fallback?: UpdateRenderer;
  /** Set when even the fallback could not post: the answer cannot be shown, so it ends. */
  private broken?: unknown;
  private stopped = false;
  private shown = false;
  /** The buttons the last message is stopped with (set by `finish`). */
  private feedback?: FeedbackBlock;
  private readonly o: StreamRendererOptions;

  constructor(o: StreamRendererOptions) {
    this.o = o;
  }

  async callStarted(id: string, title: string, sources: readonly UrlSource[] = []): Promise<void> {
    if (this.stopped) return;
    if (this.broken) throw this.broken;
    this.tasks.set(id, { title, sources });
    if (this.fallback) return this.fallback.callStarted(id, title, sources);
    this.queueTask(taskChunk(id, title, 'in_progress', undefined, sources));
    this.schedule(0);
  }

  async callEnded(id: string, call: ToolCallSummary): Promise<void> {
    if (this.stopped) return;
    if (this.broken) throw this.broken;
    const started = this.tasks.get(id);
    const title = started?.title ?? taskTitle(call);
    const sources = started?.sources ?? sourcesFor(call);
    this.tasks.set(id, { title, sources, ended: call });
    if (this.fallback) return this.fallback.callEnded(id, call);
    this.queueTask(taskChunk(id, title, call.ok ? 'complete' : 'error', taskOutput(call), sources));
    this.schedule(0);
  }

  async text(delta: string): Promise<void> {
    if (this.stopped) return;
    if (this.broken) throw this.broken;
    if (this.fallback) return this.fallback.text(delta);
    this.queueText(delta);
    this.schedule(Math.max(0, this.lastFlush + this.o.intervalMs - Date.now()));
  }

  async finish(tail: string, feedback?: FeedbackBlock): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.feedback = feedback;
    try {
      await this.chain;
      if (this.stopped) return;
      if (this.fallback) return await this.fallback.finish(tail, feedback);
      const opening = !this.stream && !this.pending.some((c) => c.type === 'markdown_text');
      this.queueText(opening ? tail.trim() || '_(no answer)_' : tail);
      // whatever is still open did not finish: no spinner may stay in the final message
      for (const chunk of this.openTasks('error', 'did not finish')) this.queueTask(chunk);
      await this.enqueue(() => this.deliver(true));
      // the stream failed on the way: the fallback carries everything that was not shown, the tail too
      if (this.fallback && !this.stopped) await (this.fallback as UpdateRenderer).finish('', feedback);
    } finally {
      clearTimeout(this.rolloverTimer);
    }
  }

  // ------------------------------------------------------------------ queueing

  private queueText(text: string): void {
    if (!text) return;
    const last = this.pending.at(-1);
    if (last?.type === 'markdown_text') this.pending[this.pending.length - 1] = { ...last, text: last.text + text };
    else this.pending.push({ type: 'markdown_text', text });
  }

  /** Task updates are kept in order (a batch may carry a task's start and its end). */
  private queueTask(chunk: TaskChunk): void {
    this.pending.push(chunk);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.deliver(false));
    }, delayMs);
  }

  /** Runs Slack calls one after another, so they never overtake each other; the caller gets the outcome. */
  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch((e: unknown) => {
      this.o.logger.warn('could not show the answer', { error: slackError(e) });
    });
    return run;
  }

  // ------------------------------------------------------------------ delivery

  /** Takes the pending chunks that fit in `room` characters (a text split at a paragraph if need be). */
  private takeFitting(room: number): StreamChunk[] {
    const batch: StreamChunk[] = [];
    let left = room;
    while (this.pending.length) {
      const c = this.pending[0] as StreamChunk;
      if (c.type !== 'markdown_text' || c.text.length <= left) {
        batch.push(c);
        this.pending.shift();
        if (c.type === 'markdown_text') left -= c.text.length;
        continue;
      }
      // too little room for a useful piece: the rest goes in the next message
      if (left < MIN_PIECE && (batch.length || this.stream?.chars)) break;
      const [head, rest] = splitOnce(c.text, Math.max(left, MIN_PIECE));
      batch.push({ type: 'markdown_text', text: head });
      if (rest) this.pending[0] = { type: 'markdown_text', text: rest };
      else this.pending.shift();
      break;
    }
    return batch;
  }

  /**
   * Sends what is pending: starts a message if none is open, appends (within the budget), rolls over to a
   * new message when the current one is full or old; `final` stops the last message.
   */
  private async deliver(final: boolean): Promise<void> {
    if (this.stopped || this.fallback) return;
    let batch: StreamChunk[] = [];
    try {
      for (;;) {
        if (this.stream && this.stream.age() >= this.o.rolloverMs) await this.rollover();
        if (!this.pending.length) break;
        // the budget first: what arrives while waiting goes in the same call
        if (this.stream) await this.o.budget.take(this.o.thread.teamId, 'chat.appendStream');
        if (this.stopped) return;
        // the wait may have been long: never append to a stream Slack is about to end
        if (this.stream && this.stream.age() >= this.o.rolloverMs) await this.rollover();
        batch = this.takeFitting(ROOM - (this.stream?.chars ?? 0));
        if (!batch.length) {
          await this.rollover();
          continue;
        }
        this.lastFlush = Date.now();
        if (final && !this.pending.length && this.stream) {
          await this.stopLast(this.stream, batch);
          this.stream = undefined;
          return;
        }
        await this.send(batch);
        batch = [];
      }
      if (final && this.stream) {
        // everything is shown; a failure here leaves a finished text in a message Slack still streams
        const stream = this.stream;
        this.stream = undefined;
        await this.stopLast(stream, []).catch((e: unknown) =>
          this.o.logger.warn('could not stop the stream', { error: slackError(e) }),
        );
      }
    } catch (e) {
      await this.failed(e, batch);
    }
  }

  /** Stops the answer's last message with `chunks`, the feedback buttons at its bottom. */
  private async stopLast(stream: SlackStream, chunks: StreamChunk[]): Promise<void> {
    await withFeedback(
      this.feedback,
      (f) => stream.stop(chunks, f ? [f] : []),
      (error) => this.o.logger.warn('Slack refused the feedback buttons', { error }),
    );
  }

  private async send(batch: StreamChunk[]): Promise<void> {
    const opening = !this.stream;
    this.stream ??= new SlackStream(this.o.client, this.o.thread);
    await this.stream.send(batch);
    if (!opening) return;
    clearTimeout(this.rolloverTimer);
    // an idle stream rolls over too, before Slack ends it
    this.rolloverTimer = setTimeout(() => void this.enqueue(() => this.deliver(false)), this.o.rolloverMs);
    if (!this.shown) this.o.onFirstUpdate();
    this.shown = true;
  }

  /** The tasks not ended yet, as chunks with `status`. */
  private openTasks(status: TaskChunk['status'], output: string): TaskChunk[] {
    return [...this.tasks]
      .filter(([, t]) => !t.ended)
      .map(([id, t]) => taskChunk(id, t.title, status, output, t.sources));
  }

  /** Stops the current message with a line saying the answer goes on; open tasks go on in the next one. */
  private async rollover(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    clearTimeout(this.rolloverTimer);
    const more: StreamChunk = { type: 'markdown_text', text: CONTINUED };
    await stream.stop([more, ...this.openTasks('complete', 'continued below')]);
    const open = this.openTasks('in_progress', '');
    if (!open.length) return;
    const reopened = new Set(open.map((t) => t.id));
    this.pending = [...open, ...this.pending.filter((c) => c.type !== 'task_update' || !reopened.has(c.id))];
    // a task is still running: the next message opens at once, so it never drops out of sight
    const first = this.takeFitting(ROOM);
    try {
      await this.send(first);
    } catch (e) {
      this.pending.unshift(...first);
      throw e;
    }
  }

  /** A Slack call failed: the user's Stop, or a stream that is gone or refused. */
  private async failed(e: unknown, batch: StreamChunk[]): Promise<void> {
    const error = slackError(e);
    clearTimeout(this.rolloverTimer);
    if (error === 'stopped_by_user') {
      this.o.logger.info('the user stopped the answer', {});
      this.stopped = true;
      this.pending = [];
      this.stream = undefined;
      clearTimeout(this.timer);
      this.o.onStoppedByUser();
      return;
    }
    this.o.logger.warn('streaming failed, posting and updating instead', { error });
    const unsent = [...batch, ...this.pending];
    this.pending = [];
    // best-effort: close what was opened, its open tasks as errors
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stopQuietly(this.openTasks('error', 'interrupted'));
    const text = unsent.map((c) => (c.type === 'markdown_text' ? c.text : '')).join('');
    const { client, thread, updateIntervalMs: intervalMs, budget, logger, onFirstUpdate } = this.o;
    this.fallback = new UpdateRenderer(
      { client, thread, intervalMs, budget, logger, onFirstUpdate },
      { text, calls: this.tasks },
    );
    try {
      await this.fallback.start();
    } catch (err) {
      this.broken = err;
      throw err;
    }
  }
}

/**
 * Post-and-update: posts a message and keeps editing it with chat.update, at most every interval and
 * within the workspace's shared budget (Tier 3); the calls are lines above the text while the answer is
 * written. Long answers are split over several messages at the end.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../common/log.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import type { FeedbackBlock } from '../feedback.ts';
import { MAX_MESSAGE_CHARS, splitMarkdown, taskOutput, taskTitle } from '../format.ts';
import type { UrlSource } from '../sources.ts';
import { markdownBlocks, preview, type Renderer, type Thread, withFeedback } from './renderer.ts';
import type { SlackBudget } from './slack-budget.ts';

export interface UpdateRendererOptions {
  readonly client: WebClient;
  readonly thread: Thread;
  /** Least time between two chat.update calls. */
  readonly intervalMs: number;
  readonly budget: SlackBudget;
  readonly logger: Logger;
  readonly onFirstUpdate: () => void;
}

/** An AWS call as the message shows it. */
export interface CallLine {
  readonly title: string;
  /** Console links to what the call reads (shown on streamed tasks). */
  readonly sources?: readonly UrlSource[];
  /** Set once the call has ended. */
  readonly ended?: ToolCallSummary;
}

/** What a stream that failed hands on: its undelivered text and the calls it was showing. */
export interface Carried {
  readonly text?: string;
  readonly calls?: ReadonlyMap<string, CallLine>;
}

const callLine = ({ title, ended }: CallLine): string =>
  ended
    ? `${ended.ok ? ':white_check_mark:' : ':x:'} ${title} (${taskOutput(ended)})`
    : `:hourglass_flowing_sand: ${title}`;

export class UpdateRenderer implements Renderer {
  private ts?: string;
  private readonly calls: Map<string, CallLine>;
  private answer: string;
  private lastUpdate = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  /** Something changed while an update was under way. */
  private dirty = false;
  private finishing = false;
  private readonly o: UpdateRendererOptions;

  constructor(o: UpdateRendererOptions, carried: Carried = {}) {
    this.o = o;
    this.answer = carried.text ?? '';
    this.calls = new Map(carried.calls ?? []);
  }

  private body(working: boolean): string {
    const lines = [...this.calls.values()].map(callLine);
    const status = working && lines.length ? `${lines.join('\n')}\n\n` : '';
    const text = this.answer || (working ? '_Looking into it…_' : '');
    const full = `${status}${text}`;
    return full.length > MAX_MESSAGE_CHARS ? `${full.slice(0, MAX_MESSAGE_CHARS - 20)}\n\n_…(continued)_` : full;
  }

  private async post(text: string, feedback?: FeedbackBlock): Promise<string> {
    const { channelId, threadTs } = this.o.thread;
    const r = await this.o.client.chat.postMessage({
      channel: channelId,
      thread_ts: threadTs,
      text: preview(text),
      blocks: markdownBlocks(text, feedback) as never,
    });
    this.o.onFirstUpdate();
    return r.ts as string;
  }

  private async edit(ts: string, text: () => string, feedback?: FeedbackBlock): Promise<void> {
    await this.o.budget.take(this.o.thread.teamId, 'chat.update');
    // the text is taken once the budget allows the call, so it is as fresh as it can be
    const body = text();
    await this.o.client.chat.update({
      channel: this.o.thread.channelId,
      ts,
      text: preview(body),
      blocks: markdownBlocks(body, feedback) as never,
    });
  }

  private async update(working: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastUpdate = Date.now();
    if (!this.ts) this.ts = await this.post(this.body(working));
    else await this.edit(this.ts, () => this.body(working));
  }

  /** Runs one update; a change that came meanwhile gets the next one. */
  private run(): Promise<void> {
    const p = this.update(true).finally(() => {
      this.inFlight = undefined;
      if (!this.dirty) return;
      this.dirty = false;
      // ending: what changed meanwhile is still shown once (the ending waits for it), whatever the interval
      if (this.finishing) this.run().catch(() => {});
      else this.touch().catch(() => {});
    });
    this.inFlight = p;
    return p;
  }

  /**
   * Shows the change: the first post at once (its failure is the caller's); then an edit now if the
   * interval has passed, else once it has, and while one is under way (waiting for the budget), after it.
   */
  private touch(): Promise<void> {
    if (this.finishing) return Promise.resolve();
    if (this.inFlight) {
      this.dirty = true;
      return Promise.resolve();
    }
    if (!this.ts) return this.run();
    const wait = this.o.intervalMs - (Date.now() - this.lastUpdate);
    if (wait <= 0) {
      // not awaited: the answer goes on while the edit waits for the budget; the ending reports failures
      this.run().catch(() => {});
      return Promise.resolve();
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.run().catch(() => {});
    }, wait);
    return Promise.resolve();
  }

  /** Posts the message at once (a stream that failed: the asker sees that the answer goes on). */
  async start(): Promise<void> {
    await this.update(true);
  }

  async callStarted(id: string, title: string, sources?: readonly UrlSource[]): Promise<void> {
    this.calls.set(id, { title, ...(sources?.length ? { sources } : {}) });
    await this.touch();
  }

  async callEnded(id: string, call: ToolCallSummary): Promise<void> {
    this.calls.set(id, { ...this.calls.get(id), title: this.calls.get(id)?.title ?? taskTitle(call), ended: call });
    await this.touch();
  }

  async text(delta: string): Promise<void> {
    this.answer += delta;
    await this.touch();
  }

  /** The last message of the answer carries the feedback buttons. */
  async finish(tail: string, feedback?: FeedbackBlock): Promise<void> {
    this.finishing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight.catch(() => {});
    const parts = splitMarkdown(`${this.answer}${tail}`.trim());
    const refused = (error: string) => this.o.logger.warn('Slack refused the feedback buttons', { error });
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1 ? feedback : undefined;
      if (i === 0 && this.ts) {
        const ts = this.ts;
        await withFeedback(last, (f) => this.edit(ts, () => part, f), refused);
      } else {
        await withFeedback(
          last,
          async (f) => {
            const ts = await this.post(part, f);
            if (i === 0) this.ts = ts;
          },
          refused,
        );
      }
    }
  }
}

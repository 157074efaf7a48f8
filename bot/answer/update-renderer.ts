/**
 * Post-and-update: posts a message and keeps editing it with chat.update, at most every interval
 * (Tier 3); the calls are lines above the text while the answer is written. Long answers are split
 * over several messages at the end.
 */
import type { WebClient } from '@slack/web-api';
import type { ToolCallSummary } from '../../common/protocol.ts';
import { MAX_MESSAGE_CHARS, splitMarkdown, taskOutput, taskTitle } from '../format.ts';
import { markdownBlocks, preview, type Renderer, type Thread } from './renderer.ts';

export interface UpdateRendererOptions {
  readonly client: WebClient;
  readonly thread: Thread;
  /** Least time between two chat.update calls. */
  readonly intervalMs: number;
  readonly onFirstUpdate: () => void;
}

interface Call {
  readonly title: string;
  /** Set once the call has ended. */
  readonly ended?: ToolCallSummary;
}

const callLine = ({ title, ended }: Call): string =>
  ended
    ? `${ended.ok ? ':white_check_mark:' : ':x:'} ${title} (${taskOutput(ended)})`
    : `:hourglass_flowing_sand: ${title}`;

export class UpdateRenderer implements Renderer {
  private ts?: string;
  private readonly calls = new Map<string, Call>();
  private answer: string;
  private lastUpdate = 0;
  private timer?: NodeJS.Timeout;
  private pending?: Promise<void>;
  private readonly o: UpdateRendererOptions;

  /** `carried`: text already written elsewhere but not delivered (a stream that failed). */
  constructor(o: UpdateRendererOptions, carried = '') {
    this.o = o;
    this.answer = carried;
  }

  private body(working: boolean): string {
    const lines = [...this.calls.values()].map(callLine);
    const status = working && lines.length ? `${lines.join('\n')}\n\n` : '';
    const text = this.answer || (working ? '_Looking into it…_' : '');
    const full = `${status}${text}`;
    return full.length > MAX_MESSAGE_CHARS ? `${full.slice(0, MAX_MESSAGE_CHARS - 20)}\n\n_…(continued)_` : full;
  }

  private async post(text: string): Promise<string> {
    const { channelId, threadTs } = this.o.thread;
    const r = await this.o.client.chat.postMessage({
      channel: channelId,
      thread_ts: threadTs,
      text: preview(text),
      blocks: markdownBlocks(text) as never,
    });
    this.o.onFirstUpdate();
    return r.ts as string;
  }

  private async edit(ts: string, text: string): Promise<void> {
    await this.o.client.chat.update({
      channel: this.o.thread.channelId,
      ts,
      text: preview(text),
      blocks: markdownBlocks(text) as never,
    });
  }

  private async update(working: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastUpdate = Date.now();
    const text = this.body(working);
    if (!this.ts) this.ts = await this.post(text);
    else await this.edit(this.ts, text);
  }

  /** Updates now if the interval has passed, else once it has. */
  private touch(): Promise<void> {
    const wait = this.ts ? this.o.intervalMs - (Date.now() - this.lastUpdate) : 0;
    if (wait <= 0) {
      this.pending = this.update(true);
      return this.pending;
    }
    this.timer ??= setTimeout(() => {
      this.pending = this.update(true).catch(() => {});
    }, wait);
    return Promise.resolve();
  }

  /** Posts the message at once (a stream that failed: the asker sees that the answer goes on). */
  async start(): Promise<void> {
    await this.update(true);
  }

  async callStarted(id: string, title: string): Promise<void> {
    this.calls.set(id, { title });
    await this.touch();
  }

  async callEnded(id: string, call: ToolCallSummary): Promise<void> {
    this.calls.set(id, { title: this.calls.get(id)?.title ?? taskTitle(call), ended: call });
    await this.touch();
  }

  async text(delta: string): Promise<void> {
    this.answer += delta;
    await this.touch();
  }

  async finish(tail: string): Promise<void> {
    clearTimeout(this.timer);
    await this.pending?.catch(() => {});
    const [first = '', ...rest] = splitMarkdown(`${this.answer}${tail}`.trim());
    if (!this.ts) this.ts = await this.post(first);
    else await this.edit(this.ts, first);
    for (const p of rest) await this.post(p);
  }
}

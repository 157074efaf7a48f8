/**
 * Streaming: chat.startStream / appendStream / stopStream. Each AWS call is a task in the message's
 * timeline (in progress → done), keyed by its id; the answer text streams under the tasks, throttled.
 * Where streaming is unavailable or the stream closes, the rest goes through an UpdateRenderer.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../common/log.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import { MAX_MESSAGE_CHARS, splitMarkdown, taskOutput, taskTitle } from '../format.ts';
import { type Renderer, slackError, type Thread } from './renderer.ts';
import { UpdateRenderer } from './update-renderer.ts';

export interface StreamRendererOptions {
  readonly client: WebClient;
  readonly thread: Thread;
  /** Least time between two appends of streamed text. */
  readonly intervalMs: number;
  /** For the post-and-update fallback. */
  readonly updateIntervalMs: number;
  readonly logger: Logger;
  readonly onFirstUpdate: () => void;
}

type Streamer = ReturnType<WebClient['chatStream']>;
type AppendArgs = Parameters<Streamer['append']>[0];

export class StreamRenderer implements Renderer {
  private streamer?: Streamer;
  private streamChars = 0;
  private pendingText = '';
  private lastFlush = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private fallback?: UpdateRenderer;
  /** Task titles by call id, as their starts gave them. */
  private readonly tasks = new Map<string, string>();
  private readonly o: StreamRendererOptions;

  constructor(o: StreamRendererOptions) {
    this.o = o;
  }

  private newStreamer(): Streamer {
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
    const { client, thread, updateIntervalMs: intervalMs, onFirstUpdate } = this.o;
    this.fallback = new UpdateRenderer({ client, thread, intervalMs, onFirstUpdate }, undelivered);
    this.streamer = undefined;
    await this.fallback.start();
  }

  private async append(args: AppendArgs, text = ''): Promise<void> {
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
    const title = this.tasks.get(id) ?? taskTitle(call);
    await this.enqueue(async () => {
      if (this.fallback) return this.fallback.callEnded(id, call);
      const status = call.ok ? 'complete' : 'error';
      await this.append({ chunks: [{ type: 'task_update', id, title, status, output: taskOutput(call) }] });
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
      await this.fallback?.finish(tail);
    });
  }
}

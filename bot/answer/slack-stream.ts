/**
 * One streamed Slack message: chat.startStream, chat.appendStream, chat.stopStream, called directly so
 * the caller knows the message's age and size, and can stop it best-effort after a failure.
 *
 * The recipient ids are always sent (Slack requires them outside DMs and Bolt's own sayStream always
 * sends them): https://docs.slack.dev/reference/methods/chat.startStream. The team is the one "the user
 * receiving the streaming text belongs to": the asker's own, in a channel shared with another organisation.
 */
import type { ChatAppendStreamArguments, ChatStopStreamArguments, WebClient } from '@slack/web-api';
import type { Thread } from './renderer.ts';

export type StreamChunk = NonNullable<ChatAppendStreamArguments['chunks']>[number];
export type TaskChunk = Extract<StreamChunk, { type: 'task_update' }>;
/** Blocks rendered at the bottom of the finished message (https://docs.slack.dev/reference/methods/chat.stopStream). */
export type StopBlocks = NonNullable<ChatStopStreamArguments['blocks']>;

/** The markdown characters in some chunks. */
export const textLength = (chunks: readonly StreamChunk[]): number =>
  chunks.reduce((n, c) => n + (c.type === 'markdown_text' ? c.text.length : 0), 0);

export class SlackStream {
  private ts?: string;
  private startedAt = 0;
  private sent = 0;
  private readonly client: WebClient;
  private readonly thread: Thread;

  constructor(client: WebClient, thread: Thread) {
    this.client = client;
    this.thread = thread;
  }

  /** Whether chat.startStream has succeeded. */
  get started(): boolean {
    return this.ts !== undefined;
  }

  /** Markdown characters in the message so far. */
  get chars(): number {
    return this.sent;
  }

  /** Milliseconds since the stream was started (0 before). */
  age(now = Date.now()): number {
    return this.startedAt ? now - this.startedAt : 0;
  }

  /** Starts the message with `chunks`, or appends them to it. */
  async send(chunks: StreamChunk[]): Promise<void> {
    const t = this.thread;
    if (!this.ts) {
      // counted from before the call: never later than Slack's own clock for the stream
      const at = Date.now();
      const r = await this.client.chat.startStream({
        channel: t.channelId,
        thread_ts: t.threadTs,
        recipient_team_id: t.userTeamId ?? t.teamId,
        recipient_user_id: t.userId,
        task_display_mode: 'timeline',
        chunks,
      });
      this.ts = r.ts as string;
      this.startedAt = at;
    } else {
      await this.client.chat.appendStream({ channel: t.channelId, ts: this.ts, chunks });
    }
    this.sent += textLength(chunks);
  }

  /** Stops the message, with `chunks` as its last content and `blocks` at its bottom. */
  async stop(chunks: StreamChunk[] = [], blocks: StopBlocks = []): Promise<void> {
    if (!this.ts) return;
    await this.client.chat.stopStream({
      channel: this.thread.channelId,
      ts: this.ts,
      ...(chunks.length ? { chunks } : {}),
      ...(blocks.length ? { blocks } : {}),
    });
    this.sent += textLength(chunks);
    this.ts = undefined;
  }

  /** Stops the message if it was started, ignoring failures (it may already be closed). */
  async stopQuietly(chunks: StreamChunk[] = []): Promise<unknown> {
    try {
      await this.stop(chunks);
      return undefined;
    } catch (e) {
      this.ts = undefined;
      return e;
    }
  }
}

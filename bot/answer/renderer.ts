/**
 * What every way of showing an answer in Slack does (`Renderer`), where the answer goes (`Thread`),
 * and the small helpers the renderers share.
 */
import type { ToolCallSummary } from '../../common/protocol.ts';
import type { FeedbackBlock } from '../feedback.ts';
import { mrkdwnText } from '../slack-text.ts';
import type { UrlSource } from '../sources.ts';

export interface Thread {
  /** The workspace the bot is installed in. */
  readonly teamId: string;
  /** The asker's own workspace, where it is another one. */
  readonly userTeamId?: string;
  readonly channelId: string;
  /** The thread the answer goes in (the question's own ts when it starts one). */
  readonly threadTs: string;
  readonly userId: string;
  /** A DM (the app's Messages tab) rather than a channel. */
  readonly isDm: boolean;
}

/**
 * Shows one answer while it is written. AWS calls are keyed by the agent's tool-use id: the calls of
 * one model turn run concurrently, so their ends can come in any order.
 */
export interface Renderer {
  /** Call `id` started, shown as `title`, with console links to what it reads (where tasks show them). */
  callStarted(id: string, title: string, sources?: readonly UrlSource[]): Promise<void>;
  /** Call `id` ended; shown under the title its start gave it. */
  callEnded(id: string, call: ToolCallSummary): Promise<void>;
  /** A delta of the answer text. */
  text(delta: string): Promise<void>;
  /**
   * Ends the answer with `tail` (the footer or an error notice) and the `feedback` buttons under its last
   * message. Calls still open are shown as not finished; whatever was opened in Slack is closed.
   */
  finish(tail: string, feedback?: FeedbackBlock): Promise<void>;
}

/** A Slack Web API error as its error code (`not_in_channel`, …), else the message. */
export const slackError = (e: unknown): string =>
  (e as { data?: { error?: string } }).data?.error ?? (e as Error).message ?? String(e);

/** A message's blocks: one markdown block, and the feedback buttons when the message ends the answer. */
export function markdownBlocks(
  text: string,
  feedback?: FeedbackBlock,
): ({ type: 'markdown'; text: string } | FeedbackBlock)[] {
  return feedback ? [{ type: 'markdown', text }, feedback] : [{ type: 'markdown', text }];
}

/**
 * Sends the end of an answer with its feedback buttons; if Slack refuses the blocks (`invalid_blocks`), sends
 * it once more without them: the answer matters more than the buttons.
 */
export async function withFeedback(
  feedback: FeedbackBlock | undefined,
  send: (feedback: FeedbackBlock | undefined) => Promise<void>,
  onRefused: (error: string) => void,
): Promise<void> {
  if (!feedback) return send(undefined);
  try {
    await send(feedback);
  } catch (e) {
    const error = slackError(e);
    if (error !== 'invalid_blocks') throw e;
    onRefused(error);
    await send(undefined);
  }
}

/**
 * A message's plain `text` (notifications, screen readers): the Markdown without its marks, as mrkdwn. Its code
 * marks are gone, so what was code is neutralised too (bot/slack-text.ts).
 */
export const preview = (text: string): string =>
  mrkdwnText(
    text
      .replace(/[*_`>#|~]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 150),
  ) || 'aws-ask';

/**
 * A slash command's answer where the bot cannot post in the channel: collected, then sent back
 * privately through the command's `respond()` (its response_url), split within Slack's limits.
 *
 * Each part goes as a `markdown` block with its plain text, the last one with the feedback buttons; if Slack
 * refuses that, the part is sent once more as plain `text` alone (mrkdwn, so neutralised and escaped whole,
 * code included: bot/slack-text.ts), so a block Slack will not take never costs the asker the answer.
 */
import type { Logger } from '../../common/log.ts';
import type { FeedbackBlock } from '../feedback.ts';
import { splitMarkdown } from '../format.ts';
import { mrkdwnText } from '../slack-text.ts';
import { markdownBlocks, preview, type Renderer } from './renderer.ts';

export type RespondFn = (message: {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: unknown[];
  replace_original?: boolean;
}) => Promise<unknown>;

export class RespondRenderer implements Renderer {
  private answer = '';
  private readonly respond: RespondFn;
  private readonly preface: string;
  private readonly logger: Logger;

  /** `preface`: text put before the answer (why it comes privately). */
  constructor(respond: RespondFn, preface: string, logger: Logger) {
    this.respond = respond;
    this.preface = preface;
    this.logger = logger;
  }

  async callStarted(): Promise<void> {}
  async callEnded(): Promise<void> {}

  async text(delta: string): Promise<void> {
    this.answer += delta;
  }

  async finish(tail: string, feedback?: FeedbackBlock): Promise<void> {
    const parts = splitMarkdown(`${this.preface}${this.answer}${tail}`.trim());
    for (const [i, part] of parts.entries()) {
      const ephemeral = { response_type: 'ephemeral', replace_original: false } as const;
      const blocks = markdownBlocks(part, i === parts.length - 1 ? feedback : undefined);
      try {
        await this.respond({ ...ephemeral, text: preview(part), blocks });
      } catch (e) {
        this.logger.warn('response_url refused the markdown block; sending plain text', {
          error: (e as Error).message,
        });
        await this.respond({ ...ephemeral, text: mrkdwnText(part) });
      }
    }
  }
}

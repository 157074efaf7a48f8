/**
 * A slash command's answer where the bot cannot post in the channel: collected, then sent back
 * privately through the command's `respond()` (its response_url), split within Slack's limits.
 */
import { splitMarkdown } from '../format.ts';
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

  /** `preface`: text put before the answer (why it comes privately). */
  constructor(respond: RespondFn, preface: string) {
    this.respond = respond;
    this.preface = preface;
  }

  async callStarted(): Promise<void> {}
  async callEnded(): Promise<void> {}

  async text(delta: string): Promise<void> {
    this.answer += delta;
  }

  async finish(tail: string): Promise<void> {
    for (const part of splitMarkdown(`${this.preface}${this.answer}${tail}`.trim())) {
      const blocks = markdownBlocks(part);
      await this.respond({ response_type: 'ephemeral', text: preview(part), blocks, replace_original: false });
    }
  }
}

/**
 * Which channel messages may be follow-up questions: a person's plain reply in a thread of a public or
 * private channel. Whether the bot is in that thread is decided apart (follow-up-threads.ts), as it may
 * need a call to Slack; this is decided from the event alone.
 *
 * Slack sends a channel message as a `message` event (`message.channels`, `message.groups`) whose
 * `channel_type` is `channel` or `group` (https://docs.slack.dev/reference/events/message.channels,
 * https://docs.slack.dev/reference/events/message.groups). A reply carries `thread_ts`, the parent's ts,
 * different from its own `ts` (https://docs.slack.dev/reference/events/message/message_replied/), and
 * `parent_user_id`, who posted the parent
 * (https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/GenericMessageEvent).
 *
 * Not follow-ups: top-level messages, DMs (the Messages tab has its own listener), messages from bots
 * (this one included), edits, deletions and other subtypes (`thread_broadcast`, a reply also sent to
 * the channel, is still a reply), messages that mention the bot (Slack also sends them as
 * `app_mention`, which answers them: answering here too would answer twice), and replies addressed to
 * someone else (they open with another person's mention).
 */

/** The fields of a `message` event this looks at. */
export interface ChannelMessage {
  readonly channel: string;
  readonly ts: string;
  readonly channel_type?: string;
  readonly subtype?: string;
  readonly bot_id?: string;
  readonly user?: string;
  readonly text?: string;
  readonly thread_ts?: string;
  readonly parent_user_id?: string;
  readonly edited?: unknown;
  readonly team?: string;
  readonly user_team?: string;
  readonly user_profile?: { readonly team?: string };
}

/** A reply that may be a follow-up question, if the bot is in its thread. */
export interface FollowUpCandidate {
  readonly channel: string;
  readonly threadTs: string;
  readonly ts: string;
  readonly userId: string;
  /** The reply's text as Slack sent it (escapes not yet decoded). */
  readonly text: string;
  /** Who posted the thread's parent, when Slack said. */
  readonly parentUserId?: string;
}

const CHANNEL_TYPES = new Set(['channel', 'group']);
/** Subtypes that are still a person's reply. */
const REPLY_SUBTYPES = new Set(['thread_broadcast']);

/** `<@U…>` or `<@U…|name>` anywhere in the text. */
export const mentions = (text: string, userId: string): boolean => new RegExp(`<@${userId}(\\|[^>]*)?>`).test(text);

/** The candidate, or undefined when the message is not a follow-up whatever the thread. */
export function followUpCandidate(e: ChannelMessage, botUserId: string | undefined): FollowUpCandidate | undefined {
  if (!botUserId) return undefined; // cannot tell a mention of the bot: leave it to app_mention
  if (!CHANNEL_TYPES.has(e.channel_type ?? '')) return undefined;
  if (e.subtype && !REPLY_SUBTYPES.has(e.subtype)) return undefined;
  if (e.bot_id || e.edited || !e.user || e.user === botUserId) return undefined;
  if (!e.thread_ts || e.thread_ts === e.ts) return undefined;
  const text = (e.text ?? '').trim();
  if (!text || mentions(text, botUserId)) return undefined;
  // "<@U0BOB> what do you think?" is for Bob
  if (/^<@[A-Z0-9]+(\|[^>]*)?>/.test(text)) return undefined;
  return {
    channel: e.channel,
    threadTs: e.thread_ts,
    ts: e.ts,
    userId: e.user,
    text,
    ...(e.parent_user_id ? { parentUserId: e.parent_user_id } : {}),
  };
}

/**
 * Follow-ups without mentioning the bot again: in a channel thread the bot has posted in, a person's
 * plain reply is a question, admitted like a mention (admit.ts: access, refusal, dispatch) and answered
 * in the same thread, so the conversation (one runtime session per thread) goes on.
 *
 * Which messages qualify is follow-ups.ts; whether the bot is in the thread is follow-up-threads.ts.
 * A refusal is said once per person and thread (a person not allowed to ask may still talk there). A
 * thread Slack could not be asked about is logged and the reply left alone, never failed: failing would
 * make Slack retry every channel message (https://docs.slack.dev/apis/events-api/#retries), and Slack
 * turns off an app's events when most of its deliveries fail (https://docs.slack.dev/apis/events-api/).
 *
 * Needs the `message.channels` and `message.groups` events and the `channels:history` and
 * `groups:history` scopes (https://docs.slack.dev/reference/events/message.channels,
 * https://docs.slack.dev/reference/events/message.groups).
 */
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { type SeenKeys, seenKeys } from '../../dedupe.ts';
import { type BotThreads, botThreads } from '../../follow-up-threads.ts';
import { type ChannelMessage, followUpCandidate } from '../../follow-ups.ts';
import { unescapeSlack } from '../../slack-text.ts';
import { admit, eventOrigin } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

export interface FollowUpOptions {
  /** What is known of the threads the bot is in (default: a new `botThreads()`). */
  readonly threads?: BotThreads;
}

/** The `message` listener: a reply in a bot thread becomes a question. */
export const followUp =
  (deps: ListenerDeps, threads: BotThreads, refusedOnce: SeenKeys) =>
  async ({ event, body, context, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const e = event as ChannelMessage;
    const c = followUpCandidate(e, context.botUserId);
    if (!c || !context.botUserId) return;
    const origin = await eventOrigin(deps, body, e);
    // a retried delivery of a reply already handled: no need to ask Slack about the thread again
    if (deps.seen.has(origin.dedupeKey)) return;
    const thread = { channel: c.channel, threadTs: c.threadTs };
    const bot = { userId: context.botUserId, ...(context.botId ? { botId: context.botId } : {}) };
    let inThread: boolean;
    try {
      inThread = await threads.isBotThread(client, thread, bot, c.parentUserId);
    } catch (error) {
      deps.logger.warn('follow-up not checked: Slack did not say whether the bot is in the thread', {
        channel: c.channel,
        thread: c.threadTs,
        slackError: (error as { data?: { error?: string } }).data?.error,
        error,
      });
      return;
    }
    if (!inThread) return;
    await admit(deps, {
      surface: 'mention',
      ...origin,
      channelId: c.channel,
      userId: c.userId,
      isDm: false,
      question: unescapeSlack(c.text),
      threadTs: c.threadTs,
      dedupe: 'first',
      refuse: async (text) => {
        if (!refusedOnce.claim(`${c.channel}:${c.threadTs}:${c.userId}`)) return;
        const ephemeral = { channel: c.channel, user: c.userId, text, thread_ts: c.threadTs };
        await client.chat.postEphemeral(ephemeral).catch(() => {});
      },
    });
  };

/** The `app_mention` listener beside the one that answers: a mention may bring the bot into a thread. */
export const forgetMentionedThread =
  (threads: BotThreads) =>
  async ({ event }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    if (event.thread_ts) threads.forget({ channel: event.channel, threadTs: event.thread_ts });
  };

/** Registers follow-ups on a Bolt app, beside the listeners of `registerListeners`. */
export function registerFollowUps(app: App, deps: ListenerDeps, o: FollowUpOptions = {}): void {
  const threads = o.threads ?? botThreads();
  app.event('message', followUp(deps, threads, seenKeys(5_000, 60 * 60_000)));
  app.event('app_mention', forgetMentionedThread(threads));
}

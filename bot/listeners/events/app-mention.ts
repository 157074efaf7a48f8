/** `@aws-ask question` in a channel: answered in the thread (follow-ups in the thread continue it). */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { unescapeSlack } from '../../slack-text.ts';
import { admit, eventOrigin } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

export const stripMention = (text: string, botUserId?: string): string =>
  text
    .replace(botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/, '')
    .replace(/\s+/g, ' ')
    .trim();

const EMPTY_MENTION = 'Ask me something about our AWS account, e.g. `@aws-ask which EC2 instances are running?`';

export const appMention =
  (deps: ListenerDeps) =>
  async ({ event, body, context, client }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) => {
    if (event.bot_id || (event as { subtype?: string }).subtype || (event as { edited?: unknown }).edited) return;
    const userId = event.user ?? '';
    const threadTs = event.thread_ts ?? event.ts;
    const question = unescapeSlack(stripMention(event.text, context.botUserId));
    await admit(deps, {
      surface: 'mention',
      ...(await eventOrigin(deps, body, event)),
      channelId: event.channel,
      userId,
      isDm: false,
      question,
      threadTs,
      dedupe: 'first',
      refuse: async (text) => {
        const ephemeral = { channel: event.channel, user: userId, text, thread_ts: threadTs };
        await client.chat.postEphemeral(ephemeral).catch(() => {});
      },
      vet: async () => {
        if (question) return true;
        await client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text: EMPTY_MENTION });
        return false;
      },
    });
  };

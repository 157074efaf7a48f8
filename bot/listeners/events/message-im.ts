/** Direct messages: the app's Messages tab (the agent view). Bot messages and edits are ignored. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { unescapeSlack } from '../../slack-text.ts';
import { admit, eventOrigin } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

interface ImMessage {
  channel_type?: string;
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  team?: string;
  user_team?: string;
  user_profile?: { team?: string };
}

export const messageIm =
  (deps: ListenerDeps) =>
  async ({ event, body, context, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const e = event as ImMessage;
    if (e.channel_type !== 'im' || e.subtype || e.bot_id || !e.user || e.user === context.botUserId) return;
    const question = unescapeSlack((e.text ?? '').trim());
    if (!question) return;
    const threadTs = e.thread_ts ?? e.ts;
    await admit(deps, {
      surface: 'dm',
      ...(await eventOrigin(deps, body, e)),
      channelId: e.channel,
      userId: e.user,
      isDm: true,
      question,
      threadTs,
      dedupe: 'first',
      refuse: async (text) => {
        await client.chat.postMessage({ channel: e.channel, thread_ts: threadTs, text }).catch(() => {});
      },
    });
  };

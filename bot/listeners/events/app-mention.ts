/** `@aws-ask question` in a channel: answered in the thread (follow-ups in the thread continue it). */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';

export const stripMention = (text: string, botUserId?: string): string =>
  text.replace(botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/, '').replace(/\s+/g, ' ').trim();

export const appMention = (deps: ListenerDeps) =>
  async ({ event, body, context, client }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    if (event.bot_id || (event as { subtype?: string }).subtype || (event as { edited?: unknown }).edited) return;
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    if (!deps.firstTime(eventId)) return;
    const teamId = event.team ?? (body as { team_id?: string }).team_id ?? context.teamId ?? '';
    const userId = event.user ?? '';
    const threadTs = event.thread_ts ?? event.ts;
    const access = deps.access.check({ teamId, channelId: event.channel, userId, isDm: false });
    if (!access.allowed) {
      deps.logger.info('refused', { reason: access.reason, team: teamId, channel: event.channel, user: userId, surface: 'mention' });
      await client.chat.postEphemeral({ channel: event.channel, user: userId, text: access.message, thread_ts: threadTs }).catch(() => {});
      return;
    }
    const question = stripMention(event.text, context.botUserId);
    if (!question) {
      await client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text: 'Ask me something about our AWS account, e.g. `@aws-ask which EC2 instances are running?`' });
      return;
    }
    await deps.dispatch({ surface: 'mention', teamId, channelId: event.channel, threadTs, userId, isDm: false, question, dedupeKey: eventId, receivedAt: Date.now() });
  };

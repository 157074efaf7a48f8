/** Direct messages, and messages in the agent view's threads. Bot messages and edits are ignored. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';

export const messageIm = (deps: ListenerDeps) =>
  async ({ event, body, context, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const e = event as { channel_type?: string; subtype?: string; bot_id?: string; user?: string; text?: string; ts: string; thread_ts?: string; channel: string; team?: string };
    if (e.channel_type !== 'im' || e.subtype || e.bot_id || !e.user || e.user === context.botUserId) return;
    const question = (e.text ?? '').trim();
    if (!question) return;
    const eventId = (body as { event_id?: string }).event_id ?? `${e.channel}:${e.ts}`;
    if (!deps.firstTime(eventId)) return;
    const teamId = e.team ?? (body as { team_id?: string }).team_id ?? context.teamId ?? '';
    const threadTs = e.thread_ts ?? e.ts;
    const access = deps.access.check({ teamId, channelId: e.channel, userId: e.user, isDm: true });
    if (!access.allowed) {
      deps.logger.info('refused', { reason: access.reason, team: teamId, user: e.user, surface: 'dm' });
      await client.chat.postMessage({ channel: e.channel, thread_ts: threadTs, text: access.message }).catch(() => {});
      return;
    }
    await deps.dispatch({ surface: 'dm', teamId, channelId: e.channel, threadTs, userId: e.user, isDm: true, question, dedupeKey: eventId, receivedAt: Date.now() });
  };

/**
 * `/aws-ask <question>`: acked at once; the question is posted as a parent message and answered in
 * its thread. `/aws-ask` or `/aws-ask help` shows usage. Where the bot cannot post, the answer comes
 * back privately through respond(), with how to invite the bot.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { HELP_TEXT } from '../../format.ts';
import type { ListenerDeps } from '../deps.ts';

export const INVITE_HINT = 'I can\'t post in this channel, so here is your answer privately. To get answers in the channel, invite me with `/invite @aws-ask`, or ask me in a DM.\n\n';

export const awsAskCommand = (deps: ListenerDeps) =>
  async ({ command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const question = command.text.trim();
    if (!question || /^help$/i.test(question)) {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    const isDm = command.channel_id.startsWith('D');
    const access = deps.access.check({ teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, isDm });
    if (!access.allowed) {
      deps.logger.info('refused', { reason: access.reason, team: command.team_id, channel: command.channel_id, user: command.user_id, surface: 'command' });
      await ack({ response_type: 'ephemeral', text: access.message });
      return;
    }
    if (!deps.firstTime(command.trigger_id)) {
      await ack();
      return;
    }
    await ack();
    const receivedAt = Date.now();
    const base = { surface: 'command' as const, teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, isDm, question, dedupeKey: command.trigger_id, receivedAt };
    try {
      const parent = await client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked: ${question}` });
      await deps.dispatch({ ...base, threadTs: parent.ts as string });
    } catch (e) {
      const error = (e as { data?: { error?: string } }).data?.error;
      if (error !== 'not_in_channel' && error !== 'channel_not_found') throw e;
      await deps.dispatch({ ...base, threadTs: `${receivedAt / 1000}`, responseUrl: command.response_url, preface: INVITE_HINT });
    }
  };

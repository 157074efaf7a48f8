/**
 * `/aws-ask <question>`: acked at once, then handed on; the question is posted as a parent message
 * and answered in its thread (see runJob). `/aws-ask` or `/aws-ask help` shows usage.
 *
 * The command's `team_id` is the workspace the person ran it from; the bot's own comes from auth.test
 * (bot/workspaces.ts): a command from any other workspace is refused in the ack, unless ALLOWED_TEAM_IDS
 * names it.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { MAX_PROMPT_CHARS } from '../../../common/protocol.ts';
import { HELP_TEXT, tooLongText } from '../../format.ts';
import { unescapeSlack } from '../../slack-text.ts';
import { admit } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

export const awsAskCommand =
  (deps: ListenerDeps) =>
  async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const question = unescapeSlack(command.text.trim());
    if (!question || /^help$/i.test(question)) {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    // The question is posted as the thread's parent by whoever answers (at once in Socket Mode, the
    // worker in Lambda), so nothing slow happens before Slack gets its ack.
    await admit(deps, {
      surface: 'command',
      teamId: (await deps.homeTeam?.()) ?? '',
      userTeamId: command.team_id,
      channelId: command.channel_id,
      userId: command.user_id,
      isDm: command.channel_id.startsWith('D'),
      question,
      responseUrl: command.response_url,
      dedupeKey: command.trigger_id,
      dedupe: 'on-accept',
      refuse: (text) => ack({ response_type: 'ephemeral', text }),
      vet: async () => {
        if (question.length <= MAX_PROMPT_CHARS) return true;
        await ack({ response_type: 'ephemeral', text: tooLongText(question.length, MAX_PROMPT_CHARS) });
        return false;
      },
      accepted: () => ack(),
    });
  };

/** Any other command routed to this app: say what it answers. */
export const unknownCommand =
  () =>
  async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const text = `I only answer \`/aws-ask\`, not \`${command.command}\`. Try \`/aws-ask help\`.`;
    await ack({ response_type: 'ephemeral', text });
  };

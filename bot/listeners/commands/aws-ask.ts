/**
 * `/aws-ask <question>`: acked at once, then handed on; the question is posted as a parent message
 * and answered in its thread (see runJob). `/aws-ask` or `/aws-ask help` shows usage and, where AWS_ASK_SCOPES is
 * set, what the asker may ask about where they ran it (only to someone who may ask there).
 *
 * The command's `team_id` is the workspace the person ran it from; the bot's own comes from auth.test
 * (bot/workspaces.ts): a command from any other workspace is refused in the ack, unless ALLOWED_TEAM_IDS
 * names it.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { MAX_PROMPT_CHARS } from '../../../common/protocol.ts';
import { helpText, tooLongText } from '../../format.ts';
import { unescapeSlack } from '../../slack-text.ts';
import { admit } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

/** Whether the access policy would admit a question from this command (scopes are shown only then). */
async function mayAskHere(deps: ListenerDeps, command: SlackCommandMiddlewareArgs['command']): Promise<boolean> {
  const home = await deps.homeTeam?.();
  return deps.access.check({
    ...(home ? { homeTeamId: home } : {}),
    userTeamId: command.team_id,
    channelId: command.channel_id,
    userId: command.user_id,
    isDm: command.channel_id.startsWith('D'),
  }).allowed;
}

export const awsAskCommand =
  (deps: ListenerDeps) =>
  async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const question = unescapeSlack(command.text.trim());
    if (!question || /^help$/i.test(question)) {
      const asker = { channelId: command.channel_id, userId: command.user_id };
      const mayAsk = deps.scopes && (await mayAskHere(deps, command));
      await ack({ response_type: 'ephemeral', text: helpText(mayAsk ? deps.scopes : undefined, asker) });
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

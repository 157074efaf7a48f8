/**
 * A vote on an answer (its 👍/👎 feedback buttons, a `block_actions` payload:
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload): acked at once, recorded
 * (one structured log line, and a metric where the process counts votes), and the voter thanked privately.
 * Nothing is queued and the agent is not asked: the thread's conversation is as it was.
 *
 * The thanks is an ephemeral message in the answer's thread (chat.postEphemeral), or through the
 * interaction's response_url where that cannot be (an answer that was itself ephemeral). It is bounded
 * in time: the Lambda receiver answers Slack only once the listener returns, within Slack's 3 seconds.
 */
import type { AllMiddlewareArgs, BlockFeedbackButtonsAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../../common/log.ts';
import { type CountVote, readFeedbackValue, recordVote, type Vote } from '../../feedback.ts';
import { feedbackThanks } from '../../format.ts';

export interface FeedbackDeps {
  readonly logger: Logger;
  /** Counts each vote as a metric (the Lambda receiver); absent in Socket Mode, where the log line is all. */
  readonly countVote?: CountVote;
  /** Longest wait for the thanks before the listener returns. Default 1 s. */
  readonly thanksDeadlineMs?: number;
}

type Args = SlackActionMiddlewareArgs<BlockFeedbackButtonsAction> & AllMiddlewareArgs;

const THANKS_DEADLINE_MS = 1_000;

const errorOf = (e: unknown): string =>
  (e as { data?: { error?: string } }).data?.error ?? (e as Error).message ?? String(e);

/** The thanks: in the thread where the answer is, else through the response_url. */
async function thank(a: Args, channelId: string, text: string, log: Logger): Promise<void> {
  const container = a.body.container as { is_ephemeral?: boolean; thread_ts?: string };
  const threadTs = (a.body.message?.thread_ts as string | undefined) ?? container.thread_ts;
  if (!container.is_ephemeral && channelId) {
    try {
      const where = { channel: channelId, user: a.body.user.id, ...(threadTs ? { thread_ts: threadTs } : {}) };
      await a.client.chat.postEphemeral({ ...where, text });
      return;
    } catch (e) {
      log.debug('chat.postEphemeral refused the thanks; using the response_url', { error: errorOf(e) });
    }
  }
  await a.respond({ response_type: 'ephemeral', replace_original: false, text });
}

export const feedbackAction =
  (deps: FeedbackDeps) =>
  async (a: Args): Promise<void> => {
    await a.ack();
    const { body, action } = a;
    const channelId = body.channel?.id ?? String((body.container as { channel_id?: string }).channel_id ?? '');
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const value = readFeedbackValue(action.value);
    if (!value) {
      deps.logger.warn('feedback button with a value this bot did not write, ignored', {
        team: teamId,
        channel: channelId,
        user: body.user.id,
      });
      return;
    }
    recordVote(deps.logger, { ...value, teamId, channelId, userId: body.user.id }, deps.countVote);
    await thankInTime(a, channelId, value.vote, value.ref, deps);
  };

/** Thanks the voter, waiting at most the deadline; a late or failed thanks is logged, the vote stands. */
async function thankInTime(a: Args, channelId: string, vote: Vote, ref: string, deps: FeedbackDeps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), deps.thanksDeadlineMs ?? THANKS_DEADLINE_MS);
  });
  const sent = thank(a, channelId, feedbackThanks(vote, ref), deps.logger).then(
    () => 'sent' as const,
    (e: unknown) => {
      deps.logger.warn('could not thank the voter', { ref, error: errorOf(e) });
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([sent, late]);
  clearTimeout(timer);
  if (outcome === 'late') deps.logger.warn('the thanks for a vote is late; answering Slack without it', { ref });
}

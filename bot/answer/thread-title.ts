/**
 * A DM thread's title in the agent view (the history of conversations with the app), set from its first
 * question with assistant.threads.setTitle (https://docs.slack.dev/reference/methods/assistant.threads.setTitle:
 * "shown when a user views the DM history with your app").
 *
 * Once per thread: only while the bot has said nothing in it yet, as the thread's first messages show
 * (conversations.replies, https://docs.slack.dev/reference/methods/conversations.replies). That holds with no
 * state of our own, across processes (Lambda workers) and on a retried job. Best-effort: a failure is logged
 * and the answer goes on.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../common/log.ts';
import { threadTitle } from '../format.ts';
import { slackError, type Thread } from './renderer.ts';

/** Enough of the thread to hold the bot's first answer, if it has given one. */
const FIRST_MESSAGES = 10;

/** Whether the bot has not posted in the thread yet; undefined when the thread cannot be read. */
async function botSilentIn(client: WebClient, thread: Thread): Promise<boolean | undefined> {
  const r = await client.conversations.replies({
    channel: thread.channelId,
    ts: thread.threadTs,
    limit: FIRST_MESSAGES,
  });
  const messages = r.messages ?? [];
  if (!messages.length) return undefined;
  return !messages.some((m) => m.bot_id);
}

/** Titles a DM thread from `question` if it is the thread's first; does nothing elsewhere. */
export async function titleNewThread(client: WebClient, thread: Thread, question: string, log: Logger): Promise<void> {
  if (!thread.isDm) return;
  try {
    if (!(await botSilentIn(client, thread))) return;
    await client.assistant.threads.setTitle({
      channel_id: thread.channelId,
      thread_ts: thread.threadTs,
      title: threadTitle(question),
    });
  } catch (e) {
    log.warn('could not title the thread', { error: slackError(e) });
  }
}

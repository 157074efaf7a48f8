/**
 * The queue message: one question to answer (AnswerJob), how it is read back off the queue
 * (parseJob), and how it is answered (runJob) — at once in Socket Mode, by the worker in Lambda.
 */
import { MAX_PROMPT_CHARS } from '../common/protocol.ts';
import { newRef } from '../common/ref.ts';
import { type AnswerDeps, answerQuestion } from './answer/answer-question.ts';
import type { AnswerResult } from './answer/outcome.ts';
import type { RespondFn } from './answer/respond-renderer.ts';
import { INVITE_HINT, tooLongText } from './format.ts';
import { escapeSlack } from './slack-text.ts';

/** Sends to a slash command's response_url. */
export function respondVia(url: string): RespondFn {
  return async (message) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  };
}

/**
 * Answers one job: what Socket Mode does at once and the Lambda worker does from the queue. A slash
 * command's question is first posted as the thread's parent; where the bot cannot post there, the
 * answer goes back privately through the response_url, with how to invite the bot.
 */
export async function runJob(
  job: AnswerJob,
  deps: AnswerDeps,
  extra: { retryIfBusy?: boolean } = {},
): Promise<AnswerResult> {
  const thread = {
    teamId: job.teamId,
    ...(job.userTeamId ? { userTeamId: job.userTeamId } : {}),
    channelId: job.channelId,
    userId: job.userId,
    isDm: job.isDm,
  };
  if (job.question.length > MAX_PROMPT_CHARS) {
    // said in the thread, never sent to the agent (which would refuse it)
    await deps.client.chat.postMessage({
      channel: job.channelId,
      ...(job.threadTs ? { thread_ts: job.threadTs } : {}),
      text: tooLongText(job.question.length, MAX_PROMPT_CHARS),
    });
    return { outcome: 'too_long', ref: newRef(), text: '', toolCalls: [] };
  }
  const options = {
    surface: job.surface,
    receivedAt: job.receivedAt,
    ...(extra.retryIfBusy ? { retryIfBusy: true } : {}),
  };
  let threadTs = job.threadTs;
  if (!threadTs) {
    try {
      const parent = await deps.client.chat.postMessage({
        channel: job.channelId,
        // the question is plain text (Slack's escapes decoded): escaped again to be shown as typed
        text: `<@${job.userId}> asked: ${escapeSlack(job.question)}`,
      });
      threadTs = parent.ts as string;
    } catch (e) {
      const error = (e as { data?: { error?: string } }).data?.error;
      if ((error !== 'not_in_channel' && error !== 'channel_not_found') || !job.responseUrl) throw e;
      // no thread to keep: the conversation is this one command
      const respond = respondVia(job.responseUrl);
      const cmdThread = { ...thread, threadTs: `cmd:${job.dedupeKey}` };
      return answerQuestion(deps, cmdThread, job.question, { ...options, respond, preface: INVITE_HINT });
    }
  }
  return answerQuestion(deps, { ...thread, threadTs }, job.question, options);
}

/** A question to answer, as the listeners hand it on. */
export interface AnswerJob {
  readonly surface: 'mention' | 'command' | 'dm';
  /** The workspace the bot is installed in: the thread's conversation and the Slack call budget are its. */
  readonly teamId: string;
  /** The asker's own workspace, where it is another one (an allowed organisation in a shared channel). */
  readonly userTeamId?: string;
  readonly channelId: string;
  /** The thread to answer in; absent for a slash command (its question is posted as the parent first). */
  readonly threadTs?: string;
  readonly userId: string;
  readonly isDm: boolean;
  readonly question: string;
  /** A slash command's response_url: where the answer goes when the bot cannot post in the channel. */
  readonly responseUrl?: string;
  /** The event_id / trigger_id the job came from (deduplication). */
  readonly dedupeKey: string;
  readonly receivedAt: number;
}

const KEYS: readonly (keyof AnswerJob)[] = ['surface', 'teamId', 'channelId', 'userId', 'question', 'dedupeKey'];

export function parseJob(body: string): AnswerJob {
  const job = JSON.parse(body) as AnswerJob;
  for (const k of KEYS) if (typeof job[k] !== 'string' || !job[k]) throw new Error(`job has no ${k}`);
  if (!['mention', 'command', 'dm'].includes(job.surface)) throw new Error(`unknown surface ${job.surface}`);
  return job;
}

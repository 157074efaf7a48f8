/**
 * Answering a queued question, without Bolt: what Socket Mode does at once and the Lambda worker
 * does from the queue, and the Slack client settings both use.
 */
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../agent/log.ts';
import { answerQuestion, type AnswerDeps, type AnswerResult, type RespondFn } from './answer.ts';
import type { BotSettings } from './config.ts';
import { MAX_PROMPT_CHARS } from '../agent/protocol.ts';
import { newRef } from '../agent/ref.ts';
import { INVITE_HINT, tooLongText } from './format.ts';
import type { AnswerJob } from './listeners/deps.ts';
import { slackLogger } from './log.ts';

/** Web API client options for every Slack client the bot makes: API URL, bounded retries, JSON logs. */
export function slackClientOptions(settings: Pick<BotSettings, 'slackApiUrl'>, logger: Logger): WebClientOptions {
  return {
    ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
    // Retries (429 honours Retry-After) are bounded: an answer must not wait half an hour.
    retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 8_000, randomize: true },
    logger: slackLogger(logger),
  };
}

/** Remembers keys for a while; true the first time a key is seen. */
export function dedupe(max = 5_000, ttlMs = 15 * 60_000): (key: string) => boolean {
  const seen = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    const at = seen.get(key);
    if (at !== undefined && now - at < ttlMs) return false;
    seen.set(key, now);
    while (seen.size > max) seen.delete(seen.keys().next().value as string);
    return true;
  };
}

/** Sends to a slash command's response_url. */
export function respondVia(url: string): RespondFn {
  return async (message) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };
}

/**
 * Answers one job: what Socket Mode does at once and the Lambda worker does from the queue. A slash
 * command's question is first posted as the thread's parent; where the bot cannot post there, the
 * answer goes back privately through the response_url, with how to invite the bot.
 */
export async function runJob(job: AnswerJob, deps: AnswerDeps, extra: { retryIfBusy?: boolean } = {}): Promise<AnswerResult> {
  const thread = { teamId: job.teamId, channelId: job.channelId, userId: job.userId, isDm: job.isDm };
  if (job.question.length > MAX_PROMPT_CHARS) {
    // said in the thread, never sent to the agent (which would refuse it)
    await deps.client.chat.postMessage({ channel: job.channelId, ...(job.threadTs ? { thread_ts: job.threadTs } : {}), text: tooLongText(job.question.length, MAX_PROMPT_CHARS) });
    return { ok: false, ref: newRef(), text: '', toolCalls: [], errorCode: 'too_long' };
  }
  const options = { surface: job.surface, receivedAt: job.receivedAt, ...(extra.retryIfBusy ? { retryIfBusy: true } : {}) };
  let threadTs = job.threadTs;
  if (!threadTs) {
    try {
      const parent = await deps.client.chat.postMessage({ channel: job.channelId, text: `<@${job.userId}> asked: ${job.question}` });
      threadTs = parent.ts as string;
    } catch (e) {
      const error = (e as { data?: { error?: string } }).data?.error;
      if ((error !== 'not_in_channel' && error !== 'channel_not_found') || !job.responseUrl) throw e;
      // no thread to keep: the conversation is this one command
      return answerQuestion(deps, { ...thread, threadTs: `cmd:${job.dedupeKey}` }, job.question, { ...options, respond: respondVia(job.responseUrl), preface: INVITE_HINT });
    }
  }
  return answerQuestion(deps, { ...thread, threadTs }, job.question, options);
}


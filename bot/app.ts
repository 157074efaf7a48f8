/**
 * The Bolt app and its listeners, transport-neutral: Socket Mode (dev, `bot/socket.ts`) and the
 * Lambda receiver (production) build it the same way and differ only in the receiver and in what
 * `dispatch` does with a question.
 */
import { App, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../agent/log.ts';
import { allowlistPolicy, type AccessPolicy } from './access.ts';
import type { AgentClient } from './agent-client.ts';
import { answerQuestion, type AnswerDeps, type AnswerResult, type RespondFn } from './answer.ts';
import type { BotSettings } from './config.ts';
import { INVITE_HINT } from './format.ts';
import type { AnswerJob, ListenerDeps } from './listeners/deps.ts';
import { registerListeners } from './listeners/index.ts';
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
export async function runJob(job: AnswerJob, deps: AnswerDeps): Promise<AnswerResult> {
  const thread = { teamId: job.teamId, channelId: job.channelId, userId: job.userId, isDm: job.isDm };
  const options = { surface: job.surface, receivedAt: job.receivedAt };
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

export type BotOptions = BotOptionsBase & (
  /** Answers here, with this agent (Socket Mode). */
  | { readonly agent: AgentClient; readonly dispatch?: undefined }
  /** Hands questions on (the Lambda receiver enqueues them). */
  | { readonly agent?: undefined; readonly dispatch: (job: AnswerJob) => Promise<void> }
);

interface BotOptionsBase {
  readonly settings: BotSettings;
  readonly logger: Logger;
  /** Socket Mode when absent. */
  readonly receiver?: Receiver;
  readonly access?: AccessPolicy;
  /** Listener failures fail the request (so the Lambda receiver answers 500 and Slack retries). */
  readonly rethrowErrors?: boolean;
  /** Supplies the bot token per request instead of a fixed token (skips auth.test). */
  readonly authorize?: ConstructorParameters<typeof App>[0] extends infer O ? (O extends { authorize?: infer A } ? A : never) : never;
  /** Skip auth.test at start (Lambda cold starts). */
  readonly botUserId?: string;
  readonly botId?: string;
  readonly answer?: Partial<Omit<AnswerDeps, 'client' | 'agent' | 'logger'>>;
}

export interface Bot {
  readonly app: App;
  readonly client: WebClient;
  /** Answers that are still running (Socket Mode), so shutdown can wait for them. */
  readonly inFlight: Set<Promise<unknown>>;
}

export function createBot(o: BotOptions): Bot {
  const clientOptions = slackClientOptions(o.settings, o.logger);
  const app = new App({
    ...(o.authorize ? { authorize: o.authorize } : { token: o.settings.botToken }),
    ...(o.receiver ? { receiver: o.receiver } : { socketMode: true, appToken: o.settings.appToken }),
    clientOptions,
    logger: slackLogger(o.logger),
    ...(o.botUserId ? { botUserId: o.botUserId } : {}),
    ...(o.botId ? { botId: o.botId } : {}),
  });
  const client = new WebClient(o.settings.botToken, clientOptions);
  const inFlight = new Set<Promise<unknown>>();
  let dispatch: (job: AnswerJob) => Promise<void>;
  if (o.dispatch) dispatch = o.dispatch;
  else {
    const answerDeps: AnswerDeps = { client, agent: o.agent, logger: o.logger, streaming: o.settings.streaming, timeoutMs: o.settings.answerTimeoutMs, ...(o.answer ?? {}) };
    dispatch = async (job: AnswerJob) => {
      // Socket Mode: the envelope is already acked; answer without holding the listener.
      const p = runJob(job, answerDeps).catch((e: unknown) => o.logger.error('answer crashed', { error: e }));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
  }
  const deps: ListenerDeps = {
    access: o.access ?? allowlistPolicy(o.settings.allow),
    logger: o.logger,
    dispatch,
    firstTime: dedupe(),
  };
  registerListeners(app, deps);
  app.error(async (e) => {
    o.logger.error('listener failed', { error: e });
    if (o.rethrowErrors) throw e;
  });
  return { app, client, inFlight };
}

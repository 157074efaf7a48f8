/**
 * The Bolt app and its listeners, transport-neutral: Socket Mode (dev, `bot/socket.ts`) and the
 * Lambda receiver (production) build it the same way and differ only in the receiver and in what
 * `dispatch` does with a question.
 */
import { App, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from '../common/log.ts';
import { type AccessPolicy, allowlistPolicy } from './access.ts';
import type { AgentClient } from './agent-client.ts';
import type { AnswerDeps } from './answer/answer-question.ts';
import type { BotSettings } from './config.ts';
import { seenKeys } from './dedupe.ts';
import type { CountVote } from './feedback.ts';
import { type AnswerJob, runJob } from './job.ts';
import type { ListenerDeps } from './listeners/deps.ts';
import { registerListeners } from './listeners/index.ts';
import { slackLogger } from './log.ts';
import { slackClientOptions } from './slack-client.ts';
import { homeTeamFrom } from './workspaces.ts';

export type BotOptions = BotOptionsBase &
  /** Answers here, with this agent (Socket Mode). */
  (
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
  readonly authorize?: ConstructorParameters<typeof App>[0] extends infer O
    ? O extends { authorize?: infer A }
      ? A
      : never
    : never;
  /** Skip auth.test at start (Lambda cold starts). */
  readonly botUserId?: string;
  readonly botId?: string;
  readonly answer?: Partial<Omit<AnswerDeps, 'client' | 'agent' | 'logger'>>;
  /** Counts each vote on an answer as a metric (the Lambda receiver); Socket Mode only logs it. */
  readonly countVote?: CountVote;
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
    const answerDeps: AnswerDeps = {
      client,
      agent: o.agent,
      logger: o.logger,
      streaming: o.settings.streaming,
      timeoutMs: o.settings.answerTimeoutMs,
      ...(o.answer ?? {}),
    };
    // what the queue's deduplication and the worker's idempotency do in Lambda: one answer per key
    const started = seenKeys();
    dispatch = async (job: AnswerJob) => {
      if (!started.claim(job.dedupeKey)) return;
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
    seen: seenKeys(),
    homeTeam: homeTeamFrom(client, o.logger),
    ...(o.settings.scopes?.configured ? { scopes: o.settings.scopes } : {}),
  };
  registerListeners(
    app,
    deps,
    { logger: o.logger, ...(o.countVote ? { countVote: o.countVote } : {}) },
    {
      allow: o.settings.allow,
      regions: o.settings.regions,
      ...(o.settings.docsUrl ? { docsUrl: o.settings.docsUrl } : {}),
      ...(o.settings.scopes?.configured ? { scopes: o.settings.scopes } : {}),
    },
  );
  app.error(async (e) => {
    o.logger.error('listener failed', { error: e });
    if (o.rethrowErrors) throw e;
  });
  return { app, client, inFlight };
}

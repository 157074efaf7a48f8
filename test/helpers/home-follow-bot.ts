/**
 * A Socket Mode bot for the Home tab and follow-up tests: the real createBot (every listener of
 * bot/listeners/index.ts, as in production) against the fronted fake Slack (home-follow-slack.ts),
 * recording every dispatched job and answering it with a small echo agent.
 */
import { allowlistPolicy } from '../../bot/access.ts';
import type { AgentClient } from '../../bot/agent-client.ts';
import { type Bot, createBot } from '../../bot/app.ts';
import type { Allowlists } from '../../bot/config.ts';
import { seenKeys } from '../../bot/dedupe.ts';
import { type AnswerJob, runJob } from '../../bot/job.ts';
import type { ListenerDeps } from '../../bot/listeners/deps.ts';
import type { Logger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import {
  APP_TOKEN,
  BOT_ID,
  BOT_TOKEN,
  BOT_USER_ID,
  type EnvelopeResult,
  type FakeSlack,
  type SlackMessage,
  TEAM_ID,
} from '../services/fake-slack.ts';
import { SlackFront } from './home-follow-slack.ts';

/** Answers `answer: <question>` at once, with no AWS call. */
export const echoAgent: AgentClient = {
  async *invoke(_sessionId, request): AsyncGenerator<AgentEvent> {
    yield { type: 'text', text: `answer: ${request.prompt}` };
    yield { type: 'done', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, toolCalls: [], durationMs: 5 };
  },
};

export interface TestBot {
  readonly bot: Bot;
  readonly front: SlackFront;
  /** Every job dispatched, by any listener. */
  readonly jobs: AnswerJob[];
  readonly deps: ListenerDeps;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  readonly slack: FakeSlack;
  readonly logger: Logger;
  readonly allow?: Partial<Allowlists>;
  /** What the Home tab shows besides who may ask (the bot's AWS_ASK_REGIONS and AWS_ASK_DOCS_URL). */
  readonly home?: { readonly regions?: readonly string[]; readonly docsUrl?: string };
  /** Answer dispatched jobs (default true); false only records them. */
  readonly answer?: boolean;
}

export async function startTestBot(o: TestBotOptions): Promise<TestBot> {
  const front = await SlackFront.start(o.slack);
  const allow: Allowlists = { teams: [], channels: [], users: [], ...o.allow };
  const settings = {
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    slackApiUrl: front.apiUrl,
    allow,
    streaming: true,
    answerTimeoutMs: 10_000,
    regions: o.home?.regions ?? [],
    ...(o.home?.docsUrl ? { docsUrl: o.home.docsUrl } : {}),
  };
  const jobs: AnswerJob[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let bot: Bot | undefined;
  const dispatch = async (job: AnswerJob) => {
    jobs.push(job);
    if (o.answer === false || !bot) return;
    const p = runJob(job, { client: bot.client, agent: echoAgent, logger: o.logger, streaming: true }).catch(
      (e: unknown) => o.logger.error('answer crashed', { error: e }),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  bot = createBot({ settings, logger: o.logger, dispatch });
  // createBot registers every listener (the Home tab and follow-ups among them), as in production
  const deps: ListenerDeps = { access: allowlistPolicy(allow), logger: o.logger, dispatch, seen: seenKeys() };
  await bot.app.start();
  await o.slack.connected();
  const started = bot;
  return {
    bot: started,
    front,
    jobs,
    deps,
    stop: async () => {
      await started.app.stop();
      await Promise.allSettled([...inFlight]);
      await front.close();
    },
  };
}

const channelType = (channel: string) => (channel.startsWith('G') ? 'group' : 'channel');

/** A person posts in a channel (top level, or a reply): the message appears and its `message` event comes. */
export async function channelMessage(
  slack: FakeSlack,
  o: { channel: string; user: string; text: string; threadTs?: string; eventId?: string },
): Promise<{ message: SlackMessage; ack: EnvelopeResult }> {
  const message = slack.userMessage(o.channel, o.user, o.text, o.threadTs);
  const parent = o.threadTs ? slack.messages.find((m) => m.channel === o.channel && m.ts === o.threadTs) : undefined;
  const event = {
    type: 'message',
    channel_type: channelType(o.channel),
    channel: o.channel,
    user: o.user,
    text: o.text,
    ts: message.ts,
    team: TEAM_ID,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    ...(parent ? { parent_user_id: parent.user } : {}),
  };
  const ack = await slack.send('events_api', slack.eventPayload(event, o.eventId));
  return { message, ack };
}

/**
 * A person mentions the bot in a channel the bot is subscribed to: Slack sends the message twice, as an
 * `app_mention` and as a `message` (two event ids), https://docs.slack.dev/reference/events/app_mention.
 * The mention opens the text, or ends it with `trailing`.
 */
export async function mentionInChannel(
  slack: FakeSlack,
  o: { channel: string; user: string; text: string; threadTs?: string; trailing?: boolean },
): Promise<{ message: SlackMessage; mentionEventId: string; messageEventId: string }> {
  const text = o.trailing ? `${o.text} <@${BOT_USER_ID}>` : `<@${BOT_USER_ID}> ${o.text}`;
  const message = slack.userMessage(o.channel, o.user, text, o.threadTs);
  const parent = o.threadTs ? slack.messages.find((m) => m.channel === o.channel && m.ts === o.threadTs) : undefined;
  const event = {
    channel: o.channel,
    user: o.user,
    text,
    ts: message.ts,
    team: TEAM_ID,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
  };
  const id = message.ts.replace('.', '');
  const mentionEventId = `EvMention${id}`;
  const messageEventId = `EvMessage${id}`;
  await slack.send('events_api', slack.eventPayload({ type: 'app_mention', ...event }, mentionEventId));
  const asMessage = {
    type: 'message',
    channel_type: channelType(o.channel),
    ...event,
    ...(parent ? { parent_user_id: parent.user } : {}),
  };
  await slack.send('events_api', slack.eventPayload(asMessage, messageEventId));
  return { message, mentionEventId, messageEventId };
}

/** A message by a bot in a thread (this bot when `own`), as its `message` event. */
export async function botReply(
  slack: FakeSlack,
  o: { channel: string; threadTs: string; text: string; own: boolean },
): Promise<void> {
  await slack.send(
    'events_api',
    slack.eventPayload({
      type: 'message',
      channel_type: channelType(o.channel),
      channel: o.channel,
      user: o.own ? BOT_USER_ID : 'U0OTHERBOT',
      bot_id: o.own ? BOT_ID : 'B0OTHERBOT',
      text: o.text,
      ts: `${Date.now() / 1000}`,
      thread_ts: o.threadTs,
      team: TEAM_ID,
    }),
  );
}

/** The finished answers (with their footer) in a thread. */
export const answersIn = (slack: FakeSlack, channel: string, threadTs: string): SlackMessage[] =>
  slack.thread(channel, threadTs).filter((m) => m.fromBot && !m.streaming && /AWS calls/.test(m.text));

/** Lets events in flight be handled (Socket Mode acks before the listeners finish). */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/**
 * The Slack bot end to end over Socket Mode: the real Bolt app, WebClient and SocketModeClient
 * against the fake Slack; the agent in-process with a scripted model; the tool against moto.
 */

import { ConstantBackoff, DefaultModelRetryStrategy, type Message } from '@strands-agents/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { AgentService } from '../../agent/index.ts';
import { AwsCaller } from '../../agent/tools/aws-caller.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { type AgentClient, LocalAgentClient } from '../../bot/agent-client.ts';
import { HELP_TEXT, INVITE_HINT } from '../../bot/format.ts';
import { type DevBot, startDevBot } from '../../bot/socket.ts';
import { createLogger } from '../../common/log.ts';
import { sessionIdForThread } from '../../common/protocol.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { roleMode, SESSION_POLICY_ENV } from '../helpers/tool-role.ts';
import { describeInstancesCall, instancesIn } from '../helpers/tools.ts';
import { APP_TOKEN, BOT_TOKEN, BOT_USER_ID, FakeSlack, type SlackMessage, TEAM_ID } from '../services/fake-slack.ts';
import { type RecordingProxy, startRecordingProxy } from '../services/recording-proxy.ts';
import { awaitingAnswer, lastPrompt, ScriptedModel, type Turn, toolResultTexts } from '../services/scripted-model.ts';

const REGION = 'eu-north-1';
const SEEDED = 4;
let slack: FakeSlack;
let proxy: RecordingProxy;
let toolRoleArn: string;
const running: DevBot[] = [];
const logs: Record<string, unknown>[] = [];
const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
let invocations = 0;

/** Answers instance questions from moto; "turn N" for anything else; obeys a few keywords. */
function brain(messages: Message[]): Turn | Promise<Turn> {
  const prompt = lastPrompt(messages);
  if (/fail/i.test(prompt)) return { error: Object.assign(new Error('model exploded'), { name: 'ModelError' }) };
  if (/hang/i.test(prompt)) return new Promise<Turn>(() => {});
  if (/essay/i.test(prompt))
    return { text: Array.from({ length: 400 }, (_, i) => `Paragraph ${i}: ${'lorem ipsum '.repeat(6)}\n\n`).join('') };
  if (/instances/i.test(prompt)) {
    if (!awaitingAnswer(messages)) {
      return { tools: [describeInstancesCall(REGION)] };
    }
    return { text: `There are **${instancesIn(toolResultTexts(messages).at(-1)!)}** EC2 instances in ${REGION}.` };
  }
  const turn = messages.filter((m) => m.role === 'user' && !m.content.some((b) => b.type === 'toolResultBlock')).length;
  return { text: `turn ${turn}: ${prompt}` };
}

function localAgent(): AgentClient {
  const service = new AgentService({
    settings: { defaultRegion: REGION, regions: [], maxTurns: 6 },
    createModel: () => new ScriptedModel([], brain),
    caller: new AwsCaller({ ...DEFAULT_SETTINGS, maxBytes: 128_000, defaultRegion: REGION }),
    credentials: new PinnedCredentials(roleMode(toolRoleArn), { region: REGION }),
    retryStrategy: () =>
      new DefaultModelRetryStrategy({ maxAttempts: 1, backoff: new ConstantBackoff({ delayMs: 1 }) }),
    invocationTimeoutMs: 60_000,
  });
  const local = new LocalAgentClient(service);
  return {
    invoke: (...args) => {
      invocations++;
      return local.invoke(...args);
    },
  };
}

async function bot(env: Record<string, string> = {}, agent: AgentClient = localAgent()): Promise<DevBot> {
  const dev = await startDevBot(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      AWS_REGION: REGION,
      TOOL_ROLE_ARN: toolRoleArn,
      ...SESSION_POLICY_ENV,
      ...env,
    },
    logger,
    agent,
  );
  running.push(dev);
  await slack.connected();
  return dev;
}

const finished = (channel: string, threadTs: string) =>
  slack.waitFor(
    () => {
      const replies = slack.thread(channel, threadTs);
      const last = replies.at(-1);
      return last && !last.streaming && /AWS calls:|:warning:/.test(last.text) ? replies : undefined;
    },
    20_000,
    `an answer in ${channel}/${threadTs}`,
  );

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-slack'])) as [string];
  await seedInstances(moto, REGION, SEEDED, 'slack');
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
});

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
  await slack?.close();
});

afterAll(async () => {
  await proxy.close();
});

describe('mentions over Socket Mode', () => {
  it('acks before answering, streams the answer in the thread with the calls as tasks, and a footer', async () => {
    slack = await FakeSlack.start();
    await bot();
    const { message, ack } = await slack.mention({
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'how many instances do we run?',
    });
    // the ack did not wait for the answer
    expect(ack.envelopeId).toMatch(/^env-/);
    const replies = await finished('C0OPS', message.ts);
    expect(replies).toHaveLength(1);
    const answer = replies[0]!;
    expect(answer.text).toContain(`There are **${SEEDED}** EC2 instances in ${REGION}.`);
    expect(answer.text).toMatch(
      new RegExp(`_AWS calls: \`ec2:DescribeInstances\` · ${REGION} · \\d+\\.\\d s · [\\d,]+ tokens_`),
    );
    expect(answer.tasks).toEqual([
      expect.objectContaining({
        title: `ec2 describe_instances in ${REGION}: List EC2 instances`,
        status: 'complete',
        output: expect.stringMatching(/^4 items · \d+ ms$/),
      }),
    ]);
    const start = slack.callsTo('chat.startStream')[0]!;
    expect(start.args).toMatchObject({
      channel: 'C0OPS',
      thread_ts: message.ts,
      recipient_team_id: TEAM_ID,
      recipient_user_id: 'U0ALICE',
      task_display_mode: 'timeline',
    });
    // the mention itself was stripped from the question
    expect(logs.some((l) => l.msg === 'answer' && l.outcome === 'ok' && l.surface === 'mention')).toBe(true);
  });

  it('a follow-up mention in the thread continues the same conversation (same runtime session)', async () => {
    slack = await FakeSlack.start();
    const sessions: string[] = [];
    const agent = localAgent();
    await bot(
      {},
      {
        invoke: (sid, req, sig) => {
          sessions.push(sid);
          return agent.invoke(sid, req, sig);
        },
      },
    );
    const first = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'hello there' });
    await finished('C0OPS', first.message.ts);
    await slack.mention({ channel: 'C0OPS', user: 'U0BOB', text: 'and again', threadTs: first.message.ts });
    const replies = await slack.waitFor(() => {
      const r = slack
        .thread('C0OPS', first.message.ts)
        .filter((m) => m.fromBot && !m.streaming && /AWS calls/.test(m.text));
      return r.length === 2 ? r : undefined;
    });
    expect(replies[0]!.text).toMatch(/^turn 1: hello there/);
    expect(replies[1]!.text).toMatch(/^turn 2: and again/);
    expect(sessions).toEqual([
      sessionIdForThread(TEAM_ID, 'C0OPS', first.message.ts),
      sessionIdForThread(TEAM_ID, 'C0OPS', first.message.ts),
    ]);
    expect(sessions[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a retried event once', async () => {
    slack = await FakeSlack.start();
    await bot();
    const first = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'once please', eventId: 'EvSAME' });
    await finished('C0OPS', first.message.ts);
    const before = invocations;
    await slack.send(
      'events_api',
      slack.eventPayload(
        {
          type: 'app_mention',
          user: 'U0ALICE',
          text: first.message.text,
          ts: first.message.ts,
          channel: 'C0OPS',
          team: TEAM_ID,
        },
        'EvSAME',
      ),
      1,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(invocations).toBe(before);
    expect(slack.thread('C0OPS', first.message.ts)).toHaveLength(1);
  });

  it('reconnects when Slack asks, and keeps answering', async () => {
    slack = await FakeSlack.start();
    await bot();
    const before = slack.connections;
    slack.disconnect('refresh_requested');
    await slack.waitFor(() => slack.connections > before, 15_000, 'a reconnection');
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'still there?' });
    expect((await finished('C0OPS', message.ts))[0]!.text).toMatch(/turn 1: still there\?/);
    expect(slack.callsTo('apps.connections.open').length).toBeGreaterThanOrEqual(2);
  });
});

describe('/aws-ask', () => {
  it('acks at once, posts the question as a parent message and answers in its thread', async () => {
    slack = await FakeSlack.start();
    await bot();
    const { ack } = await slack.command({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    expect(ack.payload ?? {}).toEqual({});
    const parent = await slack.waitFor(() =>
      slack.messages.find((m) => m.fromBot && m.text === '<@U0ALICE> asked: how many instances?'),
    );
    // acked before anything else was done: the 3-second rule never waits on Slack or the agent
    expect(ack.ackedAt).toBeLessThanOrEqual(slack.callsTo('chat.postMessage')[0]!.at);
    expect(parent.thread_ts).toBeUndefined();
    const replies = await finished('C0OPS', parent.ts);
    expect(replies[0]!.text).toContain(`There are **${SEEDED}** EC2 instances`);
  });

  it('shows usage for an empty command and for help, without asking the agent', async () => {
    slack = await FakeSlack.start();
    await bot();
    const before = invocations;
    for (const text of ['', 'help', '  HELP ']) {
      const { ack } = await slack.command({ channel: 'C0OPS', user: 'U0ALICE', text });
      expect(ack.payload).toEqual({ response_type: 'ephemeral', text: HELP_TEXT });
    }
    expect(invocations).toBe(before);
  });

  it('where the bot is not in the channel, answers privately through respond() and says how to invite it', async () => {
    slack = await FakeSlack.start();
    slack.notInChannel.add('C0PRIVATE');
    await bot();
    await slack.command({ channel: 'C0PRIVATE', user: 'U0ALICE', text: 'how many instances?' });
    const reply = await slack.waitFor(() => slack.responses[0]);
    expect(reply.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const text = (reply.body.blocks as { text: string }[])[0]!.text;
    expect(text.startsWith(INVITE_HINT.trim())).toBe(true);
    expect(text).toContain(`There are **${SEEDED}** EC2 instances`);
    expect(text).toMatch(/AWS calls: `ec2:DescribeInstances`/);
  });
});

describe('DMs and the agent view', () => {
  it('answers a DM in its thread, with the assistant status while working and the recipient ids', async () => {
    slack = await FakeSlack.start();
    await bot();
    const { message } = await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: 'how many instances?' });
    const replies = await finished('D0ALICE', message.ts);
    expect(replies[0]!.text).toContain(`There are **${SEEDED}** EC2 instances`);
    expect(slack.callsTo('assistant.threads.setStatus')[0]!.args).toMatchObject({
      channel_id: 'D0ALICE',
      thread_ts: message.ts,
      status: 'is looking into it…',
    });
    // sent in DMs too, as Bolt's own sayStream does
    const start = slack.callsTo('chat.startStream')[0]!.args;
    expect(start).toMatchObject({ recipient_user_id: 'U0ALICE', recipient_team_id: TEAM_ID });
  });

  it('pins suggested prompts to the Messages tab when it opens (agent view), and only there', async () => {
    slack = await FakeSlack.start();
    await bot();
    await slack.send(
      'events_api',
      slack.eventPayload({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'messages' }),
    );
    const call = await slack.waitFor(() => slack.callsTo('assistant.threads.setSuggestedPrompts')[0]);
    // no thread_ts: under agent_view a thread_ts makes the call silently do nothing
    expect(call.args.channel_id).toBe('D0ALICE');
    expect(call.args.thread_ts).toBeUndefined();
    expect(slack.suggestedPrompts.get('D0ALICE')?.prompts).toHaveLength(4);
    await slack.send(
      'events_api',
      slack.eventPayload({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' }),
    );
    // the legacy assistant view's event is no longer subscribed to, nor handled
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'assistant_thread_started',
        assistant_thread: { user_id: 'U0ALICE', channel_id: 'D0ALICE', thread_ts: '1.2', context: {} },
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('assistant.threads.setSuggestedPrompts')).toHaveLength(1);
  });

  it('ignores bot messages, edits and deletions', async () => {
    slack = await FakeSlack.start();
    await bot();
    const before = invocations;
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        channel_type: 'im',
        channel: 'D0ALICE',
        user: 'U0OTHERBOT',
        bot_id: 'B0OTHER',
        text: 'I am a bot',
        ts: '1.1',
      }),
    );
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D0ALICE',
        message: { text: 'edited' },
        ts: '1.2',
      }),
    );
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        subtype: 'message_deleted',
        channel_type: 'im',
        channel: 'D0ALICE',
        ts: '1.3',
      }),
    );
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        channel_type: 'im',
        channel: 'D0ALICE',
        user: BOT_USER_ID,
        text: 'my own reply',
        ts: '1.4',
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(invocations).toBe(before);
    expect(slack.messages.filter((m) => m.fromBot)).toEqual([]);
  });
});

describe('access control', () => {
  it('refuses people and channels not on the allowlists, politely and without any agent or AWS call', async () => {
    slack = await FakeSlack.start();
    await bot({ ALLOWED_USER_IDS: 'U0ALICE', ALLOWED_CHANNEL_IDS: 'C0OPS' });
    const agentBefore = invocations;
    const awsBefore = proxy.requests.length;
    await slack.mention({ channel: 'C0OPS', user: 'U0MALLORY', text: 'how many instances?' });
    await slack.mention({ channel: 'C0RANDOM', user: 'U0ALICE', text: 'how many instances?' });
    const { ack } = await slack.command({ channel: 'C0RANDOM', user: 'U0ALICE', text: 'how many instances?' });
    await slack.dm({ channel: 'D0MALLORY', user: 'U0MALLORY', text: 'how many instances?' });
    await slack.waitFor(() => slack.ephemerals.length === 2);
    expect(slack.ephemerals.map((e) => [e.user, e.channel])).toEqual([
      ['U0MALLORY', 'C0OPS'],
      ['U0ALICE', 'C0RANDOM'],
    ]);
    expect(slack.ephemerals[0]!.text).toMatch(/not on the list of people who may ask/);
    expect(slack.ephemerals[1]!.text).toMatch(/does not answer in this channel/);
    expect(ack.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/does not answer in this channel/),
    });
    const dmRefusal = await slack.waitFor(() => slack.messages.find((m) => m.fromBot && m.channel === 'D0MALLORY'));
    expect(dmRefusal.text).toMatch(/not on the list/);
    expect(invocations).toBe(agentBefore);
    expect(proxy.requests.length).toBe(awsBefore);
    // Alice in the allowed channel, and in her DM, is answered
    const ok = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'hello' });
    expect((await finished('C0OPS', ok.message.ts))[0]!.text).toMatch(/turn 1: hello/);
  });
});

describe('faults', () => {
  it('honours Slack rate limiting (429 + Retry-After) and 500s, and the answer still completes', async () => {
    slack = await FakeSlack.start();
    slack.inject({ method: 'chat.startStream', status: 429, retryAfter: 1 });
    slack.inject({ method: 'chat.stopStream', status: 500, times: 2 });
    await bot();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    const replies = await finished('C0OPS', message.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain(`There are **${SEEDED}** EC2 instances`);
    const starts = slack.callsTo('chat.startStream');
    expect(starts.map((c) => c.result)).toEqual(['ratelimited', 'ok']);
    expect(starts[1]!.at - starts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(slack.callsTo('chat.stopStream').map((c) => c.result)).toEqual(['http_500', 'http_500', 'ok']);
  });

  it('an agent failure ends in a clear message in the thread, with a reference that is in the logs', async () => {
    slack = await FakeSlack.start();
    await bot();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'please fail' });
    const [reply] = await finished('C0OPS', message.ts);
    const ref = /:warning: The AI model failed while answering\. Please try again\. \(ref ([0-9a-f]{8})\)/.exec(
      reply!.text,
    )?.[1];
    expect(ref, reply!.text).toBeDefined();
    expect(reply!.text).not.toMatch(/exploded/);
    expect(logs.some((l) => l.msg === 'agent error' && l.agentRef === ref)).toBe(true);
  });

  it('an answer that takes too long is stopped with a message, never silence', async () => {
    slack = await FakeSlack.start();
    await bot({ ANSWER_TIMEOUT_MS: '1000' });
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'please hang' });
    const [reply] = await finished('C0OPS', message.ts);
    expect(reply!.text).toMatch(
      /:warning: The answer took too long and was stopped\. Try a narrower question\. \(ref [0-9a-f]{8}\)/,
    );
  });

  it('falls back to post-and-update where streaming is unavailable', async () => {
    slack = await FakeSlack.start();
    slack.unknownMethods.add('chat.startStream');
    await bot();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    const replies = await finished('C0OPS', message.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain(`There are **${SEEDED}** EC2 instances`);
    expect(replies[0]!.text).toMatch(/AWS calls: `ec2:DescribeInstances`/);
    expect(slack.callsTo('chat.postMessage').length).toBe(1);
    expect(slack.callsTo('chat.update').length).toBeGreaterThanOrEqual(1);
  });

  it("splits a long answer within Slack's limits", async () => {
    slack = await FakeSlack.start();
    await bot();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'write an essay' });
    const replies = await slack.waitFor(() => {
      const r = slack.thread('C0OPS', message.ts);
      return r.length >= 2 && r.every((m: SlackMessage) => !m.streaming) && /AWS calls/.test(r.at(-1)!.text)
        ? r
        : undefined;
    }, 20_000);
    for (const r of replies) expect(r.text.length).toBeLessThanOrEqual(12_000);
    const all = replies.map((r) => r.text).join('');
    expect(all).toContain('Paragraph 0:');
    expect(all).toContain('Paragraph 399:');
  });
});

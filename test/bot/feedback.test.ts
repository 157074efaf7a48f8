/**
 * Feedback on answers: every answer ends with 👍/👎 buttons (a context_actions block with a feedback_buttons
 * element) whatever the way it was shown (streamed, posted and updated, through a command's response_url,
 * a stream that failed over); each button's value carries the answer's ref and its calls within Slack's
 * 2,000 characters. A click over Socket Mode is acked, logged once with its fields, and thanked privately
 * in the thread, with no agent call. (The Lambda receiver's round trip, with its EMF metric, is in
 * lambda.test.ts.)
 */
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import { type AnswerDeps, answerQuestion } from '../../bot/answer/answer-question.ts';
import type { Thread } from '../../bot/answer/renderer.ts';
import { SlackBudget } from '../../bot/answer/slack-budget.ts';
import {
  callTag,
  FEEDBACK_ACTION_ID,
  feedbackBlock,
  feedbackValue,
  MAX_FEEDBACK_VALUE,
  readFeedbackValue,
} from '../../bot/feedback.ts';
import { respondVia } from '../../bot/job.ts';
import { type DevBot, startDevBot } from '../../bot/socket.ts';
import { createLogger, silentLogger } from '../../common/log.ts';
import type { AgentEvent, ToolCallSummary } from '../../common/protocol.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack, type SlackMessage, TEAM_ID } from '../services/fake-slack.ts';

const call = (i: number, region = 'eu-west-1'): ToolCallSummary => ({
  id: `t${i}`,
  service: 'ec2',
  operation: 'describe_instances',
  iamAction: 'ec2:DescribeInstances',
  region,
  label: 'List EC2 instances',
  ok: true,
  refused: false,
  ms: 4,
  pages: 1,
  items: 3,
});
const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

/** An agent that makes `calls` and answers `text`; it counts its invocations. */
function agent(calls: ToolCallSummary[], text = 'Three instances.'): AgentClient & { invocations: number } {
  const a = {
    invocations: 0,
    async *invoke(): AsyncGenerator<AgentEvent> {
      a.invocations++;
      for (const c of calls) yield { type: 'tool_start', ...c };
      for (const c of calls) yield { type: 'tool_end', ...c };
      yield { type: 'text', text };
      yield { type: 'done', usage, toolCalls: calls, durationMs: 1 };
    },
  };
  return a;
}

let slack: FakeSlack;
let dev: DevBot | undefined;
afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

let n = 0;
const thread = (): Thread => ({
  teamId: TEAM_ID,
  channelId: 'C0OPS',
  threadTs: `1893000${++n}.000100`,
  userId: 'U0ALICE',
  isDm: false,
});
const deps = (a: AgentClient, o: Partial<AnswerDeps> = {}): AnswerDeps => ({
  client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
  agent: a,
  logger: silentLogger,
  streamIntervalMs: 10,
  updateIntervalMs: 0,
  budget: new SlackBudget({ tier3: { limit: 1_000, windowMs: 1_000 }, tier4: { limit: 1_000, windowMs: 1_000 } }),
  ...o,
});

type Block = { type: string; block_id?: string; elements?: Record<string, unknown>[] };
const feedbackIn = (blocks: unknown[] | undefined): Block | undefined =>
  (blocks as Block[] | undefined)?.find((b) => b.type === 'context_actions');
const buttonValue = (block: Block | undefined, which: 'positive_button' | 'negative_button') =>
  readFeedbackValue((block?.elements?.[0]?.[which] as { value?: string } | undefined)?.value);

describe('the buttons’ value', () => {
  it('carries the vote, the ref and the distinct calls; cut to 2,000 characters, saying how many were left', () => {
    const calls = [call(1), call(2), call(3, 'us-east-1')];
    expect(readFeedbackValue(feedbackValue('up', 'ab12cd34', calls))).toEqual({
      vote: 'up',
      ref: 'ab12cd34',
      calls: ['ec2:DescribeInstances@eu-west-1', 'ec2:DescribeInstances@us-east-1'],
      more: 0,
    });
    const many = Array.from({ length: 120 }, (_, i) => ({ ...call(i), iamAction: `ec2:DescribeThing${i}` }));
    const value = feedbackValue('down', 'ab12cd34', many);
    expect(value.length).toBeLessThanOrEqual(MAX_FEEDBACK_VALUE);
    const read = readFeedbackValue(value)!;
    expect(read.calls.length + read.more).toBe(120);
    expect(read.more).toBeGreaterThan(0);
    expect(read.calls[0]).toBe(callTag(many[0]!));
  });

  it('reads back only what this bot wrote', () => {
    for (const junk of ['', 'positive_feedback', '{"vote":"maybe","ref":"x"}', '{"vote":"up"}', '[]', undefined]) {
      expect(readFeedbackValue(junk)).toBeUndefined();
    }
  });
});

describe('every answer ends with the buttons', () => {
  it('streamed: in the last message, from chat.stopStream’s blocks, with the ref and the calls', async () => {
    slack = await FakeSlack.start();
    const t = thread();
    const result = await answerQuestion(deps(agent([call(1)])), t, 'what runs?');
    const [answer] = slack.thread(t.channelId, t.threadTs);
    expect(answer!.streaming).toBe(false);
    const block = feedbackIn(answer!.blocks);
    expect(block).toMatchObject({ block_id: `feedback-${result.ref}`, elements: [{ type: 'feedback_buttons' }] });
    expect(block!.elements![0]!.action_id).toBe(FEEDBACK_ACTION_ID);
    expect(buttonValue(block, 'positive_button')).toEqual({
      vote: 'up',
      ref: result.ref,
      calls: ['ec2:DescribeInstances@eu-west-1'],
      more: 0,
    });
    expect(buttonValue(block, 'negative_button')).toMatchObject({ vote: 'down', ref: result.ref });
    expect(slack.callsTo('chat.stopStream').at(-1)!.args.blocks).toEqual([feedbackBlock(result.ref, [call(1)])]);
  });

  it('posted and updated: the last part of a long answer, beside its markdown, and only there', async () => {
    slack = await FakeSlack.start();
    const t = thread();
    const essay = Array.from({ length: 300 }, (_, i) => `Paragraph ${i}: ${'lorem ipsum '.repeat(6)}\n\n`).join('');
    const result = await answerQuestion(deps(agent([call(1)], essay), { streaming: false }), t, 'tell me');
    const parts = slack.thread(t.channelId, t.threadTs);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.slice(0, -1).every((m) => !feedbackIn(m.blocks))).toBe(true);
    const last = parts.at(-1)!;
    expect((last.blocks as Block[]).map((b) => b.type)).toEqual(['markdown', 'context_actions']);
    expect(buttonValue(feedbackIn(last.blocks), 'positive_button')).toMatchObject({ ref: result.ref });
  });

  it('through a command’s response_url: the last response', async () => {
    slack = await FakeSlack.start();
    const url = `${slack.url}/respond/77`;
    const t = { ...thread(), threadTs: 'cmd:trig.77' };
    const result = await answerQuestion(deps(agent([call(1)])), t, 'what runs?', { respond: respondVia(url) });
    const body = slack.responses.filter((r) => r.url === url).at(-1)!.body;
    expect(buttonValue(feedbackIn(body.blocks as unknown[]), 'negative_button')).toMatchObject({ ref: result.ref });
  });

  it('a stream that failed over to post-and-update: on the message that ends the answer', async () => {
    slack = await FakeSlack.start();
    slack.inject({ method: 'chat.appendStream', error: 'internal_error', times: 100 });
    const t = thread();
    const slow: AgentClient = {
      async *invoke(): AsyncGenerator<AgentEvent> {
        yield { type: 'tool_start', ...call(1) };
        await new Promise((r) => setTimeout(r, 50));
        yield { type: 'tool_end', ...call(1) };
        yield { type: 'text', text: 'Three instances.' };
        yield { type: 'done', usage, toolCalls: [call(1)], durationMs: 1 };
      },
    };
    const result = await answerQuestion(deps(slow), t, 'what runs?');
    expect(result.outcome).toBe('ok');
    const last = slack.thread(t.channelId, t.threadTs).at(-1)!;
    expect(last.text).toContain('Three instances.');
    expect(buttonValue(feedbackIn(last.blocks), 'positive_button')).toMatchObject({ ref: result.ref });
  });

  it('an agent error ends with them too (a vote on a failure is worth having)', async () => {
    slack = await FakeSlack.start();
    const t = thread();
    const failing: AgentClient = {
      async *invoke(): AsyncGenerator<AgentEvent> {
        yield { type: 'error', code: 'model_error', message: 'The model failed (ref abc).', ref: 'abc' };
      },
    };
    const result = await answerQuestion(deps(failing), t, 'what runs?');
    expect(result.outcome).toBe('model_error');
    const last = slack.thread(t.channelId, t.threadTs).at(-1)!;
    expect(buttonValue(feedbackIn(last.blocks), 'positive_button')).toMatchObject({ ref: result.ref, calls: [] });
  });

  it('Slack refusing the buttons never costs the answer: the stream is stopped again without them', async () => {
    slack = await FakeSlack.start();
    slack.inject({ method: 'chat.stopStream', error: 'invalid_blocks' });
    const t = thread();
    const result = await answerQuestion(deps(agent([call(1)])), t, 'what runs?');
    expect(result.outcome).toBe('ok');
    const [answer] = slack.thread(t.channelId, t.threadTs);
    expect(answer!.streaming).toBe(false);
    expect(answer!.text).toContain('AWS calls:');
    expect(slack.callsTo('chat.stopStream').map((c) => [c.result, !!c.args.blocks])).toEqual([
      ['invalid_blocks', true],
      ['ok', false],
    ]);
  });
});

describe('a vote over Socket Mode', () => {
  it('is acked, logged once with the ref, calls and voter, thanked in the thread; no agent call', async () => {
    slack = await FakeSlack.start();
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
    const a = agent([call(1), call(2, 'us-east-1')]);
    dev = await startDevBot(
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: slack.apiUrl },
      logger,
      a,
    );
    await slack.connected();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'what runs?' });
    const answer = await slack.waitFor(
      () => slack.thread('C0OPS', message.ts).find((m: SlackMessage) => !m.streaming && feedbackIn(m.blocks)),
      10_000,
      'the answer with its buttons',
    );
    const ref = logs.find((l) => l.msg === 'answer')!.ref as string;
    const { socket } = await slack.clickFeedback({ message: answer, user: 'U0BOB', vote: 'positive' });
    expect(socket!.ackMs).toBeLessThan(3_000);
    const thanks = await slack.waitFor(() => slack.ephemerals.find((e) => e.user === 'U0BOB'), 5_000, 'the thanks');
    expect(thanks).toMatchObject({ channel: 'C0OPS', thread_ts: message.ts });
    expect(thanks.text).toContain(ref);
    const votes = logs.filter((l) => l.msg === 'feedback');
    expect(votes).toEqual([
      expect.objectContaining({
        level: 'info',
        ref,
        team: TEAM_ID,
        channel: 'C0OPS',
        user: 'U0BOB',
        vote: 'up',
        toolCalls: ['ec2:DescribeInstances@eu-west-1', 'ec2:DescribeInstances@us-east-1'],
      }),
    ]);
    // the conversation is as it was: the agent was asked once, for the question
    expect(a.invocations).toBe(1);
    expect(slack.thread('C0OPS', message.ts)).toHaveLength(1);
  });
});

/**
 * The tool calls of one model turn run concurrently, so a later call can end first. Ends are matched to
 * starts by the call's id: each result is shown under its own title, streamed or posted and updated.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import { type AnswerDeps, answerQuestion } from '../../bot/answer/answer-question.ts';
import type { Thread } from '../../bot/answer/renderer.ts';
import { silentLogger } from '../../common/log.ts';
import type { AgentEvent, ToolCallStart, ToolCallSummary } from '../../common/protocol.ts';
import { BOT_TOKEN, FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

const REGION = 'eu-west-1';
const A: ToolCallStart = {
  id: 'tooluse-A',
  service: 'ec2',
  operation: 'describe_instances',
  iamAction: 'ec2:DescribeInstances',
  region: REGION,
  label: 'List EC2 instances',
};
const B: ToolCallStart = {
  id: 'tooluse-B',
  service: 'lambda',
  operation: 'list_functions',
  iamAction: 'lambda:ListFunctions',
  region: REGION,
  label: 'List Lambda functions',
};
const TITLE_A = `ec2 describe_instances in ${REGION}: List EC2 instances`;
const TITLE_B = `lambda list_functions in ${REGION}: List Lambda functions`;
const OUTPUT_A = '7 items · 40 ms';
const OUTPUT_B = '3 items · 15 ms';
const summary = (call: ToolCallStart, items: number, ms: number): ToolCallSummary => ({
  ...call,
  ok: true,
  refused: false,
  ms,
  pages: 1,
  items,
});
const endA = summary(A, 7, 40);
const endB = summary(B, 3, 15);
const FOOTER = /AWS calls: `lambda:ListFunctions` · eu-west-1, `ec2:DescribeInstances` · eu-west-1/;

/** Starts A, starts B, B ends, A ends: the order concurrent calls can take. */
const crossing: AgentClient = {
  async *invoke(): AsyncGenerator<AgentEvent> {
    yield { type: 'tool_start', ...A };
    yield { type: 'tool_start', ...B };
    yield { type: 'tool_end', ...endB };
    yield { type: 'tool_end', ...endA };
    yield { type: 'text', text: 'Seven instances and three functions.' };
    const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
    yield { type: 'done', usage, toolCalls: [endB, endA], durationMs: 60 };
  },
};

interface TaskChunk {
  readonly type: string;
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly output?: string;
}

let slack: FakeSlack;
let n = 0;
const thread = (): Thread => ({
  teamId: TEAM_ID,
  channelId: 'C0OPS',
  threadTs: `18900000${++n}.000100`,
  userId: 'U0ALICE',
  isDm: false,
});
const deps = (o: Partial<AnswerDeps> = {}): AnswerDeps => ({
  client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
  agent: crossing,
  logger: silentLogger,
  ...o,
});

/** Every task_update chunk sent to Slack, in order. */
const taskUpdates = (): TaskChunk[] =>
  slack.calls
    .filter((c) => /^chat\.(start|append|stop)Stream$/.test(c.method))
    .flatMap((c) => (Array.isArray(c.args.chunks) ? (c.args.chunks as TaskChunk[]) : []))
    .filter((c) => c.type === 'task_update');

/** The Markdown of every chat.postMessage and chat.update, in order. */
const bodies = (): string[] =>
  slack.calls
    .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update')
    .map((c) => (c.args.blocks as { text: string }[] | undefined)?.[0]?.text ?? String(c.args.text ?? ''));

/** No line shows a call's title with the other call's result. */
function expectNoCrossedLines(texts: string[]): void {
  for (const line of texts.flatMap((t) => t.split('\n'))) {
    if (line.includes(TITLE_A)) expect(line).not.toContain(OUTPUT_B);
    if (line.includes(TITLE_B)) expect(line).not.toContain(OUTPUT_A);
  }
}

beforeEach(async () => {
  slack = await FakeSlack.start();
});
afterEach(async () => slack.close());

describe('calls that end in another order than they started', () => {
  it('streamed: each task ends with its own title and output', async () => {
    const t = thread();
    const result = await answerQuestion(deps(), t, 'what runs?');
    expect(result.outcome).toBe('ok');
    const updates = taskUpdates();
    expect(updates.map((u) => [u.id, u.status])).toEqual([
      [A.id, 'in_progress'],
      [B.id, 'in_progress'],
      [B.id, 'complete'],
      [A.id, 'complete'],
    ]);
    expect(updates.filter((u) => u.id === A.id).at(-1)).toMatchObject({ title: TITLE_A, output: OUTPUT_A });
    expect(updates.filter((u) => u.id === B.id).at(-1)).toMatchObject({ title: TITLE_B, output: OUTPUT_B });
    for (const u of updates) expect(u.title).toBe(u.id === A.id ? TITLE_A : TITLE_B);
    const [answer] = slack.thread(t.channelId, t.threadTs);
    expect(answer!.tasks).toEqual([
      expect.objectContaining({ id: A.id, title: TITLE_A, status: 'complete', output: OUTPUT_A }),
      expect.objectContaining({ id: B.id, title: TITLE_B, status: 'complete', output: OUTPUT_B }),
    ]);
    expect(answer!.text).toMatch(FOOTER);
  });

  it('posted and updated (streaming off): each result is shown beside its own title', async () => {
    const t = thread();
    const result = await answerQuestion(deps({ streaming: false, updateIntervalMs: 0 }), t, 'what runs?');
    expect(result.outcome).toBe('ok');
    const texts = bodies();
    expectNoCrossedLines(texts);
    // once both calls had ended, the message showed both results, each under its own title
    const both = texts.filter((x) => x.includes(`${TITLE_A} (${OUTPUT_A})`) && x.includes(`${TITLE_B} (${OUTPUT_B})`));
    expect(both.length).toBeGreaterThanOrEqual(1);
    expect(both[0]).toContain(`:white_check_mark: ${TITLE_A} (${OUTPUT_A})`);
    expect(both[0]).toContain(`:white_check_mark: ${TITLE_B} (${OUTPUT_B})`);
    const replies = slack.thread(t.channelId, t.threadTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^Seven instances and three functions\./);
    expect(replies[0]!.text).toMatch(FOOTER);
  });

  it('streaming unavailable mid-answer: the fallback still shows each result beside its own title', async () => {
    slack.unknownMethods.add('chat.startStream');
    const t = thread();
    const result = await answerQuestion(deps({ updateIntervalMs: 0 }), t, 'what runs?');
    expect(result.outcome).toBe('ok');
    const texts = bodies();
    expectNoCrossedLines(texts);
    const both = (x: string) => x.includes(`${TITLE_A} (${OUTPUT_A})`) && x.includes(`${TITLE_B} (${OUTPUT_B})`);
    expect(texts.some(both)).toBe(true);
  });
});

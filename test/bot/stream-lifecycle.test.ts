/**
 * Every streamed answer closes what it opened, whatever happens: a stream that fails is stopped and the
 * rest posted; calls still running at an error or a timeout end as errors (no spinner left); the user's
 * Stop aborts the agent and nothing more is posted; a long answer rolls over to a new message before
 * Slack ends the stream (the fake ends streams like Slack, after `streamTtlMs`).
 */
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import { type AnswerDeps, answerQuestion } from '../../bot/answer/answer-question.ts';
import type { Thread } from '../../bot/answer/renderer.ts';
import { SlackBudget } from '../../bot/answer/slack-budget.ts';
import { silentLogger } from '../../common/log.ts';
import type { AgentEvent, ToolCallStart, ToolCallSummary } from '../../common/protocol.ts';
import { BOT_TOKEN, FakeSlack, type SlackMessage, TEAM_ID } from '../services/fake-slack.ts';

const call = (id: string): ToolCallStart => ({
  id,
  service: 'ec2',
  operation: 'describe_instances',
  iamAction: 'ec2:DescribeInstances',
  region: 'eu-west-1',
  label: `call ${id}`,
});
const ended = (id: string): ToolCallSummary => ({ ...call(id), ok: true, refused: false, ms: 5, pages: 1, items: 2 });
const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
const done = (...ids: string[]): AgentEvent => ({ type: 'done', usage, toolCalls: ids.map(ended), durationMs: 1 });

type Step = AgentEvent | { readonly wait: number } | 'hang';

/** An agent playing `steps`; it records its signal, and obeys it unless `deaf`. */
function agent(steps: Step[], deaf = false): AgentClient & { signal?: AbortSignal; yielded: number } {
  const a: AgentClient & { signal?: AbortSignal; yielded: number } = {
    yielded: 0,
    async *invoke(_sid, _req, signal) {
      a.signal = signal;
      for (const s of steps) {
        if (!deaf && signal?.aborted) return;
        if (s === 'hang') {
          await new Promise((r) => signal?.addEventListener('abort', r));
          return;
        }
        if ('wait' in s) {
          await new Promise((r) => setTimeout(r, s.wait));
          continue;
        }
        a.yielded++;
        yield s;
      }
    },
  };
  return a;
}

/** `n` text deltas, `gap` ms apart. */
const drip = (n: number, gap: number, word = 'word'): Step[] =>
  Array.from({ length: n }, (_, i) => [{ wait: gap }, { type: 'text', text: `${word}${i} ` } as AgentEvent]).flat();

let slack: FakeSlack;
let n = 0;
const thread = (): Thread => ({
  teamId: TEAM_ID,
  channelId: 'C0OPS',
  threadTs: `1891000${++n}.000100`,
  userId: 'U0ALICE',
  isDm: false,
});
const deps = (agentClient: AgentClient, o: Partial<AnswerDeps> = {}): AnswerDeps => ({
  client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
  agent: agentClient,
  logger: silentLogger,
  streamIntervalMs: 20,
  updateIntervalMs: 0,
  // these tests are not about rate limits: a budget of their own, out of the way
  budget: new SlackBudget({ tier3: { limit: 1_000, windowMs: 1_000 }, tier4: { limit: 1_000, windowMs: 1_000 } }),
  ...o,
});
const streamed = (t: Thread): SlackMessage[] => slack.thread(t.channelId, t.threadTs);

afterEach(async () => slack?.close());

describe('closing what was opened', () => {
  it('a failed stream is stopped best-effort (open calls as errors) and the rest of the answer posted', async () => {
    slack = await FakeSlack.start();
    slack.inject({ method: 'chat.appendStream', error: 'fatal_error' });
    const t = thread();
    const steps: Step[] = [
      { type: 'tool_start', ...call('A') },
      { wait: 60 },
      { type: 'text', text: 'part one. ' },
      { wait: 60 },
      { type: 'tool_end', ...ended('A') },
      { type: 'text', text: 'part two.' },
      done('A'),
    ];
    const result = await answerQuestion(deps(agent(steps)), t, 'q');
    expect(result.outcome).toBe('ok');
    const [stream, posted] = streamed(t);
    // the failed stream was closed, with the call it was showing marked as an error
    expect(slack.callsTo('chat.stopStream').map((c) => c.args.ts)).toEqual([stream!.ts]);
    expect(stream).toMatchObject({ streaming: false });
    expect(stream!.tasks).toEqual([expect.objectContaining({ id: 'A', status: 'error' })]);
    // the answer went on in a posted message: nothing was lost
    expect(posted!.text).toMatch(/^part one\. part two\./);
    expect(posted!.text).toMatch(/AWS calls: `ec2:DescribeInstances`/);
  });

  it('an agent error while calls run: those calls end as errors, no spinner stays', async () => {
    slack = await FakeSlack.start();
    const t = thread();
    const steps: Step[] = [
      { type: 'tool_start', ...call('A') },
      { type: 'tool_start', ...call('B') },
      { wait: 40 },
      { type: 'tool_end', ...ended('B') },
      { type: 'error', code: 'model_error', message: 'The AI model failed while answering. (ref 0000abcd)', ref: 'x' },
    ];
    const result = await answerQuestion(deps(agent(steps)), t, 'q');
    expect(result.outcome).toBe('model_error');
    const [answer] = streamed(t);
    expect(answer).toMatchObject({ streaming: false });
    expect(answer!.text).toMatch(/:warning: The AI model failed/);
    expect(answer!.tasks.map((x) => [x.id, x.status, x.output])).toEqual([
      ['A', 'error', 'did not finish'],
      ['B', 'complete', '2 items · 5 ms'],
    ]);
  });

  it('a timeout while a call runs: the call ends as an error and the timeout is said', async () => {
    slack = await FakeSlack.start();
    const t = thread();
    const result = await answerQuestion(
      deps(agent([{ type: 'tool_start', ...call('A') }, 'hang']), { timeoutMs: 300 }),
      t,
      'q',
    );
    expect(result.outcome).toBe('timeout');
    const [answer] = streamed(t);
    expect(answer).toMatchObject({ streaming: false });
    expect(answer!.text).toMatch(/:warning: The answer took too long/);
    expect(answer!.tasks).toEqual([expect.objectContaining({ id: 'A', status: 'error' })]);
  });
});

describe('the user pressing Stop', () => {
  it.each([
    ['an agent that listens to its signal', false],
    ['an agent that ignores it', true],
  ])('aborts the agent invocation and posts nothing more (%s)', async (_what, deaf) => {
    slack = await FakeSlack.start();
    const t = thread();
    const a = agent([{ type: 'tool_start', ...call('A') }, ...drip(150, 20)], deaf);
    const answering = answerQuestion(deps(a), t, 'q');
    const open = await slack.waitFor(() => slack.streamingIn(t.channelId, t.threadTs), 5_000, 'a stream');
    await slack.waitFor(() => open.text.includes('word3'), 5_000, 'some text');
    const stoppedAt = Date.now();
    slack.stopByUser(t.channelId, open.ts);
    const result = await answering;
    expect(result.outcome).toBe('cancelled');
    // the abort reached the agent's invocation (its AWS calls are cancelled with it)
    expect(a.signal?.aborted).toBe(true);
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    // after the refused append, not one more call to Slack, and no new message
    const after = slack.calls.filter((c) => c.at >= stoppedAt && c.method.startsWith('chat.'));
    expect(after.map((c) => [c.method, c.result])).toEqual([['chat.appendStream', 'stopped_by_user']]);
    expect(streamed(t)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(slack.calls.filter((c) => c.at >= stoppedAt)).toHaveLength(1);
  });
});

describe('long answers', () => {
  it('roll over to a new message before Slack ends the stream, carrying a running call', async () => {
    // Slack ends streams after about five minutes and the bot rolls over at 4.5: here 900 ms and 500 ms
    slack = await FakeSlack.start({ streamTtlMs: 900 });
    const t = thread();
    const steps: Step[] = [
      { type: 'tool_start', ...call('A') },
      ...drip(25, 50, 'a'),
      { type: 'tool_end', ...ended('A') },
      ...drip(10, 50, 'b'),
      done('A'),
    ];
    const result = await answerQuestion(deps(agent(steps), { streamRolloverMs: 500 }), t, 'q');
    expect(result.outcome).toBe('ok');
    expect(slack.calls.filter((c) => c.result === 'message_not_in_streaming_state')).toEqual([]);
    const messages = streamed(t);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) expect(m).toMatchObject({ streaming: false });
    expect(messages.some((m) => m.expired)).toBe(false);
    for (const m of messages.slice(0, -1)) expect(m.text).toMatch(/_…\(continued below\)_$/);
    // nothing lost, nothing twice, in order
    const words = messages
      .map((m) => m.text)
      .join(' ')
      .match(/\b[ab]\d+\b/g);
    expect(words).toEqual([
      ...Array.from({ length: 25 }, (_, i) => `a${i}`),
      ...Array.from({ length: 10 }, (_, i) => `b${i}`),
    ]);
    // the running call went on in each new message and ended in the one where it ended
    const withA = messages.filter((m) => m.tasks.some((x) => x.id === 'A'));
    expect(withA.length).toBeGreaterThanOrEqual(2);
    expect(withA.at(-1)!.tasks.find((x) => x.id === 'A')).toMatchObject({
      status: 'complete',
      output: '2 items · 5 ms',
    });
    expect(messages.at(-1)!.text).toMatch(/AWS calls: `ec2:DescribeInstances`/);
  });

  it('an idle stream (the agent thinking, a call running) rolls over too', async () => {
    slack = await FakeSlack.start({ streamTtlMs: 500 });
    const t = thread();
    const steps: Step[] = [
      { type: 'tool_start', ...call('A') },
      { wait: 1_100 },
      { type: 'tool_end', ...ended('A') },
      { type: 'text', text: 'The end.' },
      done('A'),
    ];
    const result = await answerQuestion(deps(agent(steps), { streamRolloverMs: 300 }), t, 'q');
    expect(result.outcome).toBe('ok');
    expect(slack.calls.filter((c) => c.result === 'message_not_in_streaming_state')).toEqual([]);
    const messages = streamed(t);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages.some((m) => m.expired || m.streaming)).toBe(false);
    expect(messages.at(-1)!.text).toMatch(/^The end\./);
  });
});

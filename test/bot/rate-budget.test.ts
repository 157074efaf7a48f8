/**
 * Slack's limits are per method and workspace (https://docs.slack.dev/apis/web-api/rate-limits), so the
 * answers running at once in one process share one budget per workspace and tier. Against the fake's
 * limits (Slack's published tiers, a minute shrunk to a second), several concurrent answers stay under
 * them; without the shared budget the same load is rate limited.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import { type AnswerDeps, answerQuestion } from '../../bot/answer/answer-question.ts';
import { SLACK_BUDGET, SlackBudget } from '../../bot/answer/slack-budget.ts';
import { slackClientOptions } from '../../bot/slack-client.ts';
import { silentLogger } from '../../common/log.ts';
import type { AgentEvent, ToolCallSummary } from '../../common/protocol.ts';
import { BOT_TOKEN, FakeSlack, SLACK_RATE_LIMITS, scaledLimits, TEAM_ID } from '../services/fake-slack.ts';

/** A minute of Slack's limits in a second. */
const FACTOR = 60;

const summary = (id: string): ToolCallSummary => ({
  id,
  service: 'ec2',
  operation: 'describe_instances',
  iamAction: 'ec2:DescribeInstances',
  region: 'eu-west-1',
  label: id,
  ok: true,
  refused: false,
  ms: 3,
  pages: 1,
  items: 1,
});

/** Three calls and 60 text deltas, 8 ms apart: an answer that would append as often as it is let. */
const busyAgent: AgentClient = {
  async *invoke(): AsyncGenerator<AgentEvent> {
    const calls = ['c1', 'c2', 'c3'];
    for (const id of calls) {
      yield { type: 'tool_start', ...summary(id) };
      await new Promise((r) => setTimeout(r, 8));
      yield { type: 'tool_end', ...summary(id) };
    }
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 8));
      yield { type: 'text', text: `w${i} ` };
    }
    const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
    yield { type: 'done', usage, toolCalls: calls.map(summary), durationMs: 1 };
  },
};

let slack: FakeSlack;
afterEach(async () => slack?.close());

/** Six answers at once in one workspace, four streamed and two posted and updated, through one client. */
async function sixAnswers(budget: SlackBudget) {
  // one Web API client per process, as in the worker and the dev bot (429s pause it, Retry-After honoured)
  const client = new WebClient(BOT_TOKEN, slackClientOptions({ slackApiUrl: slack.apiUrl }, silentLogger));
  const deps = (streaming: boolean): AnswerDeps => ({
    client,
    agent: busyAgent,
    logger: silentLogger,
    streaming,
    streamIntervalMs: 5,
    updateIntervalMs: 5,
    budget,
  });
  const threads = Array.from({ length: 6 }, (_, i) => ({
    teamId: TEAM_ID,
    channelId: 'C0OPS',
    threadTs: `189200000${i}.000100`,
    userId: 'U0ALICE',
    isDm: false,
  }));
  const results = await Promise.all(threads.map((t, i) => answerQuestion(deps(i < 4), t, 'what runs?')));
  return { results, threads };
}

describe('one Slack budget per workspace, shared by every answer', () => {
  it('keeps several concurrent answers under Slack’s per-method limits: not one 429', async () => {
    slack = await FakeSlack.start({ rateLimits: scaledLimits(SLACK_RATE_LIMITS, FACTOR) });
    const budget = new SlackBudget({
      tier3: { ...SLACK_BUDGET.tier3, windowMs: SLACK_BUDGET.tier3.windowMs / FACTOR },
      tier4: { ...SLACK_BUDGET.tier4, windowMs: SLACK_BUDGET.tier4.windowMs / FACTOR },
    });
    const { results, threads } = await sixAnswers(budget);
    expect(slack.rateLimited).toEqual([]);
    expect(results.map((r) => r.outcome)).toEqual(Array(6).fill('ok'));
    for (const t of threads) {
      const replies = slack.thread(t.channelId, t.threadTs);
      const text = replies.map((m) => m.text).join('');
      expect(text).toContain('w0 ');
      expect(text).toContain('w59 ');
      expect(replies.at(-1)!.text).toMatch(/AWS calls: /);
      expect(replies.every((m) => !m.streaming)).toBe(true);
    }
    // the load was real: the budget was spent, appends and updates were paced, not skipped
    expect(slack.callsTo('chat.appendStream').length).toBeGreaterThan(20);
    expect(slack.callsTo('chat.update').length).toBeGreaterThan(10);
  });

  it('(control) the same load with no shared budget is rate limited', async () => {
    slack = await FakeSlack.start({ rateLimits: scaledLimits(SLACK_RATE_LIMITS, FACTOR) });
    const unlimited = new SlackBudget({
      tier3: { limit: 100_000, windowMs: 1_000 },
      tier4: { limit: 100_000, windowMs: 1_000 },
    });
    await sixAnswers(unlimited);
    expect(slack.rateLimited.length).toBeGreaterThan(0);
  });
});

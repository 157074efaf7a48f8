/**
 * The console links on each AWS call's task (bot/sources.ts): a page for what the operation reads where
 * the table knows one, the service's console, a generic console address for a service it does not know,
 * no region for a global service; at most MAX_SOURCES_PER_TASK. And in a streamed answer, every task
 * update carries them, in the shape the fake Slack checks (URL source elements).
 */
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import { answerQuestion } from '../../bot/answer/answer-question.ts';
import { SlackBudget } from '../../bot/answer/slack-budget.ts';
import { MAX_SOURCES_PER_TASK, sourcesFor } from '../../bot/sources.ts';
import { silentLogger } from '../../common/log.ts';
import type { AgentEvent, ToolCallStart } from '../../common/protocol.ts';
import { BOT_TOKEN, FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

const links = (service: string, operation: string, region = 'eu-west-1') =>
  sourcesFor({ service, operation, region }).map((s) => [s.text, s.url]);

describe('sourcesFor', () => {
  it('links the page of what the common operations read, and the service console, in the call’s region', () => {
    expect(links('ec2', 'describe_instances')).toEqual([
      ['EC2 instances · eu-west-1', 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:'],
      ['EC2 console · eu-west-1', 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Home:'],
    ]);
    expect(links('lambda', 'list_functions', 'us-east-2')[0]).toEqual([
      'Lambda functions · us-east-2',
      'https://us-east-2.console.aws.amazon.com/lambda/home?region=us-east-2#/functions',
    ]);
    expect(links('rds', 'DescribeDBInstances')[0]).toEqual([
      'RDS databases · eu-west-1',
      'https://eu-west-1.console.aws.amazon.com/rds/home?region=eu-west-1#databases:',
    ]);
    expect(links('dynamodb', 'list_tables')[0]![1]).toBe(
      'https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#tables',
    );
    expect(links('cloudformation', 'describe_stacks')[0]![1]).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks',
    );
    expect(links('ecs', 'list_clusters')[0]![1]).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters?region=eu-west-1',
    );
    expect(links('eks', 'list_clusters')[0]![1]).toBe(
      'https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters',
    );
    expect(links('cloudwatch', 'describe_alarms')[0]![1]).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:',
    );
    // an alias of the service and an operation the table has no page for: the console alone
    expect(links('cloud-watch-logs', 'get_log_events')).toEqual([
      [
        'CloudWatch Logs console · eu-west-1',
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups',
      ],
    ]);
  });

  it('global services: no region in the link or its text', () => {
    expect(links('iam', 'list_roles', 'us-east-1')).toEqual([
      ['IAM roles', 'https://console.aws.amazon.com/iam/home#/roles'],
      ['IAM console', 'https://console.aws.amazon.com/iam/home#/home'],
    ]);
    expect(links('ce', 'get_cost_and_usage', 'aws-global')).toEqual([
      ['Cost Explorer console', 'https://console.aws.amazon.com/cost-management/home#/cost-explorer'],
    ]);
    expect(links('s3', 'list_buckets')).toEqual([['S3 buckets', 'https://s3.console.aws.amazon.com/s3/buckets']]);
  });

  it('a service the table does not know: the console’s generic address; nothing for a malformed region', () => {
    expect(links('bedrock', 'list_foundation_models', 'us-west-2')).toEqual([
      ['bedrock console · us-west-2', 'https://us-west-2.console.aws.amazon.com/bedrock/home?region=us-west-2'],
    ]);
    expect(links('bedrock', 'list_foundation_models', 'not a region')).toEqual([]);
    expect(links('ec2', 'describe_instances', 'x/../evil')).toEqual([]);
  });

  it('never more than the cap per task', () => {
    for (const [service, op] of [
      ['ec2', 'describe_security_groups'],
      ['iam', 'list_users'],
      ['elbv2', 'describe_target_groups'],
      ['cloudtrail', 'lookup_events'],
    ] as const) {
      expect(sourcesFor({ service, operation: op, region: 'eu-west-1' }).length).toBeLessThanOrEqual(
        MAX_SOURCES_PER_TASK,
      );
    }
  });
});

describe('a streamed answer', () => {
  let slack: FakeSlack;
  afterEach(async () => slack?.close());

  it('carries the links on each task update, start and end, in the shape Slack takes', async () => {
    slack = await FakeSlack.start();
    const start = (id: string, service: string, operation: string, region: string): ToolCallStart => ({
      id,
      service,
      operation,
      region,
      label: `${service} ${operation}`,
    });
    const calls = [
      start('t1', 'ec2', 'describe_instances', 'eu-west-1'),
      start('t2', 'iam', 'list_roles', 'us-east-1'),
    ];
    const summary = (c: ToolCallStart) => ({ ...c, ok: true, refused: false, ms: 3, pages: 1, items: 2 });
    const agent: AgentClient = {
      async *invoke(): AsyncGenerator<AgentEvent> {
        for (const c of calls) yield { type: 'tool_start', ...c };
        for (const c of calls) yield { type: 'tool_end', ...summary(c) };
        yield { type: 'text', text: 'Two instances, three roles.' };
        const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
        yield { type: 'done', usage, toolCalls: calls.map(summary), durationMs: 1 };
      },
    };
    const thread = {
      teamId: TEAM_ID,
      channelId: 'C0OPS',
      threadTs: '1892000001.000100',
      userId: 'U0ALICE',
      isDm: false,
    };
    const result = await answerQuestion(
      {
        client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
        agent,
        logger: silentLogger,
        streamIntervalMs: 10,
        budget: new SlackBudget({ tier3: { limit: 1_000, windowMs: 1_000 }, tier4: { limit: 1_000, windowMs: 1_000 } }),
      },
      thread,
      'what runs?',
    );
    expect(result.outcome).toBe('ok');
    const [answer] = slack.thread('C0OPS', thread.threadTs);
    expect(answer!.tasks.map((t) => [t.id, t.status, t.sources])).toEqual([
      ['t1', 'complete', sourcesFor(calls[0]!)],
      ['t2', 'complete', sourcesFor(calls[1]!)],
    ]);
    // every task_update sent carried them, the in-progress ones too; Slack (the fake) took every call
    const chunks = slack.calls
      .filter((c) => c.method.endsWith('Stream'))
      .flatMap((c) => (c.args.chunks as { type: string; sources?: unknown }[] | undefined) ?? [])
      .filter((c) => c.type === 'task_update');
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.every((c) => Array.isArray(c.sources) && c.sources.length > 0)).toBe(true);
    expect(slack.calls.every((c) => c.result === 'ok')).toBe(true);
  });
});

/**
 * Faults in the middle of an answer: AWS (moto) going away between two calls, STS failing, an
 * AgentCore runtime that never answers, and a worker that dies mid-answer. Each ends in a clear
 * message and nothing is lost or answered twice.
 */

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@strands-agents/sdk';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { AwsCaller } from '../../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { startDevBot } from '../../bot/socket.ts';
import { createLogger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import { type Harness, invokeSse, sessionId, startHarness } from '../helpers/agent-harness.ts';
import { motoConfig } from '../helpers/aws.ts';
import { seedFunctionResources, seedInstances, seedRoles } from '../helpers/seed.ts';
import { mentionJob } from '../helpers/slack-requests.ts';
import { receiveJobs, sqsRecord } from '../helpers/sqs.ts';
import { roleMode } from '../helpers/tool-role.ts';
import { runTool } from '../helpers/tools.ts';
import { type AgentCoreShim, startAgentCoreShim } from '../services/agentcore-shim.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack, SIGNING_SECRET } from '../services/fake-slack.ts';
import { freePort, type MotoServer, startMoto } from '../services/moto.ts';
import { awaitingAnswer, ScriptedModel, toolResultTexts } from '../services/scripted-model.ts';

const REGION = 'eu-west-1';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const aws = motoConfig(REGION);
let moto: MotoServer;
let toolRoleArn: string;

beforeAll(async () => {
  // a private moto: one test stops it
  moto = await startMoto();
  process.env.AWS_ENDPOINT_URL = moto.url;
  [toolRoleArn] = (await seedRoles(moto.url, '/', ['aws-ask-tool-faults'])) as [string];
  await seedInstances(moto.url, REGION, 2, 'fault');
});

afterAll(async () => {
  await moto.stop();
});

describe('AWS and STS failures reach the model as clear errors', () => {
  it('STS failing: the tool says the bot could not get its credentials, and nothing else is called', async () => {
    const closed = await freePort();
    process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${closed}`;
    try {
      const tool = createControlledUseAws({
        credentials: new PinnedCredentials(roleMode(toolRoleArn), { region: REGION }),
        caller: new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION }),
      });
      const r = await runTool(
        tool,
        { service_name: 'ec2', operation_name: 'describe_instances', region: REGION, label: 'x' },
        { asker: { teamId: 'T1', userId: 'U1' } },
      );
      expect(r.status).toBe('error');
      expect(r.text).toMatch(
        new RegExp(
          'could not get its AWS credentials accepted .*' +
            'could not assume the tool role arn:aws:iam::123456789012:role\\/aws-ask-tool-faults',
        ),
      );
      expect(r.text).toMatch(/deployment problem/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});

describe('the agent server', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('AWS going away between calls: the second is a NetworkError the model sees; the answer still ends', async () => {
    const describe = {
      name: 'controlled_use_aws',
      input: { service_name: 'ec2', operation_name: 'describe_instances', region: REGION, label: 'instances' },
    };
    let calls = 0;
    h = await startHarness({
      region: REGION,
      toolRoleArn,
      model: () =>
        new ScriptedModel([], async (messages: Message[]) => {
          calls++;
          if (calls === 1) return { tools: [describe] };
          if (calls === 2) {
            await moto.stop(); // AWS disappears mid-answer
            return { tools: [describe] };
          }
          const [first, second] = toolResultTexts(messages);
          return {
            text: `first: ${first?.includes('fault-0') ? 'ok' : 'missing'}; second: ${second?.split(':')[1]?.trim()}`,
          };
        }),
    });
    const events = await invokeSse(h.url, sessionId('moto-down'), { prompt: 'how many instances, twice?' });
    const tools = events.filter((e) => e.type === 'tool_end') as Extract<AgentEvent, { type: 'tool_end' }>[];
    expect(tools.map((t) => [t.ok, t.errorCode ?? null])).toEqual([
      [true, null],
      [false, 'NetworkError'],
    ]);
    const text = events
      .filter((e) => e.type === 'text')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(text).toBe('first: ok; second: NetworkError');
    expect(events.at(-1)!.type).toBe('done');
    moto = await startMoto(); // for the tests after this one
    process.env.AWS_ENDPOINT_URL = moto.url;
    [toolRoleArn] = (await seedRoles(moto.url, '/', ['aws-ask-tool-faults'])) as [string];
  });
});

describe('AgentCore and Slack faults at the bot', () => {
  let runtime: Harness;
  let shim: AgentCoreShim;
  let slack: FakeSlack;
  afterAll(async () => {
    await shim?.close();
    await runtime?.close();
    await slack?.close();
  });

  it('a runtime that never answers: the thread gets a timeout message, and the next question works', async () => {
    runtime = await startHarness({
      region: REGION,
      toolRoleArn,
      model: () => new ScriptedModel([], () => ({ text: 'back again' })),
    });
    shim = await startAgentCoreShim(runtime.url);
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = shim.url;
    slack = await FakeSlack.start();
    const dev = await startDevBot(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        ANSWER_TIMEOUT_MS: '1500',
        AGENT_RUNTIME_ARN: `arn:aws:bedrock-agentcore:${REGION}:123456789012:runtime/aws_ask-Hang1`,
      },
      createLogger({ write: () => {} }),
    );
    try {
      shim.fail({ status: 0, type: 'hang', message: '' });
      // Slack is also rate limiting and failing for a while
      slack.inject({ method: 'chat.startStream', status: 429, retryAfter: 0, times: 2 });
      slack.inject({ method: 'chat.stopStream', status: 500, times: 2 });
      const answer = async (text: string) => {
        const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text });
        return slack.waitFor(() => {
          const m = slack.thread('C0OPS', message.ts).at(-1);
          return m && !m.streaming && /AWS calls|:warning:/.test(m.text) ? m : undefined;
        }, 20_000);
      };
      expect((await answer('hello?')).text).toMatch(
        /:warning: The answer took too long and was stopped\. Try a narrower question\. \(ref [0-9a-f]{8}\)/,
      );
      expect((await answer('and now?')).text).toMatch(/^back again/);
      expect(slack.callsTo('chat.startStream').map((c) => c.result)).toEqual([
        'ratelimited',
        'ratelimited',
        'ok',
        'ok',
      ]);
    } finally {
      await dev.stop();
      delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
    }
  });
});

describe('a worker that dies mid-answer', () => {
  it('the job is retried and answered once', async () => {
    const sqs = new SQSClient({ ...aws, endpoint: moto.url });
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'crash.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '1' } }),
      )
    ).QueueUrl!;
    await seedFunctionResources(moto.url, REGION, {
      secretName: 'crash/slack',
      table: 'crash-idem',
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
    });
    const slack = await FakeSlack.start();
    let modelCalls = 0;
    let entered!: () => void;
    const thinking = new Promise<void>((r) => (entered = r));
    const runtime = await startHarness({
      region: REGION,
      toolRoleArn,
      // the runtime keeps running an invocation whose caller died, until its own turn timeout
      invocationTimeoutMs: 1_500,
      model: () =>
        new ScriptedModel([], async (messages) => {
          modelCalls++;
          if (modelCalls === 1) {
            entered();
            return new Promise(() => {}); // the first attempt never finishes: its worker is killed
          }
          return { text: awaitingAnswer(messages) ? 'never' : 'The answer, once.' };
        }),
    });
    const shim = await startAgentCoreShim(runtime.url);
    const env = {
      AWS_REGION: REGION,
      SLACK_SECRET_ID: 'crash/slack',
      SLACK_API_URL: slack.apiUrl,
      IDEMPOTENCY_TABLE: 'crash-idem',
      AGENT_RUNTIME_ARN: `arn:aws:bedrock-agentcore:${REGION}:123456789012:runtime/aws_ask-Crash1`,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: shim.url,
      MAX_RECEIVE_COUNT: '3',
    };
    try {
      const ts = '1870000000.000100';
      const job = mentionJob(ts, { dedupeKey: 'EvCrash' });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(job),
          MessageGroupId: 'g',
          MessageDeduplicationId: 'EvCrash',
        }),
      );
      const receive = async () => {
        for (let i = 0; i < 50; i++) {
          const [m] = await receiveJobs(sqs, queueUrl);
          if (m) return sqsRecord(m, REGION, 'crash.fifo');
          await new Promise((res) => setTimeout(res, 200));
        }
        throw new Error('no message came back');
      };
      // attempt 1, in a process of its own, killed while the agent is thinking
      const first = await receive();
      const child = spawn(process.execPath, [join(root, 'test', 'helpers', 'worker-child.ts')], {
        env: { ...process.env, ...env, WORKER_RECORD: JSON.stringify(first), WORKER_REMAINING_MS: '2000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let childOut = '';
      child.stdout?.on('data', (d: Buffer) => (childOut += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (childOut += d.toString()));
      const exited = new Promise<void>((_, fail) =>
        child.on('close', (code) =>
          fail(new Error(`the worker exited (${code}) before the agent was asked:\n${childOut.slice(-3000)}`)),
        ),
      );
      await Promise.race([thinking, exited]);
      exited.catch(() => {});
      child.kill('SIGKILL');
      await exited.catch(() => {});
      // SQS gives the job back after its visibility timeout; the dead attempt's idempotency claim expires
      await new Promise((res) => setTimeout(res, 2_500));
      const second = await receive();
      expect(second.attributes.ApproximateReceiveCount).toBe('2');
      Object.assign(process.env, env);
      const { workerHandler } = await import('../../bot/lambda.ts');
      const result = await workerHandler(
        { Records: [second] } as SQSEvent,
        { getRemainingTimeInMillis: () => 60_000 } as unknown as Context,
      );
      expect(result).toEqual({ batchItemFailures: [] });
      const answers = slack.thread('C0OPS', ts).filter((m) => !m.streaming && /AWS calls/.test(m.text));
      expect(answers).toHaveLength(1);
      expect(answers[0]!.text).toMatch(/^The answer, once\./);
      // delivered again by SQS: the idempotency record answers for it, nothing new is posted
      await workerHandler(
        { Records: [second] } as SQSEvent,
        { getRemainingTimeInMillis: () => 60_000 } as unknown as Context,
      );
      expect(slack.thread('C0OPS', ts).filter((m) => !m.streaming && /AWS calls/.test(m.text))).toHaveLength(1);
    } finally {
      await shim.close();
      await runtime.close();
      await slack.close();
    }
  }, 60_000);
});

/**
 * The same pipeline with AgentCoreClient: Slack → bot → InvokeAgentRuntime (the SDK, through a local
 * shim reached by AWS_ENDPOINT_URL_BEDROCK_AGENTCORE) → the agent runtime server → moto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DevBot, startDevBot } from '../../bot/socket.ts';
import { createLogger } from '../../common/log.ts';
import { sessionIdForThread } from '../../common/protocol.ts';
import { type Harness, instanceCounter, startHarness } from '../helpers/agent-harness.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { type AgentCoreShim, startAgentCoreShim } from '../services/agentcore-shim.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

const REGION = 'eu-south-1';
const ARN = `arn:aws:bedrock-agentcore:${REGION}:123456789012:runtime/aws_ask-Test123`;
let runtime: Harness;
let shim: AgentCoreShim;
let slack: FakeSlack;
let dev: DevBot | undefined;

beforeAll(async () => {
  const moto = inject('motoUrl');
  const [role] = (await seedRoles(moto, '/', ['aws-ask-tool-agentcore'])) as [string];
  await seedInstances(moto, REGION, 3, 'ac');
  runtime = await startHarness({ region: REGION, toolRoleArn: role, model: () => instanceCounter(REGION) });
  shim = await startAgentCoreShim(runtime.url);
  process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = shim.url;
});

afterEach(async () => {
  shim.clearFaults();
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

afterAll(async () => {
  await shim.close();
  await runtime.close();
  delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
});

async function startBot(): Promise<void> {
  slack = await FakeSlack.start();
  // AGENT_RUNTIME_ARN makes the dev bot use AgentCoreClient (no in-process agent, no AWS settings needed)
  dev = await startDevBot(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: slack.apiUrl, AGENT_RUNTIME_ARN: ARN },
    createLogger({ write: () => {} }),
  );
}

const answerIn = (channel: string, ts: string) =>
  slack.waitFor(() => {
    const m = slack.thread(channel, ts).at(-1);
    return m && !m.streaming && /AWS calls|:warning:/.test(m.text) ? m : undefined;
  }, 20_000);

describe('AgentCoreClient', () => {
  it('answers a mention through InvokeAgentRuntime, streaming SSE from the runtime server', async () => {
    await startBot();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    const answer = await answerIn('C0OPS', message.ts);
    expect(answer.text).toContain(`There are 3 EC2 instances in ${REGION}.`);
    expect(answer.tasks[0]).toMatchObject({
      status: 'complete',
      title: `ec2 describe_instances in ${REGION}: List EC2 instances`,
    });
    expect(shim.invocations.at(-1)).toEqual({
      arn: ARN,
      qualifier: 'DEFAULT',
      sessionId: sessionIdForThread(TEAM_ID, 'C0OPS', message.ts),
      accept: 'text/event-stream',
    });
  });

  it.each([
    ['ThrottlingException', 429, /The agent is busy right now \(throttled\)/],
    ['RuntimeClientError', 424, /The agent failed while answering\. Please try again\./],
    ['AccessDeniedException', 403, /cannot reach its agent runtime\. An operator needs to check AGENT_RUNTIME_ARN/],
  ])('a %s from AgentCore ends in a clear message in the thread', async (type, status, message) => {
    await startBot();
    shim.fail({ status, type, message: 'injected', times: 3 });
    const { message: q } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    const answer = await answerIn('C0OPS', q.ts);
    expect(answer.text).toMatch(message);
    expect(answer.text).toMatch(/\(ref [0-9a-f]{8}\)/);
  });
});

/**
 * Long threads stay answerable: the conversation manager (agent/service/conversation.ts) keeps every
 * request within the model's context window, never splits a toolUse from its toolResult, and what the
 * session store persisted still loads. The Bedrock stand-in refuses what Bedrock refuses (a request
 * longer than the window, a broken conversation), so every answer here is one Bedrock would give.
 */

import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Message, TextBlock, ToolResultBlock, ToolUseBlock } from '@strands-agents/sdk';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropUnfinishedTurn } from '../../agent/service/conversation.ts';
import { FAILURES } from '../../common/errors.ts';
import { sessionId } from '../helpers/agent-harness.ts';
import { motoConfig } from '../helpers/aws.ts';
import { answerOf, askIn, bedrockAgentService } from '../helpers/bedrock-agent.ts';
import { seedRoles } from '../helpers/seed.ts';
import { describeInstancesCall } from '../helpers/tools.ts';
import { limitsFor } from '../services/bedrock-rules.ts';
import {
  type BedrockTurn,
  type ConverseRequest,
  type FakeBedrock,
  lastToolResults,
  startFakeBedrock,
} from '../services/fake-bedrock.ts';

const REGION = 'eu-central-1';
const INSTANCES = 30;
/** The tool's budget for one result: 30 moto instances fill it, so every result is this large. */
const RESULT_BYTES = 64_000;
let toolRoleArn: string;
let bedrock: FakeBedrock | undefined;
let store: { bucket: string; prefix: string; s3Client: S3Client };

/** A question: list the instances; their tool result: answer with the question's number. */
function answer(req: ConverseRequest): BedrockTurn {
  const messages = req.body.messages ?? [];
  if (lastToolResults(req).length) {
    const question = messages.findLast((m) => m.role === 'user' && m.content.some((c) => typeof c.text === 'string'));
    return { text: `Answered: ${String(question?.content.find((c) => c.text)?.text)}` };
  }
  return { tools: [describeInstancesCall(REGION)] };
}

/** The text of every user question in a request's conversation. */
const questionsIn = (req: ConverseRequest): string[] =>
  (req.body.messages ?? []).flatMap((m) =>
    m.role === 'user' ? m.content.flatMap((c) => (typeof c.text === 'string' ? [c.text] : [])) : [],
  );

/** Input tokens of each answered request (the cache's included). */
const requestSizes = (b: FakeBedrock): number[] =>
  b.usage.flatMap((u) => (u ? [u.inputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0)] : []));

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-long-threads'])) as [string];
  await new EC2Client(motoConfig(REGION, moto)).send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: INSTANCES,
      MaxCount: INSTANCES,
      InstanceType: 't3.micro',
    }),
  );
  const s3Client = new S3Client({ ...motoConfig(REGION, moto), forcePathStyle: true });
  await s3Client.send(
    new CreateBucketCommand({
      Bucket: 'aws-ask-long-threads',
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
  store = { bucket: 'aws-ask-long-threads', prefix: 'sessions/', s3Client };
});

afterEach(async () => {
  await bedrock?.close();
  bedrock = undefined;
});

describe('a thread of 50 questions, each with a large tool result', () => {
  it('answers the 51st within the context window, and the conversation stored in S3 still loads', async () => {
    bedrock = await startFakeBedrock(answer);
    const thread = sessionId('long-thread');
    const window = limitsFor('global.anthropic.claude-sonnet-4-6').contextWindow;
    const service = bedrockAgentService({
      bedrock,
      region: REGION,
      toolRoleArn,
      maxBytes: RESULT_BYTES,
      sessionStore: store,
    });
    for (let i = 1; i <= 51; i++) {
      const events = await askIn(service, thread, `question ${i}`);
      expect(answerOf(events), `question ${i}`).toBe(`Answered: question ${i}`);
    }
    await service.close(1_000);
    // Bedrock refused nothing: every request fitted the window and was a valid conversation
    expect(bedrock.usage.every((u) => u !== undefined)).toBe(true);
    const sizes = requestSizes(bedrock);
    const largest = Math.max(...sizes);
    expect(largest).toBeLessThanOrEqual(window - 4096);
    // the results are large: without the window the thread would have outgrown the model 4 times over
    const firstResult = sizes[1]! - sizes[0]!;
    expect(firstResult * 50).toBeGreaterThan(4 * window);
    // the oldest turns went; the latest stayed
    const last = bedrock.requests.at(-1)!;
    expect(questionsIn(last)).not.toContain('question 1');
    expect(questionsIn(last)).toContain('question 50');

    // a fresh service (a new microVM) loads the thread from S3 and goes on
    const before = bedrock.requests.length;
    const fresh = bedrockAgentService({
      bedrock,
      region: REGION,
      toolRoleArn,
      maxBytes: RESULT_BYTES,
      sessionStore: store,
    });
    expect(answerOf(await askIn(fresh, thread, 'question 52'))).toBe('Answered: question 52');
    await fresh.close(1_000);
    const reloaded = bedrock.requests[before]!;
    expect(questionsIn(reloaded)).toEqual(expect.arrayContaining(['question 50', 'question 51', 'question 52']));
    expect(bedrock.usage.slice(before).every((u) => u !== undefined)).toBe(true);
  }, 240_000);
});

describe('when Bedrock still says the input is too long', () => {
  it('drops the oldest tool results and turns, retries, and answers', async () => {
    // Bedrock counts more tokens than the agent estimated: its window is smaller than the agent's
    bedrock = await startFakeBedrock(answer, { limits: { contextWindow: 40_000 } });
    const service = bedrockAgentService({ bedrock, region: REGION, toolRoleArn, maxBytes: RESULT_BYTES });
    const thread = sessionId('overflow');
    for (let i = 1; i <= 4; i++)
      expect(answerOf(await askIn(service, thread, `question ${i}`))).toBe(`Answered: question ${i}`);
    await service.close(1_000);
    const refused = bedrock.usage.filter((u) => u === undefined).length;
    expect(refused).toBeGreaterThan(0);
    expect(Math.max(...requestSizes(bedrock))).toBeLessThanOrEqual(40_000 - 4096);
  }, 120_000);

  it('says so when even the question alone is too long, and the thread answers the next question', async () => {
    bedrock = await startFakeBedrock(answer, { limits: { contextWindow: 3_000 } });
    const service = bedrockAgentService({
      bedrock,
      region: REGION,
      toolRoleArn,
      settings: { maxTokens: 256 },
      sessionStore: store,
    });
    const thread = sessionId('too-long');
    const events = await askIn(service, thread, `list everything ${'very '.repeat(1_500)}carefully`);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: FAILURES.threadTooLong.code });
    expect(answerOf(events)).toContain(FAILURES.threadTooLong.message);
    // the unfinished question is dropped, so the conversation stays one Bedrock accepts
    expect(answerOf(await askIn(service, thread, 'question 2'))).toBe('Answered: question 2');
    await service.close(1_000);
  }, 120_000);
});

describe('dropUnfinishedTurn', () => {
  const text = (role: 'user' | 'assistant', t: string) => new Message({ role, content: [new TextBlock(t)] });
  const use = new Message({
    role: 'assistant',
    content: [new ToolUseBlock({ name: 'controlled_use_aws', toolUseId: 't1', input: {} })],
  });
  const result = new Message({
    role: 'user',
    content: [new ToolResultBlock({ toolUseId: 't1', status: 'success', content: [new TextBlock('r')] })],
  });

  it('drops everything after the last answer: a question, a call and its result', () => {
    const messages = [text('user', 'q1'), text('assistant', 'a1'), text('user', 'q2'), use, result];
    expect(dropUnfinishedTurn(messages)).toBe(3);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('keeps a finished conversation, and empties one whose only question never got an answer', () => {
    const finished = [text('user', 'q1'), use, result, text('assistant', 'a1')];
    expect(dropUnfinishedTurn(finished)).toBe(0);
    expect(finished).toHaveLength(4);
    const unanswered = [text('user', 'q1'), use];
    expect(dropUnfinishedTurn(unanswered)).toBe(2);
    expect(unanswered).toEqual([]);
  });
});

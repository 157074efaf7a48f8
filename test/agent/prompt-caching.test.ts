/**
 * Prompt caching (agent.ts `bedrockOptions`): each model call of an answer reads the previous call's
 * prompt from Bedrock's cache, and the cache's tokens are reported per answer (the `done` event, the
 * invocation log line). Counted by the Bedrock stand-in, which keeps the cache as Bedrock does
 * (test/services/prompt-cache.ts); tokens, never timings.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { answerOf, askIn, bedrockAgentService } from '../helpers/bedrock-agent.ts';
import { billedInput, cacheReadShare, inputOf, threeCallAnswer } from '../helpers/prompt-cache.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { describeInstancesCall } from '../helpers/tools.ts';
import { lastToolResults, startFakeBedrock, type TokenUsage } from '../services/fake-bedrock.ts';

const REGION = 'ap-northeast-2';
const NAME = 'cache-0';
let toolRoleArn: string;

const sum = (calls: readonly TokenUsage[], key: keyof TokenUsage): number =>
  calls.reduce((n, u) => n + (u[key] ?? 0), 0);

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-prompt-cache'])) as [string];
  await seedInstances(moto, REGION, 3, 'cache');
});

describe('prompt caching', () => {
  it('a scripted 3-call answer reads at least half the input of calls 2 and 3 from the cache', async () => {
    const { calls, usage, answer } = await threeCallAnswer({ region: REGION, toolRoleArn, instanceName: NAME });
    expect(answer).toBe(`You run 3 EC2 instances in ${REGION}; ${NAME} is one of them.`);
    expect(calls).toHaveLength(3);
    // call 1 writes the tools and the system prompt; each later call reads what came before it
    expect(calls[0]?.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(calls[1]?.cacheReadInputTokens).toBe(calls[0]?.cacheWriteInputTokens);
    expect(calls[2]?.cacheReadInputTokens).toBeGreaterThan(inputOf(calls[1] as TokenUsage) / 2);
    const share = cacheReadShare(calls);
    expect(share).toBeGreaterThanOrEqual(0.5);
    // the answer's usage is the sum of its calls', the cache's tokens included
    expect(usage).toEqual({
      inputTokens: sum(calls, 'inputTokens'),
      outputTokens: sum(calls, 'outputTokens'),
      totalTokens: sum(calls, 'totalTokens'),
      cacheReadInputTokens: sum(calls, 'cacheReadInputTokens'),
      cacheWriteInputTokens: sum(calls, 'cacheWriteInputTokens'),
    });
    const uncached = await threeCallAnswer({ region: REGION, toolRoleArn, instanceName: NAME, caching: false });
    // the same prompts, none of them cached
    expect(uncached.calls.map(inputOf)).toEqual(calls.map(inputOf));
    expect(uncached.usage.cacheReadInputTokens).toBeUndefined();
    // and it costs less: reads at a tenth of the input price outweigh writes at 1.25 times it
    const billed = (cs: readonly TokenUsage[]) => cs.reduce((n, u) => n + billedInput(u), 0);
    expect(billed(calls)).toBeLessThan(billed(uncached.calls));
  });

  it('logs the cache tokens of each answer; a follow-up reads the first answer from the cache', async () => {
    const bedrock = await startFakeBedrock((req) =>
      lastToolResults(req).length ? { text: 'Three.' } : { tools: [describeInstancesCall(REGION)] },
    );
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
    const service = bedrockAgentService({ bedrock, region: REGION, toolRoleArn, logger });
    const thread = `cache-thread-${'0'.repeat(30)}`;
    expect(answerOf(await askIn(service, thread, 'how many instances?'))).toBe('Three.');
    expect(answerOf(await askIn(service, thread, 'and now?'))).toBe('Three.');
    await service.close(1_000);
    const answers = logs.filter((l) => l.msg === 'invocation');
    expect(answers).toHaveLength(2);
    for (const [i, line] of answers.entries()) {
      const calls = bedrock.usage.slice(2 * i, 2 * i + 2) as TokenUsage[];
      expect(line.usage).toEqual({
        inputTokens: sum(calls, 'inputTokens'),
        outputTokens: sum(calls, 'outputTokens'),
        totalTokens: sum(calls, 'totalTokens'),
        cacheReadInputTokens: sum(calls, 'cacheReadInputTokens'),
        cacheWriteInputTokens: sum(calls, 'cacheWriteInputTokens'),
      });
    }
    // the follow-up's first call reads the whole first answer's conversation (written by its second call)
    const [, second, followUp] = bedrock.usage as TokenUsage[];
    expect(followUp?.cacheReadInputTokens).toBe(inputOf(second as TokenUsage) - (second?.inputTokens ?? 0));
    await bedrock.close();
  });
});

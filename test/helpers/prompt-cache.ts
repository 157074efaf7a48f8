/**
 * The prompt cache's figures, on the stand-ins: one scripted answer of three model calls (list the
 * instances, look at one of them, answer) through the agent service as production builds it, the real
 * BedrockModel speaking to the Bedrock stand-in (which keeps Bedrock's prompt cache) and the real tool
 * reaching moto. For tests and `npm run bench` alike.
 */
import type { Usage } from '../../common/protocol.ts';
import { type BedrockTurn, type ConverseRequest, startFakeBedrock, type TokenUsage } from '../services/fake-bedrock.ts';
import { answerOf, askIn, bedrockAgentService } from './bedrock-agent.ts';
import { describeInstancesCall } from './tools.ts';

/** The whole input of a model call: what was read from the cache, written to it, and neither. */
export const inputOf = (u: TokenUsage): number =>
  u.inputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0);

/** Share of the input of model calls 2..n that was read from the prompt cache (0 when there is none). */
export function cacheReadShare(calls: readonly TokenUsage[]): number {
  const later = calls.slice(1);
  const input = later.reduce((n, u) => n + inputOf(u), 0);
  return input ? later.reduce((n, u) => n + (u.cacheReadInputTokens ?? 0), 0) / input : 0;
}

/**
 * Input tokens as they are billed, in units of an uncached input token: Anthropic's models on Bedrock
 * bill a cache read at a tenth of the input price and a 5-minute cache write at 1.25 times it
 * (https://aws.amazon.com/bedrock/pricing/).
 */
export const billedInput = (u: TokenUsage): number =>
  u.inputTokens + 0.1 * (u.cacheReadInputTokens ?? 0) + 1.25 * (u.cacheWriteInputTokens ?? 0);

export interface CachedAnswer {
  /** Bedrock's usage of each model call, in order. */
  readonly calls: readonly TokenUsage[];
  /** The answer's usage, as the agent reports it (the `done` event, the logs, `npm run ask -- --json`). */
  readonly usage: Usage;
  readonly answer: string;
}

/** The model's side of the answer: each turn decided by how many tool results it has been sent. */
function script(region: string, instanceName: string) {
  return (req: ConverseRequest): BedrockTurn => {
    const results = (req.body.messages ?? []).filter((m) => m.content.some((c) => c.toolResult)).length;
    if (results === 0) return { tools: [describeInstancesCall(region, 'List the EC2 instances')] };
    if (results === 1) {
      const filter = { Filters: [{ Name: 'tag:Name', Values: [instanceName] }] };
      const call = describeInstancesCall(region, `Look at ${instanceName}`);
      return { tools: [{ ...call, input: { ...call.input, parameters: filter } }] };
    }
    return { text: `You run 3 EC2 instances in ${region}; ${instanceName} is one of them.` };
  };
}

/**
 * One question answered in three model calls. The region must hold a few EC2 instances, one of them
 * tagged Name=`instanceName` (test/helpers/seed.ts seedInstances), and AWS_ENDPOINT_URL must reach moto.
 * `caching: false` answers the same without cache points, for the figures without caching.
 */
export async function threeCallAnswer(o: {
  readonly region: string;
  readonly toolRoleArn: string;
  readonly instanceName: string;
  readonly caching?: boolean;
}): Promise<CachedAnswer> {
  const bedrock = await startFakeBedrock(script(o.region, o.instanceName));
  const service = bedrockAgentService({ bedrock, ...o });
  try {
    const events = await askIn(service, `cache-figures-${'0'.repeat(30)}`, 'How many EC2 instances do we run?');
    const done = events.find((e) => e.type === 'done');
    if (done?.type !== 'done') throw new Error(`no answer: ${answerOf(events)}`);
    const calls = bedrock.usage.flatMap((u) => (u ? [u] : []));
    if (calls.length !== bedrock.requests.length) throw new Error('Bedrock refused a request');
    return { calls, usage: done.usage, answer: answerOf(events) };
  } finally {
    await service.close(1_000);
    await bedrock.close();
  }
}

/**
 * The Bedrock stand-in is at least as strict as Bedrock on every rule the agent relies on
 * (test/services/bedrock-rules.ts and prompt-cache.ts cite each): its prompt cache, its refusals, its
 * usage. Spoken to with the real AWS SDK client, as the agent's BedrockModel speaks to it.
 */
import {
  BedrockRuntimeClient,
  type ContentBlock,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type Message,
  type SystemContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensOf } from '../services/bedrock-rules.ts';
import { type FakeBedrock, startFakeBedrock, type TokenUsage } from '../services/fake-bedrock.ts';

const SONNET = 'global.anthropic.claude-sonnet-4-6';
const HAIKU = 'eu.anthropic.claude-haiku-4-5';
let bedrock: FakeBedrock;
let client: BedrockRuntimeClient;
let now = 0;
let salt = 0;

beforeAll(async () => {
  bedrock = await startFakeBedrock(() => ({ text: 'ok' }), { now: () => now });
  client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: bedrock.url, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await bedrock.close();
});

type Body = Omit<ConverseCommandInput, 'modelId'>;
type Outcome = { usage?: TokenUsage; error?: string };

/** One ConverseStream call: the usage of its metadata event, or the error Bedrock's client threw. */
async function stream(body: Body, modelId = SONNET): Promise<Outcome> {
  try {
    const out = await client.send(new ConverseStreamCommand({ modelId, ...body }));
    let usage: TokenUsage | undefined;
    for await (const ev of out.stream ?? []) if (ev.metadata?.usage) usage = ev.metadata.usage as TokenUsage;
    return usage ? { usage } : {};
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** A text of about `tokens` tokens as the stand-in counts them, unique to this test (no cache hits across tests). */
const text = (tokens: number): string => `${++salt} ${'x'.repeat(tokens * 4)}`.slice(0, tokens * 4 - 11);
const cachePoint = (ttl?: '5m' | '1h') => ({ cachePoint: { type: 'default' as const, ...(ttl ? { ttl } : {}) } });
const user = (...content: ContentBlock[]): Message => ({ role: 'user', content });
const ask = (q: string): Message => user({ text: q });

describe('the prompt cache', () => {
  it('caches the prefix up to a cache point: the same prefix is read, a changed one written anew', async () => {
    const system: SystemContentBlock[] = [{ text: text(2_000) }, cachePoint()];
    const prefix = tokensOf(system[0]);
    const first = await stream({ system, messages: [ask('one')] });
    expect(first.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: prefix });
    const second = await stream({ system, messages: [ask('two')] });
    expect(second.usage).toMatchObject({ cacheReadInputTokens: prefix, cacheWriteInputTokens: 0 });
    expect(second.usage?.inputTokens).toBe(tokensOf({ text: 'two' }));
    const changed = await stream({ system: [{ text: text(2_000) }, cachePoint()], messages: [ask('two')] });
    expect(changed.usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: prefix });
  });

  it('reports input as Bedrock does: inputTokens is neither read nor written; totalTokens has it all', async () => {
    const system: SystemContentBlock[] = [{ text: text(1_500) }, cachePoint()];
    await stream({ system, messages: [ask('a')] });
    const { usage } = await stream({ system, messages: [ask('a question')] });
    const u = usage as Required<TokenUsage>;
    expect(u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens).toBe(
      tokensOf(system[0]) + tokensOf({ text: 'a question' }),
    );
    expect(u.totalTokens).toBe(u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens + u.outputTokens);
    // without cache points there are no cache fields
    const plain = await stream({ system: [{ text: 'short' }], messages: [ask('a')] });
    expect(plain.usage && Object.keys(plain.usage).sort()).toEqual(['inputTokens', 'outputTokens', 'totalTokens']);
  });

  it('caches nothing below the minimum (Sonnet 4.6: 1,024, Haiku 4.5: 4,096), and the request succeeds', async () => {
    const small: SystemContentBlock[] = [{ text: text(900) }, cachePoint()];
    for (let i = 0; i < 2; i++) {
      const { usage, error } = await stream({ system: small, messages: [ask('q')] });
      expect(error).toBeUndefined();
      expect(usage).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
    }
    const medium: SystemContentBlock[] = [{ text: text(2_000) }, cachePoint()];
    await stream({ system: medium, messages: [ask('q')] }, HAIKU);
    expect((await stream({ system: medium, messages: [ask('q')] }, HAIKU)).usage?.cacheReadInputTokens).toBe(0);
    await stream({ system: medium, messages: [ask('q')] }, SONNET);
    expect((await stream({ system: medium, messages: [ask('q')] }, SONNET)).usage?.cacheReadInputTokens).toBe(
      tokensOf(medium[0]),
    );
  });

  it('makes each further checkpoint add the minimum again ("the second after 2,048 tokens")', async () => {
    const system: SystemContentBlock[] = [{ text: text(1_100) }, cachePoint()];
    const { usage } = await stream({ system, messages: [user({ text: text(600) }, cachePoint())] });
    expect(usage?.cacheWriteInputTokens).toBe(tokensOf(system[0]));
  });

  it('keeps an entry 5 minutes from its last hit; 1h when the cache point says so', async () => {
    const system: SystemContentBlock[] = [{ text: text(2_000) }, cachePoint()];
    const long: SystemContentBlock[] = [{ text: text(2_000) }, cachePoint('1h')];
    const read = async (s: SystemContentBlock[]) => (await stream({ system: s, messages: [ask('q')] })).usage;
    now = 1_000_000;
    await read(system);
    await read(long);
    now += 4 * 60_000;
    expect((await read(system))?.cacheReadInputTokens).toBeGreaterThan(0);
    now += 4 * 60_000; // 8 minutes after the write, 4 after the hit
    expect((await read(system))?.cacheReadInputTokens).toBeGreaterThan(0);
    now += 5 * 60_000 + 1;
    expect(await read(system)).toMatchObject({ cacheReadInputTokens: 0, cacheWriteInputTokens: tokensOf(system[0]) });
    expect((await read(long))?.cacheReadInputTokens).toBe(tokensOf(long[0]));
  });

  it('finds a cached prefix at an earlier block boundary, up to 20 blocks back', async () => {
    const big = { text: text(1_500) };
    await stream({ messages: [user(big, cachePoint())] });
    // the same first block, then `n` small ones before the cache point
    const withBlocks = (n: number) =>
      stream({ messages: [user(big, ...Array.from({ length: n }, (_, i) => ({ text: `block ${i}` })), cachePoint())] });
    expect((await withBlocks(20)).usage?.cacheReadInputTokens).toBe(tokensOf(big));
    expect((await withBlocks(21)).usage?.cacheReadInputTokens).toBe(0);
  });

  it('is kept for Converse as for ConverseStream', async () => {
    const system: SystemContentBlock[] = [{ text: text(2_000) }, cachePoint()];
    await client.send(new ConverseCommand({ modelId: SONNET, system, messages: [ask('q')] }));
    const out = await client.send(new ConverseCommand({ modelId: SONNET, system, messages: [ask('q')] }));
    expect(out.usage?.cacheReadInputTokens).toBe(tokensOf(system[0]));
  });
});

describe('refusals, as Bedrock words them', () => {
  const refused = (o: Outcome) => o.error;

  it('more than 4 cache points, or a TTL other than 5m and 1h', async () => {
    const five = { system: [{ text: 'a' }, cachePoint(), { text: 'b' }, cachePoint(), { text: 'c' }, cachePoint()] };
    const body: Body = { ...five, messages: [user({ text: 'd' }, cachePoint(), { text: 'e' }, cachePoint())] };
    expect(refused(await stream(body))).toBe(
      'ValidationException: A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
    const ttl = { system: [{ text: 'a' }, { cachePoint: { type: 'default', ttl: '2h' } }] } as unknown as Body;
    expect(refused(await stream({ ...ttl, messages: [ask('q')] }))).toMatch(
      /^ValidationException: 1 validation error detected: Value '2h' at 'system\.2\.member\.cachePoint\.ttl'/,
    );
  });

  it('a request longer than the context window', async () => {
    const long = { text: 'x'.repeat(4 * 200_000) };
    expect(refused(await stream({ messages: [user(long)] }))).toBe(
      'ValidationException: Input is too long for requested model.',
    );
    const nearly = { text: 'x'.repeat(4 * 198_000) };
    expect(refused(await stream({ messages: [user(nearly)], inferenceConfig: { maxTokens: 4096 } }))).toMatch(
      /^ValidationException: input length and `max_tokens` exceed context limit: \d+ \+ 4096 > 200000/,
    );
    expect(refused(await stream({ messages: [user(nearly)], inferenceConfig: { maxTokens: 256 } }))).toBeUndefined();
  });

  it('a conversation that does not start with the user, or does not alternate', async () => {
    const assistant: Message = { role: 'assistant', content: [{ text: 'hi' }] };
    expect(refused(await stream({ messages: [assistant, ask('q')] }))).toBe(
      'ValidationException: A conversation must start with a user message. ' +
        'Try again with a conversation that starts with a user message.',
    );
    expect(refused(await stream({ messages: [ask('q1'), ask('q2')] }))).toMatch(
      /^ValidationException: A conversation must alternate between user and assistant roles/,
    );
  });

  it('a toolUse without its toolResult, a toolResult without a toolUse, tool blocks without toolConfig', async () => {
    const toolConfig = { tools: [{ toolSpec: { name: 't', inputSchema: { json: { type: 'object' } } } }] };
    const use = (id: string): Message => ({
      role: 'assistant',
      content: [{ toolUse: { toolUseId: id, name: 't', input: {} } }],
    });
    const result = (id: string): ContentBlock => ({ toolResult: { toolUseId: id, content: [{ text: 'r' }] } });
    expect(refused(await stream({ toolConfig, messages: [ask('q'), use('a'), ask('next')] }))).toBe(
      'ValidationException: Expected toolResult blocks at messages.2.content for the following Ids: a',
    );
    expect(refused(await stream({ toolConfig, messages: [ask('q'), use('a'), user(result('a'), result('b'))] }))).toBe(
      'ValidationException: The number of toolResult blocks at messages.2.content exceeds the number of toolUse ' +
        'blocks of previous turn.',
    );
    expect(refused(await stream({ messages: [ask('q'), use('a'), user(result('a'))] }))).toBe(
      'ValidationException: The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
    expect(refused(await stream({ toolConfig, messages: [ask('q'), use('a'), user(result('a'))] }))).toBeUndefined();
  });

  it('records a refused request, with no usage', async () => {
    const before = bedrock.requests.length;
    await stream({ messages: [ask('q1'), ask('q2')] });
    expect(bedrock.requests.length).toBe(before + 1);
    expect(bedrock.usage[before]).toBeUndefined();
    expect(before in bedrock.usage).toBe(true);
  });
});

/**
 * What Bedrock's Converse and ConverseStream refuse, as the Bedrock stand-in (fake-bedrock.ts) checks
 * it, each rule beside where it is documented or seen, and how the stand-in counts tokens. Every
 * refusal is a `ValidationException` (HTTP 400) with Bedrock's own message.
 */

type CachePoint = { readonly type?: string; readonly ttl?: string };

/** A Converse request body, as far as the stand-in reads it. */
export interface ConverseBody {
  messages?: { role: string; content: Record<string, unknown>[] }[];
  system?: { text?: string; cachePoint?: CachePoint }[];
  toolConfig?: { tools?: { toolSpec?: { name: string }; cachePoint?: CachePoint }[]; toolChoice?: unknown };
  inferenceConfig?: Record<string, unknown>;
}

export interface ModelLimits {
  /** Tokens the model reads at most: the input plus `maxTokens` of output. */
  readonly contextWindow: number;
  /** Fewest tokens a cache checkpoint must add to the cached prefix; below it nothing is cached. */
  readonly minCacheTokens: number;
  /** Most cache points one request may carry (tools, system and messages together). */
  readonly maxCachePoints: number;
}

/**
 * The limits of a model id. Prompt caching, "Supported models, Regions, and limits"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html#prompt-caching-models):
 * at most 4 checkpoints per request for every Claude model; at least 1,024 tokens per checkpoint for
 * Claude Sonnet 4.6, Opus 4 and 3.7 Sonnet, 4,096 for Claude Opus 4.5 and 4.6, Sonnet 4.5 and Haiku 4.5.
 * The context window is Claude's standard 200,000 tokens (the window the agent assumes,
 * MODEL_CONTEXT_WINDOW; a larger one is an operator's choice where the model offers it).
 */
export function limitsFor(modelId: string): ModelLimits {
  const larger = /claude-(opus-4-5|opus-4-6|sonnet-4-5|haiku-4-5)/.test(modelId);
  return { contextWindow: 200_000, minCacheTokens: larger ? 4_096 : 1_024, maxCachePoints: 4 };
}

/**
 * The stand-in's token count: about four characters of the request's JSON a token. It counts the wire
 * form (keys, quotes and escapes included), so it never counts fewer than Strands' own estimate (text
 * and tool results at four characters a token, models/model.js `estimateTokensHeuristic`), and JSON,
 * which is most of what this agent sends, is dense in tokens for real tokenizers too.
 */
export const tokensOf = (block: unknown): number => Math.ceil(JSON.stringify(block).length / 4);

/** A prompt as Bedrock processes it for caching: its blocks in order, and where the cache points sit. */
export interface PromptLayout {
  /** Tool specs, then system blocks, then each message's content blocks ("tools → system → messages"). */
  readonly blocks: readonly { readonly key: string; readonly tokens: number }[];
  /** Each cache point: how many blocks precede it, its TTL as sent, and where it is in the request. */
  readonly cachePoints: readonly { readonly after: number; readonly ttl?: string; readonly path: string }[];
  /** Input tokens of the whole request. */
  readonly tokens: number;
}

export function layoutOf(body: ConverseBody): PromptLayout {
  const blocks: { key: string; tokens: number }[] = [];
  const cachePoints: { after: number; ttl?: string; path: string }[] = [];
  const add = (items: readonly Record<string, unknown>[] | undefined, path: string, prefix: string): void => {
    (items ?? []).forEach((item, i) => {
      const cp = item.cachePoint as CachePoint | undefined;
      if (cp)
        cachePoints.push({
          after: blocks.length,
          ...(cp.ttl !== undefined ? { ttl: cp.ttl } : {}),
          path: `${path}.${i + 1}`,
        });
      else blocks.push({ key: `${prefix}${JSON.stringify(item)}`, tokens: tokensOf(item) });
    });
  };
  add(body.toolConfig?.tools, 'toolConfig.tools', 'tool:');
  add(body.system, 'system', 'system:');
  (body.messages ?? []).forEach((m, i) => {
    add(m.content, `messages.${i + 1}.member.content`, `${i}:${m.role}:`);
  });
  return { blocks, cachePoints, tokens: blocks.reduce((n, b) => n + b.tokens, 0) };
}

const toolUseIds = (content: Record<string, unknown>[]): string[] =>
  content.flatMap((c) => (c.toolUse ? [(c.toolUse as { toolUseId: string }).toolUseId] : []));
const toolResultIds = (content: Record<string, unknown>[]): string[] =>
  content.flatMap((c) => (c.toolResult ? [(c.toolResult as { toolUseId: string }).toolUseId] : []));

/**
 * The conversation's shape. Bedrock's messages, as it sends them (none of them is in the API reference;
 * each is quoted from reports of the live service):
 * - the first message is the user's, and roles alternate ("A conversation must alternate…":
 *   https://github.com/langchain-ai/langchain-aws/issues/130);
 * - every toolUse is answered by a toolResult in the next message ("Expected toolResult blocks…":
 *   https://github.com/zeroclaw-labs/zeroclaw/pull/1476), and no toolResult answers nothing ("The number
 *   of toolResult blocks…": https://github.com/strands-agents/harness-sdk/issues/1435);
 * - toolUse and toolResult blocks need a toolConfig (https://github.com/patriceckhart/zot/pull/18).
 * Messages are numbered from 0, as Bedrock numbers them.
 */
export function conversationProblem(body: ConverseBody): string | undefined {
  const messages = body.messages ?? [];
  if (messages[0]?.role !== 'user')
    return (
      'A conversation must start with a user message. ' +
      'Try again with a conversation that starts with a user message.'
    );
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]?.role === messages[i - 1]?.role)
      return (
        'A conversation must alternate between user and assistant roles. ' +
        'Make sure the conversation alternates between user and assistant roles and try again.'
      );
  }
  const usesTools = messages.some((m) => toolUseIds(m.content).length || toolResultIds(m.content).length);
  if (usesTools && !body.toolConfig?.tools?.length)
    return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
  for (let i = 0; i < messages.length; i++) {
    const results = toolResultIds(messages[i]?.content ?? []);
    const asked = i > 0 ? toolUseIds(messages[i - 1]?.content ?? []) : [];
    if (results.length > asked.length)
      return (
        `The number of toolResult blocks at messages.${i}.content ` +
        'exceeds the number of toolUse blocks of previous turn.'
      );
    const missing = asked.filter((id) => !results.includes(id));
    if (missing.length)
      return `Expected toolResult blocks at messages.${i}.content for the following Ids: ${missing.join(', ')}`;
  }
  return undefined;
}

const TTLS = ['5m', '1h'];

/**
 * Cache points a request may not carry: more than the model's maximum (the message is Anthropic's, as
 * Bedrock passes it on: https://github.com/Bike4Mind/bike4mind/issues/2208), or a TTL other than 5m
 * and 1h (API reference, CachePointBlock:
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CachePointBlock.html;
 * the message is AWS's usual enum validation). Cache points below the minimum size are not refused:
 * "your inference will still succeed, but your prefix will not be cached" (prompt-caching.html).
 */
export function cachePointProblem(layout: PromptLayout, limits: ModelLimits): string | undefined {
  const n = layout.cachePoints.length;
  if (n > limits.maxCachePoints)
    return `A maximum of ${limits.maxCachePoints} blocks with cache_control may be provided. Found ${n}.`;
  const bad = layout.cachePoints.find((c) => c.ttl !== undefined && !TTLS.includes(c.ttl));
  if (bad)
    return (
      `1 validation error detected: Value '${bad.ttl}' at '${bad.path}.member.cachePoint.ttl' failed to satisfy ` +
      `constraint: Member must satisfy enum value set: [${TTLS.join(', ')}]`
    );
  return undefined;
}

/**
 * A request longer than the model's context window: "Input is too long for requested model." when the
 * input alone is, and Anthropic's message when the input and `maxTokens` together are. Both are what
 * Strands recognises as a context overflow (models/bedrock.js, BEDROCK_CONTEXT_WINDOW_OVERFLOW_MESSAGES);
 * the first as Bedrock sends it: https://github.com/aws-samples/assessment-generator/issues/2 (and
 * https://github.com/anthropics/claude-code/issues/8637), the second:
 * https://github.com/continuedev/continue/issues/10875.
 */
export function contextProblem(layout: PromptLayout, body: ConverseBody, limits: ModelLimits): string | undefined {
  const input = layout.tokens;
  const max = Number(body.inferenceConfig?.maxTokens ?? 0);
  if (input > limits.contextWindow) return 'Input is too long for requested model.';
  if (input + max > limits.contextWindow)
    return (
      `input length and \`max_tokens\` exceed context limit: ${input} + ${max} > ${limits.contextWindow}, ` +
      'decrease input length or `max_tokens` and try again'
    );
  return undefined;
}

/**
 * Bedrock's prompt cache, as the Bedrock stand-in keeps it
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html):
 *
 * - A cache point caches the prompt's prefix up to it, in the order "tools → system → messages"; a change
 *   anywhere in a prefix is a miss for every cache point after it.
 * - A later request whose prompt starts with a cached prefix reads it (`cacheReadInputTokens`); Claude
 *   models look for a cached prefix at earlier block boundaries, "approximately 20 content blocks" back
 *   from each cache point (Simplified Cache Management for Claude Models).
 * - A new prefix is written (`cacheWriteInputTokens`) only when it meets the model's minimum: "your first
 *   cache checkpoint can be defined after 1,024 tokens and your second cache checkpoint can be defined
 *   after 2,048 tokens" — so each checkpoint must add the minimum to what is already cached; below it
 *   the request succeeds and nothing is cached.
 * - An entry lives for its TTL (5 minutes unless the cache point says 1h), reset by every hit.
 * - `inputTokens` counts only the input neither read nor written: "total input tokens = inputTokens +
 *   cacheReadInputTokens + cacheWriteInputTokens"; `totalTokens` includes the cache's tokens.
 *
 * Only requests the model answers read or write the cache.
 */
import { createHash } from 'node:crypto';
import type { ModelLimits, PromptLayout } from './bedrock-rules.ts';

/** The usage of one Converse reply, as Bedrock's TokenUsage has it. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
}

/** A request's input side: its usage before any output. */
export type InputUsage = Omit<TokenUsage, 'outputTokens'>;

const LOOKBACK_BLOCKS = 20;
const TTL_MS: Record<string, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

interface Entry {
  expires: number;
  readonly ttlMs: number;
}

export class PromptCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Reads and writes the cache for one answered request; its input usage. */
  account(modelId: string, layout: PromptLayout, limits: ModelLimits): InputUsage {
    if (!layout.cachePoints.length) return { inputTokens: layout.tokens, totalTokens: layout.tokens };
    const now = this.now();
    // the prefix after each block: its hash and its tokens
    const hashes = [createHash('sha256').update(modelId).digest('hex')];
    const tokens = [0];
    layout.blocks.forEach((b, i) => {
      hashes.push(
        createHash('sha256')
          .update(hashes[i] as string)
          .update(b.key)
          .digest('hex'),
      );
      tokens.push((tokens[i] as number) + b.tokens);
    });
    const live = (j: number): Entry | undefined => {
      const e = this.entries.get(hashes[j] as string);
      return e && e.expires > now ? e : undefined;
    };
    let read = 0;
    for (const cp of layout.cachePoints) {
      for (let j = cp.after; j > 0 && j >= cp.after - LOOKBACK_BLOCKS; j--) {
        const hit = live(j);
        if (!hit) continue;
        hit.expires = now + hit.ttlMs;
        read = Math.max(read, tokens[j] as number);
        break;
      }
    }
    let cached = read;
    for (const cp of layout.cachePoints) {
      const end = tokens[cp.after] as number;
      if (end - cached < limits.minCacheTokens) continue;
      const ttlMs = TTL_MS[cp.ttl ?? '5m'] as number;
      this.entries.set(hashes[cp.after] as string, { expires: now + ttlMs, ttlMs });
      cached = end;
    }
    const write = cached - read;
    return {
      inputTokens: layout.tokens - read - write,
      cacheReadInputTokens: read,
      cacheWriteInputTokens: write,
      totalTokens: layout.tokens,
    };
  }
}

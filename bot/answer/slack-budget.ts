/**
 * A per-workspace budget for the Slack calls an answer repeats, shared by every answer in the process.
 *
 * Slack's Web API limits are per method, per workspace, per app, by tier
 * (https://docs.slack.dev/apis/web-api/rate-limits): chat.appendStream is Tier 4 (100+ a minute,
 * https://docs.slack.dev/reference/methods/chat.appendStream), chat.update Tier 3 (50+ a minute,
 * https://api.slack.com/methods/chat.update). Each answer pacing itself alone does not keep a few
 * concurrent answers in one workspace under those limits; one budget per workspace and tier does.
 *
 * Each (team, tier) has a token bucket whose burst and refill together never allow more than `limit`
 * calls in any `windowMs`: a quarter of the limit as burst, the rest spread over the window.
 */

/** The tiers whose calls are budgeted. */
export type BudgetTier = 'tier3' | 'tier4';

/** At most `limit` calls in any `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

export type BudgetRates = Readonly<Record<BudgetTier, Rate>>;

/** The methods the renderers call again and again, by tier. */
export const BUDGETED_METHODS = {
  'chat.appendStream': 'tier4',
  'chat.update': 'tier3',
} as const satisfies Record<string, BudgetTier>;

export type BudgetedMethod = keyof typeof BUDGETED_METHODS;

/** Nine tenths of Slack's published floor for each tier, a minute at a time. */
export const SLACK_BUDGET: BudgetRates = {
  tier3: { limit: 45, windowMs: 60_000 },
  tier4: { limit: 90, windowMs: 60_000 },
};

class Bucket {
  private tokens: number;
  private last = Date.now();
  private readonly capacity: number;
  /** Tokens per millisecond. */
  private readonly refill: number;
  private readonly waiting: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  constructor(rate: Rate) {
    this.capacity = Math.max(1, Math.floor(rate.limit / 4));
    this.refill = (rate.limit - this.capacity) / rate.windowMs;
    this.tokens = this.capacity;
  }

  take(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
  }

  private drain(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refill);
    this.last = now;
    while (this.waiting.length && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiting.shift()?.();
    }
    if (this.waiting.length && !this.timer) {
      const wait = Math.ceil((1 - this.tokens) / this.refill);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }
}

export class SlackBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rates: BudgetRates;

  constructor(rates: BudgetRates = SLACK_BUDGET) {
    this.rates = rates;
  }

  /** Waits until `method` may be called for workspace `teamId`. */
  take(teamId: string, method: BudgetedMethod): Promise<void> {
    const tier = BUDGETED_METHODS[method];
    const key = `${teamId}:${tier}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Bucket(this.rates[tier]);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}

/** The budget every answer in this process shares, unless it is given its own. */
export const processBudget = new SlackBudget();

/** Recognising AWS error names, for every caller of AWS (the tool, the model, the agent runtime). */

/** Throttling and rate limits, by error name: retrying later may succeed. */
export const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|RateExceeded|ServiceQuotaExceeded/i;

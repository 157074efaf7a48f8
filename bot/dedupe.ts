/** A bounded, expiring set of keys already handled (Slack event ids, command trigger ids, job keys). */

export interface SeenKeys {
  /** True if the key was added and has not expired. */
  has(key: string): boolean;
  /** Remembers the key (again, from now). */
  add(key: string): void;
  /** Adds the key and returns true if it was not there: a check and a mark in one step. */
  claim(key: string): boolean;
}

/** Remembers up to `max` keys for `ttlMs` each. */
export function seenKeys(max = 5_000, ttlMs = 15 * 60_000): SeenKeys {
  const seen = new Map<string, number>();
  const has = (key: string) => {
    const at = seen.get(key);
    return at !== undefined && Date.now() - at < ttlMs;
  };
  const add = (key: string) => {
    seen.delete(key);
    seen.set(key, Date.now());
    while (seen.size > max) seen.delete(seen.keys().next().value as string);
  };
  return {
    has,
    add,
    claim: (key) => {
      if (has(key)) return false;
      add(key);
      return true;
    },
  };
}

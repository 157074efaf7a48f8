/** A bounded, expiring set of keys already seen (Slack event ids, command trigger ids). */

/** Remembers keys for a while; true the first time a key is seen. */
export function dedupe(max = 5_000, ttlMs = 15 * 60_000): (key: string) => boolean {
  const seen = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    const at = seen.get(key);
    if (at !== undefined && now - at < ttlMs) return false;
    seen.set(key, now);
    while (seen.size > max) seen.delete(seen.keys().next().value as string);
    return true;
  };
}

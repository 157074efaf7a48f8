/** A setting is missing or malformed; the message says which and what to set. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

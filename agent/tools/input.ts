/** The model's tool input: the error for input that cannot be called, and parsing `parameters`. */

/** Input the tool refuses before any AWS call. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/** Parses the `parameters` input: an object, a JSON-encoded object, or absent. */
export function parseParameters(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return {};
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new ToolInputError(
        `"parameters" is a string that is not valid JSON (${(e as Error).message}); pass an object.`,
      );
    }
    if (value === null) return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'an array' : typeof value;
    throw new ToolInputError(`"parameters" must be an object of the operation's parameters, not ${kind}.`);
  }
  return value as Record<string, unknown>;
}

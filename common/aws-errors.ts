/**
 * Recognising AWS and network errors, for every caller of AWS (the tool, the model, the agent
 * runtime, the doctor): one home for each pattern, matched against `name message code`.
 */

/** A case-insensitive regex matching any of `words` anywhere. */
const anyOf = (...words: string[]): RegExp => new RegExp(words.join('|'), 'i');

/** Throttling and rate limits, by error name: retrying later may succeed. */
export const THROTTLED = anyOf(
  'Throttl',
  'TooManyRequests',
  'RequestLimitExceeded',
  'SlowDown',
  'RateExceeded',
  'ServiceQuotaExceeded',
);

/** The caller's identity may not do this (IAM, SCP, resource policy). */
export const ACCESS_DENIED = anyOf(
  'AccessDenied',
  'UnauthorizedOperation',
  'NotAuthorized',
  'not authorized',
  'Forbidden',
  'AuthorizationError',
  'UnauthorizedAccess',
);

/** The credentials themselves were refused or could not be found. */
export const BAD_CREDENTIALS = anyOf(
  'InvalidClientTokenId',
  'UnrecognizedClient',
  'ExpiredToken',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidToken',
  'CredentialsProviderError',
  'Could not load credentials',
);

/**
 * The request never got an answer: refused, reset, timed out, DNS failing, or the connection dropped.
 * Case-sensitive, the system codes as whole words: `ENOTFOUND` must not match `ResourceNotFound`.
 */
const SYSTEM_CODES = 'ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH';
export const NETWORK = new RegExp(`\\b(${SYSTEM_CODES})\\b|socket hang up|NetworkingError|TimeoutError|RequestTimeout`);

/** `name message code` of an error, the text the patterns above are matched against. */
export function errorText(e: unknown): string {
  const err = (e ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return [err.name, err.message, err.code].filter((v) => typeof v === 'string').join(' ');
}

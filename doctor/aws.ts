/** AWS SDK client settings for the checks, and reading the errors AWS calls end in. */

/** What every SDK client of the doctor is made with. */
export interface ClientSettings {
  readonly region: string;
  readonly profile?: string;
  readonly timeoutMs: number;
}

/**
 * One retry at most and a request timeout under the check's own: a doctor that retries for minutes
 * is worse than one that says what failed.
 */
export function clientConfig(s: ClientSettings) {
  return {
    region: s.region,
    ...(s.profile ? { profile: s.profile } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(5_000, s.timeoutMs), requestTimeout: s.timeoutMs },
  };
}

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly hostname?: string;
}

const asError = (e: unknown): ErrorLike => (typeof e === 'object' && e !== null ? (e as ErrorLike) : {});

/** The error's name as AWS gives it (AccessDeniedException, ValidationError, …), or its Node code. */
export function errorName(e: unknown): string {
  const err = asError(e);
  const name = err.name && err.name !== 'Error' ? err.name : undefined;
  return name ?? err.Code ?? err.code ?? 'Error';
}

/** The error's message, on one line. */
export function errorMessage(e: unknown): string {
  const err = asError(e);
  return (err.message ?? String(e)).replace(/\s+/g, ' ').trim();
}

/** "Name: message", for details. */
export const describeError = (e: unknown): string => `${errorName(e)}: ${errorMessage(e)}`;

/** The host name could not be resolved: for an AWS endpoint, the service has no endpoint in that region. */
export function isUnknownHost(e: unknown): boolean {
  const err = asError(e);
  return err.code === 'ENOTFOUND' || /getaddrinfo ENOTFOUND|UnknownEndpoint|EndpointError/i.test(errorMessage(e));
}

/** The request never got an answer (refused, reset, timed out, DNS failing). */
export function isNetworkError(e: unknown): boolean {
  const code = asError(e).code ?? '';
  const text = `${errorName(e)} ${errorMessage(e)}`;
  return (
    ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
      code,
    ) || /TimeoutError|socket hang up|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/i.test(text)
  );
}

export function isAccessDenied(e: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|not authorized/i.test(`${errorName(e)} ${errorMessage(e)}`);
}

/** The AbortSignal of a check fired (its time ran out). */
export function isAborted(e: unknown): boolean {
  return /AbortError|aborted/i.test(`${errorName(e)} ${errorMessage(e)}`);
}

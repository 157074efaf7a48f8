/**
 * AWS SDK client settings for the checks, how their errors are said, and the error recognisers that are the
 * doctor's own (the shared ones are in common/aws-errors.ts).
 */

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

/**
 * The service is not offered in the region: its endpoint's host name does not resolve (asked right after
 * STS in the same region answered, so not a DNS outage), or the service says so. Other network failures,
 * denials, bad credentials and throttling are recognised with common/aws-errors.ts.
 */
export function isNotInRegion(e: unknown): boolean {
  const err = asError(e);
  // Node's DNS failure (getaddrinfo) carries the code; the SDK's endpoint resolution says it in words
  return (
    err.code === 'ENOTFOUND' ||
    /UnknownEndpoint|EndpointError|not (available|supported) in (this|the) region/i.test(errorMessage(e))
  );
}

/** The AbortSignal of a check fired (its time ran out). */
export function isAborted(e: unknown): boolean {
  return /AbortError|aborted/i.test(`${errorName(e)} ${errorMessage(e)}`);
}

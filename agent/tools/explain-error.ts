/**
 * SDK and network errors → short text telling the model what went wrong and what to do next. AWS's
 * message is redacted like a response's text (redact.ts): a service may echo a parameter, a resource's
 * configuration or a request body in it.
 */

import { ACCESS_DENIED, BAD_CREDENTIALS, NETWORK, THROTTLED } from '../../common/aws-errors.ts';
import type { ServiceInfo } from '../../common/aws-services.ts';
import type { InputShape } from '../aws/operations.ts';
import { redactMessage } from './redact.ts';

/** A case-insensitive regex matching any of `words` anywhere. */
const anyOf = (...words: string[]): RegExp => new RegExp(words.join('|'), 'i');

const INVALID_INPUT = anyOf(
  'Validation',
  'InvalidParameter',
  'MissingParameter',
  'InvalidInput',
  'Serialization',
  'InvalidRequest',
  'InvalidArgument',
  'MalformedQueryString',
  'InvalidAction',
  'InvalidFilter',
  'InvalidQuery',
  'BadRequest',
);

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  /** S3's error body fields, copied onto the error by the SDK. */
  Region?: unknown;
  Endpoint?: unknown;
  Bucket?: unknown;
}

/** S3 errors that mean "this bucket lives in another region" when they say which. */
const S3_WRONG_REGION = /^(PermanentRedirect|AuthorizationHeaderMalformed|IllegalLocationConstraintException)$/;

/**
 * The region S3 says a bucket is in, from the x-amz-bucket-region header, the error's Region, its
 * Endpoint (`b.s3.eu-west-3.amazonaws.com`) or its message (`expecting 'eu-west-3'`); undefined if none.
 */
function bucketRegion(err: SdkErrorLike, message: string): string | undefined {
  const endpoint = typeof err.Endpoint === 'string' ? err.Endpoint : '';
  const candidates = [
    err.$response?.headers?.['x-amz-bucket-region'],
    typeof err.Region === 'string' ? err.Region : undefined,
    /(?:^|\.)s3[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(endpoint)?.[1],
    /expecting '([a-z]{2}(?:-[a-z]+)+-\d+)'/.exec(message)?.[1],
  ];
  return candidates.find((r): r is string => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r));
}

/**
 * S3's answer for a bucket in another region than the call's (the client follows no redirects:
 * client-cache.ts), as text telling the model the bucket's region to call again in; undefined if the
 * error is not that.
 */
function wrongRegion(err: SdkErrorLike, name: string, message: string, region: string): string | undefined {
  const status = err.$metadata?.httpStatusCode;
  const found = bucketRegion(err, message);
  const elsewhere = found && found !== region ? found : undefined;
  const redirect = status === 301 || name === 'PermanentRedirect';
  if (!redirect && !(elsewhere && (status === 400 || S3_WRONG_REGION.test(name)))) return undefined;
  const bucket = typeof err.Bucket === 'string' ? `Bucket ${err.Bucket}` : 'The bucket';
  const said = name === 'Unknown' || name === 'Error' ? `HTTP ${status ?? '?'}` : name;
  if (!elsewhere) {
    return (
      `${bucket} is in another region than ${region} (S3 answered ${said} and did not say which; ` +
      'the bot does not follow redirects). Find its region with s3 GetBucketLocation and call again in that region.'
    );
  }
  return (
    `${bucket} is in ${elsewhere}, not ${region} (S3 answered ${said}; the bot does not follow redirects). ` +
    `Call again with region "${elsewhere}".`
  );
}

/** What an operation accepts, as one sentence for the model. */
export function expectedParameters(shape: InputShape): string {
  if (!shape.members.length) return 'The operation takes no parameters.';
  const req = shape.required.length ? ` (required: ${shape.required.join(', ')})` : ' (none required)';
  return `It accepts: ${shape.members.join(', ')}${req}.`;
}

/** Short, useful text for an SDK or network error. */
export function explainError(
  e: unknown,
  service: ServiceInfo,
  operation: string,
  action: string,
  region: string,
  shape?: InputShape,
): { code: string; text: string } {
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name && err.name !== 'Error' ? err.name : (err.code ?? 'Error');
  // redacted before it is cut, so a secret is never cut to a piece no pattern knows
  const firstLine = (err.message ?? String(e)).split('\n')[0] ?? '';
  const message = redactMessage(firstLine.slice(0, 4_000)).slice(0, 400);
  const call = `${service.name}:${operation} in ${region}`;
  const moved = service.name === 's3' ? wrongRegion(err, name, message, region) : undefined;
  if (moved) return { code: 'WrongRegion', text: `WrongRegion: ${call} was not answered: ${moved}` };
  const forbidden = err.$metadata?.httpStatusCode === 403 && !BAD_CREDENTIALS.test(name);
  if (ACCESS_DENIED.test(name) || ACCESS_DENIED.test(message) || forbidden) {
    return {
      code: 'AccessDenied',
      text:
        `AccessDenied: the read-only role may not call ${action} (${call}): ${message}. ` +
        'Tell the user this permission is missing; do not retry.',
    };
  }
  if (BAD_CREDENTIALS.test(name)) {
    return {
      code: name,
      text:
        `${name}: the bot could not get its AWS credentials accepted for ${call}: ${message}. ` +
        "This is a deployment problem, not the question's; say so rather than retry.",
    };
  }
  if (INVALID_INPUT.test(name) || (!err.$metadata && e instanceof TypeError)) {
    const hint = shape ? ` ${expectedParameters(shape)}` : '';
    return {
      code: INVALID_INPUT.test(name) ? name : 'InvalidParameters',
      text: `${name}: ${call} rejected the parameters: ${message}.${hint}`,
    };
  }
  if (THROTTLED.test(name)) {
    return { code: name, text: `${name}: AWS throttled ${call} after retries. Try fewer or narrower calls.` };
  }
  if (NETWORK.test(`${name} ${message} ${err.code ?? ''}`)) {
    return { code: 'NetworkError', text: `NetworkError: could not reach AWS for ${call}: ${message}.` };
  }
  return { code: name, text: `${name}: ${call} failed: ${message}` };
}

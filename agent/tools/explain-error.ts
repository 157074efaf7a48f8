/** SDK and network errors → short text telling the model what went wrong and what to do next. */

import { ACCESS_DENIED, BAD_CREDENTIALS, NETWORK, THROTTLED } from '../../common/aws-errors.ts';
import type { ServiceInfo } from '../../common/aws-services.ts';
import type { InputShape } from '../aws/operations.ts';

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
  const message = (err.message ?? String(e)).split('\n')[0]?.slice(0, 400) ?? '';
  const call = `${service.name}:${operation} in ${region}`;
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

/**
 * Failure classification: any error of an invocation → the Failure a Slack user is shown (from
 * common/errors.ts; no message text is written here). Error details stay in the logs.
 */
import { ContextWindowOverflowError, ModelThrottledError } from '@strands-agents/sdk';
import { BAD_CREDENTIALS, NETWORK, THROTTLED } from '../../common/aws-errors.ts';
import { FAILURES, type Failure } from '../../common/errors.ts';
import { BusyError } from './session-pool.ts';

const anyOf = (patterns: readonly string[]): RegExp => new RegExp(patterns.join('|'), 'i');

const MODEL_ACCESS = anyOf([
  'AccessDenied',
  'not authorized',
  "don't have access",
  'UnrecognizedClient',
  'ResourceNotFound.*model',
  'model identifier is invalid',
  'ValidationException.*model',
]);
/** An abort from the network layer (not the caller's signal): the connection to the model was lost. */
const ABORTED = /aborted/i;
const MODEL_ERROR = anyOf([
  'ModelError',
  'MaxTokens',
  'ModelStreamError',
  'InternalServer',
  'ServiceUnavailable',
  'ModelNotReady',
]);

/** Which model the agent uses, for the model_access message. */
export interface ModelPlace {
  readonly modelId?: string;
  readonly modelRegion?: string;
}

/** FAILURES.modelAccess naming the model: `…its AI model (MODEL in REGION). An operator needs…`. */
export function modelAccessFailure(model: ModelPlace): Failure {
  const { message } = FAILURES.modelAccess;
  if (!model.modelId) return FAILURES.modelAccess;
  const where = `${model.modelId}${model.modelRegion ? ` in ${model.modelRegion}` : ''}`;
  const end = message.indexOf('.');
  return { code: FAILURES.modelAccess.code, message: `${message.slice(0, end)} (${where})${message.slice(end)}` };
}

/**
 * The failure to show for an error of an invocation. `timedOut`: the invocation's own time limit
 * fired; `cancelledByCaller`: the caller's signal aborted (the asker went away). Only these make a
 * `timeout` or a `cancelled`: an SDK TimeoutError or an abort-looking network error from the model's
 * endpoint is a model failure.
 */
export function describeFailure(
  e: unknown,
  model: ModelPlace,
  by: { readonly timedOut?: boolean; readonly cancelledByCaller?: boolean } = {},
): Failure {
  const err = e as { name?: string; message?: string; code?: string } | undefined;
  const name = err?.name ?? '';
  const text = `${name} ${err?.message ?? ''} ${err?.code ?? ''}`;
  if (e instanceof BusyError) return FAILURES.busy;
  if (by.timedOut) return FAILURES.timeout;
  if (by.cancelledByCaller) return FAILURES.cancelled;
  if (e instanceof ModelThrottledError || THROTTLED.test(text)) return FAILURES.modelThrottled;
  // what is left after the conversation manager dropped all it could (service/conversation.ts)
  if (e instanceof ContextWindowOverflowError || name === 'ContextWindowOverflowError') return FAILURES.threadTooLong;
  if (MODEL_ACCESS.test(text)) return modelAccessFailure(model);
  if (BAD_CREDENTIALS.test(text)) return FAILURES.awsCredentials;
  if (MODEL_ERROR.test(text) || NETWORK.test(text) || ABORTED.test(text)) return FAILURES.modelError;
  return FAILURES.internal;
}

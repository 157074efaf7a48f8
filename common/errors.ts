/**
 * Errors a user can see, in one home: each code of the bot ↔ agent protocol with the message shown
 * for it in Slack (what happened and what to do), and ConfigError for settings.
 */

/** Why an answer failed: the `code` of the protocol's `error` event and of the bot's answer outcome. */
export type ErrorCode =
  | 'bad_request'
  | 'busy'
  | 'timeout'
  | 'model_throttled'
  | 'model_access'
  | 'model_error'
  | 'aws_credentials'
  | 'cancelled'
  | 'internal';

/** A failure as the user is told about it. */
export interface Failure {
  readonly code: ErrorCode;
  /** What happened and what to do; a reference id is added after it (`userMessage`). */
  readonly message: string;
}

/**
 * Every failure a user can be shown, by kind: its protocol code and its message. Several kinds share
 * a code where the bot should treat them alike but the user should be told something different.
 */
export const FAILURES = {
  badRequest: { code: 'bad_request', message: 'The question could not be read. Please ask again in plain text.' },
  busy: {
    code: 'busy',
    message: 'I am still answering an earlier question in this thread. Ask again when that answer is done.',
  },
  restarting: { code: 'busy', message: 'The agent is restarting. Please ask again in a moment.' },
  timeout: { code: 'timeout', message: 'The answer took too long and was stopped. Try a narrower question.' },
  modelThrottled: {
    code: 'model_throttled',
    message: 'The AI model is busy right now (throttled). Please try again in a minute.',
  },
  modelAccess: {
    code: 'model_access',
    message:
      'The bot cannot use its AI model. An operator needs to enable model access in Amazon Bedrock or set MODEL_ID.',
  },
  modelError: { code: 'model_error', message: 'The AI model failed while answering. Please try again.' },
  awsCredentials: {
    code: 'aws_credentials',
    message: 'The bot has no valid AWS credentials right now. An operator needs to check its configuration.',
  },
  cancelled: { code: 'cancelled', message: 'The answer was cancelled.' },
  internal: { code: 'internal', message: 'Something went wrong while answering. Please try again.' },
  agentThrottled: {
    code: 'model_throttled',
    message: 'The agent is busy right now (throttled). Please try again in a minute.',
  },
  agentUnreachable: {
    code: 'internal',
    message:
      "The bot cannot reach its agent runtime. An operator needs to check AGENT_RUNTIME_ARN and the bot's permissions.",
  },
  agentTimeout: { code: 'timeout', message: 'The agent did not answer in time. Please try again.' },
  agentFailed: { code: 'internal', message: 'The agent failed while answering. Please try again.' },
  agentStopped: { code: 'internal', message: 'The agent stopped before finishing its answer. Please try again.' },
  noAnswer: { code: 'internal', message: 'The agent stopped without an answer. Please try again.' },
} as const satisfies Record<string, Failure>;

export type FailureKind = keyof typeof FAILURES;

/** The message shown in Slack, with its reference id: `… Please try again. (ref 1a2b3c4d)`. */
export const userMessage = (failure: Failure, ref: string): string => `${failure.message} (ref ${ref})`;

/** One or more settings are missing or malformed; `problems` says each, with what to set. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(list.length === 1 ? (list[0] ?? '') : list.map((p) => `- ${p}`).join('\n'));
    this.problems = list;
  }
}

/**
 * Said to the asker when the bot gives up on a question after `attempts` deliveries (it goes to the
 * dead-letter queue): in the thread, or privately through the command's response_url where the bot
 * cannot post.
 */
export const gaveUpMessage = (question: string, attempts: number, ref: string): string =>
  `:warning: Sorry, I could not answer \u201c${question.slice(0, 200)}\u201d after ${attempts} tries. ` +
  `Please ask again in a little while. (ref ${ref})`;

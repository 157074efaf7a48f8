/**
 * Errors a user can see, in one home: each code of the bot ↔ agent protocol with the message shown
 * for it in Slack (what happened and what to do), each reason an asker is turned away with what they are
 * told, and ConfigError for settings.
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
  threadTooLong: {
    code: 'model_error',
    message:
      'This question needs more than the AI model can read at once, even after dropping the oldest part of ' +
      'the thread. Ask a narrower question, or ask in a new thread.',
  },
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

/** Why the access policy (bot/access.ts) turns an asker away: the `reason` of its decision and in the logs. */
export type RefusalReason = 'outsider' | 'unknown_team' | 'home_unknown' | 'user' | 'channel';

/**
 * What an asker who may not ask is told, by reason: what happened and what to do. Nothing was asked then: no
 * AWS call, nothing queued. `userTeamId` is the asker's own workspace, where Slack said.
 */
export const REFUSALS: { readonly [R in RefusalReason]: (o: { readonly userTeamId?: string }) => string } = {
  outsider: ({ userTeamId }) =>
    'Sorry, aws-ask only answers people of the workspace it is installed in, and your account belongs to ' +
    `another workspace (${userTeamId}), so I did not look anything up. If people of your organisation should be ` +
    `able to ask, a platform admin of this workspace can allow it by adding ${userTeamId} to ALLOWED_TEAM_IDS.`,
  unknown_team: () =>
    'Sorry, aws-ask only answers people of the workspace it is installed in, and Slack did not say which ' +
    'workspace your account belongs to, so I did not look anything up. Please ask again; if this keeps ' +
    'happening, ask in a channel that is not shared with another organisation, or in a direct message with me.',
  home_unknown: () =>
    'Sorry, aws-ask could not check which workspace it is installed in (Slack did not answer), so I did not ' +
    'look anything up. Please ask again in a minute.',
  user: () =>
    'Sorry, you are not on the list of people who may ask aws-ask. A platform admin can add you (ALLOWED_USER_IDS).',
  channel: () =>
    'Sorry, aws-ask does not answer in this channel. Ask in one of the allowed channels or in a DM; ' +
    'a platform admin can add this channel (ALLOWED_CHANNEL_IDS).',
};

/**
 * Said to the asker when the bot gives up on a question after `attempts` deliveries (it goes to the
 * dead-letter queue): in the thread, or privately through the command's response_url where the bot
 * cannot post.
 */
export const gaveUpMessage = (question: string, attempts: number, ref: string): string =>
  `:warning: Sorry, I could not answer \u201c${question.slice(0, 200)}\u201d after ${attempts} tries. ` +
  `Please ask again in a little while. (ref ${ref})`;

/**
 * What the AWS tool answers (and the model tells the asker) when a call reaches an account or region outside the
 * asker's scope (common/scopes.ts, AWS_ASK_SCOPES): where they asked, what they may ask about there, what the call
 * wanted. Nothing was called.
 */
export const outOfScopeMessage = (o: {
  /** A channel, or a direct message with the bot. */
  readonly where: 'channel' | 'dm';
  /** The scope as `describeScope` says it: `prod and staging, in eu-west-1`. */
  readonly allowed: string;
  /** What the call wanted: `prod in us-east-1`. */
  readonly asked: string;
}): string =>
  `Out of scope: ${o.where === 'channel' ? 'in this channel' : 'in a direct message'} the asker may ask about ` +
  `${o.allowed}, and this call wanted ${o.asked}, so nothing was called. Tell the asker so; a platform admin ` +
  'decides what each channel and person may ask about (AWS_ASK_SCOPES).';

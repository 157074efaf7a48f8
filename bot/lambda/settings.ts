/**
 * Lambda settings: the Slack secrets come from Secrets Manager (one JSON secret, cached across
 * invocations for five minutes), the rest from the function's environment.
 */

import { createHash } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../common/defaults.ts';
import { ConfigError } from '../../common/errors.ts';
import { SettingsReader } from '../../common/settings.ts';
import {
  fillSecretHint,
  parseSlackSecret,
  SECRET_KEYS,
  SECRET_SHAPE,
  type SlackSecretValues,
} from '../../common/slack-secret.ts';
import { type BotSettings, readBotSettings } from '../config.ts';

/** What each function reads from its environment besides the bot's settings. */
export interface FunctionEnv {
  /** Receiver: the FIFO queue questions go on. */
  readonly queueUrl: string;
  /** Worker: the runtime that answers. */
  readonly agentRuntimeArn: string;
  /** Worker: the idempotency table. */
  readonly idempotencyTable: string;
  /** Worker: deliveries before the dead-letter queue (the asker is told on the last). */
  readonly maxReceiveCount: number;
  /**
   * Worker: seconds before a failed job is delivered again (doubled at each further try), instead of
   * the queue's visibility timeout, which is 6× the worker's timeout so a slow answer is never taken twice.
   */
  readonly retryDelaySeconds: number;
}

export type LambdaFunctionName = 'receiver' | 'worker';

export interface LambdaSettings {
  readonly bot: BotSettings;
  readonly fn: FunctionEnv;
  /** Changes when the secret's values or the environment do (so cached apps are rebuilt). */
  readonly version: string;
}

/** The environment settings the functions read besides the secret. */
const ENV_KEYS = [
  'SLACK_API_URL',
  'ALLOWED_TEAM_IDS',
  'ALLOWED_CHANNEL_IDS',
  'ALLOWED_USER_IDS',
  'SLACK_STREAMING',
  'ANSWER_TIMEOUT_MS',
  'AGENT_RUNTIME_ARN',
  'QUEUE_URL',
  'IDEMPOTENCY_TABLE',
  'MAX_RECEIVE_COUNT',
  'RETRY_DELAY_SECONDS',
  'AWS_ASK_REGIONS',
  'AWS_ASK_DOCS_URL',
  'AWS_ASK_SCOPES',
  'AWS_ASK_ACCOUNTS',
] as const;

const DEPLOYED = 'the stack sets it; redeploy, or set it on the function';

function readFunctionEnv(read: SettingsReader, fn: LambdaFunctionName): FunctionEnv {
  const receiver = fn === 'receiver';
  return {
    queueUrl: receiver ? read.required('QUEUE_URL', DEPLOYED) : '',
    agentRuntimeArn: receiver ? '' : read.required('AGENT_RUNTIME_ARN', DEPLOYED),
    idempotencyTable: receiver ? '' : read.required('IDEMPOTENCY_TABLE', DEPLOYED),
    maxReceiveCount: read.int('MAX_RECEIVE_COUNT', DEFAULT_MAX_RECEIVE_COUNT, 1, 1_000),
    retryDelaySeconds: read.int('RETRY_DELAY_SECONDS', 30, 0, 900),
  };
}

/** Settings per secret value (the same object while the secret's text is unchanged) and environment. */
const parsed = new WeakMap<object, Map<string, LambdaSettings>>();

/** The secret's last text and its values (Powertools hands back the same text until it refreshes). */
let lastSecret: { readonly text: string; readonly values: SlackSecretValues | undefined } | undefined;

/** The values in the secret's text (SecretString, or SecretBinary as UTF-8), parsed once per text. */
function secretValues(raw: string | Uint8Array | undefined): SlackSecretValues | undefined {
  const text = typeof raw === 'string' ? raw : raw ? new TextDecoder().decode(raw) : '';
  if (lastSecret?.text !== text) lastSecret = { text, values: parseSlackSecret(text) };
  return lastSecret.values;
}

/**
 * The function's settings: the Slack secret, cached five minutes, and its environment; ConfigError listing every
 * problem.
 */
export async function lambdaSettings(
  fn: LambdaFunctionName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LambdaSettings> {
  const id = env.SLACK_SECRET_ID;
  if (!id) throw new ConfigError('SLACK_SECRET_ID is not set: the function needs the name or ARN of the Slack secret.');
  let raw: string | Uint8Array | undefined;
  try {
    raw = await getSecret(id, { maxAge: 300 });
  } catch (e) {
    const why = (e as Error).message;
    throw new ConfigError(`Could not read the Slack secret ${id} (${why}). It is filled with: ${fillSecretHint(id)}`);
  }
  const values = secretValues(raw);
  if (!values) throw new ConfigError(`The Slack secret ${id} is not ${SECRET_SHAPE}. Fill it: ${fillSecretHint(id)}`);
  const envKey = [fn, ...ENV_KEYS.map((k) => env[k] ?? '')].join('\u0000');
  const known = parsed.get(values)?.get(envKey);
  if (known) return known;
  const read = new SettingsReader({ ...env, ...values });
  const bot = readBotSettings(read, 'http');
  const fnEnv = readFunctionEnv(read, fn);
  if (read.problems.length) {
    const secretProblem = read.problems.some((p) => SECRET_KEYS.some((k) => p.startsWith(k)));
    const hint = secretProblem ? ` Fill the secret: ${fillSecretHint(id)}` : '';
    throw new ConfigError(`aws-ask is not configured: ${read.problems.join('; ')}.${hint}`);
  }
  const version = createHash('sha256').update(JSON.stringify(values)).update(envKey).digest('hex').slice(0, 16);
  const result = { bot, fn: fnEnv, version };
  const forValues = parsed.get(values) ?? new Map<string, LambdaSettings>();
  forValues.set(envKey, result);
  parsed.set(values, forValues);
  return result;
}

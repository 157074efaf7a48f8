/**
 * Lambda settings: the Slack secrets come from Secrets Manager (one JSON secret, cached across
 * invocations for five minutes), the rest from the function's environment.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../common/errors.ts';
import { botSettingsFromEnv, type BotSettings } from '../config.ts';

export const SECRET_KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

/** How to fill the secret, for error messages and the README. */
export const fillSecretHint = (id: string) =>
  `aws secretsmanager put-secret-value --secret-id ${id} --secret-string '{"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}'`;

export interface LambdaSettings {
  readonly bot: BotSettings;
  /** Changes when the secret's values do (so cached apps are rebuilt). */
  readonly version: string;
}

/** The environment settings the bot reads besides the secret. */
const ENV_KEYS = ['SLACK_API_URL', 'ALLOWED_TEAM_IDS', 'ALLOWED_CHANNEL_IDS', 'ALLOWED_USER_IDS', 'SLACK_STREAMING', 'ANSWER_TIMEOUT_MS'] as const;

/** Settings per secret value (Powertools hands back the same cached object until it refreshes) and environment. */
const parsed = new WeakMap<object, { envKey: string; settings: LambdaSettings }>();

export async function lambdaSettings(env: NodeJS.ProcessEnv = process.env): Promise<LambdaSettings> {
  const id = env.SLACK_SECRET_ID;
  if (!id) throw new ConfigError('SLACK_SECRET_ID is not set: the function needs the name or ARN of the Slack secret.');
  let values: Record<string, unknown>;
  try {
    values = ((await getSecret(id, { transform: 'json', maxAge: 300 })) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`Could not read the Slack secret ${id} (${(e as Error).message}). It must be JSON: ${fillSecretHint(id)}`);
  }
  const envKey = ENV_KEYS.map((k) => env[k] ?? '').join('\u0000');
  const known = parsed.get(values);
  if (known?.envKey === envKey) return known.settings;
  const fromSecret: Record<string, string> = {};
  for (const k of SECRET_KEYS) if (typeof values[k] === 'string') fromSecret[k] = values[k] as string;
  const settings = botSettingsFromEnv({ ...env, ...fromSecret }, 'http');
  if (!settings.ok) throw new ConfigError(`aws-ask is not configured: ${settings.problems.join('; ')}. Fill the secret: ${fillSecretHint(id)}`);
  const version = createHash('sha256').update(JSON.stringify(fromSecret)).update(envKey).digest('hex').slice(0, 16);
  const result = { bot: settings.settings, version };
  parsed.set(values, { envKey, settings: result });
  return result;
}

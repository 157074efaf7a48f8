/**
 * Lambda settings: the Slack secrets come from Secrets Manager (one JSON secret, cached across
 * invocations for five minutes), the rest from the function's environment.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../agent/errors.ts';
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

export async function lambdaSettings(env: NodeJS.ProcessEnv = process.env): Promise<LambdaSettings> {
  const id = env.SLACK_SECRET_ID;
  if (!id) throw new ConfigError('SLACK_SECRET_ID is not set: the function needs the name or ARN of the Slack secret.');
  let values: Record<string, unknown>;
  try {
    values = ((await getSecret(id, { transform: 'json', maxAge: 300 })) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`Could not read the Slack secret ${id} (${(e as Error).message}). It must be JSON: ${fillSecretHint(id)}`);
  }
  const fromSecret: Record<string, string> = {};
  for (const k of SECRET_KEYS) if (typeof values[k] === 'string') fromSecret[k] = values[k] as string;
  const parsed = botSettingsFromEnv({ ...env, ...fromSecret }, 'http');
  if (!parsed.ok) throw new ConfigError(`aws-ask is not configured: ${parsed.problems.join('; ')}. Fill the secret: ${fillSecretHint(id)}`);
  const version = createHash('sha256').update(JSON.stringify(fromSecret)).digest('hex').slice(0, 16);
  return { bot: parsed.settings, version };
}

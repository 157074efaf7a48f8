/**
 * Reading the deployed Slack secret: the bot token and the signing secret. The values stay in memory for
 * the Slack and request URL checks; nothing here puts them in a message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fillSecretHint, SECRET_KEYS } from '../bot/lambda/settings.ts';
import { type ClientSettings, clientConfig, describeError, isAccessDenied } from './aws.ts';
import { fail, type Outcome } from './check.ts';

export interface SlackSecret {
  readonly ok: true;
  readonly botToken?: string;
  readonly signingSecret?: string;
}

export interface NoSlackSecret {
  readonly ok: false;
  readonly problem: Outcome;
}

/** The region a secret's ARN names (the secret may live elsewhere than the region being checked). */
const regionOf = (arn: string, fallback: string) => /^arn:[^:]+:secretsmanager:([^:]+):/.exec(arn)?.[1] ?? fallback;

export async function readSlackSecret(
  secretId: string,
  aws: ClientSettings,
  signal: AbortSignal,
): Promise<SlackSecret | NoSlackSecret> {
  const sm = new SecretsManagerClient(clientConfig({ ...aws, region: regionOf(secretId, aws.region) }));
  let text: string | undefined;
  try {
    text = (await sm.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal })).SecretString;
  } catch (e) {
    const fix = isAccessDenied(e)
      ? `Use credentials that may call secretsmanager:GetSecretValue on ${secretId} (an administrator).`
      : `Check that the stack's SlackSecretArn output names an existing secret; redeploy with npm run deploy.`;
    return { ok: false, problem: fail(`The Slack secret could not be read (${describeError(e)}).`, fix) };
  } finally {
    sm.destroy();
  }
  let values: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      values = parsed as Record<string, unknown>;
  } catch {
    values = undefined;
  }
  if (!values)
    return {
      ok: false,
      problem: fail(
        `The Slack secret is not a JSON object with ${SECRET_KEYS.join(' and ')}.`,
        `Fill it: ${fillSecretHint(secretId)}`,
      ),
    };
  const value = (k: string) => (typeof values[k] === 'string' && values[k].trim() ? values[k].trim() : undefined);
  const botToken = value('SLACK_BOT_TOKEN');
  const signingSecret = value('SLACK_SIGNING_SECRET');
  return { ok: true, ...(botToken ? { botToken } : {}), ...(signingSecret ? { signingSecret } : {}) };
}

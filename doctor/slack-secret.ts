/**
 * Reading the deployed Slack secret: the bot token and the signing secret. The values stay in memory for
 * the Slack and request URL checks; nothing here puts them in a message. What the secret holds and how
 * its text is read is common/slack-secret.ts's, as for the functions that read it.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ACCESS_DENIED, errorText } from '../common/aws-errors.ts';
import { fillSecretHint, parseSlackSecret, SECRET_SHAPE } from '../common/slack-secret.ts';
import { type ClientSettings, clientConfig, describeError } from './aws.ts';
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
    const fix = ACCESS_DENIED.test(errorText(e))
      ? `Use credentials that may call secretsmanager:GetSecretValue on ${secretId} (an administrator).`
      : `Check that the stack's SlackSecretArn output names an existing secret; redeploy with npm run deploy.`;
    return { ok: false, problem: fail(`The Slack secret could not be read (${describeError(e)}).`, fix) };
  } finally {
    sm.destroy();
  }
  const values = parseSlackSecret(text);
  if (!values)
    return {
      ok: false,
      problem: fail(`The Slack secret is not ${SECRET_SHAPE}.`, `Fill it: ${fillSecretHint(secretId)}`),
    };
  const { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret } = values;
  return { ok: true, ...(botToken ? { botToken } : {}), ...(signingSecret ? { signingSecret } : {}) };
}

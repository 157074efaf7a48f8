/**
 * 8. The Slack request URL answers as Slack needs it to: a url_verification request signed the way Slack
 * signs (`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret from the secret), expecting
 * the challenge back. This is what Slack does when the app's Request URL is saved.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { fillSecretHint } from '../../common/slack-secret.ts';
import { describeError } from '../aws.ts';
import { type Check, fail, type Outcome, pass, skip } from '../check.ts';

/** Slack's request signature headers for `body`. */
export function slackSignature(secret: string, body: string, timestamp: number): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${sig}` };
}

/** Whether the body carries the challenge, as plain text or as Bolt's {"challenge": …}. */
function echoes(body: string, challenge: string): boolean {
  if (body.trim() === challenge) return true;
  try {
    return (JSON.parse(body) as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

function explainStatus(status: number, url: string, secretId: string): Outcome {
  const logs = "The receiver's log group (/aws/lambda/…Receiver…) says why.";
  if (status === 401)
    return fail(
      `${url} refused the signed request (401): the receiver checks signatures with another signing secret.`,
      'The functions cache the secret for 5 minutes: if you just filled it, wait and run the doctor again. ' +
        "Otherwise make SLACK_SIGNING_SECRET the app's Signing Secret (Basic Information → App Credentials): " +
        `${fillSecretHint(secretId)}`,
    );
  if (status === 500)
    return fail(
      `${url} answered 500: the receiver is not configured (usually the secret was empty or unreadable when it ` +
        'last read it).',
      `Fill the secret (${fillSecretHint(secretId)}), wait up to 5 minutes for the functions to read it, and run ` +
        `the doctor again. ${logs}`,
    );
  if (status === 403 || status === 404)
    return fail(
      `${url} answered ${status}: it is not the receiver's public Function URL.`,
      'Redeploy with `npm run deploy` (the stack makes the URL with auth NONE) and use its SlackRequestUrl output.',
    );
  return fail(`${url} answered ${status} to url_verification.`, `Run the doctor again. ${logs}`);
}

export const requestUrlCheck: Check = {
  id: 'request-url',
  title: 'Slack request URL',
  afterDeploy: true,
  async run(ctx, signal) {
    const outputs = await ctx.outputs('SlackRequestUrl', 'SlackSecretArn');
    if ('blocked' in outputs) return outputs.blocked;
    const url = outputs.SlackRequestUrl;
    const secret = await ctx.slackSecret();
    if ('blocked' in secret) return secret.blocked;
    if (!secret.ok || !secret.signingSecret)
      return skip('Needs SLACK_SIGNING_SECRET from the Slack secret to sign the request (see the Slack line).');
    const challenge = randomBytes(16).toString('hex');
    const body = JSON.stringify({ token: 'aws-ask-doctor', challenge, type: 'url_verification' });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...slackSignature(secret.signingSecret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        redirect: 'manual',
        signal,
      });
    } catch (e) {
      return fail(
        `${url} could not be reached (${describeError((e as { cause?: unknown }).cause ?? e)}).`,
        "Check the network or proxy; the stack's SlackRequestUrl output is the URL to use (redeploy if it changed).",
      );
    }
    const text = await res.text();
    if (res.status !== 200) return explainStatus(res.status, url, outputs.SlackSecretArn);
    if (!echoes(text, challenge))
      return fail(
        `${url} answered 200 but without the challenge: Slack would not accept it as the Request URL.`,
        "Check that SlackRequestUrl is the receiver's Function URL from this stack; redeploy with `npm run deploy`.",
      );
    return pass(`${url} answered a signed url_verification with its challenge.`);
  },
};

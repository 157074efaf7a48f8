/**
 * 6. The Slack secret is filled and its bot token works: auth.test with the token, against the Slack API
 * base the deployed functions use (cdk.json's slackApiUrl, for GovSlack), else SLACK_API_URL (the tests'
 * fake Slack), else Slack's. Slack's own error code says which problem it is; the token never appears in
 * the output.
 */
import { type Logger, LogLevel } from '@slack/logger';
import { type WebAPICallError, WebClient } from '@slack/web-api';
import { fillSecretHint } from '../../common/slack-secret.ts';
import { type Check, fail, type Outcome, pass } from '../check.ts';

/** The Web API client's logs are not the doctor's output: what went wrong is in the check's line. */
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const PUT_TOKEN =
  'In your Slack app (https://api.slack.com/apps), OAuth & Permissions, copy the Bot User OAuth Token ' +
  '(xoxb-…; install or reinstall the app to the workspace if there is none) and put it in the secret';

/** What a failed auth.test means. */
export function explainAuthError(e: unknown, secretId: string): Outcome {
  const err = e as Partial<WebAPICallError> & { data?: { error?: string }; message?: string };
  const code = err.data?.error;
  const fill = `${PUT_TOKEN}: ${fillSecretHint(secretId)}. The functions read it within 5 minutes.`;
  if (code === 'invalid_auth' || code === 'not_authed')
    return fail(`Slack does not accept the bot token in the secret (${code}).`, fill);
  if (code === 'token_revoked' || code === 'account_inactive' || code === 'token_expired')
    return fail(`The bot token in the secret no longer works (${code}): the app was uninstalled or revoked.`, fill);
  if (code) return fail(`Slack refused auth.test (${code}).`, fill);
  return fail(
    `Slack did not answer auth.test (${err.code ?? 'error'}: ${err.message ?? String(e)}).`,
    "Check the network or proxy, and cdk.json's slackApiUrl or SLACK_API_URL if you set one (it must be the " +
      'Web API base, e.g. https://slack.com/api/).',
  );
}

export const slackCheck: Check = {
  id: 'slack',
  title: 'Slack secret and bot token',
  afterDeploy: true,
  async run(ctx) {
    const outputs = await ctx.outputs('SlackSecretArn');
    if ('blocked' in outputs) return outputs.blocked;
    const secretId = outputs.SlackSecretArn;
    const secret = await ctx.slackSecret();
    if ('blocked' in secret) return secret.blocked;
    if (!secret.ok) return secret.problem;
    const empty = [
      ...(secret.botToken ? [] : ['SLACK_BOT_TOKEN']),
      ...(secret.signingSecret ? [] : ['SLACK_SIGNING_SECRET']),
    ];
    if (empty.length)
      return fail(
        `The Slack secret is not filled: ${empty.join(' and ')} ${empty.length > 1 ? 'are' : 'is'} empty ` +
          '(until it is, the receiver answers Slack with 500).',
        "Fill it with the app's Bot User OAuth Token and Signing Secret (Basic Information): " +
          fillSecretHint(secretId),
      );
    if (!secret.botToken?.startsWith('xoxb-'))
      return fail(
        'SLACK_BOT_TOKEN in the secret is not a bot token (it must start with xoxb-).',
        `${PUT_TOKEN}: ${fillSecretHint(secretId)}`,
      );
    const api = ctx.slackApi;
    const slack = new WebClient(secret.botToken, {
      ...(api.url ? { slackApiUrl: api.url } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: ctx.options.timeoutMs,
      logger: quiet,
    });
    try {
      const me = await slack.auth.test();
      const at = api.url ? ` (${api.url}, from ${api.from})` : '';
      return pass(
        `The bot token works: ${me.user ?? 'the bot'} (${me.user_id ?? '?'}) in ${me.team ?? 'the workspace'}${at}.`,
      );
    } catch (e) {
      return explainAuthError(e, secretId);
    }
  },
};

/**
 * Bot settings from the environment, validated at start: every problem is named, one line each,
 * with what to set.
 */
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../common/defaults.ts';

export type Transport = 'socket' | 'http';

export interface Allowlists {
  readonly teams: readonly string[];
  readonly channels: readonly string[];
  readonly users: readonly string[];
}

export interface BotSettings {
  readonly botToken: string;
  /** Socket Mode only. */
  readonly appToken?: string;
  /** HTTP (Lambda) only. */
  readonly signingSecret?: string;
  /** Web API base for every Slack client the bot makes (GovSlack, tests). */
  readonly slackApiUrl?: string;
  readonly allow: Allowlists;
  /** Answer through a deployed AgentCore runtime instead of in-process. */
  readonly agentRuntimeArn?: string;
  /** Stream answers with chat.startStream (default) or post and update. */
  readonly streaming: boolean;
  /** Longest answer before the bot stops waiting and says so. */
  readonly answerTimeoutMs: number;
}

export type SettingsResult = { readonly ok: true; readonly settings: BotSettings } | { readonly ok: false; readonly problems: readonly string[] };

const ID_LIST = /^[A-Z0-9]{2,32}$/;
export const RUNTIME_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/[A-Za-z0-9_-]+$/;

function list(env: NodeJS.ProcessEnv, name: string, problems: string[]): string[] {
  const items = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !ID_LIST.test(i));
  if (bad.length) problems.push(`${name} has ${bad.map((b) => `"${b}"`).join(', ')}: give Slack ids (like T0123ABCD, C0123ABCD, U0123ABCD), comma-separated`);
  return items;
}

export function botSettingsFromEnv(env: NodeJS.ProcessEnv, transport: Transport): SettingsResult {
  const problems: string[] = [];
  const botToken = env.SLACK_BOT_TOKEN?.trim() ?? '';
  if (!botToken) problems.push('SLACK_BOT_TOKEN is not set: use the Bot User OAuth Token (xoxb-…) from your Slack app\'s OAuth & Permissions page');
  else if (!botToken.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN must be a bot token (xoxb-…), not a user or app token');
  let appToken: string | undefined;
  let signingSecret: string | undefined;
  if (transport === 'socket') {
    appToken = env.SLACK_APP_TOKEN?.trim();
    if (!appToken) problems.push('SLACK_APP_TOKEN is not set: create an app-level token (xapp-…) with connections:write under Basic Information → App-Level Tokens');
    else if (!appToken.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write');
  } else {
    signingSecret = env.SLACK_SIGNING_SECRET?.trim();
    if (!signingSecret) problems.push('SLACK_SIGNING_SECRET is not set: copy the Signing Secret from Basic Information → App Credentials');
  }
  let slackApiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (slackApiUrl) {
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(slackApiUrl)) problems.push(`SLACK_API_URL must be an http(s) URL like https://slack.com/api/ (got "${slackApiUrl}")`);
    else if (!slackApiUrl.endsWith('/')) slackApiUrl += '/';
  }
  const allow = { teams: list(env, 'ALLOWED_TEAM_IDS', problems), channels: list(env, 'ALLOWED_CHANNEL_IDS', problems), users: list(env, 'ALLOWED_USER_IDS', problems) };
  const agentRuntimeArn = env.AGENT_RUNTIME_ARN?.trim() || undefined;
  if (agentRuntimeArn && !RUNTIME_ARN.test(agentRuntimeArn)) {
    problems.push(`AGENT_RUNTIME_ARN must be an AgentCore runtime ARN like arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/aws_ask-AbC123 (got "${agentRuntimeArn}")`);
  }
  const streamingRaw = (env.SLACK_STREAMING ?? 'true').trim().toLowerCase();
  if (!['true', 'false'].includes(streamingRaw)) problems.push('SLACK_STREAMING must be true or false');
  const timeoutRaw = env.ANSWER_TIMEOUT_MS?.trim() || String(DEFAULT_ANSWER_TIMEOUT_MS);
  const answerTimeoutMs = Number(timeoutRaw);
  if (!Number.isInteger(answerTimeoutMs) || answerTimeoutMs < 1_000 || answerTimeoutMs > 900_000) problems.push(`ANSWER_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 900000 (got "${timeoutRaw}")`);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      botToken,
      ...(appToken ? { appToken } : {}),
      ...(signingSecret ? { signingSecret } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
      allow,
      ...(agentRuntimeArn ? { agentRuntimeArn } : {}),
      streaming: streamingRaw !== 'false',
      answerTimeoutMs,
    },
  };
}

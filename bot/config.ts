/**
 * Bot settings from the environment, validated at start: every problem is named, one line each,
 * with what to set.
 */
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../common/defaults.ts';
import { readScopes, type Scopes } from '../common/scopes.ts';
import { SettingsReader } from '../common/settings.ts';

export type Transport = 'socket' | 'http';

/** Who may ask (bot/access.ts). */
export interface Allowlists {
  /**
   * Workspaces (T…, or an enterprise's E…) whose people may ask besides the one the bot is installed in, whose
   * people always may (ALLOWED_TEAM_IDS). Empty: only the bot's own workspace.
   */
  readonly teams: readonly string[];
  /** Channels where questions are answered (ALLOWED_CHANNEL_IDS); DMs always. Empty: every channel. */
  readonly channels: readonly string[];
  /** People who may ask (ALLOWED_USER_IDS). Empty: everyone the workspaces allow. */
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
  /** Regions the agent looks in (AWS_ASK_REGIONS), shown on the Home tab; empty: the deployment's default. */
  readonly regions: readonly string[];
  /** Where the Home tab links for the docs (AWS_ASK_DOCS_URL), if anywhere. */
  readonly docsUrl?: string;
  /**
   * Which accounts and regions each channel and person may ask about (AWS_ASK_SCOPES, common/scopes.ts), shown in
   * `/aws-ask help` and the Home tab; the agent enforces them. Absent or not `configured`: everything.
   */
  readonly scopes?: Scopes;
}

export type SettingsResult =
  | { readonly ok: true; readonly settings: BotSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

const ID_LIST = /^[A-Z0-9]{2,32}$/;
export const RUNTIME_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/[A-Za-z0-9_-]+$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

function idList(read: SettingsReader, name: string): string[] {
  const items = read.list(name);
  const bad = items.filter((i) => !ID_LIST.test(i));
  if (bad.length) {
    const names = bad.map((b) => `"${b}"`).join(', ');
    read.problem(`${name} has ${names}: give Slack ids (like T0123ABCD, C0123ABCD, U0123ABCD), comma-separated`);
  }
  return items;
}

/** The bot's settings, from one process-wide reader (problems are collected, not thrown). */
export function readBotSettings(read: SettingsReader, transport: Transport): BotSettings {
  const botToken = read.required(
    'SLACK_BOT_TOKEN',
    "use the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
  );
  if (botToken && !botToken.startsWith('xoxb-')) {
    read.problem('SLACK_BOT_TOKEN must be a bot token (xoxb-…), not a user or app token');
  }
  let appToken: string | undefined;
  let signingSecret: string | undefined;
  if (transport === 'socket') {
    appToken = read.required(
      'SLACK_APP_TOKEN',
      'create an app-level token (xapp-…) with connections:write under Basic Information → App-Level Tokens',
    );
    if (appToken && !appToken.startsWith('xapp-')) {
      read.problem('SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write');
    }
  } else {
    signingSecret = read.required(
      'SLACK_SIGNING_SECRET',
      'copy the Signing Secret from Basic Information → App Credentials',
    );
  }
  let slackApiUrl = read.str('SLACK_API_URL');
  if (slackApiUrl && !HTTP_URL.test(slackApiUrl)) {
    read.problem(`SLACK_API_URL must be an http(s) URL like https://slack.com/api/ (got "${slackApiUrl}")`);
  } else if (slackApiUrl && !slackApiUrl.endsWith('/')) {
    slackApiUrl += '/';
  }
  const allow = {
    teams: idList(read, 'ALLOWED_TEAM_IDS'),
    channels: idList(read, 'ALLOWED_CHANNEL_IDS'),
    users: idList(read, 'ALLOWED_USER_IDS'),
  };
  const agentRuntimeArn = read.str('AGENT_RUNTIME_ARN');
  if (agentRuntimeArn && !RUNTIME_ARN.test(agentRuntimeArn)) {
    read.problem(
      'AGENT_RUNTIME_ARN must be an AgentCore runtime ARN like ' +
        `arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/aws_ask-AbC123 (got "${agentRuntimeArn}")`,
    );
  }
  const streaming = read.bool('SLACK_STREAMING', true);
  const answerTimeoutMs = read.int('ANSWER_TIMEOUT_MS', DEFAULT_ANSWER_TIMEOUT_MS, 1_000, 900_000);
  // read here so that a bad AWS_ASK_SCOPES stops the bot at start, with the agent's own reading of it
  const scopes = readScopes(read);
  const docsUrl = read.str('AWS_ASK_DOCS_URL');
  if (docsUrl && !HTTP_URL.test(docsUrl)) {
    read.problem(`AWS_ASK_DOCS_URL must be an http(s) URL (got "${docsUrl}")`);
  }
  return {
    botToken,
    ...(appToken ? { appToken } : {}),
    ...(signingSecret ? { signingSecret } : {}),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    allow,
    ...(agentRuntimeArn ? { agentRuntimeArn } : {}),
    streaming,
    answerTimeoutMs,
    regions: read.regions(),
    ...(docsUrl && HTTP_URL.test(docsUrl) ? { docsUrl } : {}),
    ...(scopes.configured ? { scopes } : {}),
  };
}

/** The bot's settings alone, with every problem. */
export function botSettingsFromEnv(env: NodeJS.ProcessEnv, transport: Transport): SettingsResult {
  const read = new SettingsReader(env);
  const settings = readBotSettings(read, transport);
  return read.problems.length ? { ok: false, problems: read.problems } : { ok: true, settings };
}

/**
 * The Slack app manifests, built from the code's own facts (command, events, scopes, suggested
 * prompts) so a user creates the app by pasting one file:
 *
 *   slack/manifest.dev.json    Socket Mode, for `npm run dev`
 *   slack/manifest.prod.json   HTTP, pointed at the deployed receiver URL
 *
 * The app uses the agent messaging experience (`agent_view`, conversations in the Messages tab), the
 * default and only one for new apps; `assistant_view` and its `assistant_thread_started` event are the
 * legacy experience (https://docs.slack.dev/ai/migrating-to-agent-messaging/).
 *
 * Interactivity is on in both, for the 👍/👎 buttons under each answer (`block_actions` payloads): over
 * the Socket Mode connection in dev, to the same request URL as events and the command in prod
 * (`settings.interactivity`: https://docs.slack.dev/reference/app-manifest).
 *
 * `npm run manifest` rewrites both. The production request URL is the deploy's `SlackRequestUrl`
 * output: from `--url https://…/`, else from `cdk-outputs.json` (written by `npm run deploy`), else
 * a placeholder that says what to do.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from '../common/main.ts';
import { SUGGESTED_PROMPTS } from './format.ts';

export const REQUEST_URL_PLACEHOLDER = 'https://REPLACE-WITH-THE-DEPLOYED-SlackRequestUrl/';

export const BOT_SCOPES = [
  'app_mentions:read',
  'assistant:write',
  // follow-ups without a mention: read replies in channel threads the bot answers in
  'channels:history',
  'groups:history',
  'chat:write',
  'commands',
  'im:history',
  'im:read',
  'im:write',
] as const;
export const BOT_EVENTS = [
  'app_home_opened',
  'app_mention',
  'message.channels',
  'message.groups',
  'message.im',
] as const;
export const COMMAND = '/aws-ask';

export function manifest(kind: 'dev' | 'prod', requestUrl = REQUEST_URL_PLACEHOLDER): Record<string, unknown> {
  const name = kind === 'dev' ? 'aws-ask (dev)' : 'aws-ask';
  const url = requestUrl.endsWith('/') ? requestUrl : `${requestUrl}/`;
  return {
    _metadata: { major_version: 2, minor_version: 1 },
    display_information: {
      name,
      description: 'Answers questions about our AWS account from live, read-only API calls.',
      long_description:
        'Ask aws-ask about the AWS account: what runs where, what it costs, what is exposed. ' +
        'It answers in the thread in seconds, from live read-only AWS API calls, and lists the calls each answer ' +
        'rests on. It cannot change anything and never reads secrets, parameters or data contents.',
      background_color: '#232f3e',
    },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: kind === 'dev' ? 'aws-ask-dev' : 'aws-ask', always_online: true },
      agent_view: {
        agent_description: 'Ask about our AWS account: resources, costs, security. Read-only.',
        suggested_prompts: SUGGESTED_PROMPTS.map((p) => ({ title: p.title, message: p.message })),
      },
      slash_commands: [
        {
          command: COMMAND,
          ...(kind === 'prod' ? { url } : {}),
          description: 'Ask a question about our AWS account (read-only)',
          usage_hint: 'which EC2 instances are running in eu-west-1?',
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(kind === 'prod' ? { request_url: url } : {}), bot_events: [...BOT_EVENTS] },
      // the feedback buttons' clicks: over the socket in dev, to the receiver in prod
      interactivity: { is_enabled: true, ...(kind === 'prod' ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: kind === 'dev',
      token_rotation_enabled: false,
    },
  };
}

export const slackDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'slack');

export function writeManifests(requestUrl?: string, dir = slackDir): string[] {
  const dev = join(dir, 'manifest.dev.json');
  const prod = join(dir, 'manifest.prod.json');
  writeFileSync(dev, `${JSON.stringify(manifest('dev'), null, 2)}\n`);
  writeFileSync(prod, `${JSON.stringify(manifest('prod', requestUrl), null, 2)}\n`);
  return [dev, prod];
}

/** The SlackRequestUrl in a `cdk deploy --outputs-file` file, if there is one. */
export function requestUrlFromOutputs(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  for (const stack of Object.values(outputs)) if (stack.SlackRequestUrl) return stack.SlackRequestUrl;
  return undefined;
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--url');
  const given = i > 0 ? process.argv[i + 1] : undefined;
  if (i > 0 && (!given || !/^https:\/\/\S+$/.test(given))) {
    process.stderr.write('--url needs the https request URL of the deployed receiver (the SlackRequestUrl output).\n');
    process.exit(2);
  }
  const outputsFile = resolve(slackDir, '..', 'cdk-outputs.json');
  const url = given ?? requestUrlFromOutputs(outputsFile);
  for (const f of writeManifests(url)) process.stdout.write(`wrote ${f}\n`);
  process.stdout.write(
    url
      ? `slack/manifest.prod.json points at ${url}\n`
      : 'slack/manifest.prod.json has a placeholder URL: ' +
          'deploy first (npm run deploy writes cdk-outputs.json) or pass --url.\n',
  );
}

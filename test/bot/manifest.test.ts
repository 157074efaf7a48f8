import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUGGESTED_PROMPTS } from '../../bot/format.ts';
import { BOT_EVENTS, BOT_SCOPES, manifest, REQUEST_URL_PLACEHOLDER, slackDir } from '../../bot/manifest.ts';

describe('Slack app manifests', () => {
  it('the committed files are what `npm run manifest` writes (no drift from the code)', () => {
    expect(JSON.parse(readFileSync(join(slackDir, 'manifest.dev.json'), 'utf8'))).toEqual(manifest('dev'));
    expect(JSON.parse(readFileSync(join(slackDir, 'manifest.prod.json'), 'utf8'))).toEqual(manifest('prod'));
  });

  it('dev uses Socket Mode; prod points events and the command at the request URL', () => {
    const dev = manifest('dev') as {
      settings: { socket_mode_enabled: boolean; event_subscriptions: Record<string, unknown> };
    };
    expect(dev.settings.socket_mode_enabled).toBe(true);
    expect(dev.settings.event_subscriptions.request_url).toBeUndefined();
    const prod = manifest('prod', 'https://abc.lambda-url.eu-west-1.on.aws') as {
      settings: { socket_mode_enabled: boolean; event_subscriptions: { request_url: string; bot_events: string[] } };
      features: {
        slash_commands: { url: string; command: string }[];
        agent_view: { agent_description: string; suggested_prompts: unknown[] };
        assistant_view?: unknown;
      };
      oauth_config: { scopes: { bot: string[] } };
    };
    expect(prod.settings.socket_mode_enabled).toBe(false);
    expect(prod.settings.event_subscriptions.request_url).toBe('https://abc.lambda-url.eu-west-1.on.aws/');
    expect(prod.features.slash_commands[0]).toMatchObject({
      command: '/aws-ask',
      url: 'https://abc.lambda-url.eu-west-1.on.aws/',
    });
    expect(prod.settings.event_subscriptions.bot_events).toEqual([...BOT_EVENTS]);
    expect(prod.oauth_config.scopes.bot).toEqual([...BOT_SCOPES]);
    expect(prod.features.agent_view.suggested_prompts).toEqual(SUGGESTED_PROMPTS.map((p) => ({ ...p })));
    expect(prod.features.agent_view.agent_description.length).toBeLessThanOrEqual(300);
    expect(JSON.stringify(manifest('prod'))).toContain(REQUEST_URL_PLACEHOLDER);
  });

  it('uses the agent messaging experience, not the legacy assistant view and its event', () => {
    // agent_view is the default and only experience for new apps; app_home_opened (tab "messages")
    // replaces assistant_thread_started: https://docs.slack.dev/ai/migrating-to-agent-messaging/
    for (const kind of ['dev', 'prod'] as const) {
      const m = manifest(kind) as { features: Record<string, unknown>; settings: { event_subscriptions: unknown } };
      expect(m.features.agent_view).toBeDefined();
      expect(m.features.assistant_view).toBeUndefined();
      expect(m.features.app_home).toMatchObject({
        home_tab_enabled: true,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: false,
      });
      // message.channels / message.groups: follow-ups in threads the bot answers in, without a mention
      expect(m.settings.event_subscriptions).toMatchObject({
        bot_events: ['app_home_opened', 'app_mention', 'message.channels', 'message.groups', 'message.im'],
      });
    }
  });

  it('turns interactivity on for the feedback buttons: over the socket in dev, at the request URL in prod', () => {
    // settings.interactivity: https://docs.slack.dev/reference/app-manifest
    const settings = (kind: 'dev' | 'prod', url?: string) =>
      (manifest(kind, url) as { settings: { interactivity: Record<string, unknown> } }).settings;
    expect(settings('dev').interactivity).toEqual({ is_enabled: true });
    expect(settings('prod', 'https://abc.lambda-url.eu-west-1.on.aws').interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://abc.lambda-url.eu-west-1.on.aws/',
    });
  });

  it('asks for the scopes the bot uses and no more', () => {
    // chat:write: answers and streams; assistant:write: status and prompts; im:*: DMs and the agent view;
    // channels:history / groups:history: reading a thread's replies to know the bot is answering there
    expect([...BOT_SCOPES].sort()).toEqual([
      'app_mentions:read',
      'assistant:write',
      'channels:history',
      'chat:write',
      'commands',
      'groups:history',
      'im:history',
      'im:read',
      'im:write',
    ]);
  });
});

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
        assistant_view: { suggested_prompts: unknown[] };
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
    expect(prod.features.assistant_view.suggested_prompts).toEqual(SUGGESTED_PROMPTS.map((p) => ({ ...p })));
    expect(JSON.stringify(manifest('prod'))).toContain(REQUEST_URL_PLACEHOLDER);
  });

  it('asks for the scopes the bot uses and no more', () => {
    // chat:write: answers and streams; assistant:write: status and prompts; im:*: DMs and the agent view
    expect([...BOT_SCOPES].sort()).toEqual([
      'app_mentions:read',
      'assistant:write',
      'chat:write',
      'commands',
      'im:history',
      'im:read',
      'im:write',
    ]);
  });
});

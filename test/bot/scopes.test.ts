/**
 * Scopes in Slack (AWS_ASK_SCOPES): `/aws-ask help` and the Home tab say what the asker may ask about where, read
 * through the bot's own settings (bot/config.ts) as `npm run dev` and the Lambdas read them; the real Bolt app over
 * Socket Mode against the fake Slack, fronted with views.publish (test/helpers/home-follow-slack.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../../bot/app.ts';
import { botSettingsFromEnv } from '../../bot/config.ts';
import { HELP_TEXT } from '../../bot/format.ts';
import type { AnswerJob } from '../../bot/job.ts';
import { createLogger } from '../../common/log.ts';
import { SlackFront } from '../helpers/home-follow-slack.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack } from '../services/fake-slack.ts';

const SCOPES = JSON.stringify({
  default: { accounts: ['staging'], regions: ['eu-west-1'] },
  channels: { C0OPS: { accounts: ['prod', 'staging'] }, C0FIN: { accounts: 'all', regions: ['us-east-1'] } },
  users: { U0ALICE: { accounts: 'all' }, U0BOB: { accounts: ['sandbox', 'staging'] } },
});
const ACCOUNTS = 'prod=111111111111,staging=222222222222,sandbox=333333333333';

let slack: FakeSlack;
let front: SlackFront;
let bot: Bot | undefined;
const jobs: AnswerJob[] = [];
const logger = createLogger({ write: () => {} });

async function start(env: Record<string, string>): Promise<void> {
  front = await SlackFront.start(slack);
  const read = botSettingsFromEnv(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: front.apiUrl, ...env },
    'socket',
  );
  if (!read.ok) throw new Error(read.problems.join('\n'));
  bot = createBot({ settings: read.settings, logger, dispatch: async (job) => void jobs.push(job) });
  await bot.app.start();
  await slack.connected();
}

const help = async (channel: string, user: string) =>
  (await slack.command({ channel, user, text: 'help' })).ack.payload as { response_type: string; text: string };

/** Every text in a view, one per line. */
function textOf(view: unknown): string {
  const out: string[] = [];
  for (const b of (view as { blocks: Record<string, unknown>[] }).blocks) {
    const t = b.text as { text?: string } | undefined;
    if (t?.text) out.push(t.text);
    for (const e of (b.elements as { text?: string }[] | undefined) ?? []) if (e.text) out.push(e.text);
  }
  return out.join('\n');
}

async function home(user: string): Promise<string> {
  await slack.send(
    'events_api',
    slack.eventPayload({ type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home' }),
  );
  return textOf(await slack.waitFor(() => front.published.get(user), 10_000, `the Home tab of ${user}`));
}

beforeEach(async () => {
  slack = await FakeSlack.start();
  jobs.length = 0;
});

afterEach(async () => {
  await bot?.app.stop();
  bot = undefined;
  await front?.close();
  await slack.close();
});

describe('scopes in /aws-ask help', () => {
  it('says what the asker may ask about in the channel, in a DM, with their own scope', async () => {
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: SCOPES });
    const ops = await help('C0OPS', 'U0CAROL');
    expect(ops.response_type).toBe('ephemeral');
    expect(ops.text.startsWith(HELP_TEXT)).toBe(true);
    expect(ops.text).toContain('In <#C0OPS> you may ask about *prod and staging*.');
    expect((await help('C0RANDOM', 'U0CAROL')).text).toContain(
      'In <#C0RANDOM> you may ask about *staging, in eu-west-1*.',
    );
    expect((await help('C0FIN', 'U0ALICE')).text).toContain(
      'In <#C0FIN> you may ask about *every account, in us-east-1*.',
    );
    // Bob's own scope (sandbox and staging) and #ops' (prod and staging): only what both allow
    expect((await help('C0OPS', 'U0BOB')).text).toContain('In <#C0OPS> you may ask about *staging*.');
    expect((await help('D0ALICE', 'U0ALICE')).text).toContain(
      'In direct messages with me you may ask about *every account*.',
    );
    expect((await help('D0CAROL', 'U0CAROL')).text).toContain(
      'In direct messages with me you may ask about *staging, in eu-west-1*.',
    );
    expect(jobs).toEqual([]);
  });

  it('says nothing of scopes to someone who may not ask there, nor when AWS_ASK_SCOPES is unset', async () => {
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: SCOPES, ALLOWED_USER_IDS: 'U0ALICE' });
    expect((await help('C0OPS', 'U0CAROL')).text).toBe(HELP_TEXT);
    slack.externalUser('U0GUEST');
    expect((await help('C0OPS', 'U0GUEST')).text).toBe(HELP_TEXT);
    expect((await help('C0OPS', 'U0ALICE')).text).toContain('In <#C0OPS> you may ask about *prod and staging*.');
    await bot?.app.stop();
    await front.close();
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS });
    expect((await help('C0OPS', 'U0ALICE')).text).toBe(HELP_TEXT);
  });
});

describe('scopes in the Home tab', () => {
  it('lists what the viewer may ask about in DMs, in each scoped channel and elsewhere', async () => {
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: SCOPES });
    const carol = await home('U0CAROL');
    expect(carol).toContain('What you may ask about');
    expect(carol).toContain(
      [
        '• In direct messages with me: *staging, in eu-west-1*',
        '• In <#C0OPS>: *prod and staging*',
        '• In <#C0FIN>: *every account, in us-east-1*',
        '• In other channels: *staging, in eu-west-1*',
      ].join('\n'),
    );
    const bob = await home('U0BOB');
    expect(bob).toContain(
      [
        '• In direct messages with me: *sandbox and staging*',
        '• In <#C0OPS>: *staging*',
        '• In <#C0FIN>: *sandbox and staging, in us-east-1*',
        '• In other channels: *staging, in eu-west-1*',
      ].join('\n'),
    );
  });

  it('shows no scopes to someone who may not ask, nor when AWS_ASK_SCOPES is unset', async () => {
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: SCOPES, ALLOWED_USER_IDS: 'U0ALICE' });
    expect(await home('U0CAROL')).not.toContain('What you may ask about');
    expect(await home('U0ALICE')).toContain('• In direct messages with me: *every account*');
    await bot?.app.stop();
    await front.close();
    await start({ AWS_ASK_ACCOUNTS: ACCOUNTS });
    expect(await home('U0ALICE')).not.toContain('What you may ask about');
  });
});

describe('reading AWS_ASK_SCOPES with the bot settings', () => {
  it('a bad scope is a settings problem, with what to fix', () => {
    const read = botSettingsFromEnv(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        AWS_ASK_ACCOUNTS: ACCOUNTS,
        AWS_ASK_SCOPES: '{"channels":{"C0OPS":{"accounts":["prodd"]}}}',
      },
      'socket',
    );
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems).toEqual([
      'AWS_ASK_SCOPES channels.C0OPS.accounts has "prodd", which AWS_ASK_ACCOUNTS does not name: use one of ' +
        "prod (111111111111), staging (222222222222), sandbox (333333333333), default (the tool role's account), " +
        'or a 12-digit account id.',
    ]);
  });
});

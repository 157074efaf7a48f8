/**
 * The App Home's Home tab: the real Bolt app over Socket Mode with the listeners of
 * bot/listeners/index.ts and `registerHomeTab`, against the fake Slack fronted with views.publish
 * (test/helpers/home-follow-slack.ts), which refuses views Slack would refuse.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allowlists } from '../../bot/config.ts';
import { SUGGESTED_PROMPTS } from '../../bot/format.ts';
import { accessText, type HomeOptions, homeView, listWithin, regionsText } from '../../bot/home.ts';
import { type HomeTabView, MAX_VIEW_BLOCKS, viewProblems } from '../../bot/home-view.ts';
import { createLogger } from '../../common/log.ts';
import { settle, startTestBot, type TestBot } from '../helpers/home-follow-bot.ts';
import { homeViewRefusal } from '../helpers/home-follow-slack.ts';
import { BOT_USER_ID, FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

let slack: FakeSlack;
const running: TestBot[] = [];
const logs: Record<string, unknown>[] = [];
const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });

async function bot(allow: Partial<Allowlists>, home: Omit<HomeOptions, 'allow'>): Promise<TestBot> {
  const b = await startTestBot({
    slack,
    logger,
    allow,
    home,
  });
  running.push(b);
  return b;
}

const openHome = (user: string, extra: Record<string, unknown> = {}) =>
  slack.send(
    'events_api',
    slack.eventPayload({ type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', ...extra }),
  );

/** Every text in a view, one per line, as a person reads it. */
function textOf(view: unknown): string {
  const out: string[] = [];
  for (const b of (view as { blocks: Record<string, unknown>[] }).blocks) {
    const t = b.text as { text?: string } | undefined;
    if (t?.text) out.push(t.text);
    for (const e of (b.elements as { text?: string }[] | undefined) ?? []) if (e.text) out.push(e.text);
  }
  return out.join('\n');
}

async function published(b: TestBot, user: string): Promise<Record<string, unknown>> {
  return slack.waitFor(() => b.front.published.get(user), 10_000, `the Home tab of ${user}`);
}

beforeEach(async () => {
  slack = await FakeSlack.start();
  logs.length = 0;
});

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
  await slack.close();
});

describe('the Home tab', () => {
  it('open access: what it does, how to ask, everyone may ask, the default region, examples, no docs', async () => {
    const b = await bot({}, { regions: [] });
    await openHome('U0ALICE');
    const view = await published(b, 'U0ALICE');
    const call = slack.callsTo('views.publish')[0]!;
    expect(call.args.user_id).toBe('U0ALICE');
    expect(call.result).toBe('ok');
    expect(view.type).toBe('home');
    const text = textOf(view);
    expect(text).toMatch(/live, read-only AWS API calls/);
    expect(text).toContain('`/aws-ask <question>`');
    expect(text).toContain(`Mention <@${BOT_USER_ID}> in a channel`);
    expect(text).toMatch(/reply in the thread: there is no need to mention me again/);
    expect(text).toMatch(/\*Everyone\* in this workspace may ask/);
    expect(text).toMatch(/People of other organisations, in channels shared with them, may not/);
    expect(text).toMatch(/You may ask me/);
    expect(text).toMatch(/the default region of the deployment/);
    for (const p of SUGGESTED_PROMPTS) expect(text).toContain(p.message);
    expect(text).not.toMatch(/Read the docs/);
    expect(viewProblems(view as unknown as HomeTabView)).toEqual([]);
    // the Messages tab's listener was not involved
    expect(slack.callsTo('assistant.threads.setSuggestedPrompts')).toEqual([]);
  });

  it('restricted access: names who may ask and where, tells a person not on the list, regions, docs', async () => {
    const b = await bot(
      { users: ['U0ALICE', 'U0BOB'], channels: ['C0OPS', 'C0SRE'], teams: [TEAM_ID] },
      { regions: ['eu-west-1', 'us-east-1'], docsUrl: 'https://wiki.example.com/aws-ask' },
    );
    await openHome('U0MALLORY');
    const mallory = textOf(await published(b, 'U0MALLORY'));
    expect(mallory).toContain('*People:* only <@U0ALICE> and <@U0BOB>');
    expect(mallory).toContain('*Channels:* only <#C0OPS> and <#C0SRE>, and direct messages with me');
    expect(mallory).toContain(`*Workspaces:* this one and \`${TEAM_ID}\``);
    expect(mallory).toMatch(/:no_entry: Sorry, you are not on the list of people who may ask aws-ask/);
    expect(mallory).toContain('I look only in these regions: `eu-west-1` and `us-east-1`.');
    expect(mallory).toContain('<https://wiki.example.com/aws-ask|Read the docs>');
    expect(mallory).not.toMatch(/Everyone/);
    await openHome('U0ALICE');
    const alice = textOf(await published(b, 'U0ALICE'));
    expect(alice).toMatch(/:white_check_mark: You may ask me/);
    expect(alice).not.toMatch(/not on the list/);
  });

  it('does not publish again when the tab already shows the same view, and does when it changed', async () => {
    const b = await bot({}, { regions: ['eu-west-1'] });
    await openHome('U0ALICE');
    const view = await published(b, 'U0ALICE');
    expect(view.private_metadata).toMatch(/^aws-ask-home:[0-9a-f]{16}$/);
    await openHome('U0ALICE', { view: { id: view.id, type: 'home', private_metadata: view.private_metadata } });
    await settle();
    expect(slack.callsTo('views.publish')).toHaveLength(1);
    await openHome('U0ALICE', {
      view: { id: view.id, type: 'home', private_metadata: 'aws-ask-home:0000000000000000' },
    });
    await slack.waitFor(() => slack.callsTo('views.publish').length === 2);
  });

  it('logs a failed views.publish and does not throw', async () => {
    const b = await bot({}, { regions: [] });
    b.front.fail('views.publish', 'fatal_error');
    await openHome('U0ALICE');
    const warned = await slack.waitFor(() => logs.find((l) => l.msg === 'views.publish failed'));
    expect(warned).toMatchObject({ level: 'warn', user: 'U0ALICE', slackError: 'fatal_error' });
    expect(b.front.published.size).toBe(0);
    expect(logs.some((l) => l.msg === 'listener failed')).toBe(false);
    // the next open publishes
    await openHome('U0ALICE');
    await published(b, 'U0ALICE');
  });

  it('ignores the Messages tab', async () => {
    await bot({}, { regions: [] });
    await slack.send(
      'events_api',
      slack.eventPayload({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'messages' }),
    );
    await slack.waitFor(() => slack.callsTo('assistant.threads.setSuggestedPrompts').length === 1);
    await settle();
    expect(slack.callsTo('views.publish')).toEqual([]);
  });
});

describe('the Home view within Block Kit limits', () => {
  const many = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(8, '0')}`);

  it('cuts long allowlists and region lists to fit, saying how many more', () => {
    const allow = { users: many('U', 600), channels: many('C', 600), teams: many('T', 300) };
    const regions = many('region-', 200);
    const view = homeView({ allow, regions, docsUrl: 'https://example.com/docs' }, { botUserId: BOT_USER_ID });
    expect(viewProblems(view)).toEqual([]);
    expect(homeViewRefusal(view)).toBeUndefined();
    expect(view.blocks.length).toBeLessThanOrEqual(MAX_VIEW_BLOCKS);
    const text = textOf(view);
    expect(text).toMatch(/<@U00000000>, <@U00000001>, .* and \d+ more/);
    expect(text).toMatch(/<#C00000000>, .* and \d+ more/);
    expect(text).toMatch(/`region-00000000`, .* and \d+ more/);
  });

  it('lists ids in plain words', () => {
    expect(listWithin([])).toBe('');
    expect(listWithin(['a'])).toBe('a');
    expect(listWithin(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listWithin(['aaaa', 'bbbb', 'cccc'], 15)).toBe('aaaa and 2 more');
    expect(listWithin(['aaaa', 'bbbb', 'cccc'], 14)).toBe('3 more');
    expect(accessText({ users: [], channels: [], teams: [] })).toMatch(/^\*Everyone\*/);
    expect(accessText({ users: ['U1'], channels: [], teams: [] })).toContain('*Channels:* any channel');
    expect(accessText({ users: ['U1'], channels: [], teams: [] })).toContain('*Workspaces:* only this one');
    expect(regionsText(['eu-west-1'])).toBe(
      'I look only in this region: `eu-west-1`. Questions about the whole account cover it.',
    );
  });

  it('links the docs only for a web address Slack can carry', () => {
    const base = { allow: { users: [], channels: [], teams: [] }, regions: [] };
    for (const docsUrl of ['README.md', 'file:///etc/passwd', 'https://x.example/a|b', 'https://x.example/a b']) {
      expect(textOf(homeView({ ...base, docsUrl }))).not.toMatch(/Read the docs/);
    }
    expect(textOf(homeView({ ...base, docsUrl: 'http://intranet/aws-ask' }))).toContain(
      '<http://intranet/aws-ask|Read the docs>',
    );
  });

  it('names what breaks a limit', () => {
    const long = 'x'.repeat(3_001);
    const view: HomeTabView = {
      type: 'home',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: long } },
        { type: 'section', text: { type: 'mrkdwn', text: '' } },
        { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'c' })) },
      ],
    };
    expect(viewProblems(view)).toEqual([
      'block 0 (header): text of 151 characters (1 to 150)',
      'block 1 (section): text of 3001 characters (1 to 3000)',
      'block 2 (section): text of 0 characters (1 to 3000)',
      'block 3 (context): 1 to 10 elements',
    ]);
    const tooMany: HomeTabView = { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) };
    expect(viewProblems(tooMany)).toEqual(['1 to 100 blocks (has 101)']);
  });
});

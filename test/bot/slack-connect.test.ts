/**
 * Only people of the workspace the bot is installed in may ask, by default: people of another organisation in
 * a channel shared with it (Slack Connect) are refused on every way of asking (a mention, a DM, the command, a
 * follow-up in a thread), told why and what to do, and nothing reaches the agent. ALLOWED_TEAM_IDS lets a
 * workspace in. Over Socket Mode: the real Bolt app against the fake Slack, which shapes events, commands and
 * clicks as Slack does for people of other workspaces (test/services/fake-slack.ts, `eventPayload`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import type { DevBot } from '../../bot/socket.ts';
import { createLogger } from '../../common/log.ts';
import type { AgentEvent, InvocationRequest } from '../../common/protocol.ts';
import { startDevBotOn } from '../helpers/dev-bot.ts';
import { BOT_USER_ID, FakeSlack, PARTNER_TEAM_ID, TEAM_ID } from '../services/fake-slack.ts';

let slack: FakeSlack;
let dev: DevBot | undefined;
/** Every request the agent was sent. */
const asked: InvocationRequest[] = [];
const logs: Record<string, unknown>[] = [];

const agent: AgentClient = {
  async *invoke(_sessionId, request): AsyncGenerator<AgentEvent> {
    asked.push(request);
    yield { type: 'text', text: 'Answered.' };
    yield { type: 'done', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, toolCalls: [], durationMs: 1 };
  },
};

async function start(env: Record<string, string> = {}): Promise<void> {
  slack = await FakeSlack.start();
  asked.length = 0;
  logs.length = 0;
  const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  dev = await startDevBotOn(slack, agent, env, logger);
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const answered = (channel: string, threadTs: string) =>
  slack.waitFor(() => slack.thread(channel, threadTs).find((m) => !m.streaming && /AWS calls/.test(m.text)));
const ephemeralFor = (user: string) => slack.waitFor(() => slack.ephemerals.find((e) => e.user === user));

/** Nothing was started for an answer: no status, no stream, no post in a thread. */
function nothingAnswered(): void {
  expect(asked).toEqual([]);
  expect(slack.callsTo('assistant.threads.setStatus')).toEqual([]);
  expect(slack.callsTo('chat.startStream')).toEqual([]);
  expect(slack.messages.filter((m) => m.fromBot && m.thread_ts)).toEqual([]);
}

afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

describe('people of another organisation, in a channel shared with it', () => {
  it('a mention is refused privately, saying why and what to do; nothing is asked or posted', async () => {
    await start();
    slack.shareChannel('C0SHARED');
    slack.externalUser('U0EVE');
    const { message } = await slack.mention({ channel: 'C0SHARED', user: 'U0EVE', text: 'list our IAM users' });
    const refusal = await ephemeralFor('U0EVE');
    expect(refusal).toMatchObject({ channel: 'C0SHARED', thread_ts: message.ts });
    expect(refusal.text).toMatch(/only answers people of the workspace it is installed in/);
    expect(refusal.text).toContain(`another workspace (${PARTNER_TEAM_ID})`);
    expect(refusal.text).toContain(`adding ${PARTNER_TEAM_ID} to ALLOWED_TEAM_IDS`);
    await settle();
    nothingAnswered();
    expect(logs.find((l) => l.msg === 'refused')).toMatchObject({
      reason: 'outsider',
      team: TEAM_ID,
      userTeam: PARTNER_TEAM_ID,
      user: 'U0EVE',
    });
  });

  it('a DM, the command and a follow-up in a thread are refused too, and only the refusal is said', async () => {
    await start();
    slack.shareChannel('C0SHARED');
    slack.externalUser('U0EVE');
    // a DM: told in the DM's thread, as every DM refusal is
    const dm = await slack.dm({ channel: 'D0EVE', user: 'U0EVE', text: 'what runs?' });
    const dmRefusal = await slack.waitFor(() => slack.messages.find((m) => m.fromBot && m.channel === 'D0EVE'));
    expect(dmRefusal.thread_ts).toBe(dm.message.ts);
    expect(dmRefusal.text).toMatch(/another workspace \(T0PARTNER1\).*ALLOWED_TEAM_IDS/);
    // the command: in its ack, privately; no question is posted for it
    const { ack } = await slack.command({ channel: 'C0SHARED', user: 'U0EVE', text: 'what runs?' });
    expect(ack.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/only answers people of the workspace it is installed in/),
    });
    expect(slack.messages.some((m) => m.fromBot && /asked:/.test(m.text))).toBe(false);
    // a follow-up in a thread the bot answers in, for someone of this workspace
    const alice = await slack.mention({ channel: 'C0SHARED', user: 'U0ALICE', text: 'what runs?' });
    await answered('C0SHARED', alice.message.ts);
    const reply = slack.userMessage('C0SHARED', 'U0EVE', 'and the IAM users?', alice.message.ts);
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        channel_type: 'channel',
        channel: 'C0SHARED',
        user: 'U0EVE',
        text: reply.text,
        ts: reply.ts,
        thread_ts: alice.message.ts,
        parent_user_id: 'U0ALICE',
      }),
    );
    const followUpRefusal = await ephemeralFor('U0EVE');
    expect(followUpRefusal).toMatchObject({ channel: 'C0SHARED', thread_ts: alice.message.ts });
    await settle();
    // only Alice's question reached the agent, and only her answer is in the thread
    expect(asked.map((r) => r.prompt)).toEqual(['what runs?']);
    expect(slack.thread('C0SHARED', alice.message.ts).filter((m) => m.fromBot)).toHaveLength(1);
  });

  it('someone of this workspace in the same channel is answered, though the event names the other one', async () => {
    await start();
    // the channel comes from the partner: the envelope's team_id is theirs, the installation is ours
    slack.shareChannel('C0SHARED', PARTNER_TEAM_ID);
    const { message } = await slack.mention({ channel: 'C0SHARED', user: 'U0ALICE', text: 'what runs?' });
    await answered('C0SHARED', message.ts);
    expect(asked).toMatchObject([{ prompt: 'what runs?', asker: { teamId: TEAM_ID, userId: 'U0ALICE' } }]);
    expect(slack.callsTo('chat.startStream')[0]!.args).toMatchObject({
      recipient_team_id: TEAM_ID,
      recipient_user_id: 'U0ALICE',
    });
    expect(slack.ephemerals).toEqual([]);
  });

  it('ALLOWED_TEAM_IDS lets that workspace in: answered, streamed to the asker in their own workspace', async () => {
    await start({ ALLOWED_TEAM_IDS: PARTNER_TEAM_ID });
    slack.shareChannel('C0SHARED');
    slack.externalUser('U0EVE');
    const { message } = await slack.mention({ channel: 'C0SHARED', user: 'U0EVE', text: 'what runs?' });
    await answered('C0SHARED', message.ts);
    expect(asked).toMatchObject([{ asker: { teamId: PARTNER_TEAM_ID, userId: 'U0EVE' } }]);
    // "the team the user receiving the streaming text belongs to" (the fake refuses any other)
    expect(slack.callsTo('chat.startStream').map((c) => [c.result, c.args.recipient_team_id])).toEqual([
      ['ok', PARTNER_TEAM_ID],
    ]);
    // and people of this workspace still may
    const alice = await slack.mention({ channel: 'C0SHARED', user: 'U0ALICE', text: 'and now?' });
    await answered('C0SHARED', alice.message.ts);
  });

  it('when Slack leaves out whose workspace the author is, a shared channel is refused; others are not', async () => {
    await start();
    slack.shareChannel('C0SHARED');
    slack.omitAuthorTeam = true;
    await slack.mention({ channel: 'C0SHARED', user: 'U0ALICE', text: 'what runs?' });
    const refusal = await ephemeralFor('U0ALICE');
    expect(refusal.text).toMatch(/Slack did not say which workspace your account belongs to/);
    await settle();
    nothingAnswered();
    // a channel not shared with anyone: everyone in it is of this workspace
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'what runs?' });
    await answered('C0OPS', message.ts);
    expect(asked).toHaveLength(1);
  });
});

describe('Enterprise Grid: another workspace of the same enterprise', () => {
  it('is refused unless ALLOWED_TEAM_IDS names it, by mention and by command', async () => {
    await start();
    slack.gridUser('U0GRACE', 'T0GRIDB001');
    await slack.mention({ channel: 'C0ORG', user: 'U0GRACE', text: 'what runs?' });
    expect((await ephemeralFor('U0GRACE')).text).toContain('another workspace (T0GRIDB001)');
    const { ack } = await slack.command({ channel: 'C0ORG', user: 'U0GRACE', text: 'what runs?' });
    expect(ack.payload).toMatchObject({ text: expect.stringContaining('adding T0GRIDB001 to ALLOWED_TEAM_IDS') });
    await settle();
    nothingAnswered();
  });

  it('is answered once allowed', async () => {
    await start({ ALLOWED_TEAM_IDS: 'T0GRIDB001' });
    slack.gridUser('U0GRACE', 'T0GRIDB001');
    const { message } = await slack.mention({ channel: 'C0ORG', user: 'U0GRACE', text: 'what runs?' });
    await answered('C0ORG', message.ts);
    expect(asked).toMatchObject([{ asker: { teamId: 'T0GRIDB001', userId: 'U0GRACE' } }]);
    expect(slack.ephemerals).toEqual([]);
  });
});

describe('the fake Slack shapes what other workspaces send', () => {
  it('events in a shared channel carry the installation, the channel workspace and the author workspace', async () => {
    slack = await FakeSlack.start();
    slack.shareChannel('C0SHARED', PARTNER_TEAM_ID);
    slack.externalUser('U0EVE');
    const eve = slack.eventPayload({ type: 'app_mention', user: 'U0EVE', channel: 'C0SHARED', ts: '1.1', text: 'x' });
    expect(eve).toMatchObject({
      team_id: PARTNER_TEAM_ID,
      is_ext_shared_channel: true,
      authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID }],
      event: { user_team: PARTNER_TEAM_ID, source_team: PARTNER_TEAM_ID, team: PARTNER_TEAM_ID },
    });
    const home = slack.eventPayload({ type: 'app_mention', user: 'U0ALICE', channel: 'C0OPS', ts: '1.2', text: 'x' });
    expect(home).toMatchObject({ team_id: TEAM_ID, is_ext_shared_channel: false });
    expect((home.event as Record<string, unknown>).user_team).toBeUndefined();
  });
});

describe('the home workspace when auth.test is slow (the receiver must ack within 3 s)', () => {
  it('goes on without it after the wait, shares the one pending request, then uses the answer', async () => {
    const { createServer } = await import('node:http');
    const { WebClient } = await import('@slack/web-api');
    const { homeTeamFrom } = await import('../../bot/workspaces.ts');
    const held: ((team: string) => void)[] = [];
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      held.push((team) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, team_id: team, user_id: BOT_USER_ID }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const client = new WebClient('xoxb-test', { slackApiUrl: `http://127.0.0.1:${port}/api/` });
    const home = homeTeamFrom(client, createLogger({ write: () => {} }), 50);
    try {
      expect(await home()).toBeUndefined();
      expect(await home()).toBeUndefined();
      expect(requests).toBe(1);
      for (const answer of held) answer(TEAM_ID);
      await new Promise((r) => setTimeout(r, 20));
      expect(await home()).toBe(TEAM_ID);
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

/**
 * Follow-ups without mentioning the bot again: the real Bolt app over Socket Mode with the listeners
 * of bot/listeners/index.ts and `registerFollowUps`, against the fake Slack fronted with
 * conversations.replies (test/helpers/home-follow-slack.ts). A person's plain reply in a thread the bot
 * has posted in is answered in that thread; nothing else is.
 */
import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BotIdentity, botThreads } from '../../bot/follow-up-threads.ts';
import { type ChannelMessage, followUpCandidate } from '../../bot/follow-ups.ts';
import { createLogger } from '../../common/log.ts';
import {
  answersIn,
  botReply,
  channelMessage,
  mentionInChannel,
  settle,
  startTestBot,
  type TestBot,
} from '../helpers/home-follow-bot.ts';
import { BOT_ID, BOT_USER_ID, FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

let slack: FakeSlack;
const running: TestBot[] = [];
const logs: Record<string, unknown>[] = [];
const logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });

async function bot(allow: { users?: string[]; channels?: string[] } = {}): Promise<TestBot> {
  const b = await startTestBot({ slack, logger, allow });
  running.push(b);
  return b;
}

/** A mention answered in its thread: the thread the bot is in. */
async function botThread(channel = 'C0OPS', user = 'U0ALICE', text = 'how many instances?'): Promise<string> {
  const { message } = await mentionInChannel(slack, { channel, user, text });
  await slack.waitFor(() => answersIn(slack, channel, message.ts).length === 1, 10_000, 'the first answer');
  return message.ts;
}

beforeEach(async () => {
  slack = await FakeSlack.start();
  logs.length = 0;
});

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
  await slack.close();
});

describe('follow-ups in a thread the bot is in', () => {
  it('answers a plain reply in that thread, as a mention of the same thread, asking Slack about it once', async () => {
    const b = await bot();
    const threadTs = await botThread();
    // the mention's `message` event was left to the mention path: one job so far
    expect(b.jobs).toHaveLength(1);
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'and in us-east-1?', threadTs });
    const answers = await slack.waitFor(() => {
      const a = answersIn(slack, 'C0OPS', threadTs);
      return a.length === 2 ? a : undefined;
    });
    expect(answers[1]!.text).toMatch(/^answer: and in us-east-1\?/);
    expect(b.jobs[1]).toMatchObject({
      surface: 'mention',
      teamId: TEAM_ID,
      channelId: 'C0OPS',
      threadTs,
      userId: 'U0ALICE',
      isDm: false,
      question: 'and in us-east-1?',
    });
    const lookups = slack.callsTo('conversations.replies');
    expect(lookups.map((c) => c.args)).toEqual([
      expect.objectContaining({ channel: 'C0OPS', ts: threadTs, limit: expect.anything() }),
    ]);
    expect(Number(lookups[0]!.args.limit)).toBeLessThanOrEqual(15);
    // someone else follows up too, with Slack's escapes decoded: the thread is known now, no second lookup
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0BOB', text: 'what about t3 &amp; t4?', threadTs });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', threadTs).length === 3);
    expect(b.jobs[2]).toMatchObject({ userId: 'U0BOB', question: 'what about t3 & t4?', threadTs });
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
  });

  it("knows a slash command's thread from the reply's parent_user_id, without asking Slack", async () => {
    const b = await bot();
    await slack.command({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
    const parent = await slack.waitFor(() => slack.messages.find((m) => m.fromBot && !m.thread_ts));
    await slack.waitFor(() => answersIn(slack, 'C0OPS', parent.ts).length === 1);
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'and stopped ones?', threadTs: parent.ts });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', parent.ts).length === 2);
    expect(b.jobs.map((j) => j.surface)).toEqual(['command', 'mention']);
    expect(slack.callsTo('conversations.replies')).toEqual([]);
  });

  it('after a restart (a Lambda cold start), asks Slack and still answers', async () => {
    const first = await bot();
    const threadTs = await botThread();
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await settle(200);
    const second = await bot();
    await slack.waitFor(() => slack.connections === 2);
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'and yesterday?', threadTs });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', threadTs).length === 2);
    expect(second.jobs.map((j) => j.question)).toEqual(['and yesterday?']);
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
  });

  it('works the same in a private channel (message.groups, groups:history)', async () => {
    const b = await bot();
    const threadTs = await botThread('G0PRIVATE');
    await channelMessage(slack, { channel: 'G0PRIVATE', user: 'U0ALICE', text: 'and RDS?', threadTs });
    await slack.waitFor(() => answersIn(slack, 'G0PRIVATE', threadTs).length === 2);
    expect(b.jobs[1]).toMatchObject({ channelId: 'G0PRIVATE', threadTs, question: 'and RDS?' });
  });

  it('answers a retried delivery of a follow-up once', async () => {
    const b = await bot();
    const threadTs = await botThread();
    const { message } = await channelMessage(slack, {
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'once?',
      threadTs,
      eventId: 'EvFOLLOW1',
    });
    await slack.waitFor(() => b.jobs.length === 2);
    const again = {
      type: 'message',
      channel_type: 'channel',
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'once?',
      ts: message.ts,
      thread_ts: threadTs,
      parent_user_id: 'U0ALICE',
      team: TEAM_ID,
    };
    await slack.send('events_api', slack.eventPayload(again, 'EvFOLLOW1'), 1);
    await settle();
    expect(b.jobs).toHaveLength(2);
    await slack.waitFor(() => answersIn(slack, 'C0OPS', threadTs).length === 2);
  });

  it('tells a person who may not ask, once per thread and privately, and answers nobody for them', async () => {
    const b = await bot({ users: ['U0ALICE'] });
    const threadTs = await botThread();
    for (const text of ['can I ask too?', 'hello?']) {
      await channelMessage(slack, { channel: 'C0OPS', user: 'U0MALLORY', text, threadTs });
    }
    await slack.waitFor(() => slack.ephemerals.length >= 1);
    await settle();
    expect(slack.ephemerals).toHaveLength(1);
    expect(slack.ephemerals[0]).toMatchObject({
      channel: 'C0OPS',
      user: 'U0MALLORY',
      text: expect.stringMatching(/not on the list of people who may ask/),
    });
    expect(slack.callsTo('chat.postEphemeral')[0]!.args.thread_ts).toBe(threadTs);
    expect(b.jobs).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'refused' && l.user === 'U0MALLORY')).toHaveLength(2);
  });
});

describe('what is not a follow-up', () => {
  it('a top-level channel message: no answer, and Slack is not asked', async () => {
    const b = await bot();
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'anyone around?' });
    await settle();
    expect(b.jobs).toEqual([]);
    expect(slack.callsTo('conversations.replies')).toEqual([]);
    expect(slack.messages.filter((m) => m.fromBot)).toEqual([]);
  });

  it('a reply in a thread the bot is not in: Slack is asked, nothing is answered', async () => {
    const b = await bot();
    const { message: parent } = await channelMessage(slack, { channel: 'C0OPS', user: 'U0BOB', text: 'lunch?' });
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'yes please', threadTs: parent.ts });
    await slack.waitFor(() => slack.callsTo('conversations.replies').length === 1);
    // people go on talking: what Slack said is remembered for a while
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0BOB', text: 'noon then', threadTs: parent.ts });
    await settle();
    expect(b.jobs).toEqual([]);
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
    expect(slack.messages.filter((m) => m.fromBot)).toEqual([]);
  });

  it('a human thread the bot is then mentioned in becomes a bot thread at once', async () => {
    const b = await bot();
    const { message: parent } = await channelMessage(slack, { channel: 'C0OPS', user: 'U0BOB', text: 'costs?' });
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'no idea', threadTs: parent.ts });
    await slack.waitFor(() => slack.callsTo('conversations.replies').length === 1);
    await mentionInChannel(slack, {
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'what did we spend?',
      threadTs: parent.ts,
    });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', parent.ts).length === 1);
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: 'and on EC2?', threadTs: parent.ts });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', parent.ts).length === 2);
    expect(b.jobs.map((j) => j.question)).toEqual(['what did we spend?', 'and on EC2?']);
  });

  it('a reply that mentions the bot is answered once, by the mention path', async () => {
    const b = await bot();
    const threadTs = await botThread();
    const { mentionEventId } = await mentionInChannel(slack, {
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'and Lambda, please?',
      threadTs,
      trailing: true,
    });
    await slack.waitFor(() => answersIn(slack, 'C0OPS', threadTs).length === 2);
    await settle();
    expect(b.jobs).toHaveLength(2);
    expect(b.jobs[1]).toMatchObject({ dedupeKey: mentionEventId, question: 'and Lambda, please?', threadTs });
    expect(answersIn(slack, 'C0OPS', threadTs)).toHaveLength(2);
  });

  it("messages by bots (this one's and others'), edits, deletions, replies addressed to someone else", async () => {
    const b = await bot();
    const threadTs = await botThread();
    await botReply(slack, { channel: 'C0OPS', threadTs, text: 'my own words', own: true });
    await botReply(slack, { channel: 'C0OPS', threadTs, text: 'another bot', own: false });
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'channel',
        channel: 'C0OPS',
        message: { user: 'U0ALICE', text: 'edited question', thread_ts: threadTs, ts: '1.1' },
        ts: '1.2',
      }),
    );
    await slack.send(
      'events_api',
      slack.eventPayload({
        type: 'message',
        subtype: 'message_deleted',
        channel_type: 'channel',
        channel: 'C0OPS',
        deleted_ts: '1.1',
        thread_ts: threadTs,
        ts: '1.3',
      }),
    );
    await channelMessage(slack, { channel: 'C0OPS', user: 'U0ALICE', text: '<@U0BOB> can you check?', threadTs });
    await settle();
    expect(b.jobs).toHaveLength(1);
    expect(answersIn(slack, 'C0OPS', threadTs)).toHaveLength(1);
  });

  it('when Slack cannot say (a missing scope), the reply is left alone and logged; nothing fails', async () => {
    const b = await bot();
    const threadTs = await botThread('G0PRIVATE');
    b.front.scopes.delete('groups:history');
    await channelMessage(slack, { channel: 'G0PRIVATE', user: 'U0ALICE', text: 'and RDS?', threadTs });
    const warned = await slack.waitFor(() => logs.find((l) => String(l.msg).startsWith('follow-up not checked')));
    expect(warned).toMatchObject({
      level: 'warn',
      channel: 'G0PRIVATE',
      thread: threadTs,
      slackError: 'missing_scope',
    });
    await settle();
    expect(b.jobs).toHaveLength(1);
    expect(logs.some((l) => l.msg === 'listener failed')).toBe(false);
  });
});

describe('followUpCandidate', () => {
  const reply: ChannelMessage = {
    channel: 'C1',
    channel_type: 'channel',
    user: 'U0ALICE',
    text: 'and then?',
    ts: '2.0',
    thread_ts: '1.0',
  };

  it('takes a person’s reply in a channel thread, broadcast replies included', () => {
    expect(followUpCandidate(reply, BOT_USER_ID)).toEqual({
      channel: 'C1',
      threadTs: '1.0',
      ts: '2.0',
      userId: 'U0ALICE',
      text: 'and then?',
    });
    expect(followUpCandidate({ ...reply, subtype: 'thread_broadcast' }, BOT_USER_ID)).toBeDefined();
    expect(followUpCandidate({ ...reply, parent_user_id: BOT_USER_ID }, BOT_USER_ID)?.parentUserId).toBe(BOT_USER_ID);
  });

  it.each([
    ['a top-level message', { thread_ts: undefined }],
    ['a thread parent', { thread_ts: '2.0' }],
    ['a DM', { channel_type: 'im' }],
    ['a group DM', { channel_type: 'mpim' }],
    ['a bot message', { bot_id: 'B1' }],
    ['the bot itself', { user: BOT_USER_ID }],
    ['an edit', { subtype: 'message_changed' }],
    ['an edited message', { edited: { user: 'U0ALICE', ts: '3.0' } }],
    ['a file share subtype', { subtype: 'file_share' }],
    ['a mention of the bot', { text: `and <@${BOT_USER_ID}> what then?` }],
    ['a mention of the bot with a name', { text: `<@${BOT_USER_ID}|aws-ask> then?` }],
    ['a reply to someone else', { text: '<@U0BOB> did you see?' }],
    ['an empty reply', { text: '   ' }],
    ['no user', { user: undefined }],
  ])('leaves out %s', (_what, change) => {
    expect(followUpCandidate({ ...reply, ...change } as ChannelMessage, BOT_USER_ID)).toBeUndefined();
  });

  it('leaves everything to app_mention when the bot’s own id is unknown', () => {
    expect(followUpCandidate(reply, undefined)).toBeUndefined();
  });
});

describe('botThreads', () => {
  const bot: BotIdentity = { userId: BOT_USER_ID, botId: BOT_ID };
  const thread = { channel: 'C1', threadTs: '1.0' };

  /** A client whose conversations.replies serves `pages` in turn and counts its calls. */
  function client(pages: { user?: string; bot_id?: string }[][], delayMs = 0): { c: WebClient; calls: unknown[] } {
    const calls: unknown[] = [];
    const c = {
      conversations: {
        replies: async (args: { cursor?: string }) => {
          calls.push(args);
          if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          const i = args.cursor ? Number(args.cursor) : 0;
          const next = i + 1 < pages.length ? String(i + 1) : '';
          return { ok: true, messages: pages[i] ?? [], response_metadata: { next_cursor: next } };
        },
      },
    } as unknown as WebClient;
    return { c, calls };
  }

  it('reads page after page until a message by the bot, at most maxPages', async () => {
    const people = [{ user: 'U1' }, { user: 'U2' }];
    const found = client([people, people, [{ user: 'U3' }, { user: BOT_USER_ID, bot_id: BOT_ID }]]);
    expect(await botThreads({ maxPages: 4 }).isBotThread(found.c, thread, bot)).toBe(true);
    expect(found.calls).toHaveLength(3);
    const tooFar = client([people, people, [{ bot_id: BOT_ID }]]);
    expect(await botThreads({ maxPages: 2 }).isBotThread(tooFar.c, thread, bot)).toBe(false);
    expect(tooFar.calls).toHaveLength(2);
  });

  it('remembers a bot thread, forgets a thread without the bot after a while or when told', async () => {
    const threads = botThreads({ absentTtlMs: 50 });
    const none = client([[{ user: 'U1' }]]);
    expect(await threads.isBotThread(none.c, thread, bot)).toBe(false);
    expect(await threads.isBotThread(none.c, thread, bot)).toBe(false);
    expect(none.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(await threads.isBotThread(none.c, thread, bot)).toBe(false);
    expect(none.calls).toHaveLength(2);
    threads.forget(thread);
    const now = client([[{ user: 'U1' }, { user: BOT_USER_ID }]]);
    expect(await threads.isBotThread(now.c, thread, bot)).toBe(true);
    expect(await threads.isBotThread(none.c, thread, bot)).toBe(true);
    expect(none.calls).toHaveLength(2);
  });

  it('asks once for replies that arrive together, and fails (remembering nothing) past its time limit', async () => {
    const threads = botThreads({ timeoutMs: 50 });
    const slow = client([[{ user: BOT_USER_ID }]], 10);
    const answers = await Promise.all([1, 2, 3].map(() => threads.isBotThread(slow.c, thread, bot)));
    expect(answers).toEqual([true, true, true]);
    expect(slow.calls).toHaveLength(1);
    const other = { channel: 'C1', threadTs: '9.0' };
    const stuck = client([[{ user: BOT_USER_ID }]], 500);
    await expect(threads.isBotThread(stuck.c, other, bot)).rejects.toThrow(/longer than 50 ms/);
    const quick = client([[{ user: 'U1' }]]);
    expect(await threads.isBotThread(quick.c, other, bot)).toBe(false);
  });

  it('takes parent_user_id as proof without asking', async () => {
    const never = client([]);
    expect(await botThreads().isBotThread(never.c, thread, bot, BOT_USER_ID)).toBe(true);
    expect(never.calls).toEqual([]);
  });
});

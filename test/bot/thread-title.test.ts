/**
 * A DM thread's title in the agent view (assistant.threads.setTitle), from its first question, once per
 * thread: a follow-up in the thread leaves it as it is, a new conversation gets its own; a long question
 * is cut at a word; a channel thread gets none. Over Socket Mode, the real Bolt app against the fake Slack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TITLE_CHARS, threadTitle } from '../../bot/format.ts';
import type { DevBot } from '../../bot/socket.ts';
import { answeringAgent, startDevBotOn } from '../helpers/dev-bot.ts';
import { FakeSlack } from '../services/fake-slack.ts';

let slack: FakeSlack;
let dev: DevBot | undefined;

async function start(): Promise<void> {
  slack = await FakeSlack.start();
  dev = await startDevBotOn(slack, answeringAgent());
}

/** Waits for the `n`th finished answer in a thread. */
const answered = (channel: string, threadTs: string, n = 1) =>
  slack.waitFor(
    () =>
      slack.thread(channel, threadTs).filter((m) => m.fromBot && !m.streaming && /AWS calls/.test(m.text)).length >= n,
    10_000,
    `answer ${n} in ${channel}/${threadTs}`,
  );

afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

describe('the title of a DM thread', () => {
  it('is its first question, set once: a follow-up keeps it, a new conversation gets its own', async () => {
    await start();
    const first = await slack.dm({
      channel: 'D0ALICE',
      user: 'U0ALICE',
      text: 'Which  EC2 instances\nrun in eu-west-1?',
    });
    await answered('D0ALICE', first.message.ts);
    expect(slack.callsTo('assistant.threads.setTitle').map((c) => [c.args, c.result])).toEqual([
      [
        expect.objectContaining({
          channel_id: 'D0ALICE',
          thread_ts: first.message.ts,
          title: 'Which EC2 instances run in eu-west-1?',
        }),
        'ok',
      ],
    ]);
    // the title was decided before the answer was posted
    const titled = slack.callsTo('assistant.threads.setTitle')[0]!.at;
    expect(titled).toBeLessThanOrEqual(slack.callsTo('chat.startStream')[0]!.at);

    await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: 'and in us-east-1?', threadTs: first.message.ts });
    await answered('D0ALICE', first.message.ts, 2);
    expect(slack.callsTo('assistant.threads.setTitle')).toHaveLength(1);
    expect(slack.titles.get(`D0ALICE:${first.message.ts}`)).toBe('Which EC2 instances run in eu-west-1?');

    const second = await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: 'What did we spend last month?' });
    await answered('D0ALICE', second.message.ts);
    expect(slack.titles.get(`D0ALICE:${second.message.ts}`)).toBe('What did we spend last month?');
  });

  it('is cut at a word to fit one short line', async () => {
    await start();
    const long = `Which of our Lambda functions ${'still run on a deprecated runtime and '.repeat(5)}when?`;
    const { message } = await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: long });
    await answered('D0ALICE', message.ts);
    const title = slack.titles.get(`D0ALICE:${message.ts}`)!;
    expect(title).toBe(threadTitle(long));
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    expect(title).toMatch(/^Which of our Lambda functions still run .* [a-z]+…$/);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
  });

  it('is not set in a channel thread', async () => {
    await start();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'what runs?' });
    await answered('C0OPS', message.ts);
    expect(slack.callsTo('assistant.threads.setTitle')).toEqual([]);
    expect(slack.callsTo('conversations.replies')).toEqual([]);
  });
});

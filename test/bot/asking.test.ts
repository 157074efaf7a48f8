/**
 * What the asker sees while the agent works, and what the agent is asked, over Socket Mode (the real Bolt
 * app against the fake Slack, a recording agent):
 * - the assistant status with rotating loading lines in channels too (mentions and commands), not only
 *   in DMs: since 2026-03-05 assistant.threads.setStatus works in channels
 *   (https://docs.slack.dev/changelog/2026/03/05/set-status-scope-update);
 * - the recipient ids on every stream, DMs included (as Bolt's sayStream sends them);
 * - the question with Slack's three escapes decoded, and nothing else
 *   (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DevBot } from '../../bot/socket.ts';
import { answeringAgent, startDevBotOn } from '../helpers/dev-bot.ts';
import { FakeSlack, TEAM_ID } from '../services/fake-slack.ts';

let slack: FakeSlack;
let dev: DevBot | undefined;
const prompts: string[] = [];

async function start(): Promise<void> {
  slack = await FakeSlack.start();
  dev = await startDevBotOn(slack, answeringAgent(prompts));
  prompts.length = 0;
}

const answered = (channel: string, threadTs: string) =>
  slack.waitFor(() => slack.thread(channel, threadTs).find((m) => !m.streaming && /AWS calls/.test(m.text)));

afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

describe('the assistant status, in channels too', () => {
  it('a mention: status with rotating loading lines (≤ 10) in its thread, recipient ids on the stream', async () => {
    await start();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'what runs?' });
    await answered('C0OPS', message.ts);
    const [status] = slack.callsTo('assistant.threads.setStatus');
    expect(status!.result).toBe('ok');
    expect(status!.args).toMatchObject({ channel_id: 'C0OPS', thread_ts: message.ts, status: 'is looking into it…' });
    const lines = status!.args.loading_messages as string[];
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(slack.callsTo('chat.startStream')[0]!.args).toMatchObject({
      recipient_team_id: TEAM_ID,
      recipient_user_id: 'U0ALICE',
    });
  });

  it('a command: status in the thread of the question it posted', async () => {
    await start();
    await slack.command({ channel: 'C0OPS', user: 'U0ALICE', text: 'what runs?' });
    const parent = await slack.waitFor(() =>
      slack.messages.find((m) => m.fromBot && /asked: what runs\?/.test(m.text)),
    );
    await answered('C0OPS', parent.ts);
    expect(slack.callsTo('assistant.threads.setStatus')[0]!.args).toMatchObject({
      channel_id: 'C0OPS',
      thread_ts: parent.ts,
    });
  });

  it('a DM: status and recipient ids too', async () => {
    await start();
    const { message } = await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: 'what runs?' });
    await answered('D0ALICE', message.ts);
    expect(slack.callsTo('assistant.threads.setStatus')[0]!.args).toMatchObject({ channel_id: 'D0ALICE' });
    expect(slack.callsTo('chat.startStream')[0]!.args).toMatchObject({ recipient_user_id: 'U0ALICE' });
  });
});

describe('the question the agent gets', () => {
  it('has &amp; &lt; &gt; decoded, from a mention, a DM and a command, and nothing else decoded', async () => {
    await start();
    // as Slack sends what was typed: `S3 & EC2 for <prod> -> "x" &quot;` and a literal `&lt;`
    const typed = 'S3 &amp; EC2 for &lt;prod&gt; -&gt; "x" &quot; &amp;lt;';
    const meant = 'S3 & EC2 for <prod> -> "x" &quot; &lt;';
    const m = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: typed });
    await answered('C0OPS', m.message.ts);
    const d = await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: typed });
    await answered('D0ALICE', d.message.ts);
    await slack.command({ channel: 'C0OPS', user: 'U0ALICE', text: typed });
    await slack.waitFor(() => prompts.length === 3);
    expect(prompts).toEqual([meant, meant, meant]);
    // echoed back as the command's thread parent, it is escaped again, so Slack shows it as typed
    const parent = slack.callsTo('chat.postMessage').find((c) => /asked:/.test(String(c.args.text)));
    expect(parent!.args.text).toBe(
      `<@U0ALICE> asked: ${meant.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`,
    );
  });
});

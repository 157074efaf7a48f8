/**
 * AWS data that carries Slack control sequences (a tag value `<!channel>`, a name `<@U0BOSS>`, a link that hides
 * its address) reaches Slack neutralised on every way an answer is shown: the streamed timeline (text, task
 * titles and outputs, the footer), post-and-update, a command's private answer through its response_url and
 * that answer's plain-text fallback, a DM thread's title. Code the model wrote stays as written. Over Socket
 * Mode, the real Bolt app against the fake Slack, which reads everything posted as Slack would
 * (`liveTokensSent`: every mention and link, code or not, so code is checked apart).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import type { DevBot } from '../../bot/socket.ts';
import type { AgentEvent, ToolCallSummary } from '../../common/protocol.ts';
import { startDevBotOn } from '../helpers/dev-bot.ts';
import { FakeSlack, type SlackMessage } from '../services/fake-slack.ts';

let slack: FakeSlack;
let dev: DevBot | undefined;

const CALL: ToolCallSummary = {
  id: 'tooluse-1',
  service: 'ec2',
  operation: 'DescribeInstances <!channel>',
  region: 'eu-west-1',
  label: 'Owner <@U0BOSS> [login](https://evil.example/a)',
  ok: false,
  refused: false,
  ms: 12,
  pages: 1,
  items: 0,
  errorCode: '<!subteam^S0ONCALL|@oncall> AccessDenied',
};

/** The answer, in pieces that cut the control sequences in two. */
const PIECES = [
  'The Owner tag says <!chan',
  'nel> and <@U0B',
  'OSS>; see <https://evil.example/b|the AWS console> or [this](https://ev',
  'il.example/c). @he',
  're: the tag is `<!here>` in code, and\n\n```\n<!everyone> <#C0GENERAL>\n```\n',
  'Ask <#C0GENERAL|general> or &lt;!here&gt;.',
];

/**
 * Ways around neutralising that a review found, each read as a live link or mention by CommonMark before the
 * fix: backticks escaped so they open no code, a fence in a list item broken out of by an unindented line, a
 * link definition in a quote used by a reference link. Cut mid-way, as a stream would.
 */
const REVIEW_PIECES = [
  'See [the AWS console\\`](https://evil.exa',
  'mple/login)\\` or ask \\`<@U0123ABCD>\\`.\n\n- note\n  ```\n[Reset your pass',
  'word](https://evil.example/reset)\n  ```\n\n> [c]: https://evil.example/c\n\nOpen the [AWS console][c].\n',
];

/** An agent whose one AWS call and answer (`pieces`) carry hostile text. */
const hostileAgent = (pieces: readonly string[] = PIECES): AgentClient => ({
  async *invoke(): AsyncGenerator<AgentEvent> {
    const { ok: _ok, refused: _refused, ms: _ms, pages: _pages, items: _items, errorCode: _code, ...start } = CALL;
    yield { type: 'tool_start', ...start };
    yield { type: 'tool_end', ...CALL };
    for (const text of pieces) yield { type: 'text', text };
    yield {
      type: 'done',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      toolCalls: [CALL],
      durationMs: 5,
    };
  },
});

async function start(env: Record<string, string> = {}, pieces: readonly string[] = PIECES): Promise<void> {
  slack = await FakeSlack.start();
  dev = await startDevBotOn(slack, hostileAgent(pieces), env);
}

afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await slack?.close();
});

/** What the model wrote in code (`<!here>` inline, `<!everyone> <#C0GENERAL>` fenced), as `liveTokens` reads it. */
const IN_CODE = ['<!here', '<!everyone', '<#C0GENERAL'];

/** Every mention or link Slack would read in what the bot sent, but the asker's own mention it adds itself. */
const live = () => slack.liveTokensSent().filter((t) => t.token !== '<@U0ALICE');
/** The same, but what the model wrote in code: on a surface that shows code, Slack leaves it alone. */
const liveOutsideCode = () => live().filter((t) => !IN_CODE.includes(t.token));

const finished = (channel: string, threadTs: string): Promise<SlackMessage> =>
  slack.waitFor(() => slack.thread(channel, threadTs).find((m) => !m.streaming && /AWS calls/.test(m.text)));

/** The model's code, kept as it wrote it. */
function keepsCode(text: string): void {
  expect(text).toContain('`<!here>`');
  expect(text).toContain('```\n<!everyone> <#C0GENERAL>\n```');
}

describe('hostile AWS data in an answer', () => {
  it('streamed: text, task title and output, and footer mention no one and hide no link; code is kept', async () => {
    await start();
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'who owns i-1?' });
    const answer = await finished('C0OPS', message.ts);
    // the agent's text really did carry all of it
    expect(PIECES.join('')).toMatch(/<!channel>.*<@U0BOSS>.*<https:\/\/evil/s);
    keepsCode(answer.text);
    // outside the code, the words are all there, unable to ping or link
    expect(answer.text).toContain('The Owner tag says \u2039!channel> and \u2039@U0BOSS>');
    expect(answer.text).toContain('[this] (https://evil.example/c)');
    expect(answer.text).toContain('@\u2060here');
    const task = answer.tasks[0]!;
    expect(task.title).toContain('\u2039!channel>');
    expect(task.output).toContain('\u2039!subteam^S0ONCALL');
    // the code, once each, is all that is left to read as a mention: in code, Slack does not
    expect(live().map((t) => t.token)).toEqual(IN_CODE);
    const withoutCode = answer.text.replace('`<!here>`', '').replace(/```\n[^`]*```/, '');
    expect(withoutCode).not.toMatch(/<[!@#]|<https?:|\]\(/);
  });

  it('posted and updated: every edit and the last post are neutralised the same way', async () => {
    await start({ SLACK_STREAMING: 'false' });
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'who owns i-1?' });
    const answer = await finished('C0OPS', message.ts);
    keepsCode(answer.text);
    expect(slack.callsTo('chat.startStream')).toEqual([]);
    expect(liveOutsideCode()).toEqual([]);
    // the notification text (`text`, mrkdwn) has no code to hide in: nothing at all is live there
    const previews = [...slack.callsTo('chat.postMessage'), ...slack.callsTo('chat.update')].map((c) => c.args.text);
    expect(previews.length).toBeGreaterThan(0);
    for (const p of previews) expect(String(p)).not.toMatch(/<[!@#]|<https?:/);
  });

  it('a command answered privately, and its plain-text fallback, are neutralised too', async () => {
    await start();
    slack.notInChannel.add('C0PRIVATE');
    slack.responseRefuses.add('markdown');
    await slack.command({ channel: 'C0PRIVATE', user: 'U0ALICE', text: 'who owns i-1?' });
    const sent = await slack.waitFor(() => slack.responses.find((r) => /AWS calls/.test(String(r.body.text))));
    const text = String(sent.body.text);
    // mrkdwn: escaped whole, code included, so nothing in it is a control sequence
    expect(text).not.toMatch(/<[!@#]|<https?:|\]\(/);
    expect(text).toContain('`\u2039!here&gt;` in code');
    expect(text).toContain('\u2039!everyone&gt; \u2039#C0GENERAL&gt;');
    // the markdown block the response_url refused had the code as written; the fallback has nothing live at all
    expect(live().filter((t) => t.method === 'response_url')).toEqual(
      IN_CODE.map((token) => ({ method: 'response_url', token })),
    );
    expect(slack.responseAttempts.map((a) => a.status)).toEqual([400, 200]);
  });

  it.each([
    ['streamed', 'true'],
    ['posted and updated', 'false'],
  ])("%s: the review's escaped backticks, list-item fence and quoted definition hide no link", async (_how, on) => {
    await start({ SLACK_STREAMING: on }, REVIEW_PIECES);
    const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'who owns i-1?' });
    const answer = await finished('C0OPS', message.ts);
    expect(answer.text).toContain('[the AWS console\\`] (https://evil.example/login)');
    expect(answer.text).toContain('\\`\u2039@U0123ABCD>\\`');
    expect(answer.text).toContain('[Reset your password] (https://evil.example/reset)');
    expect(answer.text).toContain('> [c] : https://evil.example/c');
    // no link, no link definition, no mention: there is no code in this answer to hide one
    expect(answer.text).not.toMatch(/\]\(|\]:|<[!@#]/);
    expect(live()).toEqual([]);
  });

  it("a DM thread's title from a question with a mention in it mentions no one", async () => {
    await start();
    await slack.dm({ channel: 'D0ALICE', user: 'U0ALICE', text: 'why did <!channel> get paged by <@U0BOSS>?' });
    const title = await slack.waitFor(() => [...slack.titles.values()][0]);
    expect(title).toBe('why did \u2039!channel> get paged by \u2039@U0BOSS>?');
  });
});

/**
 * The fake Slack is as strict as Slack on what the bot relies on: streams that expire and that the user
 * can stop, size limits, per-method rate limits with Retry-After, response_url's five uses, the agent
 * view's suggested prompts, the Events API's URL verification and retries over HTTP, the feedback buttons'
 * block and the task sources' shape, block_actions payloads over Socket Mode and HTTP, thread titles and
 * replies. Each rule's source is cited beside it in test/services/fake-slack.ts.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOT_TOKEN,
  FakeSlack,
  type HttpRequest,
  type HttpResponse,
  SIGNING_SECRET,
  signedHeaders,
  TEAM_ID,
} from '../services/fake-slack.ts';

let slack: FakeSlack;
afterEach(async () => slack?.close());

/** A client that surfaces Slack's answers as they are (no retries). */
const client = () => new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
const error = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { data?: { error?: string }; code?: string }) => e.data?.error ?? e.code ?? String(e),
  );
const stream = (c: WebClient, text = 'hello') =>
  c.chat.startStream({
    channel: 'C0OPS',
    thread_ts: '1.1',
    recipient_team_id: TEAM_ID,
    recipient_user_id: 'U0ALICE',
    chunks: [{ type: 'markdown_text', text }],
  });

describe('streams', () => {
  it('expire: appends and the stop after the stream is too old fail with message_not_in_streaming_state', async () => {
    slack = await FakeSlack.start({ streamTtlMs: 150 });
    const c = client();
    const { ts } = await stream(c);
    await c.chat.appendStream({ channel: 'C0OPS', ts: ts!, markdown_text: ' world' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await error(c.chat.appendStream({ channel: 'C0OPS', ts: ts!, markdown_text: '!' }))).toBe(
      'message_not_in_streaming_state',
    );
    expect(await error(c.chat.stopStream({ channel: 'C0OPS', ts: ts! }))).toBe('message_not_in_streaming_state');
    expect(slack.messages.find((m) => m.ts === ts)).toMatchObject({ expired: true, streaming: false });
  });

  it('the user pressing Stop makes every later append fail with stopped_by_user', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const { ts } = await stream(c);
    slack.stopByUser('C0OPS', ts!);
    expect(await error(c.chat.appendStream({ channel: 'C0OPS', ts: ts!, markdown_text: 'more' }))).toBe(
      'stopped_by_user',
    );
  });

  it('refuses text over 12,000 characters, chunks it cannot read, and channel streams without recipients', async () => {
    slack = await FakeSlack.start();
    const c = client();
    expect(await error(stream(c, 'x'.repeat(12_001)))).toBe('msg_too_long');
    const { ts } = await stream(c, 'x'.repeat(11_000));
    expect(await error(c.chat.appendStream({ channel: 'C0OPS', ts: ts!, markdown_text: 'y'.repeat(1_001) }))).toBe(
      'msg_too_long',
    );
    const task = { type: 'task_update', id: 't1', title: 'x', status: 'spinning' } as never;
    expect(await error(c.chat.appendStream({ channel: 'C0OPS', ts: ts!, chunks: [task] }))).toBe('invalid_chunks');
    expect(await error(c.chat.appendStream({ channel: 'C0OPS', ts: ts! } as never))).toBe('invalid_arguments');
    expect(await error(c.chat.startStream({ channel: 'C0OPS', thread_ts: '1.1', markdown_text: 'x' }))).toBe(
      'missing_recipient_user_id',
    );
    const big = [{ type: 'markdown', text: 'z'.repeat(12_001) }];
    expect(await error(c.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: big as never }))).toBe(
      'invalid_blocks',
    );
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After once a method goes over its limit, per workspace', async () => {
    slack = await FakeSlack.start({ rateLimits: { 'chat.update': { limit: 2, windowMs: 1_500 } } });
    const post = await client().chat.postMessage({ channel: 'C0OPS', text: 'x' });
    const update = () =>
      fetch(`${slack.apiUrl}chat.update`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'C0OPS', ts: post.ts, text: 'y' }),
      });
    expect((await update()).status).toBe(200);
    expect((await update()).status).toBe(200);
    const limited = await update();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(slack.rateLimited.map((c) => c.method)).toEqual(['chat.update']);
    // other methods have their own limits
    expect((await client().chat.postMessage({ channel: 'C0OPS', text: 'z' })).ok).toBe(true);
  });
});

describe('assistant threads', () => {
  it('setStatus needs a thread and takes at most 10 loading messages; channels are fine', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const status = { channel_id: 'C0OPS', thread_ts: '1.1', status: 'is working…' };
    expect(await error(c.assistant.threads.setStatus(status))).toBe('ok');
    const eleven = Array.from({ length: 11 }, (_, i) => `line ${i}`);
    expect(await error(c.assistant.threads.setStatus({ ...status, loading_messages: eleven }))).toBe(
      'invalid_arguments',
    );
  });

  it('agent view: prompts pin to the Messages tab without a thread; with a thread_ts they do nothing', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const prompts = [{ title: 'a', message: 'b' }];
    await c.assistant.threads.setSuggestedPrompts({ channel_id: 'D0ALICE', thread_ts: '1.1', prompts });
    expect(slack.suggestedPrompts.has('D0ALICE')).toBe(false);
    await c.assistant.threads.setSuggestedPrompts({ channel_id: 'D0ALICE', prompts });
    expect(slack.suggestedPrompts.get('D0ALICE')?.prompts).toEqual(prompts);
  });
});

describe('response_url', () => {
  const respond = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('takes five messages, then refuses (used_url); refuses blocks a test marks refused', async () => {
    slack = await FakeSlack.start();
    const url = `${slack.url}/respond/1`;
    slack.responseRefuses.add('markdown');
    const refused = await respond(url, { text: 'x', blocks: [{ type: 'markdown', text: '**x**' }] });
    expect([refused.status, await refused.text()]).toEqual([400, 'invalid_blocks']);
    for (let i = 0; i < 5; i++) expect((await respond(url, { text: `m${i}` })).status).toBe(200);
    const sixth = await respond(url, { text: 'm5' });
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(slack.responses).toHaveLength(5);
  });

  it('expires thirty minutes after the command', async () => {
    slack = await FakeSlack.start({ responseUrlTtlMs: 50 });
    const url = `${slack.url}/respond/2`;
    expect((await respond(url, { text: 'in time' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    const late = await respond(url, { text: 'late' });
    expect([late.status, await late.text()]).toEqual([404, 'expired_url']);
  });
});

describe('the Events API over HTTP', () => {
  /** A request URL that answers the challenge once it knows the secret, and events as `answer` says. */
  function endpoint(answer: (req: HttpRequest, n: number) => Promise<HttpResponse>, secret?: string) {
    const seen: HttpRequest[] = [];
    const post = async (req: HttpRequest): Promise<HttpResponse> => {
      const body = JSON.parse(req.body) as { type: string; challenge?: string };
      if (body.type === 'url_verification') {
        const expected = signedHeaders(req.body, {
          secret: secret ?? 'unknown',
          timestamp: Number(req.headers['x-slack-request-timestamp']),
        });
        if (!secret || expected['x-slack-signature'] !== req.headers['x-slack-signature']) return { statusCode: 500 };
        return { statusCode: 200, body: JSON.stringify({ challenge: body.challenge }) };
      }
      seen.push(req);
      return answer(req, seen.length);
    };
    return { post, seen };
  }

  it('verifies the request URL first; one that does not know the signing secret yet fails', async () => {
    slack = await FakeSlack.start();
    const notYet = endpoint(async () => ({ statusCode: 200 }));
    expect(await slack.verifyRequestUrl(notYet.post)).toBe(false);
    await expect(slack.deliver(slack.eventPayload({ type: 'app_mention' }), notYet.post)).rejects.toThrow(/verified/);
    const ready = endpoint(async () => ({ statusCode: 200 }), SIGNING_SECRET);
    expect(await slack.verifyRequestUrl(ready.post)).toBe(true);
  });

  it('retries a non-2xx answer with X-Slack-Retry-Num and X-Slack-Retry-Reason, freshly signed', async () => {
    slack = await FakeSlack.start();
    const e = endpoint(async (_req, n) => ({ statusCode: n < 3 ? 500 : 200 }), SIGNING_SECRET);
    await slack.verifyRequestUrl(e.post);
    const attempts = await slack.deliver(slack.eventPayload({ type: 'app_mention' }), e.post, {
      retryDelaysMs: [0, 0, 0],
    });
    expect(attempts.map((a) => [a.retryNum, a.statusCode, a.reason ?? null])).toEqual([
      [0, 500, null],
      [1, 500, 'http_error'],
      [2, 200, 'http_error'],
    ]);
    expect(e.seen.map((r) => r.headers['x-slack-retry-num'] ?? null)).toEqual([null, '1', '2']);
    expect(e.seen.every((r) => r.headers['x-slack-signature']?.startsWith('v0='))).toBe(true);
  });

  it('retries an ack slower than 3 s at once (http_timeout); X-Slack-No-Retry stops retries', async () => {
    slack = await FakeSlack.start();
    const slow = endpoint(async (_req, n) => {
      if (n === 1) await new Promise((r) => setTimeout(r, 300));
      return { statusCode: 200 };
    }, SIGNING_SECRET);
    await slack.verifyRequestUrl(slow.post);
    const attempts = await slack.deliver(slack.eventPayload({ type: 'app_mention' }), slow.post, {
      retryDelaysMs: [0, 0, 0],
      ackTimeoutMs: 100,
    });
    expect(attempts.map((a) => [a.retryNum, a.timedOut, a.reason ?? null])).toEqual([
      [0, true, null],
      [1, false, 'http_timeout'],
    ]);
    const refusing = endpoint(async () => ({ statusCode: 500, headers: { 'X-Slack-No-Retry': 1 } }), SIGNING_SECRET);
    await slack.verifyRequestUrl(refusing.post);
    const once = await slack.deliver(slack.eventPayload({ type: 'app_mention' }), refusing.post);
    expect(once).toHaveLength(1);
  });
});

describe('feedback buttons and task sources', () => {
  const buttons = (o: { value?: string; text?: string; where?: 'context_actions' | 'actions'; n?: number } = {}) => {
    const element = {
      type: 'feedback_buttons',
      action_id: 'fb',
      positive_button: { text: { type: 'plain_text', text: o.text ?? '👍' }, value: o.value ?? 'up' },
      negative_button: { text: { type: 'plain_text', text: '👎' }, value: 'down' },
    };
    return [{ type: o.where ?? 'context_actions', elements: Array.from({ length: o.n ?? 1 }, () => element) }];
  };
  const post = (c: WebClient, blocks: unknown[]) =>
    error(c.chat.postMessage({ channel: 'C0OPS', text: 'answer', blocks: blocks as never }));

  it('takes feedback buttons only as Slack documents them: in context_actions, within its limits', async () => {
    slack = await FakeSlack.start();
    const c = client();
    expect(await post(c, buttons())).toBe('ok');
    expect(await post(c, buttons({ where: 'actions' }))).toBe('invalid_blocks');
    expect(await post(c, buttons({ value: 'x'.repeat(2_001) }))).toBe('invalid_blocks');
    expect(await post(c, buttons({ text: 'x'.repeat(76) }))).toBe('invalid_blocks');
    expect(await post(c, buttons({ n: 6 }))).toBe('invalid_blocks');
    // chat.stopStream's blocks are checked the same way, and kept on the message
    const { ts } = await stream(c);
    expect(await error(c.chat.stopStream({ channel: 'C0OPS', ts: ts!, blocks: buttons({ n: 6 }) as never }))).toBe(
      'invalid_blocks',
    );
    expect(await error(c.chat.stopStream({ channel: 'C0OPS', ts: ts!, blocks: buttons() as never }))).toBe('ok');
    expect(slack.messages.find((m) => m.ts === ts)!.blocks).toEqual(buttons());
  });

  it('takes task sources as URL source elements (type url, a URL, a text), and refuses others', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const { ts } = await stream(c);
    const task = (sources: unknown) =>
      error(
        c.chat.appendStream({
          channel: 'C0OPS',
          ts: ts!,
          chunks: [{ type: 'task_update', id: 't1', title: 'call', status: 'complete', sources } as never],
        }),
      );
    expect(await task([{ type: 'url', url: 'https://example.com/', text: 'Example' }])).toBe('ok');
    expect(slack.messages.find((m) => m.ts === ts)!.tasks[0]!.sources).toEqual([
      { type: 'url', url: 'https://example.com/', text: 'Example' },
    ]);
    expect(await task([{ type: 'url', url: 'https://example.com/' }])).toBe('invalid_chunks');
    expect(await task([{ type: 'url', url: 'not a url', text: 'x' }])).toBe('invalid_chunks');
    expect(await task([{ type: 'link', url: 'https://example.com/', text: 'x' }])).toBe('invalid_chunks');
    expect(await task({ type: 'url', url: 'https://example.com/', text: 'x' })).toBe('invalid_chunks');
  });

  it('turns a click into a block_actions payload, over Socket Mode or signed and form-encoded over HTTP', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const r = await c.chat.postMessage({ channel: 'C0OPS', thread_ts: '1.1', text: 'answer', blocks: buttons() });
    const message = slack.messages.find((m) => m.ts === r.ts)!;
    const seen: HttpRequest[] = [];
    const { payload, http } = await slack.clickFeedback({
      message,
      user: 'U0ALICE',
      vote: 'negative',
      post: async (req) => {
        seen.push(req);
        return { statusCode: 200 };
      },
    });
    expect(http).toMatchObject({ statusCode: 200, timedOut: false });
    const [req] = seen;
    expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const ts = Number(req!.headers['x-slack-request-timestamp']);
    expect(req!.headers['x-slack-signature']).toBe(signedHeaders(req!.body, { timestamp: ts })['x-slack-signature']);
    expect(JSON.parse(new URLSearchParams(req!.body).get('payload')!)).toEqual(payload);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0ALICE' },
      team: { id: TEAM_ID },
      channel: { id: 'C0OPS' },
      container: { type: 'message', message_ts: r.ts, channel_id: 'C0OPS', thread_ts: '1.1', is_ephemeral: false },
      actions: [{ type: 'feedback_buttons', action_id: 'fb', value: 'down', text: { type: 'plain_text', text: '👎' } }],
    });
    expect(String(payload.response_url)).toMatch(/\/respond\/\d+$/);
  });
});

describe('thread titles and replies', () => {
  it('setTitle needs channel_id, thread_ts and title; conversations.replies: the parent, then replies', async () => {
    slack = await FakeSlack.start();
    const c = client();
    const title = (args: Record<string, string>) => error(c.assistant.threads.setTitle(args as never));
    expect(await title({ channel_id: 'D0ALICE', thread_ts: '1.1' })).toBe('invalid_arguments');
    expect(await title({ channel_id: 'D0ALICE', thread_ts: '1.1', title: 'Instances' })).toBe('ok');
    expect(slack.titles.get('D0ALICE:1.1')).toBe('Instances');
    const parent = slack.userMessage('D0ALICE', 'U0ALICE', 'how many instances?');
    await c.chat.postMessage({ channel: 'D0ALICE', thread_ts: parent.ts, text: 'four' });
    const r = await c.conversations.replies({ channel: 'D0ALICE', ts: parent.ts });
    expect(r.messages?.map((m) => [m.text, m.bot_id ?? null])).toEqual([
      ['how many instances?', null],
      ['four', expect.any(String)],
    ]);
    expect(await error(c.conversations.replies({ channel: 'D0ALICE', ts: '9.9' }))).toBe('thread_not_found');
  });
});

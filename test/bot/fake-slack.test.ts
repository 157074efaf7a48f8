/**
 * The fake Slack is as strict as Slack on what the bot relies on: streams that expire and that the user
 * can stop, size limits, per-method rate limits with Retry-After, response_url's five uses, the agent
 * view's suggested prompts, and the Events API's URL verification and retries over HTTP. Each rule's
 * source is cited beside it in test/services/fake-slack.ts.
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

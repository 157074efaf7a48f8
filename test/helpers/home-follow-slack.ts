/**
 * The fake Slack (test/services/fake-slack.ts), fronted: a loopback server that answers the two Web API
 * methods the Home tab and follow-ups need, as Slack does, and forwards every other request to the fake.
 * Point the bot's SLACK_API_URL at `apiUrl`. Calls answered here are recorded in the fake's `calls` too,
 * so `slack.callsTo('views.publish')` works as for any other method.
 *
 * - views.publish (https://docs.slack.dev/reference/methods/views.publish): a bot token, a `user_id`,
 *   and a `home` view (https://docs.slack.dev/reference/views/home-tab-views) within Block Kit's limits:
 *   at most 100 blocks (https://docs.slack.dev/reference/block-kit/blocks), a header's plain text at
 *   most 150 characters (https://docs.slack.dev/reference/block-kit/blocks/header-block), a section's
 *   text 1 to 3,000 (https://docs.slack.dev/reference/block-kit/blocks/section-block), a context block
 *   1 to 10 elements (https://docs.slack.dev/reference/block-kit/blocks/context-block), any text object
 *   1 to 3,000 characters (https://docs.slack.dev/reference/block-kit/composition-objects/text-object),
 *   `private_metadata` at most 3,000. Anything else is `invalid_arguments`, with the reason in
 *   `response_metadata.messages`, as Slack answers.
 * - conversations.replies (https://docs.slack.dev/reference/methods/conversations.replies): `channel` and
 *   `ts` required; `channels:history` for a public channel, `groups:history` for a private one
 *   (https://docs.slack.dev/reference/scopes/channels.history), else `missing_scope`; the parent first,
 *   then the replies oldest first, `limit` at a time with a `next_cursor`; `thread_not_found` for a ts
 *   that is no message. Messages carry `user`, the bot's also `bot_id`, replies `parent_user_id`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_ID, BOT_TOKEN, type FakeSlack, type SlackCall, type SlackMessage } from '../services/fake-slack.ts';

type Args = Record<string, unknown>;
type Answer = Record<string, unknown>;

/** The scopes the app has, for the methods answered here. */
const ALL_SCOPES = ['channels:history', 'groups:history'];

function parseArgs(contentType: string, raw: string): Args {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Args;
  const out: Args = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    try {
      out[k] = /^[[{]/.test(v) ? (JSON.parse(v) as unknown) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

const textLength = (t: unknown): number | undefined => {
  const o = (t ?? {}) as { type?: unknown; text?: unknown };
  return (o.type === 'plain_text' || o.type === 'mrkdwn') && typeof o.text === 'string' ? o.text.length : undefined;
};

/** Why Slack would refuse this Home tab view, or undefined. */
export function homeViewRefusal(view: unknown): string | undefined {
  const v = (view ?? {}) as { type?: unknown; blocks?: unknown; private_metadata?: unknown };
  if (v.type !== 'home') return 'view type must be home';
  if (!Array.isArray(v.blocks) || v.blocks.length > 100) return 'blocks: at most 100';
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3_000) return 'private_metadata too long';
  for (const [i, b] of (v.blocks as Record<string, unknown>[]).entries()) {
    const bad = (why: string) => `blocks[${i}] (${String(b.type)}): ${why}`;
    const len = textLength(b.text);
    switch (b.type) {
      case 'header':
        if ((b.text as { type?: string } | undefined)?.type !== 'plain_text' || !len || len > 150) {
          return bad('plain_text of 1 to 150 characters');
        }
        break;
      case 'section':
        if (!len || len > 3_000) return bad('text of 1 to 3000 characters');
        break;
      case 'context': {
        const els = b.elements;
        if (!Array.isArray(els) || els.length < 1 || els.length > 10) return bad('1 to 10 elements');
        if (els.some((e) => !(textLength(e) ?? 0) || (textLength(e) ?? 0) > 3_000)) return bad('element text');
        break;
      }
      case 'divider':
        break;
      default:
        return bad('a block type this fake does not check');
    }
  }
  return undefined;
}

export class SlackFront {
  readonly fake: FakeSlack;
  /** The view each user's Home tab shows, as last published. */
  readonly published = new Map<string, Record<string, unknown>>();
  /** The app's scopes (default: both history scopes). */
  readonly scopes = new Set(ALL_SCOPES);
  private readonly failures: { method: string; error: string; times: number }[] = [];
  private readonly server: Server;
  url = '';

  private constructor(fake: FakeSlack) {
    this.fake = fake;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(fake: FakeSlack): Promise<SlackFront> {
    const f = new SlackFront(fake);
    await new Promise<void>((ok) => f.server.listen(0, '127.0.0.1', ok));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** The next `times` calls to `method` (answered here) fail with `error`. */
  fail(method: string, error: string, times = 1): void {
    this.failures.push({ method, error, times });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const method = /^\/api\/([\w.]+)/.exec(req.url ?? '')?.[1];
      if (method !== 'views.publish' && method !== 'conversations.replies') {
        void this.forward(req, raw, res);
        return;
      }
      const args = parseArgs(String(req.headers['content-type'] ?? ''), raw);
      const auth = String(req.headers.authorization ?? '');
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : '';
      const call: SlackCall = { method, args, ...(token ? { token } : {}), at: Date.now() };
      this.fake.calls.push(call);
      const out = this.answer(method, args, token);
      call.result = out.ok ? 'ok' : String(out.error);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(out));
    });
  }

  private async forward(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const k of ['content-type', 'authorization']) {
      const v = req.headers[k];
      if (typeof v === 'string') headers[k] = v;
    }
    try {
      const r = await fetch(`${this.fake.url}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: raw }),
      });
      const out: Record<string, string> = { 'Content-Type': r.headers.get('content-type') ?? 'application/json' };
      const retryAfter = r.headers.get('retry-after');
      if (retryAfter) out['Retry-After'] = retryAfter;
      res.writeHead(r.status, out);
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch {
      res.writeHead(502);
      res.end();
    }
  }

  private answer(method: string, a: Args, token: string): Answer {
    if (token !== BOT_TOKEN) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    const failure = this.failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times--;
      return { ok: false, error: failure.error };
    }
    return method === 'views.publish' ? this.viewsPublish(a) : this.conversationsReplies(a);
  }

  private viewsPublish(a: Args): Answer {
    const invalid = (message: string) => ({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: [message] },
    });
    const user = a.user_id;
    if (typeof user !== 'string' || !/^[UW][A-Z0-9]+$/.test(user)) return invalid('invalid `user_id`');
    const view = typeof a.view === 'string' ? (JSON.parse(a.view) as unknown) : a.view;
    const refusal = homeViewRefusal(view);
    if (refusal) return invalid(refusal);
    const published = {
      ...(view as Record<string, unknown>),
      id: `V${this.published.size + 1}`,
      hash: `${Date.now()}`,
    };
    this.published.set(user, published);
    return { ok: true, view: published };
  }

  private conversationsReplies(a: Args): Answer {
    const channel = typeof a.channel === 'string' ? a.channel : '';
    const ts = typeof a.ts === 'string' ? a.ts : '';
    if (!channel || !ts) return { ok: false, error: 'invalid_arguments' };
    const needed = channel.startsWith('G') ? 'groups:history' : 'channels:history';
    if (!this.scopes.has(needed)) {
      return { ok: false, error: 'missing_scope', needed, provided: [...this.scopes].join(',') };
    }
    const found = this.fake.messages.find((m) => m.channel === channel && m.ts === ts);
    if (!found) return { ok: false, error: 'thread_not_found' };
    const rootTs = found.thread_ts ?? found.ts;
    const parent = this.fake.messages.find((m) => m.channel === channel && m.ts === rootTs) ?? found;
    const all = [parent, ...this.fake.thread(channel, rootTs)].sort((x, y) => Number(x.ts) - Number(y.ts));
    const limit = Math.min(Math.max(Number(a.limit ?? 1000) || 1000, 1), 1000);
    const start = typeof a.cursor === 'string' && a.cursor ? Number(Buffer.from(a.cursor, 'base64').toString()) : 0;
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    const hasReplies = all.length > 1;
    const shown = (m: SlackMessage) => ({
      type: 'message',
      user: m.user,
      text: m.text,
      ts: m.ts,
      ...(hasReplies ? { thread_ts: rootTs } : {}),
      ...(m.fromBot ? { bot_id: BOT_ID } : {}),
      ...(m.ts !== rootTs ? { parent_user_id: parent.user } : {}),
    });
    return {
      ok: true,
      messages: page.map(shown),
      has_more: more,
      ...(more ? { response_metadata: { next_cursor: Buffer.from(String(start + limit)).toString('base64') } } : {}),
    };
  }
}

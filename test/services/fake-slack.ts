/**
 * A fake Slack on loopback that the real Bolt, WebClient and SocketModeClient talk to.
 *
 * - Web API over HTTP (`POST /api/<method>`, form or JSON bodies, bearer tokens): auth.test,
 *   chat.postMessage/update/postEphemeral, chat.startStream/appendStream/stopStream,
 *   assistant.threads.setStatus/setSuggestedPrompts/setTitle, apps.connections.open. Every call is
 *   recorded, and the messages they make are kept as threads, so tests read what a user would see.
 * - Error injection per method: `ok: false` errors (`not_in_channel`, …), 429 with Retry-After, 500s.
 * - `response_url` endpoints for slash commands (`POST /respond/<n>`).
 * - Socket Mode: the WebSocket behind apps.connections.open; `hello`, envelopes for events, slash
 *   commands and interactions, ack tracking (with how long the ack took), server pings, and
 *   `disconnect` to make the client reconnect.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export const BOT_USER_ID = 'UBOTAWSASK';
export const BOT_ID = 'BBOTAWSASK';
export const APP_ID = 'AAWSASK01';
export const TEAM_ID = 'T0TEAM0001';
export const BOT_TOKEN = 'xoxb-test-bot-token';
export const APP_TOKEN = 'xapp-1-test-app-token';

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly token?: string;
  readonly at: number;
  /** What the fake answered: ok, or the error it gave. */
  result?: string;
}

export interface Task {
  id: string;
  title: string;
  status: string;
  details?: string;
  output?: string;
}

export interface SlackMessage {
  readonly channel: string;
  readonly ts: string;
  readonly thread_ts?: string;
  text: string;
  readonly user: string;
  readonly fromBot: boolean;
  /** chat.startStream … stopStream: true while the stream is open. */
  streaming: boolean;
  tasks: Task[];
  blocks?: unknown[];
  updates: number;
}

export interface Ephemeral {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
}

export interface Injection {
  readonly method: string;
  /** How many calls it applies to (default 1). */
  times?: number;
  /** `ok: false` with this error. */
  readonly error?: string;
  /** An HTTP status (429 with `retryAfter`, 500 …). */
  readonly status?: number;
  readonly retryAfter?: number;
}

export interface EnvelopeResult {
  readonly envelopeId: string;
  /** The ack's payload, if any. */
  readonly payload?: unknown;
  /** Milliseconds from sending the envelope to its ack. */
  readonly ackMs: number;
  /** When the ack arrived (ms epoch), to compare with recorded calls. */
  readonly ackedAt: number;
}

interface PendingAck {
  readonly sentAt: number;
  readonly resolve: (r: EnvelopeResult) => void;
}

let seq = 0;
const nextTs = () => {
  seq++;
  return `${1_800_000_000 + seq}.${String(seq).padStart(6, '0')}`;
};

function markdownOf(chunks: unknown): string {
  if (!Array.isArray(chunks)) return '';
  return chunks
    .map((c) =>
      c && typeof c === 'object' && (c as { type?: string }).type === 'markdown_text'
        ? String((c as { text?: string }).text ?? '')
        : '',
    )
    .join('');
}

function tasksOf(chunks: unknown): Task[] {
  if (!Array.isArray(chunks)) return [];
  return chunks.filter(
    (c): c is Task & { type: string } =>
      !!c && typeof c === 'object' && (c as { type?: string }).type === 'task_update',
  );
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: Ephemeral[] = [];
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  /** Channels the bot is not a member of (chat.postMessage → not_in_channel). */
  readonly notInChannel = new Set<string>();
  /** Methods that do not exist on this workspace (→ unknown_method), e.g. streaming. */
  readonly unknownMethods = new Set<string>();
  private readonly injections: Injection[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private pingTimer?: NodeJS.Timeout;
  connections = 0;
  url = '';

  private constructor() {
    this.http = createServer((req, res) => this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      if (!(req.url ?? '').startsWith('/link')) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(): Promise<FakeSlack> {
    const f = new FakeSlack();
    await new Promise<void>((ok) => f.http.listen(0, '127.0.0.1', ok));
    f.url = `http://127.0.0.1:${(f.http.address() as AddressInfo).port}`;
    f.pingTimer = setInterval(() => {
      for (const s of f.sockets) s.ping('server-ping');
    }, 5_000);
    return f;
  }

  /** The Web API base, as WebClient's slackApiUrl wants it. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  inject(i: Injection): void {
    this.injections.push({ times: 1, ...i });
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The replies in a thread (not the parent), in order. */
  thread(channel: string, threadTs: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Adds a message from a person, as if typed in Slack. */
  userMessage(channel: string, user: string, text: string, threadTs?: string): SlackMessage {
    const m: SlackMessage = {
      channel,
      ts: nextTs(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      text,
      user,
      fromBot: false,
      streaming: false,
      tasks: [],
      updates: 0,
    };
    this.messages.push(m);
    return m;
  }

  /** Waits until `check` returns a value (not undefined/false), polling. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---------------------------------------------------------------- Socket Mode

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    this.connections++;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'fake-slack', approximate_connection_time: 3600 },
        connection_info: { app_id: APP_ID },
      }),
    );
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      const p = msg.envelope_id ? this.pending.get(msg.envelope_id) : undefined;
      if (p && msg.envelope_id) {
        this.pending.delete(msg.envelope_id);
        p.resolve({
          envelopeId: msg.envelope_id,
          ...(msg.payload !== undefined ? { payload: msg.payload } : {}),
          ackMs: Date.now() - p.sentAt,
          ackedAt: Date.now(),
        });
      }
    });
    ws.on('close', () => this.sockets.delete(ws));
  }

  /** Waits for a connected Socket Mode client. */
  async connected(timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => this.sockets.size > 0, timeoutMs, 'a Socket Mode connection');
  }

  /** Sends an envelope to the connected client; resolves when it is acked. */
  async send(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: Record<string, unknown>,
    retryAttempt = 0,
  ): Promise<EnvelopeResult> {
    await this.connected();
    const [ws] = [...this.sockets];
    const envelopeId = `env-${++seq}`;
    const result = new Promise<EnvelopeResult>((resolve) =>
      this.pending.set(envelopeId, { sentAt: Date.now(), resolve }),
    );
    ws!.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: retryAttempt, retry_reason: retryAttempt ? 'timeout' : '' } : {}),
      }),
    );
    return result;
  }

  /** Asks the client to reconnect, as Slack does every few hours. */
  disconnect(reason = 'refresh_requested'): void {
    for (const s of this.sockets) {
      s.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
      s.close();
    }
  }

  /** An Events API envelope payload around an event. */
  eventPayload(event: Record<string, unknown>, eventId = `Ev${++seq}`): Record<string, unknown> {
    return {
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: APP_ID,
      event: { event_ts: nextTs(), ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
  }

  /** Someone @mentions the bot: the message appears in the channel and the event is delivered. */
  async mention(o: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
    eventId?: string;
    retryAttempt?: number;
  }): Promise<{ message: SlackMessage; ack: EnvelopeResult; eventId: string }> {
    const message = this.userMessage(o.channel, o.user, `<@${BOT_USER_ID}> ${o.text}`, o.threadTs);
    const eventId = o.eventId ?? `Ev${++seq}`;
    const ack = await this.send(
      'events_api',
      this.eventPayload(
        {
          type: 'app_mention',
          user: o.user,
          text: message.text,
          ts: message.ts,
          channel: o.channel,
          team: TEAM_ID,
          ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
        },
        eventId,
      ),
      o.retryAttempt ?? 0,
    );
    return { message, ack, eventId };
  }

  /** A direct message to the bot (also how the agent view delivers messages). */
  async dm(o: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
  }): Promise<{ message: SlackMessage; ack: EnvelopeResult }> {
    const message = this.userMessage(o.channel, o.user, o.text, o.threadTs);
    const ack = await this.send(
      'events_api',
      this.eventPayload({
        type: 'message',
        channel_type: 'im',
        user: o.user,
        text: o.text,
        ts: message.ts,
        channel: o.channel,
        team: TEAM_ID,
        ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      }),
    );
    return { message, ack };
  }

  /** A slash command; returns the ack (its payload is what the user sees at once). */
  async command(o: {
    channel: string;
    user: string;
    text: string;
    command?: string;
  }): Promise<{ ack: EnvelopeResult; responseUrl: string; triggerId: string }> {
    const n = ++seq;
    const responseUrl = `${this.url}/respond/${n}`;
    const triggerId = `trigger.${n}`;
    const ack = await this.send('slash_commands', {
      token: 'legacy',
      team_id: TEAM_ID,
      team_domain: 'acme',
      channel_id: o.channel,
      channel_name: 'ops',
      user_id: o.user,
      user_name: 'alice',
      command: o.command ?? '/aws-ask',
      text: o.text,
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    return { ack, responseUrl, triggerId };
  }

  // ---------------------------------------------------------------- Web API

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/respond/')) {
        this.responses.push({ url: `${this.url}${path}`, body: JSON.parse(raw || '{}') as Record<string, unknown> });
        return this.reply(res, 200, { ok: true });
      }
      const m = /^\/api\/([\w.]+)$/.exec(path);
      if (!m) return this.reply(res, 404, { ok: false, error: 'unknown_method' });
      const method = m[1]!;
      const args = this.parseArgs(String(req.headers['content-type'] ?? ''), raw);
      const auth = String(req.headers.authorization ?? '');
      const token = auth.startsWith('Bearer ')
        ? auth.slice(7)
        : typeof args.token === 'string'
          ? args.token
          : undefined;
      const call: SlackCall = { method, args, ...(token ? { token } : {}), at: Date.now() };
      this.calls.push(call);
      const inj = this.injections.find((i) => i.method === method && (i.times ?? 1) > 0);
      if (inj) {
        inj.times = (inj.times ?? 1) - 1;
        if (inj.status) {
          call.result = inj.status === 429 ? 'ratelimited' : `http_${inj.status}`;
          const headers: Record<string, string> =
            inj.retryAfter !== undefined ? { 'Retry-After': String(inj.retryAfter) } : {};
          return this.reply(
            res,
            inj.status,
            inj.status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'fatal_error' },
            headers,
          );
        }
        call.result = inj.error;
        return this.reply(res, 200, { ok: false, error: inj.error });
      }
      const out = this.api(method, args, token);
      call.result = out.ok ? 'ok' : String(out.error);
      this.reply(res, 200, out);
    });
  }

  private parseArgs(contentType: string, raw: string): Record<string, unknown> {
    if (!raw) return {};
    if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      out[k] = /^[[{]/.test(v)
        ? (() => {
            try {
              return JSON.parse(v) as unknown;
            } catch {
              return v;
            }
          })()
        : v;
    }
    return out;
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(text);
  }

  private api(method: string, a: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    if (this.unknownMethods.has(method)) return { ok: false, error: 'unknown_method' };
    const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
    if (method === 'apps.connections.open') {
      if (token !== APP_TOKEN)
        return { ok: false, error: token?.startsWith('xapp-') ? 'invalid_auth' : 'not_allowed_token_type' };
      return { ok: true, url: `${this.url.replace('http', 'ws')}/link?ticket=${++seq}` };
    }
    if (token !== BOT_TOKEN) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    const channel = s('channel') ?? s('channel_id');
    const find = (ts?: string) => this.messages.find((m) => m.channel === channel && m.ts === ts);
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://acme.slack.com/',
          team: 'Acme',
          user: 'aws-ask',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const text = s('markdown_text') ?? s('text') ?? '';
        if (!text && !a.blocks) return { ok: false, error: 'no_text' };
        const thread = s('thread_ts');
        const blocks = Array.isArray(a.blocks) ? a.blocks : undefined;
        const m: SlackMessage = {
          channel,
          ts: nextTs(),
          ...(thread ? { thread_ts: thread } : {}),
          text: blockText(blocks) ?? text,
          user: BOT_USER_ID,
          fromBot: true,
          streaming: false,
          tasks: [],
          ...(blocks ? { blocks } : {}),
          updates: 0,
        };
        this.messages.push(m);
        return { ok: true, channel, ts: m.ts, message: { text: m.text, ts: m.ts, user: BOT_USER_ID, bot_id: BOT_ID } };
      }
      case 'chat.update': {
        const m = find(s('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        const blocks = Array.isArray(a.blocks) ? a.blocks : undefined;
        m.text = blockText(blocks) ?? s('markdown_text') ?? s('text') ?? m.text;
        if (blocks) m.blocks = blocks;
        m.updates++;
        return { ok: true, channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        if (!channel || !s('user')) return { ok: false, error: 'invalid_arguments' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        this.ephemerals.push({ channel, user: s('user')!, text: s('text') ?? blockText(a.blocks as unknown[]) ?? '' });
        return { ok: true, message_ts: nextTs() };
      }
      case 'chat.startStream': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!s('thread_ts')) return { ok: false, error: 'invalid_arguments' };
        if (/^[CG]/.test(channel) && (!s('recipient_user_id') || !s('recipient_team_id')))
          return { ok: false, error: 'missing_recipient_user_id' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const m: SlackMessage = {
          channel,
          ts: nextTs(),
          thread_ts: s('thread_ts')!,
          text: (s('markdown_text') ?? '') + markdownOf(a.chunks),
          user: BOT_USER_ID,
          fromBot: true,
          streaming: true,
          tasks: [],
          updates: 0,
        };
        mergeTasks(m, tasksOf(a.chunks));
        if (m.text.length > 12_000) return { ok: false, error: 'msg_too_long' };
        this.messages.push(m);
        return { ok: true, channel, ts: m.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const m = find(s('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        if (!m.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        const text = m.text + (s('markdown_text') ?? '') + markdownOf(a.chunks);
        if (text.length > 12_000) return { ok: false, error: 'msg_too_long' };
        m.text = text;
        mergeTasks(m, tasksOf(a.chunks));
        m.updates++;
        if (method === 'chat.stopStream') {
          m.streaming = false;
          if (Array.isArray(a.blocks)) m.blocks = a.blocks;
        }
        return { ok: true, channel, ts: m.ts };
      }
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle':
        return s('channel_id') ? { ok: true } : { ok: false, error: 'invalid_arguments' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((ok) => this.http.close(() => ok()));
  }
}

function mergeTasks(m: SlackMessage, updates: Task[]): void {
  for (const u of updates) {
    const t = m.tasks.find((x) => x.id === u.id);
    if (t) Object.assign(t, u);
    else
      m.tasks.push({
        id: u.id,
        title: u.title,
        status: u.status,
        ...(u.details ? { details: u.details } : {}),
        ...(u.output ? { output: u.output } : {}),
      });
  }
}

function blockText(blocks: unknown[] | undefined): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const parts: string[] = [];
  const walk = (b: unknown) => {
    if (!b || typeof b !== 'object') return;
    const o = b as Record<string, unknown>;
    if (typeof o.text === 'string') parts.push(o.text);
    else if (o.text && typeof o.text === 'object') walk(o.text);
    for (const k of ['elements', 'fields']) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(walk);
  };
  blocks.forEach(walk);
  return parts.join('\n');
}

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/**
 * Signs a request body as Slack does for HTTP events and commands:
 * `v0=` + HMAC-SHA256(secret, `v0:{timestamp}:{body}`), with the timestamp header.
 */
export function signedHeaders(body: string, o: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', o.secret ?? SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

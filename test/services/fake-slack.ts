/**
 * A fake Slack on loopback that the real Bolt, WebClient and SocketModeClient talk to, as strict as
 * Slack on what the bot relies on. Each rule cites the Slack page it comes from, next to it.
 *
 * - Web API over HTTP (`POST /api/<method>`, form or JSON bodies, bearer tokens): auth.test,
 *   chat.postMessage/update/postEphemeral, chat.startStream/appendStream/stopStream,
 *   assistant.threads.setStatus/setSuggestedPrompts/setTitle, conversations.replies, apps.connections.open.
 *   Every call is recorded, and the messages they make are kept as threads, so tests read what a user
 *   would see. Blocks are checked as Slack documents them (the feedback buttons' `context_actions` too),
 *   and so are the `sources` of task updates.
 * - Streams: they expire (`streamTtlMs`, about five minutes), the user can press Stop
 *   (`stopByUser`), text fields and messages are size-limited, chunks are checked.
 * - Rate limits per method and workspace (or channel) with Retry-After, configurable per test
 *   (`rateLimit`, `SLACK_RATE_LIMITS`, `scaledLimits`); none unless a test sets them.
 * - Error injection per method: `ok: false` errors (`not_in_channel`, …), 429 with Retry-After, 500s.
 * - `response_url` endpoints for slash commands (`POST /respond/<n>`): five uses in thirty minutes,
 *   block types it refuses (`responseRefuses`).
 * - Events API over HTTP: `verifyRequestUrl` (url_verification) and `deliver`, which replays an event
 *   as Slack does after a non-2xx or an ack slower than 3 s (X-Slack-Retry-Num / X-Slack-Retry-Reason).
 * - Socket Mode: the WebSocket behind apps.connections.open; `hello`, envelopes for events, slash
 *   commands and interactions, ack tracking (with how long the ack took), server pings, and
 *   `disconnect` to make the client reconnect.
 * - Interactions: a user clicking an answer's feedback button (`clickFeedback`) becomes a `block_actions`
 *   payload, sent over Socket Mode (an `interactive` envelope) or to the request URL over HTTP (signed,
 *   form-encoded `payload=`), with a response_url of its own.
 * - Other workspaces: people of another organisation (`externalUser`) in channels shared with it
 *   (`shareChannel`, Slack Connect), and of other workspaces of the same enterprise (`gridUser`), with the
 *   fields Slack gives their events, commands and clicks (see `eventPayload`).
 * - What is posted is read as Slack would (`liveTokensSent`): every mention and link in it, code or not.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export const BOT_USER_ID = 'UBOTAWSASK';
export const BOT_ID = 'BBOTAWSASK';
export const APP_ID = 'AAWSASK01';
export const TEAM_ID = 'T0TEAM0001';
/** Another organisation's workspace, met in channels shared with it (Slack Connect). */
export const PARTNER_TEAM_ID = 'T0PARTNER1';
/** The enterprise (Enterprise Grid) the bot's workspace belongs to, when a test puts it in one. */
export const ENTERPRISE_ID = 'E0ACME0001';
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
  sources?: { type: string; url: string; text: string }[];
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
  /** When chat.startStream made it (ms epoch). */
  startedAt?: number;
  /** Slack ended the stream itself (it got too old): what the user sees is unfinished. */
  expired?: boolean;
  /** The user pressed Stop. */
  stoppedByUser?: boolean;
  tasks: Task[];
  blocks?: unknown[];
  updates: number;
}

/** At most `limit` calls in any `windowMs`, per workspace (or per channel). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly per?: 'team' | 'channel';
}

export interface FakeSlackOptions {
  /** How long a stream stays open (default five minutes). */
  readonly streamTtlMs?: number;
  /** Per-method rate limits (default: none). */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  /** How long a response_url works (default thirty minutes). */
  readonly responseUrlTtlMs?: number;
  /** The app's messaging experience (default `agent_view`). */
  readonly view?: 'agent_view' | 'assistant_view';
}

/**
 * Slack's published floors for the methods the bot repeats, a minute at a time, per workspace
 * (https://docs.slack.dev/apis/web-api/rate-limits): chat.appendStream Tier 4
 * (https://docs.slack.dev/reference/methods/chat.appendStream), chat.update Tier 3
 * (https://api.slack.com/methods/chat.update), chat.stopStream Tier 2
 * (https://api.slack.com/methods/chat.stopStream), chat.postMessage about one a second per channel
 * (https://docs.slack.dev/apis/web-api/rate-limits, "Posting messages").
 */
export const SLACK_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  'chat.appendStream': { limit: 100, windowMs: 60_000 },
  'chat.update': { limit: 50, windowMs: 60_000 },
  'chat.stopStream': { limit: 20, windowMs: 60_000 },
  'chat.postMessage': { limit: 60, windowMs: 60_000, per: 'channel' },
};

/** The same limits over a window `factor` times shorter (a minute becomes 60 s / factor). */
export const scaledLimits = (limits: Readonly<Record<string, RateLimit>>, factor: number): Record<string, RateLimit> =>
  Object.fromEntries(Object.entries(limits).map(([m, l]) => [m, { ...l, windowMs: l.windowMs / factor }]));

/** What a request URL got and answered: the Events API over HTTP. */
export interface HttpRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}
export interface HttpResponse {
  readonly statusCode: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
}
export type RequestUrl = (req: HttpRequest) => Promise<HttpResponse>;

/** One delivery attempt of an event: the first (retryNum 0) or a retry. */
export interface DeliveryAttempt {
  readonly retryNum: number;
  /** X-Slack-Retry-Reason, on retries. */
  readonly reason?: string;
  readonly statusCode?: number;
  /** No answer within the ack timeout (Slack retried without waiting for it). */
  readonly timedOut: boolean;
  readonly ms: number;
}

export interface DeliverOptions {
  /** Delays before retries 1, 2, 3 (Slack: at once, after a minute, after five). */
  readonly retryDelaysMs?: readonly number[];
  /** Slack's ack timeout (3 s). */
  readonly ackTimeoutMs?: number;
  /** Runs before each retry (to change the world between two deliveries). */
  readonly beforeRetry?: (retryNum: number) => Promise<void>;
  readonly secret?: string;
}

/** A call to a response_url, answered or refused. */
export interface ResponseAttempt {
  readonly url: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
  readonly error?: string;
}

export interface Ephemeral {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly thread_ts?: string;
}

/** What the request URL answered to an interaction sent over HTTP, and how long it took. */
export interface InteractionResult {
  readonly statusCode?: number;
  /** No answer within Slack's 3 seconds: the user sees an error. */
  readonly timedOut: boolean;
  readonly ms: number;
}

export interface Injection {
  /** A Web API method, or `response_url` for the command response URLs. */
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

/**
 * A markdown_text field or chunk is at most 12,000 characters
 * (https://docs.slack.dev/reference/methods/chat.appendStream).
 */
const MAX_MARKDOWN = 12_000;
const TASK_STATUSES = new Set(['pending', 'in_progress', 'complete', 'error']);
const CHUNK_TYPES = new Set(['markdown_text', 'task_update', 'plan_update', 'blocks']);

/**
 * Chunks as chat.startStream/appendStream/stopStream take them: a known type, markdown_text chunks
 * within 12,000 characters, task_update chunks with an id, a title and one of the four statuses
 * (https://docs.slack.dev/reference/methods/chat.appendStream, "Using the chunks parameter";
 * `invalid_chunks` is that page's error for chunks it cannot take).
 */
function chunkError(chunks: unknown): string | undefined {
  if (chunks === undefined) return undefined;
  if (!Array.isArray(chunks)) return 'invalid_chunks';
  for (const c of chunks) {
    const o = (c ?? {}) as Record<string, unknown>;
    if (!CHUNK_TYPES.has(String(o.type))) return 'invalid_chunks';
    if (o.type === 'markdown_text') {
      if (typeof o.text !== 'string') return 'invalid_chunks';
      if (o.text.length > MAX_MARKDOWN) return 'msg_too_long';
    }
    if (o.type === 'task_update') {
      if (typeof o.id !== 'string' || typeof o.title !== 'string' || !TASK_STATUSES.has(String(o.status))) {
        return 'invalid_chunks';
      }
      if (sourcesError(o.sources)) return 'invalid_chunks';
    }
  }
  return undefined;
}

/**
 * A task update's `sources`: an array of URL source elements, `{type: 'url', url, text}` with all three
 * required (https://docs.slack.dev/reference/block-kit/block-elements/url-source-element; the field on the
 * task_update chunk: https://docs.slack.dev/reference/methods/chat.appendStream, "task_update chunks").
 * The url must be an http(s) URL and the text not empty.
 */
function sourcesError(sources: unknown): boolean {
  if (sources === undefined) return false;
  if (!Array.isArray(sources)) return true;
  return sources.some((x) => {
    const o = (x ?? {}) as Record<string, unknown>;
    if (o.type !== 'url' || typeof o.text !== 'string' || !o.text.trim() || typeof o.url !== 'string') return true;
    return !URL.canParse(o.url) || !/^https?:$/.test(new URL(o.url).protocol);
  });
}

/**
 * A plain_text text object of at most `max` characters
 * (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
 */
const plainTextError = (t: unknown, max: number): boolean => {
  const o = (t ?? {}) as Record<string, unknown>;
  return o.type !== 'plain_text' || typeof o.text !== 'string' || !o.text || o.text.length > max;
};

/**
 * A feedback buttons element: `positive_button` and `negative_button`, each with `text` (plain_text, at
 * most 75 characters), `value` (at most 2,000) and an optional `accessibility_label` (at most 75);
 * `action_id` at most 255 (https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element).
 */
function feedbackButtonsError(e: Record<string, unknown>): boolean {
  if (e.action_id !== undefined && (typeof e.action_id !== 'string' || e.action_id.length > 255)) return true;
  return [e.positive_button, e.negative_button].some((b) => {
    const o = (b ?? {}) as Record<string, unknown>;
    if (typeof o !== 'object' || plainTextError(o.text, 75)) return true;
    if (typeof o.value !== 'string' || !o.value || o.value.length > 2_000) return true;
    const label = o.accessibility_label;
    return label !== undefined && (typeof label !== 'string' || label.length > 75);
  });
}

/**
 * A context actions block: `elements` of 1 to 5 feedback buttons or icon button elements
 * (https://docs.slack.dev/reference/block-kit/blocks/context-actions-block).
 */
function contextActionsError(o: Record<string, unknown>): boolean {
  const elements = o.elements;
  if (!Array.isArray(elements) || elements.length < 1 || elements.length > 5) return true;
  return elements.some((x) => {
    const e = (x ?? {}) as Record<string, unknown>;
    if (e.type === 'feedback_buttons') return feedbackButtonsError(e);
    return e.type !== 'icon_button';
  });
}

/**
 * Blocks a message can carry: at most 50 (https://docs.slack.dev/reference/block-kit/blocks), a block_id
 * at most 255 characters, a `markdown` block at most 12,000 characters
 * (https://docs.slack.dev/reference/block-kit/blocks/markdown-block), a `context_actions` block as its
 * page says (`contextActionsError`), and feedback buttons nowhere else: "The feedback buttons element must
 * be used inside the context actions block"
 * (https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element).
 */
function blocksError(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks) {
    const o = (b ?? {}) as Record<string, unknown>;
    if (typeof o.type !== 'string') return 'invalid_blocks';
    if (o.block_id !== undefined && (typeof o.block_id !== 'string' || o.block_id.length > 255))
      return 'invalid_blocks';
    if (o.type === 'markdown' && (typeof o.text !== 'string' || o.text.length > MAX_MARKDOWN)) return 'invalid_blocks';
    if (o.type === 'context_actions') {
      if (contextActionsError(o)) return 'invalid_blocks';
    } else if (
      Array.isArray(o.elements) &&
      o.elements.some((e) => (e as { type?: unknown })?.type === 'feedback_buttons')
    ) {
      return 'invalid_blocks';
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * What Slack could turn into a mention or a link in text an app posts, wherever it stands: stricter than Slack,
 * which leaves code alone, so text that passes here is safe in code or not, in mrkdwn, Markdown or plain text.
 * - Control sequences (https://api.slack.com/reference/surfaces/formatting): `<!channel>`, `<!here>`,
 *   `<!everyone>`, `<!subteam^ID>`, `<!date^…>`, `<@U…>`, `<#C…>`, and `<url>` / `<url|text>` links, also as
 *   the HTML entities of `<` (in case a surface decodes them before it parses).
 * - Markdown links and link definitions, which `markdown_text` and `markdown` blocks render as links
 *   (https://docs.slack.dev/reference/block-kit/blocks/markdown-block: `[my text](https://…)`).
 * - Bare `@channel`, `@here`, `@everyone`, which chat.postMessage links with `link_names`
 *   (https://docs.slack.dev/reference/methods/chat.postMessage); counted whatever the surface.
 */
export function liveTokens(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:<|&(?:lt|#0*60|#x0*3c);)([!@#]|[a-z][a-z0-9+.-]*:)[^<>\s]*/gi)) found.push(m[0]);
  for (const m of text.matchAll(/\[[^\]\n]*\]\([^)\s]*\)?/g)) found.push(m[0]);
  for (const m of text.matchAll(/^ {0,3}\[[^\]\n]+\]:/gm)) found.push(m[0]);
  for (const m of text.matchAll(/(?:^|[^\w@])(@(?:channel|here|everyone))(?![\w-])/gi)) found.push(m[1] ?? m[0]);
  return found;
}

/** The text-bearing fields of a Web API call or a response_url body: what a person would read. */
function textsOf(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (['text', 'markdown_text', 'title', 'output', 'details', 'status'].includes(key)) out.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key === 'loading_messages' ? 'text' : key);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (k !== 'sources' && k !== 'value') walk(x, k);
    }
  };
  walk(args, '');
  return out;
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
  /** Every call to a response_url, refused ones too. */
  readonly responseAttempts: ResponseAttempt[] = [];
  /** Block types a response_url refuses with `invalid_blocks` (none by default: see `respond`). */
  readonly responseRefuses = new Set<string>();
  /** Suggested prompts pinned to a DM's Messages tab, by channel (agent_view). */
  readonly suggestedPrompts = new Map<string, { title?: string; prompts: unknown[] }>();
  /** Thread titles set with assistant.threads.setTitle, by `channel:thread_ts`. */
  readonly titles = new Map<string, string>();
  /** People of other workspaces, by user id: their own workspace (everyone else is of TEAM_ID). */
  readonly userTeams = new Map<string, string>();
  /** Channels shared with another organisation (Slack Connect), by id: the workspace the channel comes from. */
  readonly sharedChannels = new Map<string, string>();
  /** Other workspaces of the bot workspace's enterprise (Enterprise Grid); empty: not in an enterprise. */
  readonly enterpriseTeams = new Set<string>();
  /**
   * Leave the author's workspace (`user_team`, `source_team`, `team`) out of events in shared channels, as
   * Slack has been seen to do for mentions (https://github.com/superset-sh/superset/pull/4531).
   */
  omitAuthorTeam = false;
  /** How long a stream stays open. */
  streamTtlMs: number;
  responseUrlTtlMs: number;
  view: 'agent_view' | 'assistant_view';
  private readonly limits = new Map<string, RateLimit>();
  private readonly windows = new Map<string, number[]>();
  private readonly responseUrls = new Map<string, { created: number; uses: number }>();
  private readonly verifiedUrls = new Set<RequestUrl>();
  private readonly injections: Injection[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private pingTimer?: NodeJS.Timeout;
  connections = 0;
  url = '';

  private constructor(o: FakeSlackOptions) {
    // Slack ends a stream after about five minutes; the limit is not in its reference pages, but
    // appends (and stops) after it fail with message_not_in_streaming_state:
    // https://github.com/slackapi/python-slack-sdk/issues/1859, https://github.com/vercel/chat/issues/607
    this.streamTtlMs = o.streamTtlMs ?? 5 * 60_000;
    // "up to 5 times within 30 minutes of the user's invocation":
    // https://api.slack.com/interactivity/slash-commands#responding_response_url
    this.responseUrlTtlMs = o.responseUrlTtlMs ?? 30 * 60_000;
    this.view = o.view ?? 'agent_view';
    for (const [method, limit] of Object.entries(o.rateLimits ?? {})) this.rateLimit(method, limit);
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

  static async start(o: FakeSlackOptions = {}): Promise<FakeSlack> {
    const f = new FakeSlack(o);
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

  /**
   * Limits a method to `limit` calls in any `windowMs`, per workspace or per channel; calls over it get
   * HTTP 429 with Retry-After in seconds (https://docs.slack.dev/apis/web-api/rate-limits, "Responding
   * to rate limiting conditions"). `undefined` lifts the limit.
   */
  rateLimit(method: string, limit: RateLimit | undefined): void {
    if (limit) this.limits.set(method, limit);
    else this.limits.delete(method);
  }

  /** The calls Slack answered with 429. */
  get rateLimited(): SlackCall[] {
    return this.calls.filter((c) => c.result === 'ratelimited');
  }

  /** The user presses Stop on a streaming message: further appends fail with `stopped_by_user`. */
  stopByUser(channel: string, ts: string): void {
    const m = this.messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m?.streaming) throw new Error(`fake Slack: no streaming message ${channel}/${ts}`);
    m.streaming = false;
    m.stoppedByUser = true;
  }

  /** The streaming message in a thread, if one is open. */
  streamingIn(channel: string, threadTs: string): SlackMessage | undefined {
    return this.thread(channel, threadTs).find((m) => m.streaming);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Every mention or link (`liveTokens`) in what was posted: Web API calls and response_url bodies. */
  liveTokensSent(): { method: string; token: string }[] {
    const sent = [
      ...this.calls.map((c) => ({ method: c.method, args: c.args })),
      ...this.responseAttempts.map((r) => ({ method: 'response_url', args: r.body })),
    ];
    return sent.flatMap(({ method, args }) =>
      textsOf(args).flatMap((t) => liveTokens(t).map((token) => ({ method, token }))),
    );
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

  /** A person of another organisation, met in channels shared with it. */
  externalUser(user: string, team = PARTNER_TEAM_ID): void {
    this.userTeams.set(user, team);
  }

  /** A person of another workspace of the bot workspace's enterprise (Enterprise Grid). */
  gridUser(user: string, team: string): void {
    this.enterpriseTeams.add(team);
    this.userTeams.set(user, team);
  }

  /** Shares a channel with another organisation (Slack Connect); `host`: the workspace it comes from. */
  shareChannel(channel: string, host = PARTNER_TEAM_ID): void {
    this.sharedChannels.set(channel, host);
  }

  /** The workspace a person belongs to. */
  teamOf(user: string): string {
    return this.userTeams.get(user) ?? TEAM_ID;
  }

  /** Whether a conversation with `user` in `channel` is shared with another organisation. */
  private externallyShared(channel: string | undefined, user: string | undefined): boolean {
    if (channel && this.sharedChannels.has(channel)) return true;
    const team = user ? this.teamOf(user) : TEAM_ID;
    // people of other organisations are only ever met in conversations shared with them
    return team !== TEAM_ID && !this.enterpriseTeams.has(team);
  }

  /**
   * An Events API envelope payload around an event (https://docs.slack.dev/apis/events-api/, "Callback
   * field overview"), as Slack sends it to the bot's one installation:
   * - `authorizations` names the installation the event is delivered to, TEAM_ID
   *   (https://docs.slack.dev/reference/methods/apps.event.authorizations.list);
   * - `is_ext_shared_channel` says whether the conversation is shared with another organisation; then the
   *   envelope's `team_id` is the workspace the conversation comes from, possibly the other one
   *   (https://github.com/slackapi/bolt-js/issues/687, a Slack maintainer on why Bolt reads `authorizations`);
   * - an event by a person of another workspace, or in a shared conversation, names the author's workspace:
   *   `user_team`, `source_team` and `team` (@slack/types `AppMentionEvent`;
   *   https://api.slack.com/enterprise/grid/developing), unless `omitAuthorTeam`.
   */
  eventPayload(event: Record<string, unknown>, eventId = `Ev${++seq}`): Record<string, unknown> {
    const channel = typeof event.channel === 'string' ? event.channel : undefined;
    const user = typeof event.user === 'string' ? event.user : undefined;
    const author = user ? this.teamOf(user) : TEAM_ID;
    const shared = this.externallyShared(channel, user);
    const named = user && (shared || author !== TEAM_ID);
    const inner: Record<string, unknown> = {
      event_ts: nextTs(),
      ...event,
      ...(named ? { team: author, user_team: author, source_team: author } : {}),
    };
    if (named && shared && this.omitAuthorTeam) {
      delete inner.team;
      delete inner.user_team;
      delete inner.source_team;
    }
    const enterprise = this.enterpriseTeams.size ? ENTERPRISE_ID : null;
    return {
      token: 'legacy',
      team_id: shared ? ((channel && this.sharedChannels.get(channel)) ?? author) : TEAM_ID,
      ...(enterprise ? { enterprise_id: enterprise } : {}),
      api_app_id: APP_ID,
      event: inner,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: enterprise,
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: shared,
      context_team_id: TEAM_ID,
      context_enterprise_id: enterprise,
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

  /**
   * A slash command; returns the ack (its payload is what the user sees at once). Its `team_id` is the
   * workspace the person ran it from, with the enterprise's id where there is one
   * (https://docs.slack.dev/interactivity/implementing-slash-commands).
   */
  async command(o: {
    channel: string;
    user: string;
    text: string;
    command?: string;
  }): Promise<{ ack: EnvelopeResult; responseUrl: string; triggerId: string }> {
    const n = ++seq;
    const responseUrl = `${this.url}/respond/${n}`;
    this.responseUrls.set(responseUrl, { created: Date.now(), uses: 0 });
    const triggerId = `trigger.${n}`;
    const team = this.teamOf(o.user);
    const enterprise = this.enterpriseTeams.size > 0 && (team === TEAM_ID || this.enterpriseTeams.has(team));
    const ack = await this.send('slash_commands', {
      token: 'legacy',
      team_id: team,
      ...(enterprise ? { enterprise_id: ENTERPRISE_ID } : {}),
      team_domain: team === TEAM_ID ? 'acme' : team.toLowerCase(),
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

  // ---------------------------------------------------------------- interactions

  /**
   * A user clicking one of the feedback buttons on a bot message: the `block_actions` payload Slack sends
   * (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload), its one action the
   * clicked element (`type: 'feedback_buttons'`, action_id, block_id, the button's value and text, as
   * Bolt's FeedbackButtonsAction reads it), with a response_url of its own. The message must carry the
   * buttons, in a context_actions block.
   */
  feedbackPayload(message: SlackMessage, user: string, vote: 'positive' | 'negative'): Record<string, unknown> {
    const block = (message.blocks ?? []).find((b) => (b as { type?: string }).type === 'context_actions') as
      | { block_id?: string; elements?: Record<string, unknown>[] }
      | undefined;
    const element = block?.elements?.find((e) => e.type === 'feedback_buttons');
    if (!block || !element) throw new Error(`fake Slack: message ${message.ts} has no feedback buttons`);
    const button = element[vote === 'positive' ? 'positive_button' : 'negative_button'] as {
      value: string;
      text: unknown;
    };
    const n = ++seq;
    const responseUrl = `${this.url}/respond/${n}`;
    this.responseUrls.set(responseUrl, { created: Date.now(), uses: 0 });
    const thread = message.thread_ts ? { thread_ts: message.thread_ts } : {};
    return {
      type: 'block_actions',
      // the person's own workspace (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload)
      user: { id: user, username: 'alice', name: 'alice', team_id: this.teamOf(user) },
      api_app_id: APP_ID,
      token: 'legacy',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
        ...thread,
      },
      trigger_id: `trigger.${n}`,
      team: { id: TEAM_ID, domain: 'acme' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: message.channel.startsWith('D') ? 'directmessage' : 'ops' },
      message: {
        type: 'message',
        user: message.user,
        ...(message.fromBot ? { bot_id: BOT_ID } : {}),
        ts: message.ts,
        text: message.text,
        ...thread,
        blocks: message.blocks,
      },
      state: { values: {} },
      response_url: responseUrl,
      actions: [
        {
          type: 'feedback_buttons',
          action_id: element.action_id,
          block_id: block.block_id,
          value: button.value,
          text: button.text,
          action_ts: nextTs(),
        },
      ],
    };
  }

  /**
   * The user clicks a feedback button: over Socket Mode, an `interactive` envelope (resolves with its ack);
   * with `post`, to the app's request URL over HTTP: a signed, form-encoded body whose `payload` parameter is
   * the JSON (https://docs.slack.dev/interactivity/handling-user-interaction), answered within 3 seconds or
   * the user sees an error. Interactions are not retried.
   */
  async clickFeedback(o: {
    message: SlackMessage;
    user: string;
    vote: 'positive' | 'negative';
    post?: RequestUrl;
    secret?: string;
  }): Promise<{ payload: Record<string, unknown>; socket?: EnvelopeResult; http?: InteractionResult }> {
    const payload = this.feedbackPayload(o.message, o.user, o.vote);
    if (!o.post) return { payload, socket: await this.send('interactive', payload) };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signedHeaders(body, o.secret ? { secret: o.secret } : {}),
    };
    const at = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), 3_000);
    });
    const answer = await Promise.race([o.post({ body, headers }).catch(() => 'failed' as const), timeout]);
    clearTimeout(timer);
    const ms = Date.now() - at;
    if (answer === 'timeout' || answer === 'failed') return { payload, http: { timedOut: answer === 'timeout', ms } };
    return { payload, http: { statusCode: answer.statusCode, timedOut: false, ms } };
  }

  // ---------------------------------------------------------------- Events API over HTTP

  /**
   * Sets `post` as the app's request URL the way Slack does: a signed `url_verification` whose
   * `challenge` must come back in a 200, as plain text, form or JSON
   * (https://docs.slack.dev/reference/events/url_verification). Slack saves the URL only then, and sends
   * events only to a saved URL (https://docs.slack.dev/apis/events-api/). A receiver that
   * does not know its signing secret yet cannot verify the request, so it cannot pass.
   */
  async verifyRequestUrl(post: RequestUrl, secret = SIGNING_SECRET): Promise<boolean> {
    const challenge = `challenge-${++seq}`;
    const body = JSON.stringify({ token: 'legacy', challenge, type: 'url_verification' });
    let r: HttpResponse;
    try {
      r = await post({ body, headers: { 'content-type': 'application/json', ...signedHeaders(body, { secret }) } });
    } catch {
      return false;
    }
    const text = r.body ?? '';
    const echoed =
      text === challenge ||
      new URLSearchParams(text).get('challenge') === challenge ||
      (() => {
        try {
          return (JSON.parse(text) as { challenge?: string }).challenge === challenge;
        } catch {
          return false;
        }
      })();
    const ok = r.statusCode === 200 && echoed;
    if (ok) this.verifiedUrls.add(post);
    return ok;
  }

  /**
   * Delivers an Events API payload to a verified request URL as Slack does
   * (https://docs.slack.dev/apis/events-api/#retries): each attempt freshly signed; a non-2xx answer
   * (`http_error`), no answer within 3 seconds (`http_timeout`, retried without waiting for it) or a
   * failed connection (`connection_failed`) is retried up to 3 times, at once, after a minute and after
   * five minutes, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`; `X-Slack-No-Retry: 1` on a
   * failed answer stops the retries.
   */
  async deliver(
    payload: Record<string, unknown>,
    post: RequestUrl,
    o: DeliverOptions = {},
  ): Promise<DeliveryAttempt[]> {
    if (!this.verifiedUrls.has(post)) throw new Error('fake Slack: events go only to a verified request URL');
    const delays = o.retryDelaysMs ?? [0, 60_000, 300_000];
    const ackTimeoutMs = o.ackTimeoutMs ?? 3_000;
    const body = JSON.stringify(payload);
    const attempts: DeliveryAttempt[] = [];
    let reason: string | undefined;
    for (let retryNum = 0; retryNum <= 3; retryNum++) {
      if (retryNum > 0) {
        await sleep(delays[retryNum - 1] ?? 0);
        await o.beforeRetry?.(retryNum);
      }
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...signedHeaders(body, o.secret ? { secret: o.secret } : {}),
        ...(retryNum > 0 && reason ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason } : {}),
      };
      const at = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), ackTimeoutMs);
      });
      const answer = await Promise.race([post({ body, headers }).catch(() => 'failed' as const), timeout]);
      clearTimeout(timer);
      const ms = Date.now() - at;
      const base = { retryNum, ...(retryNum > 0 && reason ? { reason } : {}) };
      if (answer === 'timeout' || answer === 'failed') {
        attempts.push({ ...base, timedOut: answer === 'timeout', ms });
        reason = answer === 'timeout' ? 'http_timeout' : 'connection_failed';
        continue;
      }
      attempts.push({ ...base, statusCode: answer.statusCode, timedOut: false, ms });
      if (answer.statusCode >= 200 && answer.statusCode < 300) break;
      const noRetry = Object.entries(answer.headers ?? {}).some(
        ([k, v]) => k.toLowerCase() === 'x-slack-no-retry' && String(v) === '1',
      );
      if (noRetry) break;
      reason = 'http_error';
    }
    return attempts;
  }

  // ---------------------------------------------------------------- Web API

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/respond/')) return this.respond(`${this.url}${path}`, raw, res);
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
      const inj = this.takeInjection(method);
      if (inj) {
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
      const retryAfter = this.overLimit(method, args);
      if (retryAfter !== undefined) {
        call.result = 'ratelimited';
        return this.reply(res, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(retryAfter) });
      }
      const out = this.api(method, args, token);
      call.result = out.ok ? 'ok' : String(out.error);
      this.reply(res, 200, out);
    });
  }

  private takeInjection(method: string): Injection | undefined {
    const inj = this.injections.find((i) => i.method === method && (i.times ?? 1) > 0);
    if (inj) inj.times = (inj.times ?? 1) - 1;
    return inj;
  }

  /**
   * Seconds to wait when this call goes over its method's limit, else undefined (and the call counts).
   * Limits are per method per workspace (one workspace here), or per channel for chat.postMessage:
   * https://docs.slack.dev/apis/web-api/rate-limits
   */
  private overLimit(method: string, args: Record<string, unknown>): number | undefined {
    const limit = this.limits.get(method);
    if (!limit) return undefined;
    const where = limit.per === 'channel' ? String(args.channel ?? args.channel_id ?? '') : TEAM_ID;
    const key = `${method}:${where}`;
    const now = Date.now();
    const recent = (this.windows.get(key) ?? []).filter((t) => now - t < limit.windowMs);
    this.windows.set(key, recent);
    if (recent.length >= limit.limit) return Math.max(1, Math.ceil((recent[0]! + limit.windowMs - now) / 1000));
    recent.push(now);
    return undefined;
  }

  /**
   * A command's response_url: a message (ephemeral by default) posted for the command, at most five
   * times within thirty minutes of the command
   * (https://api.slack.com/interactivity/slash-commands#responding_response_url). Its messages take
   * `text` or `blocks`, the same blocks as messages (https://docs.slack.dev/reference/block-kit/blocks;
   * the `markdown` block is listed for messages, https://docs.slack.dev/reference/block-kit/blocks/markdown-block),
   * so nothing is refused unless a test puts a block type in `responseRefuses`.
   */
  private respond(url: string, raw: string, res: ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      body = {};
    }
    const refused = this.responseRefusal(url, body);
    if (refused) {
      this.responseAttempts.push({ url, body, ...refused });
      res.writeHead(refused.status, { 'Content-Type': 'text/plain' });
      res.end(refused.error);
      return;
    }
    this.responseAttempts.push({ url, body, status: 200 });
    this.responses.push({ url, body });
    this.reply(res, 200, { ok: true });
  }

  /** Why a response_url call is refused, or undefined (and it counts as one of the five uses). */
  private responseRefusal(url: string, body: Record<string, unknown>): { status: number; error: string } | undefined {
    const inj = this.takeInjection('response_url');
    if (inj) return { status: inj.status ?? 500, error: inj.error ?? 'fatal_error' };
    const state = this.responseUrls.get(url) ?? { created: Date.now(), uses: 0 };
    this.responseUrls.set(url, state);
    if (Date.now() - state.created > this.responseUrlTtlMs) return { status: 404, error: 'expired_url' };
    if (state.uses >= 5) return { status: 404, error: 'used_url' };
    const blocks = body.blocks;
    if (blocks !== undefined) {
      const error = blocksError(blocks);
      if (error) return { status: 400, error };
      const types = (blocks as { type?: string }[]).map((b) => String(b.type));
      if (types.some((t) => this.responseRefuses.has(t))) return { status: 400, error: 'invalid_blocks' };
    }
    if (!body.text && !blocks) return { status: 400, error: 'no_text' };
    state.uses++;
    return undefined;
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
          ...(this.enterpriseTeams.size ? { enterprise_id: ENTERPRISE_ID } : {}),
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const text = s('markdown_text') ?? s('text') ?? '';
        if (!text && !a.blocks) return { ok: false, error: 'no_text' };
        // markdown_text is at most 12,000 characters: https://docs.slack.dev/reference/methods/chat.postMessage
        if ((s('markdown_text') ?? '').length > MAX_MARKDOWN) return { ok: false, error: 'msg_too_long' };
        const invalid = blocksError(a.blocks);
        if (invalid) return { ok: false, error: invalid };
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
        const invalid = blocksError(a.blocks);
        if (invalid) return { ok: false, error: invalid };
        const blocks = Array.isArray(a.blocks) ? a.blocks : undefined;
        m.text = blockText(blocks) ?? s('markdown_text') ?? s('text') ?? m.text;
        if (blocks) m.blocks = blocks;
        m.updates++;
        return { ok: true, channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        if (!channel || !s('user')) return { ok: false, error: 'invalid_arguments' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        this.ephemerals.push({
          channel,
          user: s('user')!,
          text: s('text') ?? blockText(a.blocks as unknown[]) ?? '',
          ...(s('thread_ts') ? { thread_ts: s('thread_ts')! } : {}),
        });
        return { ok: true, message_ts: nextTs() };
      }
      case 'chat.startStream': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        // "Streamed messages should always be replies to a user request"; the recipient ids are "Required
        // when streaming to channels": https://docs.slack.dev/reference/methods/chat.startStream
        if (!s('thread_ts')) return { ok: false, error: 'invalid_arguments' };
        if (/^[CG]/.test(channel) && (!s('recipient_user_id') || !s('recipient_team_id')))
          return { ok: false, error: 'missing_recipient_user_id' };
        // recipient_team_id is "the team the user receiving the streaming text belongs to" (same page): another
        // team is refused here (the error is this fake's; Slack names none)
        const recipient = s('recipient_user_id');
        if (recipient && s('recipient_team_id') && s('recipient_team_id') !== this.teamOf(recipient))
          return { ok: false, error: 'invalid_arguments' };
        if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const invalid = this.streamContentError(a);
        if (invalid) return { ok: false, error: invalid };
        const m: SlackMessage = {
          channel,
          ts: nextTs(),
          thread_ts: s('thread_ts')!,
          text: (s('markdown_text') ?? '') + markdownOf(a.chunks),
          user: BOT_USER_ID,
          fromBot: true,
          streaming: true,
          startedAt: Date.now(),
          tasks: [],
          updates: 0,
        };
        mergeTasks(m, tasksOf(a.chunks));
        if (m.text.length > MAX_MARKDOWN) return { ok: false, error: 'msg_too_long' };
        this.messages.push(m);
        return { ok: true, channel, ts: m.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const m = find(s('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        const closed = this.streamClosedError(m);
        if (closed) return { ok: false, error: closed };
        // "Either markdown_text or chunks is required" to append:
        // https://docs.slack.dev/reference/methods/chat.appendStream
        if (method === 'chat.appendStream' && !s('markdown_text') && !Array.isArray(a.chunks))
          return { ok: false, error: 'invalid_arguments' };
        const invalid = this.streamContentError(a);
        if (invalid) return { ok: false, error: invalid };
        // chat.stopStream's blocks are "rendered at the bottom of the finalized message", checked like any
        // message's blocks: https://docs.slack.dev/reference/methods/chat.stopStream
        const badBlocks = method === 'chat.stopStream' ? blocksError(a.blocks) : undefined;
        if (badBlocks) return { ok: false, error: badBlocks };
        const text = m.text + (s('markdown_text') ?? '') + markdownOf(a.chunks);
        if (text.length > MAX_MARKDOWN) return { ok: false, error: 'msg_too_long' };
        m.text = text;
        mergeTasks(m, tasksOf(a.chunks));
        m.updates++;
        if (method === 'chat.stopStream') {
          m.streaming = false;
          if (Array.isArray(a.blocks)) m.blocks = a.blocks;
        }
        return { ok: true, channel, ts: m.ts };
      }
      case 'assistant.threads.setStatus': {
        // channel_id, thread_ts and status are required; at most 10 loading_messages; since 2026-03-05 it
        // works in channels too, with chat:write: https://docs.slack.dev/reference/methods/assistant.threads.setStatus,
        // https://docs.slack.dev/changelog/2026/03/05/set-status-scope-update
        if (!s('channel_id') || !s('thread_ts') || typeof a.status !== 'string') {
          return { ok: false, error: 'invalid_arguments' };
        }
        const loading = a.loading_messages;
        if (loading !== undefined && (!Array.isArray(loading) || loading.length > 10)) {
          return { ok: false, error: 'invalid_arguments' };
        }
        return { ok: true };
      }
      case 'assistant.threads.setSuggestedPrompts': {
        if (!s('channel_id') || !Array.isArray(a.prompts)) return { ok: false, error: 'invalid_arguments' };
        // agent_view: the prompts pin to the top of the Messages tab, with no thread_ts; given a thread_ts
        // the call "silently fails" (ok, nothing shown):
        // https://docs.slack.dev/tools/bolt-js/concepts/adding-agent-features/,
        // https://docs.slack.dev/ai/migrating-to-agent-messaging/
        if (this.view === 'agent_view' && s('thread_ts')) return { ok: true };
        if (this.view === 'agent_view') {
          this.suggestedPrompts.set(s('channel_id')!, {
            ...(s('title') ? { title: s('title')! } : {}),
            prompts: a.prompts,
          });
        }
        return { ok: true };
      }
      case 'assistant.threads.setTitle': {
        // channel_id, thread_ts and title are all required; the page gives no limit on the title's length:
        // https://docs.slack.dev/reference/methods/assistant.threads.setTitle
        if (!s('channel_id') || !s('thread_ts') || !s('title')) return { ok: false, error: 'invalid_arguments' };
        this.titles.set(`${s('channel_id')}:${s('thread_ts')}`, s('title')!);
        return { ok: true };
      }
      case 'conversations.replies': {
        // the thread's parent then its replies, oldest first, at most `limit` (default 1,000); a ts that is
        // no message: thread_not_found (https://docs.slack.dev/reference/methods/conversations.replies)
        const parent = find(s('ts'));
        if (!channel || !parent) return { ok: false, error: 'thread_not_found' };
        const limit = Number(a.limit ?? 1_000) || 1_000;
        const replies = this.thread(channel, parent.ts);
        const all = [parent, ...replies].slice(0, limit).map((x) => ({
          type: 'message',
          ts: x.ts,
          text: x.text,
          user: x.user,
          ...(x.fromBot ? { bot_id: BOT_ID } : {}),
          ...(x.thread_ts || replies.length ? { thread_ts: x.thread_ts ?? parent.ts } : {}),
          ...(x === parent ? { reply_count: replies.length } : {}),
        }));
        return { ok: true, messages: all, has_more: replies.length + 1 > limit };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * Why a stream no longer takes appends or a stop: the user stopped it (`stopped_by_user`, the error
   * chat.appendStream gives once the user presses Stop; not in the method's reference page:
   * https://docs.slack.dev/reference/methods/chat.appendStream), it was stopped, or Slack ended it after
   * about five minutes (`message_not_in_streaming_state`: https://github.com/slackapi/python-slack-sdk/issues/1859).
   */
  private streamClosedError(m: SlackMessage): string | undefined {
    if (m.stoppedByUser) return 'stopped_by_user';
    if (m.streaming && m.startedAt !== undefined && Date.now() - m.startedAt > this.streamTtlMs) {
      m.streaming = false;
      m.expired = true;
    }
    return m.streaming ? undefined : 'message_not_in_streaming_state';
  }

  /** A stream call's markdown_text (at most 12,000 characters) and chunks. */
  private streamContentError(a: Record<string, unknown>): string | undefined {
    const md = a.markdown_text;
    if (md !== undefined && (typeof md !== 'string' || md.length > MAX_MARKDOWN)) return 'msg_too_long';
    return chunkError(a.chunks);
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
        ...(u.sources ? { sources: u.sources } : {}),
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

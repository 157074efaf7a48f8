/**
 * The AgentCore Runtime server: `GET /ping` and `POST /invocations` on 0.0.0.0:8080 (PORT).
 *
 * - /ping: {"status": "Healthy" | "HealthyBusy", "time_of_last_update": <unix s of the last change>}.
 *   HealthyBusy while any invocation runs; the time changes only when the status does.
 * - /invocations: session from X-Amzn-Bedrock-AgentCore-Runtime-Session-Id (33–256 characters);
 *   `Accept: text/event-stream` streams SSE events (tool_start, tool_end, text, done | error), anything
 *   else gets one JSON object. Bad requests get 4xx JSON errors.
 *
 * Run with `node agent/server.ts` (or the bundle from `npm run build`); SIGTERM drains and exits.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, FAILURES, type Failure, userMessage } from '../common/errors.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { isMain } from '../common/main.ts';
import { assertDenyActionsKnown } from '../common/policy/index.ts';
import {
  type AgentEvent,
  type ErrorBody,
  type ErrorCode,
  type InvocationResponse,
  MAX_BODY_BYTES,
  parseInvocationRequest,
  SESSION_HEADER,
  sessionIdProblem,
  type ToolCallSummary,
  type Usage,
} from '../common/protocol.ts';
import { newRef } from '../common/ref.ts';
import { SettingsReader } from '../common/settings.ts';
import { encodeSse } from '../common/sse.ts';
import type { AgentService } from './service/agent-service.ts';
import { createAgentService, readAgentServiceConfig } from './service/from-env.ts';

export interface RuntimeServerOptions {
  readonly service: AgentService;
  readonly logger?: Logger;
  /** SSE keep-alive comment interval. Default 15 s. */
  readonly keepAliveMs?: number;
}

export interface RuntimeServer {
  readonly server: Server;
  /** Listens; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections, lets running invocations finish, closes. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const errorBody = (code: ErrorCode, message: string, ref?: string): ErrorBody => ({
  error: { code, message, ...(ref ? { ref } : {}) },
});

/** A tool_end event as the summary it carries. */
const toolCallOf = ({ type: _type, ...summary }: Extract<AgentEvent, { type: 'tool_end' }>): ToolCallSummary => summary;

/** The error event for a failure the server itself notices. */
function errorEvent(failure: Failure, ref = newRef()): Extract<AgentEvent, { type: 'error' }> {
  return { type: 'error', code: failure.code, message: userMessage(failure, ref), ref };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as UTF-8 text; `tooLarge` past the limit, `ok: false` (not too large) when it is not valid UTF-8. */
function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; body: string } | { ok: false; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return resolve({ ok: false, tooLarge: true });
      try {
        resolve({ ok: true, body: utf8.decode(Buffer.concat(chunks)) });
      } catch {
        resolve({ ok: false, tooLarge: false });
      }
    });
    req.on('error', reject);
  });
}

export function createRuntimeServer(options: RuntimeServerOptions): RuntimeServer {
  const { service } = options;
  const log = options.logger ?? createLogger();

  const invocations = async (req: IncomingMessage, res: ServerResponse) => {
    const sessionHeader = req.headers[SESSION_HEADER];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    const problem = sessionIdProblem(sessionId);
    if (problem) return sendJson(res, 400, errorBody('bad_request', problem));
    const ctype = String(req.headers['content-type'] ?? 'application/json');
    if (!/^application\/json\b/i.test(ctype))
      return sendJson(res, 415, errorBody('bad_request', 'Content-Type must be application/json'));
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok && read.tooLarge)
      return sendJson(res, 413, errorBody('bad_request', `body is larger than ${MAX_BODY_BYTES} bytes`));
    if (!read.ok) return sendJson(res, 400, errorBody('bad_request', 'body is not valid UTF-8'));
    const parsed = parseInvocationRequest(read.body);
    if (!parsed.ok) return sendJson(res, 400, errorBody('bad_request', parsed.message));

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const events = service.invoke(sessionId as string, parsed.value, abort.signal);
    const wantsSse = /\btext\/event-stream\b/i.test(String(req.headers.accept ?? ''));
    if (wantsSse) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
      try {
        for await (const ev of events) {
          if (res.destroyed) break;
          res.write(encodeSse(ev));
        }
      } finally {
        clearInterval(keepAlive);
        res.end();
      }
      return;
    }
    let answer = '';
    const toolCalls: ToolCallSummary[] = [];
    let done: Extract<AgentEvent, { type: 'done' }> | undefined;
    let failure: Extract<AgentEvent, { type: 'error' }> | undefined;
    for await (const ev of events) {
      if (ev.type === 'text') answer += ev.text;
      else if (ev.type === 'tool_end') toolCalls.push(toolCallOf(ev));
      else if (ev.type === 'done') done = ev;
      else if (ev.type === 'error') failure = ev;
    }
    if (failure || !done) {
      const f = failure ?? errorEvent(FAILURES.noAnswer);
      const http = f.code === 'busy' ? 409 : f.code === 'model_throttled' ? 429 : f.code === 'timeout' ? 504 : 500;
      return sendJson(res, http, errorBody(f.code, f.message, f.ref));
    }
    const usage: Usage = done.usage;
    const body: InvocationResponse = { answer, toolCalls, usage, durationMs: done.durationMs };
    return sendJson(res, 200, body);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendJson(res, 200, service.busy.ping());
    }
    if (path === '/invocations') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendJson(res, 405, errorBody('bad_request', 'use POST /invocations'));
      }
      invocations(req, res).catch((e: unknown) => {
        const ref = newRef();
        log.error('invocation handler failed', { ref, error: e });
        if (res.headersSent) res.end();
        else sendJson(res, 500, errorBody(FAILURES.internal.code, userMessage(FAILURES.internal, ref), ref));
      });
      return;
    }
    sendJson(
      res,
      404,
      errorBody('bad_request', `no route ${req.method} ${path}; this server serves GET /ping and POST /invocations`),
    );
  });
  server.requestTimeout = 0; // invocations stream for minutes
  server.headersTimeout = 30_000;

  return {
    server,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await service.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}

/** Builds the service from the environment (fails fast with ConfigError) and serves it. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeServer> {
  const log = createLogger();
  const read = new SettingsReader(env);
  const config = read.done(readAgentServiceConfig(read));
  await assertDenyActionsKnown(config.denyActions);
  const { service, settings } = createAgentService(config, log);
  const bucket = env.SESSION_BUCKET?.trim();
  const server = createRuntimeServer({ service, logger: log });
  const port = await server.listen(Number(env.PORT ?? 8080), env.HOST ?? '0.0.0.0');
  log.info('agent server listening', {
    port,
    modelId: settings.modelId,
    modelRegion: settings.modelRegion,
    region: settings.defaultRegion,
    sessionStore: bucket ? 's3' : 'memory',
  });
  const stop = (signal: string) => {
    log.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 35_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    const message = e instanceof ConfigError ? e.message : `could not start: ${(e as Error).message}`;
    process.stderr.write(`aws-ask agent: ${message}\n`);
    process.exit(2);
  });
}

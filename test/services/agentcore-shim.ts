/**
 * A local stand-in for AgentCore's InvokeAgentRuntime: `POST /runtimes/{arn}/invocations` is passed
 * to an agent server's `POST /invocations` with the session header, and the answer streamed back.
 * The SDK reaches it through AWS_ENDPOINT_URL_BEDROCK_AGENTCORE. It can also fail the way the service
 * does (throttling, a runtime error) for the fault tests.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESSION_HEADER } from '../../common/protocol.ts';

export interface ShimFault {
  /** 0: never answer (a hung runtime). */
  readonly status: number;
  readonly type: string;
  readonly message: string;
  times: number;
}

export interface AgentCoreShim {
  readonly url: string;
  readonly invocations: { arn: string; qualifier: string | null; sessionId: string; accept: string }[];
  fail(fault: Omit<ShimFault, 'times'> & { times?: number }): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startAgentCoreShim(agentUrl: string): Promise<AgentCoreShim> {
  const to = new URL(agentUrl);
  const invocations: AgentCoreShim['invocations'] = [];
  const faults: ShimFault[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shim');
    const m = /^\/runtimes\/(.+)\/invocations$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404, { 'Content-Type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
      res.end(JSON.stringify({ message: 'not found' }));
      return;
    }
    const sessionId = String(req.headers[SESSION_HEADER] ?? '');
    invocations.push({
      arn: decodeURIComponent(m[1] ?? ''),
      qualifier: url.searchParams.get('qualifier'),
      sessionId,
      accept: String(req.headers.accept ?? ''),
    });
    const fault = faults.find((f) => f.times > 0);
    if (fault) {
      fault.times--;
      req.resume();
      if (fault.status === 0) return; // hang: never answer
      res.writeHead(fault.status, { 'Content-Type': 'application/json', 'x-amzn-errortype': fault.type });
      res.end(JSON.stringify({ message: fault.message }));
      return;
    }
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        path: '/invocations',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: String(req.headers.accept ?? 'application/json'),
          [SESSION_HEADER]: sessionId,
        },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, {
          'Content-Type': String(up.headers['content-type'] ?? 'application/json'),
          'x-amzn-bedrock-agentcore-runtime-session-id': sessionId,
        });
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(502, { 'x-amzn-errortype': 'RuntimeClientError' });
      res.end(JSON.stringify({ message: e.message }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    fail: (f) => faults.push({ times: 1, ...f }),
    clearFaults: () => faults.splice(0),
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

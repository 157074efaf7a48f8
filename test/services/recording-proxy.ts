/**
 * A loopback HTTP proxy that forwards every request to a target (moto) and records it: the tests
 * count what actually went over the wire (AssumeRole calls, refused calls that sent nothing).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Action=` of a query-protocol call or the `X-Amz-Target` operation, when there is one. */
  readonly action?: string;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  count(action: string): number;
  close(): Promise<void>;
}

function actionOf(headers: IncomingHttpHeaders, body: string, path: string): string | undefined {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop();
  const m = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body) ?? /[?&]Action=([A-Za-z0-9]+)/.exec(path);
  return m?.[1];
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const path = req.url ?? '/';
      const action = actionOf(req.headers, text, path);
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body: text, ...(action ? { action } : {}) });
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (action) => requests.filter((r) => r.action === action).length,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/**
 * A loopback HTTP proxy that forwards every request to a target (moto) and records it: the tests
 * count what actually went over the wire (AssumeRole calls, refused calls that sent nothing).
 */
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Action=` of a query-protocol call or the `X-Amz-Target` operation, when there is one. */
  readonly action?: string;
  /** The upstream's answer, once it has come: status and the first 4 KiB of the body. */
  response?: { status: number; body: string };
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
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: text,
        ...(action ? { action } : {}),
      };
      requests.push(record);
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          const got: Buffer[] = [];
          up.on('data', (c: Buffer) => {
            if (got.reduce((n, b) => n + b.length, 0) < 4096) got.push(c);
            res.write(c);
          });
          up.on('end', () => {
            record.response = { status: up.statusCode ?? 0, body: Buffer.concat(got).toString('utf8').slice(0, 4096) };
            res.end();
          });
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

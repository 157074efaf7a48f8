/**
 * A Lambda Function URL on loopback: each HTTP request becomes the payload-2.0 event a Function URL
 * hands its function (headers lower-cased, the body as text), and the function's result becomes the
 * HTTP answer. Behind it: the real receiver handler, or a scripted one (a 401, a 500, a wrong body).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';

export type UrlHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;

export interface FunctionUrl {
  /** `http://127.0.0.1:PORT/`, as a Function URL ends with a slash. */
  readonly url: string;
  /** What answers requests; replace it to script an answer. */
  handler: UrlHandler;
  /** The events the function was called with. */
  readonly events: APIGatewayProxyEventV2[];
  close(): Promise<void>;
}

const context = {
  functionName: 'aws-ask-Receiver',
  awsRequestId: 'doctor-url',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export async function startFunctionUrl(handler: UrlHandler): Promise<FunctionUrl> {
  const events: APIGatewayProxyEventV2[] = [];
  const fn: FunctionUrl = { url: '', handler, events, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      const [path = '/', query = ''] = (req.url ?? '/').split('?');
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: query,
        headers,
        requestContext: {
          http: {
            method: req.method ?? 'GET',
            path,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
        } as APIGatewayProxyEventV2['requestContext'],
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
      };
      events.push(event);
      try {
        const out = await fn.handler(event, context);
        const outHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(out.headers ?? {})) outHeaders[k] = String(v);
        res.writeHead(out.statusCode, outHeaders);
        res.end(out.body ?? '');
      } catch {
        // what a Function URL answers when its function throws
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end('{"Message":"Internal Server Error"}');
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(fn, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}

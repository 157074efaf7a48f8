/**
 * A loopback service that refuses every call the way a JSON-protocol AWS service refuses one (an HTTP status,
 * `x-amzn-errortype`, a JSON body with the message): what the doctor meets when its credentials may not make
 * a call moto would allow (moto's IAM enforcement is one switch for the whole test run). Point the service's
 * AWS_ENDPOINT_URL_… at it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Refusal {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface RefusingService {
  readonly url: string;
  /** The x-amz-target (or "METHOD path") of each call refused. */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startRefusingService(refusal: Refusal): Promise<RefusingService> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      calls.push(typeof target === 'string' ? target : `${req.method} ${req.url}`);
      res.writeHead(refusal.status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-errortype': refusal.type });
      res.end(JSON.stringify({ __type: refusal.type, message: refusal.message }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

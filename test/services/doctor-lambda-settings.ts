/**
 * moto does not implement Lambda's GetAccountSettings (moto 5.2.5 routes no account-settings path), so this
 * loopback stand-in answers it the way the service does (REST-JSON, `GET /2016-08-19/account-settings/`):
 * the account's limits and usage, the concurrency limits the test's to change, or an error (an HTTP status
 * with `x-amzn-errortype`). Point AWS_ENDPOINT_URL_LAMBDA at it; it answers nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LambdaAccountLimits {
  /** AccountLimit.ConcurrentExecutions: the account's concurrency limit in the region. */
  concurrentExecutions: number;
  /** AccountLimit.UnreservedConcurrentExecutions: the limit less the functions' reservations. */
  unreservedConcurrentExecutions: number;
}

export interface LambdaServiceError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface DoctorLambdaSettings {
  readonly url: string;
  /** What GetAccountSettings answers (default: an established account's 1000, none reserved). */
  limits: LambdaAccountLimits;
  /** While set, every call answers with this error. */
  failWith: LambdaServiceError | undefined;
  /** "METHOD path" of each call (without the query). */
  readonly calls: string[];
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: Readonly<LambdaAccountLimits> = {
  concurrentExecutions: 1000,
  unreservedConcurrentExecutions: 1000,
};

export async function startDoctorLambdaSettings(): Promise<DoctorLambdaSettings> {
  const calls: string[] = [];
  const stand: DoctorLambdaSettings = {
    url: '',
    limits: { ...DEFAULT_LIMITS },
    failWith: undefined,
    calls,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      calls.push(`${req.method} ${path}`);
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      if (stand.failWith) return send(stand.failWith.status, { message: stand.failWith.message }, stand.failWith.type);
      // the API reference writes the path with a trailing slash; the SDK sends it without
      if (req.method !== 'GET' || !/^\/2016-08-19\/account-settings\/?$/.test(path))
        return send(
          404,
          { message: `this stand-in answers GetAccountSettings only (${path})` },
          'ResourceNotFoundException',
        );
      return send(200, {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: stand.limits.concurrentExecutions,
          UnreservedConcurrentExecutions: stand.limits.unreservedConcurrentExecutions,
        },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(stand, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}

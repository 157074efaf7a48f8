/**
 * moto does not implement Lambda's GetAccountSettings (moto 5.2.5 routes no account-settings path), so this
 * loopback stand-in answers the two calls `npm run doctor` makes about concurrency the way the service does
 * (REST-JSON): GetAccountSettings (`GET /2016-08-19/account-settings/`) and GetFunctionConcurrency
 * (`GET /2019-09-30/functions/{FunctionName}/concurrency`). The account's limit and each function's
 * reservation are the test's to change; UnreservedConcurrentExecutions is the limit less every reservation,
 * as Lambda counts it. Any call can be made to fail (an HTTP status with `x-amzn-errortype`). Point
 * AWS_ENDPOINT_URL_LAMBDA at it; it answers nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LambdaServiceError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface DoctorLambdaSettings {
  readonly url: string;
  /** AccountLimit.ConcurrentExecutions: the account's concurrency limit in the region (default 1000). */
  concurrentExecutions: number;
  /**
   * The account's functions in the region, by name, with their reserved concurrency (undefined: none).
   * GetFunctionConcurrency on a function not here is a 404, as for a function that does not exist.
   */
  readonly functions: Map<string, number | undefined>;
  /** While set, every call answers with this error. */
  failWith: LambdaServiceError | undefined;
  /** "METHOD path" of each call (without the query). */
  readonly calls: string[];
  close(): Promise<void>;
}

export const DEFAULT_CONCURRENT_EXECUTIONS = 1000;

const FUNCTION_CONCURRENCY = /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/;

export async function startDoctorLambdaSettings(): Promise<DoctorLambdaSettings> {
  const calls: string[] = [];
  const stand: DoctorLambdaSettings = {
    url: '',
    concurrentExecutions: DEFAULT_CONCURRENT_EXECUTIONS,
    functions: new Map(),
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
      const fn = FUNCTION_CONCURRENCY.exec(path);
      if (req.method === 'GET' && fn) {
        const name = decodeURIComponent(fn[1] as string);
        if (!stand.functions.has(name))
          return send(404, { message: `Function not found: ${name}` }, 'ResourceNotFoundException');
        const reserved = stand.functions.get(name);
        // a function with no reservation answers without ReservedConcurrentExecutions
        return send(200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
      }
      // the API reference writes the path with a trailing slash; the SDK sends it without
      if (req.method !== 'GET' || !/^\/2016-08-19\/account-settings\/?$/.test(path))
        return send(
          404,
          { message: `this stand-in answers GetAccountSettings and GetFunctionConcurrency only (${path})` },
          'ResourceNotFoundException',
        );
      const held = [...stand.functions.values()].reduce<number>((a, b) => a + (b ?? 0), 0);
      return send(200, {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: stand.concurrentExecutions,
          UnreservedConcurrentExecutions: stand.concurrentExecutions - held,
        },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: stand.functions.size },
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(stand, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}

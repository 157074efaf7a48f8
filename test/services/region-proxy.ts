/**
 * A loopback HTTP proxy in front of moto that knows each request's region (from its SigV4 credential
 * scope) and can make a region slow or fail, as a region of a real account can be (not enabled,
 * throttled, far away). It records what went over the wire and how many requests were in flight at
 * once, so the tests can see a fan-out's concurrency and its wall time against its slowest region.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one region does to the requests sent to it. */
export interface RegionBehaviour {
  /** Held this long before being forwarded. */
  readonly delayMs?: number;
  /** Answered with this EC2-style error instead of being forwarded (e.g. `AuthFailure`, 401). */
  readonly fail?: { readonly code: string; readonly status: number; readonly message?: string };
}

export interface RegionRequest {
  readonly region: string;
  /** `Action=` of a query-protocol call or the `X-Amz-Target` operation, when there is one. */
  readonly action?: string;
}

export interface RegionProxy {
  readonly url: string;
  readonly requests: RegionRequest[];
  /** Most requests in flight at once since the last reset. */
  readonly maxInFlight: number;
  /** Sets what each region does (regions not named are forwarded at once); resets the counts. */
  behave(
    byRegion: Readonly<Record<string, RegionBehaviour>>,
    byAction?: Readonly<Record<string, RegionBehaviour>>,
  ): void;
  count(action: string, region?: string): number;
  close(): Promise<void>;
}

/** The region of a SigV4-signed request: `Credential=AKID/20250101/eu-west-1/ec2/aws4_request`. */
export const signedRegion = (authorization: string | undefined): string =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? '';

function actionOf(target: unknown, body: string): string | undefined {
  if (typeof target === 'string') return target.split('.').pop();
  return /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body)?.[1];
}

const ec2Error = (code: string, message: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
  '<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>';

export async function startRegionProxy(target: string): Promise<RegionProxy> {
  const to = new URL(target);
  const requests: RegionRequest[] = [];
  let regions: Readonly<Record<string, RegionBehaviour>> = {};
  let actions: Readonly<Record<string, RegionBehaviour>> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const region = signedRegion(req.headers.authorization);
      const action = actionOf(req.headers['x-amz-target'], body.toString('utf8'));
      requests.push({ region, ...(action ? { action } : {}) });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      const how = (action && actions[action]) || regions[region] || {};
      setTimeout(() => {
        if (how.fail) {
          res.writeHead(how.fail.status, { 'content-type': 'text/xml' });
          res.end(ec2Error(how.fail.code, how.fail.message ?? `${how.fail.code} (stand-in for ${region})`));
          done();
          return;
        }
        const upstream = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            up.on('end', done);
          },
        );
        upstream.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
          done();
        });
        upstream.end(body);
      }, how.delayMs ?? 0);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    behave(byRegion, byAction = {}) {
      regions = byRegion;
      actions = byAction;
      maxInFlight = 0;
      requests.length = 0;
    },
    count: (action, region) =>
      requests.filter((r) => r.action === action && (region === undefined || r.region === region)).length,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

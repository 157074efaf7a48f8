/**
 * A loopback stand-in for the AgentCore control plane as `npm run doctor` calls it (REST-JSON, as the SDK
 * speaks it): ListAgentRuntimes (`POST /runtimes/`) and GetAgentRuntime (`GET /runtimes/{id}/`). Each
 * runtime's status and metadataConfiguration are the test's to change, and any call can be made to fail
 * the way the service fails (an HTTP status with `x-amzn-errortype`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoctorRuntime {
  status: string;
  /** metadataConfiguration.requireMMDSV2; undefined: no metadataConfiguration at all. */
  requireMMDSV2?: boolean;
  failureReason?: string;
}

export interface ControlPlaneError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface DoctorControlPlane {
  readonly url: string;
  readonly runtimes: Map<string, DoctorRuntime>;
  /** While set, every call answers with this error. */
  failWith: ControlPlaneError | undefined;
  /** "METHOD path" of each call (without the query). */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startDoctorControlPlane(region: string, account = '123456789012'): Promise<DoctorControlPlane> {
  const runtimes = new Map<string, DoctorRuntime>();
  const calls: string[] = [];
  const arn = (id: string) => `arn:aws:bedrock-agentcore:${region}:${account}:runtime/${id}`;
  const now = new Date().toISOString();
  const plane: DoctorControlPlane = {
    url: '',
    runtimes,
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
      if (plane.failWith) return send(plane.failWith.status, { message: plane.failWith.message }, plane.failWith.type);
      if (req.method === 'POST' && path === '/runtimes/') {
        const agentRuntimes = [...runtimes].map(([id, rt]) => ({
          agentRuntimeArn: arn(id),
          agentRuntimeId: id,
          agentRuntimeName: id.split('-')[0],
          agentRuntimeVersion: '1',
          description: 'aws-ask',
          lastUpdatedAt: now,
          status: rt.status,
        }));
        return send(200, { agentRuntimes });
      }
      const m = /^\/runtimes\/([^/]+)\/$/.exec(path);
      const id = m ? decodeURIComponent(m[1] as string) : '';
      const rt = runtimes.get(id);
      if (req.method !== 'GET' || !rt)
        return send(404, { message: `Runtime ${id} not found` }, 'ResourceNotFoundException');
      return send(200, {
        agentRuntimeArn: arn(id),
        agentRuntimeId: id,
        agentRuntimeName: id.split('-')[0],
        agentRuntimeVersion: '3',
        createdAt: now,
        lastUpdatedAt: now,
        roleArn: `arn:aws:iam::${account}:role/aws-ask-runtime`,
        networkConfiguration: { networkMode: 'PUBLIC' },
        status: rt.status,
        ...(rt.failureReason ? { failureReason: rt.failureReason } : {}),
        ...(rt.requireMMDSV2 === undefined ? {} : { metadataConfiguration: { requireMMDSV2: rt.requireMMDSV2 } }),
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(plane, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}

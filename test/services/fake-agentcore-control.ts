/**
 * A loopback stand-in for the AgentCore control plane's GetAgentRuntime / UpdateAgentRuntime
 * (REST-JSON, as the SDK speaks it), keeping one runtime's configuration. An update replaces the
 * configuration, bumps the version and goes through UPDATING before READY, as the service does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRuntime {
  config: Record<string, unknown>;
  status: string;
  version: number;
  /** Gets left before an UPDATING runtime turns READY. */
  updatingPolls: number;
}

export interface FakeControlPlane {
  readonly url: string;
  readonly runtime: FakeRuntime;
  readonly updates: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startFakeControlPlane(id: string, config: Record<string, unknown>): Promise<FakeControlPlane> {
  const runtime: FakeRuntime = { config, status: 'READY', version: 1, updatingPolls: 0 };
  const updates: Record<string, unknown>[] = [];
  const arn = `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${id}`;
  const now = new Date().toISOString();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/runtimes\/([^/]+)\/$/.exec(req.url ?? '');
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      if (!m || decodeURIComponent(m[1]!) !== id)
        return send(404, { message: 'runtime not found' }, 'ResourceNotFoundException');
      if (req.method === 'GET') {
        if (runtime.status === 'UPDATING' && runtime.updatingPolls-- <= 0) runtime.status = 'READY';
        return send(200, {
          agentRuntimeArn: arn,
          agentRuntimeId: id,
          agentRuntimeName: id.split('-')[0],
          agentRuntimeVersion: String(runtime.version),
          createdAt: now,
          lastUpdatedAt: now,
          status: runtime.status,
          ...runtime.config,
        });
      }
      if (req.method === 'PUT') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        updates.push(body);
        const { clientToken: _t, ...rest } = body;
        runtime.config = rest;
        runtime.version++;
        runtime.status = 'UPDATING';
        runtime.updatingPolls = 1;
        return send(202, {
          agentRuntimeArn: arn,
          agentRuntimeId: id,
          agentRuntimeVersion: String(runtime.version),
          createdAt: now,
          status: 'UPDATING',
        });
      }
      send(405, { message: 'method not allowed' }, 'ValidationException');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runtime,
    updates,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

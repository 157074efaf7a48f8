import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { afterEach, describe, expect, it } from 'vitest';
import { onEvent, requireMmdsV2 } from '../../infra/mmds-handler.ts';
import { type FakeControlPlane, startFakeControlPlane } from '../services/fake-agentcore-control.ts';

const ID = 'aws_ask-AbC123';
const CONFIG = {
  roleArn: 'arn:aws:iam::123456789012:role/runtime',
  agentRuntimeArtifact: {
    codeConfiguration: {
      code: { s3: { bucket: 'assets', prefix: 'agent.zip' } },
      runtime: 'NODE_22',
      entryPoint: ['server.mjs'],
    },
  },
  networkConfiguration: { networkMode: 'PUBLIC' },
  protocolConfiguration: { serverProtocol: 'HTTP' },
  lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
  environmentVariables: {
    TOOL_ROLE_ARN: 'arn:aws:iam::123456789012:role/tool',
    MODEL_ID: 'global.anthropic.claude-sonnet-4-6',
  },
};
let plane: FakeControlPlane | undefined;
const client = (url: string) =>
  new BedrockAgentCoreControlClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });

afterEach(async () => {
  await plane?.close();
  plane = undefined;
});

describe('requiring MMDSv2 on the runtime', () => {
  it('updates the runtime with its own configuration plus requireMMDSV2, waits for READY, and checks', async () => {
    plane = await startFakeControlPlane(ID, structuredClone(CONFIG));
    expect(await requireMmdsV2(client(plane.url), ID, { pollMs: 5 })).toBe('updated');
    expect(plane.updates).toHaveLength(1);
    const sent = plane.updates[0]!;
    expect(sent).toMatchObject({ ...CONFIG, metadataConfiguration: { requireMMDSV2: true } });
    expect(plane.runtime.status).toBe('READY');
  });

  it('changes nothing when the runtime already requires it', async () => {
    plane = await startFakeControlPlane(ID, {
      ...structuredClone(CONFIG),
      metadataConfiguration: { requireMMDSV2: true },
    });
    expect(await requireMmdsV2(client(plane.url), ID, { pollMs: 5 })).toBe('already');
    expect(plane.updates).toEqual([]);
  });

  it('waits for a runtime that is still updating before it changes it', async () => {
    plane = await startFakeControlPlane(ID, structuredClone(CONFIG));
    plane.runtime.status = 'UPDATING';
    plane.runtime.updatingPolls = 2;
    expect(await requireMmdsV2(client(plane.url), ID, { pollMs: 5 })).toBe('updated');
    expect(plane.updates).toHaveLength(1);
  });

  it('fails the deployment, saying why, when the runtime failed', async () => {
    plane = await startFakeControlPlane(ID, structuredClone(CONFIG));
    plane.runtime.status = 'UPDATE_FAILED';
    await expect(requireMmdsV2(client(plane.url), ID, { pollMs: 5 })).rejects.toThrow(/UPDATE_FAILED/);
  });

  it('as a CloudFormation custom resource: Create/Update set it, Delete does nothing', async () => {
    plane = await startFakeControlPlane(ID, structuredClone(CONFIG));
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = plane.url;
    try {
      expect(
        await onEvent({
          RequestType: 'Delete',
          PhysicalResourceId: `${ID}-mmdsv2`,
          ResourceProperties: { RuntimeId: ID },
        }),
      ).toEqual({ PhysicalResourceId: `${ID}-mmdsv2` });
      expect(plane.updates).toEqual([]);
      const created = await onEvent({ RequestType: 'Create', ResourceProperties: { RuntimeId: ID } });
      expect(created).toEqual({
        PhysicalResourceId: `${ID}-mmdsv2`,
        Data: { RequireMMDSV2: 'true', Outcome: 'updated' },
      });
      expect(plane.runtime.config.metadataConfiguration).toEqual({ requireMMDSV2: true });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
    }
  }, 30_000);
});

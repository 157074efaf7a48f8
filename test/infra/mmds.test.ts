/**
 * The MMDSv2 custom resource handler against the control-plane stand-in, and the stand-in's own rules
 * (it must refuse what AgentCore refuses, or the handler's tests prove nothing).
 */
import {
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  type CreateAgentRuntimeRequest,
  UpdateAgentRuntimeCommand,
  UpdateAgentRuntimeRequest$,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COPIED_FIELDS,
  DEADLINE_MARGIN_MS,
  deadlineFrom,
  onEvent,
  requireMmdsV2,
  updateRequiringMmdsV2,
} from '../../infra/mmds-handler.ts';
import {
  ACCOUNT,
  type CallerIdentity,
  type ControlPlaneOptions,
  type FakeControlPlane,
  REGION,
  startFakeControlPlane,
} from '../services/fake-agentcore-control.ts';

const ID = 'aws_ask-AbCdE12345';
const RUNTIME_ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${ID}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/runtime`;
const OBJECT = 'arn:aws:s3:::assets/agent.zip';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Every field UpdateAgentRuntime takes, as GetAgentRuntime would return them. */
const CONFIG = {
  roleArn: ROLE,
  agentRuntimeArtifact: {
    codeConfiguration: {
      code: { s3: { bucket: 'assets', prefix: 'agent.zip' } },
      runtime: 'NODE_22',
      entryPoint: ['server.js'],
    },
  },
  networkConfiguration: { networkMode: 'PUBLIC' },
  description: 'aws-ask runtime',
  authorizerConfiguration: {
    customJWTAuthorizer: { discoveryUrl: 'https://idp.example/.well-known/openid-configuration' },
  },
  requestHeaderConfiguration: { requestHeaderAllowlist: ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Team'] },
  protocolConfiguration: { serverProtocol: 'HTTP' },
  lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
  metadataConfiguration: { requireMMDSV2: false },
  environmentVariables: {
    TOOL_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/tool`,
    MODEL_ID: 'global.anthropic.claude-sonnet-4-6',
  },
  filesystemConfigurations: [{ sessionStorage: { mountPath: '/mnt/session' } }],
  capacityProviderConfiguration: {
    capacityProviderArn: `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:capacity-provider/example`,
  },
  platformVersion: '2',
};

interface PolicyStatement {
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const GET_UPDATE: PolicyStatement = {
  Effect: 'Allow',
  Action: ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
  Resource: [RUNTIME_ARN, `${RUNTIME_ARN}/*`],
};
const PASS_ROLE: PolicyStatement = {
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: ROLE,
  Condition: { StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } },
};
const READ_CODE: PolicyStatement = {
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:GetObjectVersion'],
  Resource: OBJECT,
};
const callerWith = (...statements: PolicyStatement[]): CallerIdentity => ({
  principal: `arn:aws:iam::${ACCOUNT}:role/mmds-handler`,
  policies: [{ name: 'handler', policy: { Version: '2012-10-17', Statement: statements } }],
});
const CREATE: PolicyStatement = { Effect: 'Allow', Action: 'bedrock-agentcore:CreateAgentRuntime', Resource: '*' };
/** The handler's role as the stack grants it: the runtime, passing its role, reading its code. */
const HANDLER = callerWith(GET_UPDATE, PASS_ROLE, READ_CODE);

let plane: FakeControlPlane | undefined;
const start = async (config: Record<string, unknown> = structuredClone(CONFIG), o: ControlPlaneOptions = {}) => {
  plane = await startFakeControlPlane(ID, config, { caller: HANDLER, ...o });
  return plane;
};
const client = (url: string) =>
  new BedrockAgentCoreControlClient({
    endpoint: url,
    region: REGION,
    maxAttempts: 1,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
const soon = () => Date.now() + 10_000;

afterEach(async () => {
  await plane?.close();
  plane = undefined;
});

describe('requiring MMDSv2 on the runtime', () => {
  it('sends back every field the runtime has, plus requireMMDSV2, waits for READY, and checks', async () => {
    const p = await start();
    expect(await requireMmdsV2(client(p.url), ID, { pollMs: 5, deadline: soon() })).toBe('updated');
    expect(p.updates).toHaveLength(1);
    const sent = p.updates[0]!;
    expect(sent).toMatchObject({ ...CONFIG, metadataConfiguration: { requireMMDSV2: true } });
    for (const field of COPIED_FIELDS) expect(sent, field).toHaveProperty(field);
    expect(p.runtime.status).toBe('READY');
  });

  it("copies every field of the SDK's UpdateAgentRuntimeRequest but the id and the idempotency token", () => {
    // the SDK's runtime schema of the input shape: [3, namespace, name, traits, member names, member schemas]
    const members = UpdateAgentRuntimeRequest$[4];
    expect([...COPIED_FIELDS].sort()).toEqual(
      members.filter((m) => m !== 'agentRuntimeId' && m !== 'clientToken').sort(),
    );
    // and the request built from a full GetAgentRuntime output carries each of them
    const request = updateRequiringMmdsV2(ID, { ...structuredClone(CONFIG), $metadata: {} } as never);
    expect(Object.keys(request).sort()).toEqual(members.filter((m) => m !== 'clientToken').sort());
  });

  it('changes nothing when the runtime already requires it', async () => {
    const p = await start({ ...structuredClone(CONFIG), metadataConfiguration: { requireMMDSV2: true } });
    expect(await requireMmdsV2(client(p.url), ID, { pollMs: 5, deadline: soon() })).toBe('already');
    expect(p.updates).toEqual([]);
  });

  it('waits for a runtime that is still updating before it changes it', async () => {
    const p = await start();
    p.runtime.status = 'UPDATING';
    p.runtime.updatingPolls = 2;
    expect(await requireMmdsV2(client(p.url), ID, { pollMs: 5, deadline: soon() })).toBe('updated');
    expect(p.updates).toHaveLength(1);
  });

  it('fails the deployment, saying why, when the runtime failed', async () => {
    const p = await start();
    p.runtime.status = 'UPDATE_FAILED';
    await expect(requireMmdsV2(client(p.url), ID, { pollMs: 5, deadline: soon() })).rejects.toThrow(/UPDATE_FAILED/);
  });

  it('gives up at one deadline that covers both waits', async () => {
    // first wait: 5 polls of UPDATING; after the update the runtime never turns READY
    const p = await start(structuredClone(CONFIG), { updatingPolls: 1_000_000 });
    p.runtime.status = 'UPDATING';
    p.runtime.updatingPolls = 5;
    const began = Date.now();
    const deadline = began + 400;
    await expect(requireMmdsV2(client(p.url), ID, { pollMs: 20, deadline })).rejects.toThrow(
      /did not become READY in time \(status UPDATING\)/,
    );
    expect(p.updates).toHaveLength(1);
    // one deadline, not one per wait: it ends within a poll (and one call) of the deadline
    expect(Date.now() - deadline).toBeLessThan(500);
  });

  it("takes its deadline from the Lambda's remaining time, minus a margin", async () => {
    expect(deadlineFrom({ getRemainingTimeInMillis: () => 840_000 }, 1_000)).toBe(1_000 + 840_000 - DEADLINE_MARGIN_MS);
    const p = await start(structuredClone(CONFIG), { updatingPolls: 1_000_000 });
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = p.url;
    try {
      const began = Date.now();
      // 300 ms left after the margin: the handler must fail on its own before "Lambda" would stop it
      const context = { getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 300 };
      await expect(onEvent({ RequestType: 'Create', ResourceProperties: { RuntimeId: ID } }, context)).rejects.toThrow(
        /did not become READY in time/,
      );
      expect(Date.now() - began).toBeLessThan(DEADLINE_MARGIN_MS);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
    }
  });

  it('as a CloudFormation custom resource: Create/Update set it, Delete does nothing', async () => {
    const p = await start();
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = p.url;
    const context = { getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 20_000 };
    try {
      expect(
        await onEvent(
          { RequestType: 'Delete', PhysicalResourceId: `${ID}-mmdsv2`, ResourceProperties: { RuntimeId: ID } },
          context,
        ),
      ).toEqual({ PhysicalResourceId: `${ID}-mmdsv2` });
      expect(p.updates).toEqual([]);
      const created = await onEvent({ RequestType: 'Create', ResourceProperties: { RuntimeId: ID } }, context);
      expect(created).toEqual({
        PhysicalResourceId: `${ID}-mmdsv2`,
        Data: { RequireMMDSV2: 'true', Outcome: 'updated' },
      });
      expect(p.runtime.config.metadataConfiguration).toEqual({ requireMMDSV2: true });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
    }
  }, 30_000);
});

describe('the control-plane stand-in refuses what AgentCore refuses', () => {
  const create = (p: FakeControlPlane, over: Partial<CreateAgentRuntimeRequest> = {}) =>
    client(p.url).send(
      new CreateAgentRuntimeCommand({
        agentRuntimeName: 'second',
        roleArn: ROLE,
        agentRuntimeArtifact: structuredClone(CONFIG.agentRuntimeArtifact),
        networkConfiguration: { networkMode: 'PUBLIC' },
        ...over,
      } as CreateAgentRuntimeRequest),
    );
  const update = (p: FakeControlPlane, over: Record<string, unknown> = {}) =>
    client(p.url).send(
      new UpdateAgentRuntimeCommand({
        agentRuntimeId: ID,
        roleArn: ROLE,
        agentRuntimeArtifact: structuredClone(CONFIG.agentRuntimeArtifact),
        networkConfiguration: { networkMode: 'PUBLIC' },
        ...over,
      } as never),
    );
  const refusedAs = async (call: Promise<unknown>, name: string, message?: RegExp) => {
    const e = await call.then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e, `expected ${name}`).toBeInstanceOf(Error);
    expect(e!.name).toBe(name);
    if (message) expect(e!.message).toMatch(message);
  };

  it('a runtime name: the documented pattern, and one runtime per name', async () => {
    const p = await start(structuredClone(CONFIG), {
      takenNames: ['other_stack'],
      caller: callerWith(CREATE, PASS_ROLE, READ_CODE),
    });
    for (const bad of ['aws-ask', '1st', '_x', 'a'.repeat(49), ''])
      await refusedAs(create(p, { agentRuntimeName: bad }), 'ValidationException', /agentRuntimeName/);
    await refusedAs(create(p, { agentRuntimeName: 'aws_ask' }), 'ConflictException'); // the stand-in's own runtime
    await refusedAs(create(p, { agentRuntimeName: 'other_stack' }), 'ConflictException');
    const made = await create(p, { agentRuntimeName: 'a'.repeat(48) });
    expect(made.agentRuntimeId).toMatch(/^a{48}-[a-zA-Z0-9]{10}$/);
    await refusedAs(create(p, { agentRuntimeName: 'a'.repeat(48) }), 'ConflictException');
    // and the caller must be allowed to create one
    p.caller = callerWith(PASS_ROLE, READ_CODE);
    await refusedAs(create(p, { agentRuntimeName: 'third' }), 'AccessDeniedException', /CreateAgentRuntime/);
  });

  it('a Node.js code package whose entry point is not a .js file', async () => {
    const p = await start(structuredClone(CONFIG), { caller: callerWith(GET_UPDATE, PASS_ROLE, READ_CODE) });
    const artifact = (entryPoint: string[]) => ({
      codeConfiguration: { ...structuredClone(CONFIG.agentRuntimeArtifact.codeConfiguration), entryPoint },
    });
    for (const entry of [['server.mjs'], ['server.ts'], [], ['a', 'b', 'server.js']])
      await refusedAs(update(p, { agentRuntimeArtifact: artifact(entry) }), 'ValidationException', /entry/i);
    await refusedAs(create(p, { agentRuntimeArtifact: artifact(['server.mjs']) as never }), 'ValidationException');
    await update(p, { agentRuntimeArtifact: artifact(['server.js']) });
    expect(p.updates).toHaveLength(1);
  });

  it('environment variables over the documented count or sizes, or with a key that is not a name', async () => {
    const p = await start();
    const many = (n: number, size = 1) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x'.repeat(size)]));
    await refusedAs(update(p, { environmentVariables: many(51) }), 'ValidationException', /at most 50/);
    await refusedAs(update(p, { environmentVariables: { A: 'x'.repeat(5_001) } }), 'ValidationException');
    for (const key of ['1ST', 'WITH-HYPHEN', 'a.b', 'K'.repeat(101)])
      await refusedAs(update(p, { environmentVariables: { [key]: 'v' } }), 'ValidationException', /key/);
    await update(p, { environmentVariables: { ...many(49, 5_000), _UNDERSCORE_FIRST: '' } });
    expect(p.updates).toHaveLength(1);
  });

  it("a caller who may not read the code artifact, pass the runtime's role, or call the operation", async () => {
    const p = await start(structuredClone(CONFIG), { caller: callerWith(GET_UPDATE, PASS_ROLE) });
    await refusedAs(update(p), 'AccessDeniedException', /s3:GetObject on resource: arn:aws:s3:::assets\/agent.zip/);
    p.caller = callerWith(GET_UPDATE, READ_CODE);
    await refusedAs(update(p), 'AccessDeniedException', /iam:PassRole/);
    p.caller = callerWith(PASS_ROLE, READ_CODE);
    await refusedAs(update(p), 'AccessDeniedException', /UpdateAgentRuntime/);
    p.caller = undefined;
    await refusedAs(requireMmdsV2(client(p.url), ID, { deadline: soon() }), 'AccessDeniedException', /GetAgentRuntime/);
    // a versioned location is read with s3:GetObjectVersion
    const versioned = { codeConfiguration: { ...CONFIG.agentRuntimeArtifact.codeConfiguration } };
    versioned.codeConfiguration.code = { s3: { bucket: 'assets', prefix: 'agent.zip', versionId: 'v1' } as never };
    p.caller = callerWith(GET_UPDATE, PASS_ROLE, { ...READ_CODE, Action: 's3:GetObject' });
    await refusedAs(update(p, { agentRuntimeArtifact: versioned }), 'AccessDeniedException', /s3:GetObjectVersion/);
    p.caller = HANDLER;
    await update(p, { agentRuntimeArtifact: versioned });
    expect(p.updates).toHaveLength(1);
  });

  it('a caller who may not decrypt a code artifact under a customer-managed key, through S3', async () => {
    const p = await start(structuredClone(CONFIG), { codeBucketKeyArn: KEY });
    await refusedAs(update(p), 'AccessDeniedException', /kms:Decrypt/);
    const decrypt = (service: string): PolicyStatement => ({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`,
      Condition: { StringEquals: { 'kms:ViaService': service } },
    });
    p.caller = callerWith(GET_UPDATE, PASS_ROLE, READ_CODE, decrypt(`secretsmanager.${REGION}.amazonaws.com`));
    await refusedAs(update(p), 'AccessDeniedException', /kms:Decrypt/);
    p.caller = callerWith(GET_UPDATE, PASS_ROLE, READ_CODE, decrypt(`s3.${REGION}.amazonaws.com`));
    await update(p);
    expect(p.updates).toHaveLength(1);
  });
});

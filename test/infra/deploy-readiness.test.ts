/**
 * Would the first `npm run deploy` on a real account succeed, would a fresh account answer, and can a
 * second stack live beside the first (issue 11)? Checked on one App with two stacks, `aws-ask` and
 * `second`, their templates resolved as a deployed account would see them, their IAM policies evaluated
 * by @cloud-copilot/iam-simulate, directly or through the control-plane stand-in.
 *
 * The Lambdas' esbuild bundling is skipped ('aws:cdk:bundling-stacks': []): it changes only asset hashes,
 * and the templates here are about roles, names and timeouts. The agent's code package is built as usual.
 */

import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE_MAJOR } from '../../common/defaults.ts';
import { DEADLINE_MARGIN_MS, deadlineFrom, requireMmdsV2 } from '../../infra/mmds-handler.ts';
import {
  AwsAskStack,
  type AwsAskStackProps,
  DEFAULT_RECEIVER_RESERVED_CONCURRENCY,
  MARKETPLACE_ACTIONS,
  MMDS_HANDLER_TIMEOUT,
  QUEUE_VISIBILITY_TIMEOUT,
  RUNTIME_NAME_PATTERN,
  runtimeNameFor,
  WORKER_TIMEOUT,
} from '../../infra/stack.ts';
import {
  ACCOUNT,
  type CallerIdentity,
  type FakeControlPlane,
  REGION,
  startFakeControlPlane,
} from '../services/fake-agentcore-control.ts';
import { asList, DeployedTemplate, type PolicyDocument, RUNTIME_ID_SUFFIX } from './deploy-template.ts';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const runtimeArn = (name: string) =>
  `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${name}-${RUNTIME_ID_SUFFIX}`;
const deployed = (stack: AwsAskStack) => new DeployedTemplate(Template.fromStack(stack).toJSON(), stack.stackName);
const stackWith = (props: AwsAskStackProps, name = 'aws-ask') =>
  deployed(new AwsAskStack(new App({ context: NO_BUNDLING }), name, props));

let first: AwsAskStack;
let second: AwsAskStack;
let a: DeployedTemplate;
let b: DeployedTemplate;

beforeAll(() => {
  const app = new App({ context: NO_BUNDLING });
  first = new AwsAskStack(app, 'aws-ask');
  second = new AwsAskStack(app, 'second');
  a = deployed(first);
  b = deployed(second);
}, 120_000);

/** May `principal` (with no identity policy in the way) assume the role whose trust policy is `trust`? */
async function mayAssume(trust: PolicyDocument, principal: string, context: Record<string, string> = {}) {
  const r = await runSimulation(
    {
      request: {
        principal,
        action: 'sts:AssumeRole',
        resource: { resource: `arn:aws:iam::${ACCOUNT}:role/target`, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [
        {
          name: 'any',
          policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  );
  if (r.resultType === 'error') throw new Error(JSON.stringify(r.errors));
  return r.overallResult === 'Allowed';
}

describe('the runtime name, derived from the stack name', () => {
  it('is valid, at most 48 characters, deterministic, and distinct for distinct stack names', () => {
    const long = `aws-ask-${'production-'.repeat(5)}x`.slice(0, 60);
    const longToo = `${long.slice(0, 55)}other`;
    expect(long).toHaveLength(60);
    const names = {
      'aws-ask': runtimeNameFor('aws-ask'),
      second: runtimeNameFor('second'),
      long: runtimeNameFor(long),
      longToo: runtimeNameFor(longToo),
    };
    expect(names['aws-ask']).toBe('aws_ask');
    expect(names.second).toBe('second');
    expect(names.long).toHaveLength(48);
    expect(names.long).toBe('aws_ask_production_production_productio_9451c7e3');
    expect(names.longToo).not.toBe(names.long);
    expect(runtimeNameFor(long)).toBe(names.long);
    // names no stack could have are made valid too
    for (const odd of ['9lives', 'with space', 'dots.and/slashes', '', 'é'.repeat(60)])
      expect(runtimeNameFor(odd), odd).toMatch(RUNTIME_NAME_PATTERN);
    for (const name of Object.values(names)) expect(name).toMatch(RUNTIME_NAME_PATTERN);
  });
});

describe('two stacks in one account and region', () => {
  it('new App() with aws-ask and second: different runtime names', () => {
    expect(a.only('AWS::BedrockAgentCore::Runtime')[1].AgentRuntimeName).toBe('aws_ask');
    expect(b.only('AWS::BedrockAgentCore::Runtime')[1].AgentRuntimeName).toBe('second');
    expect(first.runtimeName).toBe('aws_ask');
    expect(second.runtimeName).toBe('second');
  });

  it("each execution role may be assumed for its own runtime only, not the other stack's", async () => {
    for (const [mine, theirs] of [
      [a, b],
      [b, a],
    ] as const) {
      const [, runtime] = mine.only('AWS::BedrockAgentCore::Runtime');
      const roleId = Object.entries(mine.json.Resources).find(
        ([id, r]) => r.Type === 'AWS::IAM::Role' && mine.roleArn(id) === runtime.RoleArn,
      )![0];
      const trust = mine.trustOf(roleId);
      const as = (name: string) => ({ 'aws:SourceArn': runtimeArn(name), 'aws:SourceAccount': ACCOUNT });
      const service = 'bedrock-agentcore.amazonaws.com';
      const own = String(runtime.AgentRuntimeName);
      const other = String(theirs.only('AWS::BedrockAgentCore::Runtime')[1].AgentRuntimeName);
      expect(await mayAssume(trust, service, as(own))).toBe(true);
      expect(await mayAssume(trust, service, as(other))).toBe(false);
      // a runtime whose name merely starts with this one's (the construct's "runtime/<name>*" let it in)
      expect(await mayAssume(trust, service, as(`${own}_2`))).toBe(false);
    }
  });

  it("each tool role trusts only its own stack's runtime role", async () => {
    const runtimeRoleArn = (t: DeployedTemplate) => String(t.only('AWS::BedrockAgentCore::Runtime')[1].RoleArn);
    const toolTrust = (t: DeployedTemplate) => {
      const toolRole = Object.entries(t.json.Resources).find(
        ([, r]) => r.Type === 'AWS::IAM::Role' && /read-only tool role/.test(String(r.Properties?.Description)),
      )![0];
      return t.trustOf(toolRole);
    };
    expect(runtimeRoleArn(a)).not.toBe(runtimeRoleArn(b));
    expect(await mayAssume(toolTrust(a), runtimeRoleArn(a))).toBe(true);
    expect(await mayAssume(toolTrust(a), runtimeRoleArn(b))).toBe(false);
    expect(await mayAssume(toolTrust(b), runtimeRoleArn(b))).toBe(true);
    expect(await mayAssume(toolTrust(b), runtimeRoleArn(a))).toBe(false);
  });

  it("their functions' log groups are named from their stack names, and none is the other's", () => {
    const names = (t: DeployedTemplate) =>
      Object.values(t.json.Resources)
        .filter((r) => r.Type === 'AWS::Logs::LogGroup')
        .map((r) => String(r.Properties?.LogGroupName));
    expect(names(a).sort()).toEqual(
      ['mmds', 'mmds-provider', 'receiver', 'worker'].map((suffix) => `/aws/lambda/aws-ask-${suffix}`),
    );
    expect(names(b).every((n) => n.startsWith('/aws/lambda/second-'))).toBe(true);
    expect(names(b).filter((n) => names(a).includes(n))).toEqual([]);
  });

  it("no statement of one stack names the other stack's runtime", () => {
    expect(JSON.stringify(a.json)).not.toMatch(/runtime\/second|runtimes\/second/);
    expect(JSON.stringify(b.json)).not.toMatch(/runtime\/aws_ask|runtimes\/aws_ask/);
  });
});

describe('timeouts', () => {
  it("the queue's visibility timeout is at least 6 × the worker's timeout", () => {
    const [, worker] = a.fn('Worker');
    const queue = Object.values(a.json.Resources).find(
      (r) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy,
    )!.Properties!;
    expect(worker.Timeout).toBe(WORKER_TIMEOUT.toSeconds());
    expect(queue.VisibilityTimeout).toBe(QUEUE_VISIBILITY_TIMEOUT.toSeconds());
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(worker.Timeout));
    expect(queue.VisibilityTimeout).toBe(2160);
  });

  it("the MMDSv2 handler's one deadline ends before its Lambda's timeout, which ends before the framework's", () => {
    const [, handler] = a.fn('RequireMmdsV2Handler');
    const [, framework] = a.fn('RequireMmdsV2Providerframework');
    const timeoutMs = Number(handler.Timeout) * 1000;
    expect(handler.Timeout).toBe(MMDS_HANDLER_TIMEOUT.toSeconds());
    // at the start of an invocation Lambda leaves the whole timeout; the deadline keeps the margin of it
    const deadline = deadlineFrom({ getRemainingTimeInMillis: () => timeoutMs }, 0);
    expect(deadline).toBeLessThan(timeoutMs);
    expect(deadline).toBe(timeoutMs - DEADLINE_MARGIN_MS);
    expect(deadline).toBeGreaterThan(10 * 60_000);
    // the provider framework waits for the handler synchronously: it must outlast it
    expect(Number(framework.Timeout)).toBeGreaterThan(Number(handler.Timeout));
  });
});

describe('the first deploy: the MMDSv2 handler reads the code artifact', () => {
  /** The runtime as GetAgentRuntime would return it after CloudFormation created it from the template. */
  function createdRuntime(t: DeployedTemplate): { id: string; config: Record<string, unknown> } {
    const [, p] = t.only('AWS::BedrockAgentCore::Runtime');
    type Code = { Code: { S3: { Bucket: string; Prefix: string } }; Runtime: string; EntryPoint: string[] };
    const code = (p.AgentRuntimeArtifact as { CodeConfiguration: Code }).CodeConfiguration;
    const life = p.LifecycleConfiguration as { IdleRuntimeSessionTimeout: number; MaxLifetime: number };
    return {
      id: `${String(p.AgentRuntimeName)}-${RUNTIME_ID_SUFFIX}`,
      config: {
        roleArn: p.RoleArn,
        description: p.Description,
        agentRuntimeArtifact: {
          codeConfiguration: {
            code: { s3: { bucket: code.Code.S3.Bucket, prefix: code.Code.S3.Prefix } },
            runtime: code.Runtime,
            entryPoint: code.EntryPoint,
          },
        },
        networkConfiguration: { networkMode: (p.NetworkConfiguration as { NetworkMode: string }).NetworkMode },
        protocolConfiguration: { serverProtocol: p.ProtocolConfiguration },
        lifecycleConfiguration: {
          idleRuntimeSessionTimeout: life.IdleRuntimeSessionTimeout,
          maxLifetime: life.MaxLifetime,
        },
        environmentVariables: p.EnvironmentVariables,
      },
    };
  }
  /** The handler's role: as the template grants it, and as it was before (no code-package statements). */
  function handlerRoles(t: DeployedTemplate): { now: CallerIdentity; before: CallerIdentity } {
    const roleId = t.functionRole('RequireMmdsV2Handler');
    const policies = t.rolePolicies(roleId);
    const codeSids = new Set(['ReadTheCodePackage', 'DecryptTheCodePackage']);
    const principal = t.roleArn(roleId);
    return {
      now: { principal, policies },
      before: {
        principal,
        policies: policies.map((p) => ({
          name: p.name,
          policy: { ...p.policy, Statement: p.policy.Statement.filter((s) => !codeSids.has(s.Sid ?? '')) },
        })),
      },
    };
  }
  const client = (p: FakeControlPlane) =>
    new BedrockAgentCoreControlClient({
      endpoint: p.url,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });

  it('the template asks for a .js entry point and the exact artifact object', () => {
    const { config } = createdRuntime(a);
    expect(config.agentRuntimeArtifact).toMatchObject({
      codeConfiguration: {
        code: { s3: { bucket: `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`, prefix: expect.stringMatching(/\.zip$/) } },
        runtime: `NODE_${NODE_MAJOR}`,
        entryPoint: ['server.js'],
      },
    });
  });

  for (const key of [undefined, `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`]) {
    const bucket = key ? 'a bootstrap bucket under a customer-managed key' : 'the default bootstrap bucket';
    it(`the stricter stand-in refuses the old handler role and accepts the new one (${bucket})`, async () => {
      const { id, config } = createdRuntime(a);
      const roles = handlerRoles(a);
      const before = await startFakeControlPlane(id, structuredClone(config), {
        caller: roles.before,
        ...(key ? { codeBucketKeyArn: key } : {}),
      });
      try {
        await expect(requireMmdsV2(client(before), id, { pollMs: 5, deadline: Date.now() + 10_000 })).rejects.toThrow(
          /not authorized to perform: s3:GetObject on resource: arn:aws:s3:::cdk-hnb659fds-assets-/,
        );
        expect(before.updates).toEqual([]);
      } finally {
        await before.close();
      }
      const now = await startFakeControlPlane(id, structuredClone(config), {
        caller: roles.now,
        ...(key ? { codeBucketKeyArn: key } : {}),
      });
      try {
        expect(await requireMmdsV2(client(now), id, { pollMs: 5, deadline: Date.now() + 10_000 })).toBe('updated');
        expect(now.updates[0]).toMatchObject({ ...config, metadataConfiguration: { requireMMDSV2: true } });
        expect(now.refusals).toEqual([]);
      } finally {
        await now.close();
      }
    });
  }
});

describe('least privilege, on the template', () => {
  const runtimeRole = (t: DeployedTemplate) => {
    const arn = t.only('AWS::BedrockAgentCore::Runtime')[1].RoleArn;
    return Object.keys(t.json.Resources).find(
      (id) => t.json.Resources[id]!.Type === 'AWS::IAM::Role' && t.roleArn(id) === arn,
    )!;
  };

  it('the runtime role reads its own artifact object, not the assets bucket; no workload access tokens', () => {
    const statements = a.statementsOf(runtimeRole(a));
    const [, runtime] = a.only('AWS::BedrockAgentCore::Runtime');
    const s3 = (
      runtime.AgentRuntimeArtifact as { CodeConfiguration: { Code: { S3: { Bucket: string; Prefix: string } } } }
    ).CodeConfiguration.Code.S3;
    const onAssets = statements.filter((s) => JSON.stringify(s.Resource ?? '').includes('cdk-hnb659fds-assets'));
    expect(onAssets).toEqual([
      {
        Sid: 'ReadTheCodePackage',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `arn:aws:s3:::${s3.Bucket}/${s3.Prefix}`,
      },
    ]);
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions.filter((x) => /WorkloadAccessToken|^s3:List\*|^s3:GetBucket|^s3:GetObject\*$/.test(x))).toEqual([]);
    // what a fresh account's first answer needs: the AWS Marketplace subscription to the model
    expect(actions).toEqual(expect.arrayContaining([...MARKETPLACE_ACTIONS]));
    const decrypt = statements.find((s) => s.Sid === 'DecryptTheCodePackage');
    expect(decrypt?.Condition).toEqual({ StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } });
  });

  it("the worker's table grant is what Powertools idempotency uses, on that table", () => {
    const statements = a.statementsOf(a.functionRole('Worker'));
    const table = statements.filter((s) => asList(s.Action).some((x) => x.startsWith('dynamodb:')));
    expect(table).toHaveLength(1);
    expect([...asList(table[0]!.Action)].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(asList(table[0]!.Resource)).toEqual([expect.stringMatching(/IdempotencyTable/)]);
  });

  it("the public Function URL's Lambda has a reserved concurrency (default 10, a prop, or none)", () => {
    expect(DEFAULT_RECEIVER_RESERVED_CONCURRENCY).toBe(10);
    expect(a.fn('Receiver')[1].ReservedConcurrentExecutions).toBe(10);
    expect(stackWith({ receiverReservedConcurrency: 3 }).fn('Receiver')[1].ReservedConcurrentExecutions).toBe(3);
    expect(stackWith({ receiverReservedConcurrency: false }).fn('Receiver')[1]).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
    // the worker is throttled by its queue, not by a reservation
    expect(a.fn('Worker')[1]).not.toHaveProperty('ReservedConcurrentExecutions');
  }, 60_000);
});

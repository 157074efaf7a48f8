/**
 * The production stack, synthesised in-process (esbuild bundling, no Docker, no credentials), and
 * `npm run synth` as an operator runs it.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestUrlFromOutputs } from '../../bot/manifest.ts';
import { NODE_MAJOR } from '../../common/defaults.ts';
import {
  decideIamAction,
  managedPolicyNames,
  readOnlyDocuments,
  SENSITIVE_ACTIONS,
} from '../../common/policy/index.ts';
import { stackPropsFromContext } from '../../infra/context.ts';
import { ROLE_NAME_PATTERN, toolRoleNameFor } from '../../infra/deploy-names.ts';
import {
  AwsAskStack,
  FUNCTION_MEMORY_MB,
  functionLogGroupName,
  LOG_GROUP_SUFFIXES,
  WORKER_MEMORY_MB,
} from '../../infra/stack.ts';
import { DEPLOYED_PROPS, logicalIdOf, STACK_NAME, synthesize } from '../helpers/template.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEV = 'arn:aws:iam::123456789012:role/developer';
let stack: AwsAskStack;
let t: Template;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every statement of the policies attached to a role (by the role's logical id). */
function statementsOf(roleLogicalId: string): Statement[] {
  const policies = t.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) =>
      JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(`"${roleLogicalId}"`),
    )
    .flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
}

const logicalId = (s: Stack, c: { node: { defaultChild?: unknown } }) => s.getLogicalId(c.node.defaultChild as never);

beforeAll(() => {
  const app = new App();
  stack = new AwsAskStack(app, 'AwsAskTest', {
    localPrincipalArns: [DEV],
    allowedChannelIds: ['C0OPS'],
    regions: ['eu-west-1', 'us-east-1'],
  });
  t = Template.fromStack(stack);
}, 120_000);

describe('the tool role', () => {
  it('carries the generated allow and deny policies, ReadOnlyAccess only as its permissions boundary', async () => {
    const roles = t.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('read-only tool role') },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    const role = Object.values(roles)[0] as {
      Properties: { ManagedPolicyArns: { Ref: string }[]; PermissionsBoundary: unknown; Policies?: unknown };
    };
    expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(':iam::aws:policy/ReadOnlyAccess');
    expect(role.Properties.Policies).toBeUndefined();
    const attached = role.Properties.ManagedPolicyArns.map((a) => a.Ref);
    expect(attached).toEqual(stack.toolRole.sessionPolicies.map((p) => logicalId(stack, p as never)));
    const managed = t.findResources('AWS::IAM::ManagedPolicy');
    const statements = attached.flatMap(
      (id) =>
        (managed[id] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
          .Statement,
    );
    const expected = await readOnlyDocuments();
    // the sensitive list may be split across statements (AwsAskDenySensitiveReadsA, …B) to fit the size limit
    const deny = statements.filter((s) => s.Sid?.startsWith('AwsAskDenySensitiveReads'));
    expect(deny.map((s) => s.Effect)).toEqual(deny.map(() => 'Deny'));
    expect(deny.flatMap((s) => asList(s.Action))).toEqual([...SENSITIVE_ACTIONS]);
    const allowActions = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));
    expect(allowActions).toEqual(expected.allow.flatMap((d) => d.Statement.flatMap((s) => s.Action)));
    expect(allowActions).not.toContain('*');
  });

  it('hands the same policies to the runtime as the session policies, and names them in an output', () => {
    const runtime = Object.values(t.findResources('AWS::BedrockAgentCore::Runtime'))[0] as {
      Properties: { EnvironmentVariables: Record<string, unknown> };
    };
    const arns = JSON.stringify(runtime.Properties.EnvironmentVariables.TOOL_SESSION_POLICY_ARNS);
    for (const p of stack.toolRole.sessionPolicies) expect(arns).toContain(logicalId(stack, p as never));
    expect(JSON.stringify(t.findOutputs('ToolSessionPolicyArns'))).toContain(
      logicalId(stack, stack.toolRole.sessionPolicies[0] as never),
    );
  });

  it("adds context denyActions to the deny policy and the runtime's environment (showEnvValues too)", () => {
    const withDeny = new AwsAskStack(new App(), 'AwsAskDeny', {
      denyActions: ['logs:GetLogEvents', 'lambda:GetFunction'],
      showEnvValues: ['LOG_LEVEL', 'FEATURE_*'],
    });
    const tt = Template.fromStack(withDeny);
    const docs = JSON.stringify(tt.findResources('AWS::IAM::ManagedPolicy'));
    expect(docs).toContain('"Sid":"AwsAskDenyOperatorChoice"');
    expect(docs).toContain('"Action":["logs:GetLogEvents","lambda:GetFunction"]');
    tt.hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      EnvironmentVariables: Match.objectLike({
        AWS_ASK_DENY_ACTIONS: 'logs:GetLogEvents,lambda:GetFunction',
        AWS_ASK_SHOW_ENV_VALUES: 'LOG_LEVEL,FEATURE_*',
      }),
    });
  }, 120_000);

  it("is trusted by the runtime's execution role and the named developer, not the account root", () => {
    const role = Object.values(
      t.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('read-only tool role') } }),
    )[0] as { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } } };
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    const principals = JSON.stringify(trust.map((s) => (s as unknown as { Principal: unknown }).Principal));
    expect(principals).toContain(logicalId(stack, stack.runtimeRole as never));
    expect(principals).toContain(DEV);
    expect(principals).not.toMatch(/:root/);
    expect(trust.some((s) => asList(s.Action).includes('sts:SetSourceIdentity'))).toBe(true);
  });
});

describe('the AgentCore runtime', () => {
  it('runs the Node.js code package with the tool role, model, bucket and regions in its environment', () => {
    t.hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      AgentRuntimeName: 'AwsAskTest',
      RoleArn: { 'Fn::GetAtt': [logicalId(stack, stack.runtimeRole as never), 'Arn'] },
      AgentRuntimeArtifact: { CodeConfiguration: { Runtime: `NODE_${NODE_MAJOR}`, EntryPoint: ['server.js'] } },
      EnvironmentVariables: {
        MODEL_ID: 'global.anthropic.claude-sonnet-4-6',
        TOOL_ROLE_ARN: { 'Fn::GetAtt': [logicalId(stack, stack.toolRole.role as never), 'Arn'] },
        SESSION_BUCKET: { Ref: logicalId(stack, stack.sessionBucket as never) },
        AWS_ASK_REGIONS: 'eu-west-1,us-east-1',
      },
      LifecycleConfiguration: { IdleRuntimeSessionTimeout: 900, MaxLifetime: 28800 },
    });
  });

  it('execution role: no * writes but telemetry and the model subscription; only what the agent uses', async () => {
    const statements = statementsOf(logicalId(stack, stack.runtimeRole as never)).filter((s) => s.Effect === 'Allow');
    const telemetry = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'cloudwatch:PutMetricData',
      // no resource type: the first call to a third-party model subscribes to it through AWS Marketplace
      'aws-marketplace:Subscribe',
      'aws-marketplace:Unsubscribe',
    ]);
    for (const s of statements) {
      for (const action of asList(s.Action)) {
        expect(action, JSON.stringify(s)).not.toMatch(/^\*$|:\*$/);
        const d = await decideIamAction(action);
        if (s.Resource === '*' && d.accessLevel !== 'List' && d.accessLevel !== 'Read')
          expect(telemetry.has(action), `${action} on *`).toBe(true);
      }
    }
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(asList(bySid('InvokeTheModel').Action)).toEqual([
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
    ]);
    expect(JSON.stringify(bySid('InvokeTheModel').Resource)).toMatch(
      /foundation-model\/anthropic\.claude-sonnet-4-6.*inference-profile\/global\.anthropic\.claude-sonnet-4-6/,
    );
    expect(bySid('AssumeTheReadOnlyToolRole')).toMatchObject({
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Resource: { 'Fn::GetAtt': [logicalId(stack, stack.toolRole.role as never), 'Arn'] },
    });
    expect(JSON.stringify(bySid('KeepConversations').Resource)).toContain('/sessions/*');
    expect(bySid('SubscribeToTheModelOnFirstUse')).toMatchObject({
      Action: 'aws-marketplace:Subscribe',
      Resource: '*',
    });
    expect(bySid('ModelSubscriptions')).toMatchObject({
      Action: ['aws-marketplace:Unsubscribe', 'aws-marketplace:ViewSubscriptions'],
    });
    // the construct's own grants are gone: no workload access tokens, no listing of the assets bucket
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions.filter((a) => /WorkloadAccessToken/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^s3:(List|GetBucket)/.test(a) && a !== 's3:ListBucket')).toEqual([]);
  });

  it("with the model's Marketplace product ids, the runtime may subscribe to those products only", () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } }); // roles only: skip the Lambdas' esbuild
    const c = new AwsAskStack(app, 'AwsAskProducts', { marketplaceProductIds: ['prod-example1'] });
    const role = c.getLogicalId(c.runtimeRole.node.defaultChild as never);
    const policies = Template.fromStack(c).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies)
      .filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(role))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
      );
    expect(statements.find((s) => s.Sid === 'SubscribeToTheModelOnFirstUse')).toMatchObject({
      Condition: { StringEquals: { 'aws-marketplace:ProductId': ['prod-example1'] } },
    });
  });

  it('-c agentArtifact=container synthesises the arm64 image instead (built by Docker only at deploy)', () => {
    const c = Template.fromStack(new AwsAskStack(new App(), 'AwsAskContainer', { agentArtifact: 'container' }));
    const rt = Object.values(c.findResources('AWS::BedrockAgentCore::Runtime'))[0] as {
      Properties: { AgentRuntimeArtifact: Record<string, unknown> };
    };
    expect(Object.keys(rt.Properties.AgentRuntimeArtifact)).toEqual(['ContainerConfiguration']);
    expect(JSON.stringify(rt.Properties.AgentRuntimeArtifact)).toMatch(/container-assets/);
  }, 60_000);

  it('is made to require MMDSv2 by a custom resource that runs again on every runtime version', () => {
    t.hasResourceProperties('Custom::AgentCoreRequireMmdsV2', {
      RuntimeId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AgentRuntime'), 'AgentRuntimeId'] },
      RuntimeVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('AgentRuntime'), 'AgentRuntimeVersion'] },
    });
    const handler = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('RequireMmdsV2Handler'),
    )!;
    const role = (handler[1] as { Properties: { Role: { 'Fn::GetAtt': string[] } } }).Properties.Role['Fn::GetAtt'][0]!;
    const actions = statementsOf(role).flatMap((s) => asList(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'bedrock-agentcore:GetAgentRuntime',
        'bedrock-agentcore:UpdateAgentRuntime',
        'iam:PassRole',
        's3:GetObject',
        's3:GetObjectVersion',
        'kms:Decrypt',
      ]),
    );
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Timeout: 14 * 60 });
  });
});

describe('the Slack side', () => {
  const fn = (prefix: string) =>
    Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))! as [
      string,
      {
        Properties: Record<string, unknown> & {
          Role: { 'Fn::GetAtt': string[] };
          Environment: { Variables: Record<string, unknown> };
        };
      },
    ];

  it('the receiver: Node.js on ARM64, behind a Function URL; it can only send to the queue and read its secret', () => {
    const [, receiver] = fn('Receiver');
    expect(receiver.Properties).toMatchObject({
      Runtime: `nodejs${NODE_MAJOR}.x`,
      Architectures: ['arm64'],
      Handler: 'index.receiverHandler',
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 10,
    });
    expect(receiver.Properties.Environment.Variables).toMatchObject({
      ALLOWED_CHANNEL_IDS: 'C0OPS',
      QUEUE_URL: { Ref: expect.stringMatching(/^JobQueue/) },
      // shown on the Home tab
      AWS_ASK_REGIONS: 'eu-west-1,us-east-1',
    });
    t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    const actions = new Set(statementsOf(receiver.Properties.Role['Fn::GetAtt'][0]!).flatMap((s) => asList(s.Action)));
    expect([...actions].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('the worker can only invoke this runtime (arn and arn/*), besides its queue, table and secret', () => {
    const [, worker] = fn('Worker');
    const statements = statementsOf(worker.Properties.Role['Fn::GetAtt'][0]!);
    const agentcore = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('bedrock-agentcore:')));
    expect(agentcore).toHaveLength(1);
    expect(agentcore[0]).toMatchObject({ Action: 'bedrock-agentcore:InvokeAgentRuntime' });
    expect(JSON.stringify(agentcore[0]!.Resource)).toMatch(
      new RegExp(
        'AgentRuntime[0-9A-F]+","AgentRuntimeArn"\\]\\},\\{"Fn::Join":\\["",\\[' +
          '\\{"Fn::GetAtt":\\["AgentRuntime[0-9A-F]+","AgentRuntimeArn"\\]\\},"\\/\\*"\\]\\]\\}',
      ),
    );
    const services = new Set(statements.flatMap((s) => asList(s.Action)).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['bedrock-agentcore', 'dynamodb', 'logs', 'secretsmanager', 'sqs', 'xray']);
    // Powertools idempotency reads and writes single items: no Scan, BatchWrite, Query or stream reads
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]);
    expect(worker.Properties.Environment.Variables).toMatchObject({
      MAX_RECEIVE_COUNT: '3',
      AGENT_RUNTIME_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^AgentRuntime/), 'AgentRuntimeArn'] },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the queue is FIFO, encrypted, with a FIFO dead-letter queue after 3 tries, and an alarm on it', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        maxReceiveCount: 3,
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] },
      },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('the session bucket is private, encrypted, TLS-only, and forgets old conversations', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('outputs the Slack request URL, the runtime ARN, the tool role, the secret to fill and the log groups', () => {
    for (const o of [
      'ReceiverLogGroup',
      'WorkerLogGroup',
      'SlackRequestUrl',
      'RuntimeArn',
      'RuntimeName',
      'ToolRoleArn',
      'SlackSecretArn',
      'DeadLetterQueueUrl',
      'RuntimeRequiresMmdsV2',
    ])
      t.hasOutput(o, {});
  });
});

describe('state that outlives a deploy', () => {
  it('the session bucket is kept on stack deletion and replacement, but not when its creation rolls back', () => {
    const buckets = t.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toEqual([logicalId(stack, stack.sessionBucket)]);
    // RETAIN_ON_UPDATE_OR_DELETE: a failed first deploy leaves no bucket behind
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });
});

describe("the functions' logs, memory and roles", () => {
  type Fn = { Properties: { LoggingConfig?: { LogGroup?: { Ref: string } }; Role: { 'Fn::GetAtt': string[] } } };
  const functions = () => Object.entries(t.findResources('AWS::Lambda::Function')) as [string, Fn][];
  const logGroupName = (fn: Fn) => {
    const id = fn.Properties.LoggingConfig?.LogGroup?.Ref ?? '';
    return (t.toJSON().Resources[id] as { Properties?: { LogGroupName?: string } } | undefined)?.Properties
      ?.LogGroupName;
  };

  it('each function logs to its own log group, named from the stack name, and outputs the two to read', () => {
    const names = Object.fromEntries(functions().map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), logGroupName(fn)]));
    const name = (suffix: string) => functionLogGroupName('AwsAskTest', suffix);
    expect(names).toEqual({
      Receiver: name(LOG_GROUP_SUFFIXES.receiver),
      Worker: name(LOG_GROUP_SUFFIXES.worker),
      RequireMmdsV2Handler: name(LOG_GROUP_SUFFIXES.mmds),
      RequireMmdsV2ProviderframeworkonEvent: name(LOG_GROUP_SUFFIXES.mmdsProvider),
    });
    expect(name('receiver')).toBe('/aws/lambda/AwsAskTest-receiver');
    t.hasOutput('ReceiverLogGroup', { Value: '/aws/lambda/AwsAskTest-receiver' });
    t.hasOutput('WorkerLogGroup', { Value: '/aws/lambda/AwsAskTest-worker' });
  });

  it("no two stacks' log group names meet: no '-<suffix>' ends with another (stack names are unique)", () => {
    // <stack a>-<x> = <stack b>-<y> with x ≠ y needs "-x" to end with "-y" or the other way round
    expect(functionLogGroupName('a-b', 'c')).toBe('/aws/lambda/a-b-c');
    const suffixes = Object.values(LOG_GROUP_SUFFIXES).map((s) => `-${s}`);
    for (const a of suffixes) for (const b of suffixes) if (a !== b) expect(a.endsWith(b), `${a} / ${b}`).toBe(false);
  });

  it('each role writes to its own log group only; no AWS managed policy (AWSLambdaBasicExecutionRole)', () => {
    const roles = t.toJSON().Resources as Record<string, { Properties?: { ManagedPolicyArns?: unknown } }>;
    for (const [id, fn] of functions()) {
      const role = fn.Properties.Role['Fn::GetAtt'][0]!;
      expect(roles[role]?.Properties?.ManagedPolicyArns, id).toBeUndefined();
      const logs = statementsOf(role).filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs, id).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig?.LogGroup?.Ref, 'Arn'] },
        },
      ]);
    }
  });

  it('memory is an explicit option: the worker 512 MB, the receiver and the MMDSv2 handler 1024 MB', () => {
    const memory = Object.fromEntries(
      functions().map(([id, fn]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        (fn.Properties as { MemorySize?: number }).MemorySize,
      ]),
    );
    expect([WORKER_MEMORY_MB, FUNCTION_MEMORY_MB]).toEqual([512, 1024]);
    expect(memory).toMatchObject({
      Worker: WORKER_MEMORY_MB,
      Receiver: FUNCTION_MEMORY_MB,
      RequireMmdsV2Handler: FUNCTION_MEMORY_MB,
    });
  });
});

describe('checks and settings', () => {
  it('cdk-nag AwsSolutions reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('reads and checks its CDK context', () => {
    const ctx = (o: Record<string, unknown>) => stackPropsFromContext((k) => o[k]);
    expect(ctx({})).toMatchObject({
      stackName: 'aws-ask',
      props: { agentArtifact: 'code', regions: [], allowedUserIds: [] },
    });
    expect(
      ctx({
        stackName: 'ask-prod',
        regions: 'eu-west-1, us-east-1',
        modelId: 'eu.anthropic.claude-sonnet-4-6',
        sessionRetentionDays: '7',
      }),
    ).toMatchObject({
      stackName: 'ask-prod',
      props: {
        regions: ['eu-west-1', 'us-east-1'],
        modelId: 'eu.anthropic.claude-sonnet-4-6',
        sessionRetentionDays: 7,
      },
    });
    expect(() => ctx({ agentArtifact: 'zip' })).toThrow(/agentArtifact must be code or container/);
    expect(() => ctx({ sessionRetentionDays: 'forever' })).toThrow(/sessionRetentionDays/);
    expect(() => ctx({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
    expect(ctx({ denyActions: 'logs:GetLogEvents, lambda:GetFunction*' }).props.denyActions).toEqual([
      'logs:GetLogEvents',
      'lambda:GetFunction*',
    ]);
    expect(() => ctx({ denyActions: 'GetLogEvents' })).toThrow(/context denyActions has "GetLogEvents": each item/);
    expect(() => new AwsAskStack(new App(), 'Bad', { localPrincipalArns: ['me'] })).toThrow(
      /not an IAM user or role ARN/,
    );
  });

  it("npm run manifest takes the request URL from the deploy's outputs file", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aws-ask-out-')), 'cdk-outputs.json');
    expect(requestUrlFromOutputs(file)).toBeUndefined();
    writeFileSync(
      file,
      JSON.stringify({ 'aws-ask': { RuntimeArn: 'x', SlackRequestUrl: 'https://abc.lambda-url.eu-west-1.on.aws/' } }),
    );
    expect(requestUrlFromOutputs(file)).toBe('https://abc.lambda-url.eu-west-1.on.aws/');
  });
});

describe('npm run synth', () => {
  interface Synthesized {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  }
  /** `npm run synth` as an operator runs it: offline, without Docker or credentials. */
  async function synth(...args: string[]): Promise<{ out: string; code: number | null; err: string }> {
    const out = mkdtempSync(join(tmpdir(), 'aws-ask-cdk-'));
    const r = await new Promise<{ code: number | null; err: string }>((ok) => {
      const child = spawn('npm', ['run', '-s', 'synth', '--', '--output', out, ...args], {
        cwd: root,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: '',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => ok({ code, err }));
    });
    return { out, ...r };
  }
  const runtimeOf = (template: Synthesized) =>
    Object.values(template.Resources).find((x) => x.Type === 'AWS::BedrockAgentCore::Runtime')!.Properties;
  const read = (dir: string, stackName: string) =>
    JSON.parse(readFileSync(join(dir, `${stackName}.template.json`), 'utf8')) as Synthesized;
  let defaultRuntimeName: unknown;

  it('synthesises offline, without Docker or credentials, with cdk-nag passing', async () => {
    const r = await synth();
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(r.out, 'aws-ask.template.json'))).toBe(true);
    defaultRuntimeName = runtimeOf(read(r.out, 'aws-ask')).AgentRuntimeName;
    expect(defaultRuntimeName).toBe('aws_ask');
  }, 180_000);

  it('-c stackName=second names another runtime, and trusts only that one', async () => {
    const r = await synth('-c', 'stackName=second');
    expect(r.code, r.err).toBe(0);
    const template = read(r.out, 'second');
    const runtime = runtimeOf(template);
    expect(runtime.AgentRuntimeName).toBe('second');
    expect(runtime.AgentRuntimeName).not.toBe(defaultRuntimeName ?? 'aws_ask');
    const roleId = (runtime.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    expect(JSON.stringify(template.Resources[roleId]!.Properties.AssumeRolePolicyDocument)).toMatch(
      /:runtime\/second-\*"/,
    );
  }, 180_000);
});

describe("many accounts: the hub's side", () => {
  const { stack: hub, template } = synthesize();
  const ht = Template.fromJSON(template as never);
  const ctx = (o: Record<string, unknown>) => stackPropsFromContext((k) => o[k]);

  it('names the tool role <stack>-tool and its policies <role>-allow-<n>, <role>-deny-<n>', async () => {
    expect(hub.toolRoleName).toBe(toolRoleNameFor(STACK_NAME));
    expect(hub.toolRoleName).toBe(`${STACK_NAME}-tool`);
    ht.hasResourceProperties('AWS::IAM::Role', { RoleName: hub.toolRoleName });
    const names = Object.values(ht.findResources('AWS::IAM::ManagedPolicy')).map(
      (p) => (p as { Properties: { ManagedPolicyName: string } }).Properties.ManagedPolicyName,
    );
    expect(names).toEqual(managedPolicyNames(hub.toolRoleName, await readOnlyDocuments()));
  });

  it('gives the runtime TOOL_ROLE_NAME, AWS_ASK_ACCOUNTS and AWS_ASK_SCOPES, the Lambdas AWS_ASK_SCOPES', () => {
    const scopes = DEPLOYED_PROPS.scopes;
    ht.hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      EnvironmentVariables: Match.objectLike({
        TOOL_ROLE_NAME: hub.toolRoleName,
        AWS_ASK_ACCOUNTS: 'prod=111111111111,staging=222222222222',
        AWS_ASK_SCOPES: scopes,
      }),
    });
    for (const fn of [hub.receiver, hub.worker]) {
      const env = template.Resources[logicalIdOf(hub, fn)]?.Properties?.Environment as
        | { Variables?: object }
        | undefined;
      const vars = env?.Variables;
      expect(vars).toMatchObject({ AWS_ASK_SCOPES: scopes });
      expect(vars).not.toHaveProperty('AWS_ASK_ACCOUNTS');
    }
  });

  it('outputs what a member account needs: ToolRoleName and RuntimeRoleArn', () => {
    expect(ht.findOutputs('ToolRoleName').ToolRoleName?.Value).toBe(hub.toolRoleName);
    expect(JSON.stringify(ht.findOutputs('RuntimeRoleArn'))).toContain(logicalIdOf(hub, hub.runtimeRole));
  });

  it('toolRoleNameFor: <stack>-tool, cut with a hash when longer than a role name may be', () => {
    expect(toolRoleNameFor('aws-ask')).toBe('aws-ask-tool');
    const long = `a${'b'.repeat(120)}`;
    const name = toolRoleNameFor(long);
    expect(name).toMatch(ROLE_NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).not.toBe(toolRoleNameFor(`${long}c`));
    expect(name).toBe(toolRoleNameFor(long));
  });

  it('reads and checks context toolRoleName, accounts, organizationId and scopes', () => {
    expect(ctx({}).props.toolRoleName).toBe('aws-ask-tool');
    expect(ctx({ stackName: 'ask-prod' }).props.toolRoleName).toBe('ask-prod-tool');
    expect(ctx({ toolRoleName: 'ReadOnlyBot' }).props.toolRoleName).toBe('ReadOnlyBot');
    expect(() => ctx({ toolRoleName: 'a/b' })).toThrow(/toolRoleName "a\/b" is not an IAM role name/);
    expect(ctx({ accounts: 'prod=111111111111, staging=222222222222' }).props.accounts).toEqual({
      kind: 'list',
      accounts: [
        { alias: 'prod', id: '111111111111' },
        { alias: 'staging', id: '222222222222' },
      ],
    });
    expect(ctx({ accounts: 'organization:ou-abcd-11111111', organizationId: 'o-abcd123456' }).props).toMatchObject({
      accounts: { kind: 'organization', parents: ['ou-abcd-11111111'] },
      organizationId: 'o-abcd123456',
    });
    expect(() => ctx({ accounts: 'organization' })).toThrow(/organizationId is not set/);
    expect(() => ctx({ accounts: 'organization', organizationId: 'abc' })).toThrow(/not an organization id/);
    expect(() => ctx({ accounts: 'organization:ou-x' })).toThrow(/accounts has "ou-x": after organization: list OU/);
    expect(() => ctx({ accounts: 'prod=1111' })).toThrow(/accounts has "prod=1111": write alias=account-id/);
    expect(() => ctx({ accounts: 'all=111111111111' })).toThrow(/"all" is a reserved word/);
    expect(() => ctx({ accounts: 'a=111111111111,b=111111111111' })).toThrow(/names the account 111111111111 twice/);
    expect(() => ctx({ accounts: ',' })).toThrow(/context accounts names no account/);
    expect(ctx({ scopes: '{"channels":{}}' }).props.scopes).toBe('{"channels":{}}');
    expect(ctx({ scopes: { channels: {} } }).props.scopes).toBe('{"channels":{}}');
    expect(() => ctx({ scopes: '[1]' })).toThrow(/scopes must be a JSON object/);
    expect(() => ctx({ scopes: '{oops' })).toThrow(/scopes is not JSON/);
  });

  it('accounts=organization: the role name in any account where aws:ResourceOrgID is the organization', () => {
    const org = synthesize(
      {
        ...DEPLOYED_PROPS,
        accounts: { kind: 'organization', parents: [] },
        organizationId: 'o-abcd123456',
      },
      'AwsAskOrganization',
    );
    const policies = JSON.stringify(Template.fromJSON(org.template as never).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('"Condition":{"StringEquals":{"aws:ResourceOrgID":"o-abcd123456"}}');
    expect(policies).toContain(`:iam::*:role/${org.stack.toolRoleName}"`);
    const report = new AwsSolutionsChecks(org.stack).validateScope(org.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(() => new AwsAskStack(new App(), 'NoOrg', { accounts: { kind: 'organization', parents: [] } })).toThrow(
      /organizationId/,
    );
  });
});

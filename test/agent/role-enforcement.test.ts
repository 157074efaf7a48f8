/**
 * Layer 4 holds on its own: with moto's IAM enforcement on and the policy module bypassed (no gate),
 * the tool role as the stack builds it (the generated allow and deny managed policies from
 * common/policy/) can read but cannot write or make the sensitive reads that ReadOnlyAccess would
 * otherwise allow.
 *
 * moto evaluates neither STS session policies nor permissions boundaries; what the session sends is
 * tested in controlled-use-aws.test.ts, and both layers are evaluated with iam-simulate over every
 * refused action in test/infra/read-only-layers.test.ts.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { AwsCaller, type AwsRequest } from '../../agent/tools/aws-caller.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { readOnlyDocuments, readOnlyPolicyArn } from '../../common/policy/index.ts';
import { motoConfig } from '../helpers/aws.ts';
import { ACCOUNT, seedInstances } from '../helpers/seed.ts';
import { roleMode } from '../helpers/tool-role.ts';
import { type MotoServer, startMoto } from '../services/moto.ts';

const REGION = 'us-east-1';
let moto: MotoServer;
let queueUrl: string;
const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION });

const root = (endpoint: string) => motoConfig(REGION, endpoint);

/** The tool role as deployed (generated allow and deny managed policies), or ReadOnlyAccess alone (the control). */
async function makeRole(iam: IAMClient, name: string, shape: 'deployed' | 'readonly-only'): Promise<string> {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/aws-ask-runtime` },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      },
    ],
  };
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  if (shape === 'readonly-only') {
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: readOnlyPolicyArn('aws') }));
    return role.Role!.Arn!;
  }
  const docs = await readOnlyDocuments();
  for (const [i, doc] of [...docs.allow, ...docs.deny].entries()) {
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: `${name}-${i + 1}`, PolicyDocument: JSON.stringify(doc) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy.Policy!.Arn! }));
  }
  return role.Role!.Arn!;
}

let toolRoleArn: string;
let bareRoleArn: string;

beforeAll(async () => {
  moto = await startMoto();
  const iam = new IAMClient(root(moto.url));
  toolRoleArn = await makeRole(iam, 'aws-ask-tool', 'deployed');
  bareRoleArn = await makeRole(iam, 'readonly-without-deny', 'readonly-only');
  await iam.send(new CreateUserCommand({ UserName: 'aws-ask-runtime' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'aws-ask-runtime',
      PolicyName: 'assume-tool-roles',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
            Resource: [toolRoleArn, bareRoleArn],
          },
        ],
      }),
    }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'aws-ask-runtime' }));
  await seedInstances(moto.url, REGION, 2, 'enf');
  await new SSMClient(root(moto.url)).send(
    new PutParameterCommand({ Name: '/prod/db/password', Value: 'hunter2', Type: 'SecureString' }),
  );
  await new DynamoDBClient(root(moto.url)).send(
    new CreateTableCommand({
      TableName: 'customers',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  queueUrl = (await new SQSClient(root(moto.url)).send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;

  // From here on every request must be signed by a known principal and allowed by its policies.
  await moto.enforceIam(true);
  process.env.AWS_ENDPOINT_URL = moto.url;
  process.env.AWS_ACCESS_KEY_ID = key.AccessKey!.AccessKeyId!;
  process.env.AWS_SECRET_ACCESS_KEY = key.AccessKey!.SecretAccessKey!;
});

afterAll(async () => {
  caller.close();
  await moto?.stop();
});

const req = (service: string, operation: string, parameters: Record<string, unknown> = {}): AwsRequest => ({
  service,
  operation,
  parameters,
  region: REGION,
  label: 'enforcement test',
});

/** No gate: the policy module is bypassed, only IAM decides. */
const asRole = (roleArn: string, r: AwsRequest) =>
  caller.call(r, new PinnedCredentials(roleMode(roleArn), { region: REGION }).forAsker({ teamId: 'T1', userId: 'U1' }));

describe('the tool role holds on its own (moto IAM enforcement, policy module bypassed)', () => {
  it('is enforcing: unknown credentials are rejected', async () => {
    const out = await caller.call(req('ec2', 'DescribeInstances'), {
      key: 'bogus',
      provider: async () => ({ accessKeyId: 'AKIANOTAREALKEY00000', secretAccessKey: 'nope' }),
    });
    expect(out.ok).toBe(false);
  });

  it('can read', async () => {
    const out = await asRole(toolRoleArn, req('ec2', 'DescribeInstances'));
    expect(out.ok, out.text).toBe(true);
    expect(out.text).toContain('enf-1');
    const who = await asRole(toolRoleArn, req('sts', 'GetCallerIdentity'));
    expect(who.text).toContain('assumed-role/aws-ask-tool/');
  });

  it.each([
    ['ec2', 'RunInstances', { ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }],
    ['ec2', 'CreateTags', { Resources: ['i-00000000000000000'], Tags: [{ Key: 'k', Value: 'v' }] }],
    ['iam', 'CreateUser', { UserName: 'intruder' }],
    ['iam', 'AttachRolePolicy', { RoleName: 'aws-ask-tool', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ['ssm', 'PutParameter', { Name: '/x', Value: 'y', Type: 'String' }],
    ['dynamodb', 'DeleteTable', { TableName: 'customers' }],
  ])('cannot write: %s %s is AccessDenied', async (service, operation, parameters) => {
    const out = await asRole(toolRoleArn, req(service, operation, parameters));
    expect(out.ok).toBe(false);
    expect(out.record.errorCode).toBe('AccessDenied');
    expect(out.text).toMatch(/^AccessDenied: the read-only role may not call /);
  });

  it.each([
    ['ssm', 'GetParameter', { Name: '/prod/db/password', WithDecryption: true }],
    ['dynamodb', 'Scan', { TableName: 'customers' }],
    ['sqs', 'ReceiveMessage', { QueueUrl: 'QUEUE' }],
  ])(
    'cannot make the sensitive read %s %s that ReadOnlyAccess alone allows',
    async (service, operation, parameters) => {
      const p = JSON.parse(JSON.stringify(parameters).replace('QUEUE', queueUrl)) as Record<string, unknown>;
      const withDeny = await asRole(toolRoleArn, req(service, operation, p));
      expect(withDeny.ok).toBe(false);
      expect(withDeny.record.errorCode).toBe('AccessDenied');
      expect(withDeny.text).not.toContain('hunter2');
      // the control: a role with ReadOnlyAccess alone could do it
      const without = await asRole(bareRoleArn, req(service, operation, p));
      expect(without.ok, without.text).toBe(true);
    },
  );
});

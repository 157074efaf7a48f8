/** Seeds moto with the resources the tests ask about. Every client here talks to moto directly. */

import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { motoConfig } from './aws.ts';

export const ACCOUNT = '123456789012';

const cfg = (endpoint: string, region: string) => ({ ...motoConfig(region, endpoint), forcePathStyle: true });

export const TRUST_ANYONE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    },
  ],
});

/** `count` instances, one reservation each, tagged Name=<prefix>-<i>; returns their ids. */
export async function seedInstances(
  endpoint: string,
  region: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const ec2 = new EC2Client(cfg(endpoint, region));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `${prefix}-${i}` }] }],
      }),
    );
    ids.push(out.Instances?.[0]?.InstanceId ?? '');
  }
  ec2.destroy();
  return ids;
}

export async function seedBuckets(endpoint: string, names: string[]): Promise<void> {
  const s3 = new S3Client(cfg(endpoint, 'us-east-1'));
  for (const Bucket of names) await s3.send(new CreateBucketCommand({ Bucket }));
  s3.destroy();
}

export async function seedRoles(endpoint: string, path: string, names: string[]): Promise<string[]> {
  const iam = new IAMClient(cfg(endpoint, 'us-east-1'));
  const arns: string[] = [];
  for (const RoleName of names) {
    const out = await iam.send(new CreateRoleCommand({ RoleName, Path: path, AssumeRolePolicyDocument: TRUST_ANYONE }));
    arns.push(out.Role?.Arn ?? '');
  }
  iam.destroy();
  return arns;
}

/** An empty zip archive: enough for moto to store a function. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

export async function seedFunctions(endpoint: string, region: string, roleArn: string, names: string[]): Promise<void> {
  const lambda = new LambdaClient(cfg(endpoint, region));
  for (const FunctionName of names) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName,
        Runtime: 'nodejs22.x',
        Role: roleArn,
        Handler: 'index.handler',
        Code: { ZipFile: EMPTY_ZIP },
        Environment: { Variables: { LOG_LEVEL: 'info', DB_PASSWORD: 'do-not-leak-me' } },
      }),
    );
  }
  lambda.destroy();
}

/** What the Lambda functions find deployed: the Slack secret (filled) and the idempotency table. */
export async function seedFunctionResources(
  endpoint: string,
  region: string,
  o: { secretName: string; table: string; botToken: string; signingSecret: string },
): Promise<void> {
  await new SecretsManagerClient(cfg(endpoint, region)).send(
    new CreateSecretCommand({
      Name: o.secretName,
      SecretString: JSON.stringify({ SLACK_BOT_TOKEN: o.botToken, SLACK_SIGNING_SECRET: o.signingSecret }),
    }),
  );
  await new DynamoDBClient(cfg(endpoint, region)).send(
    new CreateTableCommand({
      TableName: o.table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
}

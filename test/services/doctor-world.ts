/**
 * A deployed aws-ask as `npm run doctor` sees it, every part a stand-in: moto (STS, SSM's bootstrap
 * parameter, the CloudFormation stack with its outputs and receiver function, the Slack secret, the tool
 * role), the Bedrock stand-in (Converse), the fake Slack (auth.test), the AgentCore control plane stand-in
 * (the strict one the deploy tests use, with the runtime as the stack deploys it), Lambda's concurrency
 * (GetAccountSettings, GetFunctionConcurrency), the real receiver handler behind a Function URL, and an IAM
 * policy simulator reading the role from moto. Each test changes one part to make one failure.
 */
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULT_MODEL_ID, DEFAULT_RECEIVER_RESERVED_CONCURRENCY } from '../../common/defaults.ts';
import { denyStatements, readOnlyPolicyArn } from '../../common/policy/index.ts';
import { BOOTSTRAP_VERSION_PARAMETER } from '../../doctor/checks/bootstrap.ts';
import { motoConfig } from '../helpers/aws.ts';
import { ACCOUNT, TRUST_ANYONE } from '../helpers/seed.ts';
import { type FunctionUrl, startFunctionUrl, type UrlHandler } from './doctor-function-url.ts';
import { type IamSimulator, startIamSimulator } from './doctor-iam-simulator.ts';
import { type DoctorLambdaSettings, startDoctorLambdaSettings } from './doctor-lambda-settings.ts';
import {
  type CallerIdentity,
  type FakeControlPlane,
  type FakeRuntime,
  startFakeControlPlane,
} from './fake-agentcore-control.ts';
import { type BedrockTurn, type ConverseRequest, type FakeBedrock, startFakeBedrock } from './fake-bedrock.ts';
import { BOT_TOKEN, FakeSlack, SIGNING_SECRET } from './fake-slack.ts';

/** The receiver function's logical id in the synthesized template (a test holds the two together). */
export const RECEIVER_LOGICAL_ID = 'ReceiverC61A5DC1';

/** Who runs the doctor: an administrator, as the README asks. */
export const ADMINISTRATOR: CallerIdentity = {
  principal: `arn:aws:iam::${ACCOUNT}:user/doctor`,
  policies: [
    {
      name: 'AdministratorAccess',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    },
  ],
};

/** A caller with no policy: every AgentCore call is denied. */
export const NOBODY: CallerIdentity = { principal: `arn:aws:iam::${ACCOUNT}:user/nobody`, policies: [] };

export interface DoctorWorldOptions {
  /** Keep it apart from other suites': moto is shared by the whole run. */
  readonly region: string;
  readonly stackName: string;
  /** Unique in the run (IAM is global). */
  readonly roleName: string;
  readonly runtimeId?: string;
}

export interface DoctorWorld {
  readonly region: string;
  readonly stackName: string;
  readonly runtimeId: string;
  readonly secretArn: string;
  readonly toolRoleArn: string;
  /** The stack's outputs, as CloudFormation has them. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly bedrock: FakeBedrock;
  /** What the model answers; replace it to script an error. */
  answer: (req: ConverseRequest) => BedrockTurn;
  readonly slack: FakeSlack;
  /** The AgentCore control plane; its `caller` is the doctor's identity (ADMINISTRATOR). */
  readonly control: FakeControlPlane;
  /** The deployed runtime: its status, failureReason and config (environmentVariables, metadataConfiguration). */
  readonly runtime: FakeRuntime;
  /** Lambda's concurrency: the account's limit and each function's reservation, the receiver's among them. */
  readonly lambda: DoctorLambdaSettings;
  /** The receiver function's name, as CloudFormation named it. */
  readonly receiverName: string;
  readonly url: FunctionUrl;
  readonly iam: IamSimulator;
  /** The environment the doctor runs with: test credentials, the region, each stand-in's endpoint. */
  readonly env: Readonly<Record<string, string>>;
  setSecret(values: Record<string, string>): Promise<void>;
  /** Writes the default qualifier's bootstrap version parameter (27 at the start), or deletes it (undefined). */
  setBootstrapVersion(version: number | undefined): Promise<void>;
  /** Adds an inline policy to the tool role, or takes it away. */
  putRolePolicy(name: string, document: unknown): Promise<void>;
  deleteRolePolicy(name: string): Promise<void>;
  close(): Promise<void>;
}

const OK: BedrockTurn = { text: 'OK, ready.' };

/**
 * The stack with its outputs and the one resource of the real template the doctor looks up: the receiver
 * function (its reservation as the stack makes it). Returns the receiver's physical name.
 */
async function seedStack(
  cfn: CloudFormationClient,
  stackName: string,
  outputs: Record<string, string>,
  receiverRoleArn: string,
): Promise<string> {
  const template = {
    Resources: {
      [RECEIVER_LOGICAL_ID]: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: receiverRoleArn,
          Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' },
          ReservedConcurrentExecutions: DEFAULT_RECEIVER_RESERVED_CONCURRENCY,
        },
      },
    },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
  };
  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
  const resources = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
  const receiver = resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === RECEIVER_LOGICAL_ID);
  if (!receiver?.PhysicalResourceId) throw new Error(`moto did not create ${RECEIVER_LOGICAL_ID} in ${stackName}`);
  return receiver.PhysicalResourceId;
}

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * Starts the stand-ins and seeds moto at `motoUrl`. `receiver` is what answers behind the Function URL
 * (the real receiverHandler: it reads SLACK_SECRET_ID, QUEUE_URL and AWS_REGION from process.env, which
 * the caller sets to `secretArn` and the region before its first request).
 */
export async function startDoctorWorld(
  motoUrl: string,
  o: DoctorWorldOptions,
  receiver: UrlHandler,
): Promise<DoctorWorld> {
  const aws = motoConfig(o.region, motoUrl);
  const runtimeId = o.runtimeId ?? 'aws_ask-Doctor0001';
  const iamClient = new IAMClient(aws);
  const role = await iamClient.send(
    new CreateRoleCommand({ RoleName: o.roleName, AssumeRolePolicyDocument: TRUST_ANYONE }),
  );
  await iamClient.send(new AttachRolePolicyCommand({ RoleName: o.roleName, PolicyArn: readOnlyPolicyArn('aws') }));
  await iamClient.send(
    new PutRolePolicyCommand({
      RoleName: o.roleName,
      PolicyName: 'AwsAskDeny',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: denyStatements() }),
    }),
  );
  const sm = new SecretsManagerClient(aws);
  const secret = await sm.send(
    new CreateSecretCommand({
      Name: `${o.stackName}-slack`,
      SecretString: JSON.stringify({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    }),
  );
  const ssm = new SSMClient(aws);
  const setBootstrapVersion = async (version: number | undefined) => {
    if (version !== undefined)
      await ssm.send(
        new PutParameterCommand({
          Name: BOOTSTRAP_VERSION_PARAMETER,
          Value: String(version),
          Type: 'String',
          Overwrite: true,
        }),
      );
    else await ssm.send(new DeleteParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER })).catch(() => undefined);
  };
  await setBootstrapVersion(27);

  const receiverRole = await iamClient.send(
    new CreateRoleCommand({ RoleName: `${o.roleName}-receiver`, AssumeRolePolicyDocument: LAMBDA_TRUST }),
  );
  // the runtime as the stack deploys it (infra/stack.ts): its environment, MMDSv2 required by RequireMmdsV2
  const control = await startFakeControlPlane(
    runtimeId,
    {
      description: 'aws-ask: answers questions about this AWS account with read-only calls',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${o.stackName}-runtime`,
      networkConfiguration: { networkMode: 'PUBLIC' },
      environmentVariables: { AWS_REGION: o.region, MODEL_ID: DEFAULT_MODEL_ID },
      metadataConfiguration: { requireMMDSV2: true },
    },
    { caller: ADMINISTRATOR, region: o.region },
  );
  const url = await startFunctionUrl(receiver);
  const iam = await startIamSimulator(motoUrl);
  const lambda = await startDoctorLambdaSettings();
  const slack = await FakeSlack.start();
  let answer = (_req: ConverseRequest): BedrockTurn => OK;
  const bedrock = await startFakeBedrock((req) => answer(req));

  const outputs = {
    SlackRequestUrl: url.url,
    RuntimeArn: `arn:aws:bedrock-agentcore:${o.region}:${ACCOUNT}:runtime/${runtimeId}`,
    ToolRoleArn: role.Role?.Arn ?? '',
    SlackSecretArn: secret.ARN ?? '',
    DeadLetterQueueUrl: `https://sqs.${o.region}.amazonaws.com/${ACCOUNT}/aws-ask-dlq.fifo`,
    RuntimeRequiresMmdsV2: 'true',
  };
  const cfn = new CloudFormationClient(aws);
  const receiverName = await seedStack(cfn, o.stackName, outputs, receiverRole.Role?.Arn ?? '');
  lambda.functions.set(receiverName, DEFAULT_RECEIVER_RESERVED_CONCURRENCY);

  return {
    region: o.region,
    stackName: o.stackName,
    runtimeId,
    secretArn: outputs.SlackSecretArn,
    toolRoleArn: outputs.ToolRoleArn,
    outputs,
    bedrock,
    get answer() {
      return answer;
    },
    set answer(a) {
      answer = a;
    },
    slack,
    control,
    runtime: control.runtime,
    lambda,
    receiverName,
    url,
    iam,
    env: {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: o.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ENDPOINT_URL: motoUrl,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: control.url,
      AWS_ENDPOINT_URL_IAM: iam.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      SLACK_API_URL: slack.apiUrl,
    },
    setSecret: async (values) => {
      await sm.send(
        new PutSecretValueCommand({ SecretId: outputs.SlackSecretArn, SecretString: JSON.stringify(values) }),
      );
    },
    setBootstrapVersion,
    putRolePolicy: async (name, document) => {
      await iamClient.send(
        new PutRolePolicyCommand({ RoleName: o.roleName, PolicyName: name, PolicyDocument: JSON.stringify(document) }),
      );
    },
    deleteRolePolicy: async (name) => {
      await iamClient.send(new DeleteRolePolicyCommand({ RoleName: o.roleName, PolicyName: name }));
    },
    close: async () => {
      await Promise.all([bedrock.close(), slack.close(), control.close(), lambda.close(), url.close(), iam.close()]);
      for (const c of [iamClient, sm, ssm, cfn]) c.destroy();
    },
  };
}

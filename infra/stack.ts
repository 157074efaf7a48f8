/**
 * The aws-ask stack: everything one `cdk deploy` needs.
 *
 * Slack → Function URL → receiver Lambda → SQS FIFO (+ DLQ, alarm) → worker Lambda →
 * InvokeAgentRuntime → AgentCore runtime (the agent; MMDSv2 required by a custom resource) →
 * assumes the read-only tool role → AWS APIs. Plus the Slack secret, the session bucket and the
 * worker's idempotency table. cdk-nag's AwsSolutions checks run on it (infra/app.ts); every
 * suppression here says why.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import {
  ArnFormat,
  CfnOutput,
  CustomResource,
  Duration,
  Fn,
  Lazy,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AgentCoreRuntime, Runtime as AgentRuntime, AgentRuntimeArtifact } from 'aws-cdk-lib/aws-bedrockagentcore';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { ArnPrincipal, type IPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  FunctionUrlAuthType,
  InvokeMode,
  type Function as LambdaFunction,
  Runtime as LambdaRuntime,
  RuntimeFamily,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import {
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_MODEL_ID,
  DEFAULT_RECEIVER_RESERVED_CONCURRENCY,
  NODE_MAJOR,
} from '../common/defaults.ts';
import { formatAccounts, type MemberAccounts } from './accounts.ts';
import { assumeMemberRoles } from './assume-members.ts';
import { AGENT_ENTRY, bundleAgent, ESBUILD_TARGET, esbuildDefaults, repoRoot } from './bundle.ts';
import { runtimeNameFor, toolRoleNameFor } from './deploy-names.ts';
import { checkLocalPrincipals, ToolRole } from './tool-role.ts';

export { RUNTIME_NAME_PATTERN, runtimeNameFor, toolRoleNameFor } from './deploy-names.ts';

export interface AwsAskStackProps extends StackProps {
  /**
   * The tool role's name, the same in every member account (context toolRoleName; TOOL_ROLE_NAME on the
   * runtime). Default toolRoleNameFor(stack name): `<stack name>-tool`.
   */
  readonly toolRoleName?: string;
  /**
   * The member accounts the runtime may read through their tool roles (context accounts; AWS_ASK_ACCOUNTS
   * on the runtime): named accounts, or the organization (then organizationId is required).
   */
  readonly accounts?: MemberAccounts;
  /** The organization's id (o-…): with accounts of kind organization, aws:ResourceOrgID must be it. */
  readonly organizationId?: string;
  /** Channel scopes, a JSON object as compact text (context scopes; AWS_ASK_SCOPES on the runtime and Lambdas). */
  readonly scopes?: string;
  /** Principals that may also assume the tool role (developers, for local runs). */
  readonly localPrincipalArns?: readonly string[];
  /** Bedrock model id or inference profile. */
  readonly modelId?: string;
  /** The agent as a Node.js code package (default) or the arm64 container (needs Docker at deploy). */
  readonly agentArtifact?: 'code' | 'container';
  /** Regions the agent may look in (AWS_ASK_REGIONS); default: the stack's region first, any. */
  readonly regions?: readonly string[];
  readonly allowedTeamIds?: readonly string[];
  readonly allowedChannelIds?: readonly string[];
  readonly allowedUserIds?: readonly string[];
  /** Days a conversation is kept in the session bucket. */
  readonly sessionRetentionDays?: number;
  readonly logRetention?: RetentionDays;
  /** Where the dead-letter alarm is emailed, if anywhere. */
  readonly alarmEmail?: string;
  /** Another Slack API base (GovSlack). */
  readonly slackApiUrl?: string;
  /**
   * Reserved concurrency of the receiver, the Lambda behind the public Function URL: it caps what
   * unauthenticated traffic can cost and keeps it from starving the account's other functions.
   * Default DEFAULT_RECEIVER_RESERVED_CONCURRENCY (10); `false` reserves none. Lambda keeps 100 of the
   * account's concurrency unreserved, so an account whose limit is under 110 (some new accounts) needs
   * `false` or a higher limit (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
   */
  readonly receiverReservedConcurrency?: number | false;
  /**
   * AWS Marketplace product ids of the model, if known: the runtime role may then subscribe to those
   * products only (aws-marketplace:ProductId,
   * https://docs.aws.amazon.com/bedrock/latest/userguide/model-access-product-ids.html). Without them it
   * may subscribe to any product, which the first call to a third-party model needs.
   */
  readonly marketplaceProductIds?: readonly string[];
  /**
   * The operator's extra denies: IAM action patterns refused in every layer (the tool, the session,
   * the role), e.g. `logs:GetLogEvents` (context denyActions; AWS_ASK_DENY_ACTIONS on the runtime).
   */
  readonly denyActions?: readonly string[];
  /**
   * Environment variable names (globs) whose values answers may show; all others are hidden
   * (context showEnvValues; AWS_ASK_SHOW_ENV_VALUES on the runtime).
   */
  readonly showEnvValues?: readonly string[];
}

export const MAX_RECEIVE_COUNT = DEFAULT_MAX_RECEIVE_COUNT;
export const WORKER_TIMEOUT = Duration.minutes(6);
/**
 * "set the source queue's visibility timeout to at least six times the configuration timeout on your
 * function", so Lambda can retry a batch it was throttled on before the message turns visible again
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html): 6 × 6 min = 36 min.
 */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * WORKER_TIMEOUT.toSeconds());
/** The MMDSv2 custom resource's Lambda; the handler's one deadline for both waits ends before it. */
export const MMDS_HANDLER_TIMEOUT = Duration.minutes(14);
export { DEFAULT_RECEIVER_RESERVED_CONCURRENCY };
/**
 * What Powertools idempotency does with its table, and nothing more (no Scan, BatchWrite or stream reads):
 * https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency/#iam-permissions
 */
export const IDEMPOTENCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;
/** The actions the first call to a third-party model needs to subscribe to it through AWS Marketplace. */
export const MARKETPLACE_ACTIONS = [
  'aws-marketplace:Subscribe',
  'aws-marketplace:Unsubscribe',
  'aws-marketplace:ViewSubscriptions',
] as const;

/**
 * The Lambda runtime of NODE_MAJOR (common/defaults.ts): the CDK's fixed `nodejs<N>.x`, never
 * NODEJS_LATEST, whose version moves with the CDK.
 */
export const LAMBDA_NODE_RUNTIME = lambdaNodeRuntime(NODE_MAJOR);
/** The AgentCore runtime of the code package for NODE_MAJOR: `NODE_<N>`. */
export const AGENTCORE_NODE_RUNTIME = AgentCoreRuntime.of(`NODE_${NODE_MAJOR}`);

/** The CDK's Lambda runtime `nodejs<major>.x`; an error if this aws-cdk-lib does not know it. */
export function lambdaNodeRuntime(major: number): LambdaRuntime {
  const name = `nodejs${major}.x`;
  const runtime = LambdaRuntime.ALL.find((r) => r.name === name && r.family === RuntimeFamily.NODEJS && !r.isVariable);
  if (!runtime) throw new Error(`aws-cdk-lib has no Lambda runtime ${name} (NODE_MAJOR ${major}): update aws-cdk-lib`);
  return runtime;
}

/**
 * Memory of the receiver (more memory is more CPU, and Slack wants its ack within 3 seconds) and of the
 * MMDSv2 handler.
 */
export const FUNCTION_MEMORY_MB = 1024;
/** Memory of the worker, which mostly waits for the agent's answer. */
export const WORKER_MEMORY_MB = 512;

/**
 * The name of a function's log group, from the stack name: `/aws/lambda/<stack name>-<suffix>`. Stack
 * names are unique in an account and region, and no suffix ends with another ("-receiver", "-worker",
 * "-mmds", "-mmds-provider"), so two stacks' names never meet.
 */
export const functionLogGroupName = (stackName: string, suffix: string) => `/aws/lambda/${stackName}-${suffix}`;
export const LOG_GROUP_SUFFIXES = {
  receiver: 'receiver',
  worker: 'worker',
  mmds: 'mmds',
  mmdsProvider: 'mmds-provider',
} as const;

/** What each of the stack's functions is: its code, handler, log group, memory and timeout. */
interface FunctionOptions {
  readonly entry: string;
  readonly handler: string;
  /** Construct id prefix of its log group (`<id>Logs`) and role (`<id>Role`). */
  readonly id: string;
  /** Its log group is functionLogGroupName(stack name, logSuffix). */
  readonly logSuffix: string;
  readonly retention: RetentionDays;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly description: string;
}

let agentPackageDir: string | undefined;

/**
 * The agent's code package, bundled once per process into a directory of its own and removed at exit
 * (synth stages a copy into cdk.out). Not the shared dist/agent/: test files synthesize in parallel
 * processes, and one's rebuild would delete the files another is hashing.
 */
function agentPackage(): string {
  if (!agentPackageDir) {
    const dir = mkdtempSync(join(tmpdir(), 'aws-ask-agent-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    agentPackageDir = bundleAgent(dir).dir;
  }
  return agentPackageDir;
}

/** Bedrock resources a model id needs: the inference profile (if it is one) and its foundation model. */
export function modelResources(stack: Stack, modelId: string): string[] {
  const profile = /^(global|us|eu|apac|jp|au|ca|us-gov)\./.exec(modelId);
  const base = profile ? modelId.slice(profile[0].length) : modelId;
  const out = [`arn:${stack.partition}:bedrock:*::foundation-model/${base}`];
  if (profile) out.push(`arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${modelId}`);
  return out;
}

export class AwsAskStack extends Stack {
  readonly toolRole: ToolRole;
  /** The tool role's name: the hub's and every member account's (toolRoleNameFor unless given). */
  readonly toolRoleName: string;
  readonly runtime: AgentRuntime;
  /** The runtime's name, runtimeNameFor(stackName). */
  readonly runtimeName: string;
  /** The runtime's execution role (runtime.role is a view of it that takes no grants). */
  readonly runtimeRole: Role;
  /** The zipped agent package in the CDK assets bucket (not with agentArtifact: 'container'). */
  readonly codeAsset?: Asset;
  readonly mmdsHandler: LambdaFunction;
  readonly receiver: LambdaFunction;
  readonly worker: LambdaFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly sessionBucket: Bucket;
  readonly slackSecret: Secret;

  constructor(scope: Construct, id: string, props: AwsAskStackProps = {}) {
    super(scope, id, props);
    const locals = props.localPrincipalArns ?? [];
    checkLocalPrincipals(locals);
    const modelId = props.modelId ?? DEFAULT_MODEL_ID;
    this.toolRoleName = props.toolRoleName ?? toolRoleNameFor(this.stackName);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // ---- state: conversations, the Slack secret, the worker's idempotency records
    this.sessionBucket = new Bucket(this, 'SessionBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-old-sessions', expiration: Duration.days(props.sessionRetentionDays ?? 30) }],
      // kept on stack deletion and replacement (it may hold conversations), but not when its creation
      // rolls back (CloudFormation RetainExceptOnCreate): a failed first deploy leaves no bucket behind
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.sessionBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds agent conversation snapshots only, written by the runtime role; not public; ' +
        'CloudTrail data events can be enabled account-wide if required.',
    });

    this.slackSecret = new Secret(this, 'SlackSecret', {
      description:
        'aws-ask Slack credentials: {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}. ' +
        'Fill after deploy (see README).',
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' })),
    });
    Validations.of(this.slackSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Slack bot tokens and signing secrets are issued and rotated in Slack, not by a rotation Lambda.',
    });

    const idempotency = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ---- the agent on AgentCore Runtime
    // one runtime name per stack: names are unique in an account and region and cannot change
    this.runtimeName = runtimeNameFor(this.stackName);
    // ARNs of this stack's runtime only: a runtime id is its name, "-" and 10 characters
    // (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntimeEndpoint.html),
    // and a name has no "-", so "<name>-*" matches no other runtime's (aws_ask-* is not aws_ask_2-…)
    const thisRuntime = `${this.runtimeName}-*`;

    // The execution role is ours, not the construct's: its trust names this runtime exactly (the
    // construct's "runtime/<name>*" also matches any longer name), and it gets only the statements below.
    this.runtimeRole = new Role(this, 'RuntimeRole', {
      description: `aws-ask: execution role of the AgentCore runtime ${this.runtimeName}`,
      assumedBy: new ServicePrincipal('bedrock-agentcore.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'bedrock-agentcore',
              resource: 'runtime',
              resourceName: thisRuntime,
            }),
          },
        },
      }),
      maxSessionDuration: Duration.hours(8),
    });
    const runtimeRole = this.runtimeRole;

    let artifact: AgentRuntimeArtifact;
    if (props.agentArtifact === 'container') {
      const image = new DockerImageAsset(this, 'AgentImage', {
        directory: repoRoot,
        file: 'agent/Dockerfile',
        platform: Platform.LINUX_ARM64,
        exclude: ['node_modules', 'cdk.out', '.venv-moto', '.tools', 'dist', '.git'],
      });
      image.repository.grantPull(runtimeRole);
      artifact = AgentRuntimeArtifact.fromImageUri(image.imageUri);
    } else {
      this.codeAsset = new Asset(this, 'AgentCode', { path: agentPackage() });
      artifact = AgentRuntimeArtifact.fromS3(
        { bucketName: this.codeAsset.s3BucketName, objectKey: this.codeAsset.s3ObjectKey },
        AGENTCORE_NODE_RUNTIME,
        [AGENT_ENTRY],
      );
      for (const s of this.readCodePackage(this.codeAsset)) runtimeRole.addToPrincipalPolicy(s);
    }
    const regions = props.regions?.length ? props.regions.join(',') : undefined;
    // the tool role trusts the runtime's role, so it is made after the runtime: its ARN is filled in late
    let toolRoleArn = '';
    let sessionPolicyArns = '';
    const denyActions = props.denyActions?.length ? props.denyActions.join(',') : undefined;
    const showEnvValues = props.showEnvValues?.length ? props.showEnvValues.join(',') : undefined;
    this.runtime = new AgentRuntime(this, 'AgentRuntime', {
      runtimeName: this.runtimeName,
      // withoutPolicyUpdates: the construct's own grants (the whole assets bucket, workload access
      // tokens the agent never asks for) are dropped; the role gets exactly the statements in this file
      executionRole: runtimeRole.withoutPolicyUpdates(),
      description: 'aws-ask: answers questions about this AWS account with read-only calls',
      agentRuntimeArtifact: artifact,
      lifecycleConfiguration: { idleRuntimeSessionTimeout: Duration.minutes(15), maxLifetime: Duration.hours(8) },
      environmentVariables: {
        AWS_REGION: this.region,
        MODEL_ID: modelId,
        SESSION_BUCKET: this.sessionBucket.bucketName,
        TOOL_ROLE_ARN: Lazy.string({ produce: () => toolRoleArn }),
        TOOL_ROLE_NAME: this.toolRoleName,
        TOOL_SESSION_POLICY_ARNS: Lazy.string({ produce: () => sessionPolicyArns }),
        ...(regions ? { AWS_ASK_REGIONS: regions } : {}),
        ...(props.accounts ? { AWS_ASK_ACCOUNTS: formatAccounts(props.accounts) } : {}),
        ...(props.scopes ? { AWS_ASK_SCOPES: props.scopes } : {}),
        ...(denyActions ? { AWS_ASK_DENY_ACTIONS: denyActions } : {}),
        ...(showEnvValues ? { AWS_ASK_SHOW_ENV_VALUES: showEnvValues } : {}),
      },
    });
    // the runtime starts only once its role has its policies
    this.runtime.node.addDependency(runtimeRole);

    // the tool role trusts the runtime's execution role (and named developers), nobody else
    const trusted: IPrincipal[] = [runtimeRole, ...locals.map((a) => new ArnPrincipal(a))];
    this.toolRole = new ToolRole(this, 'ToolRole', {
      trustedBy: trusted,
      roleName: this.toolRoleName,
      ...(props.denyActions ? { denyActions: props.denyActions } : {}),
    });
    toolRoleArn = this.toolRole.role.roleArn;
    sessionPolicyArns = Fn.join(
      ',',
      this.toolRole.sessionPolicies.map((p) => p.managedPolicyArn),
    );

    // What AgentCore Runtime needs of the execution role, as documented
    // (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html), with the
    // log groups narrowed to this runtime's (/aws/bedrock-agentcore/runtimes/<runtime id>-<endpoint>, as
    // the CDK construct names them). Not its GetWorkloadAccessToken*: the service gets workload access
    // tokens through its own service-linked role, AWSServiceRoleForBedrockAgentCoreRuntimeIdentity
    // (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/service-linked-roles.html), and the
    // agent calls no AgentCore Identity API.
    const logGroups = `/aws/bedrock-agentcore/runtimes/${thisRuntime}`;
    const logs = (name: string) =>
      this.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RuntimeLogGroups',
        actions: ['logs:DescribeLogStreams', 'logs:CreateLogGroup'],
        resources: [logs(logGroups)],
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'DescribeLogGroups', actions: ['logs:DescribeLogGroups'], resources: [logs('*')] }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RuntimeLogStreams',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logs(`${logGroups}:log-stream:*`)],
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'Traces',
        actions: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        resources: ['*'],
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'Metrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'bedrock-agentcore' } },
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeTheModel',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: modelResources(this, modelId),
      }),
    );
    // The first call to a third-party model in an account subscribes to it through AWS Marketplace, as the
    // calling role: without these every answer of a fresh account fails with AccessDeniedException
    // (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html). Only Subscribe has a
    // condition key, aws-marketplace:ProductId
    // (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access-permissions.html); none of the
    // three has a resource type, hence "*".
    const products = props.marketplaceProductIds ?? [];
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SubscribeToTheModelOnFirstUse',
        actions: ['aws-marketplace:Subscribe'],
        resources: ['*'],
        ...(products.length ? { conditions: { StringEquals: { 'aws-marketplace:ProductId': [...products] } } } : {}),
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ModelSubscriptions',
        actions: ['aws-marketplace:Unsubscribe', 'aws-marketplace:ViewSubscriptions'],
        resources: ['*'],
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeTheReadOnlyToolRole',
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: [this.toolRole.role.roleArn],
      }),
    );
    // the member accounts' tool roles (infra/member-stack.ts), the same name in each
    if (props.accounts)
      runtimeRole.addToPrincipalPolicy(
        assumeMemberRoles(this, this.toolRoleName, props.accounts, props.organizationId),
      );
    // conversations only: objects under sessions/, and listing that prefix
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'KeepConversations',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.sessionBucket.arnForObjects('sessions/*')],
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListConversations',
        actions: ['s3:ListBucket'],
        resources: [this.sessionBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['sessions/*'] } },
      }),
    );

    // MMDSv2: CloudFormation cannot set it on the runtime, so a custom resource does, after every update
    this.mmdsHandler = new NodejsFunction(
      this,
      'RequireMmdsV2Handler',
      this.functionProps({
        entry: 'infra/mmds-handler.ts',
        handler: 'onEvent',
        id: 'Mmds',
        logSuffix: LOG_GROUP_SUFFIXES.mmds,
        retention: logRetention,
        timeout: MMDS_HANDLER_TIMEOUT,
        memorySize: FUNCTION_MEMORY_MB,
        description: 'aws-ask: requires MMDSv2 on the AgentCore runtime (custom resource)',
      }),
    );
    const mmdsHandler = this.mmdsHandler;
    mmdsHandler.addToRolePolicy(
      new PolicyStatement({
        sid: 'GetAndUpdateThisRuntime',
        actions: ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
        resources: [this.runtime.agentRuntimeArn, `${this.runtime.agentRuntimeArn}/*`],
      }),
    );
    mmdsHandler.addToRolePolicy(
      new PolicyStatement({
        sid: 'PassTheRuntimeRole',
        actions: ['iam:PassRole'],
        resources: [runtimeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } },
      }),
    );
    // UpdateAgentRuntime with a zipped artifact in S3 reads it as the caller: without this the first deploy
    // rolls back (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-code-deploy-common-issues.html)
    if (this.codeAsset) for (const s of this.readCodePackage(this.codeAsset)) mmdsHandler.addToRolePolicy(s);
    // the provider framework's own function, like ours, writes to its own named log group only
    const providerLogs = this.functionLogs('MmdsProvider', LOG_GROUP_SUFFIXES.mmdsProvider, logRetention);
    const mmdsProvider = new Provider(this, 'RequireMmdsV2Provider', {
      onEventHandler: mmdsHandler,
      logGroup: providerLogs.logGroup,
      frameworkOnEventRole: providerLogs.role,
    });
    const mmds = new CustomResource(this, 'RequireMmdsV2', {
      serviceToken: mmdsProvider.serviceToken,
      resourceType: 'Custom::AgentCoreRequireMmdsV2',
      properties: { RuntimeId: this.runtime.agentRuntimeId, RuntimeVersion: this.runtime.agentRuntimeVersion ?? '' },
    });
    mmds.node.addDependency(this.runtime);

    // ---- Slack side: receiver → FIFO queue → worker
    this.deadLetters = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue.' });
    this.queue = new Queue(this, 'JobQueue', {
      fifo: true,
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const slackEnv = {
      SLACK_SECRET_ID: this.slackSecret.secretArn,
      ...(props.slackApiUrl ? { SLACK_API_URL: props.slackApiUrl } : {}),
      ...(props.allowedTeamIds?.length ? { ALLOWED_TEAM_IDS: props.allowedTeamIds.join(',') } : {}),
      ...(props.allowedChannelIds?.length ? { ALLOWED_CHANNEL_IDS: props.allowedChannelIds.join(',') } : {}),
      ...(props.allowedUserIds?.length ? { ALLOWED_USER_IDS: props.allowedUserIds.join(',') } : {}),
      // the Home tab says which regions the agent looks in
      ...(regions ? { AWS_ASK_REGIONS: regions } : {}),
      ...(props.scopes ? { AWS_ASK_SCOPES: props.scopes } : {}),
    };

    const receiverConcurrency = props.receiverReservedConcurrency ?? DEFAULT_RECEIVER_RESERVED_CONCURRENCY;
    this.receiver = new NodejsFunction(this, 'Receiver', {
      ...this.functionProps({
        entry: 'bot/lambda/receiver.ts',
        handler: 'receiverHandler',
        id: 'Receiver',
        logSuffix: LOG_GROUP_SUFFIXES.receiver,
        retention: logRetention,
        timeout: Duration.seconds(10),
        memorySize: FUNCTION_MEMORY_MB,
        description: 'aws-ask: verifies Slack requests, acks, and queues questions',
      }),
      environment: { ...slackEnv, QUEUE_URL: this.queue.queueUrl, LOG_LEVEL: 'info' },
      ...(receiverConcurrency === false ? {} : { reservedConcurrentExecutions: receiverConcurrency }),
    });
    this.slackSecret.grantRead(this.receiver);
    this.queue.grantSendMessages(this.receiver);
    const url = this.receiver.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });

    this.worker = new NodejsFunction(this, 'Worker', {
      ...this.functionProps({
        entry: 'bot/lambda/worker.ts',
        handler: 'workerHandler',
        id: 'Worker',
        logSuffix: LOG_GROUP_SUFFIXES.worker,
        retention: logRetention,
        timeout: WORKER_TIMEOUT,
        memorySize: WORKER_MEMORY_MB,
        description: 'aws-ask: answers queued questions through the AgentCore runtime',
      }),
      environment: {
        ...slackEnv,
        AGENT_RUNTIME_ARN: this.runtime.agentRuntimeArn,
        IDEMPOTENCY_TABLE: idempotency.tableName,
        MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
        ANSWER_TIMEOUT_MS: String(WORKER_TIMEOUT.minus(Duration.seconds(45)).toMilliseconds()),
        LOG_LEVEL: 'info',
      },
    });
    this.slackSecret.grantRead(this.worker);
    idempotency.grant(this.worker, ...IDEMPOTENCY_ACTIONS);
    this.worker.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeTheAgentRuntime',
        actions: ['bedrock-agentcore:InvokeAgentRuntime'],
        resources: [this.runtime.agentRuntimeArn, `${this.runtime.agentRuntimeArn}/*`],
      }),
    );
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }));

    // ---- a job nobody could answer is an alarm
    const alarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'aws-ask: a question could not be answered after retries (see the dead-letter queue and the worker logs).',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmEmail) {
      const topic = new Topic(this, 'AlarmTopic', { enforceSSL: true, masterKey: undefined });
      topic.addSubscription(new EmailSubscription(props.alarmEmail));
      alarm.addAlarmAction(new SnsAction(topic));
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'Carries only the alarm state change, no data; server-side encryption adds nothing here.',
      });
    }

    this.acknowledgeFindings(modelId, mmdsHandler);
    if (props.accounts?.kind === 'organization')
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${this.toolRoleName}]`,
        reason:
          'The read-only tool role of every account of the organization (accounts=organization): one role name, ' +
          'only where aws:ResourceOrgID is the organization, and each role trusts this runtime role only.',
      });

    new CfnOutput(this, 'SlackRequestUrl', {
      value: url.url,
      description:
        'Request URL for the Slack app (events and /aws-ask): npm run manifest writes it into slack/manifest.prod.json',
    });
    new CfnOutput(this, 'RuntimeArn', {
      value: this.runtime.agentRuntimeArn,
      description: 'AGENT_RUNTIME_ARN: the AgentCore runtime',
    });
    new CfnOutput(this, 'RuntimeName', {
      value: this.runtimeName,
      description: 'The AgentCore runtime name, derived from the stack name (one per account and region)',
    });
    new CfnOutput(this, 'ToolRoleArn', {
      value: this.toolRole.role.roleArn,
      description: 'TOOL_ROLE_ARN: the read-only role the agent assumes',
    });
    new CfnOutput(this, 'ToolRoleName', {
      value: this.toolRoleName,
      description: 'TOOL_ROLE_NAME: the tool role name every member account uses (npm run deploy:member)',
    });
    new CfnOutput(this, 'RuntimeRoleArn', {
      value: runtimeRole.roleArn,
      description: "The runtime's execution role: what member accounts' tool roles trust (hubRuntimeRoleArn)",
    });
    new CfnOutput(this, 'ToolSessionPolicyArns', {
      value: Fn.join(
        ',',
        this.toolRole.sessionPolicies.map((p) => p.managedPolicyArn),
      ),
      description: 'TOOL_SESSION_POLICY_ARNS: the read-only policies every tool session passes',
    });
    new CfnOutput(this, 'SlackSecretArn', {
      value: this.slackSecret.secretArn,
      description: 'Fill with {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.deadLetters.queueUrl,
      description: 'Questions that could not be answered',
    });
    new CfnOutput(this, 'ReceiverLogGroup', {
      value: functionLogGroupName(this.stackName, LOG_GROUP_SUFFIXES.receiver),
      description: "The receiver's logs (Slack requests, acks): aws logs tail <name> --follow",
    });
    new CfnOutput(this, 'WorkerLogGroup', {
      value: functionLogGroupName(this.stackName, LOG_GROUP_SUFFIXES.worker),
      description: "The worker's logs (one record per answer, with its ref)",
    });
    new CfnOutput(this, 'RuntimeRequiresMmdsV2', {
      value: mmds.getAttString('RequireMMDSV2'),
      description: 'Set by the RequireMmdsV2 custom resource after each runtime update',
    });
  }

  /**
   * Reading the zipped code package: that object only (s3:GetObjectVersion too, for a versioned
   * location), and kms:Decrypt through S3 for a bootstrap bucket encrypted with a customer-managed key
   * (`cdk bootstrap --bootstrap-customer-key`), whose id the stack cannot know
   * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-code-deploy-common-issues.html).
   */
  private readCodePackage(code: Asset): PolicyStatement[] {
    return [
      new PolicyStatement({
        sid: 'ReadTheCodePackage',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [code.bucket.arnForObjects(code.s3ObjectKey)],
      }),
      new PolicyStatement({
        sid: 'DecryptTheCodePackage',
        actions: ['kms:Decrypt'],
        resources: [this.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      }),
    ];
  }

  /**
   * A function's log group, named from the stack name (functionLogGroupName) and deleted with the stack,
   * and its execution role: Lambda may write to that log group and nowhere else (logs:CreateLogStream and
   * logs:PutLogEvents on arn:…:log-group:<name>:*; the group exists, so no logs:CreateLogGroup). Not
   * AWSLambdaBasicExecutionRole, which may write to every log group in the account.
   */
  private functionLogs(id: string, suffix: string, retention: RetentionDays): { logGroup: LogGroup; role: Role } {
    const name = functionLogGroupName(this.stackName, suffix);
    const logGroup = new LogGroup(this, `${id}Logs`, {
      logGroupName: name,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `aws-ask: execution role of a Lambda function that logs to ${name} only`,
    });
    logGroup.grantWrite(role);
    return { logGroup, role };
  }

  /**
   * A Node.js (NODE_MAJOR) ARM64 function bundled by esbuild (no Docker), ESM, minified, the AWS SDK
   * pinned and bundled, with its own named log group and a role that may write to that group only.
   */
  private functionProps(o: FunctionOptions) {
    const { logGroup, role } = this.functionLogs(o.id, o.logSuffix, o.retention);
    return {
      entry: join(repoRoot, o.entry),
      handler: o.handler,
      description: o.description,
      runtime: LAMBDA_NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: o.memorySize,
      timeout: o.timeout,
      tracing: Tracing.ACTIVE,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      projectRoot: repoRoot,
      logGroup,
      role,
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: false,
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        banner: (esbuildDefaults.banner as { js: string }).js,
        externalModules: [],
      },
    };
  }

  /**
   * cdk-nag findings that are intended, each acknowledged by its exact finding id with the reason
   * (cdk-nag 3 matches acknowledgments by id, up the construct tree).
   */
  private acknowledgeFindings(modelId: string, mmdsHandler: LambdaFunction): void {
    const logical = (c: Construct) => this.getLogicalId(c.node.defaultChild as CfnElement);
    const runtimeLogs = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group';
    const iam5 = (resource: string) => `AwsSolutions-IAM5[Resource::${resource}]`;
    const base = modelResources(this, modelId)[0]?.split('foundation-model/')[1];
    const thisRuntime = `/aws/bedrock-agentcore/runtimes/${this.runtimeName}-*`;
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          `Node.js ${NODE_MAJOR} is the runtime this project targets for its Lambdas and the AgentCore code ` +
          'package (one runtime for all parts, NODE_MAJOR in common/defaults.ts); moving to a newer one is a ' +
          'deliberate change.',
      },
      {
        id: iam5('*'),
        reason:
          'Actions with no resource type: X-Ray trace writes, CloudWatch metric writes (limited by a namespace ' +
          'condition), the ECR auth token (container artifact only), and the AWS Marketplace subscription the ' +
          'first call to a third-party model makes (Subscribe limited by aws-marketplace:ProductId when the ' +
          'product ids are given).',
      },
      {
        id: iam5(`${runtimeLogs}:${thisRuntime}`),
        reason: "This runtime's log groups (runtime id = name-<10 characters>), named by the service at run time.",
      },
      {
        id: iam5(`${runtimeLogs}:${thisRuntime}:log-stream:*`),
        reason: "This runtime's log streams, named by the service at run time.",
      },
      { id: iam5(`${runtimeLogs}:*`), reason: 'logs:DescribeLogGroups has no narrower resource.' },
      {
        id: iam5(`arn:<AWS::Partition>:bedrock:*::foundation-model/${base}`),
        reason:
          'An inference profile routes to the same foundation model in several regions; only that model is allowed.',
      },
      {
        id: iam5(`<${logical(this.sessionBucket)}.Arn>/sessions/*`),
        reason: 'Conversation snapshots under sessions/, named per thread at run time.',
      },
      {
        id: iam5(`<${logical(this.runtime)}.AgentRuntimeArn>/*`),
        reason:
          'InvokeAgentRuntime (worker) and Get/UpdateAgentRuntime (MMDSv2 resource) need the runtime and its ' +
          'endpoints (arn/*), as AgentCore requires.',
      },
      {
        id: iam5(`<${this.getLogicalId(mmdsHandler.node.defaultChild as CfnElement)}.Arn>:*`),
        reason: 'The custom resource provider framework invokes versions of its own handler.',
      },
      {
        id: iam5('arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*'),
        reason:
          'kms:Decrypt of the code package when the CDK bootstrap bucket uses a customer-managed key, whose id the ' +
          'stack cannot know; only through S3 in this region (kms:ViaService).',
      },
    );
  }
}

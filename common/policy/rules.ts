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
 * refused anyway. Completed from public references: the credentials-exposure and data-exfiltration
 * lists of cloudsplaining and policy_sentry (cross-checked in test/common/policy-references.test.ts)
 * and a review of every Read and List action in iam-data whose name speaks of credentials, tokens,
 * keys, contents, downloads or query results, and of every List and Read action of each service
 * the tool can call (for records, personal data, presigned URLs and side effects). Actions of
 * services the tool cannot call are listed too: the role and session layers deny them whatever
 * ReadOnlyAccess allows.
 *
 * Kept off the list on purpose, because security questions need them: bucket, key and function
 * resource policies (`s3:GetBucketPolicy`, `kms:GetKeyPolicy`, `lambda:GetPolicy`), and the IAM
 * credential report (`iam:GenerateCredentialReport`, `iam:GetCredentialReport`: which users have
 * passwords, keys and MFA, and when they were used; no credentials in it). Kept off as telemetry,
 * like log events: X-Ray traces, WAF sampled requests (headers go through the redaction net). Kept
 * off as the organisation's own directory, like IAM users: IAM Identity Center users and groups.
 */
export const SENSITIVE_RULES: readonly SensitiveRule[] = [
  {
    why: 'returns AWS credentials, tokens, or presigned (sign-in, dashboard or download) URLs',
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
      'redshift-serverless:GetIdentityCenterAuthToken',
      'cognito-identity:GetCredentialsForIdentity',
      'cognito-identity:GetOpenIdToken*',
      'cognito-idp:GetTokensFromRefreshToken',
      'ssm:GetAccessToken',
      'acm:GetAcmeExternalAccountBindingCredentials',
      'rds-db:connect',
      'dsql:DbConnect*',
      'lightsail:GetInstanceAccessDetails',
      'lightsail:Download*',
      'lightsail:GetKeyPair*',
      'lightsail:Get*Password',
      'lightsail:GetBucketAccessKeys',
      'ec2:GetPasswordData',
      'ec2:Export*Configuration',
      'glue:GetConnection*',
      'bedrock:CallWithBearerToken',
      's3:GetDataAccess',
      's3express:CreateSession',
      'cloudwatch:GetSpaceCredentials*',
      'wafv2:GetDecryptedAPIKey',
      'gamelift:GetComputeAccess',
      'gamelift:GetComputeAuthToken',
      'gamelift:GetInstanceAccess',
      'gamelift:RequestUploadCredentials',
      'connect:GetFederationToken*',
      'emr-containers:GetManagedEndpointSessionCredentials',
      'finspace-api:GetProgrammaticAccessCredentials',
      'license-manager:GetAccessToken',
      'cloud9:CreateEnvironmentToken',
      'codeconnections:Get*Token',
      'codestar-connections:Get*Token',
      'datazone:Get*Credentials',
      'lakeformation:GetTemporary*Credentials',
      'storagegateway:DescribeChapCredentials',
      'bedrock-agentcore:GetResourceApiKey',
      'bedrock-agentcore:GetResourceOauth2Token',
      'bedrock-agentcore:GetResourcePaymentToken',
      'bedrock-agentcore:GetWorkloadAccessToken*',
      'bedrock-agentcore:CompleteResourceTokenAuth',
      'signin:CreateOAuth2Token',
      'route53globalresolver:GetAccessToken',
      'aidevops:GetAccessToken',
      'amplifybackend:GetToken',
      'iq:GetChatToken',
      'airflow:Create*Token',
      'quicksight:GetSessionEmbedUrl',
      // job workers' artifact credentials
      'codepipeline:Get*JobDetails',
      'codepipeline:PollFor*Jobs',
      'sagemaker:CallWithBearerToken',
      'sagemaker:*Presigned*',
      'elasticmapreduce:GetClusterSessionCredentials',
      'elasticmapreduce:Get*PresignedURL',
      'elasticmapreduce:GetSessionEndpoint',
      'emr-serverless:GetSessionEndpoint',
      'emr-serverless:GetDashboardForJobRun',
      'emr-serverless:GetResourceDashboard',
      'glue:GetSessionEndpoint',
      'glue:GetDashboardUrl',
      'athena:GetResourceDashboard',
      'amplify:GetArtifactUrl',
      'elasticbeanstalk:RetrieveEnvironmentInfo',
      'inspector2:GetCisScanReport',
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
      'ec2:GetVpnConnectionDeviceSampleConfiguration',
      // undoes CloudWatch Logs data protection: the masked values in clear (GetLogEvents' `unmask`)
      'logs:Unmask',
      'directconnect:DescribeRouterConfiguration',
      'states:RevealSecrets',
      'pca-connector-scep:GetChallengePassword',
      'cognito-idp:ListUserPoolClientSecrets',
      'appsync:ListApiKeys',
      'chime:ListApiKeys',
      'wafv2:ListAPIKeys',
    ],
  },
  {
    why:
      'returns stored data contents (objects, items, records, messages, files, code, query results, ' +
      "console output) or people's personal data",
    actions: [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetObject*Torrent',
      's3:GetObject*Annotation*',
      's3:GetObjectVersionForReplication',
      's3-object-lambda:Get*',
      'dynamodb:*Item',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:PartiQL*',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dax:*Item',
      'dax:Query',
      'dax:Scan',
      'dynamodb:SearchVectors',
      'dynamodb:ReadDataForReplication',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:SubscribeToShard',
      'kinesisvideo:GetClip',
      'kinesisvideo:GetImages',
      'kinesisvideo:GetMedia*',
      'kinesisvideo:Get*StreamingSessionURL',
      'sqs:ReceiveMessage',
      'athena:GetQueryResults*',
      'cloudtrail:GetQueryResults',
      'cloudwatch:GetTelemetryQueryResults',
      'cloudwatch:GetRecords',
      'rds:Download*',
      'ec2:GetConsoleOutput',
      'ec2:GetConsoleScreenshot',
      'ebs:GetSnapshotBlock',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'es:ESHttp*',
      'timestream:Select*',
      'redshift-data:GetStatementResult*',
      'cassandra:Select',
      'neptune-db:Read*',
      'kafka-cluster:ReadData',
      'sdb:Select',
      'sdb:GetAttributes',
      'elasticfilesystem:ClientMount',
      'glacier:GetJobOutput',
      'lambda:GetDurableExecution*',
      'cloudfront:GetFunction',
      'cloudfront:GetConnectionFunction',
      'cloudtrail:GetEventDataStoreData',
      'logs:GetLookupTable',
      'ssm:GetCommandInvocation',
      'codecommit:GetFile',
      'codecommit:GetBlob',
      'codecommit:GitPull',
      'codeartifact:ReadFromRepository',
      'codeartifact:GetPackageVersionAsset',
      'iot:GetRetainedMessage',
      'iot:GetThingShadow',
      'bedrock:Retrieve',
      'bedrock-agentcore:GetEvent',
      'bedrock-agentcore:ListEvents',
      'bedrock-agentcore:GetMemoryRecord',
      'bedrock-agentcore:ListMemoryRecords',
      'bedrock-agentcore:RetrieveMemoryRecords',
      'kendra:Query',
      'kendra:Retrieve',
      'qbusiness:Chat*',
      'workdocs:DownloadDocumentVersion',
      'support:DownloadAttachment',
      'iq:DownloadAttachment',
      'es:ESCrossClusterGet',
      'glue:GetEntityRecords',
      'glue:GetStatement',
      'glue:ListStatements',
      'athena:GetCalculationExecutionCode',
      'redshift:FetchResults',
      'sagemaker:GetRecord',
      'sagemaker:BatchGetRecord',
      'sagemaker:ListRecords',
      'bedrock:AgenticRetrieveStream',
      'bedrock:GetDocumentContent',
      'bedrock:GetInvocationStep',
      'bedrock:GetInvoke',
      'bedrock:ListFlowExecutionEvents',
      'codebuild:BatchGetCommandExecutions',
      'codebuild:ListCommandExecutionsForSandbox',
      'inspector2:BatchGetCodeSnippet',
      'macie2:GetSensitiveDataOccurrences',
      // the people in user pools and mailing lists, and the mail itself
      'cognito-idp:ListUsers',
      'cognito-idp:ListUsersInGroup',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminGetDevice',
      'cognito-idp:AdminListDevices',
      'cognito-idp:AdminListUserAuthEvents',
      'ses:GetContact',
      'ses:ListContacts',
      'ses:GetMemberOfAddressList',
      'ses:ListMembersOfAddressList',
      'ses:GetSuppressedDestination',
      'ses:ListSuppressedDestinations',
      'ses:GetMessageInsights',
      'ses:GetArchiveMessage*',
      'ses:GetArchiveSearchResults',
    ],
  },
  {
    why:
      'runs code or a model, starts a job, a report or a test, sends a message, or streams without end ' +
      '(a cost or side effect, though IAM classes it as a read)',
    actions: [
      'bedrock:Invoke*',
      'sagemaker:InvokeEndpoint*',
      'lambda:Invoke*',
      'ec2:StartDeclarativePoliciesReport',
      'ssm:StartExecutionPreview',
      'logs:StartLiveTail',
      'logs:StopQuery',
      'config:DeliverConfigSnapshot',
      'cloudformation:Detect*Drift',
      'cloudtrail:GenerateQueryResultsSummary',
      'cloudwatch:GenerateQuery*',
      'securityhub:Send*Events',
      'ssm:PutConfigurePackageResult',
      's3:AllowVendedLogDeliveryForResource',
      'bedrock:ApplyGuardrail',
      'bedrock:DetectGeneratedContent',
      'bedrock:GenerateQuery',
      'bedrock:OptimizePrompt',
      'servicequotas:StartQuotaUtilizationReport',
      'xray:StartTraceRetrieval',
      'xray:CancelTraceRetrieval',
      'xray:GetSamplingTargets',
      'transfer:TestIdentityProvider',
      'cognito-idp:GetUserAttributeVerificationCode',
      'dms:TestConnection',
      'ds:VerifyTrust',
      'workspaces:InvokeTroubleshootingInvestigation',
      'elasticbeanstalk:RequestEnvironmentInfo',
    ],
  },
];

/**
 * Reads that public risk lists (cloudsplaining's credentials-exposure and data-exfiltration lists,
 * policy_sentry's credentials-exposure list) name, but that aws-ask allows on purpose, each with why.
 * test/common/policy-references.test.ts holds every other action on those lists to a refusal.
 */
export const REVIEWED_READS: Readonly<Record<string, string>> = {
  'cognito-idp:GetSigningCertificate':
    "returns the user pool's SAML signing certificate: the public X.509 certificate identity providers are " +
    'given, with no private key; questions about SAML federation need it',
  // allowed reads whose IAM description speaks of tokens, credentials, passwords, contents or downloads
  // (test/agent/policy.test.ts holds every such read in the tool's services to a reason here)
  'bedrock:CountTokens': 'counts the tokens of a prompt the bot itself sends; no account data',
  'ec2:DescribeIpamExternalResourceVerificationTokens':
    'DNS verification tokens, published in DNS by design to prove ownership; not credentials',
  'ec2:ExportClientVpnClientCertificateRevocationList': 'a certificate revocation list, public by nature',
  'ec2:GetVerifiedAccessGroupPolicy': 'an access policy document: configuration that security questions need',
  'iam:GenerateCredentialReport': 'starts the credential report, which holds no credentials (see above)',
  'iam:GetAccountPasswordPolicy': 'the password rules (length, reuse), no password',
  'iam:GetCredentialReport': 'which users have passwords, keys and MFA, and when they were used; no credentials',
  'iam:GetLoginProfile': "when a user's console password was created, not the password",
  'iam:ListServiceSpecificCredentials': 'ids, user names and status of the credentials; AWS never returns the secret',
  'kms:GetPublicKey': 'the public half of an asymmetric key, public by nature',
  'organizations:DescribeOrganization':
    'the organization and its management account; "calling credentials" is IAM wording',
  'ram:GetPermission': 'a RAM permission policy: configuration',
  'secretsmanager:GetRandomPassword': 'a fresh random string AWS generates; no account data',
  'ses:GetDomainStatisticsReport': 'delivery statistics, no message contents',
  'ses:ListDomainDeliverabilityCampaigns': 'campaign delivery statistics, no message contents',
  'ses:GetIdentityVerificationAttributes': 'domain verification tokens, published in DNS by design',
  'sns:ListPhoneNumbersOptedOut': 'opted-out numbers; the SDK marks them sensitive, so the tool redacts them',
  'ssm:GetDocument': 'an SSM document (runbook) definition: configuration; secret-looking defaults are redacted',
  'sso:DescribeTrustedTokenIssuer': 'a trusted token issuer (an OIDC issuer URL and claims mapping), no token',
  'sso:ListTrustedTokenIssuers': 'trusted token issuers, no token',
  'sts:GetCallerIdentity': 'who the bot is: account, ARN, user id; no credentials',
  'trustedadvisor:DownloadRisk': 'a Trusted Advisor risk report: findings, which cost and security questions need',
  'wafv2:GenerateMobileSdkReleaseUrl': "a download URL for AWS's public WAF mobile SDK; no account data",
};

/** Every sensitive IAM action pattern, flattened, in list order. */
export const SENSITIVE_ACTIONS: readonly string[] = SENSITIVE_RULES.flatMap((r) => r.actions);

/**
 * API Gateway's IAM actions are HTTP verbs on resource paths (`apigateway:GET`), so IAM cannot tell
 * a read of API key values from any other read by action: the role and session deny it by resource
 * (these resources: the keys, and a usage plan's keys, whose `value` is the key), and the tool
 * refuses these SDK operations by name (SENSITIVE_OPERATIONS).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
 */
export function apiKeyResources(partition: string): string[] {
  return [
    `arn:${partition}:apigateway:*::/apikeys`,
    `arn:${partition}:apigateway:*::/apikeys/*`,
    `arn:${partition}:apigateway:*::/usageplans/*/keys`,
    `arn:${partition}:apigateway:*::/usageplans/*/keys/*`,
  ];
}

/** SDK operations (`service:Operation`) refused by name, with why; see apiKeyResources. */
export const SENSITIVE_OPERATIONS: Readonly<Record<string, string>> = {
  'apigateway:GetApiKey': 'returns an API key value',
  'apigateway:GetApiKeys': 'returns API key values',
  'apigateway:GetUsagePlanKey': 'returns a usage plan key value',
  'apigateway:GetUsagePlanKeys': 'returns usage plan key values',
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

/** The rule behind the operator's extra denies (AWS_ASK_DENY_ACTIONS, CDK context denyActions). */
export function operatorRule(denyActions: readonly string[]): SensitiveRule {
  return { actions: denyActions, why: "is turned off by this deployment's operator (AWS_ASK_DENY_ACTIONS)" };
}

/** The sensitive rule that covers an IAM action, if any: the built-in list first, then the operator's. */
export function sensitiveRuleFor(
  action: string,
  denyActions: readonly string[] = [],
): { rule: SensitiveRule; pattern: string } | undefined {
  const rules = denyActions.length ? [...SENSITIVE_RULES, operatorRule(denyActions)] : SENSITIVE_RULES;
  for (const rule of rules) {
    for (const pattern of rule.actions) {
      if (actionMatches(pattern, action)) return { rule, pattern };
    }
  }
  return undefined;
}

/**
 * The AWS services the tool can call: boto3/CLI names and aliases, the SDK v3 client package that
 * serves each, and its IAM service prefix. One home for that mapping.
 *
 * Each client is loaded on first use through a literal dynamic import, so a bundler (esbuild) sees
 * and includes every package (the agent bundle splits each into its own chunk), and a process only
 * pays for the clients it actually uses. Adding a service is one line here and its dependency.
 */

/** A loaded `@aws-sdk/client-*` module: the client class, `…Command` classes and `paginate…` functions. */
export type SdkModule = Record<string, unknown>;

export interface ServiceInfo {
  /** boto3 / AWS CLI name, used in answers and call records. */
  readonly name: string;
  /** IAM service prefix (`elasticloadbalancing` for elbv2, `tag` for the tagging API). */
  readonly iamPrefix: string;
  /** Name of the client class exported by the SDK package. */
  readonly clientClass: string;
  /** Other names people and models use for the service. */
  readonly aliases: readonly string[];
  readonly load: () => Promise<SdkModule>;
}

/**
 * The module's exports by name. The SDK's CommonJS build, imported from an ES module chunk of the split
 * agent bundle (infra/bundle.ts), arrives as the namespace `{ default: module.exports }`.
 */
function namedExports(mod: SdkModule, clientClass: string): SdkModule {
  if (typeof mod[clientClass] === 'function') return mod;
  const inner = mod.default;
  return inner !== null && typeof inner === 'object' ? (inner as SdkModule) : mod;
}

const svc = (
  name: string,
  iamPrefix: string,
  clientClass: string,
  load: () => Promise<SdkModule>,
  aliases: string[] = [],
): ServiceInfo => ({
  name,
  iamPrefix,
  clientClass,
  aliases,
  load: async () => namedExports(await load(), clientClass),
});

export const SERVICES: readonly ServiceInfo[] = [
  svc('accessanalyzer', 'access-analyzer', 'AccessAnalyzerClient', () => import('@aws-sdk/client-accessanalyzer'), [
    'access-analyzer',
    'iam-access-analyzer',
  ]),
  svc('account', 'account', 'AccountClient', () => import('@aws-sdk/client-account')),
  svc('acm', 'acm', 'ACMClient', () => import('@aws-sdk/client-acm'), ['certificate-manager']),
  svc('amplify', 'amplify', 'AmplifyClient', () => import('@aws-sdk/client-amplify')),
  svc('apigateway', 'apigateway', 'APIGatewayClient', () => import('@aws-sdk/client-api-gateway'), ['api-gateway']),
  svc('apigatewayv2', 'apigateway', 'ApiGatewayV2Client', () => import('@aws-sdk/client-apigatewayv2'), [
    'api-gateway-v2',
  ]),
  svc(
    'application-autoscaling',
    'application-autoscaling',
    'ApplicationAutoScalingClient',
    () => import('@aws-sdk/client-application-auto-scaling'),
    ['application-auto-scaling'],
  ),
  svc('apprunner', 'apprunner', 'AppRunnerClient', () => import('@aws-sdk/client-apprunner'), ['app-runner']),
  svc('appsync', 'appsync', 'AppSyncClient', () => import('@aws-sdk/client-appsync')),
  svc('athena', 'athena', 'AthenaClient', () => import('@aws-sdk/client-athena')),
  svc('autoscaling', 'autoscaling', 'AutoScalingClient', () => import('@aws-sdk/client-auto-scaling'), [
    'auto-scaling',
  ]),
  svc('backup', 'backup', 'BackupClient', () => import('@aws-sdk/client-backup')),
  svc('batch', 'batch', 'BatchClient', () => import('@aws-sdk/client-batch')),
  svc('bedrock', 'bedrock', 'BedrockClient', () => import('@aws-sdk/client-bedrock')),
  svc('budgets', 'budgets', 'BudgetsClient', () => import('@aws-sdk/client-budgets')),
  svc('ce', 'ce', 'CostExplorerClient', () => import('@aws-sdk/client-cost-explorer'), ['cost-explorer']),
  svc('cloudcontrol', 'cloudformation', 'CloudControlClient', () => import('@aws-sdk/client-cloudcontrol'), [
    'cloud-control',
    'cloudcontrolapi',
  ]),
  svc('cloudformation', 'cloudformation', 'CloudFormationClient', () => import('@aws-sdk/client-cloudformation'), [
    'cfn',
  ]),
  svc('cloudfront', 'cloudfront', 'CloudFrontClient', () => import('@aws-sdk/client-cloudfront')),
  svc('cloudtrail', 'cloudtrail', 'CloudTrailClient', () => import('@aws-sdk/client-cloudtrail')),
  svc('cloudwatch', 'cloudwatch', 'CloudWatchClient', () => import('@aws-sdk/client-cloudwatch'), ['monitoring']),
  svc('codebuild', 'codebuild', 'CodeBuildClient', () => import('@aws-sdk/client-codebuild')),
  svc('codedeploy', 'codedeploy', 'CodeDeployClient', () => import('@aws-sdk/client-codedeploy')),
  svc('codepipeline', 'codepipeline', 'CodePipelineClient', () => import('@aws-sdk/client-codepipeline')),
  svc(
    'cognito-identity',
    'cognito-identity',
    'CognitoIdentityClient',
    () => import('@aws-sdk/client-cognito-identity'),
    ['cognito-identity-pools'],
  ),
  svc(
    'cognito-idp',
    'cognito-idp',
    'CognitoIdentityProviderClient',
    () => import('@aws-sdk/client-cognito-identity-provider'),
    ['cognito-identity-provider', 'cognito-user-pools', 'cognito'],
  ),
  svc(
    'compute-optimizer',
    'compute-optimizer',
    'ComputeOptimizerClient',
    () => import('@aws-sdk/client-compute-optimizer'),
  ),
  svc('config', 'config', 'ConfigServiceClient', () => import('@aws-sdk/client-config-service'), ['config-service']),
  svc('directconnect', 'directconnect', 'DirectConnectClient', () => import('@aws-sdk/client-direct-connect'), [
    'direct-connect',
  ]),
  svc('dms', 'dms', 'DatabaseMigrationServiceClient', () => import('@aws-sdk/client-database-migration-service'), [
    'database-migration-service',
  ]),
  svc('docdb', 'rds', 'DocDBClient', () => import('@aws-sdk/client-docdb'), ['documentdb']),
  svc('ds', 'ds', 'DirectoryServiceClient', () => import('@aws-sdk/client-directory-service'), ['directory-service']),
  svc('dynamodb', 'dynamodb', 'DynamoDBClient', () => import('@aws-sdk/client-dynamodb')),
  svc('ec2', 'ec2', 'EC2Client', () => import('@aws-sdk/client-ec2')),
  svc('ecr', 'ecr', 'ECRClient', () => import('@aws-sdk/client-ecr')),
  svc('ecs', 'ecs', 'ECSClient', () => import('@aws-sdk/client-ecs')),
  svc('efs', 'elasticfilesystem', 'EFSClient', () => import('@aws-sdk/client-efs'), ['elastic-file-system']),
  svc('eks', 'eks', 'EKSClient', () => import('@aws-sdk/client-eks')),
  svc('elasticache', 'elasticache', 'ElastiCacheClient', () => import('@aws-sdk/client-elasticache')),
  svc(
    'elasticbeanstalk',
    'elasticbeanstalk',
    'ElasticBeanstalkClient',
    () => import('@aws-sdk/client-elastic-beanstalk'),
    ['elastic-beanstalk', 'beanstalk'],
  ),
  // classic load balancers; application, network and gateway load balancers are elbv2
  svc(
    'elb',
    'elasticloadbalancing',
    'ElasticLoadBalancingClient',
    () => import('@aws-sdk/client-elastic-load-balancing'),
    ['elastic-load-balancing', 'classic-elb', 'clb'],
  ),
  svc(
    'elbv2',
    'elasticloadbalancing',
    'ElasticLoadBalancingV2Client',
    () => import('@aws-sdk/client-elastic-load-balancing-v2'),
    ['elastic-load-balancing-v2', 'alb', 'nlb'],
  ),
  svc('emr', 'elasticmapreduce', 'EMRClient', () => import('@aws-sdk/client-emr'), ['elastic-mapreduce']),
  svc('emr-serverless', 'emr-serverless', 'EMRServerlessClient', () => import('@aws-sdk/client-emr-serverless')),
  svc('events', 'events', 'EventBridgeClient', () => import('@aws-sdk/client-eventbridge'), [
    'eventbridge',
    'cloudwatch-events',
  ]),
  svc('firehose', 'firehose', 'FirehoseClient', () => import('@aws-sdk/client-firehose'), ['kinesis-firehose']),
  svc('fsx', 'fsx', 'FSxClient', () => import('@aws-sdk/client-fsx')),
  svc(
    'globalaccelerator',
    'globalaccelerator',
    'GlobalAcceleratorClient',
    () => import('@aws-sdk/client-global-accelerator'),
    ['global-accelerator'],
  ),
  svc('glue', 'glue', 'GlueClient', () => import('@aws-sdk/client-glue')),
  svc('guardduty', 'guardduty', 'GuardDutyClient', () => import('@aws-sdk/client-guardduty')),
  svc('health', 'health', 'HealthClient', () => import('@aws-sdk/client-health')),
  svc('iam', 'iam', 'IAMClient', () => import('@aws-sdk/client-iam')),
  svc('identitystore', 'identitystore', 'IdentitystoreClient', () => import('@aws-sdk/client-identitystore')),
  svc('inspector2', 'inspector2', 'Inspector2Client', () => import('@aws-sdk/client-inspector2')),
  svc('kafka', 'kafka', 'KafkaClient', () => import('@aws-sdk/client-kafka'), ['msk']),
  svc('kinesis', 'kinesis', 'KinesisClient', () => import('@aws-sdk/client-kinesis')),
  svc('kms', 'kms', 'KMSClient', () => import('@aws-sdk/client-kms')),
  svc('lambda', 'lambda', 'LambdaClient', () => import('@aws-sdk/client-lambda')),
  svc('lightsail', 'lightsail', 'LightsailClient', () => import('@aws-sdk/client-lightsail')),
  svc('logs', 'logs', 'CloudWatchLogsClient', () => import('@aws-sdk/client-cloudwatch-logs'), ['cloudwatch-logs']),
  svc('macie2', 'macie2', 'Macie2Client', () => import('@aws-sdk/client-macie2'), ['macie']),
  svc('memorydb', 'memorydb', 'MemoryDBClient', () => import('@aws-sdk/client-memorydb')),
  svc('mq', 'mq', 'MqClient', () => import('@aws-sdk/client-mq'), ['amazon-mq']),
  svc('neptune', 'rds', 'NeptuneClient', () => import('@aws-sdk/client-neptune')),
  svc(
    'network-firewall',
    'network-firewall',
    'NetworkFirewallClient',
    () => import('@aws-sdk/client-network-firewall'),
  ),
  svc('opensearch', 'es', 'OpenSearchClient', () => import('@aws-sdk/client-opensearch'), [
    'opensearch-service',
    'elasticsearch',
  ]),
  svc(
    'opensearchserverless',
    'aoss',
    'OpenSearchServerlessClient',
    () => import('@aws-sdk/client-opensearchserverless'),
    ['opensearch-serverless'],
  ),
  svc('organizations', 'organizations', 'OrganizationsClient', () => import('@aws-sdk/client-organizations')),
  svc('pipes', 'pipes', 'PipesClient', () => import('@aws-sdk/client-pipes'), ['eventbridge-pipes']),
  svc('pricing', 'pricing', 'PricingClient', () => import('@aws-sdk/client-pricing')),
  svc('ram', 'ram', 'RAMClient', () => import('@aws-sdk/client-ram'), ['resource-access-manager']),
  svc('rds', 'rds', 'RDSClient', () => import('@aws-sdk/client-rds')),
  svc('redshift', 'redshift', 'RedshiftClient', () => import('@aws-sdk/client-redshift')),
  svc(
    'redshift-serverless',
    'redshift-serverless',
    'RedshiftServerlessClient',
    () => import('@aws-sdk/client-redshift-serverless'),
  ),
  svc(
    'resource-explorer-2',
    'resource-explorer-2',
    'ResourceExplorer2Client',
    () => import('@aws-sdk/client-resource-explorer-2'),
    ['resource-explorer'],
  ),
  svc(
    'resourcegroupstaggingapi',
    'tag',
    'ResourceGroupsTaggingAPIClient',
    () => import('@aws-sdk/client-resource-groups-tagging-api'),
    ['resource-groups-tagging-api', 'tagging', 'tag'],
  ),
  svc('route53', 'route53', 'Route53Client', () => import('@aws-sdk/client-route-53'), ['route-53']),
  svc('route53domains', 'route53domains', 'Route53DomainsClient', () => import('@aws-sdk/client-route-53-domains'), [
    'route-53-domains',
  ]),
  svc('s3', 's3', 'S3Client', () => import('@aws-sdk/client-s3')),
  svc('s3control', 's3', 'S3ControlClient', () => import('@aws-sdk/client-s3-control'), ['s3-control']),
  svc('sagemaker', 'sagemaker', 'SageMakerClient', () => import('@aws-sdk/client-sagemaker')),
  svc('savingsplans', 'savingsplans', 'SavingsplansClient', () => import('@aws-sdk/client-savingsplans'), [
    'savings-plans',
  ]),
  svc('scheduler', 'scheduler', 'SchedulerClient', () => import('@aws-sdk/client-scheduler'), [
    'eventbridge-scheduler',
  ]),
  svc('secretsmanager', 'secretsmanager', 'SecretsManagerClient', () => import('@aws-sdk/client-secrets-manager'), [
    'secrets-manager',
  ]),
  svc('securityhub', 'securityhub', 'SecurityHubClient', () => import('@aws-sdk/client-securityhub')),
  svc('service-quotas', 'servicequotas', 'ServiceQuotasClient', () => import('@aws-sdk/client-service-quotas')),
  svc(
    'servicediscovery',
    'servicediscovery',
    'ServiceDiscoveryClient',
    () => import('@aws-sdk/client-servicediscovery'),
    ['cloud-map'],
  ),
  svc('sesv2', 'ses', 'SESv2Client', () => import('@aws-sdk/client-sesv2'), ['ses']),
  svc('shield', 'shield', 'ShieldClient', () => import('@aws-sdk/client-shield')),
  svc('sns', 'sns', 'SNSClient', () => import('@aws-sdk/client-sns')),
  svc('sqs', 'sqs', 'SQSClient', () => import('@aws-sdk/client-sqs')),
  svc('ssm', 'ssm', 'SSMClient', () => import('@aws-sdk/client-ssm')),
  svc('sso-admin', 'sso', 'SSOAdminClient', () => import('@aws-sdk/client-sso-admin'), ['identity-center', 'sso']),
  svc('stepfunctions', 'states', 'SFNClient', () => import('@aws-sdk/client-sfn'), ['sfn', 'step-functions']),
  svc('sts', 'sts', 'STSClient', () => import('@aws-sdk/client-sts')),
  svc('transfer', 'transfer', 'TransferClient', () => import('@aws-sdk/client-transfer'), ['transfer-family']),
  svc('trustedadvisor', 'trustedadvisor', 'TrustedAdvisorClient', () => import('@aws-sdk/client-trustedadvisor'), [
    'trusted-advisor',
  ]),
  svc('wafv2', 'wafv2', 'WAFV2Client', () => import('@aws-sdk/client-wafv2')),
  svc('workspaces', 'workspaces', 'WorkSpacesClient', () => import('@aws-sdk/client-workspaces')),
  svc('xray', 'xray', 'XRayClient', () => import('@aws-sdk/client-xray'), ['x-ray']),
];

/** Lower case, letters and digits only: `Cloud_Watch-Logs` → `cloudwatchlogs`. */
export const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Names and aliases first, then IAM prefixes where no name took them: several clients share a prefix
 * (`s3` for S3 Control, `cloudformation` for Cloud Control, `rds` for DocumentDB and Neptune), and a
 * prefix that is also a service's name (`s3`, `elasticloadbalancing` as the classic ELB package is
 * called) names that service.
 */
const byName = new Map<string, ServiceInfo>();
for (const s of SERVICES) {
  for (const n of [s.name, ...s.aliases]) {
    const key = squash(n);
    const taken = byName.get(key);
    if (taken && taken !== s) throw new Error(`service name ${n} names both ${taken.name} and ${s.name}`);
    byName.set(key, s);
  }
}
for (const s of SERVICES) {
  const key = squash(s.iamPrefix);
  if (!byName.has(key)) byName.set(key, s);
}

/** Finds a service by boto3 name, CLI name, SDK package name or IAM prefix; undefined if not supported. */
export function findService(name: string): ServiceInfo | undefined {
  const key = squash(name.trim().replace(/^(@aws-sdk\/)?client-/i, ''));
  return byName.get(key);
}

export const SUPPORTED_SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

/**
 * What the model is told when it names a service aws-ask has no client for: the generic ways to read
 * resources of any type, then the supported names.
 */
export function unsupportedServiceText(name: string): string {
  return (
    `Unsupported service "${name}". aws-ask has no client for it, and no AWS call was made. ` +
    'Resources of most types can still be read through the generic services: ' +
    'resource-explorer-2 Search (QueryString such as "resourcetype:logs:log-group", where an index exists); ' +
    'config SelectResourceConfig (an SQL Expression over what AWS Config records, where the recorder is on); ' +
    'cloudcontrol ListResources, then GetResource with its Identifier (TypeName a CloudFormation type name such ' +
    'as "AWS::Logs::LogGroup"; Cloud Control reads through the type\'s own service, so it may be denied for ' +
    `services not listed here). Supported services: ${SUPPORTED_SERVICE_NAMES.join(', ')}.`
  );
}

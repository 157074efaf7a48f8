/**
 * The AWS services the tool can call: boto3/CLI names and aliases, the SDK v3 client package that
 * serves each, and its IAM service prefix. One home for that mapping.
 *
 * Each client is loaded on first use through a literal dynamic import, so a bundler (esbuild) sees
 * and includes every package, and a process only pays for the clients it actually uses.
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

const svc = (
  name: string,
  iamPrefix: string,
  clientClass: string,
  load: () => Promise<SdkModule>,
  aliases: string[] = [],
): ServiceInfo => ({ name, iamPrefix, clientClass, aliases, load });

export const SERVICES: readonly ServiceInfo[] = [
  svc('acm', 'acm', 'ACMClient', () => import('@aws-sdk/client-acm'), ['certificate-manager']),
  svc('apigateway', 'apigateway', 'APIGatewayClient', () => import('@aws-sdk/client-api-gateway'), ['api-gateway']),
  svc('autoscaling', 'autoscaling', 'AutoScalingClient', () => import('@aws-sdk/client-auto-scaling'), [
    'auto-scaling',
  ]),
  svc('backup', 'backup', 'BackupClient', () => import('@aws-sdk/client-backup')),
  svc('budgets', 'budgets', 'BudgetsClient', () => import('@aws-sdk/client-budgets')),
  svc('ce', 'ce', 'CostExplorerClient', () => import('@aws-sdk/client-cost-explorer'), ['cost-explorer']),
  svc('cloudformation', 'cloudformation', 'CloudFormationClient', () => import('@aws-sdk/client-cloudformation'), [
    'cfn',
  ]),
  svc('cloudfront', 'cloudfront', 'CloudFrontClient', () => import('@aws-sdk/client-cloudfront')),
  svc('cloudtrail', 'cloudtrail', 'CloudTrailClient', () => import('@aws-sdk/client-cloudtrail')),
  svc('cloudwatch', 'cloudwatch', 'CloudWatchClient', () => import('@aws-sdk/client-cloudwatch'), ['monitoring']),
  svc('config', 'config', 'ConfigServiceClient', () => import('@aws-sdk/client-config-service'), ['config-service']),
  svc('dynamodb', 'dynamodb', 'DynamoDBClient', () => import('@aws-sdk/client-dynamodb')),
  svc('ec2', 'ec2', 'EC2Client', () => import('@aws-sdk/client-ec2')),
  svc('ecr', 'ecr', 'ECRClient', () => import('@aws-sdk/client-ecr')),
  svc('ecs', 'ecs', 'ECSClient', () => import('@aws-sdk/client-ecs')),
  svc('eks', 'eks', 'EKSClient', () => import('@aws-sdk/client-eks')),
  svc('elasticache', 'elasticache', 'ElastiCacheClient', () => import('@aws-sdk/client-elasticache')),
  svc(
    'elbv2',
    'elasticloadbalancing',
    'ElasticLoadBalancingV2Client',
    () => import('@aws-sdk/client-elastic-load-balancing-v2'),
    ['elastic-load-balancing-v2', 'elb', 'alb', 'nlb'],
  ),
  svc('guardduty', 'guardduty', 'GuardDutyClient', () => import('@aws-sdk/client-guardduty')),
  svc('iam', 'iam', 'IAMClient', () => import('@aws-sdk/client-iam')),
  svc('kms', 'kms', 'KMSClient', () => import('@aws-sdk/client-kms')),
  svc('lambda', 'lambda', 'LambdaClient', () => import('@aws-sdk/client-lambda')),
  svc('logs', 'logs', 'CloudWatchLogsClient', () => import('@aws-sdk/client-cloudwatch-logs'), ['cloudwatch-logs']),
  svc('organizations', 'organizations', 'OrganizationsClient', () => import('@aws-sdk/client-organizations')),
  svc('rds', 'rds', 'RDSClient', () => import('@aws-sdk/client-rds')),
  svc(
    'resourcegroupstaggingapi',
    'tag',
    'ResourceGroupsTaggingAPIClient',
    () => import('@aws-sdk/client-resource-groups-tagging-api'),
    ['resource-groups-tagging-api', 'tagging', 'tag'],
  ),
  svc('route53', 'route53', 'Route53Client', () => import('@aws-sdk/client-route-53'), ['route-53']),
  svc('s3', 's3', 'S3Client', () => import('@aws-sdk/client-s3')),
  svc('secretsmanager', 'secretsmanager', 'SecretsManagerClient', () => import('@aws-sdk/client-secrets-manager'), [
    'secrets-manager',
  ]),
  svc('securityhub', 'securityhub', 'SecurityHubClient', () => import('@aws-sdk/client-securityhub')),
  svc('sns', 'sns', 'SNSClient', () => import('@aws-sdk/client-sns')),
  svc('sqs', 'sqs', 'SQSClient', () => import('@aws-sdk/client-sqs')),
  svc('ssm', 'ssm', 'SSMClient', () => import('@aws-sdk/client-ssm')),
  svc('sts', 'sts', 'STSClient', () => import('@aws-sdk/client-sts')),
];

/** Lower case, letters and digits only: `Cloud_Watch-Logs` → `cloudwatchlogs`. */
export const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const byName = new Map<string, ServiceInfo>();
for (const s of SERVICES) {
  for (const n of [s.name, s.iamPrefix, ...s.aliases]) byName.set(squash(n), s);
}

/** Finds a service by boto3 name, CLI name, SDK package name or IAM prefix; undefined if not supported. */
export function findService(name: string): ServiceInfo | undefined {
  const key = squash(name.trim().replace(/^(@aws-sdk\/)?client-/i, ''));
  return byName.get(key);
}

export const SUPPORTED_SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

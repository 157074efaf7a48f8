/**
 * Where an AWS call's data can be seen in the AWS console: the links a task in the streamed timeline
 * carries as its `sources` (URL source elements: `{type: 'url', url, text}`,
 * https://docs.slack.dev/reference/block-kit/block-elements/url-source-element, in a `task_update` chunk:
 * https://docs.slack.dev/reference/methods/chat.appendStream#chunks).
 *
 * Built from the call alone (service, operation, region): the page of the resources the operation lists
 * when the table knows it, and the service's console. A service the table does not know gets the
 * console's generic address for it. The call's summary carries no resource ids, so no link names one.
 *
 * Kept free of `common/aws-services.ts`: that module imports every SDK client, and this one is in the
 * receiver's bundle.
 */
import type { ToolCallStart } from '../common/protocol.ts';
import { neutralizePlain } from './slack-text.ts';

/** A URL source element as a `task_update` chunk takes it. */
export interface UrlSource {
  readonly type: 'url';
  readonly url: string;
  readonly text: string;
}

/** Links on one task at most: the operation's page and the service's console. */
export const MAX_SOURCES_PER_TASK = 2;

/** Where a console page is: `r` is the region (global services ignore it). */
type Page = (r: string) => string;

interface ConsoleEntry {
  /** What the console is called in a link's text. */
  readonly name: string;
  /** Other names the tool's `service` may take (boto3, CLI, IAM prefix). */
  readonly aliases?: readonly string[];
  /** A global service: its console has no region. */
  readonly global?: boolean;
  /** The service's console. */
  readonly home: Page;
  /** Pages for what operations read: the first whose pattern matches the operation (any case, `_` or not). */
  readonly pages?: readonly (readonly [pattern: RegExp, text: string, page: Page])[];
}

const regional =
  (path: string, hash = '') =>
  (r: string) =>
    `https://${r}.console.aws.amazon.com/${path}?region=${r}${hash}`;
const global = (path: string) => () => `https://console.aws.amazon.com/${path}`;
const S3_BUCKETS = 'https://s3.console.aws.amazon.com/s3/buckets';

/** The one table: service → its console and the pages operations read. */
const CONSOLES: Readonly<Record<string, ConsoleEntry>> = {
  ec2: {
    name: 'EC2',
    home: regional('ec2/home', '#Home:'),
    pages: [
      [/instancetype/, 'EC2 instance types', regional('ec2/home', '#InstanceTypes:')],
      [/instance/, 'EC2 instances', regional('ec2/home', '#Instances:')],
      [/securitygroup/, 'Security groups', regional('ec2/home', '#SecurityGroups:')],
      [/volume/, 'EBS volumes', regional('ec2/home', '#Volumes:')],
      [/snapshot/, 'EBS snapshots', regional('ec2/home', '#Snapshots:')],
      [/image/, 'AMIs', regional('ec2/home', '#Images:')],
      [/keypair/, 'Key pairs', regional('ec2/home', '#KeyPairs:')],
      [/address/, 'Elastic IPs', regional('ec2/home', '#Addresses:')],
      [/vpc/, 'VPCs', regional('vpcconsole/home', '#vpcs:')],
      [/subnet/, 'Subnets', regional('vpcconsole/home', '#subnets:')],
      [/routetable/, 'Route tables', regional('vpcconsole/home', '#RouteTables:')],
      [/natgateway/, 'NAT gateways', regional('vpcconsole/home', '#NatGateways:')],
    ],
  },
  lambda: {
    name: 'Lambda',
    home: regional('lambda/home', '#/functions'),
    pages: [
      [/function/, 'Lambda functions', regional('lambda/home', '#/functions')],
      [/layer/, 'Lambda layers', regional('lambda/home', '#/layers')],
    ],
  },
  s3: {
    name: 'S3',
    // the bucket list is one page for every region
    global: true,
    home: () => S3_BUCKETS,
    pages: [[/bucket/, 'S3 buckets', () => S3_BUCKETS]],
  },
  rds: {
    name: 'RDS',
    home: regional('rds/home', '#dashboard:'),
    pages: [
      [/dbcluster/, 'RDS clusters', regional('rds/home', '#databases:')],
      [/dbinstance/, 'RDS databases', regional('rds/home', '#databases:')],
      [/snapshot/, 'RDS snapshots', regional('rds/home', '#snapshots-list:')],
    ],
  },
  iam: {
    name: 'IAM',
    global: true,
    home: global('iam/home#/home'),
    pages: [
      [/role/, 'IAM roles', global('iam/home#/roles')],
      [/user|accesskey/, 'IAM users', global('iam/home#/users')],
      [/group/, 'IAM user groups', global('iam/home#/groups')],
      [/polic/, 'IAM policies', global('iam/home#/policies')],
    ],
  },
  sts: { name: 'IAM', global: true, home: global('iam/home#/home') },
  cloudwatch: {
    name: 'CloudWatch',
    aliases: ['monitoring'],
    home: regional('cloudwatch/home', '#home:'),
    pages: [
      [/alarm/, 'CloudWatch alarms', regional('cloudwatch/home', '#alarmsV2:')],
      [/metric/, 'CloudWatch metrics', regional('cloudwatch/home', '#metricsV2:')],
      [/dashboard/, 'CloudWatch dashboards', regional('cloudwatch/home', '#dashboards:')],
    ],
  },
  logs: {
    name: 'CloudWatch Logs',
    aliases: ['cloudwatchlogs'],
    home: regional('cloudwatch/home', '#logsV2:log-groups'),
    pages: [
      [
        /loggroup|logstream|queryresults|filterlogevents/,
        'Log groups',
        regional('cloudwatch/home', '#logsV2:log-groups'),
      ],
    ],
  },
  ce: {
    name: 'Cost Explorer',
    aliases: ['costexplorer'],
    global: true,
    home: global('cost-management/home#/cost-explorer'),
  },
  budgets: { name: 'Budgets', global: true, home: global('billing/home#/budgets') },
  ecs: {
    name: 'ECS',
    home: regional('ecs/v2/clusters'),
    pages: [[/cluster|service|task/, 'ECS clusters', regional('ecs/v2/clusters')]],
  },
  eks: {
    name: 'EKS',
    home: regional('eks/home', '#/clusters'),
    pages: [[/cluster|nodegroup/, 'EKS clusters', regional('eks/home', '#/clusters')]],
  },
  dynamodb: {
    name: 'DynamoDB',
    home: regional('dynamodbv2/home', '#dashboard'),
    pages: [
      [/table/, 'DynamoDB tables', regional('dynamodbv2/home', '#tables')],
      [/backup/, 'DynamoDB backups', regional('dynamodbv2/home', '#backups')],
    ],
  },
  cloudformation: {
    name: 'CloudFormation',
    aliases: ['cfn'],
    home: regional('cloudformation/home', '#/stacks'),
    pages: [[/stack/, 'CloudFormation stacks', regional('cloudformation/home', '#/stacks')]],
  },
  elbv2: {
    name: 'Elastic Load Balancing',
    aliases: ['elasticloadbalancing', 'elb', 'alb', 'nlb'],
    home: regional('ec2/home', '#LoadBalancers:'),
    pages: [
      [/targetgroup|targethealth/, 'Target groups', regional('ec2/home', '#TargetGroups:')],
      [/loadbalancer|listener/, 'Load balancers', regional('ec2/home', '#LoadBalancers:')],
    ],
  },
  autoscaling: {
    name: 'Auto Scaling',
    home: regional('ec2/home', '#AutoScalingGroups:'),
    pages: [[/autoscalinggroup/, 'Auto Scaling groups', regional('ec2/home', '#AutoScalingGroups:')]],
  },
  route53: {
    name: 'Route 53',
    global: true,
    home: global('route53/v2/home#Dashboard'),
    pages: [[/hostedzone|resourcerecord/, 'Hosted zones', global('route53/v2/hostedzones')]],
  },
  cloudfront: {
    name: 'CloudFront',
    global: true,
    home: global('cloudfront/v4/home#/distributions'),
    pages: [[/distribution/, 'CloudFront distributions', global('cloudfront/v4/home#/distributions')]],
  },
  organizations: { name: 'Organizations', global: true, home: global('organizations/v2/home/accounts') },
  sns: {
    name: 'SNS',
    home: regional('sns/v3/home', '#/topics'),
    pages: [[/subscription/, 'SNS subscriptions', regional('sns/v3/home', '#/subscriptions')]],
  },
  sqs: { name: 'SQS', home: regional('sqs/v3/home', '#/queues') },
  ecr: { name: 'ECR', home: regional('ecr/private-registry/repositories') },
  kms: { name: 'KMS', home: regional('kms/home', '#/kms/keys') },
  cloudtrail: {
    name: 'CloudTrail',
    home: regional('cloudtrailv2/home', '#/dashboard'),
    pages: [
      [/lookupevents/, 'CloudTrail event history', regional('cloudtrailv2/home', '#/events')],
      [/trail/, 'CloudTrail trails', regional('cloudtrailv2/home', '#/trails')],
    ],
  },
  guardduty: { name: 'GuardDuty', home: regional('guardduty/home', '#/findings') },
  securityhub: { name: 'Security Hub', home: regional('securityhub/home', '#/findings') },
  config: { name: 'Config', aliases: ['configservice'], home: regional('config/home', '#/resources') },
  acm: { name: 'Certificate Manager', home: regional('acm/home', '#/certificates/list') },
  backup: { name: 'Backup', home: regional('backup/home', '#/dashboard') },
  apigateway: { name: 'API Gateway', home: regional('apigateway/main/apis') },
  elasticache: { name: 'ElastiCache', home: regional('elasticache/home', '#/dashboard') },
  ssm: { name: 'Systems Manager', home: regional('systems-manager/home') },
  secretsmanager: { name: 'Secrets Manager', home: regional('secretsmanager/listsecrets') },
  resourcegroupstaggingapi: {
    name: 'Tag Editor',
    aliases: ['tag', 'tagging'],
    home: regional('resource-groups/tag-editor/find-resources'),
  },
};

/** Lower case, letters and digits only: `Describe_Instances` → `describeinstances`. */
const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const BY_NAME = new Map<string, ConsoleEntry>();
for (const [name, entry] of Object.entries(CONSOLES)) {
  for (const n of [name, ...(entry.aliases ?? [])]) BY_NAME.set(squash(n), entry);
}

/** AWS region names (`eu-west-1`, `us-gov-west-1`): anything else is not put in a URL. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * The console links for one call: the page of what the operation reads (when the table knows it) and
 * the service's console, at most `MAX_SOURCES_PER_TASK`. A service the table does not know gets
 * `https://<region>.console.aws.amazon.com/<service>/home?region=<region>`; none for a malformed name.
 */
export function sourcesFor(call: Pick<ToolCallStart, 'service' | 'operation' | 'region'>): UrlSource[] {
  const service = squash(call.service);
  if (!service) return [];
  const region = REGION.test(call.region) ? call.region : '';
  const entry = BY_NAME.get(service);
  if (!entry) {
    if (!region) return [];
    const url = `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
    // the service's name is the model's: shown neutralised (bot/slack-text.ts)
    return [{ type: 'url', url, text: `${neutralizePlain(call.service)} console · ${region}` }];
  }
  if (!entry.global && !region) return [];
  const where = entry.global ? '' : ` · ${region}`;
  const links: UrlSource[] = [];
  const op = squash(call.operation);
  const page = entry.pages?.find(([pattern]) => pattern.test(op));
  if (page) links.push({ type: 'url', url: page[2](region), text: `${page[1]}${where}` });
  const home = entry.home(region);
  if (!links.some((l) => l.url === home)) links.push({ type: 'url', url: home, text: `${entry.name} console${where}` });
  return links.slice(0, MAX_SOURCES_PER_TASK);
}

/**
 * Services (and a few operations) with one endpoint for the whole partition: their data is not in a
 * region, so a call to them is made once, in the partition's global region, whatever `region` or
 * `regions` the model gives, and the region allowlist (AWS_ASK_REGIONS) does not refuse them: it says
 * which regions' resources the bot may read, and these belong to none. ARNs in their parameters are
 * still held to the allowlist (arn-regions.ts).
 *
 * Keyed by the tool's service name (common/aws-services.ts `name`); a name the tool does not support
 * yet is harmless here.
 */

/** Partitions by how their region names begin. */
type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

interface GlobalService {
  /** Only these operations are global (the rest of the service is regional). */
  readonly operations?: readonly string[];
  /** Where the service's one endpoint is, in the `aws` partition, when not us-east-1. */
  readonly home?: string;
}

/** The one list. Sources: each service's endpoint rules in the AWS SDK (one endpoint per partition). */
export const GLOBAL_SERVICES: Readonly<Record<string, GlobalService>> = {
  account: {},
  budgets: {},
  ce: {},
  cloudfront: {},
  costoptimizationhub: {},
  cur: {},
  freetier: {},
  globalaccelerator: { home: 'us-west-2' },
  health: {},
  iam: {},
  networkmanager: { home: 'us-west-2' },
  organizations: {},
  pricing: {},
  route53: {},
  route53domains: {},
  // ListBuckets lists the buckets of every region
  s3: { operations: ['ListBuckets'] },
  savingsplans: {},
  shield: {},
  sts: {},
  support: {},
  waf: {},
};

/** Each partition's global region. */
const GLOBAL_REGION: Readonly<Record<Partition, string>> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** The partition a region is in. */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The region to call a global service's `operation` in, in the partition of `region` (the call's or
 * the default); undefined when the call is regional.
 */
export function globalRegionFor(service: string, operation: string, region: string): string | undefined {
  const entry = Object.hasOwn(GLOBAL_SERVICES, service) ? GLOBAL_SERVICES[service] : undefined;
  if (!entry || (entry.operations && !entry.operations.includes(operation))) return undefined;
  const partition = partitionOf(region);
  return partition === 'aws' && entry.home ? entry.home : GLOBAL_REGION[partition];
}

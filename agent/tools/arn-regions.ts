/**
 * The regions a call's ARNs point at, checked before the call is made. The region allowlist
 * (AWS_ASK_REGIONS) holds only if a parameter cannot take the call elsewhere: the S3 client sends a
 * request whose `Bucket` is an access point, Object Lambda or Outposts ARN to the ARN's region, and a
 * multi-Region access point ARN (empty region) to whichever region S3 picks.
 *
 * The rules, for every ARN-valued string anywhere in the parameters (nested objects and arrays):
 * - with an allowlist, an ARN whose region is not on it is refused (`RegionNotAllowed`), whatever the
 *   service: the user asked about a region the bot may not look at;
 * - with an allowlist, a multi-Region access point ARN in a call to a service that routes by ARN is
 *   refused (`RegionNotAllowed`): it can reach any region;
 * - in a call to a service that routes by ARN (S3, S3 Control), an ARN whose region is not the call's
 *   is refused (`ArnRegionMismatch`), allowlist or not: the call record would name the wrong region,
 *   and the model is told to call again in the ARN's region, where the allowlist is checked.
 * Other services send the request to the call's region whatever the ARN says (AWS answers an error
 * or, for a few, reads across regions), so an allowed ARN region that differs from the call's passes.
 * Regions are compared exactly (`EU-WEST-3` is not `eu-west-3`): odd spellings are refused, not guessed.
 *
 * Some calls name other regions without an ARN, and with an allowlist those are refused too:
 * - a region name in a parameter whose path names a region (`SourceRegion`, `Filters.Region[0].Value`,
 *   `awsRegion`), or in a query expression (AWS Config's SQL `WHERE awsRegion = 'ap-east-1'`);
 * - any AWS Config aggregator call (`ConfigurationAggregatorName`): an aggregator reads every region
 *   (and account) it aggregates, which no filter the bot could check limits.
 */

/** Services whose SDK client picks the endpoint from an ARN in the parameters. */
export const ROUTES_BY_ARN_REGION: ReadonlySet<string> = new Set(['s3', 's3control']);

/** One ARN found in the parameters and where it is (`Bucket`, `ResourceARNList[1]`). */
export interface FoundArn {
  readonly path: string;
  readonly arn: string;
  readonly service: string;
  readonly region: string;
  /** The resource part, everything after the account. */
  readonly resource: string;
}

export interface ArnRegionRefusal {
  readonly code: 'RegionNotAllowed' | 'ArnRegionMismatch';
  /** What happened and what to do, for the model. */
  readonly text: string;
}

/**
 * The parts of `value` if it is an ARN as the SDK reads one (`arn:partition:service:region:account:resource`,
 * at least six `:`-separated parts, partition, service and resource not empty); more lenient than the SDK
 * (surrounding spaces, `ARN:`), so nothing the SDK would route by escapes.
 */
export function parseArn(value: string): Omit<FoundArn, 'path' | 'arn'> | undefined {
  const parts = value.trim().split(':');
  if (parts.length < 6 || parts[0]?.toLowerCase() !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', , ...rest] = parts;
  const resource = rest.join(':');
  if (!partition || !service || !resource) return undefined;
  return { service, region, resource };
}

/** Every ARN-valued string in `parameters`, depth first, with its path. */
export function findArns(parameters: unknown): FoundArn[] {
  const found: FoundArn[] = [];
  const stack: [string, unknown][] = [['', parameters]];
  while (stack.length) {
    const [path, value] = stack.pop() as [string, unknown];
    if (typeof value === 'string') {
      const parsed = parseArn(value);
      if (parsed) found.push({ path, arn: value, ...parsed });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, value[i]]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown];
        stack.push([path ? `${path}.${k}` : k, v]);
      }
    }
  }
  return found;
}

/** An S3 access point ARN with no region: a multi-Region access point, routed by S3 to any region. */
const isMultiRegionAccessPoint = (a: FoundArn): boolean =>
  a.region === '' && a.service.startsWith('s3') && a.resource.split(/[:/]/)[0] === 'accesspoint';

const shown = (arn: string): string => (arn.length > 200 ? `${arn.slice(0, 200)}…` : arn);

/** A region name as AWS spells them (`eu-west-1`, `us-gov-west-1`), anywhere in a text. */
const REGION_NAME = /\b[a-z]{2}(?:-[a-z]+)+-\d{1,2}\b/g;

/** Region names in parameters whose path names a region, or in expressions, with the path. */
export function findRegionNames(parameters: unknown): { path: string; region: string }[] {
  const found: { path: string; region: string }[] = [];
  const visit = (path: string, value: unknown) => {
    if (typeof value === 'string') {
      if (/region/i.test(path) || /(^|\.)(Expression|QueryString|Query)$/i.test(path)) {
        for (const m of value.slice(0, 100_000).matchAll(REGION_NAME)) found.push({ path, region: m[0] });
      }
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(`${path}[${i}]`, v);
    } else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) visit(path ? `${path}.${k}` : k, v);
  };
  visit('', parameters);
  return found;
}

/**
 * A refusal if an ARN in `parameters` would take a call to `service` in `region` out of the allowed
 * regions or, for services that route by ARN, to another region than the call's; undefined if none does.
 * `service` is the tool's service name (`s3`), `allowed` the allowlist (undefined: every region).
 */
export function checkArnRegions(
  service: string,
  region: string,
  parameters: unknown,
  allowed?: readonly string[],
): ArnRegionRefusal | undefined {
  const routes = ROUTES_BY_ARN_REGION.has(service);
  const allowedText = allowed?.join(', ');
  if (allowed) {
    const params = (parameters ?? {}) as Record<string, unknown>;
    if (service === 'config' && typeof params === 'object' && 'ConfigurationAggregatorName' in params) {
      return {
        code: 'RegionNotAllowed',
        text:
          'An AWS Config aggregator reads every region (and account) it aggregates, and this bot may only look at ' +
          `${allowedText}. No AWS call was made; query the recorder of each allowed region instead ` +
          '(config SelectResourceConfig with region set).',
      };
    }
    const outside = findRegionNames(parameters).find((r) => !allowed.includes(r.region));
    if (outside) {
      return {
        code: 'RegionNotAllowed',
        text:
          `Region ${outside.region} is not one this bot may look at: parameters.${outside.path} names it. ` +
          `Allowed regions: ${allowedText}. No AWS call was made; tell the user this region is off limits.`,
      };
    }
  }
  for (const a of findArns(parameters)) {
    const where = `parameters.${a.path} is an ARN`;
    if (allowed && a.region !== '' && !allowed.includes(a.region)) {
      return {
        code: 'RegionNotAllowed',
        text:
          `Region ${a.region} is not one this bot may look at: ${where} in ${a.region} (${shown(a.arn)}). ` +
          `Allowed regions: ${allowedText}. No AWS call was made; tell the user this region is off limits.`,
      };
    }
    if (allowed && routes && isMultiRegionAccessPoint(a)) {
      return {
        code: 'RegionNotAllowed',
        text:
          `${where} of a multi-Region access point (${shown(a.arn)}), which S3 can route to any region; ` +
          `this bot may only look at ${allowedText}. No AWS call was made; use the bucket's name or an ` +
          'access point ARN in an allowed region instead.',
      };
    }
    if (routes && a.region !== '' && a.region !== region) {
      return {
        code: 'ArnRegionMismatch',
        text:
          `${where} in ${a.region} (${shown(a.arn)}) but the call's region is ${region}; ${service} would send ` +
          `the request to ${a.region}. No AWS call was made; call again with region "${a.region}".`,
      };
    }
  }
  return undefined;
}

/**
 * The tool's `regions`: which regions one call runs in. A list is taken as given (each still checked
 * against the allowlist, per region); `"all"` is every region the bot may look at (AWS_ASK_REGIONS)
 * that is enabled in the account, read with EC2 DescribeRegions through the call's own credentials and
 * cached per process. When the account's regions cannot be read, `"all"` falls back to the allowlist,
 * or else to the regions every account has enabled, and says so.
 */
import type { SdkModule } from '../../common/aws-services.ts';
import type { ToolCallStart } from '../../common/protocol.ts';
import { commandClass } from '../aws/operations.ts';
import type { SdkClient } from './client-cache.ts';
import { partitionOf } from './global-services.ts';

/** Most regions one call may name (AWS has fewer; a longer list is a mistake). */
export const MAX_REGIONS = 50;

/** Regions enabled in every AWS account (the ones that need no opt-in), the fallback for `"all"`. */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** The model's `regions`: a list, or every region. */
export type RegionsChoice = readonly string[] | 'all';

/** `eu-west-1` for one region, `17 regions` for several: the record's readable `region`. */
export const regionSummary = (regions: readonly string[]): string =>
  regions.length === 1 ? (regions[0] as string) : `${regions.length} regions`;

/**
 * The `region` and `regions` a call's start shows, from the tool input as the model wrote it:
 * `regions` given, `3 regions` (or `all regions`); else the region, or the default.
 */
export function startRegions(
  input: Record<string, unknown>,
  defaultRegion: string,
): Pick<ToolCallStart, 'region' | 'regions'> {
  const { region, regions } = input;
  if (Array.isArray(regions) && regions.length && regions.every((r) => typeof r === 'string')) {
    const list = [...new Set(regions.map((r: string) => r.trim()))];
    return { region: regionSummary(list), regions: list };
  }
  if (typeof regions === 'string' && regions.trim()) {
    return { region: regions.trim().toLowerCase() === 'all' ? 'all regions' : regions.trim() };
  }
  return { region: (typeof region === 'string' && region.trim()) || defaultRegion };
}

/** The account's enabled regions, or why they could not be read. */
export type EnabledRegions =
  | { readonly ok: true; readonly regions: readonly string[] }
  | { readonly ok: false; readonly why: string };

/**
 * The regions enabled in the account (EC2 DescribeRegions, AllRegions false): those that need no
 * opt-in and those opted in. Never throws.
 */
export async function describeEnabledRegions(ec2: SdkModule, client: SdkClient): Promise<EnabledRegions> {
  try {
    const Cmd = commandClass(ec2, 'DescribeRegions');
    const out = (await client.send(new Cmd({ AllRegions: false }))) as {
      Regions?: { RegionName?: string; OptInStatus?: string }[];
    };
    const regions = (out.Regions ?? [])
      .filter((r) => r.OptInStatus !== 'not-opted-in')
      .flatMap((r) => (r.RegionName ? [r.RegionName] : []));
    return regions.length ? { ok: true, regions } : { ok: false, why: 'DescribeRegions listed none' };
  } catch (e) {
    const err = e as { name?: string; message?: string };
    return { ok: false, why: `DescribeRegions: ${err.name ?? 'Error'}: ${(err.message ?? '').slice(0, 160)}` };
  }
}

/** How `"all"` became a list, for the model. */
export interface ResolvedRegions {
  readonly regions: readonly string[];
  /** Said when the enabled regions could not be read. */
  readonly note?: string;
}

/**
 * `"all"` as a list: the allowlist's regions that are enabled (without an allowlist, every enabled one
 * in the partition of `home`, the default region); when the enabled regions are unknown, the
 * allowlist, or the regions every account has.
 */
export function allRegions(
  enabled: EnabledRegions,
  allowed: readonly string[] | undefined,
  home: string,
): ResolvedRegions {
  if (enabled.ok) {
    const regions = allowed
      ? allowed.filter((r) => enabled.regions.includes(r))
      : enabled.regions.filter((r) => partitionOf(r) === partitionOf(home)).sort();
    return { regions };
  }
  const [regions, what] = allowed
    ? [[...allowed], "the bot's allowed regions"]
    : partitionOf(home) === 'aws'
      ? [[...DEFAULT_ENABLED_REGIONS], `the ${DEFAULT_ENABLED_REGIONS.length} regions every account has enabled`]
      : [[home], 'the default region'];
  return {
    regions,
    note:
      `The account's enabled regions could not be read (${enabled.why}), so "all" means ${what}; ` +
      'a region that is not enabled fails on its own.',
  };
}

/** Enabled regions cached per credentials (they change rarely): for hours after a success, minutes after a failure. */
export class EnabledRegionsCache {
  private readonly entries = new Map<string, { at: number; value: EnabledRegions }>();
  private readonly okMs: number;
  private readonly failedMs: number;
  private readonly maxEntries: number;

  constructor(okMs = 6 * 3_600_000, failedMs = 5 * 60_000, maxEntries = 256) {
    this.okMs = okMs;
    this.failedMs = failedMs;
    this.maxEntries = maxEntries;
  }

  async get(key: string, read: () => Promise<EnabledRegions>): Promise<EnabledRegions> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < (hit.value.ok ? this.okMs : this.failedMs)) return hit.value;
    const value = await read();
    this.entries.delete(key);
    this.entries.set(key, { at: Date.now(), value });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

/** Runs `fn` over `items` with at most `limit` running at once; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

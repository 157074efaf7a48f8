/** Limits, regions and shown environment values of the AWS tool's calls, and reading them from the environment. */
import { DEFAULT_REGION } from '../../common/defaults.ts';
import { REGION, readDefaultRegion, SettingsReader } from '../../common/settings.ts';
import { envGlobProblem } from './redact-env.ts';

export interface AwsCallSettings {
  /** Largest result handed to the model, in bytes of JSON. */
  readonly maxBytes: number;
  /** Most pages fetched for one call. */
  readonly maxPages: number;
  /** Stop fetching pages once this many items were listed. */
  readonly maxItems: number;
  /** Most pages fetched for one call with a `query` (its result is small, so it may read more). */
  readonly queryMaxPages: number;
  /** With a `query`, stop fetching pages once this many items were listed. */
  readonly queryMaxItems: number;
  /** Most regions called at once by one call with `regions`. */
  readonly regionConcurrency: number;
  /** Region used when the model gives none. */
  readonly defaultRegion: string;
  /** When set, calls to other regions are refused. */
  readonly allowedRegions?: readonly string[];
  /**
   * Names or globs (`LOG_LEVEL`, `FEATURE_*`, case-insensitive) of environment variables whose values
   * are shown; every other value is hidden (redact-env.ts).
   */
  readonly showEnvValues?: readonly string[];
}

export const DEFAULT_SETTINGS: AwsCallSettings = {
  maxBytes: 16_384,
  maxPages: 10,
  maxItems: 1_000,
  queryMaxPages: 100,
  queryMaxItems: 50_000,
  // every region enabled by default (17 in the aws partition) in one wave, so "all" takes as long as the slowest
  regionConcurrency: 20,
  defaultRegion: DEFAULT_REGION,
};

/**
 * Settings from USE_AWS_MAX_BYTES, USE_AWS_MAX_PAGES, USE_AWS_MAX_ITEMS, USE_AWS_QUERY_MAX_PAGES,
 * USE_AWS_QUERY_MAX_ITEMS, USE_AWS_REGION_CONCURRENCY, AWS_ASK_REGIONS and AWS_ASK_SHOW_ENV_VALUES, on a
 * process-wide reader. The default region is the agent's when given,
 * else decided as everywhere (common/settings.ts readDefaultRegion).
 */
export function readToolSettings(read: SettingsReader, defaultRegion?: string): AwsCallSettings {
  const regions = read.regions();
  const showEnvValues = readShowEnvValues(read);
  return {
    maxBytes: read.int('USE_AWS_MAX_BYTES', DEFAULT_SETTINGS.maxBytes, 1_024, 1_048_576),
    maxPages: read.int('USE_AWS_MAX_PAGES', DEFAULT_SETTINGS.maxPages, 1, 100),
    maxItems: read.int('USE_AWS_MAX_ITEMS', DEFAULT_SETTINGS.maxItems, 1, 100_000),
    queryMaxPages: read.int('USE_AWS_QUERY_MAX_PAGES', DEFAULT_SETTINGS.queryMaxPages, 1, 1_000),
    queryMaxItems: read.int('USE_AWS_QUERY_MAX_ITEMS', DEFAULT_SETTINGS.queryMaxItems, 1, 1_000_000),
    regionConcurrency: read.int('USE_AWS_REGION_CONCURRENCY', DEFAULT_SETTINGS.regionConcurrency, 1, 32),
    defaultRegion: defaultRegion ?? readDefaultRegion(read, false),
    ...(regions.length ? { allowedRegions: regions } : {}),
    ...(showEnvValues.length ? { showEnvValues } : {}),
  };
}

/**
 * AWS_ASK_SHOW_ENV_VALUES: comma-separated environment variable names or globs whose values are shown
 * (e.g. `LOG_LEVEL,NODE_ENV,FEATURE_*`); a malformed one is a problem, and none of them is used then.
 */
function readShowEnvValues(read: SettingsReader, name = 'AWS_ASK_SHOW_ENV_VALUES'): string[] {
  const patterns = read.list(name);
  const bad = patterns.flatMap((p) => envGlobProblem(p) ?? []);
  if (!bad.length) return patterns;
  read.problem(
    `${name} has ${bad.join('; ')}. ` +
      'Set it to comma-separated variable names or globs, e.g. LOG_LEVEL,NODE_ENV,FEATURE_*.',
  );
  return [];
}

/** The tool's settings alone; ConfigError listing every problem. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCallSettings {
  const read = new SettingsReader(env);
  return read.done(readToolSettings(read));
}

export { REGION };

/** Limits and regions of the AWS tool's calls, and reading them from the environment. */
import { DEFAULT_REGION } from '../../common/defaults.ts';
import { envInt, envRegions, REGION } from '../../common/settings.ts';

export interface AwsCallSettings {
  /** Largest result handed to the model, in bytes of JSON. */
  readonly maxBytes: number;
  /** Most pages fetched for one call. */
  readonly maxPages: number;
  /** Stop fetching pages once this many items were listed. */
  readonly maxItems: number;
  /** Region used when the model gives none. */
  readonly defaultRegion: string;
  /** When set, calls to other regions are refused. */
  readonly allowedRegions?: readonly string[];
}

export const DEFAULT_SETTINGS: AwsCallSettings = {
  maxBytes: 16_384,
  maxPages: 10,
  maxItems: 1_000,
  defaultRegion: DEFAULT_REGION,
};

/** Settings from USE_AWS_MAX_BYTES, USE_AWS_MAX_PAGES, USE_AWS_MAX_ITEMS, AWS_REGION and AWS_ASK_REGIONS. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCallSettings {
  const regions = envRegions(env);
  return {
    maxBytes: envInt(env, 'USE_AWS_MAX_BYTES', DEFAULT_SETTINGS.maxBytes, 1_024, 1_048_576),
    maxPages: envInt(env, 'USE_AWS_MAX_PAGES', DEFAULT_SETTINGS.maxPages, 1, 100),
    maxItems: envInt(env, 'USE_AWS_MAX_ITEMS', DEFAULT_SETTINGS.maxItems, 1, 100_000),
    defaultRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regions[0] ?? DEFAULT_SETTINGS.defaultRegion,
    ...(regions.length ? { allowedRegions: regions } : {}),
  };
}

export { REGION };

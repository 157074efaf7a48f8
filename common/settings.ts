/** Reading settings from the environment: one home for the checks and their messages. */
import { ConfigError } from './errors.ts';

export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A whole number from `min` to `max`, or the fallback when unset; ConfigError otherwise. */
export function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
  return n;
}

/** AWS_ASK_REGIONS: comma-separated region names; ConfigError naming the first bad one. */
export function envRegions(env: NodeJS.ProcessEnv): string[] {
  const regions = (env.AWS_ASK_REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const bad = regions.find((r) => !REGION.test(r));
  if (bad) throw new ConfigError(`AWS_ASK_REGIONS has "${bad}", which is not a region name like eu-west-1.`);
  return regions;
}


/**
 * Reading settings: one reader per process collects every problem and reports them together, one
 * line each with what to set. The agent and the bot read the environment; the CDK app reads context.
 */
import { DEFAULT_REGION } from './defaults.ts';
import { ConfigError } from './errors.ts';

export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Where settings come from: the environment, or CDK context (any value type). */
export type SettingsSource = NodeJS.ProcessEnv | ((name: string) => unknown);

export interface SettingsReaderOptions {
  /** How a setting is named in messages (default: its name, as environment variables are). */
  readonly describe?: (name: string) => string;
}

export class SettingsReader {
  private readonly source: (name: string) => unknown;
  private readonly describe: (name: string) => string;
  private readonly found: string[] = [];

  constructor(source: SettingsSource, options: SettingsReaderOptions = {}) {
    this.source = typeof source === 'function' ? source : (name) => source[name];
    this.describe = options.describe ?? ((name) => name);
  }

  /** Records a problem (a sentence saying what is wrong and what to set). */
  problem(message: string): void {
    if (!this.found.includes(message)) this.found.push(message);
  }

  /** Every problem so far. */
  get problems(): readonly string[] {
    return this.found;
  }

  /** The trimmed text of a setting; undefined when unset or empty. Numbers are taken as text. */
  str(name: string): string | undefined {
    const raw = this.source(name);
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      this.problem(`${this.describe(name)} must be a string (got ${typeof raw}).`);
      return undefined;
    }
    return String(raw).trim() || undefined;
  }

  /** A setting that must be there; `hint` says where to get it. Records a problem and returns '' when absent. */
  required(name: string, hint: string): string {
    const v = this.str(name);
    if (v === undefined) this.problem(`${this.describe(name)} is not set: ${hint}`);
    return v ?? '';
  }

  /** A whole number from `min` to `max`, or the fallback when unset. */
  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problem(`${this.describe(name)} must be a whole number from ${min} to ${max} (got "${raw}").`);
      return fallback;
    }
    return n;
  }

  /** true or false, or the fallback when unset. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      this.problem(`${this.describe(name)} must be true or false (got "${raw}").`);
      return fallback;
    }
    return raw === 'true';
  }

  /** Comma-separated items; empty when unset. */
  list(name: string): string[] {
    return (this.str(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** One of `choices`, or the fallback when unset. */
  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (!(choices as readonly string[]).includes(raw)) {
      this.problem(`${this.describe(name)} must be ${choices.join(' or ')} (got "${raw}").`);
      return fallback;
    }
    return raw as T;
  }

  /** A region name, or undefined when unset. */
  region(name: string): string | undefined {
    const raw = this.str(name);
    if (raw !== undefined && !REGION.test(raw)) {
      this.problem(`${this.describe(name)} "${raw}" is not a region name like eu-west-1.`);
      return undefined;
    }
    return raw;
  }

  /** Comma-separated region names (AWS_ASK_REGIONS, CDK context regions). */
  regions(name = 'AWS_ASK_REGIONS'): string[] {
    const regions = this.list(name);
    const bad = regions.filter((r) => !REGION.test(r));
    if (bad.length) {
      const names = bad.map((b) => `"${b}"`).join(', ');
      this.problem(
        `${this.describe(name)} has ${names}, ` +
          `which ${bad.length > 1 ? 'are not region names' : 'is not a region name'} like eu-west-1.`,
      );
    }
    return regions.filter((r) => REGION.test(r));
  }

  /** Throws one ConfigError listing every problem; else returns `value`. */
  done<T>(value: T): T {
    if (this.found.length) throw new ConfigError(this.found);
    return value;
  }
}

/**
 * The one place the default region is decided: AWS_REGION, else AWS_DEFAULT_REGION; when neither is
 * set, a problem if `required`, else the first of AWS_ASK_REGIONS, else DEFAULT_REGION.
 */
export function readDefaultRegion(read: SettingsReader, required: boolean): string {
  const region = read.region('AWS_REGION') ?? read.region('AWS_DEFAULT_REGION');
  if (region) return region;
  if (required) {
    read.problem('No AWS region: set AWS_REGION (e.g. eu-west-1), the region the bot looks in by default.');
    return DEFAULT_REGION;
  }
  return read.regions()[0] ?? DEFAULT_REGION;
}

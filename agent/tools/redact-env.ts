/**
 * Environment variables: their values are hidden by policy, their names kept, in every form AWS
 * returns them (recognised by key names, so a service works as soon as its client is added):
 *
 * - a map under `Environment.Variables` (Lambda, and in templates), a buildspec's `env.variables`,
 *   `RuntimeEnvironmentVariables` / `RuntimeEnvironmentSecrets` (App Runner), `environmentVariables`
 *   (Amplify), or a flat string map under `Environment` (SageMaker);
 * - a `[{name, value}]` list under `environment` (ECS, Batch), `environmentVariables` (CodeBuild,
 *   with `type`) or `env` (Kubernetes-shaped containers);
 * - Elastic Beanstalk `OptionSettings` entries in the `aws:elasticbeanstalk:application:environment`
 *   (and `…environmentsecrets`) namespace: `OptionName` kept, `Value` hidden.
 *
 * The same forms inside JSON or YAML text (a CloudFormation template, an AWS Config item, an EKS
 * add-on's configuration) are found when redact.ts reads that text as a value.
 *
 * The operator may show the values of chosen names (AWS_ASK_SHOW_ENV_VALUES, case-insensitive globs);
 * a shown value still goes through the value patterns, and a wildcard never shows a secret-looking
 * name (`FEATURE_*` does not show `FEATURE_API_KEY`; naming it exactly does).
 */
import { ENV_HIDDEN, isMark, type Tally } from './redact-marks.ts';
import { isSecretName } from './redact-names.ts';
import { redactText } from './redact-text.ts';

/** Which environment variable values may be shown. */
export interface EnvPolicy {
  /** True when the value of the variable `name` may be shown (after the value patterns). */
  shows(name: string): boolean;
}

/** Nothing shown: the default. */
export const HIDE_ALL_ENV: EnvPolicy = { shows: () => false };

/** A name or glob the operator may list: letters, digits, `_ . -`, and the wildcards `*` and `?`. */
const GLOB = /^[A-Za-z0-9_.*?-]+$/;

/** Why a listed pattern cannot be used, or undefined when it can. */
export function envGlobProblem(pattern: string): string | undefined {
  if (!GLOB.test(pattern)) {
    return `"${pattern}" is not a variable name or glob (letters, digits, _ . - and the wildcards * and ?)`;
  }
  if (/^[*?]+$/.test(pattern)) return `"${pattern}" would show every value; list the names (globs like FEATURE_*)`;
  return undefined;
}

/** The policy for a list of names and globs (already checked with envGlobProblem). */
export function envPolicy(patterns: readonly string[]): EnvPolicy {
  if (patterns.length === 0) return HIDE_ALL_ENV;
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)).map((p) => p.toLowerCase()));
  const globs = patterns
    .filter((p) => /[*?]/.test(p))
    .map((p) => new RegExp(`^${p.replace(/[.-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return {
    shows: (name) => exact.has(name.toLowerCase()) || (!isSecretName(name) && globs.some((g) => g.test(name))),
  };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const MAP_KEYS = new Set(['runtimeenvironmentvariables', 'runtimeenvironmentsecrets', 'environmentvariables']);
const LIST_KEYS = new Set(['environment', 'environmentvariables', 'env']);
const EB_ENV_NAMESPACE = /^aws:elasticbeanstalk:application:environment(secrets)?$/i;

/** The entry's name in a `[{name, value}]` list (also `Name`/`Value`). */
const entryName = (e: unknown): string | undefined => {
  if (!isObj(e)) return undefined;
  const n = e.name ?? e.Name;
  return typeof n === 'string' ? n : undefined;
};

/** How `value`, found under `key` (whose parent is under `parentKey`), holds environment variables, if it does. */
export function envForm(
  key: string,
  parentKey: string,
  value: unknown,
): 'map' | 'list' | 'option-settings' | undefined {
  const k = squash(key);
  if (isObj(value)) {
    // Lambda's `Environment.Variables`; a buildspec's `env.variables` (CodeBuild, Amplify)
    if (k === 'variables' && (squash(parentKey) === 'environment' || squash(parentKey) === 'env')) return 'map';
    if (MAP_KEYS.has(k)) return 'map';
    // SageMaker: `Environment` as a flat map of strings (Lambda's `Environment` holds `Variables`; a
    // CloudFormation CodeBuild project's `Environment` holds `ComputeType` and `Image`)
    if (
      key === 'Environment' &&
      !('ComputeType' in value) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return 'map';
    }
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (LIST_KEYS.has(k) && value.every((e) => entryName(e) !== undefined)) return 'list';
  if (k === 'optionsettings' && value.some((e) => isObj(e) && typeof e.Namespace === 'string')) {
    return 'option-settings';
  }
  return undefined;
}

/** One value under the policy: shown through the value patterns, or hidden (and counted). */
export function envValue(name: string, value: unknown, policy: EnvPolicy, tally: Tally): unknown {
  if (value === undefined || value === null || value === '' || isMark(value)) return value;
  if (typeof value === 'string' && policy.shows(name)) return redactText(value, tally);
  tally.envValues++;
  return ENV_HIDDEN;
}

/**
 * The environment collection with every value hidden unless the policy shows it; names are kept
 * (through the value patterns, in case one holds a secret). Other fields of list entries (`type`)
 * are kept as they are.
 */
export function hideEnv(form: 'map' | 'list' | 'option-settings', value: unknown, policy: EnvPolicy, tally: Tally) {
  if (form === 'map' && isObj(value)) {
    const out: Obj = {};
    for (const [name, v] of Object.entries(value)) out[redactText(name, tally)] = envValue(name, v, policy, tally);
    return out;
  }
  if (!Array.isArray(value)) return value;
  return value.map((e: unknown) => {
    if (!isObj(e)) return e;
    if (form === 'list') {
      const name = entryName(e) ?? '';
      const out: Obj = { ...e };
      for (const k of ['value', 'Value']) if (k in out) out[k] = envValue(name, out[k], policy, tally);
      for (const k of ['name', 'Name']) if (typeof out[k] === 'string') out[k] = redactText(out[k], tally);
      return out;
    }
    if (typeof e.Namespace !== 'string' || !EB_ENV_NAMESPACE.test(e.Namespace)) return e;
    const name = typeof e.OptionName === 'string' ? e.OptionName : '';
    return { ...e, ...('Value' in e ? { Value: envValue(name, e.Value, policy, tally) } : {}) };
  });
}

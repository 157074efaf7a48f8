/**
 * The operator's deny setting: extra IAM action patterns added to the sensitive list in every layer
 * at once (the tool's decision, the session, the role; the deny documents carry them). Set as
 * AWS_ASK_DENY_ACTIONS for `npm run dev`, `npm run ask` and `npm run policy`, and as CDK context
 * `denyActions` for deploys (the stack passes it on to the runtime). E.g. turning log reads off:
 * `logs:GetLogEvents,logs:FilterLogEvents,logs:StartQuery`.
 */
import type { SettingsReader } from '../settings.ts';

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

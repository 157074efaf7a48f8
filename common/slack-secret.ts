/**
 * The Slack secret the stack creates, the bot's functions read and `npm run doctor` checks: one JSON object
 * with the bot token and the signing secret. Its keys, how to fill it and how its text is read live here
 * only. No SDK imports: reading it from Secrets Manager is each caller's own business.
 */

export const SECRET_KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** What the secret holds, each value trimmed; a key that is missing, empty or not a string is left out. */
export type SlackSecretValues = Readonly<Partial<Record<SecretKey, string>>>;

/** The secret's shape, for "the secret is not …" messages. */
export const SECRET_SHAPE = `a JSON object with ${SECRET_KEYS.join(' and ')}`;

/** How to fill the secret, for error messages and the README. */
export const fillSecretHint = (id: string) =>
  `aws secretsmanager put-secret-value --secret-id ${id} ` +
  `--secret-string '{"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}'`;

/** The values in the secret's text, or undefined when the text is not a JSON object (not JSON, an array, …). */
export function parseSlackSecret(text: string | undefined): SlackSecretValues | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const values: Partial<Record<SecretKey, string>> = {};
  for (const key of SECRET_KEYS) {
    const v = (parsed as Record<string, unknown>)[key];
    if (typeof v === 'string' && v.trim()) values[key] = v.trim();
  }
  return values;
}

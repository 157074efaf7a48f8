/**
 * What redaction leaves in place of a value, and the tally of what it replaced, shared by the
 * schema pass (sensitive-members.ts) and the name and pattern net (redact.ts).
 */

/** Stands for a secret: a member the AWS service model marks sensitive, or a value secret by name or pattern. */
export const REDACTED = '**REDACTED**';

/** Stands for an environment variable's value, hidden by policy whatever it holds (the name is kept). */
export const ENV_HIDDEN = '**HIDDEN BY POLICY**';

/**
 * Stands for what a command printed (SSM Run Command output, standard output and error, traces): data
 * contents, never shown whatever they hold; status, times and plugin names are kept beside it.
 */
export const COMMAND_OUTPUT_HIDDEN = '**COMMAND OUTPUT NOT SHOWN (data contents)**';

/** How many values were replaced, by kind. */
export interface Tally {
  /** Secrets replaced by REDACTED (whole values, or the secret part of a string). */
  secrets: number;
  /** Environment variable values replaced by ENV_HIDDEN. */
  envValues: number;
}

export const newTally = (): Tally => ({ secrets: 0, envValues: 0 });

/** True for a value redaction already replaced (so a second pass neither changes nor counts it). */
export const isMark = (v: unknown): boolean => v === REDACTED || v === ENV_HIDDEN || v === COMMAND_OUTPUT_HIDDEN;

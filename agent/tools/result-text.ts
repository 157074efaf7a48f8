/**
 * The text the model reads for a successful call: a head line (call, region, pages, items), the result
 * as compact JSON redacted and fitted to the byte budget, then notes on what more exists, what was cut
 * and what was redacted or hidden (so the model says so rather than guessing).
 */
import { fitToBudget, type Plain } from './output.ts';
import type { MoreResults } from './paginate.ts';
import { redact } from './redact.ts';
import type { EnvPolicy } from './redact-env.ts';
import { ENV_HIDDEN, newTally, REDACTED, type Tally } from './redact-marks.ts';

/** Bytes of the budget kept for the head line and notes. */
const RESERVE_BYTES = 700;
/** The JSON always gets at least this many bytes. */
const MIN_JSON_BYTES = 512;

export interface ResultTextInput {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  /** Pages fetched. */
  readonly pages: number;
  /** Items listed over all pages. */
  readonly items: number;
  /** The merged result, plain. */
  readonly value: Plain;
  readonly more?: MoreResults;
  /** Largest result handed to the model, in bytes. */
  readonly maxBytes: number;
  /** What the schema pass already replaced in the pages (sensitive-members.ts); the net adds its own. */
  readonly redacted?: Tally;
  /** Which environment variable values may be shown; none when absent. */
  readonly env?: EnvPolicy;
}

export function resultText(r: ResultTextInput): string {
  const tally = { ...(r.redacted ?? newTally()) };
  const { value: clean } = redact(r.value, r.env, tally);
  const notes: string[] = [];
  if (r.more) notes.push(moreNote(r.more, r.pages));
  const fitted = fitToBudget(clean, Math.max(MIN_JSON_BYTES, r.maxBytes - RESERVE_BYTES));
  if (fitted.cuts.length) {
    const what = fitted.cuts.map((c) => `${c.path} kept ${c.kept} of ${c.total} ${c.unit}`).join('; ');
    notes.push(
      `Output cut to fit the ${r.maxBytes}-byte budget: ${what}. Your answer covers only what is shown; ` +
        'narrow the request (filters, ids, a smaller page size) to see the rest.',
    );
  }
  if (tally.secrets) {
    notes.push(
      `${tally.secrets} secret-looking value(s) were redacted (shown as ${REDACTED}: marked sensitive by the ` +
        'AWS service model, or secret by name or pattern). Say they are redacted; never guess them.',
    );
  }
  if (tally.envValues) {
    notes.push(
      `${tally.envValues} environment variable value(s) are hidden by policy (shown as ${ENV_HIDDEN}; ` +
        'names kept). Say the values are hidden; never guess them. An operator can show chosen names ' +
        'with AWS_ASK_SHOW_ENV_VALUES.',
    );
  }
  const head = `${r.service}:${r.operation} in ${r.region}: ${r.pages} page(s), ${r.items} item(s).`;
  return [head, JSON.stringify(fitted.value), ...notes.map((n) => `Note: ${n}`)].join('\n');
}

function moreNote(more: MoreResults, pages: number): string {
  const value = JSON.stringify(more.value);
  return more.param
    ? `More results exist beyond the ${pages} page(s) fetched. ` +
        `For the next page call again with parameters.${more.param} = ${value}, or narrow the request.`
    : `More results exist beyond the ${pages} page(s) fetched (${more.field} = ${value}); ` +
        'narrow the request with filters.';
}

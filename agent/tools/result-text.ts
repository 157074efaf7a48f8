/**
 * The text the model reads for a successful call in one region: a head line (call, region, pages,
 * items, whether every page was read), the result as compact JSON fitted to the byte budget, then
 * notes on what more exists, what was cut and what was redacted or hidden (so the model says so rather
 * than guessing). The value comes redacted (aws-caller.ts `shapeOutput`); a query's output comes
 * already queried. The notes are shared with the text of a call in several regions (regions-text.ts).
 */
import { type Cut, fitToBudget, type Plain } from './output.ts';
import type { MoreResults } from './paginate.ts';
import { ENV_HIDDEN, REDACTED, type Tally } from './redact-marks.ts';

/** Bytes of the budget kept for the head line and notes. */
const RESERVE_BYTES = 700;
/** The JSON always gets at least this many bytes. */
export const MIN_JSON_BYTES = 512;

/** One region's result, redacted (and queried), ready to be written for the model. */
export interface RegionResult {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  /** Pages fetched. */
  readonly pages: number;
  /** Items listed over all pages. */
  readonly items: number;
  /** The merged result, redacted; with a query, the query's output. */
  readonly value: Plain;
  readonly more?: MoreResults;
  /** What redaction replaced in everything read (schema pass and net). */
  readonly tally: Tally;
  /** The query the value is the output of. */
  readonly query?: string;
  /** The service is global: said when the model asked for another region or for several. */
  readonly global?: boolean;
  /** The account (its alias) when the deployment reads several. */
  readonly account?: string;
}

/** The text for a call in one region, at most `maxBytes` (but for a very small budget). */
export function resultText(r: RegionResult, maxBytes: number): string {
  const notes: string[] = [];
  if (r.more) notes.push(moreNote(r.more, r.pages, r.items, r.query));
  const fitted = fitToBudget(r.value, Math.max(MIN_JSON_BYTES, maxBytes - RESERVE_BYTES));
  if (fitted.cuts.length) notes.push(cutNote(fitted.cuts.map(cutText), maxBytes));
  notes.push(...redactionNotes(r.tally, r.query === undefined ? undefined : r.value));
  const region = r.global ? `${r.region} (a global service: one call covers every region)` : r.region;
  const where = r.account ? `account ${r.account}, ${region}` : region;
  const head = `${r.service}:${r.operation} in ${where}: ${r.pages} page(s), ${r.items} item(s)${coverage(r)}`;
  return [head, JSON.stringify(fitted.value), ...notes.map((n) => `Note: ${n}`)].join('\n');
}

/** `.` or, with a query, whether the query saw every page. */
function coverage(r: Pick<RegionResult, 'more' | 'query' | 'items'>): string {
  if (r.query === undefined) return '.';
  return r.more
    ? `, NOT every page read: the query covered only these ${r.items} item(s). The query's result:`
    : ", every page read. The query's result:";
}

/** `Reservations kept 3 of 40 items`. */
export const cutText = (c: Cut): string => `${c.path} kept ${c.kept} of ${c.total} ${c.unit}`;

/** What was cut to fit the budget. */
export function cutNote(cuts: readonly string[], maxBytes: number, shared = ''): string {
  return (
    `Output cut to fit the ${maxBytes}-byte budget${shared}: ${cuts.join('; ')}. Your answer covers only what ` +
    'is shown; narrow the request (filters, ids, a smaller page size, a query) to see the rest.'
  );
}

/** More results exist: how to get the next page, or to narrow the request. */
export function moreNote(
  more: MoreResults,
  pages: number,
  items: number,
  query?: string,
  region?: string,
  account?: string,
): string {
  const value = JSON.stringify(more.value);
  const where = `${account ? ` in account ${account}` : ''}${region ? ` in ${region}` : ''}`;
  const covered =
    query === undefined ? '' : ` The query covered only the first ${items} item(s); a count or breakdown is partial.`;
  const named = [account ? `account "${account}"` : '', region ? `region "${region}"` : ''].filter(Boolean).join(', ');
  const again = named ? `call again with ${named} and` : 'call again with';
  const combine = query === undefined ? '' : ' and the same query, then combine the results';
  return more.param
    ? `More results exist${where} beyond the ${pages} page(s) fetched.${covered} ` +
        `For the next page ${again} parameters.${more.param} = ${value}${combine}, or narrow the request.`
    : `More results exist${where} beyond the ${pages} page(s) fetched (${more.field} = ${value}).${covered} ` +
        'Narrow the request with filters.';
}

/** How many markers a value holds: the secrets and environment values a reader of it sees replaced. */
export function countMarks(value: Plain): Tally {
  const tally: Tally = { secrets: 0, envValues: 0 };
  const visit = (v: Plain): void => {
    if (typeof v === 'string') {
      if (v === ENV_HIDDEN) tally.envValues++;
      else tally.secrets += v.split(REDACTED).length - 1;
    } else if (Array.isArray(v)) {
      for (const e of v) visit(e);
    } else if (v !== null && typeof v === 'object') {
      for (const e of Object.values(v)) visit(e);
    }
  };
  visit(value);
  return tally;
}

/**
 * Notes on redaction. Without a query: what was replaced in the result. With one (`queried` its
 * output): the markers the output holds, or, if it holds none but the data did, that the query saw the
 * markers and not the values.
 */
export function redactionNotes(tally: Tally, queried?: Plain): string[] {
  const shown = queried === undefined ? tally : countMarks(queried);
  const notes: string[] = [];
  if (shown.secrets) {
    notes.push(
      `${shown.secrets} secret-looking value(s) were redacted (shown as ${REDACTED}: marked sensitive by the ` +
        'AWS service model, or secret by name or pattern). Say they are redacted; never guess them.',
    );
  }
  if (shown.envValues) {
    notes.push(
      `${shown.envValues} environment variable value(s) are hidden by policy (shown as ${ENV_HIDDEN}; ` +
        'names kept). Say the values are hidden; never guess them. An operator can show chosen names ' +
        'with AWS_ASK_SHOW_ENV_VALUES.',
    );
  }
  if (queried !== undefined && !shown.secrets && !shown.envValues && (tally.secrets || tally.envValues)) {
    notes.push(
      `The query ran after redaction: ${tally.secrets + tally.envValues} value(s) in the data were redacted or ` +
        `hidden, so a filter or count on them saw ${REDACTED} or ${ENV_HIDDEN}, not the values.`,
    );
  }
  return notes;
}

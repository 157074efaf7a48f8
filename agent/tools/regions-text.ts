/**
 * The text the model reads for a call in several regions (`regions`): a head line (which regions,
 * how many answered, pages, items, whether every page was read), one JSON object keyed by region, then
 * notes: regions that failed (the others are still there), more results, cuts, redaction. The byte
 * budget is shared fairly: each region gets an equal share, and what a small result leaves unused is
 * shared among the larger ones (`shareBudget`). A call in several accounts is written the same way,
 * keyed by account alias (then region, when the call named regions); an account that failed as a
 * whole is a failure without a region.
 */
import { BAD_CREDENTIALS } from '../../common/aws-errors.ts';
import { fitToBudget, type Plain } from './output.ts';
import { newTally } from './redact-marks.ts';
import { cutNote, cutText, MIN_JSON_BYTES, moreNote, type RegionResult, redactionNotes } from './result-text.ts';

/** A region whose part failed or was refused; with accounts, its account (without a region: all of it). */
export interface RegionFailure {
  readonly region?: string;
  readonly account?: string;
  readonly code: string;
  /** What the model is told (explain-error.ts, or the refusal). */
  readonly text: string;
  readonly refused: boolean;
}

export interface RegionsTextInput {
  readonly service: string;
  readonly operation: string;
  /** Every region the call was to run in, in the order shown. */
  readonly regions: readonly string[];
  readonly results: readonly RegionResult[];
  readonly failures: readonly RegionFailure[];
  readonly maxBytes: number;
  readonly query?: string;
  /** Said first: how `"all"` became a list when the account's regions could not be read. */
  readonly note?: string;
  /** The one account of the call (its alias), named in the head line. */
  readonly account?: string;
  /** Several accounts, in order: results and failures name theirs and the JSON is keyed by account. */
  readonly accounts?: readonly string[];
  /** With accounts: each account's part keyed by region too (the call named regions). */
  readonly byRegion?: boolean;
}

/** Where a part ran, as the JSON keys it: [region], [account] or [account, region]. */
type PathOf = (x: { readonly account?: string; readonly region?: string }) => string[];

function pathsFor(o: RegionsTextInput): PathOf {
  if (!o.accounts) return (x) => [x.region ?? ''];
  return (x) => [x.account ?? '', ...(o.byRegion && x.region !== undefined ? [x.region] : [])];
}

/** Bytes kept for the note on cuts. */
const CUT_NOTE_BYTES = 500;
/** Longest text kept of one failure. */
const FAILURE_CHARS = 300;

/**
 * Shares `total` bytes between parts of the given sizes: each gets an equal share of what is left,
 * smallest first, so a part smaller than its share keeps all of it and passes the rest on.
 */
export function shareBudget(sizes: readonly number[], total: number): number[] {
  const out = new Array<number>(sizes.length).fill(0);
  const order = sizes.map((_, i) => i).sort((a, b) => (sizes[a] as number) - (sizes[b] as number));
  let left = Math.max(0, total);
  let parts = sizes.length;
  for (const i of order) {
    const give = Math.min(sizes[i] as number, Math.floor(left / parts));
    out[i] = give;
    left -= give;
    parts--;
  }
  return out;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** `eu-west-1`, `staging`, `staging eu-west-1`: a failure's place for the model. */
const placeOf = (f: { readonly account?: string; readonly region?: string }): string =>
  [f.account, f.region].filter(Boolean).join(' ');

/** Failures grouped by error code, one note each. */
function failureNotes(failures: readonly RegionFailure[], results: readonly RegionResult[]): string[] {
  const byCode = new Map<string, RegionFailure[]>();
  for (const f of failures) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  return [...byCode.values()].map((group) => {
    const first = group[0] as RegionFailure;
    const names = group.map(placeOf).join(', ');
    const verb = first.refused ? 'Refused' : 'Failed';
    // the same credentials worked elsewhere (in the same account): a region that is not enabled answers like this
    const sameCreds = results.some((r) => r.account === first.account);
    const hint =
      sameCreds && first.region !== undefined && BAD_CREDENTIALS.test(first.code)
        ? ' The same credentials worked in other regions, so these regions are most likely not enabled in the account.'
        : '';
    const what = first.region === undefined ? 'account' : first.account ? 'part' : 'region';
    return (
      `${verb} in ${names}: ${clip(first.text, FAILURE_CHARS)}${hint} ` +
      `The result has nothing for ${group.length > 1 ? `these ${what}s` : `this ${what}`}; say so.`
    );
  });
}

/** Notes on more results: with each region's next-page token while they fit, else which regions. */
function moreNotes(results: readonly RegionResult[], query: string | undefined, room: number): string[] {
  const partial = results.filter((r) => r.more);
  if (!partial.length) return [];
  const each = partial.map((r) =>
    moreNote(r.more as NonNullable<RegionResult['more']>, r.pages, r.items, query, r.region, r.account),
  );
  if (each.reduce((n, s) => n + bytes(s), 0) <= room) return each;
  const covered =
    query === undefined ? '' : ' (the query covered only what was read there: a count or breakdown is partial)';
  return [
    `More results exist beyond the pages fetched in ${partial.map(placeOf).join(', ')}${covered}; ` +
      'call those regions one at a time to page through, or narrow the request with filters.',
  ];
}

/** The text for a call in several regions, at most `maxBytes` (but for a very small budget). */
export function regionsText(o: RegionsTextInput): string {
  const { results, failures } = o;
  const pages = results.reduce((n, r) => n + r.pages, 0);
  const items = results.reduce((n, r) => n + r.items, 0);
  const partial = results.filter((r) => r.more).map(placeOf);
  const read = partial.length ? `NOT every page read (in ${partial.join(', ')})` : 'every page read';
  const pathOf = pathsFor(o);
  const label = (x: { account?: string; region?: string }) => pathOf(x).join(' ');
  const accounts = o.accounts;
  const queried =
    o.query === undefined
      ? ''
      : ` The query ran in each ${accounts ? 'account' : 'region'}${accounts && o.byRegion ? ' and region' : ''}.`;
  const regionsPart = `${o.regions.length} region(s) (${o.regions.join(', ')})`;
  const where = accounts
    ? `${accounts.length} account(s) (${accounts.join(', ')})` +
      (o.byRegion ? ` × ${regionsPart}` : `, ${o.regions.join(', ')}`)
    : `${o.account ? `account ${o.account}, ` : ''}${regionsPart}`;
  const by = accounts ? (o.byRegion ? 'account, then region' : 'account') : 'region';
  const head =
    `${o.service}:${o.operation} in ${where}: ` +
    `${results.length} answered, ${failures.length} failed; ${pages} page(s), ${items} item(s); ${read}.${queried} ` +
    `Results by ${by}:`;

  const tally = newTally();
  for (const r of results) {
    tally.secrets += r.tally.secrets;
    tally.envValues += r.tally.envValues;
  }
  const values = Object.fromEntries(results.map((r) => [label(r), r.value])) as Record<string, Plain>;
  const fixed = [
    ...(o.note ? [o.note] : []),
    ...failureNotes(failures, results),
    ...moreNotes(results, o.query, Math.floor(o.maxBytes / 4)),
  ];
  const redaction = redactionNotes(tally, o.query === undefined ? undefined : values);
  const textBytes = (notes: readonly string[]) => notes.reduce((n, s) => n + bytes(s) + 7, 0);
  const jsonBudget = Math.max(
    MIN_JSON_BYTES,
    o.maxBytes - bytes(head) - textBytes(fixed) - textBytes(redaction) - CUT_NOTE_BYTES - 2,
  );

  // each part's JSON in its fair share of the budget
  const sizes = results.map((r) => bytes(JSON.stringify(r.value)));
  const overhead = results.reduce((n, r) => n + pathOf(r).reduce((m, k) => m + bytes(JSON.stringify(k)) + 3, 0), 2);
  const shares = shareBudget(sizes, jsonBudget - overhead);
  const cuts: string[] = [];
  const fitted: Record<string, Plain> = {};
  const put = (path: readonly string[], value: Plain) => {
    let into = fitted;
    for (const k of path.slice(0, -1)) {
      into[k] ??= {};
      into = into[k] as Record<string, Plain>;
    }
    into[path.at(-1) as string] = value;
  };
  results.forEach((r, i) => {
    if ((sizes[i] as number) <= (shares[i] as number)) {
      put(pathOf(r), r.value);
      return;
    }
    const part = fitToBudget(r.value, Math.max(2, shares[i] as number));
    put(pathOf(r), part.value);
    cuts.push(...part.cuts.map((c) => `${label(r)}: ${cutText(c)}`));
    if (!part.cuts.length) cuts.push(`${label(r)}: could not be cut to its share`);
  });
  let json = JSON.stringify(fitted);
  if (bytes(json) > jsonBudget) {
    // a part that would not cut (a long list of numbers, say): cut the whole
    const whole = fitToBudget(fitted, jsonBudget);
    json = JSON.stringify(whole.value);
    cuts.push(...whole.cuts.map(cutText));
  }
  const notes = [...fixed];
  if (cuts.length) {
    const shared = results.length > 1 ? `, shared by ${results.length} ${accounts ? 'parts' : 'regions'}` : '';
    const shown = cuts.length > 8 ? [...cuts.slice(0, 8), `and ${cuts.length - 8} more`] : cuts;
    notes.push(cutNote(shown, o.maxBytes, shared));
  }
  notes.push(...redaction);
  return [head, json, ...notes.map((n) => `Note: ${n}`)].join('\n');
}

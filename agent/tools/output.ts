/**
 * What an AWS response becomes before the model sees it: plain compact JSON (ISO dates, no SDK
 * metadata), and the whole cut to a byte budget with a note that says what was cut. (Redaction
 * happens before and beside this: sensitive-members.ts on the raw pages, redact.ts on the result.)
 */

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

const MAX_DECODED_BYTES = 4096;

/** SDK output → JSON-safe value: `$metadata` dropped, Dates as ISO strings, bytes decoded or summarised. */
export function toPlain(value: unknown, depth = 0): Plain | undefined {
  if (value === null || value === undefined) return undefined;
  if (depth > 64) return '[nested too deep]';
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) {
    if (value.byteLength > MAX_DECODED_BYTES) return `[${value.byteLength} bytes of binary data omitted]`;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(value);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary data
    return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)
      ? `[${value.byteLength} bytes of binary data omitted]`
      : text;
  }
  if (Array.isArray(value)) {
    const arr = value.map((v) => toPlain(v, depth + 1) ?? null);
    // Below the top level an empty list says nothing the model needs; at the top ("Reservations": [])
    // it is the answer.
    return arr.length === 0 && depth > 1 ? undefined : arr;
  }
  if (typeof value === 'object') {
    if (
      typeof (value as { pipe?: unknown }).pipe === 'function' ||
      typeof (value as { getReader?: unknown }).getReader === 'function'
    ) {
      return '[stream omitted]';
    }
    const out: Record<string, Plain> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || k === '$fault' || k === '$response') continue;
      const p = toPlain(v, depth + 1);
      if (p !== undefined && !(p === '' && depth > 0)) out[k] = p;
    }
    return depth > 1 && Object.keys(out).length === 0 ? undefined : out;
  }
  return undefined;
}

export interface Cut {
  /** JSON path of the array or string that was cut, e.g. `Reservations` or `Buckets`. */
  readonly path: string;
  readonly kept: number;
  readonly total: number;
  readonly unit: 'items' | 'characters';
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

interface Found {
  path: (string | number)[];
  size: number;
}

/** The largest array (not yet exhausted), or the longest string, anywhere in the value. */
function largest(value: Plain, kind: 'array' | 'string', skip: ReadonlySet<string> = new Set()): Found | undefined {
  let best: Found | undefined;
  const visit = (v: Plain, path: (string | number)[]) => {
    if (v === null || typeof v !== 'object') {
      if (kind === 'string' && typeof v === 'string' && v.length > 64) {
        const size = bytes(v);
        if (!best || size > best.size) best = { path, size };
      }
      return;
    }
    if (Array.isArray(v)) {
      if (kind === 'array' && v.length > 0 && !skip.has(pathText(path))) {
        const size = bytes(JSON.stringify(v));
        if (!best || size > best.size) best = { path, size };
      }
      for (const [i, e] of v.entries()) visit(e, [...path, i]);
      return;
    }
    for (const [k, c] of Object.entries(v)) visit(c, [...path, k]);
  };
  visit(value, []);
  return best;
}

function getAt(root: Plain, path: (string | number)[]): Plain {
  let cur: Plain = root;
  for (const p of path) cur = (cur as Record<string | number, Plain>)[p] ?? null;
  return cur;
}

function setAt(root: Plain, path: (string | number)[], v: Plain): Plain {
  if (path.length === 0) return v;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Plain>;
  parent[path[path.length - 1] as string | number] = v;
  return root;
}

const pathText = (path: (string | number)[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(result)';

/**
 * Cuts a value to at most `maxBytes` of JSON: the largest arrays first (keeping their first items),
 * then over-long strings. Returns the cut value and what was cut.
 */
export function fitToBudget(input: Plain, maxBytes: number): { value: Plain; cuts: Cut[]; bytes: number } {
  let value: Plain = structuredClone(input);
  let total = bytes(JSON.stringify(value));
  const cuts: Cut[] = [];
  const exhausted = new Set<string>();
  for (let guard = 0; total > maxBytes && guard < 256; guard++) {
    const arr = largest(value, 'array', exhausted);
    if (arr) {
      const at = pathText(arr.path);
      const items = getAt(value, arr.path) as Plain[];
      const sizes = items.map((e) => bytes(JSON.stringify(e)) + 1);
      let kept = 0;
      let used = total - arr.size + 2;
      while (kept < items.length && used + (sizes[kept] ?? 0) <= maxBytes) used += sizes[kept++] ?? 0;
      // The next item does not fit whole: if there is room left and it has lists inside (an EC2
      // reservation holding many instances), keep it too and cut inside it next round.
      const next = items[kept];
      const inner = largest(next ?? null, 'array');
      // only a container of many records (a reservation of instances) is worth keeping in part; a
      // single record with a few nested lists is kept whole or not at all
      const partial =
        kept < items.length &&
        maxBytes - used > 512 &&
        inner !== undefined &&
        (getAt(next ?? null, inner.path) as Plain[]).length >= 5;
      if (partial) kept++;
      if (kept >= items.length && !partial) {
        exhausted.add(at);
        continue;
      }
      if (partial) exhausted.add(at);
      value = setAt(value, arr.path, items.slice(0, kept));
      if (kept < items.length) {
        const prior = cuts.findIndex((c) => c.path === at);
        const cut: Cut = {
          path: at,
          kept,
          total: prior >= 0 ? (cuts[prior] as Cut).total : items.length,
          unit: 'items',
        };
        if (prior >= 0) cuts.splice(prior, 1, cut);
        else cuts.push(cut);
      }
      total = bytes(JSON.stringify(value));
      continue;
    }
    const str = largest(value, 'string');
    if (!str) break;
    const s = getAt(value, str.path) as string;
    const keep = Math.max(0, s.length - (total - maxBytes) - 32);
    value = setAt(value, str.path, `${s.slice(0, keep)}…[cut]`);
    cuts.push({ path: pathText(str.path), kept: keep, total: s.length, unit: 'characters' });
    total = bytes(JSON.stringify(value));
  }
  return { value, cuts, bytes: total };
}

/** Sum of the lengths of the top-level arrays of a page: how many items it listed. */
export function countItems(page: Plain): number {
  if (page === null || typeof page !== 'object' || Array.isArray(page)) return Array.isArray(page) ? page.length : 0;
  let n = 0;
  for (const v of Object.values(page)) if (Array.isArray(v)) n += v.length;
  return n;
}

/**
 * Pagination: fetch an operation's pages with the SDK paginator, bounded by pages and items; say how
 * to get the next page when stopped early; merge the pages into one result.
 */

import type { SdkModule } from '../../common/aws-services.ts';
import { commandClass, paginatorFor } from '../aws/operations.ts';
import type { SdkClient } from './client-cache.ts';
import { countItems, type Plain, toPlain } from './output.ts';

/** Keys that carry a pagination token, in input or output. */
export const TOKEN_KEY = /(token|marker|continuation|exclusivestart|lastevaluated)/i;

export interface PageLimits {
  /** Most pages fetched for one call. */
  readonly maxPages: number;
  /** Stop fetching pages once this many items were listed. */
  readonly maxItems: number;
}

/** More results exist: the output `field` holds the token `value`, passed back as input `param` if known. */
export interface MoreResults {
  readonly param?: string;
  readonly field: string;
  readonly value: unknown;
}

export interface FetchedPages {
  readonly pages: Record<string, unknown>[];
  readonly more?: MoreResults;
}

/** One page for operations without a paginator; otherwise pages until the end or the limits. */
export async function fetchPages(
  mod: SdkModule,
  operation: string,
  client: SdkClient,
  parameters: Record<string, unknown>,
  limits: PageLimits,
): Promise<FetchedPages> {
  const paginate = paginatorFor(mod, operation);
  const Cmd = commandClass(mod, operation);
  if (!paginate) return { pages: [await client.send(new Cmd({ ...parameters }))] };

  const input: Record<string, unknown> = { ...parameters };
  const given = new Set(Object.keys(parameters));
  const pages: Record<string, unknown>[] = [];
  let items = 0;
  let stoppedEarly = false;
  for await (const page of paginate({ client }, input)) {
    pages.push(page);
    items += countItems(toPlain(page) ?? {});
    if (pages.length >= limits.maxPages || items >= limits.maxItems) {
      stoppedEarly = true;
      break;
    }
  }
  if (!stoppedEarly) return { pages };
  const last = pages[pages.length - 1] ?? {};
  if (last.IsTruncated === false || last.Truncated === false) return { pages };
  const field = Object.keys(last).find(
    (k) => TOKEN_KEY.test(k) && last[k] !== undefined && last[k] !== null && last[k] !== '',
  );
  if (!field) return { pages };
  // The paginator writes its input token into `input`; pick the token-like key it added or set.
  const param =
    Object.keys(input).find((k) => TOKEN_KEY.test(k) && (!given.has(k) || input[k] !== parameters[k])) ??
    Object.keys(input).find((k) => TOKEN_KEY.test(k));
  return { pages, more: { ...(param ? { param } : {}), field, value: toPlain(last[field]) } };
}

/** Pages → one result: list members concatenated, other keys from the first page that has them, tokens dropped. */
export function mergePages(pages: Plain[]): Plain {
  const [first, ...rest] = pages;
  if (first === undefined) return {};
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first;
  const out: Record<string, Plain> = { ...first };
  for (const page of rest) {
    if (page === null || typeof page !== 'object' || Array.isArray(page)) continue;
    for (const [k, v] of Object.entries(page)) {
      const cur = out[k];
      if (Array.isArray(v) && Array.isArray(cur)) out[k] = [...cur, ...v];
      else if (!(k in out)) out[k] = v;
    }
  }
  if (rest.length) {
    for (const k of Object.keys(out)) if (TOKEN_KEY.test(k) && !Array.isArray(out[k])) delete out[k];
  }
  return out;
}

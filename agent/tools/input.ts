/**
 * The model's tool input: the error for input that cannot be called; parsing `parameters`, `regions`,
 * `account`/`accounts` and `query`.
 */
import { REGION } from '../../common/settings.ts';
import type { AccountsChoice } from './accounts.ts';
import { MAX_REGIONS, type RegionsChoice } from './regions.ts';

/** Input the tool refuses before any AWS call. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/** Parses the `parameters` input: an object, a JSON-encoded object, or absent. */
export function parseParameters(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return {};
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new ToolInputError(
        `"parameters" is a string that is not valid JSON (${(e as Error).message}); pass an object.`,
      );
    }
    if (value === null) return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'an array' : typeof value;
    throw new ToolInputError(`"parameters" must be an object of the operation's parameters, not ${kind}.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses the `regions` input: `"all"` (also `["all"]`), or a list of region names, deduplicated;
 * undefined when absent. `region` and `regions` together are refused: which one would the call use?
 */
export function parseRegions(raw: unknown, regionGiven: boolean): RegionsChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (regionGiven) {
    throw new ToolInputError(
      'Give either region (one region) or regions (a list, or "all"), not both. ' +
        'E.g. regions: ["eu-west-1", "us-east-1"] or regions: "all".',
    );
  }
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || !list.length || !list.every((r) => typeof r === 'string')) {
    throw new ToolInputError(
      'regions must be "all" or a non-empty list of region names, e.g. ["eu-west-1", "us-east-1"].',
    );
  }
  const names = [...new Set(list.map((r: string) => r.trim()))];
  if (names.length === 1 && names[0]?.toLowerCase() === 'all') return 'all';
  const bad = names.filter((r) => !REGION.test(r));
  if (bad.length) {
    const shown = bad.slice(0, 5).map((r) => JSON.stringify(r.slice(0, 40)));
    const what = bad.length > 1 ? 'names that are not AWS region names' : 'a name that is not an AWS region name';
    throw new ToolInputError(`regions has ${what}: ${shown.join(', ')}; use names like eu-west-1, or "all" alone.`);
  }
  if (names.length > MAX_REGIONS) {
    throw new ToolInputError(`regions lists ${names.length} regions; the most is ${MAX_REGIONS} (or "all").`);
  }
  return names;
}

/** Parses the `query` input: a JMESPath expression (checked later, by query.ts), or undefined when absent or empty. */
export function parseQuery(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') {
    throw new ToolInputError(
      `query must be a string (a JMESPath expression), not ${Array.isArray(raw) ? 'an array' : typeof raw}.`,
    );
  }
  return raw.trim() || undefined;
}

/** Most accounts one call may name (more is `"all"`). */
export const MAX_ACCOUNTS = 100;
/** An account as the model may name it: an alias or a 12-digit id (checked against the allowed set later). */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/**
 * Parses `account` (one name) and `accounts` (`"all"`, also `["all"]`, or a list, deduplicated); both
 * absent: undefined. Both given is refused: which would the call use?
 */
export function parseAccounts(
  account: unknown,
  accounts: unknown,
): { readonly account?: string; readonly accounts?: AccountsChoice } {
  const name = (v: unknown): string => {
    const t = typeof v === 'string' ? v.trim() : '';
    if (!ACCOUNT_NAME.test(t)) {
      const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
      throw new ToolInputError(`${shown} is not an account name: give an alias (e.g. prod) or a 12-digit account id.`);
    }
    return t;
  };
  const given = (v: unknown) => v !== undefined && v !== null;
  if (given(account) && given(accounts)) {
    throw new ToolInputError(
      'Give either account (one account) or accounts (a list, or "all"), not both. ' +
        'E.g. account: "prod" or accounts: ["prod", "staging"] or accounts: "all".',
    );
  }
  if (given(account)) return { account: name(account) };
  if (!given(accounts)) return {};
  const list = typeof accounts === 'string' ? [accounts] : accounts;
  if (!Array.isArray(list) || !list.length) {
    throw new ToolInputError(
      'accounts must be "all" or a non-empty list of account aliases or ids, e.g. ["prod", "staging"].',
    );
  }
  if (list.length === 1 && typeof list[0] === 'string' && list[0].trim().toLowerCase() === 'all')
    return { accounts: 'all' };
  const names = [...new Set(list.map(name))];
  if (names.length > MAX_ACCOUNTS) {
    throw new ToolInputError(`accounts lists ${names.length} accounts; the most is ${MAX_ACCOUNTS} (or "all").`);
  }
  return { accounts: names };
}

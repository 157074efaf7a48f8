/**
 * The tool's `account` and `accounts`: which accounts one call runs in. The allowed set is computed
 * in one place, `allowedAccountsFor`: every configured account (agent/accounts.ts), narrowed by the
 * asker's scope when the deployment gives one (`scopeFor`: what a Slack channel or user may ask about).
 * A name outside it is refused before any AWS call, with the allowed names.
 */
import { type Account, namesText } from '../../common/accounts.ts';
import type { Asker, ToolCallStart } from '../../common/protocol.ts';
import type { AccountDirectory } from '../accounts.ts';

/** The model's `accounts`: a list of ids or aliases, or every allowed account. */
export type AccountsChoice = readonly string[] | 'all';

/** What an asker may ask about; absent fields are not narrowed. Names are aliases or ids. */
export interface CallScope {
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
}

export type ScopeFor = (asker?: Asker) => CallScope | undefined;

/** The accounts one call may use, the home account (where a call without `account` goes), and who is narrowed. */
export interface AllowedAccounts {
  readonly accounts: readonly Account[];
  readonly home: Account;
  /** `this channel` / `you` when a scope narrowed the set; undefined when it is every configured account. */
  readonly scopedTo?: string;
}

/** Who a scope speaks of in a refusal: the channel asked in, else the asker. */
export const scopeSubject = (asker?: Asker): string => (asker?.channelId ? 'this channel' : 'you');

const matches = (a: Account, name: string): boolean => a.id === name || a.alias === name.toLowerCase();

/** The one home of the allowed account set: every configured account, narrowed by the scope if any. */
export async function allowedAccountsFor(
  directory: AccountDirectory,
  asker?: Asker,
  scope?: CallScope,
): Promise<AllowedAccounts> {
  const all = await directory.accounts();
  const home = all[0] ?? directory.config.home;
  if (!scope?.accounts) return { accounts: all, home };
  const names = scope.accounts;
  return {
    accounts: all.filter((a) => names.some((n) => matches(a, n))),
    home,
    scopedTo: scopeSubject(asker),
  };
}

/** Why a name is refused: the allowed accounts, said as the scope or the deployment allows them. */
export function accountRefusal(names: readonly string[], allowed: AllowedAccounts): string {
  const list = allowed.accounts.map((a) => `${a.alias} (${a.id})`);
  const who = allowed.scopedTo
    ? `${allowed.scopedTo[0]?.toUpperCase()}${allowed.scopedTo.slice(1)} may ask about ${namesText(list)}`
    : `This bot may read ${namesText(list)}`;
  const what = !names.length
    ? 'no account is'
    : `${names.length > 1 ? 'accounts' : 'account'} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not`;
  return `Refused: ${what} allowed here. ${who}. No AWS call was made.`;
}

/** Accounts chosen, or the refusal. */
export type PickedAccounts =
  | { readonly ok: true; readonly accounts: readonly Account[] }
  | { readonly ok: false; readonly text: string };

/**
 * The accounts of a call: `account` alone, each of `accounts` (`"all"`: every allowed one), or the home
 * account when neither is given (refused too when a scope leaves it out).
 */
export function pickAccounts(
  req: { readonly account?: string; readonly accounts?: AccountsChoice },
  allowed: AllowedAccounts,
): PickedAccounts {
  if (req.accounts === 'all') {
    return allowed.accounts.length
      ? { ok: true, accounts: allowed.accounts }
      : { ok: false, text: accountRefusal([], allowed) };
  }
  const names = req.accounts ?? (req.account !== undefined ? [req.account] : undefined);
  if (!names) {
    const home = allowed.accounts.find((a) => a.id === allowed.home.id);
    return home ? { ok: true, accounts: [home] } : { ok: false, text: accountRefusal([allowed.home.alias], allowed) };
  }
  const out: Account[] = [];
  const refused: string[] = [];
  for (const n of names) {
    const a = allowed.accounts.find((x) => matches(x, n));
    if (!a) refused.push(n);
    else if (!out.includes(a)) out.push(a);
  }
  return refused.length ? { ok: false, text: accountRefusal(refused, allowed) } : { ok: true, accounts: out };
}

/** `prod` for one account, `3 accounts` for several: the record's readable `account`. */
export const accountSummary = (aliases: readonly string[]): string =>
  aliases.length === 1 ? (aliases[0] as string) : `${aliases.length} accounts`;

/** The `account` and `accounts` a call's start shows, from the tool input as the model wrote it. */
export function startAccounts(input: Record<string, unknown>): Pick<ToolCallStart, 'account' | 'accounts'> {
  const { account, accounts } = input;
  if (typeof account === 'string' && account.trim()) return { account: account.trim().toLowerCase() };
  if (Array.isArray(accounts) && accounts.length && accounts.every((a) => typeof a === 'string')) {
    const list = [...new Set(accounts.map((a: string) => a.trim().toLowerCase()))];
    if (list.length === 1 && list[0] === 'all') return { account: 'all accounts' };
    return { account: accountSummary(list), accounts: list };
  }
  if (typeof accounts === 'string' && accounts.trim().toLowerCase() === 'all') return { account: 'all accounts' };
  return {};
}

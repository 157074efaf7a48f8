/**
 * The AWS accounts the bot may read (AWS_ASK_ACCOUNTS), read once per process with every problem
 * reported. The home account is the account of the tool role (TOOL_ROLE_ARN): its alias from the list
 * when it is there, else `default`. Each member is read through a role named TOOL_ROLE_NAME (default:
 * the tool role's own name, with its path) in that account. `organization` (optionally
 * `organization:ou-…,ou-…`) lists the accounts from AWS Organizations instead (agent/accounts.ts).
 */
import type { SettingsReader } from './settings.ts';

/** One account the bot may read: its 12-digit id and the short name people and the model use. */
export interface Account {
  readonly id: string;
  readonly alias: string;
}

/** Where the accounts come from: a fixed list, or AWS Organizations (every account, or under these OUs). */
export type AccountsSource =
  | { readonly kind: 'list'; readonly accounts: readonly Account[] }
  | { readonly kind: 'organization'; readonly parents: readonly string[] };

export interface AccountsConfig {
  readonly source: AccountsSource;
  /** The tool role's account: where a call without `account` goes. */
  readonly home: Account;
  /** TOOL_ROLE_NAME when set: the role (with its path) read in each member; else the tool role's. */
  readonly roleName?: string;
}

export const ALIAS = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const ACCOUNT_ID = /^\d{12}$/;
/** A role name with an optional path: `aws-ask-tool`, `ops/aws-ask-tool`. */
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** An OU id or an organization root id. */
const PARENT = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** The alias of the home account when the list does not name it. */
export const HOME_ALIAS = 'default';
/** Words the tool's input gives a meaning of their own: no account may be called that. */
const RESERVED = new Set(['all']);

/** `arn:aws:iam::123456789012:role/path/name` → partition, account and role (path and name). */
export function parseRoleArn(arn: string): { partition: string; account: string; role: string } | undefined {
  const m = /^arn:([a-z-]+):iam::(\d{12}):role\/(.+)$/.exec(arn);
  return m ? { partition: m[1] as string, account: m[2] as string, role: m[3] as string } : undefined;
}

/** An account name as an alias: lower case, runs of anything else as one `-` (`Prod EU` → `prod-eu`). */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** `prod`, `prod and staging`, `prod, staging and dev`. */
export function namesText(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'none';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Parses `prod=111111111111,staging=222222222222`; every bad entry is a problem. */
function readList(read: SettingsReader, name: string, entries: readonly string[]): Account[] {
  const accounts: Account[] = [];
  for (const entry of entries) {
    const [alias = '', id = '', ...rest] = entry.split('=').map((s) => s.trim());
    if (rest.length || !ALIAS.test(alias) || !ACCOUNT_ID.test(id) || RESERVED.has(alias)) {
      const why = RESERVED.has(alias)
        ? `"${alias}" is a reserved word`
        : !ALIAS.test(alias)
          ? 'an alias is lower-case letters, digits and -'
          : 'an id is 12 digits';
      read.problem(`${name} has "${entry}": write alias=account-id, e.g. prod=111111111111 (${why}).`);
      continue;
    }
    accounts.push({ alias, id });
  }
  const dup = (key: 'alias' | 'id') => [
    ...new Set(accounts.map((a) => a[key]).filter((v, i, all) => all.indexOf(v) !== i)),
  ];
  for (const key of ['alias', 'id'] as const) {
    const twice = dup(key);
    if (twice.length)
      read.problem(`${name} names ${key === 'alias' ? 'the alias' : 'the account'} ${twice.join(', ')} twice.`);
  }
  return accounts;
}

/**
 * AWS_ASK_ACCOUNTS itself (the one parser of its format, for the agent and the bot's scope check):
 * `alias=id,…`, `organization` or `organization:ou-…,r-…`; undefined when unset. Problems are recorded.
 */
export function readAccountSource(read: SettingsReader, name = 'AWS_ASK_ACCOUNTS'): AccountsSource | undefined {
  const raw = read.str(name);
  if (raw === undefined) return undefined;
  const org = /^organization(?::(.*))?$/i.exec(raw);
  if (!org) return { kind: 'list', accounts: readList(read, name, read.list(name)) };
  const parents = (org[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parents.filter((p) => !PARENT.test(p));
  if (bad.length) {
    read.problem(
      `${name} has ${bad.map((b) => `"${b}"`).join(', ')}: after organization: list OU ids like ` +
        'ou-abcd-11111111 (or a root id r-abcd), comma-separated.',
    );
  }
  return { kind: 'organization', parents: parents.filter((p) => PARENT.test(p)) };
}

/**
 * AWS_ASK_ACCOUNTS and TOOL_ROLE_NAME on a process-wide reader (problems are collected, not thrown);
 * undefined when AWS_ASK_ACCOUNTS is unset (the bot reads the tool role's account alone).
 * `hubRoleArn` is TOOL_ROLE_ARN, already checked by agent/credentials.ts.
 */
export function readAccountsConfig(read: SettingsReader, hubRoleArn: string | undefined): AccountsConfig | undefined {
  const name = 'AWS_ASK_ACCOUNTS';
  const raw = read.str(name);
  if (raw === undefined) return undefined;
  const hub = hubRoleArn ? parseRoleArn(hubRoleArn) : undefined;
  if (!hub) {
    read.problem(
      `${name} needs TOOL_ROLE_ARN: the tool role's account is the home account, and each member is read ` +
        'through a role of the same name (or TOOL_ROLE_NAME).',
    );
  }
  const roleName = read.str('TOOL_ROLE_NAME');
  if (roleName !== undefined && !ROLE_NAME.test(roleName)) {
    read.problem(
      `TOOL_ROLE_NAME must be an IAM role name (optionally with a path), e.g. aws-ask-tool (got "${roleName}").`,
    );
  }
  const source = readAccountSource(read, name) as AccountsSource;
  const homeId = hub?.account ?? '000000000000';
  const listed = source.kind === 'list' ? source.accounts.find((a) => a.id === homeId) : undefined;
  if (!listed && source.kind === 'list' && source.accounts.some((a) => a.alias === HOME_ALIAS)) {
    read.problem(
      `${name} gives the alias "${HOME_ALIAS}" to another account than the tool role's (${homeId}); ` +
        `"${HOME_ALIAS}" names the tool role's account unless the list names it: add an alias for ${homeId}.`,
    );
  }
  return {
    source,
    home: listed ?? { id: homeId, alias: HOME_ALIAS },
    ...(roleName && ROLE_NAME.test(roleName) ? { roleName } : {}),
  };
}

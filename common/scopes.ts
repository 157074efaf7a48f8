/**
 * Scopes: which AWS accounts and regions people may ask about, by Slack channel and person, with a default
 * (AWS_ASK_SCOPES; the same JSON as CDK context `scopes`). The one home of the format, its validation, how the
 * scope of a question is found and how it is said. The bot shows it (`/aws-ask help`, the Home tab); the agent's
 * tool enforces it from the asker it receives, before any AWS call: never the model or the prompt.
 *
 * ```json
 * {"default":  {"accounts": ["staging"], "regions": ["eu-west-1"]},
 *  "channels": {"C0OPS": {"accounts": ["prod", "staging"]}, "C0FIN": {"accounts": "all", "regions": ["us-east-1"]}},
 *  "users":    {"U0ALICE": {"accounts": "all"}}}
 * ```
 *
 * - A scope's `accounts` are aliases or 12-digit ids of the accounts AWS_ASK_ACCOUNTS names
 *   (`prod=111111111111,staging=222222222222`), or `"all"`; its `regions` are region names, or `"all"`. A key left
 *   out is `"all"`. `default` left out: every account and region.
 * - In a direct message (a channel id starting with D, or none): the person's scope, else the default.
 * - In a channel: the channel's scope, else the default; a person who has a scope of their own gets the
 *   intersection of both there. A channel's answers are read by everyone in it, so the channel caps what is asked
 *   in it, and a person limited to some accounts stays limited in every channel.
 * - AWS_ASK_SCOPES unset: everyone may ask about every account and region (`configured` is false).
 */
import { ACCOUNT_ID, ALIAS, HOME_ALIAS, parseRoleArn, readAccountSource } from './accounts.ts';
import { outOfScopeMessage } from './errors.ts';
import { REGION, SettingsReader, type SettingsSource } from './settings.ts';

/** One account of a scope: its alias and id where AWS_ASK_ACCOUNTS names it, else the id or alias as written. */
export interface ScopeAccount {
  readonly alias?: string;
  readonly id?: string;
}

/** What may be asked about: accounts and regions, each `'all'` or a list (an empty list allows nothing). */
export interface Scope {
  readonly accounts: 'all' | readonly ScopeAccount[];
  readonly regions: 'all' | readonly string[];
}

export interface Scopes {
  /** False when AWS_ASK_SCOPES is unset: the default is every account and region, and nothing else is set. */
  readonly configured: boolean;
  readonly default: Scope;
  /** By channel id (C…, G…). */
  readonly channels: ReadonlyMap<string, Scope>;
  /** By user id (U…, W…). */
  readonly users: ReadonlyMap<string, Scope>;
}

/** An account AWS_ASK_ACCOUNTS configures. */
export interface KnownAccount {
  readonly alias: string;
  readonly id: string;
}

/** Who asked, as the agent receives it (common/protocol.ts `Asker`). */
export interface ScopeAsker {
  readonly channelId?: string;
  readonly userId?: string;
}

export const EVERYTHING: Scope = { accounts: 'all', regions: 'all' };
export const UNSCOPED: Scopes = { configured: false, default: EVERYTHING, channels: new Map(), users: new Map() };

export const SCOPES_SETTING = 'AWS_ASK_SCOPES';
const CHANNEL_ID = /^[CG][A-Z0-9]{2,31}$/;
const USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const EXAMPLE =
  '{"default":{"accounts":["staging"],"regions":["eu-west-1"]},' +
  '"channels":{"C0123ABCD":{"accounts":["prod","staging"]}},' +
  '"users":{"U0123ABCD":{"accounts":"all"}}}';

/**
 * What scope entries are checked against. `complete`: every account is known (ids and aliases), so anything else
 * is a problem; else (the tool role's account unknown here, or accounts listed from AWS Organizations at run time)
 * 12-digit ids are taken, and with Organizations any alias too.
 */
interface Known {
  readonly accounts: readonly KnownAccount[];
  readonly complete: boolean;
  readonly organization: boolean;
}

/**
 * The accounts AWS_ASK_ACCOUNTS names (`alias=id`, comma-separated) and the tool role's (TOOL_ROLE_ARN, alias
 * `default` unless listed), read leniently: this is only what scopes are checked against; the accounts module
 * reports those settings' own problems.
 */
function knownFrom(read: SettingsReader): Known {
  const source = readAccountSource(read);
  if (source?.kind === 'organization') return { accounts: [], complete: false, organization: true };
  const accounts: KnownAccount[] = [...(source?.accounts ?? [])];
  const home = parseRoleArn(read.str('TOOL_ROLE_ARN') ?? '')?.account;
  if (home && !accounts.some((a) => a.id === home)) accounts.push({ alias: HOME_ALIAS, id: home });
  return { accounts, complete: home !== undefined, organization: false };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const quoted = (items: readonly string[]) => items.map((i) => `"${i}"`).join(', ');

/** Reads one scope at `path` (`channels.C0OPS`), recording each problem. */
class ScopeParser {
  private readonly read: SettingsReader;
  private readonly name: string;
  private readonly known: Known;
  private readonly allowedRegions: readonly string[];

  constructor(read: SettingsReader, name: string, known: Known, allowedRegions: readonly string[]) {
    this.read = read;
    this.name = name;
    this.known = known;
    this.allowedRegions = allowedRegions;
  }

  private problem(path: string, what: string): void {
    this.read.problem(`${this.name} ${path} ${what}`);
  }

  scope(path: string, raw: unknown): Scope {
    if (!isObject(raw)) {
      this.problem(path, 'must be an object like {"accounts":["prod"],"regions":["eu-west-1"]}.');
      return { accounts: [], regions: [] };
    }
    const extra = Object.keys(raw).filter((k) => k !== 'accounts' && k !== 'regions');
    if (extra.length) this.problem(path, `has unknown key ${quoted(extra)}: a scope has only accounts and regions.`);
    return {
      accounts: this.list(`${path}.accounts`, raw.accounts, 'account aliases or ids', (e) => this.account(path, e)),
      regions: this.list(`${path}.regions`, raw.regions, 'region names', (e) => this.region(path, e)),
    };
  }

  /** `"all"` (or left out), else a non-empty list of strings, each read by `item`. */
  private list<T>(path: string, raw: unknown, what: string, item: (e: string) => T | undefined): 'all' | T[] {
    if (raw === undefined || raw === 'all') return 'all';
    if (!Array.isArray(raw) || raw.some((e) => typeof e !== 'string')) {
      this.problem(path, `must be "all" or a list of ${what} (got ${JSON.stringify(raw)}).`);
      return [];
    }
    if (!raw.length) this.problem(path, `is empty: name at least one, or write "all".`);
    return raw.map((e: string) => item(e.trim())).filter((e): e is T => e !== undefined);
  }

  private account(path: string, entry: string): ScopeAccount | undefined {
    const { accounts, complete, organization } = this.known;
    const found = accounts.find((k) => k.alias === entry || k.id === entry);
    if (found) return { alias: found.alias, id: found.id };
    if (!complete && entry === HOME_ALIAS) return { alias: HOME_ALIAS };
    if (!complete && ACCOUNT_ID.test(entry)) return { id: entry };
    if (organization && ALIAS.test(entry)) return { alias: entry };
    const names = accounts.map((k) => `${k.alias} (${k.id})`).join(', ');
    const fix = complete
      ? `use one of ${names}.`
      : accounts.length
        ? `use one of ${names}, ${HOME_ALIAS} (the tool role's account), or a 12-digit account id.`
        : `name the accounts there (prod=111111111111,staging=222222222222), or give 12-digit account ids.`;
    this.problem(`${path}.accounts`, `has "${entry}", which AWS_ASK_ACCOUNTS does not name: ${fix}`);
    return undefined;
  }

  private region(path: string, entry: string): string | undefined {
    if (!REGION.test(entry)) {
      this.problem(`${path}.regions`, `has "${entry}", which is not a region name like eu-west-1.`);
      return undefined;
    }
    if (this.allowedRegions.length && !this.allowedRegions.includes(entry)) {
      this.problem(
        `${path}.regions`,
        `has "${entry}", which AWS_ASK_REGIONS leaves out (${this.allowedRegions.join(', ')}): ` +
          'add it there, or take it out of the scope.',
      );
      return undefined;
    }
    return entry;
  }

  /** `channels` or `users`: an object of scopes keyed by Slack id. */
  byId(key: 'channels' | 'users', raw: unknown): Map<string, Scope> {
    const out = new Map<string, Scope>();
    if (raw === undefined) return out;
    const shape = key === 'channels' ? CHANNEL_ID : USER_ID;
    const like = key === 'channels' ? 'a channel id like C0123ABCD' : 'a user id like U0123ABCD';
    if (!isObject(raw)) {
      this.problem(
        key,
        'must be an object of scopes keyed by Slack id, ' +
          `like {"${key === 'channels' ? 'C' : 'U'}0123ABCD":{"accounts":["prod"]}}.`,
      );
      return out;
    }
    for (const [id, scope] of Object.entries(raw)) {
      if (!shape.test(id)) {
        this.problem(
          key,
          `has "${id}", which is not ${like}${key === 'channels' ? " (DMs take the person's scope)" : ''}.`,
        );
        continue;
      }
      out.set(id, this.scope(`${key}.${id}`, scope));
    }
    return out;
  }
}

export interface ReadScopesOptions {
  /** The setting's name, read and named in messages (default AWS_ASK_SCOPES). */
  readonly name?: string;
  /** The regions the tool may call (default: AWS_ASK_REGIONS from `read`); empty: any. */
  readonly regions?: readonly string[];
}

/**
 * The scopes from AWS_ASK_SCOPES, every problem recorded on `read` with what to fix (nothing is thrown: call
 * `read.done`). `knownAccounts`: every account the deployment reads (the tool role's included), and a scope may
 * name only those; without it they are read from `read` leniently (AWS_ASK_ACCOUNTS, TOOL_ROLE_ARN), as the bot
 * does. A scope with problems keeps only its valid entries, so it never allows more than written.
 */
export function readScopes(
  read: SettingsReader,
  knownAccounts?: readonly KnownAccount[],
  options: ReadScopesOptions = {},
): Scopes {
  const name = options.name ?? SCOPES_SETTING;
  const text = read.str(name);
  if (text === undefined) return UNSCOPED;
  const known: Known = knownAccounts
    ? { accounts: knownAccounts, complete: true, organization: false }
    : knownFrom(read);
  const parser = new ScopeParser(read, name, known, options.regions ?? read.regions());
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    read.problem(`${name} is not valid JSON (${(e as Error).message}): write an object like ${EXAMPLE}`);
    return { configured: true, default: { accounts: [], regions: [] }, channels: new Map(), users: new Map() };
  }
  if (!isObject(raw)) {
    read.problem(`${name} must be a JSON object like ${EXAMPLE}`);
    return { configured: true, default: { accounts: [], regions: [] }, channels: new Map(), users: new Map() };
  }
  const extra = Object.keys(raw).filter((k) => k !== 'default' && k !== 'channels' && k !== 'users');
  if (extra.length) read.problem(`${name} has unknown key ${quoted(extra)}: use default, channels and users.`);
  return {
    configured: true,
    default: raw.default === undefined ? EVERYTHING : parser.scope('default', raw.default),
    channels: parser.byId('channels', raw.channels),
    users: parser.byId('users', raw.users),
  };
}

/** The scopes from an environment (the agent's), or a ConfigError naming every problem. */
export function scopesFromEnv(env: SettingsSource, knownAccounts?: readonly KnownAccount[]): Scopes {
  const read = new SettingsReader(env);
  return read.done(readScopes(read, knownAccounts));
}

const sameAccount = (a: ScopeAccount, b: ScopeAccount): boolean =>
  (a.id !== undefined && a.id === b.id) || (a.alias !== undefined && a.alias === b.alias);

/** What both scopes allow. */
export function intersectScopes(a: Scope, b: Scope): Scope {
  const accounts =
    a.accounts === 'all'
      ? b.accounts
      : b.accounts === 'all'
        ? a.accounts
        : a.accounts.filter((x) => (b.accounts as readonly ScopeAccount[]).some((y) => sameAccount(x, y)));
  const regions =
    a.regions === 'all'
      ? b.regions
      : b.regions === 'all'
        ? a.regions
        : a.regions.filter((r) => (b.regions as readonly string[]).includes(r));
  return { accounts, regions };
}

/** A direct message with the bot (or no channel at all): the person's scope applies there. */
export const isDirect = (channelId: string | undefined): boolean => !channelId || channelId.startsWith('D');

/** The scope of a question from `asker` (see the module comment). */
export function scopeFor(scopes: Scopes, asker: ScopeAsker): Scope {
  const user = asker.userId ? scopes.users.get(asker.userId) : undefined;
  if (isDirect(asker.channelId)) return user ?? scopes.default;
  const channel = scopes.channels.get(asker.channelId as string) ?? scopes.default;
  return user ? intersectScopes(channel, user) : channel;
}

/**
 * Whether a call to `account` in `region` is inside `scope`. `account`: the account the call goes to, resolved (the
 * tool role's own one when the call names none), best as `{alias, id}`; an alias or an id alone is matched as
 * such. An account that cannot be named (undefined) is inside only `'all'`.
 */
export function scopeAllows(scope: Scope, account: string | ScopeAccount | undefined, region: string): boolean {
  const target = typeof account === 'string' ? { alias: account, id: account } : account;
  const accountOk =
    scope.accounts === 'all' || (target !== undefined && scope.accounts.some((a) => sameAccount(a, target)));
  const regionOk = scope.regions === 'all' || scope.regions.includes(region);
  return accountOk && regionOk;
}

/** `a`, `a and b`, `a, b and c`. */
const natural = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');

/** The accounts and regions of a scope, for people: `prod and staging, in eu-west-1`; `every account`. */
export function describeScope(scope: Scope): string {
  const accounts =
    scope.accounts === 'all'
      ? 'every account'
      : scope.accounts.length
        ? natural(scope.accounts.map((a) => a.alias ?? a.id ?? '?'))
        : 'no account';
  if (scope.regions === 'all') return accounts;
  return `${accounts}, in ${scope.regions.length ? natural(scope.regions) : 'no region'}`;
}

export type ScopeDecision =
  | { readonly allowed: true; readonly scope: Scope }
  | { readonly allowed: false; readonly scope: Scope; readonly message: string };

/**
 * The one call the tool makes before an AWS call: the asker's scope and whether it allows `account` in `region`;
 * when not, the message for the model to pass on (common/errors.ts `outOfScopeMessage`).
 */
export function checkScope(
  scopes: Scopes,
  asker: ScopeAsker,
  account: string | ScopeAccount | undefined,
  region: string,
): ScopeDecision {
  const scope = scopeFor(scopes, asker);
  if (scopeAllows(scope, account, region)) return { allowed: true, scope };
  const named = typeof account === 'string' ? account : (account?.alias ?? account?.id);
  const message = outOfScopeMessage({
    where: isDirect(asker.channelId) ? 'dm' : 'channel',
    allowed: describeScope(scope),
    asked: `${named ?? "the tool role's own account"} in ${region}`,
  });
  return { allowed: false, scope, message };
}

/**
 * A scope as names, for a caller that matches accounts by alias or id itself (the tool's `CallScope`): a field is
 * absent where everything is allowed; an account is given by its alias and its id where both are known.
 */
export function scopeNames(scope: Scope): { accounts?: string[]; regions?: string[] } {
  return {
    ...(scope.accounts === 'all'
      ? {}
      : { accounts: scope.accounts.flatMap((a) => [a.alias, a.id].filter((n): n is string => n !== undefined)) }),
    ...(scope.regions === 'all' ? {} : { regions: [...scope.regions] }),
  };
}

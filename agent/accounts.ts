/**
 * The accounts the bot may read, as configured (common/accounts.ts): a fixed list, or the ACTIVE
 * accounts of the organization read with AWS Organizations through the tool role's own credentials
 * (no asker), cached per process for an hour. Listing the organization needs the bot in its management
 * account or a delegated administrator account; a failure says so.
 */
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type Account as OrgAccount,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { type Account, type AccountsConfig, ALIAS, slugify } from '../common/accounts.ts';

/** The organization's accounts could not be listed. */
export class AccountsUnavailableError extends Error {
  override name = 'AccountsUnavailable';
}

/** One organization account as listed: what an alias is made from, and whether it is active. */
export interface ListedAccount {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
}

/** The listed accounts as the bot's: ACTIVE only, aliases slugified from names, a clash settled by the id's end. */
export function aliasAccounts(listed: readonly ListedAccount[]): Account[] {
  const taken = new Set<string>(['all']);
  const out: Account[] = [];
  for (const a of [...listed].filter((l) => l.active).sort((x, y) => x.id.localeCompare(y.id))) {
    if (out.some((o) => o.id === a.id)) continue;
    const slug = slugify(a.name);
    const alias = [slug, `${slug}-${a.id.slice(-4)}`, a.id].find((s) => ALIAS.test(s) && !taken.has(s)) ?? a.id;
    taken.add(alias);
    out.push({ id: a.id, alias });
  }
  return out;
}

/** Most OUs visited under the given parents (a guard against a very large tree). */
const MAX_OUS = 1_000;

/**
 * Lists the organization's accounts (every account; with `parents`, those under the OUs, recursively).
 * Throws AccountsUnavailableError naming what the bot needs.
 */
export async function listOrganizationAccounts(
  client: Pick<OrganizationsClient, 'send'>,
  parents: readonly string[],
): Promise<ListedAccount[]> {
  const listed: ListedAccount[] = [];
  const take = (accounts: OrgAccount[] | undefined) => {
    for (const a of accounts ?? []) {
      if (!a.Id) continue;
      const status = (a as { State?: string }).State ?? a.Status;
      listed.push({ id: a.Id, name: a.Name ?? a.Id, active: status === 'ACTIVE' });
    }
  };
  try {
    if (!parents.length) {
      let NextToken: string | undefined;
      do {
        const out = await client.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
        take(out.Accounts);
        NextToken = out.NextToken;
      } while (NextToken);
      return listed;
    }
    const queue = [...parents];
    const seen = new Set<string>();
    while (queue.length && seen.size < MAX_OUS) {
      const ParentId = queue.shift() as string;
      if (seen.has(ParentId)) continue;
      seen.add(ParentId);
      let NextToken: string | undefined;
      do {
        const out = await client.send(
          new ListAccountsForParentCommand({ ParentId, ...(NextToken ? { NextToken } : {}) }),
        );
        take(out.Accounts);
        NextToken = out.NextToken;
      } while (NextToken);
      do {
        const out = await client.send(
          new ListOrganizationalUnitsForParentCommand({ ParentId, ...(NextToken ? { NextToken } : {}) }),
        );
        for (const ou of out.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
        NextToken = out.NextToken;
      } while (NextToken);
    }
    return listed;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const why = `${err.name ?? 'Error'}: ${(err.message ?? '').slice(0, 200)}`;
    throw new AccountsUnavailableError(
      `The organization's accounts could not be listed (${why}). ` +
        'AWS_ASK_ACCOUNTS=organization needs the bot in the management account or a delegated administrator ' +
        'account for AWS Organizations, with organizations:ListAccounts (and, with OUs, ListAccountsForParent and ' +
        'ListOrganizationalUnitsForParent) allowed to the tool role; or list the accounts: ' +
        'AWS_ASK_ACCOUNTS=prod=111111111111,…',
    );
  }
}

export interface AccountDirectoryOptions {
  /** Lists the organization's accounts (organization source); default: none, so listing fails. */
  readonly listOrganization?: () => Promise<readonly ListedAccount[]>;
  /** How long a listing is kept. */
  readonly ttlMs?: number;
}

/** The accounts the bot may read: the home account first, then the others by alias. */
export class AccountDirectory {
  readonly config: AccountsConfig;
  private readonly options: AccountDirectoryOptions;
  private cached?: { at: number; accounts: readonly Account[] };
  private pending?: Promise<readonly Account[]>;

  constructor(config: AccountsConfig, options: AccountDirectoryOptions = {}) {
    this.config = config;
    this.options = options;
  }

  /** Every account; AccountsUnavailableError when the organization cannot be listed. */
  async accounts(): Promise<readonly Account[]> {
    const { source, home } = this.config;
    if (source.kind === 'list') return withHome(home, source.accounts);
    const ttl = this.options.ttlMs ?? 3_600_000;
    if (this.cached && Date.now() - this.cached.at < ttl) return this.cached.accounts;
    const list = this.options.listOrganization;
    if (!list) throw new AccountsUnavailableError('The organization cannot be listed: no Organizations client.');
    this.pending ??= list()
      .then((listed) => {
        const accounts = aliasAccounts(listed);
        const named = accounts.find((a) => a.id === home.id);
        const all = withHome(named ?? home, accounts);
        this.cached = { at: Date.now(), accounts: all };
        return all;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/** The home account first, then the others in alias order. */
function withHome(home: Account, accounts: readonly Account[]): Account[] {
  const others = accounts.filter((a) => a.id !== home.id).sort((a, b) => a.alias.localeCompare(b.alias));
  return [home, ...others];
}

/** Organizations listing through the tool role's own credentials. */
export function organizationLister(
  provider: AwsCredentialIdentityProvider,
  region: string,
  parents: readonly string[],
): () => Promise<readonly ListedAccount[]> {
  return async () => {
    const client = new OrganizationsClient({ region, credentials: provider, maxAttempts: 3 });
    try {
      return await listOrganizationAccounts(client, parents);
    } finally {
      client.destroy();
    }
  };
}

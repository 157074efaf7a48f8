/**
 * The accounts the hub's runtime may read (CDK context `accounts`, the runtime's AWS_ASK_ACCOUNTS): read
 * with the one parser of that format (common/accounts.ts, the agent's), checked for what the stack
 * needs, and written back as text. No CDK here (the doctor loads infra/context.ts); the grant that follows
 * from them is infra/assume-members.ts.
 */
import { type AccountsSource, readAccountSource } from '../common/accounts.ts';
import type { SettingsReader } from '../common/settings.ts';

/** The member accounts: named (alias=id), or the organization's (optionally under some OUs or roots). */
export type MemberAccounts = AccountsSource;

/** https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** Context `accounts` (problems recorded on `read`); undefined when unset. */
export function readMemberAccounts(read: SettingsReader, name = 'accounts'): MemberAccounts | undefined {
  const accounts = readAccountSource(read, name);
  if (accounts?.kind === 'list' && accounts.accounts.length === 0)
    read.problem(`context ${name} names no account: alias=account-id,… or organization[:ou-…,…].`);
  return accounts;
}

/** The setting as text again (AWS_ASK_ACCOUNTS on the runtime), in the format it was read from. */
export function formatAccounts(accounts: MemberAccounts): string {
  if (accounts.kind === 'list') return accounts.accounts.map((a) => `${a.alias}=${a.id}`).join(',');
  return accounts.parents.length ? `organization:${accounts.parents.join(',')}` : 'organization';
}

/**
 * The accounts the hub's runtime may read (CDK context `accounts`, the runtime's AWS_ASK_ACCOUNTS), read
 * and written back as text. No CDK here (the doctor loads infra/context.ts); the grant that follows from
 * them is infra/assume-members.ts.
 *
 *   prod=111111111111,staging=222222222222   named accounts: the member roles of those accounts only
 *   organization                              every account of the organization (context organizationId):
 *   organization:ou-abcd-11111111,…           `arn:…:iam::*:role/<tool role>` where aws:ResourceOrgID is it
 */

export interface NamedAccount {
  readonly name: string;
  readonly id: string;
}

export type MemberAccounts =
  | { readonly kind: 'list'; readonly accounts: readonly NamedAccount[] }
  | { readonly kind: 'organization'; readonly organizationalUnits: readonly string[] };

const ACCOUNT_ID = /^\d{12}$/;
/**
 * An account's alias, as the agent reads AWS_ASK_ACCOUNTS (common/accounts.ts): lower-case letters, digits
 * and `-`; `all` means every account in the tool's input, so no account is called that.
 */
const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const RESERVED_NAMES = new Set(['all']);
/**
 * An organizational unit id, or the root's
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html).
 */
const OU_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** The setting read: the value, or the problems (sentences) that keep it from being one. */
export function parseAccounts(text: string, what = 'accounts'): { value?: MemberAccounts; problems: string[] } {
  const problems: string[] = [];
  if (text === 'organization' || text.startsWith('organization:')) {
    const organizationalUnits = text
      .slice('organization:'.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const ou of organizationalUnits)
      if (!OU_ID.test(ou)) problems.push(`${what}: "${ou}" is not an organizational unit id (ou-abcd-11111111).`);
    return problems.length ? { problems } : { value: { kind: 'organization', organizationalUnits }, problems };
  }
  const accounts: NamedAccount[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    if (!item) continue;
    const [name = '', id = '', ...rest] = item.split('=').map((s) => s.trim());
    if (rest.length || !ACCOUNT_NAME.test(name) || !ACCOUNT_ID.test(id) || RESERVED_NAMES.has(name)) {
      problems.push(
        `${what}: "${item}" is not alias=account-id (prod=111111111111; an alias is lower-case letters, ` +
          'digits and -, not all).',
      );
      continue;
    }
    if (accounts.some((a) => a.name === name)) problems.push(`${what}: the name "${name}" is given twice.`);
    if (accounts.some((a) => a.id === id)) problems.push(`${what}: the account ${id} is given twice.`);
    accounts.push({ name, id });
  }
  if (!accounts.length && !problems.length)
    problems.push(`${what} names no account: name=account-id,… or organization[:ou-…,…].`);
  return problems.length ? { problems } : { value: { kind: 'list', accounts }, problems };
}

/** The setting as text again (AWS_ASK_ACCOUNTS on the runtime): the same format parseAccounts reads. */
export function formatAccounts(accounts: MemberAccounts): string {
  if (accounts.kind === 'list') return accounts.accounts.map((a) => `${a.name}=${a.id}`).join(',');
  return accounts.organizationalUnits.length
    ? `organization:${accounts.organizationalUnits.join(',')}`
    : 'organization';
}

/**
 * The hub runtime role's grant on the member accounts' tool roles (infra/member-stack.ts), which have the
 * hub's tool role name: sts:AssumeRole and sts:SetSourceIdentity, on the roles of the accounts listed, or
 * on that name in any account of the organization (aws:ResourceOrgID).
 */
import { type Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type MemberAccounts, ORGANIZATION_ID } from './accounts.ts';

/**
 * What the hub's runtime role may do with the member accounts' tool roles: assume them, with the Slack
 * asker as SourceIdentity. Named accounts: their roles' ARNs. The organization: the role name in any
 * account whose organization (aws:ResourceOrgID) is `organizationId`.
 */
export function assumeMemberRoles(
  stack: Stack,
  toolRoleName: string,
  accounts: MemberAccounts,
  organizationId?: string,
): PolicyStatement {
  const role = (account: string) => `arn:${stack.partition}:iam::${account}:role/${toolRoleName}`;
  const actions = ['sts:AssumeRole', 'sts:SetSourceIdentity'];
  if (accounts.kind === 'list')
    return new PolicyStatement({
      sid: 'AssumeTheMemberToolRoles',
      actions,
      resources: [...new Set(accounts.accounts.map((a) => role(a.id)))],
    });
  if (!organizationId || (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)))
    throw new Error(`accounts=organization needs organizationId (o-…), got "${organizationId ?? ''}".`);
  return new PolicyStatement({
    sid: 'AssumeTheToolRoleInTheOrganization',
    actions,
    resources: [role('*')],
    conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
  });
}

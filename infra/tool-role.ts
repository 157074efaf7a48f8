/**
 * The tool role: what controlled_use_aws assumes. Its permissions are generated from the policy module
 * (common/policy/, the one home of the rules), so the role holds on its own whatever ReadOnlyAccess
 * allows:
 *
 * - allow: customer-managed policies naming every action the tool may make in the services it can call
 *   (wildcards proven to match no refused action), nothing else;
 * - deny: a customer-managed policy with the sensitive list, the operator's extra denies and API key
 *   values by resource;
 * - ReadOnlyAccess as the permissions boundary: an outer cap, never the grant.
 *
 * The same managed policies are what every STS session passes by ARN (agent/credentials.ts,
 * TOOL_SESSION_POLICY_ARNS), so the session holds on its own too. The role is trusted only by the
 * principals given (the AgentCore runtime's execution role, and named local principals). It trusts the
 * execution role by its ARN, one role per stack, and that role's own trust names this stack's runtime only
 * (runtime/<runtime name>-*, infra/stack.ts): another stack's runtime cannot reach this tool role.
 *
 * Names are deterministic (toolRoleNameFor, managedPolicyNames): the hub's tool role and each member
 * account's (infra/member-stack.ts, the same construct) share the role name and the policy names, so a
 * member's policy ARNs are the hub's with the account id swapped.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import {
  type IPrincipal,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  Role,
  type PolicyStatement as StatementType,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  allowStatements,
  denyStatements,
  MAX_MANAGED_POLICIES,
  managedPolicyNames,
  type PolicyDocument as PolicyJson,
  packStatements,
  readOnlyPolicyArn,
} from '../common/policy/index.ts';
import { ROLE_NAME_PATTERN } from './deploy-names.ts';

/** An IAM user or role, or an assumed-role session: who may be named as a local principal. */
const PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/[\w+=,.@/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;

/** Throws on a localPrincipalArns entry that is not an IAM user or role ARN. */
export function checkLocalPrincipals(arns: readonly string[]): void {
  for (const arn of arns) {
    if (!PRINCIPAL_ARN.test(arn))
      throw new Error(
        `localPrincipalArns: "${arn}" is not an IAM user or role ARN (arn:aws:iam::123456789012:role/name).`,
      );
  }
}

/** The allow side does not depend on the stack: generated once per process from iam-data and the rules. */
const ALLOW = packStatements(await allowStatements());

export interface ToolRoleProps {
  /** Who may assume the role (and set SourceIdentity). At least one. */
  readonly trustedBy: readonly IPrincipal[];
  /** The role's name (toolRoleNameFor(stack name) unless context toolRoleName says); names its policies too. */
  readonly roleName: string;
  /** The operator's extra denies (CDK context denyActions), added to the deny policy. */
  readonly denyActions?: readonly string[];
}

const toCdk = (doc: PolicyJson): StatementType[] =>
  doc.Statement.map((s) =>
    PolicyStatement.fromJson({
      Sid: s.Sid,
      Effect: s.Effect,
      Action: s.Action,
      Resource: s.Resource,
    }),
  );

export class ToolRole extends Construct {
  readonly role: Role;
  /** The allow policies, then the deny policies: what the role carries and every session passes. */
  readonly sessionPolicies: readonly ManagedPolicy[];
  /** Every wildcard action the allow policies grant (acknowledged to cdk-nag here). */
  readonly allowWildcards: readonly string[];
  /** The managed policies' names, in sessionPolicies' order (managedPolicyNames). */
  readonly policyNames: readonly string[];

  constructor(scope: Construct, id: string, props: ToolRoleProps) {
    super(scope, id);
    const [first, ...others] = props.trustedBy;
    if (!first) throw new Error('ToolRole needs at least one trusted principal.');
    if (!Token.isUnresolved(props.roleName) && !ROLE_NAME_PATTERN.test(props.roleName))
      throw new Error(
        `toolRoleName: "${props.roleName}" is not an IAM role name (1 to 64 of letters, digits, +=,.@_-).`,
      );
    const deny = packStatements(denyStatements(Stack.of(this).partition, props.denyActions ?? []));
    if (ALLOW.length + deny.length > MAX_MANAGED_POLICIES) {
      throw new Error(
        `The tool role needs ${ALLOW.length + deny.length} managed policies; ` +
          `a role and an STS session take at most ${MAX_MANAGED_POLICIES}. Shorten denyActions.`,
      );
    }
    this.policyNames = managedPolicyNames(props.roleName, { allow: ALLOW, deny });
    const managed = (kind: string, docs: PolicyJson[], first: number) =>
      docs.map(
        (doc, i) =>
          new ManagedPolicy(this, `${kind}${i + 1}`, {
            managedPolicyName: this.policyNames[first + i],
            description: `aws-ask read-only tool: ${kind.toLowerCase()} ${i + 1} of ${docs.length} (common/policy/)`,
            document: new PolicyDocument({ statements: toCdk(doc) }),
          }),
      );
    this.sessionPolicies = [...managed('Allow', ALLOW, 0), ...managed('Deny', deny, ALLOW.length)];
    this.allowWildcards = ALLOW.flatMap((d) => d.Statement.flatMap((s) => s.Action.filter((a) => a.includes('*'))));
    Validations.of(this).acknowledge(
      ...this.allowWildcards.map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'The read-only tool role: a wildcard generated from the policy module (common/policy/allow.ts) that ' +
          'matches only List and Read actions off the sensitive list, proven against every action in iam-data.',
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'The read-only tool role answers questions about any resource of the account: List and Read actions ' +
          'on every resource, the sensitive ones denied by the deny policy, ReadOnlyAccess as the boundary.',
      },
    );
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: 'aws-ask read-only tool role: generated read allow list, sensitive deny list, ReadOnlyAccess cap',
      assumedBy: first,
      managedPolicies: [...this.sessionPolicies],
      permissionsBoundary: ManagedPolicy.fromManagedPolicyArn(
        this,
        'ReadOnlyAccessBoundary',
        readOnlyPolicyArn(Stack.of(this).partition),
      ),
    });
    for (const p of others)
      this.role.assumeRolePolicy?.addStatements(new PolicyStatement({ actions: ['sts:AssumeRole'], principals: [p] }));
    // SourceIdentity carries the Slack user into CloudTrail; STS requires the trust policy to allow it.
    this.role.assumeRolePolicy?.addStatements(
      new PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [...props.trustedBy] }),
    );
  }
}

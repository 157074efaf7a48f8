/**
 * The tool role: what controlled_use_aws assumes. ReadOnlyAccess plus an explicit Deny of the
 * sensitive list, imported from common/policy/index.ts (the one home of that list), trusted only by the
 * principals given (the AgentCore runtime's execution role, and named local principals). It trusts the
 * execution role by its ARN, one role per stack, and that role's own trust names this stack's runtime only
 * (runtime/<runtime name>-*, infra/stack.ts): another stack's runtime cannot reach this tool role.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, type IPrincipal, ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { denyStatements } from '../common/policy/index.ts';

export interface ToolRoleProps {
  /** Who may assume the role (and set SourceIdentity). At least one. */
  readonly trustedBy: readonly IPrincipal[];
  readonly roleName?: string;
}

export class ToolRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ToolRoleProps) {
    super(scope, id);
    const [first, ...others] = props.trustedBy;
    if (!first) throw new Error('ToolRole needs at least one trusted principal.');
    this.role = new Role(this, 'Role', {
      ...(props.roleName ? { roleName: props.roleName } : {}),
      description: 'aws-ask read-only tool role: ReadOnlyAccess minus the sensitive reads',
      assumedBy: first,
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    for (const p of others)
      this.role.assumeRolePolicy?.addStatements(new PolicyStatement({ actions: ['sts:AssumeRole'], principals: [p] }));
    // SourceIdentity carries the Slack user into CloudTrail; STS requires the trust policy to allow it.
    this.role.assumeRolePolicy?.addStatements(
      new PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [...props.trustedBy] }),
    );
    for (const s of denyStatements(Stack.of(this).partition)) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: s.Sid,
          effect: Effect.DENY,
          actions: s.Action,
          resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource],
        }),
      );
    }
  }
}

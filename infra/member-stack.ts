/**
 * A member account's side of reading many accounts: the read-only tool role and its managed policies,
 * the same construct as the hub's (infra/tool-role.ts), so the role name, the policy names and the
 * documents are the hub's; trusted only by the hub's runtime (execution) role and the local principals
 * named. Deployed two ways:
 *
 * - as a CDK stack, one account at a time: `npm run deploy:member -- -c hubRuntimeRoleArn=… --profile …`
 *   (infra/app.ts, context member=true);
 * - as a plain CloudFormation template for StackSets (`parameters: true`: HubRuntimeRoleArn and
 *   ToolRoleName are template parameters), written by `npm run member-template` (infra/member-template.ts).
 */
import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { ArnPrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { checkLocalPrincipals, ToolRole } from './tool-role.ts';

export interface AwsAskMemberStackProps extends StackProps {
  /** The hub's tool role name (context toolRoleName, else toolRoleNameFor(the hub's stack name)). */
  readonly toolRoleName: string;
  /** The hub's runtime role (its RuntimeRoleArn output); with `parameters`, the parameter's default if given. */
  readonly hubRuntimeRoleArn?: string;
  /** Principals that may also assume the role (developers, for local runs). */
  readonly localPrincipalArns?: readonly string[];
  /** The operator's extra denies: the hub's context denyActions, so the deny policies match. */
  readonly denyActions?: readonly string[];
  /** HubRuntimeRoleArn and ToolRoleName as template parameters (the StackSets template). */
  readonly parameters?: boolean;
}

/** A role ARN as CloudFormation checks the HubRuntimeRoleArn parameter. */
export const HUB_ROLE_ARN_PARAMETER_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$';

export class AwsAskMemberStack extends Stack {
  readonly toolRole: ToolRole;

  constructor(scope: Construct, id: string, props: AwsAskMemberStackProps) {
    super(scope, id, props);
    const locals = props.localPrincipalArns ?? [];
    checkLocalPrincipals(locals);
    let hub = props.hubRuntimeRoleArn;
    let roleName = props.toolRoleName;
    if (props.parameters) {
      hub = new CfnParameter(this, 'HubRuntimeRoleArn', {
        type: 'String',
        description: "The hub stack's RuntimeRoleArn output: the only role (with any developers) trusted",
        allowedPattern: HUB_ROLE_ARN_PARAMETER_PATTERN,
        constraintDescription: 'an IAM role ARN (arn:aws:iam::123456789012:role/name)',
        ...(hub ? { default: hub } : {}),
      }).valueAsString;
      roleName = new CfnParameter(this, 'ToolRoleName', {
        type: 'String',
        description: "The hub stack's ToolRoleName output: the role and its policies are named from it",
        allowedPattern: '^[\\w+=,.@-]{1,64}$',
        default: props.toolRoleName,
      }).valueAsString;
    }
    if (!hub) throw new Error('AwsAskMemberStack needs hubRuntimeRoleArn (the hub stack output RuntimeRoleArn).');
    this.toolRole = new ToolRole(this, 'ToolRole', {
      trustedBy: [new ArnPrincipal(hub), ...locals.map((a) => new ArnPrincipal(a))],
      roleName,
      ...(props.denyActions ? { denyActions: props.denyActions } : {}),
    });
    new CfnOutput(this, 'ToolRoleArn', {
      value: this.toolRole.role.roleArn,
      description: "This account's read-only tool role, assumed by the hub's runtime",
    });
  }
}

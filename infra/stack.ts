/** The aws-ask stack. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ArnPrincipal, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ToolRole } from './tool-role.ts';

export interface AwsAskStackProps extends StackProps {
  /** Principals that may assume the tool role besides the runtime (developers, for local runs). */
  readonly localPrincipalArns?: readonly string[];
  /** The runtime's execution role, when the stack has one. */
  readonly runtimePrincipal?: IPrincipal;
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/[\w+=,.@\/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;

export class AwsAskStack extends Stack {
  readonly toolRole: ToolRole;

  constructor(scope: Construct, id: string, props: AwsAskStackProps = {}) {
    super(scope, id, props);
    const locals = props.localPrincipalArns ?? [];
    for (const arn of locals) {
      if (!PRINCIPAL_ARN.test(arn)) throw new Error(`localPrincipalArns: "${arn}" is not an IAM user or role ARN (arn:aws:iam::123456789012:role/name).`);
    }
    const trusted: IPrincipal[] = [
      ...(props.runtimePrincipal ? [props.runtimePrincipal] : []),
      ...locals.map((a) => new ArnPrincipal(a)),
    ];
    if (trusted.length === 0) {
      throw new Error('The tool role needs someone to trust: deploy with the runtime, or set -c localPrincipalArns=arn:aws:iam::<account>:role/<you>.');
    }
    this.toolRole = new ToolRole(this, 'ToolRole', { trustedBy: trusted });
    new CfnOutput(this, 'ToolRoleArn', { value: this.toolRole.role.roleArn, description: 'TOOL_ROLE_ARN for the agent' });
  }
}

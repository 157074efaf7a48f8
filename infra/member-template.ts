/**
 * The member role as a plain CloudFormation template for StackSets (service-managed, deployed to OUs):
 * AwsAskMemberStack with its values as parameters, synthesised without the CDK bootstrap (no assets, no
 * BootstrapVersion parameter or rule, no CDK metadata), which StackSets cannot use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer } from 'aws-cdk-lib';
import { AwsAskMemberStack, type AwsAskMemberStackProps } from './member-stack.ts';

/** What CloudFormation takes inline (`--template-body`); a larger template must go through S3. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;
export const MEMBER_TEMPLATE_STACK = 'aws-ask-member';

export interface MemberTemplate {
  /** The template, ready for JSON.stringify. */
  readonly template: Record<string, unknown>;
  readonly stack: AwsAskMemberStack;
}

/** The StackSets template of the member role (parameters HubRuntimeRoleArn and ToolRoleName). */
export function memberTemplate(props: Omit<AwsAskMemberStackProps, 'parameters'>): MemberTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'aws-ask-member-'));
  try {
    const app = new App({
      outdir,
      analyticsReporting: false,
      context: { 'aws:cdk:enable-path-metadata': false },
    });
    const stack = new AwsAskMemberStack(app, MEMBER_TEMPLATE_STACK, {
      ...props,
      parameters: true,
      synthesizer: new BootstraplessSynthesizer(),
      description: 'aws-ask: the read-only tool role the hub account assumes in this account (StackSets)',
    });
    const template = app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
    return { template, stack };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

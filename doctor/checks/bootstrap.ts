/**
 * 2. CDK bootstrap in the region: the version parameter the bootstrap stack writes (the one `cdk deploy`
 * itself reads), else the CDKToolkit stack.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type ClientSettings, clientConfig, describeError, errorMessage, errorName } from '../aws.ts';
import { type Check, fail, type Outcome, pass } from '../check.ts';

/** The default qualifier's parameter: the stack is synthesized with DefaultStackSynthesizer's defaults. */
export const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';
export const TOOLKIT_STACK = 'CDKToolkit';
/** DefaultStackSynthesizer's templates refuse to deploy on an older bootstrap (rule CheckBootstrapVersion). */
export const MIN_BOOTSTRAP_VERSION = 6;

type Found = { readonly version: number } | { readonly missing: true } | { readonly error: unknown };

async function versionParameter(aws: ClientSettings, signal: AbortSignal): Promise<Found> {
  const ssm = new SSMClient(clientConfig(aws));
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }), { abortSignal: signal });
    return { version: Number(out.Parameter?.Value) };
  } catch (e) {
    return errorName(e) === 'ParameterNotFound' ? { missing: true } : { error: e };
  } finally {
    ssm.destroy();
  }
}

async function toolkitStack(aws: ClientSettings, signal: AbortSignal): Promise<{ status: string } | Found> {
  const cfn = new CloudFormationClient(clientConfig(aws));
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: TOOLKIT_STACK }), { abortSignal: signal });
    const status = out.Stacks?.[0]?.StackStatus;
    return status && status !== 'DELETE_COMPLETE' ? { status } : { missing: true };
  } catch (e) {
    return /does not exist/i.test(errorMessage(e)) ? { missing: true } : { error: e };
  } finally {
    cfn.destroy();
  }
}

export const bootstrapCheck: Check = {
  id: 'bootstrap',
  title: 'CDK bootstrap',
  afterDeploy: false,
  async run(ctx, signal): Promise<Outcome> {
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const me = await ctx.identity();
    const target = `aws://${me.ok ? me.account : 'ACCOUNT'}/${aws.region}`;
    const bootstrap = `Run \`npx cdk bootstrap ${target}\` once (with administrator credentials), then deploy.`;
    const param = await versionParameter(aws, signal);
    if ('version' in param) {
      if (param.version >= MIN_BOOTSTRAP_VERSION)
        return pass(`Bootstrapped: version ${param.version} (${BOOTSTRAP_VERSION_PARAMETER} in ${aws.region}).`);
      return fail(
        `The bootstrap in ${aws.region} is version ${param.version}; ` +
          `this stack needs ${MIN_BOOTSTRAP_VERSION} or newer.`,
        `Run \`npx cdk bootstrap ${target}\` to upgrade it.`,
      );
    }
    const stack = await toolkitStack(aws, signal);
    if ('status' in stack) {
      if (/(CREATE|UPDATE)_COMPLETE$/.test(stack.status) && !/ROLLBACK/.test(stack.status))
        return pass(`Bootstrapped: the ${TOOLKIT_STACK} stack is ${stack.status} in ${aws.region}.`);
      return fail(`The ${TOOLKIT_STACK} stack in ${aws.region} is ${stack.status}.`, bootstrap);
    }
    if ('missing' in param && 'missing' in stack)
      return fail(`${target} is not bootstrapped for the CDK (no ${BOOTSTRAP_VERSION_PARAMETER}).`, bootstrap);
    const error = 'error' in param ? param.error : 'error' in stack ? stack.error : undefined;
    return fail(
      `Could not tell whether ${aws.region} is bootstrapped (${describeError(error)}).`,
      `Use credentials that may call ssm:GetParameter on ${BOOTSTRAP_VERSION_PARAMETER} or ` +
        `cloudformation:DescribeStacks on ${TOOLKIT_STACK}; if it is not bootstrapped: ${bootstrap}`,
    );
  },
};

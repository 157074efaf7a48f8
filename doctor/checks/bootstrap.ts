/**
 * 2. CDK bootstrap in the region: the version parameter of the qualifier the stack is synthesized for
 * (/cdk-bootstrap/hnb659fds/version, or cdk.json's @aws-cdk/core:bootstrapQualifier). That parameter is what
 * the deploy reads, both the template's CheckBootstrapVersion rule and the CDK CLI, so without it the
 * deploy fails even when a CDKToolkit stack is there (bootstrapped with another qualifier, or the legacy
 * bootstrap). The CDKToolkit stack (its Qualifier parameter and BootstrapVersion output) says which it is,
 * and stands in for the parameter only when these credentials may not read it.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ACCESS_DENIED, errorText } from '../../common/aws-errors.ts';
import { type ClientSettings, clientConfig, describeError, errorMessage, errorName } from '../aws.ts';
import { type Check, fail, type Outcome, pass } from '../check.ts';
import { BOOTSTRAP_QUALIFIER_CONTEXT } from '../project.ts';

/** DefaultStackSynthesizer's qualifier when cdk.json names none. */
export const DEFAULT_QUALIFIER = 'hnb659fds';
/** The parameter the bootstrap stack writes its version to, and the deploy reads. */
export const versionParameterName = (qualifier: string) => `/cdk-bootstrap/${qualifier}/version`;
/** The default qualifier's parameter: the stack is synthesized with DefaultStackSynthesizer's defaults. */
export const BOOTSTRAP_VERSION_PARAMETER = versionParameterName(DEFAULT_QUALIFIER);
export const TOOLKIT_STACK = 'CDKToolkit';
/** DefaultStackSynthesizer's templates refuse to deploy on an older bootstrap (rule CheckBootstrapVersion). */
export const MIN_BOOTSTRAP_VERSION = 6;

type Found = { readonly version: number } | { readonly missing: true } | { readonly error: unknown };

interface ToolkitStack {
  readonly status: string;
  /** The bootstrap template's Qualifier parameter; none on the legacy bootstrap. */
  readonly qualifier?: string;
  /** Its BootstrapVersion output. */
  readonly version?: number;
}

async function versionParameter(name: string, aws: ClientSettings, signal: AbortSignal): Promise<Found> {
  const ssm = new SSMClient(clientConfig(aws));
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }), { abortSignal: signal });
    return { version: Number(out.Parameter?.Value) };
  } catch (e) {
    return errorName(e) === 'ParameterNotFound' ? { missing: true } : { error: e };
  } finally {
    ssm.destroy();
  }
}

async function toolkitStack(
  aws: ClientSettings,
  signal: AbortSignal,
): Promise<ToolkitStack | { readonly missing: true } | { readonly error: unknown }> {
  const cfn = new CloudFormationClient(clientConfig(aws));
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: TOOLKIT_STACK }), { abortSignal: signal });
    const stack = out.Stacks?.[0];
    const status = stack?.StackStatus;
    if (!stack || !status || status === 'DELETE_COMPLETE') return { missing: true };
    const qualifier = stack.Parameters?.find((p) => p.ParameterKey === 'Qualifier')?.ParameterValue;
    const version = Number(stack.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue);
    return { status, ...(qualifier ? { qualifier } : {}), ...(Number.isFinite(version) ? { version } : {}) };
  } catch (e) {
    return /does not exist/i.test(errorMessage(e)) ? { missing: true } : { error: e };
  } finally {
    cfn.destroy();
  }
}

const COMPLETE = (status: string) => /^(CREATE|UPDATE)_COMPLETE$/.test(status);

export const bootstrapCheck: Check = {
  id: 'bootstrap',
  title: 'CDK bootstrap',
  afterDeploy: false,
  async run(ctx, signal): Promise<Outcome> {
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const me = await ctx.identity();
    const target = `aws://${me.ok ? me.account : 'ACCOUNT'}/${aws.region}`;
    const qualifier = ctx.bootstrapQualifier ?? DEFAULT_QUALIFIER;
    const parameter = versionParameterName(qualifier);
    const withQualifier = qualifier === DEFAULT_QUALIFIER ? '' : ` --qualifier ${qualifier}`;
    const command = `\`npx cdk bootstrap${withQualifier} ${target}\``;
    const bootstrap = `Run ${command} once (with administrator credentials), then deploy.`;
    const tooOld = (version: number, where: string) =>
      fail(
        `The bootstrap in ${aws.region} is version ${version} (${where}); this stack needs ` +
          `${MIN_BOOTSTRAP_VERSION} or newer (the template's CheckBootstrapVersion rule refuses older ones).`,
        `Run ${command} to upgrade it.`,
      );

    const param = await versionParameter(parameter, aws, signal);
    if ('version' in param) {
      if (param.version >= MIN_BOOTSTRAP_VERSION)
        return pass(`Bootstrapped: version ${param.version} (${parameter} in ${aws.region}).`);
      return tooOld(param.version, parameter);
    }
    const denied = 'error' in param && ACCESS_DENIED.test(errorText(param.error));
    if ('error' in param && !denied)
      return fail(
        `Could not read ${parameter} in ${aws.region} (${describeError(param.error)}).`,
        'Run the doctor again; if it keeps failing, check the network or proxy. If it is not bootstrapped: ' +
          bootstrap,
      );

    const stack = await toolkitStack(aws, signal);
    const unread = denied ? ` (ssm:GetParameter on ${parameter} was denied: ${describeError(param.error)})` : '';
    if ('error' in stack)
      return fail(
        denied
          ? `Could not tell whether ${aws.region} is bootstrapped${unread}; DescribeStacks on ${TOOLKIT_STACK} ` +
              `failed too (${describeError(stack.error)}).`
          : `${target} has no ${parameter}, which the deploy reads, and DescribeStacks on ${TOOLKIT_STACK} failed ` +
              `(${describeError(stack.error)}).`,
        `Use credentials that may call ssm:GetParameter on ${parameter} or cloudformation:DescribeStacks on ` +
          `${TOOLKIT_STACK}; if it is not bootstrapped: ${bootstrap}`,
      );
    if ('missing' in stack)
      return fail(
        `${target} is not bootstrapped for the CDK (no ${parameter}, no ${TOOLKIT_STACK} stack)${unread}.`,
        bootstrap,
      );

    const other = stack.qualifier !== undefined && stack.qualifier !== qualifier;
    if (denied && !other && stack.qualifier !== undefined) {
      // the parameter cannot be read: the stack that writes it says the same
      if (!COMPLETE(stack.status))
        return fail(`The ${TOOLKIT_STACK} stack in ${aws.region} is ${stack.status}.`, bootstrap);
      if (stack.version !== undefined && stack.version < MIN_BOOTSTRAP_VERSION)
        return tooOld(stack.version, `the ${TOOLKIT_STACK} stack's BootstrapVersion`);
      return pass(
        `Bootstrapped: the ${TOOLKIT_STACK} stack is ${stack.status} with qualifier ${qualifier}, version ` +
          `${stack.version ?? '?'}${unread}.`,
      );
    }
    const found = `a ${TOOLKIT_STACK} stack is there (${stack.status}`;
    if (other)
      return fail(
        `${target} has no ${parameter}, which the deploy reads (the template's CheckBootstrapVersion rule and the ` +
          `CDK CLI), though ${found}): it was probably bootstrapped with the qualifier ${stack.qualifier}${unread}.`,
        `Deploy for that qualifier: add "${BOOTSTRAP_QUALIFIER_CONTEXT}": "${stack.qualifier}" to cdk.json's ` +
          'context (the stack is then synthesized for it, and the doctor checks its parameter), and run the doctor ' +
          'again.',
      );
    if (stack.qualifier === undefined)
      return fail(
        `${target} has no ${parameter}, which the deploy reads (the template's CheckBootstrapVersion rule and the ` +
          `CDK CLI), though ${found}, without a Qualifier parameter): it is probably the legacy bootstrap${unread}.`,
        `Upgrade it to the current bootstrap: ${bootstrap}`,
      );
    return fail(
      `${target} has no ${parameter}, which the deploy reads, though ${found}, qualifier ${qualifier}): ` +
        'the parameter was deleted, or the bootstrap did not finish.',
      `Bootstrap again to write it back: ${bootstrap}`,
    );
  },
};

/**
 * 5. Lambda concurrency for the receiver: the stack reserves concurrency for its public receiver (context
 * receiverReservedConcurrency, default 10), and Lambda refuses a reservation that leaves fewer than 100 of
 * the account's concurrent executions unreserved, so on an account with a low limit (some new accounts
 * have 10) the first deploy fails. One GetAccountSettings (a read), for the reservation the deploy would
 * use: --receiver-concurrency, else cdk.json's context, else the default.
 *
 * Once the stack is deployed, UnreservedConcurrentExecutions already leaves out what the receiver holds:
 * its current reservation (GetFunctionConcurrency on the receiver, found among the stack's resources) is
 * added back, as the deploy replaces it rather than adding to it.
 */
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ACCESS_DENIED, errorText } from '../../common/aws-errors.ts';
import { type ClientSettings, clientConfig, describeError } from '../aws.ts';
import { type Check, fail, type Outcome, pass } from '../check.ts';
import type { DoctorContext } from '../context.ts';

/** "Lambda requires at least 100 units of unreserved concurrency" in every account and region. */
export const LAMBDA_MIN_UNRESERVED = 100;
export const LAMBDA_CONCURRENCY_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html';
/** Service Quotas' code of AWS Lambda's "Concurrent executions". */
export const CONCURRENT_EXECUTIONS_QUOTA = 'L-B99A9384';
/**
 * The receiver among the stack's resources: the function of construct id "Receiver" at the stack's top
 * (infra/stack.ts), whose logical id is that id and an 8-hex-digit hash (a test holds it to the template).
 */
export const RECEIVER_LOGICAL_ID = /^Receiver[0-9A-F]{8}$/;

const NONE = '`npm run deploy -- -c receiverReservedConcurrency=none` (no reservation; or set it in cdk.json)';

/** What the deployed receiver holds now: its name and reservation (0: none), or why that is not known. */
type Held = { readonly name: string; readonly reserved: number } | { readonly unknown: string };

/** The deployed receiver's reservation, or undefined when there is no deployed stack to ask about. */
async function heldByReceiver(ctx: DoctorContext, aws: ClientSettings, signal: AbortSignal): Promise<Held | undefined> {
  if (ctx.options.mode === 'before') return undefined;
  const d = await ctx.deployment();
  if ('blocked' in d || d.state !== 'deployed') return undefined;
  let name: string | undefined;
  const cfn = new CloudFormationClient(clientConfig(aws));
  try {
    const pages = paginateListStackResources({ client: cfn }, { StackName: ctx.stackName });
    for await (const page of pages) {
      const fn = (page.StackResourceSummaries ?? []).find(
        (r) => r.ResourceType === 'AWS::Lambda::Function' && RECEIVER_LOGICAL_ID.test(r.LogicalResourceId ?? ''),
      );
      name = fn?.PhysicalResourceId;
      if (name || signal.aborted) break;
    }
  } catch (e) {
    return { unknown: `cloudformation:ListStackResources on ${ctx.stackName} failed: ${describeError(e)}` };
  } finally {
    cfn.destroy();
  }
  if (!name) return { unknown: `the stack ${ctx.stackName} has no receiver function` };
  const lambda = new LambdaClient(clientConfig(aws));
  try {
    const out = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }), { abortSignal: signal });
    return { name, reserved: out.ReservedConcurrentExecutions ?? 0 };
  } catch (e) {
    return { unknown: `lambda:GetFunctionConcurrency on ${name} failed: ${describeError(e)}` };
  } finally {
    lambda.destroy();
  }
}

export const lambdaConcurrencyCheck: Check = {
  id: 'lambda-concurrency',
  title: 'Lambda concurrency',
  afterDeploy: false,
  async run(ctx, signal): Promise<Outcome> {
    const wanted = ctx.receiverConcurrency;
    if ('problem' in wanted)
      return fail(
        `npm run deploy would stop at cdk.json: ${wanted.problem}`,
        "Set receiverReservedConcurrency in cdk.json's context to none or a whole number from 1 to 1000.",
      );
    if (wanted.reserved === false)
      return pass(`No reservation is made for the receiver (receiverReservedConcurrency none, from ${wanted.from}).`);
    const reserved = wanted.reserved;
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const needs = LAMBDA_MIN_UNRESERVED + reserved;
    const setting = `receiverReservedConcurrency ${reserved}, ${wanted.from}`;
    const reserving = `reserving ${reserved} for the receiver (${setting})`;
    const lambda = new LambdaClient(clientConfig(aws));
    let limit: number | undefined;
    let unreserved: number | undefined;
    try {
      const out = await lambda.send(new GetAccountSettingsCommand({}), { abortSignal: signal });
      limit = out.AccountLimit?.ConcurrentExecutions;
      unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
    } catch (e) {
      if (ACCESS_DENIED.test(errorText(e)))
        return fail(
          `These credentials may not call lambda:GetAccountSettings (${describeError(e)}).`,
          `Allow it, or make sure ${aws.region} has ${needs} unreserved Lambda concurrent executions ` +
            `(or deploy with ${NONE}).`,
        );
      return fail(
        `Lambda's GetAccountSettings failed in ${aws.region} (${describeError(e)}).`,
        'Run the doctor again; if it keeps failing, check the AWS Health Dashboard for AWS Lambda.',
      );
    } finally {
      lambda.destroy();
    }
    if (limit === undefined || unreserved === undefined)
      return fail(
        `Lambda's GetAccountSettings in ${aws.region} answered without the account's concurrency limits.`,
        'Run the doctor again; if it keeps failing, check the AWS Health Dashboard for AWS Lambda.',
      );
    const held = await heldByReceiver(ctx, aws, signal);
    const back = held && 'reserved' in held ? held.reserved : 0;
    // what the deploy can draw on: the unreserved executions, and what the receiver it replaces holds now
    const available = unreserved + back;
    const of =
      `${unreserved} of the account's ${limit} concurrent executions in ${aws.region} are unreserved` +
      (held === undefined
        ? ''
        : 'reserved' in held
          ? `, ${back} more held by the deployed receiver (${held.name}), which the deploy replaces`
          : ` (the deployed receiver's own reservation is counted as taken: ${held.unknown})`);
    if (available - reserved >= LAMBDA_MIN_UNRESERVED)
      return pass(`${of}; ${reserving} leaves ${available - reserved} (Lambda keeps ${LAMBDA_MIN_UNRESERVED}).`);
    // what the limit must be: the other functions' reservations, this one and the 100 Lambda keeps
    const quota = limit - available + needs;
    const quotas = `https://${aws.region}.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/`;
    return fail(
      `${of}; ${reserving} needs ${needs}: Lambda keeps at least ${LAMBDA_MIN_UNRESERVED} unreserved ` +
        `(${LAMBDA_CONCURRENCY_URL}), so the deploy would fail.`,
      `Deploy with ${NONE}, or request a "Concurrent executions" quota of at least ${quota} for AWS Lambda ` +
        `in Service Quotas (${quotas}${CONCURRENT_EXECUTIONS_QUOTA}) and deploy once it is granted.`,
    );
  },
};

/**
 * 5. Lambda concurrency for the receiver: the stack reserves concurrency for its public receiver (context
 * receiverReservedConcurrency, default 10), and Lambda refuses a reservation that leaves fewer than 100 of
 * the account's concurrent executions unreserved, so on an account with a low limit (some new accounts
 * have 10) the first deploy fails. One GetAccountSettings (a read), for the reservation the deploy would
 * use: --receiver-concurrency, else cdk.json's context, else the default.
 */
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { clientConfig, describeError, isAccessDenied } from '../aws.ts';
import { type Check, fail, type Outcome, pass } from '../check.ts';

/** "Lambda requires at least 100 units of unreserved concurrency" in every account and region. */
export const LAMBDA_MIN_UNRESERVED = 100;
export const LAMBDA_CONCURRENCY_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html';
/** Service Quotas' code of AWS Lambda's "Concurrent executions". */
export const CONCURRENT_EXECUTIONS_QUOTA = 'L-B99A9384';

const NONE = '`npm run deploy -- -c receiverReservedConcurrency=none` (no reservation; or set it in cdk.json)';

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
    try {
      const out = await lambda.send(new GetAccountSettingsCommand({}), { abortSignal: signal });
      const limit = out.AccountLimit?.ConcurrentExecutions;
      const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
      if (limit === undefined || unreserved === undefined)
        return fail(
          `Lambda's GetAccountSettings in ${aws.region} answered without the account's concurrency limits.`,
          'Run the doctor again; if it keeps failing, check the AWS Health Dashboard for AWS Lambda.',
        );
      const of = `${unreserved} of the account's ${limit} concurrent executions in ${aws.region} are unreserved`;
      if (unreserved - reserved >= LAMBDA_MIN_UNRESERVED)
        return pass(`${of}; ${reserving} leaves ${unreserved - reserved} (Lambda keeps ${LAMBDA_MIN_UNRESERVED}).`);
      // what the limit must be: the other functions' reservations, this one and the 100 Lambda keeps
      const quota = limit - unreserved + needs;
      const quotas = `https://${aws.region}.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/`;
      return fail(
        `${of}; ${reserving} needs ${needs}: Lambda keeps at least ${LAMBDA_MIN_UNRESERVED} unreserved ` +
          `(${LAMBDA_CONCURRENCY_URL}), so the deploy would fail.`,
        `Deploy with ${NONE}, or request a "Concurrent executions" quota of at least ${quota} for AWS Lambda ` +
          `in Service Quotas (${quotas}${CONCURRENT_EXECUTIONS_QUOTA}) and deploy once it is granted.`,
      );
    } catch (e) {
      if (isAccessDenied(e))
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
  },
};

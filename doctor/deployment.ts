/**
 * Where the deployed values come from. CloudFormation's DescribeStacks first: it is the truth for the
 * account and region being checked (cdk-outputs.json may come from another account, region or an older
 * deploy). The file is used when CloudFormation cannot be read (no permission, not reachable).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type ClientSettings, clientConfig, describeError, errorMessage } from './aws.ts';

/** The stack's CfnOutputs (infra/stack.ts) the checks read (a test keeps the two in step). */
export const OUTPUT_KEYS = ['SlackRequestUrl', 'RuntimeArn', 'ToolRoleArn', 'SlackSecretArn'] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];
export type StackOutputs = Readonly<Record<string, string>>;

export type Deployment =
  | {
      readonly state: 'deployed';
      readonly outputs: StackOutputs;
      /** "CloudFormation (UPDATE_COMPLETE)" or "cdk-outputs.json (…)". */
      readonly source: string;
    }
  /** No such stack in this account and region. */
  | { readonly state: 'absent'; readonly detail: string }
  /** The stack is there but not usable (being deployed, failed, being deleted). */
  | { readonly state: 'unusable'; readonly status: string; readonly detail: string; readonly fix: string }
  /** Neither CloudFormation nor the file could tell. */
  | { readonly state: 'unknown'; readonly detail: string };

/** The outputs of `stackName` in a cdk-outputs.json, or undefined (no file, not JSON, no such stack). */
export function outputsFromFile(file: string, stackName: string): StackOutputs | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const stack = (parsed as Record<string, unknown> | null)?.[stackName];
  if (typeof stack !== 'object' || stack === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack)) if (typeof v === 'string') out[k] = v;
  return out;
}

const USABLE = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE)$/;

/** CloudFormation's troubleshooting guide, the sections on the stuck states below. */
export const CFN_TROUBLESHOOTING =
  'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html';
const EVENTS = "the stack's events (CloudFormation console → the stack → Events)";

function unusable(stackName: string, status: string, reason: string | undefined): Deployment {
  const why = reason ? ` (${reason})` : '';
  const at = (detail: string, fix: string): Deployment => ({ state: 'unusable', status, detail, fix });
  if (/IN_PROGRESS$/.test(status))
    return at(
      `The stack ${stackName} is ${status}${why}.`,
      'Wait for the deploy (or delete) to finish, then run npm run doctor again.',
    );
  // an update failed and so did its rollback: the stack can be neither updated nor deleted until the rollback
  // is finished; destroying it would throw away the Slack secret and the sessions for nothing
  if (status === 'UPDATE_ROLLBACK_FAILED')
    return at(
      `The stack ${stackName} is ${status}${why}: a deploy failed and CloudFormation could not roll it back.`,
      `Find the resource whose rollback failed in ${EVENTS} and fix what it says (e.g. recreate what was deleted ` +
        `by hand), then run \`aws cloudformation continue-update-rollback --stack-name ${stackName}\` (add ` +
        '`--resources-to-skip LOGICAL_ID` for a resource that cannot be rolled back). Once the stack is ' +
        `UPDATE_ROLLBACK_COMPLETE, \`npm run deploy\` again. See ${CFN_TROUBLESHOOTING}` +
        '#troubleshooting-errors-update-rollback-failed',
    );
  // a delete stopped at a resource it could not delete (a bucket that is not empty, a resource in use)
  if (status === 'DELETE_FAILED')
    return at(
      `The stack ${stackName} is ${status}${why}: \`npm run destroy\` stopped at a resource it could not delete.`,
      `Find it in ${EVENTS}, remove what keeps it (empty the bucket, detach what uses it) and run ` +
        '`npm run destroy` again; or keep that resource and delete the rest with `aws cloudformation ' +
        `delete-stack --stack-name ${stackName} --retain-resources LOGICAL_ID\`. Then \`npm run deploy\`. ` +
        `See ${CFN_TROUBLESHOOTING}#troubleshooting-errors-delete-stack-fails`,
    );
  // a deploy with --no-rollback stopped where it failed: it can be deployed again, or rolled back
  if (status === 'UPDATE_FAILED')
    return at(
      `The stack ${stackName} is ${status}${why}: a deploy failed and was not rolled back.`,
      `Fix what ${EVENTS} say failed and \`npm run deploy\` again, or roll it back with ` +
        `\`aws cloudformation rollback-stack --stack-name ${stackName}\`.`,
    );
  if (/^(ROLLBACK_COMPLETE|ROLLBACK_FAILED|CREATE_FAILED)$/.test(status))
    return at(
      `The stack ${stackName} is ${status}${why}: its first deploy failed.`,
      `Read ${EVENTS} for the first failure, fix it, then \`npm run destroy\` (a stack in ${status} cannot be ` +
        'updated, only deleted) and `npm run deploy`.',
    );
  if (/FAILED$/.test(status))
    return at(
      `The stack ${stackName} is ${status}${why}.`,
      `Read ${EVENTS} for the failure and what CloudFormation allows next (${CFN_TROUBLESHOOTING}).`,
    );
  return at(`The stack ${stackName} is ${status}${why}.`, 'Run `npm run deploy` to deploy it again.');
}

/** The region an ARN names, for saying where a stale outputs file points. */
const regionOf = (arn: string | undefined) => arn?.split(':')[3] || undefined;

export async function findDeployment(
  stackName: string,
  outputsFile: string,
  aws: ClientSettings,
  signal: AbortSignal,
  cwd = process.cwd(),
): Promise<Deployment> {
  const fromFile = outputsFromFile(resolve(cwd, outputsFile), stackName);
  const absent = (): Deployment => {
    const elsewhere = regionOf(fromFile?.RuntimeArn);
    const note =
      fromFile && elsewhere && elsewhere !== aws.region
        ? ` (${outputsFile} names one in ${elsewhere}: pass --region ${elsewhere} to check that one)`
        : fromFile
          ? ` (${outputsFile} is from another account, or the stack was destroyed)`
          : '';
    return { state: 'absent', detail: `The stack ${stackName} is not in ${aws.region}${note}.` };
  };
  const cfn = new CloudFormationClient(clientConfig(aws));
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal: signal });
    const stack = out.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (!stack || status === 'DELETE_COMPLETE') return absent();
    if (!USABLE.test(status)) return unusable(stackName, status, stack.StackStatusReason);
    const outputs: Record<string, string> = {};
    for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
    return { state: 'deployed', outputs, source: `CloudFormation (${status})` };
  } catch (e) {
    // CloudFormation says a missing stack with a ValidationError "Stack with id NAME does not exist"
    if (/does not exist/i.test(errorMessage(e))) return absent();
    if (fromFile)
      return {
        state: 'deployed',
        outputs: fromFile,
        source: `${outputsFile} (CloudFormation could not be read: ${describeError(e)})`,
      };
    return {
      state: 'unknown',
      detail:
        `cloudformation:DescribeStacks on ${stackName} failed (${describeError(e)}) and there is no ` +
        `${outputsFile} with its outputs.`,
    };
  } finally {
    cfn.destroy();
  }
}

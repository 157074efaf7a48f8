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

function unusable(stackName: string, status: string, reason: string | undefined): Deployment {
  const why = reason ? ` (${reason})` : '';
  if (/IN_PROGRESS$/.test(status))
    return {
      state: 'unusable',
      status,
      detail: `The stack ${stackName} is ${status}${why}.`,
      fix: 'Wait for the deploy (or delete) to finish, then run npm run doctor again.',
    };
  if (status === 'ROLLBACK_COMPLETE' || /FAILED$/.test(status))
    return {
      state: 'unusable',
      status,
      detail: `The stack ${stackName} is ${status}${why}: its deploy failed.`,
      fix:
        `Read the stack's events in the CloudFormation console for the first failure, fix it, then ` +
        `\`npm run destroy\` (a stack in ROLLBACK_COMPLETE cannot be updated) and \`npm run deploy\`.`,
    };
  return {
    state: 'unusable',
    status,
    detail: `The stack ${stackName} is ${status}${why}.`,
    fix: 'Run `npm run deploy` to deploy it again.',
  };
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

/**
 * Runs every check, all at once (what they share is found once, in the context), each under its own
 * deadline: a check that does not answer in time fails with that, and the doctor never hangs.
 */
import { describeError } from './aws.ts';
import { type Check, type CheckResult, fail } from './check.ts';
import { agentCoreCheck } from './checks/agentcore.ts';
import { bootstrapCheck } from './checks/bootstrap.ts';
import { credentialsCheck } from './checks/credentials.ts';
import { lambdaConcurrencyCheck } from './checks/lambda-concurrency.ts';
import { modelCheck } from './checks/model.ts';
import { requestUrlCheck } from './checks/request-url.ts';
import { runtimeCheck } from './checks/runtime.ts';
import { slackCheck } from './checks/slack.ts';
import { stackCheck } from './checks/stack.ts';
import { toolRoleCheck } from './checks/tool-role.ts';
import { DoctorContext } from './context.ts';
import { byDeadline } from './deadline.ts';
import type { DoctorOptions } from './options.ts';

/** In the order they are printed: before the deploy, then the stack and what it deployed. */
export const CHECKS: readonly Check[] = [
  credentialsCheck,
  bootstrapCheck,
  agentCoreCheck,
  modelCheck,
  lambdaConcurrencyCheck,
  stackCheck,
  slackCheck,
  runtimeCheck,
  requestUrlCheck,
  toolRoleCheck,
];

export interface DoctorReport {
  readonly ok: boolean;
  readonly mode: DoctorOptions['mode'];
  readonly region?: string;
  readonly account?: string;
  readonly principal?: string;
  readonly stack: string;
  readonly deployed: boolean;
  readonly model: string;
  readonly checks: readonly CheckResult[];
}

async function runOne(check: Check, ctx: DoctorContext): Promise<CheckResult> {
  const started = Date.now();
  const abort = new AbortController();
  const seconds = Math.round(ctx.options.timeoutMs / 1000);
  const done = check
    .run(ctx, abort.signal)
    .catch((e: unknown) =>
      fail(`The check itself failed (${describeError(e)}).`, 'Run the doctor again; report it if it persists.'),
    );
  const outcome = await byDeadline(done, ctx.options.timeoutMs, () => {
    abort.abort();
    return fail(
      `No answer within ${seconds} s.`,
      `Check the network or proxy, then run the doctor again (--timeout ${seconds * 3} waits longer).`,
    );
  });
  return { id: check.id, title: check.title, afterDeploy: check.afterDeploy, ...outcome, ms: Date.now() - started };
}

export async function runDoctor(
  options: DoctorOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<DoctorReport> {
  const ctx = new DoctorContext(options, env, cwd);
  const checks = await Promise.all(CHECKS.map((c) => runOne(c, ctx)));
  const me = await ctx.identity();
  // before the deploy nothing asked CloudFormation, and the report does not either
  const deployment = me.ok && options.mode !== 'before' ? await ctx.deployment() : undefined;
  // found already by the model check (or, without credentials, the one the deploy would use)
  const model = await ctx.model();
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    mode: options.mode,
    ...(me.region ? { region: me.region } : {}),
    ...(me.ok ? { account: me.account, principal: me.arn } : {}),
    stack: ctx.stackName,
    deployed: deployment !== undefined && 'state' in deployment && deployment.state === 'deployed',
    model: model.modelId,
    checks,
  };
}

/**
 * 7. The agent runtime is READY and requires MMDSv2: GetAgentRuntime on the stack's RuntimeArn (read once,
 * in the context), reading status and metadataConfiguration.requireMMDSV2 (which the stack's RequireMmdsV2
 * custom resource sets, since CloudFormation cannot).
 */
import { ACCESS_DENIED, errorText } from '../../common/aws-errors.ts';
import { describeError } from '../aws.ts';
import { type Check, fail, pass } from '../check.ts';

export const runtimeCheck: Check = {
  id: 'runtime',
  title: 'Agent runtime',
  afterDeploy: true,
  async run(ctx) {
    const read = await ctx.runtime();
    if ('blocked' in read) return read.blocked;
    const { id, region } = read;
    if ('error' in read) {
      const e = read.error;
      if (ACCESS_DENIED.test(errorText(e)))
        return fail(
          `These credentials may not call bedrock-agentcore:GetAgentRuntime on ${id} (${describeError(e)}).`,
          'Run the doctor with credentials that may read the runtime (an administrator).',
        );
      return fail(
        `GetAgentRuntime on ${id} in ${region} failed (${describeError(e)}).`,
        /ResourceNotFound/i.test(describeError(e))
          ? 'The runtime is gone: redeploy with `npm run deploy`.'
          : 'Run the doctor again; if it keeps failing, check the AWS Health Dashboard for AgentCore.',
      );
    }
    const rt = read.runtime;
    const status = rt.status ?? 'UNKNOWN';
    const mmds = rt.metadataConfiguration?.requireMMDSV2 === true;
    if (/FAILED/.test(status))
      return fail(
        `The runtime ${id} is ${status}: ${rt.failureReason ?? 'no reason given'}.`,
        "Fix what the reason says, then `npm run deploy` again; the runtime's log group under " +
          '/aws/bedrock-agentcore/runtimes/ may say more.',
      );
    if (status !== 'READY')
      return fail(
        `The runtime ${id} is ${status}, not READY.`,
        'Wait for it (an update takes a minute or two), then run the doctor again; if it stays so, `npm run deploy`.',
      );
    if (!mmds)
      return fail(
        `The runtime ${id} is READY but does not require MMDSv2 (metadataConfiguration.requireMMDSV2 is not true).`,
        'Run `npm run deploy`: its RequireMmdsV2 resource sets it after every runtime change. If the runtime was ' +
          'changed outside CloudFormation, set it in the AgentCore console (the runtime → Edit → require ' +
          'MMDSv2) or with UpdateAgentRuntime and metadataConfiguration.requireMMDSV2=true.',
      );
    return pass(`${id} is READY (version ${rt.agentRuntimeVersion ?? '?'}) and requires MMDSv2.`);
  },
};

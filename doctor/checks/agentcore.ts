/**
 * 3. AgentCore Runtime in the region: one ListAgentRuntimes (a read, nothing created). Where the service is
 * not offered its endpoint host does not exist, so the call ends in a DNS failure: that is "not in this
 * region", since STS in the same region has just answered.
 */
import { BedrockAgentCoreControlClient, ListAgentRuntimesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { ACCESS_DENIED, errorText } from '../../common/aws-errors.ts';
import { clientConfig, describeError, isNotInRegion } from '../aws.ts';
import { type Check, fail, pass } from '../check.ts';

export const AGENTCORE_REGIONS_URL =
  'https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/agentcore-regions.html';

export const agentCoreCheck: Check = {
  id: 'agentcore',
  title: 'AgentCore Runtime',
  afterDeploy: false,
  async run(ctx, signal) {
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const client = new BedrockAgentCoreControlClient(clientConfig(aws));
    try {
      const out = await client.send(new ListAgentRuntimesCommand({ maxResults: 10 }), { abortSignal: signal });
      const n = out.agentRuntimes?.length ?? 0;
      const more = out.nextToken ? ' or more' : '';
      return pass(`Available in ${aws.region} (${n}${more} runtime${n === 1 ? '' : 's'} in the account).`);
    } catch (e) {
      if (isNotInRegion(e))
        return fail(
          `Amazon Bedrock AgentCore Runtime is not in this region (${aws.region}): ${describeError(e)}.`,
          `Deploy to a region that has it (${AGENTCORE_REGIONS_URL}): set AWS_REGION or pass --region, ` +
            'bootstrap that region, and run the doctor again.',
        );
      if (ACCESS_DENIED.test(errorText(e)))
        return fail(
          `These credentials may not call bedrock-agentcore:ListAgentRuntimes (${describeError(e)}).`,
          'Deploy with administrator credentials (or a CDK deploy role): the deploy creates an AgentCore runtime.',
        );
      return fail(
        `ListAgentRuntimes failed in ${aws.region} (${describeError(e)}).`,
        'Run the doctor again; if it keeps failing, check the AWS Health Dashboard for Amazon Bedrock AgentCore.',
      );
    } finally {
      client.destroy();
    }
  },
};

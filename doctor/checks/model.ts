/**
 * 4. The model answers: one Converse call of at most one output token with the configured model and
 * Bedrock region, as the caller. It costs a few tokens, and for a first call it is also what subscribes
 * the account to a Marketplace model.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { clientConfig } from '../aws.ts';
import { type Check, pass } from '../check.ts';
import { explainModelError } from './model-errors.ts';

export const modelCheck: Check = {
  id: 'model',
  title: 'Bedrock model',
  afterDeploy: false,
  async run(ctx, signal) {
    const bedrockRegion = ctx.env.BEDROCK_REGION?.trim() || undefined;
    const aws = await ctx.aws(bedrockRegion);
    if ('blocked' in aws) return aws.blocked;
    const me = await ctx.identity();
    const client = new BedrockRuntimeClient(clientConfig(aws));
    try {
      const out = await client.send(
        new ConverseCommand({
          modelId: ctx.modelId,
          messages: [{ role: 'user', content: [{ text: 'Reply with OK.' }] }],
          inferenceConfig: { maxTokens: 1 },
        }),
        { abortSignal: signal },
      );
      return pass(`${ctx.modelId} answered in ${aws.region} (stop reason ${out.stopReason ?? 'none'}).`);
    } catch (e) {
      return explainModelError(e, {
        modelId: ctx.modelId,
        region: aws.region,
        ...(me.ok ? { principal: me.arn } : {}),
      });
    } finally {
      client.destroy();
    }
  },
};

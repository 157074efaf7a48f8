/**
 * 4. The model answers: one Converse call of at most one output token, as the caller, with the model the
 * bot runs or will run: before the deploy the one `npm run deploy` would deploy (--model, else cdk.json's
 * modelId, else the default) in the stack's region; after it the deployed runtime's MODEL_ID (and
 * BEDROCK_REGION). The shell's MODEL_ID and BEDROCK_REGION are a local bot's, not the deploy's, and are not
 * read. It costs a few tokens, and for a first call it is also what subscribes the account to a Marketplace
 * model.
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
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const choice = await ctx.model();
    const at = choice.region ? await ctx.aws(choice.region) : aws;
    if ('blocked' in at) return at.blocked;
    const me = await ctx.identity();
    const why = `model from ${choice.from}`;
    const client = new BedrockRuntimeClient(clientConfig(at));
    try {
      const out = await client.send(
        new ConverseCommand({
          modelId: choice.modelId,
          messages: [{ role: 'user', content: [{ text: 'Reply with OK.' }] }],
          inferenceConfig: { maxTokens: 1 },
        }),
        { abortSignal: signal },
      );
      return pass(`${choice.modelId} answered in ${at.region} (stop reason ${out.stopReason ?? 'none'}; ${why}).`);
    } catch (e) {
      const o = explainModelError(e, {
        modelId: choice.modelId,
        region: at.region,
        ...(me.ok ? { principal: me.arn } : {}),
      });
      return { ...o, detail: `${o.detail} Model from ${choice.from}.` };
    } finally {
      client.destroy();
    }
  },
};

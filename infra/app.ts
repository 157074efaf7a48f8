/**
 * The CDK app: `npm run synth`. Settings come from CDK context (cdk.json or `-c key=value`):
 *
 *   stackName            default aws-ask
 *   localPrincipalArns   comma-separated IAM principal ARNs that may also assume the tool role (dev)
 */
import { App } from 'aws-cdk-lib';
import { AwsAskStack } from './stack.ts';

const app = new App();
const ctx = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(key);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};
new AwsAskStack(app, ctx('stackName') ?? 'aws-ask', {
  localPrincipalArns: (ctx('localPrincipalArns') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
});
app.synth();

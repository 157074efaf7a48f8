/**
 * The CDK app: `npm run synth` / `npm run deploy`. Settings come from CDK context (cdk.json or
 * `-c key=value`), all optional:
 *
 *   stackName           default aws-ask; it also names the AgentCore runtime (runtimeNameFor in
 *                       infra/deploy-names.ts: aws-ask → aws_ask, second → second), so two stacks can share
 *                       an account and region
 *   modelId             Bedrock model or inference profile (default global.anthropic.claude-sonnet-4-6)
 *   agentArtifact       code (Node.js code package, default) | container (arm64 image; needs Docker)
 *   regions             comma-separated regions the agent may look in (AWS_ASK_REGIONS)
 *   allowedTeamIds, allowedChannelIds, allowedUserIds   comma-separated Slack ids
 *   localPrincipalArns  IAM principals that may also assume the tool role (developers)
 *   sessionRetentionDays  days conversations are kept (default 30)
 *   alarmEmail          email for the dead-letter alarm
 *   slackApiUrl         another Slack API base (GovSlack)
 *   receiverReservedConcurrency  concurrency reserved for the receiver (default 10; `none` on an
 *                       account whose Lambda concurrency limit is under 110; `npm run doctor` checks)
 *   marketplaceProductIds  the model's AWS Marketplace product ids (the runtime may subscribe to those only)
 *   denyActions         comma-separated IAM action patterns refused in every layer, e.g. log reads
 *                       (logs:GetLogEvents,logs:FilterLogEvents,logs:StartQuery); AWS_ASK_DENY_ACTIONS
 *   showEnvValues       comma-separated environment variable name globs whose values answers may show
 *                       (all others are hidden); AWS_ASK_SHOW_ENV_VALUES
 *
 * cdk-nag's AwsSolutions checks run on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../common/errors.ts';
import { assertDenyActionsKnown } from '../common/policy/index.ts';
import { stackPropsFromContext } from './context.ts';
import { AwsAskStack } from './stack.ts';

const app = new App();
let settings: ReturnType<typeof stackPropsFromContext>;
try {
  settings = stackPropsFromContext((k) => app.node.tryGetContext(k));
  await assertDenyActionsKnown(settings.props.denyActions, 'context denyActions');
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(
    'aws-ask: fix these CDK context values (cdk.json or -c key=value):\n' +
      `${e.problems.map((p) => `- ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
const { stackName, props } = settings;
new AwsAskStack(app, stackName, { ...props, description: 'aws-ask: a read-only Slack bot for this AWS account' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

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
 *   toolRoleName        the tool role's name, the same in every member account (default <stackName>-tool,
 *                       toolRoleNameFor in infra/deploy-names.ts); TOOL_ROLE_NAME
 *   accounts            member accounts the runtime may read: prod=111111111111,staging=222222222222, or
 *                       organization[:ou-…,…] (with organizationId); AWS_ASK_ACCOUNTS
 *   organizationId      the organization (o-…), required by accounts=organization
 *   scopes              channel scopes, a JSON object; AWS_ASK_SCOPES on the runtime and the Lambdas
 *
 * With `-c member=true` (`npm run deploy:member`) the app is the member stack instead
 * (infra/member-stack.ts, `<stackName>-member`), deployed in a member account with its credentials:
 *   hubRuntimeRoleArn   required: the hub stack's RuntimeRoleArn output
 *   stackName or toolRoleName, denyActions: the hub's, so the names and the deny policies match
 *   localPrincipalArns  principals of the member account that may also assume its tool role
 *
 * cdk-nag's AwsSolutions checks run on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../common/errors.ts';
import { assertDenyActionsKnown } from '../common/policy/index.ts';
import { memberPropsFromContext, stackPropsFromContext } from './context.ts';
import { AwsAskMemberStack } from './member-stack.ts';
import { AwsAskStack } from './stack.ts';

const app = new App();
const get = (k: string): unknown => app.node.tryGetContext(k);
const member = String(get('member') ?? 'false') === 'true';
try {
  if (member) {
    const { stackName, props } = memberPropsFromContext(get);
    await assertDenyActionsKnown(props.denyActions, 'context denyActions');
    new AwsAskMemberStack(app, stackName, {
      ...props,
      description: "aws-ask: the read-only tool role the hub account's runtime assumes in this account",
    });
  } else {
    const { stackName, props } = stackPropsFromContext(get);
    await assertDenyActionsKnown(props.denyActions, 'context denyActions');
    new AwsAskStack(app, stackName, { ...props, description: 'aws-ask: a read-only Slack bot for this AWS account' });
  }
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(
    'aws-ask: fix these CDK context values (cdk.json or -c key=value):\n' +
      `${e.problems.map((p) => `- ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

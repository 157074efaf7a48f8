/**
 * The CDK app: `npm run synth` / `npm run deploy`. Settings come from CDK context (cdk.json or
 * `-c key=value`), all optional:
 *
 *   stackName           default aws-ask
 *   modelId             Bedrock model or inference profile (default global.anthropic.claude-sonnet-4-6)
 *   agentArtifact       code (Node 22 package, default) | container (arm64 image; needs Docker)
 *   regions             comma-separated regions the agent may look in (AWS_ASK_REGIONS)
 *   allowedTeamIds, allowedChannelIds, allowedUserIds   comma-separated Slack ids
 *   localPrincipalArns  IAM principals that may also assume the tool role (developers)
 *   sessionRetentionDays  days conversations are kept (default 30)
 *   alarmEmail          email for the dead-letter alarm
 *   slackApiUrl         another Slack API base (GovSlack)
 *
 * cdk-nag's AwsSolutions checks run on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AwsAskStack, type AwsAskStackProps } from './stack.ts';

export function stackPropsFromContext(get: (key: string) => unknown): { stackName: string; props: AwsAskStackProps } {
  const str = (key: string): string | undefined => {
    const v = get(key);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`context ${key} must be a string`);
    return String(v).trim() || undefined;
  };
  const list = (key: string) => (str(key) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const artifact = str('agentArtifact') ?? 'code';
  if (artifact !== 'code' && artifact !== 'container') throw new Error(`context agentArtifact must be code or container (got "${artifact}")`);
  const days = str('sessionRetentionDays');
  if (days !== undefined && !(Number.isInteger(Number(days)) && Number(days) > 0)) throw new Error(`context sessionRetentionDays must be a whole number of days (got "${days}")`);
  const email = str('alarmEmail');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`context alarmEmail is not an email address (got "${email}")`);
  const modelId = str('modelId');
  const slackApiUrl = str('slackApiUrl');
  return {
    stackName: str('stackName') ?? 'aws-ask',
    props: {
      agentArtifact: artifact,
      localPrincipalArns: list('localPrincipalArns'),
      regions: list('regions'),
      allowedTeamIds: list('allowedTeamIds'),
      allowedChannelIds: list('allowedChannelIds'),
      allowedUserIds: list('allowedUserIds'),
      ...(modelId ? { modelId } : {}),
      ...(days ? { sessionRetentionDays: Number(days) } : {}),
      ...(email ? { alarmEmail: email } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
    },
  };
}

const app = new App();
const { stackName, props } = stackPropsFromContext((k) => app.node.tryGetContext(k));
new AwsAskStack(app, stackName, { ...props, description: 'aws-ask: a read-only Slack bot for this AWS account' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

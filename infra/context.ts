/** The stack's settings from CDK context (see infra/app.ts for the keys), checked. */
import type { AwsAskStackProps } from './stack.ts';

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


/** The stack's settings from CDK context (see infra/app.ts for the keys), checked: every problem at once. */
import { SettingsReader } from '../common/settings.ts';
import type { AwsAskStackProps } from './stack.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Throws ConfigError listing every bad context value, each as `context KEY …` with what it should be. */
export function stackPropsFromContext(get: (key: string) => unknown): { stackName: string; props: AwsAskStackProps } {
  const read = new SettingsReader(get, { describe: (key) => `context ${key}` });
  const agentArtifact = read.oneOf('agentArtifact', ['code', 'container'] as const, 'code');
  const days = read.str('sessionRetentionDays');
  if (days !== undefined && !(Number.isInteger(Number(days)) && Number(days) > 0)) {
    read.problem(`context sessionRetentionDays must be a whole number of days (got "${days}").`);
  }
  const email = read.str('alarmEmail');
  if (email !== undefined && !EMAIL.test(email))
    read.problem(`context alarmEmail is not an email address (got "${email}").`);
  const concurrency = read.str('receiverReservedConcurrency');
  let receiverReservedConcurrency: number | false | undefined;
  if (concurrency === 'none' || concurrency === 'false') receiverReservedConcurrency = false;
  else if (concurrency !== undefined) {
    receiverReservedConcurrency = read.int('receiverReservedConcurrency', 10, 1, 1_000);
  }
  const modelId = read.str('modelId');
  const slackApiUrl = read.str('slackApiUrl');
  const result = {
    stackName: read.str('stackName') ?? 'aws-ask',
    props: {
      agentArtifact,
      localPrincipalArns: read.list('localPrincipalArns'),
      regions: read.regions('regions'),
      allowedTeamIds: read.list('allowedTeamIds'),
      allowedChannelIds: read.list('allowedChannelIds'),
      allowedUserIds: read.list('allowedUserIds'),
      marketplaceProductIds: read.list('marketplaceProductIds'),
      ...(receiverReservedConcurrency !== undefined ? { receiverReservedConcurrency } : {}),
      ...(modelId ? { modelId } : {}),
      ...(days ? { sessionRetentionDays: Number(days) } : {}),
      ...(email ? { alarmEmail: email } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
    },
  };
  return read.done(result);
}

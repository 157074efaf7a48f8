/** The stack's settings from CDK context (see infra/app.ts for the keys), checked: every problem at once. */
import { DEFAULT_RECEIVER_RESERVED_CONCURRENCY } from '../common/defaults.ts';
import { readDenyActions } from '../common/policy/index.ts';
import { SettingsReader } from '../common/settings.ts';
import type { AwsAskStackProps } from './stack.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Context receiverReservedConcurrency as the stack takes it: a whole number from 1 to 1000, false for
 * `none` (or `false`), undefined when unset (the stack's default). `npm run doctor` reads it the same way.
 */
export function readReceiverReservedConcurrency(read: SettingsReader): number | false | undefined {
  const concurrency = read.str('receiverReservedConcurrency');
  if (concurrency === undefined) return undefined;
  if (concurrency === 'none' || concurrency === 'false') return false;
  return read.int('receiverReservedConcurrency', DEFAULT_RECEIVER_RESERVED_CONCURRENCY, 1, 1_000);
}

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
  const receiverReservedConcurrency = readReceiverReservedConcurrency(read);
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
      denyActions: readDenyActions(read, 'denyActions', 'context denyActions'),
      showEnvValues: read.list('showEnvValues'),
      ...(receiverReservedConcurrency !== undefined ? { receiverReservedConcurrency } : {}),
      ...(modelId ? { modelId } : {}),
      ...(days ? { sessionRetentionDays: Number(days) } : {}),
      ...(email ? { alarmEmail: email } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
    },
  };
  return read.done(result);
}

/** The stack's settings from CDK context (see infra/app.ts for the keys), checked: every problem at once. */
import { DEFAULT_RECEIVER_RESERVED_CONCURRENCY } from '../common/defaults.ts';
import { readDenyActions } from '../common/policy/index.ts';
import { SettingsReader } from '../common/settings.ts';
import { type MemberAccounts, ORGANIZATION_ID, readMemberAccounts } from './accounts.ts';
import { ROLE_NAME_PATTERN, toolRoleNameFor } from './deploy-names.ts';
import type { AwsAskMemberStackProps } from './member-stack.ts';
import type { AwsAskStackProps } from './stack.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An IAM role's ARN (a role path allowed). */
export const HUB_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

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

/** Context toolRoleName, else toolRoleNameFor(stackName): the same in the hub and every member account. */
export function readToolRoleName(read: SettingsReader, stackName: string): string {
  const name = read.str('toolRoleName');
  if (name === undefined) return toolRoleNameFor(stackName);
  if (!ROLE_NAME_PATTERN.test(name))
    read.problem(`context toolRoleName "${name}" is not an IAM role name (1 to 64 of letters, digits, +=,.@_-).`);
  return name;
}

/** Context accounts and organizationId (this one required by accounts=organization). */
function readAccounts(read: SettingsReader): { accounts?: MemberAccounts; organizationId?: string } {
  const value = readMemberAccounts(read);
  const organizationId = read.str('organizationId');
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId))
    read.problem(`context organizationId "${organizationId}" is not an organization id (o-abcd123456).`);
  if (value?.kind === 'organization' && organizationId === undefined)
    read.problem(
      'context organizationId is not set: accounts=organization needs it (aws organizations describe-organization).',
    );
  return { ...(value ? { accounts: value } : {}), ...(organizationId ? { organizationId } : {}) };
}

/**
 * Context scopes as compact JSON text (AWS_ASK_SCOPES): a JSON object, written in cdk.json as an object or
 * given as text (`-c scopes='{…}'`). Only its shape is checked here; the bot and the agent read its meaning.
 */
function readScopes(read: SettingsReader, get: (key: string) => unknown): string | undefined {
  const raw = get('scopes');
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      read.problem(`context scopes is not JSON (got "${raw.slice(0, 40)}…").`);
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    read.problem('context scopes must be a JSON object.');
    return undefined;
  }
  return JSON.stringify(value);
}

/** Throws ConfigError listing every bad context value, each as `context KEY …` with what it should be. */
export function stackPropsFromContext(get: (key: string) => unknown): { stackName: string; props: AwsAskStackProps } {
  const read = new SettingsReader(get, { describe: (key) => `context ${key}` });
  const stackName = read.str('stackName') ?? 'aws-ask';
  const toolRoleName = readToolRoleName(read, stackName);
  const { accounts, organizationId } = readAccounts(read);
  const scopes = readScopes(read, get);
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
    stackName,
    props: {
      agentArtifact,
      toolRoleName,
      ...(accounts ? { accounts } : {}),
      ...(organizationId ? { organizationId } : {}),
      ...(scopes ? { scopes } : {}),
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

/**
 * The member stack's settings (`-c member=true`): the hub's stackName or toolRoleName (so the names
 * match), hubRuntimeRoleArn (the hub's RuntimeRoleArn output; required unless `hubRequired` is false, as
 * for the StackSets template, where it is a parameter), localPrincipalArns, denyActions. The member
 * stack is `<stackName>-member`.
 */
export function memberPropsFromContext(
  get: (key: string) => unknown,
  options: { hubRequired: boolean } = { hubRequired: true },
): { stackName: string; props: AwsAskMemberStackProps } {
  const read = new SettingsReader(get, { describe: (key) => `context ${key}` });
  const hubStackName = read.str('stackName') ?? 'aws-ask';
  const toolRoleName = readToolRoleName(read, hubStackName);
  const hint = "the hub stack's RuntimeRoleArn output (arn:aws:iam::123456789012:role/…).";
  const hubRuntimeRoleArn = options.hubRequired
    ? read.required('hubRuntimeRoleArn', hint)
    : read.str('hubRuntimeRoleArn');
  if (hubRuntimeRoleArn && !HUB_ROLE_ARN.test(hubRuntimeRoleArn))
    read.problem(
      `context hubRuntimeRoleArn "${hubRuntimeRoleArn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/name).`,
    );
  return read.done({
    stackName: `${hubStackName}-member`,
    props: {
      toolRoleName,
      ...(hubRuntimeRoleArn ? { hubRuntimeRoleArn } : {}),
      localPrincipalArns: read.list('localPrincipalArns'),
      denyActions: readDenyActions(read, 'denyActions', 'context denyActions'),
    },
  });
}

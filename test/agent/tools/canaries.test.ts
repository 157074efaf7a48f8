/**
 * No secret ever reaches a tool result: moto is seeded with canary secrets wherever AWS keeps them
 * (Lambda and ECS environments, API Gateway keys, VPN pre-shared keys, NoEcho parameters, SSM
 * command parameters, user data, origin headers, MFA seeds…), every operation that could show them
 * is called through the real controlled_use_aws tool, and no canary (nor 8 characters of one) may
 * be in any result, whether the call was made or refused.
 *
 * Each call is also made straight to moto with the SDK: what that raw answer exposes proves the
 * seeding worked and that the tool, not moto, kept the secret out.
 */
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { controlledUseAwsFromEnv } from '../../../agent/tools/controlled-use-aws.ts';
import { findService } from '../../../common/aws-services.ts';
import { motoConfig } from '../../helpers/aws.ts';
import {
  Canaries,
  type Canary,
  describeLeak,
  LEAK_WINDOW,
  type Leak,
  type SeededSecrets,
  seedSecrets,
} from '../../helpers/canaries.ts';
import { ACCOUNT, seedRoles } from '../../helpers/seed.ts';
import { runTool } from '../../helpers/tools.ts';

const REGION = 'ap-southeast-1';
const GLOBAL = 'us-east-1';

/**
 * What a call must do besides leaking nothing: `shown` succeeds and names the seeded resources;
 * `refused` is refused by the tool; `refused-or-shown` either (the policy may go either way, the
 * redaction must hold); `any` only leaks nothing (moto does not implement it).
 */
type Outcome = 'shown' | 'refused' | 'refused-or-shown' | 'any';

interface Call {
  readonly service: string;
  readonly operation: string;
  readonly params: (s: SeededSecrets) => Record<string, unknown>;
  readonly outcome: Outcome;
  /** Non-secret text a successful result must contain: the proof that it shows the seeded resource. */
  readonly shows?: (s: SeededSecrets) => string[];
  readonly region?: string;
}

const none = () => ({});

const CALLS: readonly Call[] = [
  // Lambda: environment values
  {
    service: 'lambda',
    operation: 'ListFunctions',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.functionName, ...s.envNames],
  },
  {
    service: 'lambda',
    operation: 'GetFunction',
    params: (s) => ({ FunctionName: s.functionName }),
    outcome: 'shown',
    shows: (s) => [s.functionName, ...s.envNames],
  },
  {
    service: 'lambda',
    operation: 'GetFunctionConfiguration',
    params: (s) => ({ FunctionName: s.functionName }),
    outcome: 'shown',
    shows: (s) => [s.functionName, ...s.envNames],
  },
  {
    service: 'lambda',
    operation: 'ListVersionsByFunction',
    params: (s) => ({ FunctionName: s.functionName }),
    outcome: 'shown',
    shows: (s) => [s.functionName],
  },
  // ECS: container environment and command line
  {
    service: 'ecs',
    operation: 'ListTaskDefinitions',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.taskFamily],
  },
  {
    service: 'ecs',
    operation: 'DescribeTaskDefinition',
    params: (s) => ({ taskDefinition: s.taskFamily }),
    outcome: 'shown',
    shows: (s) => [s.taskFamily, ...s.envNames],
  },
  // API Gateway: API key values, also through usage plan keys
  {
    service: 'apigateway',
    operation: 'GetUsagePlans',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.usagePlanId, 'cnry-plan-gold'],
  },
  {
    service: 'apigateway',
    operation: 'GetUsagePlan',
    params: (s) => ({ usagePlanId: s.usagePlanId }),
    outcome: 'shown',
    shows: (s) => [s.usagePlanId],
  },
  {
    service: 'apigateway',
    operation: 'GetUsagePlanKeys',
    params: (s) => ({ usagePlanId: s.usagePlanId }),
    outcome: 'refused-or-shown',
    shows: (s) => [s.apiKeyId],
  },
  {
    service: 'apigateway',
    operation: 'GetUsagePlanKey',
    params: (s) => ({ usagePlanId: s.usagePlanId, keyId: s.apiKeyId }),
    outcome: 'refused-or-shown',
    shows: (s) => [s.apiKeyId],
  },
  { service: 'apigateway', operation: 'GetApiKeys', params: () => ({ includeValues: true }), outcome: 'refused' },
  {
    service: 'apigateway',
    operation: 'GetApiKey',
    params: (s) => ({ apiKey: s.apiKeyId, includeValue: true }),
    outcome: 'refused',
  },
  // EC2: VPN pre-shared keys, user data
  {
    service: 'ec2',
    operation: 'DescribeVpnConnections',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.vpnConnectionId],
  },
  {
    service: 'ec2',
    operation: 'GetVpnConnectionDeviceSampleConfiguration',
    params: (s) => ({ VpnConnectionId: s.vpnConnectionId, VpnConnectionDeviceTypeId: '36a7c5bf' }),
    outcome: 'refused',
  },
  {
    service: 'ec2',
    operation: 'DescribeInstanceAttribute',
    params: (s) => ({ InstanceId: s.instanceId, Attribute: 'userData' }),
    outcome: 'shown',
    shows: (s) => [s.instanceId],
  },
  {
    service: 'ec2',
    operation: 'DescribeLaunchTemplateVersions',
    params: (s) => ({ LaunchTemplateName: s.launchTemplateName }),
    outcome: 'shown',
    shows: (s) => [s.launchTemplateName],
  },
  {
    service: 'autoscaling',
    operation: 'DescribeLaunchConfigurations',
    params: (s) => ({ LaunchConfigurationNames: [s.launchConfigurationName] }),
    outcome: 'shown',
    shows: (s) => [s.launchConfigurationName],
  },
  // CloudFormation: NoEcho parameters (a Default in the template, values given at creation)
  {
    service: 'cloudformation',
    operation: 'DescribeStacks',
    params: (s) => ({ StackName: s.stackName }),
    outcome: 'shown',
    shows: (s) => [s.stackName, ...s.noEchoParameters],
  },
  {
    service: 'cloudformation',
    operation: 'GetTemplate',
    params: (s) => ({ StackName: s.stackName }),
    outcome: 'refused-or-shown',
  },
  {
    service: 'cloudformation',
    operation: 'GetTemplateSummary',
    params: (s) => ({ StackName: s.stackName }),
    outcome: 'shown',
    shows: (s) => [...s.noEchoParameters],
  },
  {
    service: 'cloudformation',
    operation: 'DescribeChangeSet',
    params: (s) => ({ StackName: s.stackName, ChangeSetName: s.changeSetName }),
    outcome: 'shown',
    shows: (s) => [s.changeSetName],
  },
  // SSM: command parameters and output, maintenance window tasks, parameters
  {
    service: 'ssm',
    operation: 'ListCommands',
    params: none,
    outcome: 'shown',
    shows: (s) => [...s.commandIds],
  },
  {
    service: 'ssm',
    operation: 'ListCommandInvocations',
    params: (s) => ({ CommandId: s.commandIds[0], Details: true }),
    outcome: 'any',
  },
  {
    service: 'ssm',
    operation: 'GetCommandInvocation',
    params: (s) => ({ CommandId: s.commandIds[0], InstanceId: s.instanceId }),
    outcome: 'refused',
  },
  {
    service: 'ssm',
    operation: 'DescribeMaintenanceWindowTasks',
    params: (s) => ({ WindowId: s.windowId }),
    outcome: 'shown',
    shows: (s) => [s.windowTaskId],
  },
  {
    service: 'ssm',
    operation: 'GetMaintenanceWindowTask',
    params: (s) => ({ WindowId: s.windowId, WindowTaskId: s.windowTaskId }),
    outcome: 'any',
  },
  {
    service: 'ssm',
    operation: 'DescribeParameters',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.parameterName],
  },
  {
    service: 'ssm',
    operation: 'GetParameter',
    params: (s) => ({ Name: s.parameterName, WithDecryption: true }),
    outcome: 'refused',
  },
  {
    service: 'ssm',
    operation: 'GetParameters',
    params: (s) => ({ Names: [s.parameterName], WithDecryption: true }),
    outcome: 'refused',
  },
  {
    service: 'ssm',
    operation: 'GetParametersByPath',
    params: () => ({ Path: '/cnry', Recursive: true, WithDecryption: true }),
    outcome: 'refused',
  },
  {
    service: 'ssm',
    operation: 'GetParameterHistory',
    params: (s) => ({ Name: s.parameterName, WithDecryption: true }),
    outcome: 'refused',
  },
  // Secrets Manager
  {
    service: 'secretsmanager',
    operation: 'ListSecrets',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.secretName],
  },
  {
    service: 'secretsmanager',
    operation: 'DescribeSecret',
    params: (s) => ({ SecretId: s.secretName }),
    outcome: 'shown',
    shows: (s) => [s.secretName],
  },
  {
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    params: (s) => ({ SecretId: s.secretName }),
    outcome: 'refused',
  },
  {
    service: 'secretsmanager',
    operation: 'BatchGetSecretValue',
    params: (s) => ({ SecretIdList: [s.secretName] }),
    outcome: 'refused',
  },
  // CloudFront: origin custom headers
  {
    service: 'cloudfront',
    operation: 'ListDistributions',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.distributionId, s.originHeaderName],
    region: GLOBAL,
  },
  {
    service: 'cloudfront',
    operation: 'GetDistribution',
    params: (s) => ({ Id: s.distributionId }),
    outcome: 'shown',
    shows: (s) => [s.distributionId, s.originHeaderName],
    region: GLOBAL,
  },
  {
    service: 'cloudfront',
    operation: 'GetDistributionConfig',
    params: (s) => ({ Id: s.distributionId }),
    outcome: 'shown',
    shows: (s) => [s.originHeaderName],
    region: GLOBAL,
  },
  // IAM: MFA seeds, access key secrets, console passwords
  {
    service: 'iam',
    operation: 'ListVirtualMFADevices',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.mfaSerial],
    region: GLOBAL,
  },
  {
    service: 'iam',
    operation: 'ListAccessKeys',
    params: (s) => ({ UserName: s.userName }),
    outcome: 'shown',
    shows: (s) => [s.accessKeyId],
    region: GLOBAL,
  },
  {
    service: 'iam',
    operation: 'GetLoginProfile',
    params: (s) => ({ UserName: s.userName }),
    outcome: 'shown',
    shows: (s) => [s.userName],
    region: GLOBAL,
  },
  // RDS: the master password
  {
    service: 'rds',
    operation: 'DescribeDBInstances',
    params: (s) => ({ DBInstanceIdentifier: s.dbInstanceId }),
    outcome: 'shown',
    shows: (s) => [s.dbInstanceId],
  },
  // SNS: basic auth in an HTTPS subscription's endpoint
  {
    service: 'sns',
    operation: 'ListSubscriptions',
    params: none,
    outcome: 'shown',
    shows: (s) => [s.topicArn, 'alerts.example.com'],
  },
  {
    service: 'sns',
    operation: 'ListSubscriptionsByTopic',
    params: (s) => ({ TopicArn: s.topicArn }),
    outcome: 'shown',
    shows: (s) => [s.topicArn, 'alerts.example.com'],
  },
  {
    service: 'sns',
    operation: 'GetSubscriptionAttributes',
    params: (s) => ({ SubscriptionArn: s.subscriptionArn }),
    outcome: 'shown',
    shows: () => ['alerts.example.com'],
  },
  // CloudWatch Logs: secrets an application logged, in recognisable shapes
  {
    service: 'logs',
    operation: 'GetLogEvents',
    params: (s) => ({ logGroupName: s.logGroupName, logStreamName: s.logStreamName }),
    outcome: 'shown',
    shows: () => ['connecting to redis://', 'charging with', 'cloning with'],
  },
  {
    service: 'logs',
    operation: 'FilterLogEvents',
    params: (s) => ({ logGroupName: s.logGroupName }),
    outcome: 'shown',
    shows: () => ['connecting to redis://', 'charging with', 'cloning with'],
  },
];

/**
 * Secrets that no raw call can show on moto: the tunnel PSKs it drops, a field only an operation it
 * lacks returns, and what it keeps but never answers with (as AWS).
 */
const NOT_READABLE_ON_MOTO = [
  /VPN tunnel \d PreSharedKey/,
  // only GetMaintenanceWindowTask returns TaskInvocationParameters, and moto 5.2.5 does not implement it
  /SSM maintenance window RunCommand/,
  /IAM login profile password/,
  /RDS MasterUserPassword/,
  /IAM SecretAccessKey/,
];

/**
 * Leaks that happen only because moto answers with what AWS masks: reported in the summary, not
 * failed on (the tool cannot tell a NoEcho value from any other in these answers; AWS sends `****`).
 */
const MOTO_ONLY: readonly { operation: RegExp; canary: RegExp; why: string }[] = [
  {
    operation: /^cloudformation:(DescribeStacks|DescribeChangeSet)$/,
    canary: /^CloudFormation NoEcho/,
    why: 'moto 5.2.5 does not mask NoEcho parameter values (it looks the value up among the NoEcho keys)',
  },
];

const canaries = new Canaries();
let seeded: SeededSecrets;
let tool: FunctionTool;
let moto: string;
/** Per call: its name, outcome, every leak as `operation path: canary`, and what only moto exposed. */
const results: { name: string; status: string; text: string; leaks: string[]; motoOnly: string[] }[] = [];
/** Canaries moto's raw answers show, across all calls (made in beforeAll). */
const exposedRaw = new Set<Canary>();

/** The same call straight to moto with the SDK (no tool, no policy, no redaction): its answer as text. */
async function rawCall(call: Call): Promise<string> {
  const service = findService(call.service);
  if (!service) throw new Error(`no service ${call.service}`);
  const mod = await service.load();
  const Client = mod[service.clientClass] as new (c: object) => { send(c: unknown): Promise<unknown>; destroy(): void };
  const Command = mod[`${call.operation}Command`] as new (i: object) => unknown;
  const client = new Client(motoConfig(call.region ?? REGION, moto));
  try {
    const out = await client.send(new Command(call.params(seeded)));
    return JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v));
  } catch (e) {
    return `raw call failed: ${String(e)}`;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  moto = inject('motoUrl');
  const [roleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-cnry'])) as [string];
  seeded = await seedSecrets(moto, REGION, roleArn, canaries);
  // the tool as the agent makes it, from its environment: role mode on a moto role, with a budget
  // large enough that nothing is cut (a cut must not be what hides a canary)
  ({ tool } = controlledUseAwsFromEnv({
    TOOL_ROLE_ARN: roleArn,
    TOOL_SESSION_POLICY_ARNS: `arn:aws:iam::${ACCOUNT}:policy/aws-ask-read-cnry`,
    AWS_REGION: REGION,
    USE_AWS_MAX_BYTES: '1048576',
  }));
  for (const call of CALLS) for (const l of canaries.scan(await rawCall(call))) exposedRaw.add(l.canary);
});

afterAll(() => {
  const leaks = results.flatMap((r) => r.leaks);
  const motoOnly = results.flatMap((r) => r.motoOnly);
  const operations = new Set(results.map((r) => r.name)).size;
  console.log(
    `canaries: ${canaries.all.length} secrets seeded, ${exposedRaw.size} shown by moto's raw answers; ` +
      `operations called: ${operations}; results scanned: ${results.length}; ` +
      `leaks: ${leaks.length} (in ${results.filter((r) => r.leaks.length).length} result(s)); ` +
      `moto-only exposures (AWS masks them): ${motoOnly.length}`,
  );
  for (const l of leaks) console.log(`  leak: ${l}`);
  for (const l of motoOnly) console.log(`  moto-only: ${l}`);
});

describe('the canary scanner', () => {
  it('finds 8 characters of a canary, plain or base64-encoded, with its path, and nothing in clean text', () => {
    const c = new Canaries();
    const v = c.make('test canary');
    const piece = v.slice(5, 5 + LEAK_WINDOW);
    expect(c.scan(`head\n{"A":[{"B":"x${piece}y"}]}`)).toMatchObject([{ path: 'A[0].B', via: 'plain' }]);
    expect(c.scan(`{"UserData":"${Buffer.from(`pw=${v}\n`).toString('base64')}"}`)).toMatchObject([
      { path: 'UserData', via: 'base64' },
    ]);
    expect(c.scan(`Refused: no.\nsaw ${v.slice(0, LEAK_WINDOW)}`)).toMatchObject([{ path: '(text line 2)' }]);
    expect(c.scan(`{"A":"${v.slice(3, 3 + LEAK_WINDOW - 1)}","B":"**REDACTED**"}`)).toEqual([]);
  });
});

describe('no canary reaches a controlled_use_aws result (moto)', () => {
  it.each(CALLS.map((c) => [`${c.service}:${c.operation}`, c] as const))('%s leaks no canary', async (name, call) => {
    const r = await runTool(tool, {
      service_name: call.service,
      operation_name: call.operation,
      parameters: call.params(seeded),
      region: call.region ?? REGION,
      label: `canaries ${name}`,
    });
    const found = canaries.scan(r.text);
    const excuse = (l: Leak) => MOTO_ONLY.find((m) => m.operation.test(name) && m.canary.test(l.canary.label));
    const leaks = found.filter((l) => !excuse(l)).map((l) => describeLeak(name, l));
    const motoOnly = found.flatMap((l) => {
      const m = excuse(l);
      return m ? [`${describeLeak(name, l)} (${m.why})`] : [];
    });
    results.push({ name, status: r.status, text: r.text, leaks, motoOnly });

    const refused = r.status === 'error' && /Refused/.test(r.text);
    if (call.outcome === 'refused') expect(refused, `${name} should be refused:\n${r.text}`).toBe(true);
    if (call.outcome === 'shown') expect(r.status, `${name} should succeed:\n${r.text}`).toBe('success');
    if (call.outcome === 'refused-or-shown') {
      expect(refused || r.status === 'success', `${name} should be refused or succeed:\n${r.text}`).toBe(true);
    }
    if (r.status === 'success') for (const s of call.shows?.(seeded) ?? []) expect(r.text, name).toContain(s);
    expect(leaks, `${name} leaked:\n${r.text}`).toEqual([]);
  });

  it("moto's raw answers show every canary it keeps, so the seeding worked and the calls reach them", () => {
    const missing = canaries.all
      .filter((c) => !exposedRaw.has(c) && !NOT_READABLE_ON_MOTO.some((re) => re.test(c.label)))
      .map((c) => c.label);
    expect(missing).toEqual([]);
    // and the seeding made what the calls ask about
    expect(canaries.all.length).toBeGreaterThanOrEqual(45);
    expect(seeded.commandIds.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(seeded.vpnConnectionId).toMatch(/^vpn-/);
    expect(seeded.usagePlanId).not.toBe('');
  });
});

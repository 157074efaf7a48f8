import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, credentialModeFromEnv, PinnedCredentials } from '../../../agent/credentials.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import {
  CONTROLLED_USE_AWS_SPEC,
  controlledUseAwsFromEnv,
  createControlledUseAws,
  pinUseAwsProfile,
} from '../../../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { USE_AWS_SPEC } from '../../../agent/tools/spec.ts';
import { createUseAwsTool } from '../../../agent/tools/use-aws.ts';
import { ACCOUNT, seedBuckets, seedFunctions, seedInstances, seedRoles } from '../../helpers/seed.ts';
import { roleMode, SESSION_POLICY_ARNS, SESSION_POLICY_ENV } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RecordingProxy, startRecordingProxy } from '../../services/recording-proxy.ts';
import { ScriptedModel, toolResultTexts } from '../../services/scripted-model.ts';

const REGION = 'eu-west-3';
const ROLE_PATH = '/controlled-test/';
let proxy: RecordingProxy;
let toolRoleArn: string;
let instanceIds: string[];
let roleArns: string[];
const roleNames = Array.from({ length: 25 }, (_, i) => `ctl-role-${String(i).padStart(2, '0')}`);
const buckets = ['ctl-bucket-alpha', 'ctl-bucket-beta', 'ctl-bucket-gamma'];

function makeTool(
  settings: Partial<typeof DEFAULT_SETTINGS> = {},
  records?: AwsCallRecord[],
): { tool: FunctionTool; caller: AwsCaller } {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION, ...settings });
  const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: REGION });
  const tool = createControlledUseAws({ credentials, caller, ...(records ? { onCall: (r) => records.push(r) } : {}) });
  return { tool, caller };
}

const input = (
  service_name: string,
  operation_name: string,
  parameters: unknown = {},
  extra: Record<string, unknown> = {},
) => ({
  service_name,
  operation_name,
  parameters,
  region: REGION,
  label: `${service_name} ${operation_name}`,
  ...extra,
});

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-ctl'])) as [string];
  instanceIds = await seedInstances(moto, REGION, 12, 'ctl-web');
  roleArns = await seedRoles(moto, ROLE_PATH, roleNames);
  await seedBuckets(moto, buckets);
  await seedFunctions(moto, REGION, toolRoleArn, ['ctl-fn-orders', 'ctl-fn-billing']);
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
});

afterAll(async () => {
  await proxy.close();
});

describe('controlled_use_aws spec', () => {
  it('is a renamed deep copy of use_aws without profile_name, with account(s), closed to unknown properties', () => {
    expect(CONTROLLED_USE_AWS_SPEC.name).toBe('controlled_use_aws');
    const schema = CONTROLLED_USE_AWS_SPEC.inputSchema as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      'account',
      'accounts',
      'label',
      'operation_name',
      'parameters',
      'query',
      'region',
      'regions',
      'service_name',
    ]);
    // regions may stand in for region, so region is not required (without either: the default region)
    expect(schema.required.sort()).toEqual(['label', 'operation_name', 'service_name']);
    expect(schema.additionalProperties).toBe(false);
  });

  it("leaves the original use_aws spec unchanged: the Python tool's properties, plus regions and query", () => {
    const schema = USE_AWS_SPEC.inputSchema as {
      properties: Record<string, { type: string }>;
      required: string[];
      additionalProperties?: boolean;
    };
    expect(USE_AWS_SPEC.name).toBe('use_aws');
    expect(Object.keys(schema.properties).sort()).toEqual([
      'label',
      'operation_name',
      'parameters',
      'profile_name',
      'query',
      'region',
      'regions',
      'service_name',
    ]);
    expect(schema.properties.profile_name!.type).toBe('string');
    expect(schema.required).toEqual(['service_name', 'operation_name', 'label']);
    expect(schema.additionalProperties).toBeUndefined();
  });
});

describe('reads through controlled_use_aws on moto', () => {
  it('lists EC2 instances across several pages', async () => {
    const records: AwsCallRecord[] = [];
    const { tool } = makeTool({ maxBytes: 128_000 }, records);
    const r = await runTool(tool, input('ec2', 'describe_instances', { MaxResults: 5 }));
    expect(r.status).toBe('success');
    for (const id of instanceIds) expect(r.text).toContain(id);
    expect(r.text).toContain('ctl-web-11');
    expect(records[0]).toMatchObject({
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      ok: true,
      refused: false,
      region: REGION,
    });
    expect(records[0]!.pages).toBeGreaterThanOrEqual(3);
  });

  it('lists IAM roles page by page (Marker/IsTruncated) and S3 buckets and Lambda functions', async () => {
    const { tool } = makeTool();
    const roles = await runTool(tool, input('iam', 'ListRoles', { PathPrefix: ROLE_PATH, MaxItems: 10 }));
    expect(roles.status).toBe('success');
    expect(roles.text).toMatch(/3 page\(s\), 25 item\(s\)/);
    for (const arn of roleArns) expect(roles.text).toContain(arn);

    const s3 = await runTool(tool, input('s3', 'list-buckets'));
    for (const b of buckets) expect(s3.text).toContain(b);

    const fns = await runTool(tool, input('lambda', 'listFunctions'));
    expect(fns.text).toContain('ctl-fn-orders');
    expect(fns.text).toContain('ctl-fn-billing');
    expect(fns.text).not.toContain('do-not-leak-me');
    // environment values are hidden by policy (AWS_ASK_SHOW_ENV_VALUES shows chosen ones), names kept
    expect(fns.text).toContain('"LOG_LEVEL":"**HIDDEN BY POLICY**"');
    expect(fns.text).toMatch(/environment variable value\(s\) are hidden by policy/);
    // the operator's allowlist (AWS_ASK_SHOW_ENV_VALUES, read into the settings) shows the names it matches
    const shown = await runTool(makeTool({ showEnvValues: ['log_*'] }).tool, input('lambda', 'listFunctions'));
    expect(shown.text).toContain('"LOG_LEVEL":"info"');
    expect(shown.text).toContain('"DB_PASSWORD":"**HIDDEN BY POLICY**"');
  });

  it('cuts a large result to the byte budget with a note saying what was cut', async () => {
    const { tool } = makeTool({ maxBytes: 2_048 });
    const r = await runTool(tool, input('iam', 'list_roles', { PathPrefix: ROLE_PATH }));
    expect(r.status).toBe('success');
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(2_048);
    expect(r.text).toMatch(/Note: Output cut to fit the 2048-byte budget: Roles kept \d+ of 25 items/);
  });

  it('stops at the page limit and tells how to ask for the next page, which then works', async () => {
    const { tool } = makeTool({ maxPages: 2 });
    const first = await runTool(tool, input('iam', 'ListRoles', { PathPrefix: ROLE_PATH, MaxItems: 5 }));
    const m = /call again with parameters\.(\w+) = ("[^"]+")/.exec(first.text);
    expect(m, first.text).not.toBeNull();
    expect(m![1]).toBe('Marker');
    const names = (text: string) => new Set(text.match(/ctl-role-\d\d/g));
    const firstNames = names(first.text);
    expect(firstNames.size).toBe(10);
    const next = await runTool(
      tool,
      input('iam', 'ListRoles', { PathPrefix: ROLE_PATH, MaxItems: 5, Marker: JSON.parse(m![2]!) }),
    );
    expect(next.status).toBe('success');
    const nextNames = names(next.text);
    expect(nextNames.size).toBe(10);
    expect([...nextNames].filter((n) => firstNames.has(n))).toEqual([]);
  });
});

describe('refusals and bad input send nothing to AWS', () => {
  const refused: [string, string, unknown][] = [
    ['ec2', 'terminate_instances', { InstanceIds: ['i-1'] }],
    ['EC2', 'Terminate-Instances', { InstanceIds: ['i-1'] }],
    ['secrets-manager', 'getSecretValue', { SecretId: 'x' }],
    ['ssm', 'GetParameter', { Name: '/db/password' }],
    ['s3', 'get_object', { Bucket: 'b', Key: 'k' }],
    ['s3', 'HeadObject', { Bucket: 'b', Key: 'k' }],
    ['dynamodb', 'scan', { TableName: 't' }],
    ['iam', 'create_user', { UserName: 'evil' }],
    ['iam', 'attach_role_policy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ['ec2', 'authorize_security_group_ingress', { GroupId: 'sg-1' }],
    ['ec2', 'create_tags', { Resources: ['i-1'], Tags: [] }],
    ['sts', 'assume_role', { RoleArn: 'arn:aws:iam::1:role/admin', RoleSessionName: 'x' }],
    ['lambda', 'invoke', { FunctionName: 'f' }],
    ['sqs', 'receive_message', { QueueUrl: 'q' }],
  ];

  it.each(refused)('refuses %s %s with the reason, before any request', async (svc, op, params) => {
    const before = proxy.requests.length;
    const { tool } = makeTool();
    const r = await runTool(tool, input(svc, op, params));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(/Refused: .*(read-only|sensitive list).* No AWS call was made\./);
    expect(proxy.requests.length).toBe(before);
  });

  const rejected: [string, unknown, RegExp][] = [
    [
      'profile_name',
      { ...input('sts', 'get_caller_identity'), profile_name: 'admin' },
      /Unknown input property profile_name.*cannot be chosen/,
    ],
    [
      'endpoint_url',
      { ...input('sts', 'get_caller_identity'), endpoint_url: 'http://evil' },
      /Unknown input property endpoint_url.*cannot be chosen/,
    ],
    [
      'credentials',
      { ...input('sts', 'get_caller_identity'), credentials: { accessKeyId: 'x' } },
      /Unknown input property credentials/,
    ],
    [
      'an unknown field',
      { ...input('sts', 'get_caller_identity'), mode: 'admin' },
      /Unknown input property mode; allowed: /,
    ],
    [
      'a non-string service',
      { ...input('sts', 'get_caller_identity'), service_name: 5 },
      /service_name must be a string, not number/,
    ],
    [
      'an array of parameters',
      input('ec2', 'describe_instances', [1, 2]),
      /"parameters" must be an object.*not an array/,
    ],
    ['malformed JSON parameters', input('ec2', 'describe_instances', '{"MaxResults": 5'), /not valid JSON/],
    ['a bad region', { ...input('ec2', 'describe_instances'), region: 'moon-1' }, /not an AWS region name/],
    [
      'an endpoint in parameters',
      input('sts', 'get_caller_identity', { endpoint: 'http://evil' }),
      /unknown parameter endpoint.*takes no parameters/,
    ],
    [
      'an unknown parameter',
      input('ec2', 'describe_instances', { InstanceIdz: ['i-1'] }),
      /unknown parameter InstanceIdz\. It accepts: InstanceIds,/,
    ],
    ['a missing required parameter', input('s3', 'list_objects_v2', {}), /missing required Bucket/],
    [
      'an unsupported service',
      input('quantum', 'list_things'),
      new RegExp(
        'Unsupported service "quantum"\\. .*no AWS call was made\\. .*cloudcontrol ListResources.*' +
          'Supported services: accessanalyzer, .*xray\\.',
      ),
    ],
    [
      'an unknown operation',
      input('ec2', 'describe_instancez'),
      /ec2 has no operation "describe_instancez"\. Nearest valid names: DescribeInstances/,
    ],
    ['not an object', 'describe everything', /Input must be an object/],
    // parameters that change what an allowed operation reads (common/policy/parameters.ts)
    [
      "CloudWatch Logs' unmask: true",
      input('logs', 'get_log_events', { logGroupName: 'g', logStreamName: 's', unmask: true }),
      /Refused: unmask: true needs logs:Unmask as well\. .*sensitive list.*Call again without unmask\. No AWS call/,
    ],
    [
      'a Cloud Control read of SSM parameter values',
      input('cloudcontrol', 'get_resource', { TypeName: 'AWS::SSM::Parameter', Identifier: '/prod/db/password' }),
      /Refused: Reading AWS::SSM::Parameter through Cloud Control returns what ssm:GetParameters does/,
    ],
  ];

  it.each(rejected)('rejects %s with a clear error and no request', async (_what, raw, message) => {
    const before = proxy.requests.length;
    const { tool } = makeTool();
    const r = await runTool(tool, raw);
    expect(r.status).toBe('error');
    expect(r.text).toMatch(message);
    expect(proxy.requests.length).toBe(before);
  });

  it('refuses regions outside the allowed list', async () => {
    const before = proxy.requests.length;
    const { tool } = makeTool({ allowedRegions: ['eu-west-1'] });
    const r = await runTool(tool, input('ec2', 'describe_instances'));
    expect(r.text).toMatch(/Region eu-west-3 is not one this bot may look at\. Allowed regions: eu-west-1\./);
    expect(proxy.requests.length).toBe(before);
  });
});

describe('pinned credentials', () => {
  it('200 calls cost one AssumeRole, whose request carries the session policies and the asker', async () => {
    const { tool } = makeTool();
    const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: REGION });
    const counted = createControlledUseAws({
      credentials,
      caller: new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION }),
    });
    void tool;
    const before = proxy.count('AssumeRole');
    const asker = { teamId: 'T0TEAM', userId: 'U0ALICE', channelId: 'C0OPS' };
    for (let i = 0; i < 200; i++) {
      const r = await runTool(counted, input('sts', 'get_caller_identity'), { asker });
      expect(r.status).toBe('success');
    }
    expect(proxy.count('AssumeRole') - before).toBe(1);
    const call = proxy.requests.filter((r) => r.action === 'AssumeRole').at(-1)!;
    const form = new URLSearchParams(call.body);
    expect(form.get('RoleArn')).toBe(toolRoleArn);
    // the read-only policies by ARN, no inline policy (it could not hold the deny list)
    expect(form.get('Policy')).toBeNull();
    const arns = [...form.entries()].filter(([k]) => /^PolicyArns\.member\.\d+\.arn$/.test(k)).map(([, v]) => v);
    expect(arns).toEqual([...SESSION_POLICY_ARNS]);
    expect(form.get('SourceIdentity')).toBe('slack.T0TEAM.U0ALICE');
    expect(form.get('RoleSessionName')).toBe('slack.T0TEAM.U0ALICE');
    // and the calls ran as the assumed role
    const last = await runTool(counted, input('sts', 'get_caller_identity'), { asker });
    expect(last.text).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/aws-ask-tool-ctl/slack.T0TEAM.U0ALICE`);
  });

  it('a different asker gets a session of their own', async () => {
    const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: REGION });
    const a = credentials.forAsker({ teamId: 'T1', userId: 'U1' });
    const b = credentials.forAsker({ teamId: 'T1', userId: 'U2' });
    expect(a.key).not.toBe(b.key);
    expect(credentials.forAsker({ teamId: 'T1', userId: 'U1' }).provider).toBe(a.provider);
    // SDK clients are cached by this key, so another role must never share it
    const other = new PinnedCredentials(roleMode(`${toolRoleArn}-other`), { region: REGION });
    expect(other.forAsker({ teamId: 'T1', userId: 'U1' }).key).not.toBe(a.key);
  });

  it('refuses to start without credentials configured, naming the variables to set', () => {
    expect(() => credentialModeFromEnv({})).toThrow(ConfigError);
    expect(() => credentialModeFromEnv({})).toThrow(/set TOOL_ROLE_ARN .* or AGENT_TOOL_USE_AWS_PROFILE_NAME/);
    expect(() => controlledUseAwsFromEnv({})).toThrow(/TOOL_ROLE_ARN/);
    expect(() => credentialModeFromEnv({ TOOL_ROLE_ARN: 'admin' })).toThrow(/TOOL_ROLE_ARN must be an IAM role ARN/);
    expect(() =>
      controlledUseAwsFromEnv({ TOOL_ROLE_ARN: toolRoleArn, ...SESSION_POLICY_ENV, USE_AWS_MAX_BYTES: 'lots' }),
    ).toThrow(/USE_AWS_MAX_BYTES must be a whole number/);
    // a role without its session policies would leave the session layer open: refused, saying what to set
    expect(() => credentialModeFromEnv({ TOOL_ROLE_ARN: toolRoleArn })).toThrow(
      /TOOL_SESSION_POLICY_ARNS is not set: .*ToolSessionPolicyArns output/,
    );
    expect(() =>
      credentialModeFromEnv({
        TOOL_ROLE_ARN: toolRoleArn,
        TOOL_SESSION_POLICY_ARNS: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    ).toThrow(/TOOL_SESSION_POLICY_ARNS must hold customer-managed policy ARNs/);
    expect(() =>
      controlledUseAwsFromEnv({ AGENT_TOOL_USE_AWS_PROFILE_NAME: 'dev', AWS_ASK_DENY_ACTIONS: 'GetLogEvents' }),
    ).toThrow(/AWS_ASK_DENY_ACTIONS has "GetLogEvents": each item must be an IAM action pattern/);
    expect(credentialModeFromEnv({ AGENT_TOOL_USE_AWS_PROFILE_NAME: 'dev' })).toEqual({
      kind: 'profile',
      profile: 'dev',
    });
    expect(
      credentialModeFromEnv({
        TOOL_ROLE_ARN: toolRoleArn,
        ...SESSION_POLICY_ENV,
        AGENT_TOOL_USE_AWS_PROFILE_NAME: 'dev',
      }),
    ).toEqual({ kind: 'role', roleArn: toolRoleArn, sessionPolicyArns: SESSION_POLICY_ARNS, profile: 'dev' });
  });
});

describe('in an agent', () => {
  it('bad calls come back to the model as errors and the agent still answers', async () => {
    const { tool } = makeTool();
    const model = new ScriptedModel([
      {
        tools: [
          { name: 'controlled_use_aws', input: input('ec2', 'terminate_instances', { InstanceIds: ['i-1'] }) },
          { name: 'controlled_use_aws', input: { ...input('ec2', 'describe_instances'), profile_name: 'admin' } },
          { name: 'controlled_use_aws', input: input('nosuch', 'thing') },
          {
            name: 'controlled_use_aws',
            input: input('ec2', 'describe_instances', { Filters: [{ Name: 'tag:Name', Values: ['ctl-web-3'] }] }),
          },
        ],
      },
      (messages) => ({ text: `Results: ${toolResultTexts(messages).length}` }),
    ]);
    const agent = new Agent({ model, tools: [tool], printer: false });
    const result = await agent.invoke('terminate everything');
    expect(String(result)).toContain('Results: 4');
    const texts = toolResultTexts(model.calls[1]!);
    expect(texts[0]).toMatch(/Refused/);
    expect(texts[1]).toMatch(/profile_name/);
    expect(texts[2]).toMatch(/Unsupported service/);
    expect(texts[3]).toContain(instanceIds[3]);
  });

  it('option 1: a hook pins profile_name on the stock use_aws tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-ask-'));
    const credsFile = join(dir, 'credentials');
    writeFileSync(credsFile, '[pinned]\naws_access_key_id = pinnedkey\naws_secret_access_key = pinnedsecret\n');
    const saved = process.env.AWS_SHARED_CREDENTIALS_FILE;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credsFile;
    try {
      const ask = async (pin: boolean) => {
        const model = new ScriptedModel([
          { tools: [{ name: 'use_aws', input: { ...input('sts', 'get_caller_identity'), profile_name: 'admin' } }] },
          { text: 'done' },
        ]);
        const agent = new Agent({ model, tools: [createUseAwsTool()], printer: false });
        if (pin) pinUseAwsProfile(agent, 'pinned');
        await agent.invoke('who am i');
        return toolResultTexts(model.calls[1]!)[0] ?? '';
      };
      expect(await ask(false)).toMatch(/admin/);
      const pinned = await ask(true);
      expect(pinned).toContain(`"Account":"${ACCOUNT}"`);
      expect(pinned).not.toMatch(/admin/);
    } finally {
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved;
    }
  });
});

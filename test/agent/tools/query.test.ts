/**
 * The tool's `query` (agent/tools/query.ts): JMESPath with the AWS CLI's --query semantics, over the
 * merged result of every page, after redaction. On moto: a count and a by-type breakdown of 1,200
 * instances in one call with a small result, every page read; a query cannot select what redaction
 * hid; a malformed query is an error that sends nothing.
 */
import {
  CreateCustomerGatewayCommand,
  CreateSecurityGroupCommand,
  CreateVpnConnectionCommand,
  CreateVpnGatewayCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../../agent/credentials.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../../../agent/tools/controlled-use-aws.ts';
import type { Plain } from '../../../agent/tools/output.ts';
import {
  calledFunctions,
  MAX_QUERY_CHARS,
  QUERY_FUNCTIONS,
  QueryError,
  queryProblem,
  runQuery,
} from '../../../agent/tools/query.ts';
import { ENV_HIDDEN, REDACTED } from '../../../agent/tools/redact-marks.ts';
import { type AwsCallSettings, DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { createUseAwsTool } from '../../../agent/tools/use-aws.ts';
import { motoConfig } from '../../helpers/aws.ts';
import { seedFunctions, seedRoles } from '../../helpers/seed.ts';
import { roleMode } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RecordingProxy, startRecordingProxy } from '../../services/recording-proxy.ts';

/** No other suite uses this region, so its instances are ours alone. */
const REGION = 'ap-northeast-2';
const TYPES = ['t3.micro', 't3.small', 'm5.large', 'c5.xlarge'] as const;
/** 60 reservations of 20: 1,200 instances, 300 of each type; every sixth reservation stopped. */
const RESERVATIONS = 60;
const PER_RESERVATION = 20;
const STOPPED_EVERY = 6;
const TAG_SECRET = 'tag-canary-Hq72pLx0';

let proxy: RecordingProxy;
let toolRoleArn: string;
/** The pre-shared key moto put in the VPN connection's device configuration. */
let psk: string;

function makeTool(settings: Partial<AwsCallSettings> = {}, records?: AwsCallRecord[]): FunctionTool {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION, ...settings });
  const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: REGION });
  return createControlledUseAws({ credentials, caller, ...(records ? { onCall: (r) => records.push(r) } : {}) });
}

const call = (service_name: string, operation_name: string, parameters: unknown, query?: unknown) => ({
  service_name,
  operation_name,
  parameters,
  region: REGION,
  label: `${service_name} ${operation_name}`,
  ...(query !== undefined ? { query } : {}),
});

/** The JSON line of a tool result (the second line). */
const jsonOf = (text: string): unknown => JSON.parse(text.split('\n')[1] ?? 'null');

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-query'])) as [string];
  const ec2 = new EC2Client({ ...motoConfig(REGION, moto) });
  await Promise.all(
    Array.from({ length: RESERVATIONS }, async (_, i) => {
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: PER_RESERVATION,
          MaxCount: PER_RESERVATION,
          InstanceType: TYPES[i % TYPES.length],
        }),
      );
      if (i % STOPPED_EVERY === 0) {
        await ec2.send(new StopInstancesCommand({ InstanceIds: (out.Instances ?? []).map((x) => x.InstanceId ?? '') }));
      }
    }),
  );
  // a VPN connection: moto writes a pre-shared key into its CustomerGatewayConfiguration
  const cgw = await ec2.send(
    new CreateCustomerGatewayCommand({ Type: 'ipsec.1', BgpAsn: 65000, IpAddress: '203.0.113.7' }),
  );
  const vgw = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }));
  const vpn = await ec2.send(
    new CreateVpnConnectionCommand({
      Type: 'ipsec.1',
      CustomerGatewayId: cgw.CustomerGateway?.CustomerGatewayId,
      VpnGatewayId: vgw.VpnGateway?.VpnGatewayId,
      Options: { StaticRoutesOnly: true },
    }),
  );
  // a secret the name and pattern net finds (not the service model): a tag named like a password
  await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'query-db',
      Description: 'db clients',
      TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'db_password', Value: TAG_SECRET }] }],
    }),
  );
  psk =
    /<pre_shared_key>([^<]+)<\/pre_shared_key>/.exec(vpn.VpnConnection?.CustomerGatewayConfiguration ?? '')?.[1] ?? '';
  ec2.destroy();
  await seedFunctions(moto, REGION, toolRoleArn, ['query-fn-orders', 'query-fn-billing']);
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
}, 120_000);

afterAll(async () => {
  await proxy?.close();
});

describe('the query functions', () => {
  const data: Plain = {
    Things: [
      { Type: 'a', On: true, Tags: [{ Key: 'team', Value: 'x' }] },
      { Type: 'b', On: false },
      { Type: 'a', On: true },
      { On: true },
    ],
  };

  it('count_by counts elements by an expression, most frequent first, missing values under "null"', () => {
    expect(runQuery('count_by(Things, &Type)', data)).toEqual({ a: 2, b: 1, null: 1 });
    expect(Object.keys(runQuery('count_by(Things, &Type)', data) as object)).toEqual(['a', 'b', 'null']);
    expect(runQuery('count_by(Things, &On)', data)).toEqual({ true: 3, false: 1 });
    expect(runQuery("count_by(Things, &Tags[?Key=='team'].Value | [0])", data)).toEqual({ null: 3, x: 1 });
    expect(runQuery('count_by(`[]`, &Type)', data)).toEqual({});
  });

  it('count_by refuses keys that are objects, and an argument without &, saying what to write', () => {
    expect(() => runQuery('count_by(Things, &Tags)', data)).toThrow(QueryError);
    expect(() => runQuery('count_by(Things, &Tags)', data)).toThrow(/count_by\(\), expected one of "string"/);
    expect(() => runQuery('count_by(Things, Type)', data)).toThrow(/needs &, e\.g\. &InstanceType/);
  });

  it("the spec's functions are all there, with count_by", () => {
    for (const f of ['length', 'sort_by', 'max_by', 'to_string', 'contains', 'join', 'count_by']) {
      expect(QUERY_FUNCTIONS).toContain(f);
    }
    expect(runQuery("length(Things[?Type=='a'])", data)).toBe(2);
    expect(runQuery('sort_by(Things[?Type], &Type)[].Type', data)).toEqual(['a', 'a', 'b']);
    expect(runQuery('Things[0].{t: Type, on: On}', data)).toEqual({ t: 'a', on: true });
  });

  it('a field named like a member of every JavaScript object reads nothing', () => {
    expect(runQuery('constructor', data)).toBeNull();
    expect(runQuery('Things[0].toString', data)).toBeNull();
    expect(runQuery('__proto__', data)).toEqual({});
    expect(queryProblem('constructor')).toBeUndefined();
  });

  it('finds the functions a query calls, not words inside its strings and literals', () => {
    // a raw string with an escaped quote, a quoted identifier, a JSON literal with an escaped backtick
    const expression = 'length(a) || \'count(\\\'\' || "n(x)" || `"m(\\`"` || b_c (d)';
    expect(calledFunctions(expression)).toEqual(['length', 'b_c']);
  });

  const malformed: [string, string, RegExp][] = [
    ['unclosed', 'Reservations[', /JMESPath syntax: parse error at column 13/],
    ['an unknown token', 'a ++ b', /unknown token "\+" at column 2/],
    ['an unknown function', 'count(Reservations)', /unknown function count\(\); the functions are abs, .*count_by/],
    ['the wrong arity', 'length(a, b)', /Expected at most 1 argument for function length\(\), received 2/],
    ['empty', '   ', /it is empty/],
    ['too long', `a${'.b'.repeat(MAX_QUERY_CHARS)}`, /characters long; the most is 2000/],
  ];

  it.each(malformed)('a malformed query (%s) is a clear problem with an example', (_what, query, message) => {
    const problem = queryProblem(query);
    expect(problem).toMatch(message);
    expect(problem).toMatch(/^The query is not valid: .*Nothing was sent to AWS\. Example: length\(/);
  });
});

describe('a query on moto', () => {
  const breakdown = {
    total: RESERVATIONS * PER_RESERVATION,
    running: (RESERVATIONS - RESERVATIONS / STOPPED_EVERY) * PER_RESERVATION,
    byType: Object.fromEntries(TYPES.map((t) => [t, (RESERVATIONS / TYPES.length) * PER_RESERVATION])),
  };
  const query =
    "{total: length(Reservations[].Instances[]), running: length(Reservations[].Instances[?State.Name=='running'][])," +
    ' byType: count_by(Reservations[].Instances[], &InstanceType)}';

  it('counts 1,200 instances and breaks them down by type in one call: every page read, under 2 KB', async () => {
    const records: AwsCallRecord[] = [];
    // 5 reservations a page: 12 pages, more than a call without a query reads (10)
    const r = await runTool(makeTool({}, records), call('ec2', 'DescribeInstances', { MaxResults: 5 }, query));
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual(breakdown);
    expect(breakdown).toEqual({
      total: 1200,
      running: 1000,
      byType: { 't3.micro': 300, 't3.small': 300, 'm5.large': 300, 'c5.xlarge': 300 },
    });
    expect(r.text.split('\n')[0]).toBe(
      `ec2:DescribeInstances in ${REGION}: 12 page(s), 60 item(s), every page read. The query's result:`,
    );
    expect(r.text).not.toMatch(/More results|cut/);
    expect(Buffer.byteLength(r.text)).toBeLessThan(2_048);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ ok: true, pages: 12, items: 60, region: REGION });
    expect(records[0]!.bytes).toBe(Buffer.byteLength(r.text));
  });

  it('without a query the same call stops at 10 pages and cuts the result', async () => {
    const r = await runTool(makeTool(), call('ec2', 'DescribeInstances', { MaxResults: 5 }));
    expect(r.status).toBe('success');
    expect(r.text.split('\n')[0]).toBe(`ec2:DescribeInstances in ${REGION}: 10 page(s), 50 item(s).`);
    expect(r.text).toMatch(/Note: More results exist beyond the 10 page\(s\) fetched/);
    expect(r.text).toMatch(/Note: Output cut to fit the 16384-byte budget/);
  });

  it('says when the query covered only part of the pages, and how to read the rest', async () => {
    const r = await runTool(
      makeTool({ queryMaxPages: 3 }),
      call('ec2', 'DescribeInstances', { MaxResults: 5 }, 'length(Reservations[].Instances[])'),
    );
    expect(r.status).toBe('success');
    expect(r.text.split('\n')[0]).toBe(
      `ec2:DescribeInstances in ${REGION}: 3 page(s), 15 item(s), NOT every page read: the query covered only ` +
        "these 15 item(s). The query's result:",
    );
    expect(jsonOf(r.text)).toBe(300);
    expect(r.text).toMatch(
      new RegExp(
        'The query covered only the first 15 item\\(s\\); a count or breakdown is partial\\. ' +
          'For the next page call again with parameters\\.NextToken = "[^"]+" and the same query',
      ),
    );
  });

  it('the stock use_aws takes a query too', async () => {
    const tool = createUseAwsTool({ caller: new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION }) });
    const r = await runTool(tool, call('lambda', 'ListFunctions', {}, 'count_by(Functions, &Runtime)'));
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual({ 'nodejs22.x': 2 });
  });

  it('a query that fails on the data it ran over says why and how to see the shape', async () => {
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool({}, records), call('lambda', 'ListFunctions', {}, 'sum(Functions)'));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(
      new RegExp(
        `The query failed on the lambda:ListFunctions result in ${REGION}: ` +
          'Invalid argument type for function sum\\(\\)',
      ),
    );
    expect(r.text).toMatch(/call once without a query and with a small page size/);
    expect(records[0]).toMatchObject({ ok: false, errorCode: 'QueryFailed' });
  });

  it('a query selecting more than it could ever hand back fails rather than cutting megabytes', async () => {
    const r = await runTool(makeTool({ maxBytes: 1_024 }), call('ec2', 'DescribeInstances', {}, 'Reservations'));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(
      /its result is more than 1048576 bytes, far beyond the 1024-byte budget; select fewer fields/,
    );
  });
});

describe('a query cannot reach what redaction hides', () => {
  it('environment variable values: selected, filtered on, serialised, they stay hidden', async () => {
    const tool = makeTool();
    const listed = call('lambda', 'ListFunctions', {});
    const values = await runTool(tool, {
      ...listed,
      query: "Functions[?starts_with(FunctionName, 'query-fn-')].Environment.Variables",
    });
    expect(values.status).toBe('success');
    expect(jsonOf(values.text)).toEqual([
      { LOG_LEVEL: ENV_HIDDEN, DB_PASSWORD: ENV_HIDDEN },
      { LOG_LEVEL: ENV_HIDDEN, DB_PASSWORD: ENV_HIDDEN },
    ]);
    expect(values.text).toMatch(/Note: 4 environment variable value\(s\) are hidden by policy/);

    const one = await runTool(tool, { ...listed, query: 'Functions[].Environment.Variables.DB_PASSWORD' });
    expect(jsonOf(one.text)).toEqual(expect.arrayContaining([ENV_HIDDEN]));

    const filtered = await runTool(tool, {
      ...listed,
      query: "Functions[?Environment.Variables.DB_PASSWORD=='do-not-leak-me'].FunctionName",
    });
    expect(jsonOf(filtered.text)).toEqual([]);
    expect(filtered.text).toMatch(
      /Note: The query ran after redaction: \d+ value\(s\) in the data were redacted or hidden/,
    );

    const whole = await runTool(tool, { ...listed, query: 'to_string(@)' });
    for (const r of [values, one, filtered, whole]) expect(r.text).not.toContain('do-not-leak-me');
    expect(whole.text).toContain(ENV_HIDDEN);
  });

  it("a VPN connection's pre-shared keys and device configuration come back redacted", async () => {
    expect(psk.length).toBeGreaterThan(8);
    const tool = makeTool();
    const vpn = (query: string) => runTool(tool, call('ec2', 'DescribeVpnConnections', {}, query));
    const configs = await vpn('VpnConnections[].CustomerGatewayConfiguration');
    expect(jsonOf(configs.text)).toEqual([REDACTED]);
    expect(configs.text).toMatch(/Note: 1 secret-looking value\(s\) were redacted/);
    const serialised = await vpn('VpnConnections[].to_string(@)');
    expect(serialised.text).toContain(`CustomerGatewayConfiguration\\":\\"${REDACTED}`);
    const probed = await vpn(`VpnConnections[?contains(CustomerGatewayConfiguration, '${psk}')].VpnConnectionId`);
    expect(jsonOf(probed.text)).toEqual([]);
    for (const r of [configs, serialised, probed]) {
      expect(r.status).toBe('success');
      expect(r.text).not.toContain(psk);
    }
  });
});

describe('a query runs after the name and pattern net too', () => {
  it("a secret-named tag's value, selected alone, stays redacted", async () => {
    const tool = makeTool();
    const groups = (query: string) =>
      runTool(tool, call('ec2', 'DescribeSecurityGroups', { GroupNames: ['query-db'] }, query));
    const value = await groups("SecurityGroups[].Tags[?Key=='db_password'].Value[]");
    expect(jsonOf(value.text)).toEqual([REDACTED]);
    const probed = await groups(`SecurityGroups[?Tags[?Value=='${TAG_SECRET}']].GroupName`);
    expect(jsonOf(probed.text)).toEqual([]);
    for (const r of [value, probed]) {
      expect(r.status).toBe('success');
      expect(r.text).not.toContain(TAG_SECRET);
    }
  });
});

describe('a malformed query sends nothing to AWS', () => {
  const rejected: [string, unknown, RegExp][] = [
    ['unclosed', 'Reservations[?State.Name==', /The query is not valid: JMESPath syntax: .*Example: /],
    ['an unknown function', 'group_by(Reservations, &Type)', /unknown function group_by\(\).*count_by/],
    ['too long', 'a'.repeat(MAX_QUERY_CHARS + 1), /2001 characters long; the most is 2000/],
    ['not a string', ['length(@)'], /query must be a string \(a JMESPath expression\), not an array/],
  ];

  it.each(rejected)('%s', async (_what, query, message) => {
    const records: AwsCallRecord[] = [];
    const before = proxy.requests.length;
    const r = await runTool(makeTool({}, records), call('ec2', 'DescribeInstances', {}, query));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(message);
    expect(proxy.requests.length).toBe(before);
    if (typeof query === 'string') expect(records[0]).toMatchObject({ ok: false, errorCode: 'InvalidQuery' });
  });
});

/**
 * The tool's `regions` (agent/tools/regions.ts, regions-text.ts, global-services.ts): one call in
 * several regions at once, bounded; the result keyed by region with the byte budget shared fairly;
 * a failing region reported alone; `"all"` as the allowed regions enabled in the account; global
 * services called once, wherever the allowlist points. On moto, behind a proxy that can make a
 * region slow or fail (test/services/region-proxy.ts).
 */
import { DescribeRegionsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../../agent/credentials.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../../../agent/tools/controlled-use-aws.ts';
import { globalRegionFor } from '../../../agent/tools/global-services.ts';
import { allRegions, DEFAULT_ENABLED_REGIONS, mapBounded, startRegions } from '../../../agent/tools/regions.ts';
import { shareBudget } from '../../../agent/tools/regions-text.ts';
import { type AwsCallSettings, DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { createUseAwsTool } from '../../../agent/tools/use-aws.ts';
import { callLabel, footer, taskOutput, taskTitle } from '../../../bot/format.ts';
import { motoConfig } from '../../helpers/aws.ts';
import { seedRoles } from '../../helpers/seed.ts';
import { roleMode } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RegionProxy, startRegionProxy } from '../../services/region-proxy.ts';

// Regions no other suite uses. A, B and C are enabled in moto's account; D, F and G are not (moto
// still answers in D; the proxy makes F and G fail as a region that is not enabled does).
const A = 'af-south-1';
const B = 'ap-southeast-3';
const C = 'us-west-1';
const D = 'me-south-1';
const F = 'il-central-1';
const G = 'mx-central-1';
const COUNTS: Record<string, number> = { [A]: 3, [B]: 5, [C]: 2, [D]: 40 };
const ROLE_PATH = '/regions-test/';
const AUTH_FAILURE = { fail: { code: 'AuthFailure', status: 401 } } as const;

let proxy: RegionProxy;
let toolRoleArn: string;
const instanceIds: Record<string, string[]> = {};

function makeTool(settings: Partial<AwsCallSettings> = {}, records?: AwsCallRecord[]): FunctionTool {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: A, ...settings });
  const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: A });
  return createControlledUseAws({ credentials, caller, ...(records ? { onCall: (r) => records.push(r) } : {}) });
}

const call = (service_name: string, operation_name: string, extra: Record<string, unknown> = {}) => ({
  service_name,
  operation_name,
  parameters: {},
  label: `${service_name} ${operation_name}`,
  ...extra,
});

const COUNT = 'length(Reservations[].Instances[])';
const lines = (text: string) => text.split('\n');
const jsonOf = (text: string): unknown => JSON.parse(lines(text)[1] ?? 'null');

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-regions'])) as [string];
  await seedRoles(moto, ROLE_PATH, ['regions-role-a', 'regions-role-b']);
  await Promise.all(
    Object.entries(COUNTS).map(async ([region, n]) => {
      const ec2 = new EC2Client(motoConfig(region, moto));
      // one reservation each, so a cut keeps whole instances
      const outs = await Promise.all(
        Array.from({ length: n }, () =>
          ec2.send(
            new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
          ),
        ),
      );
      instanceIds[region] = outs.map((o) => o.Instances?.[0]?.InstanceId ?? '');
      ec2.destroy();
    }),
  );
  proxy = await startRegionProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
}, 120_000);

afterAll(async () => {
  await proxy?.close();
});

describe('several regions in one call', () => {
  it('runs in each region, keyed by region; a failing region is reported alone, in one record', async () => {
    proxy.behave({ [F]: AUTH_FAILURE });
    const records: AwsCallRecord[] = [];
    const r = await runTool(
      makeTool({}, records),
      call('ec2', 'DescribeInstances', { regions: [A, B, C, F], query: COUNT }),
    );
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual({ [A]: 3, [B]: 5, [C]: 2 });
    expect(lines(r.text)[0]).toBe(
      `ec2:DescribeInstances in 4 region(s) (${A}, ${B}, ${C}, ${F}): 3 answered, 1 failed; 3 page(s), 10 item(s); ` +
        'every page read. The query ran in each region. Results by region:',
    );
    expect(r.text).toMatch(
      new RegExp(
        `Note: Failed in ${F}: AuthFailure: .*The same credentials worked in other regions, ` +
          'so these regions are most ' +
          'likely not enabled in the account. The result has nothing for this region; say so.',
      ),
    );
    for (const region of [A, B, C, F]) expect(proxy.count('DescribeInstances', region)).toBe(1);

    // one record for the one tool call: one tool_start, one tool_end
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({
      service: 'ec2',
      operation: 'DescribeInstances',
      region: '4 regions',
      regions: [A, B, C, F],
      regionErrors: { [F]: 'AuthFailure' },
      ok: true,
      refused: false,
      pages: 3,
      items: 10,
    });
    expect(record.errorCode).toBeUndefined();
    // what the bot shows of it
    const summary = { ...record, id: 't-1' };
    expect(callLabel(summary)).toBe('`ec2:DescribeInstances` · 4 regions · 1 of 4 regions failed · 3 pages');
    expect(taskOutput(summary)).toMatch(/^10 items in 3 pages · 1 of 4 regions failed · \d+ ms$/);
    expect(footer([summary], 1_000)).toContain(
      'AWS calls: `ec2:DescribeInstances` · 4 regions · 1 of 4 regions failed',
    );
    expect(
      taskTitle({
        service: 'ec2',
        operation: 'describe_instances',
        label: 'Count',
        ...startRegions({ regions: [A, B] }, A),
      }),
    ).toBe('ec2 describe_instances in 2 regions: Count');
  });

  it('fails only when every region fails, with each reason', async () => {
    proxy.behave({ [F]: AUTH_FAILURE, [G]: { fail: { code: 'UnauthorizedOperation', status: 403 } } });
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool({}, records), call('ec2', 'DescribeInstances', { regions: [F, G] }));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(/0 answered, 2 failed/);
    expect(r.text).toMatch(new RegExp(`Note: Failed in ${F}: AuthFailure`));
    expect(r.text).toMatch(new RegExp(`Note: Failed in ${G}: AccessDenied: the read-only role may not call`));
    expect(r.text).not.toMatch(/most likely not enabled/);
    expect(records[0]).toMatchObject({
      ok: false,
      refused: false,
      errorCode: 'RegionsFailed',
      regionErrors: { [F]: 'AuthFailure', [G]: 'AccessDenied' },
    });
  });

  it("takes the slowest region's time, not the sum, with at most USE_AWS_REGION_CONCURRENCY at once", async () => {
    const tool = makeTool();
    await runTool(tool, call('sts', 'GetCallerIdentity')); // credentials first, so only the fan-out is timed
    const slow = { delayMs: 1_000 };
    const regions = [A, B, C, D];
    proxy.behave(Object.fromEntries(regions.map((r) => [r, slow])));
    let started = performance.now();
    const parallel = await runTool(tool, call('ec2', 'DescribeInstances', { regions, query: COUNT }));
    const wall = performance.now() - started;
    expect(parallel.status).toBe('success');
    expect(jsonOf(parallel.text)).toEqual(COUNTS);
    expect(proxy.maxInFlight).toBe(4);
    expect(wall).toBeGreaterThanOrEqual(1_000);
    expect(wall).toBeLessThan(2_500); // one after the other: over 4,000 ms

    const bounded = makeTool({ regionConcurrency: 2 });
    await runTool(bounded, call('sts', 'GetCallerIdentity'));
    proxy.behave(Object.fromEntries(regions.map((r) => [r, slow])));
    started = performance.now();
    const two = await runTool(bounded, call('ec2', 'DescribeInstances', { regions, query: COUNT }));
    expect(jsonOf(two.text)).toEqual(COUNTS);
    expect(proxy.maxInFlight).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('shares the byte budget fairly: small regions whole, the large one gets what they leave', async () => {
    proxy.behave({});
    const maxBytes = 32_000;
    const r = await runTool(makeTool({ maxBytes }), call('ec2', 'DescribeInstances', { regions: [A, C, D] }));
    expect(r.status).toBe('success');
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(maxBytes);
    const parts = jsonOf(r.text) as Record<string, { Reservations: unknown[] }>;
    expect(Object.keys(parts)).toEqual([A, C, D]);
    for (const region of [A, C]) {
      expect(parts[region]!.Reservations).toHaveLength(COUNTS[region]!);
      for (const id of instanceIds[region]!) expect(r.text).toContain(id);
    }
    const kept = parts[D]!.Reservations.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(40);
    // more than an equal third: the small regions' unused share went to it
    expect(Buffer.byteLength(JSON.stringify(parts[D]))).toBeGreaterThan(maxBytes / 3);
    expect(r.text).toContain(
      `Note: Output cut to fit the ${maxBytes}-byte budget, shared by 3 regions: ` +
        `${D}: Reservations kept ${kept} of 40 items.`,
    );
  });

  it('holds ARNs in the parameters to each region: refused there, called elsewhere', async () => {
    proxy.behave({});
    // S3 routes by an access point ARN's region, so in any other region the call is refused
    const bucket = `arn:aws:s3:${A}:123456789012:accesspoint/regions-test`;
    const records: AwsCallRecord[] = [];
    const r = await runTool(
      makeTool({}, records),
      call('s3', 'ListObjectsV2', { regions: [B, C], parameters: { Bucket: bucket } }),
    );
    expect(r.status).toBe('error');
    expect(r.text).toMatch(
      new RegExp(`Refused in ${B}, ${C}: parameters\\.Bucket is an ARN in ${A} .* call again with region "${A}"`),
    );
    expect(records[0]).toMatchObject({
      ok: false,
      refused: true,
      errorCode: 'ArnRegionMismatch',
      regionErrors: { [B]: 'ArnRegionMismatch', [C]: 'ArnRegionMismatch' },
    });
    expect(proxy.requests).toEqual([]);

    // with an allowlist, an ARN in a region off it is refused in every region: nothing is sent
    proxy.behave({});
    const filter = { Filters: [{ Name: 'tag:topic', Values: ['arn:aws:sns:ap-south-1:123456789012:alerts'] }] };
    const refused: AwsCallRecord[] = [];
    const none = await runTool(
      makeTool({ allowedRegions: [A, C] }, refused),
      call('ec2', 'DescribeInstances', { regions: [A, C], parameters: filter }),
    );
    expect(none.status).toBe('error');
    expect(refused[0]).toMatchObject({ ok: false, refused: true, errorCode: 'RegionNotAllowed' });
    expect(proxy.requests.filter((q) => q.action === 'DescribeInstances')).toEqual([]);
  });
});

describe('regions "all"', () => {
  it('is the allowed regions that are enabled in the account, read once per process', async () => {
    proxy.behave({});
    // D is not enabled in moto's account (opt-in), so "all" leaves it out
    const records: AwsCallRecord[] = [];
    const first = await runTool(
      makeTool({ allowedRegions: [A, B, C, D] }, records),
      call('ec2', 'DescribeInstances', { regions: 'all', query: COUNT }),
    );
    expect(jsonOf(first.text)).toEqual({ [A]: 3, [B]: 5, [C]: 2 });
    expect(records[0]).toMatchObject({ region: '3 regions', regions: [A, B, C] });
    expect(proxy.count('DescribeRegions', A)).toBe(1);
    // a second call with the same caller reads the enabled regions from the cache
    const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: A, allowedRegions: [A, B, C, D] });
    const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: A });
    const cached = createControlledUseAws({ credentials, caller });
    proxy.behave({});
    await runTool(cached, call('ec2', 'DescribeInstances', { regions: 'all', query: COUNT }));
    await runTool(cached, call('ec2', 'DescribeInstances', { regions: ['all'], query: COUNT }));
    expect(proxy.count('DescribeRegions')).toBe(1);
    expect(proxy.count('DescribeRegions', A)).toBe(1);
  });

  it('without an allowlist is every enabled region of the partition', async () => {
    const ec2 = new EC2Client(motoConfig('us-east-1', inject('motoUrl')));
    const listed = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
    ec2.destroy();
    const enabled = (listed.Regions ?? [])
      .filter((r) => r.OptInStatus !== 'not-opted-in' && !/^(cn|us-gov)-/.test(r.RegionName ?? ''))
      .map((r) => r.RegionName ?? '')
      .sort();
    expect(enabled.length).toBeGreaterThan(15);
    proxy.behave({});
    const records: AwsCallRecord[] = [];
    const r = await runTool(
      makeTool({}, records),
      call('ec2', 'DescribeKeyPairs', { regions: 'all', query: 'length(KeyPairs)' }),
    );
    expect(r.status).toBe('success');
    expect(Object.keys(jsonOf(r.text) as object)).toEqual(enabled);
    expect(records[0]).toMatchObject({ region: `${enabled.length} regions`, regions: enabled, ok: true });
    expect(records[0]!.regionErrors).toBeUndefined();
  });

  it("falls back to the allowlist when the account's regions cannot be read, and says so", async () => {
    proxy.behave({}, { DescribeRegions: { fail: { code: 'UnauthorizedOperation', status: 403 } } });
    const r = await runTool(
      makeTool({ allowedRegions: [A, C] }),
      call('ec2', 'DescribeInstances', { regions: 'all', query: COUNT }),
    );
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual({ [A]: 3, [C]: 2 });
    expect(r.text).toMatch(
      new RegExp(
        "Note: The account's enabled regions could not be read \\(DescribeRegions: UnauthorizedOperation: .*\\), " +
          `so "all" means the bot's allowed regions`,
      ),
    );
  });

  it('means the regions every account has when nothing else is known, and only enabled ones of the allowlist', () => {
    const unknown = { ok: false, why: 'x' } as const;
    expect(allRegions(unknown, undefined, 'eu-west-1').regions).toEqual(DEFAULT_ENABLED_REGIONS);
    expect(allRegions(unknown, undefined, 'cn-north-1').regions).toEqual(['cn-north-1']);
    const known = { ok: true, regions: ['eu-west-1', 'us-east-1', 'cn-north-1'] } as const;
    expect(allRegions(known, undefined, 'eu-west-1')).toEqual({ regions: ['eu-west-1', 'us-east-1'] });
    expect(allRegions(known, ['us-east-1', 'ap-east-1'], 'eu-west-1')).toEqual({ regions: ['us-east-1'] });
  });
});

describe('global services', () => {
  const allowedRegions = [A, B]; // no us-east-1

  it('are called once, in us-east-1, though the allowlist lacks it and whatever regions are asked', async () => {
    proxy.behave({});
    const records: AwsCallRecord[] = [];
    const tool = makeTool({ allowedRegions }, records);
    const listRoles = (extra: Record<string, unknown>) =>
      runTool(tool, call('iam', 'ListRoles', { parameters: { PathPrefix: ROLE_PATH }, ...extra }));

    const inA = await listRoles({ region: A });
    expect(inA.status).toBe('success');
    expect(lines(inA.text)[0]).toBe(
      'iam:ListRoles in us-east-1 (a global service: one call covers every region): 1 page(s), 2 item(s).',
    );
    const several = await listRoles({ regions: [A, B] });
    const all = await listRoles({ regions: 'all' });
    const plain = await listRoles({});
    for (const r of [several, all, plain]) {
      expect(r.status).toBe('success');
      expect(r.text).toContain('regions-role-a');
    }
    expect(proxy.count('ListRoles')).toBe(4);
    expect(proxy.count('ListRoles', 'us-east-1')).toBe(4);
    expect(proxy.count('DescribeRegions')).toBe(0);
    for (const record of records) {
      expect(record).toMatchObject({ region: 'us-east-1', ok: true });
      expect(record.regions).toBeUndefined();
    }
    const who = await runTool(tool, call('sts', 'GetCallerIdentity', { region: B }));
    expect(who.status).toBe('success');
    const buckets = await runTool(tool, call('s3', 'ListBuckets', { regions: 'all' }));
    expect(buckets.status).toBe('success');
    expect(records.slice(-2).map((x) => x.region)).toEqual(['us-east-1', 'us-east-1']);
    // nothing but the role's session went anywhere else
    expect(new Set(proxy.requests.filter((q) => q.action !== 'AssumeRole').map((q) => q.region))).toEqual(
      new Set(['us-east-1']),
    );
  });

  it('but a regional call to a region off the allowlist is still refused, and so is an ARN there', async () => {
    proxy.behave({});
    const tool = makeTool({ allowedRegions });
    const ec2 = await runTool(tool, call('ec2', 'DescribeInstances', { region: 'us-east-1' }));
    expect(ec2.text).toMatch(
      /Region us-east-1 is not one this bot may look at\. Allowed regions: af-south-1, ap-southeast-3\./,
    );
    const arn = await runTool(
      tool,
      call('iam', 'ListRoles', { parameters: { PathPrefix: 'arn:aws:sns:ap-south-1:123456789012:alerts' } }),
    );
    expect(arn.text).toMatch(/Region ap-south-1 is not one this bot may look at: parameters\.PathPrefix is an ARN/);
    expect(proxy.requests).toEqual([]);
  });

  it('have one home: the partition of the call picks the global region', () => {
    expect(globalRegionFor('iam', 'ListRoles', 'eu-west-3')).toBe('us-east-1');
    expect(globalRegionFor('iam', 'ListRoles', 'cn-northwest-1')).toBe('cn-north-1');
    expect(globalRegionFor('route53', 'ListHostedZones', 'us-gov-east-1')).toBe('us-gov-west-1');
    expect(globalRegionFor('globalaccelerator', 'ListAccelerators', 'eu-west-1')).toBe('us-west-2');
    expect(globalRegionFor('s3', 'ListBuckets', 'eu-west-1')).toBe('us-east-1');
    expect(globalRegionFor('s3', 'ListObjectsV2', 'eu-west-1')).toBeUndefined();
    expect(globalRegionFor('ec2', 'DescribeInstances', 'eu-west-1')).toBeUndefined();
    expect(globalRegionFor('constructor', 'X', 'eu-west-1')).toBeUndefined();
  });
});

describe('the regions input', () => {
  const rejected: [string, Record<string, unknown>, RegExp][] = [
    ['region and regions together', { region: A, regions: [B] }, /Give either region .* or regions .*, not both/],
    ['an empty list', { regions: [] }, /regions must be "all" or a non-empty list of region names/],
    ['not a list', { regions: 5 }, /regions must be "all" or a non-empty list/],
    ['a bad name', { regions: [A, 'moon-1'] }, /regions has a name that is not an AWS region name: "moon-1"/],
    [
      '"all" with others',
      { regions: ['all', A] },
      /not an AWS region name: "all"; use names like eu-west-1, or "all" alone/,
    ],
    [
      'too many',
      { regions: Array.from({ length: 51 }, (_, i) => `eu-west-${i + 1}`) },
      /regions lists 51 regions; the most is 50/,
    ],
  ];

  it.each(rejected)('refuses %s, sending nothing', async (_what, extra, message) => {
    proxy.behave({});
    const r = await runTool(makeTool(), call('ec2', 'DescribeInstances', extra));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(message);
    expect(proxy.requests).toEqual([]);
  });

  it('the stock use_aws takes regions too, and refuses region with regions', async () => {
    proxy.behave({});
    const tool = createUseAwsTool({ caller: new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: A }) });
    const r = await runTool(tool, call('ec2', 'DescribeInstances', { regions: [A, C], query: COUNT }));
    expect(jsonOf(r.text)).toEqual({ [A]: 3, [C]: 2 });
    const both = await runTool(tool, call('ec2', 'DescribeInstances', { region: A, regions: [C] }));
    expect(both.text).toMatch(/not both/);
  });

  it("a call's start shows its regions as the model wrote them", () => {
    expect(startRegions({ regions: [A, B, A] }, C)).toEqual({ region: '2 regions', regions: [A, B] });
    expect(startRegions({ regions: [A] }, C)).toEqual({ region: A, regions: [A] });
    expect(startRegions({ regions: 'ALL' }, C)).toEqual({ region: 'all regions' });
    expect(startRegions({ region: B }, C)).toEqual({ region: B });
    expect(startRegions({}, C)).toEqual({ region: C });
  });
});

describe('the pieces', () => {
  it('shareBudget: equal shares, what a small part leaves goes to the larger ones', () => {
    expect(shareBudget([100, 5_000, 300], 3_000)).toEqual([100, 2_600, 300]);
    expect(shareBudget([5_000, 5_000, 5_000], 3_000)).toEqual([1_000, 1_000, 1_000]);
    expect(shareBudget([10, 20], 3_000)).toEqual([10, 20]);
    expect(shareBudget([2_000, 900, 5_000], 3_000)).toEqual([1_050, 900, 1_050]);
    expect(shareBudget([], 3_000)).toEqual([]);
  });

  it('mapBounded keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((ok) => setTimeout(ok, n * 5));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});

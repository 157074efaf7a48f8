/**
 * The bench figures of issue 13 (answering what people ask), each measured side by side in one run:
 *
 * - exact answers over thousands of resources: 5,003 instances counted, and broken down by type, in one
 *   tool call with a `query`, against the same call without one (what the model could see before);
 * - every region in one call: a 17-region listing through a proxy that holds each region for its own
 *   latency, against the slowest region alone (and the sum, what one call per region would take);
 * - prompt caching: a scripted 3-call answer through the real BedrockModel and the Bedrock stand-in
 *   (which keeps Bedrock's prompt cache), with caching on and off;
 * - cold start with 100 clients: the agent package's import time and size, against the package as it
 *   was built before the clients were added (BASELINE_COMMIT, checked out into a temporary worktree).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { type _InstanceType, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { PinnedCredentials } from '../agent/credentials.ts';
import { AwsCaller } from '../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../agent/tools/settings.ts';
import { bundleAgent, repoRoot } from '../infra/bundle.ts';
import { motoConfig } from '../test/helpers/aws.ts';
import { billedInput, cacheReadShare, threeCallAnswer } from '../test/helpers/prompt-cache.ts';
import { seedInstances } from '../test/helpers/seed.ts';
import { roleMode } from '../test/helpers/tool-role.ts';
import { runTool } from '../test/helpers/tools.ts';
import type { MotoServer } from '../test/services/moto.ts';
import { startRegionProxy } from '../test/services/region-proxy.ts';

/** One row of the bench table (bench/run.ts prints them). */
export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly baseline?: string;
  readonly ratio?: number;
  readonly target?: string;
  readonly ok?: boolean;
}

export interface Recorder {
  readonly rows: Row[];
  readonly results: Record<string, unknown>;
  readonly say: (s: string) => void;
}

/** The last commit before issue 13 added clients: what "today's" cold start is measured against. */
export const BASELINE_COMMIT = 'ad7d3b9';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n: number) => `${(n / 1_048_576).toFixed(2)} MB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const asker = { asker: { teamId: 'T1', userId: 'U1' } };

function tool(toolRoleArn: string, region: string, settings: Partial<typeof DEFAULT_SETTINGS> = {}) {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: region, ...settings });
  const t = createControlledUseAws({ credentials: new PinnedCredentials(roleMode(toolRoleArn), { region }), caller });
  return { tool: t, caller };
}

/** The JSON line of a tool result (its second line). */
const jsonOf = (text: string): unknown => JSON.parse(text.split('\n')[1] ?? 'null');

// ---------------------------------------------------------------- exact answers over thousands of resources

const FLEET: readonly (readonly [type: string, count: number, stopped: number])[] = [
  ['t3.micro', 2_000, 300],
  ['m5.large', 1_500, 200],
  ['c6g.xlarge', 1_003, 3],
  ['r5.large', 500, 0],
];

export async function exactCounts(moto: MotoServer, toolRoleArn: string, r: Recorder): Promise<void> {
  const region = 'eu-west-1';
  const total = FLEET.reduce((n, [, c]) => n + c, 0);
  r.say(`exact answers: ${total.toLocaleString('en-US')} instances counted and broken down in one call…`);
  const ec2 = new EC2Client(motoConfig(region, moto.url));
  for (const [type, count, stopped] of FLEET) {
    const ids: string[] = [];
    for (let left = count; left > 0; left -= 1_000) {
      const n = Math.min(1_000, left);
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: n,
          MaxCount: n,
          InstanceType: type as _InstanceType,
        }),
      );
      ids.push(...(out.Instances ?? []).map((i) => i.InstanceId ?? ''));
    }
    if (stopped) await ec2.send(new StopInstancesCommand({ InstanceIds: ids.slice(0, stopped) }));
  }
  const running = FLEET.reduce((n, [, c, s]) => n + c - s, 0);
  const byType = Object.fromEntries(FLEET.map(([t, c]) => [t, c]));
  const input = {
    service_name: 'ec2',
    operation_name: 'describe_instances',
    parameters: { MaxResults: 1_000 },
    region,
    label: 'bench',
  };
  const { tool: withQuery, caller } = tool(toolRoleArn, region);
  const t0 = performance.now();
  const answered = await runTool(
    withQuery,
    {
      ...input,
      query:
        "{running: length(Reservations[].Instances[?State.Name=='running'][]), " +
        'byType: count_by(Reservations[].Instances[], &InstanceType)}',
    },
    asker,
  );
  const elapsed = performance.now() - t0;
  const before = await runTool(withQuery, input, asker);
  caller.close();
  const got = jsonOf(answered.text) as { running?: number; byType?: Record<string, number> };
  const exact =
    got.running === running &&
    Object.keys(byType).length === Object.keys(got.byType ?? {}).length &&
    Object.entries(byType).every(([t, c]) => got.byType?.[t] === c);
  const everyPage = /every page read/.test(answered.text) && !/NOT every page read/.test(answered.text);
  const bytes = Buffer.byteLength(answered.text);
  const visibleBefore = (before.text.match(/"InstanceId":"i-/g) ?? []).length;
  r.results.exactCounts = {
    instances: total,
    running,
    byType,
    answer: got,
    exact,
    everyPageRead: everyPage,
    bytesToModel: bytes,
    toolCalls: 1,
    ms: elapsed,
    withoutQuery: { bytesToModel: Buffer.byteLength(before.text), instancesVisible: visibleBefore },
  };
  r.rows.push({
    figure: `${total.toLocaleString('en-US')} instances: running count and by-type breakdown, one call`,
    value: `${exact && everyPage ? 'exact' : 'WRONG'}, ${kb(bytes)}`,
    baseline: `${visibleBefore} instances visible without a query`,
    target: 'exact, one call, ≤ 2 KB to the model',
    ok: exact && everyPage && bytes <= 2_048,
  });
  r.rows.push({ figure: 'that call (every page read, query after redaction)', value: ms(elapsed) });
}

// ---------------------------------------------------------------- every region in one call

/** The 17 regions every AWS account has enabled by default, each held for its own latency. */
const REGION_LATENCY_MS: Readonly<Record<string, number>> = {
  'us-east-1': 80,
  'us-east-2': 120,
  'us-west-1': 180,
  'us-west-2': 160,
  'ca-central-1': 140,
  'sa-east-1': 420,
  'eu-west-1': 220,
  'eu-west-2': 240,
  'eu-west-3': 260,
  'eu-central-1': 250,
  'eu-north-1': 300,
  'ap-south-1': 520,
  'ap-northeast-1': 480,
  'ap-northeast-2': 500,
  'ap-northeast-3': 510,
  'ap-southeast-1': 560,
  'ap-southeast-2': 600,
};

export async function regionFanOut(moto: MotoServer, toolRoleArn: string, r: Recorder): Promise<void> {
  const regions = Object.keys(REGION_LATENCY_MS);
  r.say(`every region in one call: ${regions.length} regions, each held for its own latency…`);
  const proxy = await startRegionProxy(moto.url);
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = proxy.url;
  try {
    const home = 'us-east-1';
    const { tool: fanOut, caller } = tool(toolRoleArn, home);
    const input = { service_name: 'ec2', operation_name: 'describe_vpcs', parameters: {}, label: 'bench' };
    // warm: the role session and every region's client
    await runTool(fanOut, { ...input, regions }, asker);
    proxy.behave(Object.fromEntries(regions.map((g) => [g, { delayMs: REGION_LATENCY_MS[g] }])));
    const t0 = performance.now();
    const out = await runTool(fanOut, { ...input, regions }, asker);
    const wall = performance.now() - t0;
    const calls = proxy.count('DescribeVpcs');
    // the slowest region alone, through the same tool
    const slowest = regions.reduce((a, b) => ((REGION_LATENCY_MS[a] ?? 0) >= (REGION_LATENCY_MS[b] ?? 0) ? a : b));
    const t1 = performance.now();
    await runTool(fanOut, { ...input, region: slowest }, asker);
    const alone = performance.now() - t1;
    caller.close();
    const sequential = Object.values(REGION_LATENCY_MS).reduce((a, b) => a + b, 0);
    const keyed = jsonOf(out.text) as Record<string, unknown> | null;
    const answeredRegions = keyed && typeof keyed === 'object' ? Object.keys(keyed).length : 0;
    const ratio = wall / alone;
    r.results.regionFanOut = {
      regions: regions.length,
      wallMs: wall,
      slowestRegion: slowest,
      slowestAloneMs: alone,
      sumOfLatenciesMs: sequential,
      requests: calls,
      regionsInResult: answeredRegions,
      concurrency: DEFAULT_SETTINGS.regionConcurrency,
      status: out.status,
    };
    r.rows.push({
      figure: `${regions.length}-region listing in one tool call (one model turn)`,
      value: ms(wall),
      baseline: `${ms(alone)} slowest region alone; ${ms(sequential)} one region at a time`,
      ratio,
      target: '≤ 1.5× the slowest region',
      ok: ratio <= 1.5 && out.status === 'success' && answeredRegions === regions.length,
    });
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
    await proxy.close();
  }
}

// ---------------------------------------------------------------- prompt caching

export async function promptCaching(moto: MotoServer, toolRoleArn: string, r: Recorder): Promise<void> {
  r.say('prompt caching: a scripted 3-call answer with caching on and off…');
  const region = 'ap-northeast-2';
  await seedInstances(moto.url, region, 3, 'cache');
  const o = { region, toolRoleArn, instanceName: 'cache-0' };
  const cached = await threeCallAnswer(o);
  const plain = await threeCallAnswer({ ...o, caching: false });
  const share = cacheReadShare(cached.calls);
  const billed = (calls: typeof cached.calls) => calls.reduce((n, u) => n + billedInput(u), 0);
  r.results.promptCaching = {
    modelCalls: cached.calls.length,
    cacheReadShareOfCalls2ToN: share,
    cached: cached.usage,
    uncached: plain.usage,
    billedInputCached: billed(cached.calls),
    billedInputUncached: billed(plain.calls),
  };
  r.rows.push({
    figure: `input of model calls 2..${cached.calls.length} read from the prompt cache (scripted 3-call answer)`,
    value: `${(share * 100).toFixed(0)}%`,
    baseline: '0% without caching',
    target: '≥ 50%',
    ok: share >= 0.5,
  });
  r.rows.push({
    figure: 'input tokens billed per answer (cache reads 0.1×, writes 1.25×)',
    value: billed(cached.calls).toFixed(0),
    baseline: `${billed(plain.calls).toFixed(0)} uncached`,
    ratio: billed(cached.calls) / billed(plain.calls),
  });
}

// ---------------------------------------------------------------- cold start with 100 clients

/** A code package's size zipped (each file deflated, plus zip's headers): what the deploy uploads. */
function zippedBytes(dir: string): number {
  let n = 22; // end of central directory
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const name = rel ? `${rel}/${f}` : f;
      if (statSync(p).isDirectory()) walk(p, name);
      else n += deflateRawSync(readFileSync(p)).length + 30 + 46 + 2 * Buffer.byteLength(name);
    }
  };
  walk(dir, '');
  return n;
}

/** Median wall time of importing `file` in fresh Node processes. */
export function importMs(file: string, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t=performance.now(); await import(${JSON.stringify(file)}); ` +
          'process.stdout.write(String(performance.now()-t));',
      ],
      { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } },
    );
    if (out.status !== 0) throw new Error(`import of ${file} failed: ${out.stderr}`);
    times.push(Number(out.stdout));
  }
  return median(times);
}

/** The agent package as BASELINE_COMMIT built it, in a temporary worktree; undefined when git cannot. */
function baselinePackage(): { dir: string; entry: string; cleanup: () => void } | undefined {
  const tree = mkdtempSync(join(tmpdir(), 'aws-ask-baseline-'));
  const git = (args: string[]) => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' });
  if (git(['worktree', 'add', '--detach', tree, BASELINE_COMMIT]).status !== 0) return undefined;
  const cleanup = () => {
    git(['worktree', 'remove', '--force', tree]);
    rmSync(tree, { recursive: true, force: true });
  };
  symlinkSync(join(repoRoot, 'node_modules'), join(tree, 'node_modules'));
  const out = join(tree, 'dist-baseline');
  const built = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { bundleAgent } = await import(${JSON.stringify(join(tree, 'infra', 'bundle.ts'))}); ` +
        `process.stdout.write(bundleAgent(${JSON.stringify(out)}).entry);`,
    ],
    { encoding: 'utf8' },
  );
  if (built.status !== 0 || !existsSync(built.stdout)) {
    cleanup();
    return undefined;
  }
  return { dir: out, entry: built.stdout, cleanup };
}

export function agentColdStart(r: Recorder): void {
  r.say('cold start: the agent package with 100 clients against the package before they were added…');
  const now = bundleAgent(mkdtempSync(join(tmpdir(), 'aws-ask-agent-bench-')));
  const nowMs = importMs(now.entry);
  const nowZip = zippedBytes(now.dir);
  const base = baselinePackage();
  const baseMs = base ? importMs(base.entry) : undefined;
  const baseZip = base ? zippedBytes(base.dir) : undefined;
  base?.cleanup();
  r.results.agentColdStart = {
    importMs: nowMs,
    zippedBytes: nowZip,
    serverJsBytes: now.bundleBytes,
    packageBytes: now.totalBytes,
    baselineCommit: BASELINE_COMMIT,
    baselineImportMs: baseMs ?? null,
    baselineZippedBytes: baseZip ?? null,
  };
  r.rows.push({
    figure: 'agent server import time (fresh process, median of 9)',
    value: ms(nowMs),
    baseline: baseMs === undefined ? 'baseline unavailable (no git history)' : `${ms(baseMs)} at ${BASELINE_COMMIT}`,
    ...(baseMs === undefined ? {} : { ratio: nowMs / baseMs, ok: nowMs / baseMs <= 1.1 }),
    target: '≤ 1.1× before the clients were added',
  });
  r.rows.push({
    figure: 'agent code package, zipped',
    value: mb(nowZip),
    ...(baseZip === undefined ? {} : { baseline: `${mb(baseZip)} at ${BASELINE_COMMIT}`, ratio: nowZip / baseZip }),
    target: 'reported',
  });
}

/**
 * The bench figure of issue 14 (many accounts): one tool call over 3 accounts × 4 regions on loopback
 * stand-ins (moto behind the region proxy, which holds each region for its own latency), against the
 * slowest single call; and the AssumeRole calls it costs: one per account per asker, however many calls.
 */
import { AccountDirectory } from '../agent/accounts.ts';
import { PinnedCredentials } from '../agent/credentials.ts';
import { AwsCaller } from '../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../agent/tools/settings.ts';
import { ACCOUNT } from '../test/helpers/seed.ts';
import { roleMode } from '../test/helpers/tool-role.ts';
import { runTool } from '../test/helpers/tools.ts';
import type { MotoServer } from '../test/services/moto.ts';
import { startRegionProxy } from '../test/services/region-proxy.ts';
import type { Recorder } from './coverage.ts';

/** Each region's latency, as far-away regions of a real account answer. */
const LATENCY_MS: Readonly<Record<string, number>> = {
  'eu-west-1': 60,
  'us-east-1': 120,
  'ap-southeast-2': 240,
  'sa-east-1': 180,
};
const HOME = { alias: 'hub', id: ACCOUNT };
const ACCOUNTS = [HOME, { alias: 'prod', id: '410000000001' }, { alias: 'staging', id: '410000000002' }];
const RUNS = 5;

const ms = (n: number) => `${n.toFixed(0)} ms`;

export async function accountsFanOut(moto: MotoServer, toolRoleArn: string, r: Recorder): Promise<void> {
  const regions = Object.keys(LATENCY_MS);
  r.say(`many accounts: ${ACCOUNTS.length} accounts × ${regions.length} regions in one call…`);
  const proxy = await startRegionProxy(moto.url);
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = proxy.url;
  const home = 'eu-west-1';
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: home });
  try {
    const tool = createControlledUseAws({
      credentials: new PinnedCredentials(roleMode(toolRoleArn), { region: home }),
      caller,
      accounts: new AccountDirectory({ source: { kind: 'list', accounts: ACCOUNTS }, home: HOME }),
    });
    const asker = { asker: { teamId: 'TBENCH', userId: 'UBENCH' } };
    const input = { service_name: 'ec2', operation_name: 'describe_vpcs', parameters: {}, label: 'bench' };
    const fanOut = { ...input, accounts: 'all', regions };
    // warm: each account's role session and every client (no latency yet)
    proxy.behave({});
    await runTool(tool, fanOut, asker);
    const assumedWarm = proxy.count('AssumeRole');
    proxy.behave(Object.fromEntries(regions.map((g) => [g, { delayMs: LATENCY_MS[g] }])));
    const walls: number[] = [];
    let out = { status: '', text: '' };
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      out = await runTool(tool, fanOut, asker);
      walls.push(performance.now() - t0);
    }
    const wall = [...walls].sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
    const slowest = regions.reduce((a, b) => ((LATENCY_MS[a] ?? 0) >= (LATENCY_MS[b] ?? 0) ? a : b));
    const t1 = performance.now();
    await runTool(tool, { ...input, account: 'prod', region: slowest }, asker);
    const alone = performance.now() - t1;
    // behave() reset the count after the warm-up: every AssumeRole of the runs and the single call since
    const assumedAfter = assumedWarm + proxy.count('AssumeRole');
    const keyed = JSON.parse(out.text.split('\n')[1] ?? 'null') as Record<string, Record<string, unknown>> | null;
    const parts = keyed ? Object.values(keyed).reduce((n, v) => n + Object.keys(v ?? {}).length, 0) : 0;
    const ratio = wall / alone;
    r.results.accountsFanOut = {
      accounts: ACCOUNTS.length,
      regions: regions.length,
      wallMsMedian: wall,
      wallsMs: walls,
      slowestRegion: slowest,
      slowestAloneMs: alone,
      sumOfLatenciesMs: ACCOUNTS.length * Object.values(LATENCY_MS).reduce((a, b) => a + b, 0),
      partsInResult: parts,
      assumeRoleWarmUp: assumedWarm,
      assumeRoleOverRuns: assumedAfter,
      status: out.status,
    };
    r.rows.push({
      figure: `${ACCOUNTS.length} accounts × ${regions.length} regions in one tool call (median of ${RUNS})`,
      value: ms(wall),
      baseline: `${ms(alone)} slowest single call`,
      ratio,
      target: '≤ 1.5× the slowest single call',
      ok: ratio <= 1.5 && out.status === 'success' && parts === ACCOUNTS.length * regions.length,
    });
    r.rows.push({
      figure: `AssumeRole calls for ${RUNS + 2} calls by one asker over ${ACCOUNTS.length} accounts`,
      value: String(assumedAfter),
      target: `${ACCOUNTS.length} (one per account per asker)`,
      ok: assumedAfter === ACCOUNTS.length,
    });
  } finally {
    caller.close();
    process.env.AWS_ENDPOINT_URL = saved;
    await proxy.close();
  }
}

/**
 * The AgentCore code package: `npm run build`'s bundle, copied away from the repository (so nothing
 * can come from its node_modules), serves /ping and answers an invocation end to end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENT_ENTRY, bundleAgent } from '../../infra/bundle.ts';
import { invokeSse, sessionId } from '../helpers/agent-harness.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { SESSION_POLICY_ENV } from '../helpers/tool-role.ts';
import { type FakeBedrock, lastToolResults, startFakeBedrock } from '../services/fake-bedrock.ts';
import { freePort } from '../services/moto.ts';

const REGION = 'sa-east-1';
let bedrock: FakeBedrock;
let child: ChildProcess;
let url: string;
let out = '';

beforeAll(async () => {
  const moto = inject('motoUrl');
  const [roleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-bundle'])) as [string];
  await seedInstances(moto, REGION, 2, 'bundle');
  bedrock = await startFakeBedrock((req) =>
    lastToolResults(req).length
      ? { text: `Seen: ${(lastToolResults(req)[0]!.match(/bundle-\d/g) ?? []).sort().join(', ')}` }
      : {
          tools: [
            {
              name: 'controlled_use_aws',
              input: { service_name: 'ec2', operation_name: 'describe_instances', region: REGION, label: 'instances' },
            },
          ],
        },
  );
  const built = bundleAgent(mkdtempSync(join(tmpdir(), 'aws-ask-build-')));
  const dir = mkdtempSync(join(tmpdir(), 'aws-ask-pkg-'));
  cpSync(built.dir, dir, { recursive: true });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(dir, AGENT_ENTRY)], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      AWS_REGION: REGION,
      TOOL_ROLE_ARN: roleArn,
      ...SESSION_POLICY_ENV,
      AWS_ENDPOINT_URL: moto,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      NODE_PATH: '',
    },
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/ping`).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bundle did not start: ${out}`);
}, 120_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await bedrock?.close();
});

describe('the agent bundle', () => {
  it('is an ES module package whose entry point is a .js file, as AgentCore code deploy wants', () => {
    // "an entrypoint .js file":
    // https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-get-started-code-deploy-node.html
    expect(AGENT_ENTRY).toBe('server.js');
    expect(child.spawnargs[1]).toMatch(/[/\\]server\.js$/);
    // the package.json beside it makes server.js an ES module (the bundle uses import/export)
    const pkg = JSON.parse(readFileSync(join(child.spawnargs[1]!, '..', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).toMatchObject({ type: 'module', main: 'server.js' });
    expect(readdirSync(join(child.spawnargs[1]!, '..')).filter((f) => f.endsWith('.mjs'))).toEqual([]);
  });

  it('answers /ping and an invocation, from outside the repository', async () => {
    expect(await (await fetch(`${url}/ping`)).json()).toMatchObject({ status: 'Healthy' });
    const events = await invokeSse(url, sessionId('bundle'), { prompt: 'which instances?' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['tool_start', 'tool_end']));
    const text = events
      .filter((e) => e.type === 'text')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(text).toBe('Seen: bundle-0, bundle-1');
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    // the log line comes over the child's stdout, which may trail the HTTP response a little
    for (let i = 0; i < 100 && !/"msg":"invocation"/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/"msg":"invocation".*"outcome":"ok"/);
  });
});

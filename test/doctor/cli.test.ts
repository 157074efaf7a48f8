/**
 * `npm run doctor` as a user runs it: package.json's command line in a child process, with only the
 * environment given (credentials, region, the stand-ins' endpoints), in a directory of its own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { receiverHandler } from '../../bot/lambda/receiver.ts';
import { runChild } from '../services/doctor-run.ts';
import { type DoctorWorld, startDoctorWorld } from '../services/doctor-world.ts';

const REGION = 'ap-southeast-5';
let world: DoctorWorld;
const saved = { ...process.env };

/** The world's environment without the AWS credentials. */
function withoutCredentials(): Record<string, string> {
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _key, ...rest } = world.env;
  return rest;
}

beforeAll(async () => {
  world = await startDoctorWorld(
    inject('motoUrl'),
    { region: REGION, stackName: 'aws-ask-doctor-c', roleName: 'aws-ask-doctor-tool-c' },
    receiverHandler,
  );
  // the receiver behind the Function URL runs in this process
  Object.assign(process.env, { AWS_REGION: REGION, SLACK_SECRET_ID: world.secretArn, QUEUE_URL: 'unused' });
});

afterAll(async () => {
  await world.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('npm run doctor (child process)', () => {
  it('all green: a line per check, a summary, exit 0', async () => {
    const { code, out, err, ms } = await runChild(['--stack', world.stackName], { ...world.env });
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      `aws-ask doctor · account 123456789012 · region ${REGION} · stack aws-ask-doctor-c · ` +
        'model global.anthropic.claude-sonnet-4-6',
    );
    expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(10);
    expect(lines.at(-2)).toBe('All 10 checks that apply passed.');
    expect(ms).toBeLessThan(15_000);
  });

  it('--json: one JSON object, exit 0', async () => {
    const { code, out } = await runChild(['--stack', world.stackName, '--json'], { ...world.env });
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(out) as { ok: boolean; region: string; checks: { id: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.region).toBe(REGION);
    expect(report.checks.map((c) => c.id)).toEqual([
      'credentials',
      'bootstrap',
      'agentcore',
      'model',
      'lambda-concurrency',
      'stack',
      'slack',
      'runtime',
      'request-url',
      'tool-role',
    ]);
  });

  it('no credentials: the credentials line says how to sign in, the rest wait for it, exit 1', async () => {
    const { code, out } = await runChild(['--stack', world.stackName], withoutCredentials());
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}AWS credentials +No AWS credentials were found/));
    const fix = lines[lines.findIndex((l) => l.startsWith('FAIL  AWS credentials')) + 1] ?? '';
    expect(fix.trim()).toMatch(/^→ Sign in and run the doctor again: `aws sso login --profile NAME`/);
    const skipped = lines.filter((l) => l.startsWith('SKIP  '));
    expect(skipped).toHaveLength(9);
    expect(skipped.every((l) => l.endsWith('Needs working AWS credentials (see above).'))).toBe(true);
    expect(lines.at(-2)).toBe(
      '1 failed, 0 passed, 9 skipped. Do what each FAIL line says, then run npm run doctor again.',
    );
  });

  it('no region: says to set AWS_REGION or pass --region, exit 1', async () => {
    const { AWS_REGION: _r, ...env } = world.env;
    const { code, out } = await runChild(['--json'], env);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { region: null; checks: { id: string; detail: string; fix: string }[] };
    expect(report.region).toBeNull();
    expect(report.checks[0]).toMatchObject({ id: 'credentials', detail: 'No AWS region is set.' });
    expect(report.checks[0]?.fix).toContain('--region');
  });

  it('a failing run with --json: ok false, the failure with its fix, exit 1', async () => {
    world.runtime.config.metadataConfiguration = { requireMMDSV2: false };
    try {
      const { code, out } = await runChild(['--stack', world.stackName, '--after', '--json'], { ...world.env });
      expect(code).toBe(1);
      const report = JSON.parse(out) as {
        ok: boolean;
        counts: Record<string, number>;
        checks: { id: string; status: string; fix: string | null }[];
      };
      expect(report.ok).toBe(false);
      expect(report.counts).toEqual({ pass: 9, fail: 1, skip: 0 });
      const runtime = report.checks.find((c) => c.id === 'runtime');
      expect(runtime?.status).toBe('fail');
      expect(runtime?.fix).toMatch(/^Run `npm run deploy`/);
    } finally {
      world.runtime.config.metadataConfiguration = { requireMMDSV2: true };
    }
  });

  it('a usage error: says what is wrong and the usage on stderr, exit 2; --help exits 0', async () => {
    const bad = await runChild(['--before', '--after'], {});
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('Give --before or --after, not both.');
    expect(bad.err).toContain('Usage: npm run doctor');
    const unknown = await runChild(['--verbose'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')[0]).toBe('Unknown option "--verbose".');
    const help = await runChild(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit status: 0 when every check that applies passes');
  });
});

/**
 * `npm run doctor` in the test's process (the SDK reads endpoints and credentials from process.env) or as
 * a child process, the way a user runs it. Every run is checked for leaked secrets.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckId, CheckResult } from '../../doctor/check.ts';
import { parseOptions } from '../../doctor/options.ts';
import { exitStatus, formatJson, formatText } from '../../doctor/report.ts';
import { type DoctorReport, runDoctor } from '../../doctor/run.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './fake-slack.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DoctorRun {
  readonly code: number;
  readonly text: string;
  readonly report: DoctorReport;
  /** The result of one check. */
  check(id: CheckId): CheckResult;
  /** The printed line of one check, with its "→ what to do" line when it failed. */
  line(id: CheckId): string;
}

/** Throws if a secret the stand-ins use appears in `out`. */
export function assertNoSecrets(out: string): void {
  for (const secret of [BOT_TOKEN, SIGNING_SECRET])
    if (out.includes(secret)) throw new Error(`the doctor printed a secret:\n${out}`);
}

/** Runs `fn` with `vars` in process.env (undefined: unset), then puts the environment back. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  put(vars);
  try {
    return await fn();
  } finally {
    put(before);
  }
}

/** A directory with no cdk.json and no cdk-outputs.json, to run in. */
export const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'aws-ask-doctor-'));

export async function runInProcess(args: readonly string[], cwd = emptyDir()): Promise<DoctorRun> {
  const options = parseOptions(args);
  if ('usage' in options) throw new Error(`bad test arguments: ${options.usage}`);
  const report = await runDoctor(options, process.env, cwd);
  const text = formatText(report);
  assertNoSecrets(text);
  assertNoSecrets(formatJson(report));
  const check = (id: CheckId) => {
    const c = report.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  const line = (id: CheckId) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(check(id).title) && /^(PASS|FAIL|SKIP) {2}/.test(l));
    const next = lines[at + 1] ?? '';
    return next.trim().startsWith('→') ? `${lines[at]}\n${next}` : (lines[at] ?? '');
  };
  return { code: exitStatus(report), text, report, check, line };
}

export interface ChildRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

/** Runs package.json's "doctor" script's command line in `cwd` with only `env` (and PATH, HOME). */
export function runChild(args: readonly string[], env: Record<string, string>, cwd = emptyDir()): Promise<ChildRun> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [, ...script] = (pkg.scripts.doctor ?? '').split(' ');
  const started = Date.now();
  const child = spawn(process.execPath, [...script.map((a) => (a.endsWith('.ts') ? join(root, a) : a)), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((ok) =>
    child.on('close', (code) => {
      assertNoSecrets(out + err);
      ok({ code, out, err, ms: Date.now() - started });
    }),
  );
}

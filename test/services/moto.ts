/**
 * moto server on loopback: the AWS stand-in for the tests.
 *
 * moto is installed on first use into a git-ignored virtualenv (`.venv-moto/`) at a pinned
 * version, so `npm test` needs nothing but python3 on the machine. cfn-lint (for
 * test/infra/cfn-lint.test.ts) and the public IAM risk lists of policy_sentry and cloudsplaining (for
 * test/common/policy-references.test.ts) go into the same virtualenv, so one install serves all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MOTO_VERSION = '5.2.5';
export const CFN_LINT_VERSION = '1.58.0';
export const POLICY_SENTRY_VERSION = '0.15.2';
export const CLOUDSPLAINING_VERSION = '0.9.1';
/** What the virtualenv holds, pinned. */
const REQUIREMENTS = [
  `moto[server]==${MOTO_VERSION}`,
  `cfn-lint==${CFN_LINT_VERSION}`,
  `policy_sentry==${POLICY_SENTRY_VERSION}`,
  `cloudsplaining==${CLOUDSPLAINING_VERSION}`,
];
// the stamp names every requirement, so a virtualenv made before one was added or bumped is brought up to date
const STAMP = REQUIREMENTS.join(' ');

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const venv = join(repoRoot, '.venv-moto');
const motoBin = join(venv, 'bin', 'moto_server');
const cfnLintBin = join(venv, 'bin', 'cfn-lint');
const stamp = join(venv, '.moto-version');

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => fail(new Error(`could not run ${cmd}: ${e.message}. Install python3 (3.9+) with venv.`)));
    child.on('close', (code) =>
      code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`)),
    );
  });
}

/** Installs moto and cfn-lint into .venv-moto unless the pinned versions are there; returns moto_server's path. */
export async function ensureMoto(): Promise<string> {
  const current = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === STAMP;
  if (current && existsSync(motoBin) && existsSync(cfnLintBin)) return motoBin;
  const python = process.env.PYTHON ?? 'python3';
  await run(python, ['-m', 'venv', venv]);
  await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...REQUIREMENTS]);
  writeFileSync(stamp, `${STAMP}\n`);
  return motoBin;
}

/** The virtualenv's python, with everything above installed. */
export async function ensureVenvPython(): Promise<string> {
  await ensureMoto();
  return join(venv, 'bin', 'python');
}

/** The pinned cfn-lint's path (installed with moto). */
export async function ensureCfnLint(): Promise<string> {
  await ensureMoto();
  return cfnLintBin;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Turns moto's IAM enforcement on (every later request must be signed by a known principal and allowed) or off. */
  enforceIam(on: boolean): Promise<void>;
  /** Wipes all state. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function waitUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${url} within 60 s:\n${log()}`);
}

export async function startMoto(): Promise<MotoServer> {
  const bin = await ensureMoto();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', INITIAL_NO_AUTH_ACTION_COUNT: 'inf' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  await waitUp(url, child, () => stderr);
  const post = async (path: string, body: string) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body });
    if (!res.ok) throw new Error(`moto ${path} answered ${res.status}`);
  };
  return {
    url,
    enforceIam: (on) => post('/moto-api/reset-auth', on ? '0' : 'inf'),
    reset: () => post('/moto-api/reset', ''),
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * cfn-lint on the synthesised templates: no errors, and no warning that .cfnlintrc.yaml does not
 * ignore with a reason. Both agent artifacts are linted (the code package and the container image),
 * each with every optional feature on, the organization grant too, and the member account's tool role
 * both ways (the CDK member stack and the StackSets template), in one cfn-lint run (a few seconds).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYED_PROPS, synthesize, synthesizeMember, synthesizeMemberTemplate } from '../helpers/template.ts';
import { CFN_LINT_VERSION, ensureCfnLint } from '../services/moto.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One finding of `cfn-lint --format json`. */
interface Finding {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path?: readonly (string | number)[]; readonly Start: { readonly LineNumber: number } };
}

interface Lint {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(bin: string, args: string[]): Promise<Lint> {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

const show = (f: Finding) =>
  `${f.Rule.Id} ${f.Level} ${f.Filename.split('/').pop()}:${f.Location.Start.LineNumber} ` +
  `${(f.Location.Path ?? []).join('/')}: ${f.Message}`;

let lint: Lint;
let version: string;
let dir: string;

beforeAll(async () => {
  const bin = await ensureCfnLint();
  dir = mkdtempSync(join(tmpdir(), 'aws-ask-cfn-lint-'));
  const variants = {
    code: synthesize(),
    container: synthesize({ ...DEPLOYED_PROPS, agentArtifact: 'container' }, 'AwsAskContainer'),
    organization: synthesize(
      {
        ...DEPLOYED_PROPS,
        accounts: { kind: 'organization', parents: [] },
        organizationId: 'o-abcd123456',
      },
      'AwsAskOrganization',
    ),
    member: synthesizeMember(),
    'member-stacksets': synthesizeMemberTemplate(),
  };
  const templates = Object.entries(variants).map(([name, s]) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(s.template, null, 1));
    return file;
  });
  version = (await run(bin, ['--version'])).stdout.trim();
  lint = await run(bin, ['--config-file', join(root, '.cfnlintrc.yaml'), '--format', 'json', '--', ...templates]);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cfn-lint', () => {
  it(`is the pinned version (${CFN_LINT_VERSION})`, () => {
    expect(version).toBe(`cfn-lint ${CFN_LINT_VERSION}`);
  });

  it('finds nothing in the synthesised templates that .cfnlintrc.yaml does not ignore', () => {
    let findings: Finding[];
    try {
      findings = JSON.parse(lint.stdout) as Finding[];
    } catch {
      throw new Error(`cfn-lint exited ${lint.code} without a JSON report:\n${lint.stdout}\n${lint.stderr}`);
    }
    const errors = findings.filter((f) => f.Level === 'Error');
    expect(errors.map(show), `cfn-lint errors:\n${errors.map(show).join('\n')}`).toEqual([]);
    expect(findings.map(show), `cfn-lint findings:\n${findings.map(show).join('\n')}`).toEqual([]);
    // exit 0 only when it linted every template and reported nothing
    expect(lint.code, lint.stderr).toBe(0);
  });
});

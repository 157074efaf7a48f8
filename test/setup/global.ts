/**
 * vitest global setup: one moto server for the whole run, stopped afterwards; and the agent packages
 * the run's syntheses left in the temp folder removed (test workers are ended without their exit hooks).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../services/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

/** The stack bundles the agent into `<tmp>/aws-ask-agent-*` once per process (infra/stack.ts). */
function removeAgentPackagesSince(started: number): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('aws-ask-agent-')) continue;
    const path = join(tmpdir(), name);
    if (statSync(path).mtimeMs >= started) rmSync(path, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now() - 1_000;
  const moto = await startMoto();
  project.provide('motoUrl', moto.url);
  return async () => {
    await moto.stop();
    removeAgentPackagesSince(started);
  };
}

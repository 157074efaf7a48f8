/** vitest global setup: one moto server for the whole run, stopped afterwards. */
import type { TestProject } from 'vitest/node';
import { startMoto } from '../services/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoUrl', moto.url);
  return () => moto.stop();
}

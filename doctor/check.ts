/** What a check is and what it reports: pass, fail (with what to do) or skip (with why it did not run). */
import type { DoctorContext } from './context.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export type CheckId =
  | 'credentials'
  | 'bootstrap'
  | 'agentcore'
  | 'model'
  | 'lambda-concurrency'
  | 'stack'
  | 'slack'
  | 'runtime'
  | 'request-url'
  | 'tool-role';

export interface Outcome {
  readonly status: CheckStatus;
  /** What was found (pass), what is wrong (fail), or why the check did not run (skip). */
  readonly detail: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

export interface CheckResult extends Outcome {
  readonly id: CheckId;
  readonly title: string;
  readonly afterDeploy: boolean;
  readonly ms: number;
}

export interface Check {
  readonly id: CheckId;
  readonly title: string;
  /** Checks after `npm run deploy` are skipped, not failed, before it. */
  readonly afterDeploy: boolean;
  run(ctx: DoctorContext, signal: AbortSignal): Promise<Outcome>;
}

export const pass = (detail: string): Outcome => ({ status: 'pass', detail });
export const fail = (detail: string, fix: string): Outcome => ({ status: 'fail', detail, fix });
export const skip = (detail: string): Outcome => ({ status: 'skip', detail });

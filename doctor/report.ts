/** The doctor's report, as lines for a person or one JSON object for a script, and its exit status. */
import type { CheckStatus } from './check.ts';
import type { DoctorReport } from './run.ts';

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

export function counts(report: DoctorReport): Record<CheckStatus, number> {
  const n: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0 };
  for (const c of report.checks) n[c.status]++;
  return n;
}

/** 0 when every check that applies passed (skips do not count against it), else 1. */
export const exitStatus = (report: DoctorReport): number => (report.ok ? 0 : 1);

function header(r: DoctorReport): string {
  const parts = [
    r.account ? `account ${r.account}` : undefined,
    r.region ? `region ${r.region}` : 'no region',
    `stack ${r.stack}${r.deployed ? '' : r.mode === 'before' ? ' (--before)' : ' (not deployed)'}`,
    `model ${r.model}`,
  ].filter(Boolean);
  return `aws-ask doctor · ${parts.join(' · ')}`;
}

function summary(r: DoctorReport): string {
  const n = counts(r);
  const skipped = n.skip ? `, ${n.skip} skipped` : '';
  if (n.fail)
    return `${n.fail} failed, ${n.pass} passed${skipped}. Do what each FAIL line says, then run npm run doctor again.`;
  const after = r.deployed || r.mode === 'before' ? '' : ' Deploy with `npm run deploy`, then run the doctor again.';
  return `All ${n.pass} checks that apply passed${skipped}.${n.skip ? after : ''}`;
}

/** One line per check (PASS/FAIL/SKIP, title, detail) and, under a failure, what to do. */
export function formatText(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.title.length)) + 2;
  const lines = [header(r), ''];
  for (const c of r.checks) {
    lines.push(`${MARK[c.status]}  ${c.title.padEnd(width)}${c.detail}`);
    if (c.status === 'fail' && c.fix) lines.push(`${' '.repeat(6 + width)}→ ${c.fix}`);
  }
  lines.push('', summary(r));
  return `${lines.join('\n')}\n`;
}

/** One JSON object: the context, the counts, and each check with its status, detail, fix and time. */
export function formatJson(r: DoctorReport): string {
  return `${JSON.stringify({
    ok: r.ok,
    mode: r.mode,
    account: r.account ?? null,
    principal: r.principal ?? null,
    region: r.region ?? null,
    stack: r.stack,
    deployed: r.deployed,
    model: r.model,
    counts: counts(r),
    checks: r.checks.map((c) => ({
      id: c.id,
      title: c.title,
      afterDeploy: c.afterDeploy,
      status: c.status,
      detail: c.detail,
      fix: c.fix ?? null,
      ms: c.ms,
    })),
  })}\n`;
}

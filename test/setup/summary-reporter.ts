/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own summary, so CI
 * (which reads that line, not vitest's format) can tell a run that tested something. Before it, the
 * figures tests record in `task.meta.summary` (e.g. the read-only layers' counts), one per line.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const figures: string[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const summary = (test.meta() as { summary?: string }).summary;
        if (summary) figures.push(summary);
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // a file that failed to load has no tests but must count as a failure
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    if (figures.length) process.stdout.write(`\n${figures.join('\n')}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

#!/usr/bin/env node
/**
 * `npm run doctor`: checks what aws-ask needs before and after `npm run deploy`, one line per check with
 * what to do when one fails. See USAGE in options.ts. Exit status: 0 when every check that applies passes,
 * 1 when one fails, 2 on a usage error.
 */
import { isMain } from '../common/main.ts';
import { parseOptions, USAGE } from './options.ts';
import { exitStatus, formatJson, formatText } from './report.ts';
import { runDoctor } from './run.ts';

export async function main(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const options = parseOptions(args);
  if ('usage' in options) {
    if (!options.usage) return { code: 0, out: `${USAGE}\n`, err: '' };
    return { code: 2, out: '', err: `${options.usage}\n${USAGE}\n` };
  }
  const report = await runDoctor(options);
  return { code: exitStatus(report), out: options.json ? formatJson(report) : formatText(report), err: '' };
}

if (isMain(import.meta.url)) {
  const { code, out, err } = await main(process.argv.slice(2));
  if (err) process.stderr.write(err);
  // exit once the report is written: an SDK or HTTP/2 socket left open must not keep the doctor running
  process.stdout.write(out, () => process.exit(code));
}

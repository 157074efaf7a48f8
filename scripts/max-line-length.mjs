// Part of `npm run lint`: Biome formats to 120 columns but does not break strings or comments, so
// this names every source line that is still longer. Exit 1 when there is one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs'], {
  encoding: 'utf8',
});
const long = [];
for (const file of listed.split('\n').filter(Boolean)) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if (line.length > MAX) long.push(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length) {
  process.stderr.write(`Lines over ${MAX} characters (wrap them):\n${long.join('\n')}\n`);
  process.exit(1);
}

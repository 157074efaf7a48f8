/**
 * The repo is self-contained: every link in README.md and docs/ that is not a web address points to
 * a file inside the repository that exists (with its #anchor, when it names one), and no code
 * comment or document points outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tracked = (...patterns: string[]) =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...patterns], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

function links(file: string): string[] {
  const text = readFileSync(resolve(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const inline = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  const refs = [...text.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] as string);
  return [...inline, ...refs];
}

describe('documentation links', () => {
  const docs = tracked('*.md');

  it('README.md and docs/ARCHITECTURE.md exist', () => {
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md']));
  });

  it('every local link resolves to a file in the repo (and its heading, when it names one)', () => {
    const broken: string[] = [];
    for (const doc of docs) {
      for (const link of links(doc)) {
        if (/^(https?:|mailto:)/.test(link)) continue;
        const [path = '', hash] = link.split('#');
        const target = path ? resolve(root, dirname(doc), path) : resolve(root, doc);
        if (relative(root, target).startsWith('..') || !existsSync(target)) {
          broken.push(`${doc}: ${link}`);
          continue;
        }
        if (hash && target.endsWith('.md')) {
          const headings = [...readFileSync(target, 'utf8').matchAll(/^#+\s+(.+)$/gm)].map((m) =>
            anchor(m[1] as string),
          );
          if (!headings.includes(hash)) broken.push(`${doc}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('no file in the repo refers to a path outside it', () => {
    const outside = tracked('*.md', '*.ts', '*.mjs', '*.json').filter((f) =>
      /\.\.\/shared\/|\.\.\/\.\.\/shared|DESIGN\.md/.test(readFileSync(resolve(root, f), 'utf8')),
    );
    expect(outside.filter((f) => f !== 'test/docs.test.ts')).toEqual([]);
  });
});

/**
 * agent/Dockerfile read as Docker reads it, for the tests that check it without Docker: its stages,
 * each with its base image and instructions (continuation lines joined, comments dropped), and a
 * stand-in for its build stage that copies exactly what the COPY lines copy into a temporary directory
 * and runs the RUN lines there.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');
export const DOCKERFILE = 'agent/Dockerfile';

export interface Instruction {
  readonly keyword: string;
  /** `--name=value` flags (COPY --from, --chown; FROM --platform). */
  readonly flags: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly line: number;
}

export interface Stage {
  /** The image of its FROM line. */
  readonly image: string;
  /** Its `AS` name, if any. */
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** The stages of a Dockerfile: instructions are split on whitespace (a JSON-form CMD stays one string). */
export function parseDockerfile(text: string): Stage[] {
  const stages: { image: string; name?: string; instructions: Instruction[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] ?? '';
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) line = `${line.trimEnd().slice(0, -1)} ${lines[++i]}`;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [keyword = '', ...words] = trimmed.split(/\s+/);
    const flags: Record<string, string> = {};
    while (words[0]?.startsWith('--')) {
      const [flag = '', value = ''] = (words.shift() as string).slice(2).split(/=(.*)/s);
      flags[flag] = value;
    }
    const instruction = { keyword: keyword.toUpperCase(), flags, args: words, line: start };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = words;
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} on line ${start} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

export const readDockerfile = (): Stage[] => parseDockerfile(readFileSync(join(root, DOCKERFILE), 'utf8'));

/** The stage another stage copies from (`COPY --from=<name>`): the build stage. */
export function buildStage(stages: readonly Stage[]): Stage {
  const from = stages.flatMap((s) => s.instructions).find((i) => i.keyword === 'COPY' && i.flags.from)?.flags.from;
  const stage = stages.find((s) => s.name === from);
  if (!stage) throw new Error(`no stage named by COPY --from (${from ?? 'none'})`);
  return stage;
}

/** The build context paths a stage's COPY lines copy (not those from another stage). */
export function copySources(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && !i.flags.from)
    .flatMap((i) => i.args.slice(0, -1))
    .map((s) => posix.normalize(s).replace(/\/$/, ''));
}

/** Is the repository file `file` in what the COPY sources bring (the file itself, or a directory above it)? */
export const covered = (sources: readonly string[], file: string): boolean =>
  sources.some((s) => s === '.' || file === s || file.startsWith(`${s}/`));

/** Imports that load code: `import type` and `export type` are erased (as in test/architecture.test.ts). */
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

/** Every repository file reachable from the entries through relative imports. */
export function relativeImportClosure(...entries: string[]): Set<string> {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(SPECIFIER)) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith('.')) visit(relative(root, resolve(root, dirname(file), spec)));
    }
  };
  for (const entry of entries) visit(entry);
  return files;
}

/** The top-level names .dockerignore leaves out of the build context. */
function ignored(): Set<string> {
  const file = join(root, '.dockerignore');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#')),
  );
}

export interface StagedBuild {
  /** Where the stage's filesystem is: a container path /p is `${fs}/p`. */
  readonly fs: string;
  /** A failing step, with its output; undefined when every step passed. */
  readonly failure?: string;
}

/** The root package's scripts `npm ci` runs (https://docs.npmjs.com/cli/commands/npm-ci). */
const NPM_CI_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/**
 * Runs a build stage without Docker, in `fs`: WORKDIR, COPY from the build context (this repository,
 * less .dockerignore), and RUN for the two commands it knows: `npm ci` (the root package's install
 * scripts, then this repository's node_modules linked in: the same lock file) and `node <file>`.
 * Any other instruction fails the build, so the stand-in cannot pass a Dockerfile it does not understand.
 */
export function stageBuild(stage: Stage, fs: string): StagedBuild {
  let workdir = '/';
  const inside = (p: string) => join(fs, posix.resolve(workdir, p));
  const skip = ignored();
  const run = (command: string, args: string[]): string | undefined => {
    const r = spawnSync(command, args, {
      cwd: inside('.'),
      encoding: 'utf8',
      // this Node first on PATH, as the image's is for its scripts
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        NODE_PATH: '',
        NODE_OPTIONS: '',
      },
    });
    return r.status === 0 ? undefined : `${[command, ...args].join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`;
  };
  for (const i of stage.instructions) {
    const fail = (why: string): StagedBuild => ({ fs, failure: `${DOCKERFILE}:${i.line} ${i.keyword}: ${why}` });
    if (i.keyword === 'WORKDIR') {
      workdir = posix.resolve(workdir, i.args[0] ?? '/');
      mkdirSync(inside('.'), { recursive: true });
    } else if (i.keyword === 'COPY') {
      const sources = i.args.slice(0, -1);
      const dest = i.args.at(-1) ?? '.';
      for (const src of sources) {
        const from = join(root, src);
        if (skip.has(posix.normalize(src).split('/')[0] ?? '') || !existsSync(from))
          return fail(`${src} is not in the build context`);
        const isDir = statSync(from).isDirectory();
        const into = !isDir && (dest.endsWith('/') || sources.length > 1) ? join(dest, basename(src)) : dest;
        mkdirSync(dirname(inside(into)), { recursive: true });
        cpSync(from, inside(into), { recursive: true });
      }
    } else if (i.keyword === 'RUN' && i.args[0] === 'npm' && i.args[1] === 'ci') {
      const pkg = JSON.parse(readFileSync(inside('package.json'), 'utf8')) as { scripts?: Record<string, string> };
      for (const name of NPM_CI_SCRIPTS) {
        const script = pkg.scripts?.[name];
        const failed = script ? run('sh', ['-c', script]) : undefined;
        if (failed) return fail(`npm ci runs the ${name} script: ${failed}`);
      }
      symlinkSync(join(root, 'node_modules'), inside('node_modules'), 'dir');
    } else if (i.keyword === 'RUN' && i.args[0] === 'node') {
      const failed = run(process.execPath, i.args.slice(1));
      if (failed) return fail(failed);
    } else if (i.keyword !== 'ENV' && i.keyword !== 'ARG') {
      return fail(`the stand-in does not know how to run ${i.keyword} ${i.args.join(' ')}: teach stageBuild`);
    }
  }
  return { fs };
}

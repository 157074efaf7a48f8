/**
 * CloudFormation templates as text (GetTemplate's `TemplateBody`, a stack set's template): the
 * `Default` of every parameter with `NoEcho: true` is redacted, in JSON or YAML, keeping the rest of
 * the template as it was. YAML is read with a parser (redact-yaml.ts: tags, anchors, flow mappings,
 * comments kept); YAML the parser refuses is edited line by line.
 *
 * redact.ts reads templates as values and redacts NoEcho defaults by structure; this module is what it
 * falls back on for a template it cannot read, and what reads a template on its own.
 */
import type { Plain } from './output.ts';
import { REDACTED, type Tally } from './redact-marks.ts';
import { readYaml } from './redact-yaml.ts';

const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && /^\s*["']?true["']?\s*$/i.test(v));

/** The template with NoEcho parameter defaults redacted (each counted), or as it was. */
export function redactNoEchoDefaults(template: string, tally: Tally): string {
  if (!/NoEcho/i.test(template)) return template;
  if (template.trimStart().startsWith('{')) {
    try {
      const doc = JSON.parse(template) as Plain;
      return noEchoDefaults(doc, tally) ? JSON.stringify(doc, null, 2) : template;
    } catch {
      // JSON-looking YAML (flow style): read as YAML below
    }
  }
  const yaml = readYaml(template);
  if (yaml === undefined) return redactNoEchoDefaultsByLine(template, tally);
  const doc = structuredClone(yaml.value);
  return noEchoDefaults(doc, tally) ? yaml.write(doc) : template;
}

/** Redacts, in place, the Default of each NoEcho parameter of a template read as a value; true if any. */
function noEchoDefaults(doc: Plain, tally: Tally): boolean {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const params = doc.Parameters ?? doc.parameters;
  if (params === null || typeof params !== 'object' || params === undefined || Array.isArray(params)) return false;
  let changed = false;
  for (const param of Object.values(params)) {
    if (param === null || typeof param !== 'object' || Array.isArray(param)) continue;
    if (isTrue(param.NoEcho) && param.Default !== undefined && param.Default !== REDACTED) {
      param.Default = REDACTED;
      tally.secrets++;
      changed = true;
    }
  }
  return changed;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlankOrComment = (line: string): boolean => /^\s*(#.*)?$/.test(line);

/**
 * The template with NoEcho defaults redacted line by line, for YAML the parser refuses (or JSON that
 * is neither): what redact.ts falls back on after reading the text as a value failed.
 */
export function redactNoEchoDefaultsByLine(template: string, tally: Tally): string {
  if (!/NoEcho/i.test(template)) return template;
  const lines = template.split('\n');
  const start = lines.findIndex((l) => /^["']?Parameters["']?\s*:\s*(#.*)?$/.test(l));
  if (start < 0) return template;
  let end = start + 1;
  while (end < lines.length && (isBlankOrComment(lines[end] ?? '') || indentOf(lines[end] ?? '') > 0)) end++;
  const out = lines.slice(0, start + 1);
  // each parameter: a line at the section's first indent, then its more-indented lines
  let i = start + 1;
  while (i < end) {
    const line = lines[i] ?? '';
    if (isBlankOrComment(line)) {
      out.push(line);
      i++;
      continue;
    }
    const indent = indentOf(line);
    let j = i + 1;
    while (j < end && (isBlankOrComment(lines[j] ?? '') || indentOf(lines[j] ?? '') > indent)) j++;
    out.push(...parameter(lines.slice(i, j), tally));
    i = j;
  }
  return [...out, ...lines.slice(end)].join('\n');
}

/** One parameter's lines, with its Default redacted when it has NoEcho: true (block or flow style). */
function parameter(block: string[], tally: Tally): string[] {
  const [head = '', ...body] = block;
  // flow style on one line: DbPassword: {Type: String, NoEcho: true, Default: hunter2} (a parameter
  // line is short; a longer one is not matched, so a crafted line cannot make these patterns slow)
  const flow =
    head.length > 2_000
      ? null
      : /^(\s*[^:#]+:\s*\{.*NoEcho\s*:\s*["']?true["']?.*?Default\s*:\s*)("[^"]*"|'[^']*'|[^,}]+)(.*)$/i.exec(head);
  const flowBefore = /^(\s*[^:#]+:\s*\{.*?Default\s*:\s*)("[^"]*"|'[^']*'|[^,}]+)(.*NoEcho\s*:\s*["']?true["']?.*)$/i;
  const flowMatch = flow ?? (head.length > 2_000 ? null : flowBefore.exec(head));
  if (flowMatch) {
    if ((flowMatch[2] ?? '').trim() === REDACTED) return block;
    tally.secrets++;
    return [`${flowMatch[1]}${REDACTED}${flowMatch[3]}`, ...body];
  }
  if (!body.some((l) => /^\s*["']?NoEcho["']?\s*:\s*["']?true["']?\s*(#.*)?$/i.test(l))) return block;
  const out = [head];
  for (let k = 0; k < body.length; k++) {
    const line = body[k] ?? '';
    const m = /^(\s*["']?Default["']?\s*:)(\s*)(.*)$/.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const rest = (m[3] ?? '').trim();
    if (rest === REDACTED) {
      out.push(line);
      continue;
    }
    // a block scalar (|, >) or a value on the following lines: drop those lines
    if (rest === '' || /^[|>][-+0-9]*\s*(#.*)?$/.test(rest)) {
      const own = indentOf(line);
      while (k + 1 < body.length && (indentOf(body[k + 1] ?? '') > own || (body[k + 1] ?? '').trim() === '')) k++;
    }
    out.push(`${m[1]} ${REDACTED}`);
    tally.secrets++;
  }
  return out;
}

/**
 * CloudFormation templates as text (GetTemplate's `TemplateBody`, a stack set's template): the
 * `Default` of every parameter with `NoEcho: true` is redacted, in JSON or YAML, keeping the rest of
 * the template as it was. YAML is edited line by line (CloudFormation's `!Ref` tags and comments stay).
 */
import { REDACTED, type Tally } from './redact-marks.ts';

const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && /^\s*["']?true["']?\s*$/i.test(v));

/** The template with NoEcho parameter defaults redacted (each counted), or as it was. */
export function redactNoEchoDefaults(template: string, tally: Tally): string {
  if (!/NoEcho/i.test(template)) return template;
  return template.trimStart().startsWith('{') ? fromJson(template, tally) : fromYaml(template, tally);
}

function fromJson(template: string, tally: Tally): string {
  let doc: unknown;
  try {
    doc = JSON.parse(template);
  } catch {
    return fromYaml(template, tally); // JSON-looking YAML (flow style): the line edit copes
  }
  const params = (doc as { Parameters?: unknown } | null)?.Parameters;
  if (params === null || typeof params !== 'object') return template;
  let changed = false;
  for (const p of Object.values(params as Record<string, unknown>)) {
    if (p === null || typeof p !== 'object') continue;
    const param = p as Record<string, unknown>;
    if (isTrue(param.NoEcho) && param.Default !== undefined && param.Default !== REDACTED) {
      param.Default = REDACTED;
      tally.secrets++;
      changed = true;
    }
  }
  return changed ? JSON.stringify(doc, null, 2) : template;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlankOrComment = (line: string): boolean => /^\s*(#.*)?$/.test(line);

function fromYaml(template: string, tally: Tally): string {
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

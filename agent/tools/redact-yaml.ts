/**
 * YAML documents inside strings (CloudFormation templates, SSM documents, EKS add-on configuration,
 * API Gateway exports, buildspecs) read as plain values, so the same structural redaction runs on them
 * as on a response, and written back with only the redacted values changed: comments, layout and
 * CloudFormation's short-form tags (`!Ref`, `!Sub`, `!GetAtt`, …) stay as they were.
 *
 * Every scalar is read as text (the YAML failsafe schema: `NoEcho: true` is "true", `0755` stays
 * "0755"). A custom tag becomes a one-key object named after it (`!Ref X` → `{"!Ref": "X"}`), so a
 * reference is never taken for a value. Aliases are followed within a budget of nodes (an alias bomb,
 * or a cycle, makes the text unreadable as YAML, and it is then redacted as text); so are a key given
 * twice, more lines than a template has, flow collections nested deeper than a document's, and any
 * parse error.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, stringify } from 'yaml';
import type { Plain } from './output.ts';

type PlainObject = { [key: string]: Plain };

/** Most nodes (aliases expanded) read from one document. */
const MAX_NODES = 50_000;

/** Most lines in a document read (a template of 256 KB has a few thousand; the parser's cost is per line). */
const MAX_LINES = 20_000;

/** Deepest flow collections (`[`, `{`) may nest, counted roughly (brackets in quotes too). */
const MAX_FLOW_DEPTH = 200;

function flowTooDeep(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return false;
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && n <= MAX_LINES; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A YAML document read as a plain value, and how to write a redacted copy of that value back. */
export interface YamlText {
  readonly value: Plain;
  /** The text with each value that differs in `redacted` replaced, everything else as it was. */
  write(redacted: Plain): string;
}

class TooBig extends Error {}
class Duplicate extends Error {}

/** Sets a key even when it is `__proto__` (JSON and YAML may carry one as an ordinary key). */
export function setKey(o: PlainObject, key: string, value: Plain): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A custom tag of a node (`!Ref`), or undefined for none, the non-specific `!` and YAML's own `!!` tags. */
function customTag(node: unknown): string | undefined {
  const tag = (node as { tag?: unknown }).tag;
  return typeof tag === 'string' && tag.startsWith('!') && tag !== '!' && !tag.startsWith('!!') ? tag : undefined;
}

function toPlain(node: unknown, doc: Document, budget: { left: number }): Plain {
  if (--budget.left < 0) throw new TooBig();
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toPlain(node.resolve(doc), doc, budget);
  let value: Plain;
  if (isScalar(node)) {
    value = node.value === null || node.value === undefined ? null : String(node.value);
  } else if (isMap(node)) {
    const o: PlainObject = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(toPlain(pair.key, doc, budget));
      // a key twice: the first value would be in the text but not in the value read (so not redacted)
      if (Object.hasOwn(o, key)) throw new Duplicate();
      setKey(o, key, toPlain(pair.value, doc, budget));
    }
    value = o;
  } else if (isSeq(node)) {
    value = node.items.map((item) => toPlain(item, doc, budget));
  } else {
    value = null;
  }
  const tag = customTag(node);
  if (tag === undefined) return value;
  const wrapped: PlainObject = {};
  setKey(wrapped, tag, value);
  return wrapped;
}

const isObject = (v: Plain | undefined): v is PlainObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep equality of plain values. */
function same(a: Plain | undefined, b: Plain | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((e, i) => same(e, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

/**
 * Writes the differences between `before` (what `node` reads as) and `after` into `node`, in place; returns
 * a node to put in its place when it must be replaced as a whole.
 */
function patch(node: unknown, before: Plain | undefined, after: Plain | undefined, doc: Document): unknown {
  if (before === after) return undefined;
  if (isAlias(node)) {
    // the value is the anchored node's: redact it there (every alias of it shows the redaction)
    const source = node.resolve(doc);
    const next = source === undefined ? replacement(node, after, doc) : patch(source, before, after, doc);
    if (next === undefined || !isScalar(source)) return next;
    const value = isScalar(next) ? next.value : null;
    source.value = value;
    source.tag = isScalar(next) ? next.tag : undefined;
    return undefined;
  }
  const tag = customTag(node);
  if (tag !== undefined) {
    if (isObject(before) && isObject(after) && tag in before && tag in after && Object.keys(after).length === 1) {
      return patchNode(node, before[tag], after[tag], doc, tag);
    }
    return same(before, after) ? undefined : replacement(node, after, doc);
  }
  return patchNode(node, before, after, doc);
}

function patchNode(node: unknown, before: Plain | undefined, after: Plain | undefined, doc: Document, tag?: string) {
  if (isMap(node) && isObject(before) && isObject(after)) {
    const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : undefined));
    if (keys.some((k) => k === undefined || !(k in after)) || Object.keys(after).length !== keys.length) {
      return same(before, after) ? undefined : replacement(node, after, doc, tag);
    }
    node.items.forEach((pair, i) => {
      const k = keys[i] as string;
      const next = patch(pair.value, before[k], after[k], doc);
      if (next !== undefined) pair.value = next as typeof pair.value;
    });
    return undefined;
  }
  if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && node.items.length === after.length) {
    node.items.forEach((item, i) => {
      const next = patch(item, before[i], after[i], doc);
      if (next !== undefined) node.items[i] = next;
    });
    return undefined;
  }
  return same(before, after) ? undefined : replacement(node, after, doc, tag);
}

/**
 * A node holding `value`, keeping the anchor of the node it replaces (an alias elsewhere may name it)
 * and the comment lines before it; a comment after it on its line goes with it (it may be about it).
 */
function replacement(node: unknown, value: Plain | undefined, doc: Document, tag?: string): unknown {
  const created = typeof value === 'string' || value === null ? new Scalar(value) : doc.createNode(value);
  const old = node as { anchor?: unknown; commentBefore?: unknown; spaceBefore?: unknown };
  if (typeof old.anchor === 'string') created.anchor = old.anchor;
  if (typeof old.commentBefore === 'string') created.commentBefore = old.commentBefore;
  if (old.spaceBefore === true) created.spaceBefore = true;
  if (tag !== undefined) created.tag = tag;
  return created;
}

/**
 * A YAML text read as a mapping or a list, or undefined when it is not one (a scalar, several
 * documents, an error, duplicate keys, too many nodes).
 */
export function readYaml(text: string): YamlText | undefined {
  if (lineCount(text) > MAX_LINES || flowTooDeep(text)) return undefined;
  let doc: Document;
  let value: Plain;
  // the parser makes an Error for each problem it finds: without stack traces, a text made of
  // thousands of them costs little more than a valid one
  const stackTraceLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
    doc = parseDocument(text, { schema: 'failsafe', prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0 || !(isMap(doc.contents) || isSeq(doc.contents))) return undefined;
    value = toPlain(doc.contents, doc, { left: MAX_NODES });
  } catch {
    return undefined; // duplicate keys, too many nodes (aliases), nesting too deep, or the parser gave up
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const original = value;
  return {
    value,
    write(redacted: Plain): string {
      try {
        const next = patch(doc.contents, original, redacted, doc);
        if (next !== undefined) doc.contents = next as typeof doc.contents;
        return doc.toString({ lineWidth: 0 });
      } catch {
        return stringify(redacted, { schema: 'failsafe', lineWidth: 0 });
      }
    },
  };
}

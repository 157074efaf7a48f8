/**
 * The schema pass: every member the AWS service model marks `sensitive` is redacted in a raw SDK
 * page, read from the static schema the SDK v3 clients carry at run time, before anything else sees
 * the page.
 *
 * The encoding (as @smithy/core's schema code reads it):
 * - a reference is a schema, or a function returning one (how shapes refer to each other, cycles too);
 * - a member is `[target, traits]`; a static shape is `[kind, namespace, name, traits, …]` with kind
 *   0 simple (`[0, ns, name, traits, target]`, e.g. Lambda's `SensitiveString`), 1 list (`…, member`),
 *   2 map (`…, key, value`), 3 structure / -3 error / 4 union (`…, memberNames, memberSchemas`);
 * - a bare number is a simple type: 0 string, 1 number, 2 boolean, 4–7 timestamps, 15 document,
 *   21/42 blobs, 64 + t a list of t, 128 + t a map of t (never sensitive);
 * - traits are a bit mask (bit 3, value 8, is `sensitive`) or an object (`{ sensitive: 1 }`).
 *
 * Sensitivity is on the member, on the target shape, or on a list, map or structure: any of them
 * makes the whole value sensitive. A sensitive value is replaced by REDACTED, except an environment
 * variable collection (Lambda's `Environment.Variables`, ECS's `environment`), whose names are kept
 * and values hidden by policy (redact-env.ts).
 *
 * One sensitive member is read rather than hidden: Cloud Control's `Properties`, the JSON text of a
 * resource's properties (GetResource, ListResources), the generic path to every resource type. Hidden
 * whole, Cloud Control would answer nothing; so it is left to the name and pattern net, which parses
 * JSON text and applies the same rules as to any response (secret names, patterns, environment values
 * hidden by policy): "redacted like any response". See isResponseDocument.
 *
 * A schema this module cannot read (an SDK that changed its encoding) leaves that part of the page
 * to the name and pattern net, and is reported in `unreadable`: the call still answers, the caller
 * logs it, and the test walking every allowed operation fails on it.
 */
import { type EnvPolicy, envForm, HIDE_ALL_ENV, hideEnv } from './redact-env.ts';
import { REDACTED, type Tally } from './redact-marks.ts';

/** A shape as this module reads it: its kind, whether it is sensitive in itself, and its parts. */
export type Shape =
  | { readonly kind: 'structure'; readonly name: string; readonly members: readonly (readonly [string, unknown])[] }
  | { readonly kind: 'list'; readonly name: string; readonly member: unknown }
  | { readonly kind: 'map'; readonly name: string; readonly key: unknown; readonly value: unknown }
  | { readonly kind: 'simple' }
  | { readonly kind: 'unreadable'; readonly why: string };

/** A reference resolved: the shape it names, and whether the member or target marks it sensitive. */
export interface Resolved {
  readonly shape: Shape;
  readonly sensitive: boolean;
  /** The static schema array behind the shape, when there is one (identity for memoising). */
  readonly node?: object;
}

const SENSITIVE_BIT = 1 << 3;

/** Whether traits mark `sensitive`; undefined when they are in no encoding this module knows. */
function traitSensitive(traits: unknown): boolean | undefined {
  if (traits === undefined || traits === null || traits === 0) return false;
  if (typeof traits === 'number') return (traits & SENSITIVE_BIT) !== 0;
  if (typeof traits === 'object' && !Array.isArray(traits))
    return Boolean((traits as { sensitive?: unknown }).sensitive);
  return undefined;
}

const unreadable = (why: string): Resolved => ({ shape: { kind: 'unreadable', why }, sensitive: false });

/** Resolves a schema reference (functions, member wrappers and simple-shape wrappers followed). */
export function resolveShape(ref: unknown): Resolved {
  let sensitive = false;
  let cur = ref;
  for (let hops = 0; hops < 16; hops++) {
    if (typeof cur === 'function') {
      try {
        cur = (cur as () => unknown)();
      } catch (e) {
        return unreadable(`a schema reference threw: ${(e as Error).message}`);
      }
      continue;
    }
    if (typeof cur === 'number') {
      if (cur >= 64 && cur < 128) return { shape: { kind: 'list', name: 'list', member: cur & 63 }, sensitive };
      if (cur >= 128 && cur < 256) return { shape: { kind: 'map', name: 'map', key: 0, value: cur & 63 }, sensitive };
      if (cur >= 0 && cur < 64) return { shape: { kind: 'simple' }, sensitive };
      return unreadable(`simple schema ${cur}`);
    }
    if (typeof cur === 'string') return { shape: { kind: 'simple' }, sensitive }; // "unit"
    if (!Array.isArray(cur)) return unreadable(`schema of type ${cur === null ? 'null' : typeof cur}`);
    if (cur.length === 2) {
      const t = traitSensitive(cur[1]);
      if (t === undefined) return unreadable('member traits in an unknown encoding');
      sensitive ||= t;
      cur = cur[0];
      continue;
    }
    if (cur.length < 5) return unreadable(`schema array of length ${cur.length}`);
    const node = cur as unknown[];
    const t = traitSensitive(node[3]);
    if (t === undefined) return unreadable(`traits of ${String(node[2])} in an unknown encoding`);
    sensitive ||= t;
    if (node[0] === 0) {
      cur = node[4];
      continue;
    }
    let shape = shapes.get(node);
    if (!shape) {
      shape = staticShape(node);
      shapes.set(node, shape);
    }
    return shape.kind === 'unreadable' ? { shape, sensitive: false } : { shape, sensitive, node };
  }
  return unreadable('schema references nested too deep');
}

const shapes = new WeakMap<object, Shape>();

/** A list, map, structure, error or union shape from its static array. */
function staticShape(node: readonly unknown[]): Shape {
  const [kind, ns, name] = node;
  const fullName = `${String(ns)}#${String(name)}`;
  switch (kind) {
    case 1:
      return { kind: 'list', name: fullName, member: node[4] };
    case 2:
      return { kind: 'map', name: fullName, key: node[4], value: node[5] };
    case 3:
    case -3:
    case 4: {
      const names = node[4];
      const schemas = node[5];
      if (!Array.isArray(names) || !Array.isArray(schemas) || names.length !== schemas.length) {
        return { kind: 'unreadable', why: `structure ${fullName} without matching member names and schemas` };
      }
      return { kind: 'structure', name: fullName, members: names.map((n, i) => [String(n), schemas[i]] as const) };
    }
    default:
      return { kind: 'unreadable', why: `schema kind ${String(kind)} of ${fullName}` };
  }
}

/** The references a shape holds: its members, its list member, its map key and value. */
export function partsOf(shape: Shape): unknown[] {
  switch (shape.kind) {
    case 'structure':
      return shape.members.map(([, ref]) => ref);
    case 'list':
      return [shape.member];
    case 'map':
      return [shape.key, shape.value];
    default:
      return [];
  }
}

const mayHide = new WeakMap<object, boolean>();

/**
 * Whether anything reachable from a shape is sensitive or unreadable: a full walk of the shape graph
 * (cycles visited once), memoised per shape only for that whole walk's answer, so a cycle never
 * memoises a partial one.
 */
function holdsSensitive(r: Resolved): boolean {
  if (r.sensitive || r.shape.kind === 'unreadable') return true;
  if (!r.node) return false;
  const known = mayHide.get(r.node);
  if (known !== undefined) return known;
  const seen = new Set<object>([r.node]);
  const stack = [r];
  let found = false;
  while (stack.length && !found) {
    const cur = stack.pop() as Resolved;
    for (const ref of partsOf(cur.shape)) {
      const p = resolveShape(ref);
      if (p.sensitive || p.shape.kind === 'unreadable') {
        found = true;
        break;
      }
      if (p.node && !seen.has(p.node)) {
        seen.add(p.node);
        const memo = mayHide.get(p.node);
        if (memo === true) {
          found = true;
          break;
        }
        if (memo === undefined) stack.push(p);
      }
    }
  }
  mayHide.set(r.node, found);
  return found;
}

/** Sensitive members that hold a whole response document as text, read by the net instead (see above). */
const RESPONSE_DOCUMENTS: ReadonlySet<string> = new Set(['com.amazonaws.cloudcontrol#Properties']);

/** Whether a member reference targets a shape in RESPONSE_DOCUMENTS (`[() => Properties, traits]`). */
export function isResponseDocument(ref: unknown): boolean {
  let target: unknown = Array.isArray(ref) ? ref[0] : ref;
  if (typeof target === 'function') target = (target as () => unknown)();
  return (
    Array.isArray(target) &&
    target[0] === 0 &&
    typeof target[1] === 'string' &&
    typeof target[2] === 'string' &&
    RESPONSE_DOCUMENTS.has(`${target[1]}#${target[2]}`)
  );
}

/** What the schema pass did to one page. */
export interface SchemaPass {
  readonly value: unknown;
  /** Why parts of the page could not be checked against the schema (empty when all were). */
  readonly unreadable: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

/**
 * A copy of a raw SDK output with every value the schema marks sensitive replaced by REDACTED
 * (environment collections: values hidden, names kept), counted in `tally`. Parts the schema does
 * not mark are returned as they are (same objects). `output` is the operation's output schema.
 */
export function redactSensitive(
  page: unknown,
  output: unknown,
  tally: Tally,
  env: EnvPolicy = HIDE_ALL_ENV,
): SchemaPass {
  const problems = new Set<string>();
  const walk = (v: unknown, ref: unknown, key: string, parentKey: string, depth: number): unknown => {
    if (v === undefined || v === null) return v;
    const r = resolveShape(ref);
    if (r.shape.kind === 'unreadable') {
      problems.add(r.shape.why);
      return v;
    }
    if (r.sensitive) {
      if (typeof v === 'string' && isResponseDocument(ref)) return v;
      const form = envForm(key, parentKey, v);
      if (form) return hideEnv(form, v, env, tally);
      if (v === '') return v;
      tally.secrets++;
      return REDACTED;
    }
    if (depth > 64 || !holdsSensitive(r)) return v;
    const shape = r.shape;
    if (shape.kind === 'structure' && isRecord(v)) {
      const out: Record<string, unknown> = { ...v };
      for (const [name, memberRef] of shape.members) {
        if (name in v) out[name] = walk(v[name], memberRef, name, key, depth + 1);
      }
      return out;
    }
    if (shape.kind === 'list' && Array.isArray(v))
      return v.map((e) => walk(e, shape.member, key, parentKey, depth + 1));
    if (shape.kind === 'map' && isRecord(v)) {
      const keySensitive = resolveShape(shape.key).sensitive;
      const out: Record<string, unknown> = {};
      let n = 0;
      for (const [k, e] of Object.entries(v)) {
        const name = keySensitive ? `${REDACTED}${++n}` : k;
        if (keySensitive) tally.secrets++;
        out[name] = walk(e, shape.value, k, key, depth + 1);
      }
      return out;
    }
    return v;
  };
  return { value: walk(page, output, '', '', 0), unreadable: [...problems] };
}

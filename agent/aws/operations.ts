/**
 * Operations of a loaded SDK client module: resolve a name written as boto3 snake_case, CLI
 * kebab-case, camelCase or PascalCase to the SDK's `…Command`, suggest near names, and read what
 * input the operation takes and what output schema it answers with from the command's schema.
 */
import { type SdkModule, squash } from '../../common/aws-services.ts';

/** A `…Command` class of an SDK v3 client package. */
export type CommandClass = new (input: Record<string, unknown>) => { input: Record<string, unknown>; schema?: unknown };

const opIndexes = new WeakMap<SdkModule, Map<string, string>>();

function opIndex(mod: SdkModule): Map<string, string> {
  let index = opIndexes.get(mod);
  if (!index) {
    index = new Map();
    for (const key of Object.keys(mod)) {
      if (key.endsWith('Command') && key !== 'Command' && !key.startsWith('$') && typeof mod[key] === 'function') {
        const op = key.slice(0, -'Command'.length);
        index.set(squash(op), op);
      }
    }
    opIndexes.set(mod, index);
  }
  return index;
}

/** All operation names of a module, PascalCase, sorted. */
export function listOperations(mod: SdkModule): string[] {
  return [...opIndex(mod).values()].sort();
}

/** The SDK's PascalCase operation name for any common spelling, or undefined. */
export function resolveOperation(mod: SdkModule, name: string): string | undefined {
  return opIndex(mod).get(squash(name));
}

export function commandClass(mod: SdkModule, operation: string): CommandClass {
  return mod[`${operation}Command`] as CommandClass;
}

export function paginatorFor(mod: SdkModule, operation: string): PaginatorFn | undefined {
  const fn = mod[`paginate${operation}`];
  return typeof fn === 'function' ? (fn as PaginatorFn) : undefined;
}

export type PaginatorFn = (
  config: { client: unknown; pageSize?: number },
  input: Record<string, unknown>,
) => AsyncIterable<Record<string, unknown>>;

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** Up to `n` names nearest to `name`: containment first, then edit distance. */
export function nearestNames(name: string, candidates: readonly string[], n = 5): string[] {
  const q = squash(name);
  return candidates
    .map((c) => {
      const s = squash(c);
      const contains = s.includes(q) || q.includes(s) ? 0 : 1;
      return { c, score: contains * 1000 + editDistance(q, s) };
    })
    .sort((x, y) => x.score - y.score || x.c.localeCompare(y.c))
    .slice(0, n)
    .map((x) => x.c);
}

export interface InputShape {
  /** Every top-level input member, in the SDK's order. */
  readonly members: readonly string[];
  /** The members the operation requires. */
  readonly required: readonly string[];
}

/**
 * Reads an operation's input members from the command's static schema
 * (`[9, ns, name, traits, () => inputSchema, () => outputSchema]`, whose input is
 * `[3, ns, name, traits, memberNames, memberSchemas, requiredCount?]`). Returns undefined if the
 * SDK ever changes that shape, so callers fall back to the service's own validation.
 */
export function inputShape(mod: SdkModule, operation: string): InputShape | undefined {
  try {
    const input = operationSchemaPart(mod, operation, 4);
    if (!Array.isArray(input) || !Array.isArray(input[4])) return undefined;
    const members = (input[4] as unknown[]).filter((m): m is string => typeof m === 'string');
    const requiredCount = typeof input[6] === 'number' ? input[6] : 0;
    return { members, required: members.slice(0, requiredCount) };
  } catch {
    return undefined;
  }
}

/** Part `index` (4 input, 5 output) of a command's operation schema, dereferenced; undefined if not there. */
function operationSchemaPart(mod: SdkModule, operation: string, index: 4 | 5): unknown {
  const Cmd = commandClass(mod, operation);
  const schema = new Cmd({}).schema;
  if (!Array.isArray(schema) || schema[0] !== 9) return undefined;
  const part: unknown = schema[index];
  return typeof part === 'function' ? (part as () => unknown)() : part;
}

/**
 * The operation's output schema as the SDK's command carries it: the structure its pages are
 * (`[3, ns, name, traits, memberNames, memberSchemas]`), or `"unit"` for an operation that answers
 * nothing. Undefined when the command has none or it is neither (then only the name and pattern net
 * redacts).
 */
export function outputSchema(mod: SdkModule, operation: string): readonly unknown[] | 'unit' | undefined {
  try {
    const output = operationSchemaPart(mod, operation, 5);
    if (output === 'unit') return output;
    return Array.isArray(output) && output.length >= 5 ? output : undefined;
  } catch {
    return undefined;
  }
}

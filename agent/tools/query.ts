/**
 * The tool's `query`: a JMESPath expression with the AWS CLI's `--query` semantics, applied client-side
 * to the merged result of every page, after redaction (aws-caller.ts `shapeOutput`), so no query can
 * reach what redaction hid. Built on @aws-lambda-powertools/jmespath with the spec's functions plus one
 * extension, `count_by(array, &expr)`, because JMESPath has no group-by.
 *
 * A query is checked before anything is sent to AWS (`queryProblem`): its length, its syntax and the
 * names of the functions it calls. What only the data can reveal (a function given the wrong type)
 * is reported when the query runs (`runQuery`).
 */
import {
  ArityError,
  EmptyExpressionError,
  JMESPathError,
  JMESPathTypeError,
  LexerError,
  ParseError,
  search,
  UnknownFunctionError,
  VariadicArityError,
} from '@aws-lambda-powertools/jmespath';
import { Functions } from '@aws-lambda-powertools/jmespath/functions';
import type { Plain } from './output.ts';

/** The longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 2_000;

/** Shown with every query error: one count, one breakdown. */
export const QUERY_EXAMPLES =
  "length(Reservations[].Instances[?State.Name=='running'][]) or " +
  'count_by(Reservations[].Instances[], &InstanceType)';

/** What an `&expression` argument is at run time: something that evaluates against a value. */
interface ExpressionRef {
  visit(value: unknown): unknown;
}

/** The spec's functions and the extensions, each a `func…` method the interpreter finds by name. */
class QueryFunctions extends Functions {
  /**
   * `count_by(array, &expr)`: how many elements give each value of `expr`, as `{value: count}`, most
   * frequent first (ties by value). A missing value counts under `"null"`.
   */
  public funcCountBy(items: unknown[], expression: ExpressionRef): Record<string, number> {
    const counts = new Map<string, number>();
    for (const item of items) {
      const key = expression.visit(item) ?? null;
      if (key !== null && typeof key === 'object') {
        throw new JMESPathTypeError({
          currentValue: key as never,
          expectedTypes: ['string', 'number', 'boolean', 'null'],
          actualType: Array.isArray(key) ? 'array' : 'object',
        });
      }
      const name = String(key);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const sorted = [...counts].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(sorted);
  }
}

// Type checks and arity as the built-ins have them (the library's decorator, applied without decorator syntax).
{
  const proto = QueryFunctions.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'funcCountBy') as PropertyDescriptor;
  Functions.signature({ argumentsSpecs: [['array'], ['expression']] })(proto, 'funcCountBy', descriptor);
  Object.defineProperty(proto, 'funcCountBy', descriptor);
}

const FUNCTIONS = new QueryFunctions();
FUNCTIONS.introspectMethods();

/** `count_by` → `funcCountBy`, as the interpreter looks a function up. */
const methodName = (name: string): string => {
  const camel = name.replace(/_([a-z])/g, (g) => (g[1] as string).toUpperCase());
  return `func${camel.charAt(0).toUpperCase()}${camel.slice(1)}`;
};

/** `funcCountBy` → `count_by`: the name a query writes. */
const queryName = (method: string): string =>
  method
    .slice(4)
    .replace(/^[A-Z]/, (c) => c.toLowerCase())
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every function a query may call, as it writes them. */
export const QUERY_FUNCTIONS: readonly string[] = [...FUNCTIONS.methods].map(queryName).sort();

/**
 * The names of the functions an expression calls: identifiers followed by `(`, outside raw strings
 * (`'…'`), quoted identifiers (`"…"`) and JSON literals (`` `…` ``).
 */
export function calledFunctions(expression: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < expression.length && expression[i] !== c) i += expression[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i, i + 256));
    if (!id) {
      i++;
      continue;
    }
    i += id[0].length;
    if (/^\s*\(/.test(expression.slice(i, i + 64))) names.push(id[0]);
  }
  return names;
}

/**
 * The parser caches expressions in a plain object: an expression named like one of Object's own
 * members (`constructor`) would be found there. Whitespace before it changes nothing else.
 */
const cacheSafe = (expression: string): string => (expression in {} ? ` ${expression}` : expression);

const isSyntaxError = (e: unknown): boolean =>
  e instanceof ParseError || e instanceof LexerError || e instanceof EmptyExpressionError;

/** The library's message without its prefix and without the expression (the model wrote it). */
const reason = (e: Error): string =>
  e.message.replace(/^(Invalid|Bad) jmespath expression: /i, '').replace(/ in expression: .*$/s, '');

/** What is wrong with a query, for the model (undefined when it may run); nothing is evaluated against AWS data. */
export function queryProblem(expression: string): string | undefined {
  const bad = (what: string) => `The query is not valid: ${what}. Nothing was sent to AWS. Example: ${QUERY_EXAMPLES}.`;
  if (!expression.trim()) return bad('it is empty');
  if (expression.length > MAX_QUERY_CHARS) {
    return bad(`it is ${expression.length} characters long; the most is ${MAX_QUERY_CHARS}`);
  }
  const unknown = [...new Set(calledFunctions(expression))].filter((n) => !FUNCTIONS.methods.has(methodName(n)));
  if (unknown.length) {
    return bad(
      `unknown function${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `${n}()`).join(', ')}; ` +
        `the functions are ${QUERY_FUNCTIONS.join(', ')} (count with length(), group with count_by())`,
    );
  }
  try {
    search(cacheSafe(expression), {}, { customFunctions: FUNCTIONS });
  } catch (e) {
    if (isSyntaxError(e)) return bad(`JMESPath syntax: ${reason(e as Error)}`);
    if (e instanceof ArityError || e instanceof VariadicArityError || e instanceof UnknownFunctionError) {
      return bad(reason(e));
    }
    // a function given the wrong type here may get the right one from the real result
  }
  return undefined;
}

/** A query that failed on the data it ran over (the wrong type for a function, most often). */
export class QueryError extends Error {
  override name = 'QueryError';
}

/**
 * JSON values only: a field named like a member every JavaScript object has (`constructor`) reads
 * that member, which is no data; it becomes null.
 */
function jsonOnly(v: unknown, depth = 0): Plain {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (depth > 64 || typeof v !== 'object') return null;
  if (Array.isArray(v)) return v.map((e) => jsonOnly(e, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return null;
  const out: Record<string, Plain> = {};
  for (const [k, e] of Object.entries(v)) out[k] = jsonOnly(e, depth + 1);
  return out;
}

/** The query's result over `value` (null when it selects nothing); QueryError when it fails on the data. */
export function runQuery(expression: string, value: Plain): Plain {
  try {
    const out = search(cacheSafe(expression), value as Parameters<typeof search>[1], { customFunctions: FUNCTIONS });
    return jsonOnly(out);
  } catch (e) {
    if (!(e instanceof JMESPathError)) throw new QueryError(String(e));
    const missingRef = /expected "expression"/.test(e.message)
      ? ' (an expression argument needs &, e.g. &InstanceType)'
      : '';
    throw new QueryError(`${reason(e)}${missingRef}`);
  }
}

/** True when `value` as JSON is longer than `limit` bytes; stops counting once it is. */
export function jsonBytesOver(value: Plain, limit: number): boolean {
  let n = 0;
  const visit = (v: Plain): boolean => {
    if (v === null || typeof v !== 'object') n += Buffer.byteLength(JSON.stringify(v) ?? 'null');
    else if (Array.isArray(v)) {
      n += 2 + v.length;
      for (const e of v) if (visit(e)) return true;
    } else {
      for (const [k, e] of Object.entries(v)) {
        n += Buffer.byteLength(JSON.stringify(k)) + 2;
        if (visit(e)) return true;
      }
      n += 2;
    }
    return n > limit;
  };
  return visit(value);
}

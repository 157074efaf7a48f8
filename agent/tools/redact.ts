/**
 * The name and pattern net: redaction of a plain result by key names and value patterns, for what the
 * AWS service model does not mark sensitive (and for any shape the schema pass could not read). It
 * runs on the merged result, after the schema pass (sensitive-members.ts), and leaves what that pass
 * replaced as it is, so nothing is counted twice.
 *
 * - keys whose whole value is secret (`SecretAccessKey`, `UserData`, `HeaderValue`, MFA seeds);
 * - secret-named keys holding text (`DbPassword`, map keys like `--db-password` in SSM `Parameters`,
 *   API Gateway's `integration.request.header.Authorization`);
 * - secret-named keys holding an object: its `Value`, `Values`, `StaticValue`, `OutputValue`, `Default`
 *   (SSM OpsMetadata `{api_token: {Value}}`, Config remediation `{MasterPassword: {StaticValue}}`, an
 *   SSM document's or a template's parameter `{DbPassword: {default}}`);
 * - name/value pairs whose name is secret-looking (tags, CloudFormation parameters and outputs, RDS
 *   option parameters), CloudFormation parameters marked `NoEcho`, API Gateway key values;
 * - CloudFormation change set values by their property path (`/Properties/Environment/Variables/X`
 *   hidden as an environment value, `/Properties/MasterUserPassword` redacted);
 * - environment variable values (redact-env.ts), hidden by policy;
 * - what a command printed (SSM Run Command `CommandPlugins[].Output`, `StandardOutputContent`,
 *   `StandardErrorContent`, `TraceOutput`): data contents, replaced by COMMAND_OUTPUT_HIDDEN;
 * - JSON and YAML inside strings (templates, AWS Config items, CloudTrail events, add-on configuration,
 *   log lines): read as values, walked by the same rules, written back with only the redactions changed
 *   (redact-yaml.ts keeps a YAML text's comments and tags); text that does not parse keeps the
 *   line-based NoEcho handling (redact-template.ts);
 * - secrets inside any text (redact-text.ts), last, over the whole string.
 *
 * References are never secrets: `{{resolve:…}}`, API Gateway mapping expressions, and CloudFormation
 * `Ref` / `Fn::GetAtt` / `Fn::ImportValue` under a secret-looking key are kept.
 */
import type { Plain } from './output.ts';
import { type EnvPolicy, envForm, envValue, HIDE_ALL_ENV, hideEnv } from './redact-env.ts';
import { COMMAND_OUTPUT_HIDDEN, isMark, newTally, REDACTED, type Tally } from './redact-marks.ts';
import { isSecretKey, isSecretName } from './redact-names.ts';
import { redactNoEchoDefaultsByLine } from './redact-template.ts';
import { isReference, redactText } from './redact-text.ts';
import { readYaml, setKey } from './redact-yaml.ts';

type PlainObject = { [key: string]: Plain };

const NAME_KEYS = ['Key', 'key', 'Name', 'name', 'ParameterKey', 'ParameterName', 'OptionName', 'OutputKey'] as const;
const VALUE_KEYS = [
  'Value',
  'value',
  'ParameterValue',
  'ResolvedValue',
  'DefaultValue',
  'Default',
  'default',
  'Values',
  'values',
  'OutputValue',
] as const;

/** Keys (lower case) of an object under a secret-named key that hold its value. */
const HELD_VALUE_KEYS = new Set([
  'value',
  'values',
  'staticvalue',
  'outputvalue',
  'default',
  'defaultvalue',
  'resolvedvalue',
  'parametervalue',
]);

/** Strings parsed as JSON or YAML at most this long (longer ones are redacted as text). */
const MAX_PARSED_CHARS = 262_144;

/** Base64 or URL-encoded strings decoded and looked into at most this long. */
const MAX_DECODED_CHARS = 65_536;

/** JSON or YAML found inside a string inside a string … at most this deep. */
const MAX_NESTED_TEXTS = 4;

/** Objects and lists nested at most this deep in a parsed string (deeper: redacted as text). */
const MAX_PARSED_DEPTH = 100;

/** Keys (letters only, lower case) whose strings are documents: parsed as YAML when they are not JSON. */
const DOCUMENT_KEYS = new Set([
  'templatebody',
  'template',
  'content',
  'configurationvalues',
  'body',
  'buildspec',
  'definition',
]);

/**
 * Template sections whose keys are logical ids (`Resources: {DbPassword: {Type, Properties}}`): a
 * secret-looking id does not make its whole definition secret; its value keys (`Default`, `Value`) are.
 */
const LOGICAL_ID_SECTIONS = new Set(['Resources', 'Outputs', 'Parameters', 'resources', 'outputs', 'parameters']);

/** CloudFormation references: a name, not a value (`{"Ref": "DbPassword"}`, YAML `!Ref DbPassword`). */
const REFERENCE_FUNCTIONS = new Set(['Ref', 'Fn::GetAtt', 'Fn::ImportValue', '!Ref', '!GetAtt', '!ImportValue']);

const isObject = (v: Plain | undefined): v is PlainObject => v !== null && typeof v === 'object' && !Array.isArray(v);

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const isTrue = (v: Plain | undefined): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** A reference to a value kept elsewhere: never a secret itself. */
function isReferenceValue(v: Plain): boolean {
  if (typeof v === 'string') return isReference(v);
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  const inner = v[keys[0] ?? ''];
  return (
    keys.length === 1 &&
    REFERENCE_FUNCTIONS.has(keys[0] ?? '') &&
    (typeof inner === 'string' || (Array.isArray(inner) && inner.every((e) => typeof e === 'string')))
  );
}

/** Text, or a list of texts: what a secret-named key's value may be replaced as a whole. */
const isText = (v: Plain): boolean =>
  (typeof v === 'string' && !v.startsWith('arn:') && !isReference(v)) ||
  (Array.isArray(v) && v.every((e) => typeof e === 'string'));

/** Keys of an object whose values its siblings say are secret (a pair's value, a NoEcho default, an API key). */
function secretSiblings(o: PlainObject): Set<string> {
  const out = new Set<string>();
  const name = NAME_KEYS.map((k) => o[k]).find((v): v is string => typeof v === 'string');
  const noEcho = isTrue(o.NoEcho);
  for (const k of VALUE_KEYS) {
    if (!(k in o)) continue;
    const noEchoValue = k === 'ParameterValue' || k === 'DefaultValue' || k === 'Default';
    if (noEcho && noEchoValue && o[k] !== '****') out.add(k);
    else if (name !== undefined && isSecretName(name)) out.add(k);
  }
  // API Gateway: an API key (`stageKeys`) or a usage plan's key (`type: API_KEY`) carries its value
  if ('value' in o && (o.type === 'API_KEY' || 'stageKeys' in o)) out.add('value');
  return out;
}

/** What a command printed: SSM Run Command plugin output, standard output and error, traces. */
const isCommandOutput = (key: string, objectParentKey: string): boolean =>
  (key === 'Output' && objectParentKey === 'CommandPlugins') ||
  key === 'StandardOutputContent' ||
  key === 'StandardErrorContent' ||
  key === 'TraceOutput';

const ENV_SEGMENTS = new Set(['environment', 'env']);
const ENV_COLLECTION_SEGMENTS = new Set([
  'environmentvariables',
  'runtimeenvironmentvariables',
  'runtimeenvironmentsecrets',
]);
/** Properties of a CodeBuild project's `Environment` that are settings, not variables. */
const CODEBUILD_ENVIRONMENT = new Set([
  'computetype',
  'image',
  'type',
  'privilegedmode',
  'certificate',
  'imagepullcredentialstype',
  'registrycredential',
  'fleet',
]);

type ChangeKind = { readonly secret: true } | { readonly env: string };

/**
 * A CloudFormation change set target (`{Path, BeforeValue, AfterValue}`): how its values are judged by
 * the property path. An environment variable's value is hidden by policy (its name from the path when
 * it says it), a secret-named property's value redacted; undefined for any other property.
 */
function changeKind(o: PlainObject): ChangeKind | undefined {
  if (!('BeforeValue' in o || 'AfterValue' in o)) return undefined;
  const path = typeof o.Path === 'string' ? o.Path : typeof o.Name === 'string' ? `/${o.Name}` : undefined;
  if (path === undefined) return undefined;
  const segments = path.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  for (let i = 0; i < segments.length; i++) {
    const segment = squash(segments[i] ?? '');
    const next = segments[i + 1];
    if (ENV_COLLECTION_SEGMENTS.has(segment)) {
      return { env: next === undefined || /^(value|name)$/i.test(next) ? '' : next };
    }
    if (!ENV_SEGMENTS.has(segment) || (next !== undefined && CODEBUILD_ENVIRONMENT.has(squash(next)))) continue;
    if (next !== undefined && squash(next) === 'variables') return { env: segments[i + 2] ?? '' };
    return { env: next === undefined || /^(value|name)$/i.test(next) ? '' : next };
  }
  const last = segments[segments.length - 1];
  return last !== undefined && isSecretName(last) ? { secret: true } : undefined;
}

/** How deep objects and lists nest in a value (counted without recursion). */
function depthOf(value: Plain): number {
  let deepest = 0;
  const stack: [Plain, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [Plain, number];
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, d);
    if (deepest > MAX_PARSED_DEPTH) return deepest;
    for (const e of Array.isArray(v) ? v : Object.values(v)) stack.push([e, d + 1]);
  }
  return deepest;
}

/** The indentation a JSON text was written with (two spaces, a tab, none). */
function jsonIndent(text: string): string | undefined {
  const m = /\n([ \t]+)["{[\]}]/.exec(text);
  return m ? m[1] : undefined;
}

/** A YAML document's text: a document key's value, or anything with `NoEcho`, holding a `key:` line. */
const looksLikeYaml = (text: string, key: string): boolean =>
  (DOCUMENT_KEYS.has(squash(key)) || text.includes('NoEcho')) &&
  (text.trimStart().startsWith('{') ||
    (text.includes('\n') && /^[ \t]*(?:- )?(?:"[^"\n]*"|'[^'\n]*'|[^\s#:'"{[][^:\n]*):(?:[ \t]|$)/m.test(text)));

/** One walk over a value: the environment policy, the tally, and how deep in nested texts it is. */
class Walk {
  private readonly env: EnvPolicy;
  private readonly tally: Tally;

  constructor(env: EnvPolicy, tally: Tally) {
    this.env = env;
    this.tally = tally;
  }

  value(v: Plain, key: string, parentKey: string, nested = 0, held = false): Plain {
    if (typeof v === 'string') return this.string(v, key, parentKey, nested);
    if (v === null || typeof v !== 'object') return v;
    const form = envForm(key, parentKey, v);
    if (form) {
      const hidden = hideEnv(form, v, this.env, this.tally) as Plain;
      return form === 'option-settings' && Array.isArray(hidden)
        ? hidden.map((e) => this.value(e, '', key, nested))
        : hidden;
    }
    if (Array.isArray(v)) return v.map((e) => this.value(e, '', key, nested));
    return this.object(v, key, parentKey, nested, held);
  }

  private object(o: PlainObject, key: string, parentKey: string, nested: number, held: boolean): Plain {
    const siblings = secretSiblings(o);
    const change = changeKind(o);
    const out: PlainObject = {};
    for (const [k, child] of Object.entries(o)) {
      let next: Plain;
      if (child === null || child === '' || isMark(child)) {
        next = child;
      } else if (isCommandOutput(k, parentKey)) {
        next = COMMAND_OUTPUT_HIDDEN;
      } else if (change && (k === 'BeforeValue' || k === 'AfterValue')) {
        next = this.changeValue(change, child, k, key, nested);
      } else if (
        (isSecretKey(k) && !(isObject(child) && LOGICAL_ID_SECTIONS.has(key))) ||
        siblings.has(k) ||
        (held && HELD_VALUE_KEYS.has(k.toLowerCase())) ||
        (isSecretName(k) && isText(child))
      ) {
        next = isReferenceValue(child) ? this.value(child, k, key, nested) : this.redacted();
      } else {
        next = this.value(child, k, key, nested, isSecretName(k) && isObject(child));
      }
      setKey(out, k, next);
    }
    return out;
  }

  private redacted(): Plain {
    this.tally.secrets++;
    return REDACTED;
  }

  private changeValue(kind: ChangeKind, v: Plain, k: string, key: string, nested: number): Plain {
    if ('secret' in kind) return isReferenceValue(v) ? v : this.redacted();
    if (typeof v === 'string' && this.env.shows(kind.env)) return this.string(v, k, key, nested);
    return envValue(kind.env, v, HIDE_ALL_ENV, this.tally) as Plain;
  }

  /**
   * A string: JSON or YAML in it walked as a value, then the text net over the whole; then, if it is
   * base64 or URL-encoded text, the same on what it decodes to.
   */
  private string(s: string, key: string, parentKey: string, nested: number): string {
    if (isMark(s)) return s;
    const parseable = s.length <= MAX_PARSED_CHARS && nested < MAX_NESTED_TEXTS;
    const parsed = parseable ? this.parsed(s, key, parentKey, nested) : undefined;
    let text: string;
    if (parsed !== undefined) {
      text = redactText(parsed, this.tally);
    } else {
      const noEcho = s.includes('NoEcho');
      text = redactText(noEcho ? redactNoEchoDefaultsByLine(s, this.tally) : s, this.tally);
    }
    return parseable && text.length <= MAX_DECODED_CHARS ? this.decoded(text, key, parentKey, nested) : text;
  }

  /**
   * Text that is base64 or URL-encoded, redacted as what it decodes to: a base64 value hiding a secret
   * (`REJfUEFTU1dPUkQ9…`, `DB_PASSWORD=…`) is replaced whole; URL-encoded text hiding one is shown
   * decoded, redacted. Text hiding nothing is returned as it was.
   */
  private decoded(text: string, key: string, parentKey: string, nested: number): string {
    const paging = /(?:token|marker|cursor)$/i.test(key) && !isSecretName(key);
    if (!paging && text.length >= 16 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
      const plain = Buffer.from(text, 'base64').toString('latin1');
      const binary = (plain.match(/[^\t\n\r\x20-\x7e]/g)?.length ?? 0) > plain.length / 20;
      if (!binary && this.hides(plain, key, parentKey, nested).found) return this.redacted() as string;
      return text;
    }
    if (!/%[0-9A-Fa-f]{2}/.test(text)) return text;
    let plain: string;
    try {
      plain = decodeURIComponent(text);
    } catch {
      return text;
    }
    if (plain === text) return text;
    const inner = this.hides(plain, key, parentKey, nested);
    if (!inner.found) return text;
    this.tally.secrets += inner.tally.secrets;
    this.tally.envValues += inner.tally.envValues;
    return inner.text;
  }

  /** Decoded text redacted on a tally of its own: whether it hid anything, and the redacted text. */
  private hides(plain: string, key: string, parentKey: string, nested: number) {
    const tally = newTally();
    const text = new Walk(this.env, tally).string(plain, key, parentKey, nested + 1);
    return { found: tally.secrets + tally.envValues > 0, tally, text };
  }

  /** The string redacted as the JSON or YAML it holds, or undefined when it holds neither. */
  private parsed(s: string, key: string, parentKey: string, nested: number): string | undefined {
    const trimmed = s.trim();
    if (/^[[{]/.test(trimmed) && /[\]}]$/.test(trimmed)) {
      let json: Plain | undefined;
      try {
        json = JSON.parse(trimmed) as Plain;
      } catch {
        json = undefined;
      }
      if (json !== null && typeof json === 'object' && depthOf(json) <= MAX_PARSED_DEPTH) {
        const out = this.value(json, key, parentKey, nested + 1);
        return JSON.stringify(out) === JSON.stringify(json) ? s : JSON.stringify(out, null, jsonIndent(s));
      }
    }
    if (!looksLikeYaml(s, key)) return undefined;
    const yaml = readYaml(s);
    if (yaml === undefined || depthOf(yaml.value) > MAX_PARSED_DEPTH) return undefined;
    const out = this.value(yaml.value, key, parentKey, nested + 1);
    return JSON.stringify(out) === JSON.stringify(yaml.value) ? s : yaml.write(out);
  }
}

/**
 * A redacted copy of a plain result, and the tally of what was replaced (added to `tally` when given).
 * Environment variable values are hidden unless `env` shows them.
 */
export function redact(value: Plain, env: EnvPolicy = HIDE_ALL_ENV, tally: Tally = newTally()) {
  return { value: new Walk(env, tally).value(value, '', ''), tally };
}

/**
 * Free text from AWS (an error message) redacted as a response's strings are: JSON or YAML in it
 * walked, then the text net. Environment values in it are hidden.
 */
export function redactMessage(text: string, tally: Tally = newTally()): string {
  return new Walk(HIDE_ALL_ENV, tally).value(text, '', '', 0) as string;
}

/**
 * The name and pattern net: redaction of a plain result by key names and value patterns, for what the
 * AWS service model does not mark sensitive (and for any shape the schema pass could not read). It
 * runs on the merged result, after the schema pass (sensitive-members.ts), and leaves what that pass
 * replaced as it is, so nothing is counted twice.
 *
 * - keys whose whole value is secret (`SecretAccessKey`, `UserData`, `HeaderValue`, MFA seeds);
 * - secret-named keys holding text (`DbPassword`, map keys like `--db-password` in SSM `Parameters`);
 * - name/value pairs whose name is secret-looking (tags, CloudFormation and RDS option parameters),
 *   CloudFormation parameters marked `NoEcho`, API Gateway key values;
 * - environment variable values (redact-env.ts), hidden by policy;
 * - CloudFormation templates' NoEcho defaults (redact-template.ts);
 * - secrets inside any text (redact-text.ts).
 */
import type { Plain } from './output.ts';
import { type EnvPolicy, envForm, HIDE_ALL_ENV, hideEnv } from './redact-env.ts';
import { isMark, newTally, REDACTED, type Tally } from './redact-marks.ts';
import { isSecretKey, isSecretName } from './redact-names.ts';
import { redactNoEchoDefaults } from './redact-template.ts';
import { redactText } from './redact-text.ts';

type PlainObject = { [key: string]: Plain };

const NAME_KEYS = ['Key', 'key', 'Name', 'name', 'ParameterKey', 'ParameterName', 'OptionName'] as const;
const VALUE_KEYS = ['Value', 'value', 'ParameterValue', 'DefaultValue', 'Values', 'values'] as const;

const isTrue = (v: Plain | undefined): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** Text, or a list of texts: what a secret-named key's value may be replaced as a whole. */
const isText = (v: Plain): boolean =>
  (typeof v === 'string' && !v.startsWith('arn:')) || (Array.isArray(v) && v.every((e) => typeof e === 'string'));

/** Keys of an object whose values its siblings say are secret (a pair's value, a NoEcho default, an API key). */
function secretSiblings(o: PlainObject): Set<string> {
  const out = new Set<string>();
  const name = NAME_KEYS.map((k) => o[k]).find((v): v is string => typeof v === 'string');
  const noEcho = isTrue(o.NoEcho);
  for (const k of VALUE_KEYS) {
    if (!(k in o)) continue;
    if (noEcho && (k === 'ParameterValue' || k === 'DefaultValue') && o[k] !== '****') out.add(k);
    else if (name !== undefined && isSecretName(name)) out.add(k);
  }
  // API Gateway: an API key (`stageKeys`) or a usage plan's key (`type: API_KEY`) carries its value
  if ('value' in o && (o.type === 'API_KEY' || 'stageKeys' in o)) out.add('value');
  return out;
}

function redactString(s: string, key: string, tally: Tally): string {
  const text = /^templatebody$/i.test(key) || s.includes('NoEcho') ? redactNoEchoDefaults(s, tally) : s;
  return redactText(text, tally);
}

/**
 * A redacted copy of a plain result, and the tally of what was replaced (added to `tally` when given).
 * Environment variable values are hidden unless `env` shows them.
 */
export function redact(value: Plain, env: EnvPolicy = HIDE_ALL_ENV, tally: Tally = newTally()) {
  const walk = (v: Plain, key: string, parentKey: string): Plain => {
    if (typeof v === 'string') return redactString(v, key, tally);
    if (v === null || typeof v !== 'object') return v;
    const form = envForm(key, parentKey, v);
    if (form) {
      const hidden = hideEnv(form, v, env, tally) as Plain;
      return form === 'option-settings' && Array.isArray(hidden) ? hidden.map((e) => walk(e, '', key)) : hidden;
    }
    if (Array.isArray(v)) return v.map((e) => walk(e, '', key));
    const siblings = secretSiblings(v);
    const out: PlainObject = {};
    for (const [k, child] of Object.entries(v)) {
      if (child === null || child === '' || isMark(child)) {
        out[k] = child;
      } else if (isSecretKey(k) || siblings.has(k) || (isSecretName(k) && isText(child))) {
        tally.secrets++;
        out[k] = REDACTED;
      } else {
        out[k] = walk(child, k, key);
      }
    }
    return out;
  };
  return { value: walk(value, '', ''), tally };
}

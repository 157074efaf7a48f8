/**
 * Secrets inside free text (tags, descriptions, commands, templates, URLs, scripts, log lines): private
 * keys, credentials in URLs, provider tokens by their prefixes, JWTs, authorization headers, secret-named
 * `key=value` pairs (also JSON-escaped, HTML-escaped, XML elements and YAML block scalars) and
 * command-line flags, AWS secret keys, Azure keys. Each is replaced by REDACTED and counted; what is
 * around it (the key name, the URL's host, an access key id) is kept.
 *
 * Every pattern is linear in the text's length: it starts only where its first characters can (a
 * lookbehind stops a run from being retried at each of its positions), and what it repeats is bounded.
 */
import { COMMAND_OUTPUT_HIDDEN, isMark, REDACTED, type Tally } from './redact-marks.ts';
import { isSecretName } from './redact-names.ts';

type Replace = (match: string, ...groups: string[]) => string;

/** A pattern too long for one line, from its parts. */
const rx = (first: string, rest: readonly string[], flags = 'g'): RegExp =>
  new RegExp([first, ...rest].join(''), flags);

/** Keeps the prefix group(s) and redacts the rest of the match. */
const keep =
  (...indexes: number[]): Replace =>
  (_m, ...g) =>
    `${indexes.map((i) => g[i - 1] ?? '').join('')}${REDACTED}`;

/**
 * Values that say where a value comes from rather than hold it: CloudFormation dynamic references
 * (`{{resolve:secretsmanager:…}}`), API Gateway mapping expressions (`method.request.header.X`,
 * `context.authorizer.token`, `stageVariables.key`) and Step Functions paths (`$.password`). Never
 * secrets, whatever key they are under.
 */
export const isReference = (value: string): boolean => REFERENCE.test(value);

const REFERENCE = rx(
  String.raw`^(?:\{\{\s*resolve:[^}]*\}\}|`,
  [String.raw`(?:method\.request|context|stageVariables)\.[A-Za-z0-9_.$-]{1,200}|\$\$?\.\S{1,200})$`],
  '',
);

const MARK_TEXT = COMMAND_OUTPUT_HIDDEN.replace(/[*()]/g, '\\$&');

/** Values a secret-named key may hold that are not secrets: references, placeholders, flags. */
const NOT_A_SECRET = rx(
  String.raw`^(?:\*+REDACTED\*+|\*+HIDDEN BY POLICY\*+|${MARK_TEXT}|`,
  [
    String.raw`true|false|null|none|nil|undefined|yes|no|\*+|!\S*|`,
    String.raw`\{\{\s*resolve:.*|\$\{.*|\$[A-Za-z_(].*|%[A-Za-z_]+%|<[^>]*>|arn:.*|`,
    String.raw`(?:method\.request|context|stageVariables)\.[A-Za-z0-9_.$-]+)$`,
  ],
  'i',
);

/** A command-line flag naming a secret: `--password`, `--db-password`, `--api-key`, `--client-secret`. */
const SECRET_FLAG = rx(
  '(?:^-{1,2}|[-_])(?:password|passwd|pass|pwd|token|secret|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|',
  ['auth[-_]?token|private[-_]?key|client[-_]?secret)$'],
  'i',
);

/** Where each line of a text starts and ends, asked for positions in increasing order (linear in all). */
class Lines {
  private readonly text: string;
  private start = 0;
  private next: number;

  constructor(text: string) {
    this.text = text;
    this.next = text.indexOf('\n');
  }

  /** The start of the line holding `i` (no smaller than at the last call). */
  startOf(i: number): number {
    while (this.next !== -1 && this.next < i) {
      this.start = this.next + 1;
      this.next = this.text.indexOf('\n', this.start);
    }
    return this.start;
  }

  /** The end of the line holding `i`: its newline's index, or the text's length. */
  endOf(i: number): number {
    this.startOf(i);
    return this.next === -1 ? this.text.length : this.next;
  }
}

/** `key=value`, `key: value`, `"key": "value"`: the value is redacted when the key names a secret. */
const KEY_VALUE = rx(String.raw`(?<![A-Za-z0-9_.:/-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1([ \t]*[:=：＝][ \t]*)`, [
  String.raw`(?!\/\/)("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'&,;<>{}[\]()]+)`,
]);

/** What may start a line before a key that owns the rest of it: indentation, a list dash, `export`, `set`. */
const LINE_LEAD = /[ \t]*(?:- |export[ \t]+|set[ \t]+)?/y;
const TOKEN_REST = /[^\s"'<>]*/y;

/**
 * Where an unquoted secret value ends. Its pattern stops at `& , ;` so that a harmless key's value does
 * not swallow the pairs after it; a secret's value goes on: to the end of the line when the key starts
 * the line and a space surrounds the separator (`db_password = p@ss,w0rd;x`, YAML `password: a b c`,
 * a trailing ` # comment` kept), otherwise to the next space or quote (`Password=p;w,d;`), less any
 * closing punctuation (`password=x, user=y` keeps `, user=y`).
 */
function valueEnd(text: string, keyAt: number, valueAt: number, matchEnd: number, sep: string, lines: Lines): number {
  const lineStart = lines.startOf(keyAt);
  LINE_LEAD.lastIndex = lineStart;
  const lead = LINE_LEAD.exec(text)?.[0] ?? '';
  if (lineStart + lead.length === keyAt && /[ \t]/.test(sep)) {
    const lineEnd = lines.endOf(keyAt);
    const rest = text.slice(valueAt, lineEnd);
    const comment = /\s+#.*$/.exec(rest);
    const kept = comment ? rest.slice(0, comment.index) : rest;
    return valueAt + kept.trimEnd().length;
  }
  TOKEN_REST.lastIndex = matchEnd;
  let end = matchEnd + (TOKEN_REST.exec(text)?.[0].length ?? 0);
  while (end > matchEnd && /[)\]},;.]/.test(text[end - 1] ?? '')) end--;
  return end;
}

/** Every secret-named `key=value` pair in the text, its value redacted (see KEY_VALUE and valueEnd). */
function keyValues(text: string, tally: Tally): string {
  const re = new RegExp(KEY_VALUE.source, 'g');
  const lines = new Lines(text);
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [match, open = '', key = '', sep = '', value = ''] = m;
    if (!isSecretName(key)) continue;
    const quote = value.startsWith('"') || value.startsWith("'") ? (value[0] ?? '') : '';
    const valueAt = m.index + match.length - value.length;
    const end = quote ? m.index + match.length : valueEnd(text, m.index, valueAt, m.index + match.length, sep, lines);
    const bare = quote ? value.slice(1, -1) : text.slice(valueAt, end);
    if (bare.length < 3 || NOT_A_SECRET.test(bare) || NOT_A_SECRET.test(value)) continue;
    out += `${text.slice(last, m.index)}${open}${key}${open}${sep}${quote}${REDACTED}${quote}`;
    last = end;
    re.lastIndex = end;
    tally.secrets++;
  }
  return last === 0 && out === '' ? text : out + text.slice(last);
}

/** A YAML key on its own line: its value is the block scalar (`|`, `>`) or the more-indented lines after it. */
const YAML_KEY_LINE = rx(String.raw`^([ \t]*(?:- )?)(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\2[ \t]*[:：]`, [
  String.raw`[ \t]*([|>][-+0-9]{0,2})?[ \t]*(?:#[^\r\n]*)?\r?$`,
]);

/** A line that opens a mapping entry (`key:`, `- key: v`): nested structure, whose keys are judged each. */
const MAPPING_LINE = /^[ \t]*(?:- )?(?:"[^"]*"|'[^']*'|[^\s:#'"][^:]*)[ \t]*:(?:[ \t]|$)/;

/** `password: |` and `password:` followed by the secret on the lines below (YAML, in logs and documents). */
function yamlBlocks(text: string, tally: Tally): string {
  if (!text.includes('\n')) return text;
  const re = new RegExp(YAML_KEY_LINE.source, 'gm');
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, lead = '', quote = '', key = '', indicator] = m;
    if (!isSecretName(key)) continue;
    let pos = m.index + m[0].length;
    if (text[pos - 1] === '\r') pos--;
    let end = -1;
    let first: string | undefined;
    while (text[pos] === '\n' || (text[pos] === '\r' && text[pos + 1] === '\n')) {
      const from = text.indexOf('\n', pos) + 1;
      const next = text.indexOf('\n', from);
      const lineEnd = next === -1 ? text.length : next;
      const line = text.slice(from, lineEnd).replace(/\r$/, '');
      pos = lineEnd;
      if (line.trim() === '') continue;
      if (line.length - line.trimStart().length <= lead.length) break;
      if (first === undefined && indicator === undefined && MAPPING_LINE.test(line)) break;
      first ??= line.trim();
      end = lineEnd;
    }
    if (first === undefined || end < 0 || (indicator === undefined && NOT_A_SECRET.test(first))) continue;
    out += `${text.slice(last, m.index)}${lead}${quote}${key}${quote}: ${REDACTED}`;
    last = end;
    re.lastIndex = end;
    tally.secrets++;
  }
  return last === 0 && out === '' ? text : out + text.slice(last);
}

/** A secret-named pair whose quotes are escaped: `\"password\":\"x\"` (JSON in JSON), `&quot;…&quot;` (HTML). */
const ESCAPED_PAIR = rx(
  String.raw`(\\{1,7}"|&quot;|&#0{0,3}34;|&#[xX]0{0,2}22;|&apos;|&#0{0,3}39;)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1`,
  [String.raw`([ \t]{0,10}[:=：][ \t]{0,10})\1((?:(?!\1)[^\r\n]){1,4000})\1`],
);

/** An XML element named like a secret: `<password>x</password>`, `<SecretKey>…</SecretKey>`, CDATA too. */
const XML_ELEMENT = rx(String.raw`<([A-Za-z_][A-Za-z0-9_.:-]{0,80})(\s[^<>]{0,500})?>`, [
  String.raw`(?:<!\[CDATA\[([^\]]{1,4000})\]\]>|([^<]{1,4000}))</\1>`,
]);
const XML_ESCAPED_ELEMENT = rx(String.raw`&lt;([A-Za-z_][A-Za-z0-9_.:-]{0,80})(\s(?:(?!&[lg]t;)[^<>]){0,500})?&gt;`, [
  String.raw`((?:(?!&lt;)[^<]){1,4000})&lt;/\1&gt;`,
]);

/** Redacts an element's text (or CDATA) when its local name is secret-looking. */
const xmlElement =
  (lt: string, gt: string): Replace =>
  (m, tag = '', attrs = '', ...texts) => {
    const value = texts.join('').trim();
    if (!isSecretName(tag.replace(/^.*:/, '')) || value.length < 3 || NOT_A_SECRET.test(value)) return m;
    return `${lt}${tag}${attrs}${gt}${REDACTED}${lt}/${tag}${gt}`;
  };

/** A base64 blob that decodes to a PEM private key (kubeconfig `client-key-data`, Helm values). */
function base64Pem(match: string): string {
  const decoded = Buffer.from(match.replace(/\s/g, ''), 'base64').toString('latin1');
  return /PRIVATE KEY/.test(decoded) ? REDACTED : match;
}

/** Provider credentials recognised by their prefix. */
const PROVIDER_TOKENS = [
  'xox[a-z](?:\\.xox[a-z])?-[A-Za-z0-9-]{10,}', // Slack bot/user/app-config tokens
  'xapp-[A-Za-z0-9-]{10,}', // Slack app-level token
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub tokens
  'github_pat_[A-Za-z0-9_]{30,}', // GitHub fine-grained token
  'gl(?:pat|dt|rt|ptt|soat|cbt|imt|oas|ft|ffct|agent|cd)-[A-Za-z0-9_-]{20,}', // GitLab tokens
  'GR1348941[A-Za-z0-9_-]{20,}', // GitLab runner registration token
  '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe secret and restricted keys
  'whsec_[A-Za-z0-9]{20,}', // Stripe webhook signing secret
  'sk-[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic (sk-ant-…), DeepSeek and the like
  'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
  'AIza[0-9A-Za-z_-]{35}', // Google API key
  'GOCSPX-[A-Za-z0-9_-]{20,}', // Google OAuth client secret
  'ya29\\.[0-9A-Za-z_-]{20,}', // Google OAuth access token
  '1//0[0-9A-Za-z_-]{30,}', // Google OAuth refresh token
  'SK[0-9a-fA-F]{32}', // Twilio API key
  'key-[0-9a-zA-Z]{32}', // Mailgun (legacy)
  '[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}', // Mailgun
  'npm_[A-Za-z0-9]{36}', // npm
  'pypi-[A-Za-z0-9_-]{50,}', // PyPI
  'hv[sbr]\\.[A-Za-z0-9_-]{24,}', // HashiCorp Vault
  'hf_[A-Za-z0-9]{30,}', // Hugging Face
  'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean
  'shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}', // Shopify
  'ATATT3[A-Za-z0-9_=-]{50,}', // Atlassian API token
  'lin_api_[A-Za-z0-9]{40}', // Linear
  'PMAK-[0-9a-f]{24}-[0-9a-f]{34}', // Postman
  'NR(?:AK|II|JS|RA|RI|SP)-[A-Za-z0-9]{20,}', // New Relic
  '(?:secret|ntn)_[A-Za-z0-9]{40,}', // Notion
  'sq0(?:atp|csp)-[A-Za-z0-9_-]{20,}', // Square
  'dp\\.(?:st|pt|ct|sa|scim|audit)\\.(?:[a-z0-9_-]+\\.)?[A-Za-z0-9_-]{20,}', // Doppler
  'pul-[a-f0-9]{40}', // Pulumi
  '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_-]{60,}', // Terraform Cloud
  'sk\\.eyJ[A-Za-z0-9_.-]{20,}', // Mapbox secret token
  'HRKU-[A-Za-z0-9_-]{20,}', // Heroku
  'dapi[a-f0-9]{32}', // Databricks
  'gl(?:sa|c)_[A-Za-z0-9+/_]{32,}', // Grafana
  'sntry[su]_[A-Za-z0-9+/=_]{20,}', // Sentry auth tokens
  'bkua_[a-f0-9]{40}', // Buildkite
  'CCIPAT_[A-Za-z0-9_]{20,}', // CircleCI
  'AGE-SECRET-KEY-1[0-9A-Z]{50,}', // age
  '\\d{8,10}:AA[A-Za-z0-9_-]{33}', // Telegram bot token
  // JWT (and JWE): base64url JSON header and payload
  'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+){0,2}',
];

/** A step of the net: a pattern and its replacement, or a function for what one pattern cannot say. */
type Step = readonly [RegExp, Replace] | ((text: string, tally: Tally) => string);

/** [pattern, replacement] or a function, applied in order; each replacement that changes text is counted. */
const STEPS: readonly Step[] = [
  // PEM private keys, any kind (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ... BLOCK, SSH2), cut off or whole
  [
    rx(String.raw`-{4,5} ?BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}[\s\S]*?`, [
      '(?:-{4,5} ?END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}|$)',
    ]),
    () => REDACTED,
  ],
  [/PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC:\s*[0-9a-fA-F]+|$)/g, () => REDACTED],
  // a private key's DER body without its PEM lines (PKCS#1/#8 version 0, SEC1 EC keys)
  [
    rx('(?<![A-Za-z0-9+/])(?:MII[A-Za-z0-9+/]{3}IBA[AD]|MH[A-Za-z0-9+/]CAQEE|MIG[A-Za-z0-9+/]AgE[AB]|MC4CAQAw)', [
      String.raw`[A-Za-z0-9+/=\s]{40,}`,
    ]),
    () => REDACTED,
  ],
  [/(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/=]{40,}/g, base64Pem],
  // presigned URLs (S3, GCS)
  [/((?:X-Amz-(?:Signature|Credential|Security-Token)|X-Goog-(?:Signature|Credential))=)[^&\s"']+/gi, keep(1)],
  // Slack, Discord and Microsoft Teams webhooks: the path is the credential
  [/(https:\/\/hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/gi, keep(1)],
  [
    /(https:\/\/(?:(?:canary|ptb)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/)[0-9]+\/[A-Za-z0-9_-]+/gi,
    keep(1),
  ],
  [/(https:\/\/(?:[a-z0-9-]+\.)?(?:webhook\.office\.com|outlook\.office(?:365)?\.com)\/)webhook[^\s"'<>]+/gi, keep(1)],
  // secrets in URL query strings (Azure SAS sig, Google key, OAuth tokens)
  [
    rx(
      '([?&;](?:sig|signature|token|access_token|id_token|refresh_token|api[_-]?key|key|secret|',
      [String.raw`client_secret|password|passwd|pwd|auth|code)=)([^&\s"'#]+)`],
      'gi',
    ),
    (m, k = '', v = '') => (isMark(v) ? m : `${k}${REDACTED}`),
  ],
  // a password in a URL: scheme://user:password@host (user may be empty: redis://:pw@host)
  [
    /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/[^:/?#\s"'@]{0,256}:)([^\s"'/?#]+)(@)/gi,
    (m, a = '', p = '', c = '') => (isMark(p) ? m : `${a}${REDACTED}${c}`),
  ],
  // a token as the URL's user: https://<token>@host (Sentry DSN, git over https)
  [
    /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([A-Za-z0-9_-]{20,})(@)/gi,
    (_m, a = '', _t, c = '') => `${a}${REDACTED}${c}`,
  ],
  // (not after a token character, so a run of them is tried once, not from every position)
  [new RegExp(`(?<![A-Za-z0-9_.-])(?:${PROVIDER_TOKENS.join('|')})`, 'g'), () => REDACTED],
  // Authorization-like headers: everything after the scheme word, to the end of the line or quote
  [
    rx(
      String.raw`\b((?:proxy-)?authorization|x-api-key|x-auth-token|x-access-token|private-token|x-vault-token|`,
      [
        String.raw`x-amz-security-token|cookie|set-cookie)(\\{0,3}["']?\s*[:=]\s*(?:\\{0,3}["']){0,2}\[?)`,
        String.raw`((?:bearer|basic|token|digest|negotiate|bot|apikey|sso-key)\s+)?([^"'\s\\{[][^"'\r\n\\]*)`,
      ],
      'gi',
    ),
    (m, h = '', sep = '', scheme = '', v = '') =>
      isMark(v.trim()) || isReference(v.trim()) ? m : `${h}${sep}${scheme}${REDACTED}`,
  ],
  [/\b(Bearer\s+)([A-Za-z0-9._~+/=-]{12,})/g, keep(1)],
  // command-line flags: --password x, --db-password=x, --api-key x (the flag's name decides)
  [
    /(?<![A-Za-z0-9_-])(--?[A-Za-z0-9][A-Za-z0-9_-]{0,80})(=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g,
    (m, f = '', sep = '', v = '') =>
      !SECRET_FLAG.test(f) || isMark(v) || NOT_A_SECRET.test(v) ? m : `${f}${sep}${REDACTED}`,
  ],
  [/(\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n|;&]{0,200}?\s-p)([^\s-][^\s]*)/g, keep(1)],
  [/(\bsshpass\s+-p\s*)("[^"]*"|'[^']*'|\S+)/g, keep(1)],
  [/(\bdocker\s+login\b[^\n|;&]{0,200}?\s-p\s+)(\S+)/g, keep(1)],
  [/((?:^|\s)(?:-u|--user)\s+["']?[^\s:"']+:)([^\s"']+)/g, keep(1)],
  // secret-named pairs: XML elements, escaped quotes (JSON in JSON, HTML), YAML blocks, key=value
  [XML_ELEMENT, xmlElement('<', '>')],
  [XML_ESCAPED_ELEMENT, xmlElement('&lt;', '&gt;')],
  [
    ESCAPED_PAIR,
    (m, q = '', key = '', sep = '', value = '') =>
      !isSecretName(key) || value.length < 3 || NOT_A_SECRET.test(value)
        ? m
        : `${q}${key}${q}${sep}${q}${REDACTED}${q}`,
  ],
  yamlBlocks,
  keyValues,
  // an AWS secret access key next to its access key id (the id alone is an identifier, kept)
  [/\b((?:AKIA|ASIA)[A-Z0-9]{16})(["']?[\s:,;|/=]{1,5}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/g, keep(1, 2)],
  // an AWS secret access key alone: 40 base64 characters mixing upper and lower case and digits
  [
    rx('(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])', [
      '[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])',
    ]),
    () => REDACTED,
  ],
  // an Azure storage account key alone: 64 bytes in base64 (a SHA-512 digest is as long: not after sha512)
  [
    rx('(?<![A-Za-z0-9+/=])(?<![Ss][Hh][Aa]-?512[-:=])(?=[A-Za-z0-9+/]{0,85}[A-Z])', [
      '(?=[A-Za-z0-9+/]{0,85}[a-z])(?=[A-Za-z0-9+/]{0,85}[0-9])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])',
    ]),
    () => REDACTED,
  ],
  // an Azure AD (Entra ID) client secret: three characters, a digit, `Q~`, then 30 to 40 more
  [/(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{30,40}(?![A-Za-z0-9_~.-])/g, () => REDACTED],
];

/** The text with every secret found replaced by REDACTED; each replacement counted in `tally.secrets`. */
export function redactText(text: string, tally: Tally): string {
  if (isMark(text)) return text;
  let out = text;
  for (const step of STEPS) {
    if (typeof step === 'function') {
      out = step(out, tally);
      continue;
    }
    const [re, replace] = step;
    out = out.replace(re, (...args: unknown[]) => {
      const match = String(args[0]);
      const groups = args.slice(1, -2).map((g) => (typeof g === 'string' ? g : ''));
      const replaced = replace(match, ...groups);
      if (replaced !== match) tally.secrets++;
      return replaced;
    });
  }
  return out;
}

/**
 * Secrets inside free text (tags, descriptions, commands, templates, URLs, scripts): private keys,
 * credentials in URLs, provider tokens by their prefixes, JWTs, authorization headers, secret-named
 * `key=value` pairs and command-line flags, AWS secret keys. Each is replaced by REDACTED and
 * counted; what is around it (the key name, the URL's host, an access key id) is kept.
 */
import { isMark, REDACTED, type Tally } from './redact-marks.ts';
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

/** Values a secret-named key may hold that are not secrets: references, placeholders, flags. */
const NOT_A_SECRET = rx(
  String.raw`^(?:\*+REDACTED\*+|\*+HIDDEN BY POLICY\*+|true|false|null|none|nil|undefined|yes|no|\*+|!\S*|`,
  [String.raw`\{\{\s*resolve:.*|\$\{.*|\$[A-Za-z_(].*|%[A-Za-z_]+%|<[^>]*>|arn:.*)$`],
  'i',
);

/** A command-line flag naming a secret: `--password`, `--db-password`, `--api-key`, `--client-secret`. */
const SECRET_FLAG = rx(
  '(?:^-{1,2}|[-_])(?:password|passwd|pass|pwd|token|secret|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|',
  ['auth[-_]?token|private[-_]?key|client[-_]?secret)$'],
  'i',
);

/** `key=value`, `key: value`, `"key": "value"`: redacts the value when the key names a secret. */
function keyValue(match: string, open = '', key = '', sep = '', value = ''): string {
  if (!isSecretName(key)) return match;
  const bare = value.replace(/^["']|["']$/g, '');
  if (bare.length < 3 || NOT_A_SECRET.test(bare)) return match;
  const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
  return `${open}${key}${open}${sep}${quote}${REDACTED}${quote}`;
}

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

/** [pattern, replacement], applied in order; each replacement that changes text is counted. */
const PATTERNS: readonly (readonly [RegExp, Replace])[] = [
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
        String.raw`x-amz-security-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)`,
        String.raw`((?:bearer|basic|token|digest|negotiate|bot|apikey|sso-key)\s+)?([^"'\r\n]+)`,
      ],
      'gi',
    ),
    (m, h = '', sep = '', scheme = '', v = '') => (isMark(v.trim()) ? m : `${h}${sep}${scheme}${REDACTED}`),
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
  // key=value / key: value / "key": "value" with a secret-looking key (DB_PW=…, "password": "…")
  [
    rx(String.raw`(?<![A-Za-z0-9_.:/-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1([ \t]*[:=][ \t]*)(?!\/\/)`, [
      String.raw`("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'&,;<>{}[\]()]+)`,
    ]),
    keyValue,
  ],
  // an AWS secret access key next to its access key id (the id alone is an identifier, kept)
  [/\b((?:AKIA|ASIA)[A-Z0-9]{16})(["']?[\s:,;|/=]{1,5}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/g, keep(1, 2)],
  // an AWS secret access key alone: 40 base64 characters mixing upper and lower case and digits
  [
    rx('(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])', [
      '[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])',
    ]),
    () => REDACTED,
  ],
];

/** The text with every secret found replaced by REDACTED; each replacement counted in `tally.secrets`. */
export function redactText(text: string, tally: Tally): string {
  if (isMark(text)) return text;
  let out = text;
  for (const [re, replace] of PATTERNS) {
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

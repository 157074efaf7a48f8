/**
 * Names that mark a secret: response keys whose whole value is always a secret, and a word-based test
 * for variable, parameter and key names (`DB_PW`, `MasterUserPassword`, `STRIPE_KEY`, `x-api-key`)
 * that leaves identifiers alone (`SecretArn`, `PasswordLastUsed`, `NextToken`, `KeyName`).
 */

/** Keys (compared lower-case, letters and digits only) whose values always carry secrets, whole. */
const SECRET_KEYS = new Set([
  'secretaccesskey',
  'sessiontoken',
  'secretstring',
  'secretbinary',
  'authorizationtoken',
  'password',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'clientsecret',
  'keymaterial',
  'privatekey',
  'sharedsecret',
  'dbpassword',
  'masteruserpassword',
  'plaintext',
  'privatekeyplaintext',
  'passworddata',
  'userdata',
  'authtoken',
  'secretkey',
  'privatekeypem',
  'keypairmaterial',
  'credentials',
  'securitytoken',
  'bearertoken',
  'webhooksecret',
  'tokenvalue',
  'secretvalue',
  'headervalue',
  'base32stringseed',
  'qrcodepng',
  'presharedkey',
  'randompassword',
  'uploadpolicysignature',
  'repositorycredentials',
  'smtppassword',
  'connectionstring',
]);

/** True when a response key's whole value (any type) is a secret: `SecretAccessKey`, `UserData`, `HeaderValue`. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Words of a name: `MasterUserPassword` → master user password; `DB_PW` → db pw; `X-Api-Key` → x api key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Endings (in words) that make a name secret: `DB_PASSWORD`, `SLACK_BOT_TOKEN`, `SECRET_ACCESS_KEY`. */
const SECRET_ENDINGS: readonly (readonly string[])[] = [
  'password passwd passphrase pwd pw pass secret secrets token tokens credential credentials creds apikey apitoken',
  'auth dsn cookie cookies webhook privatekey presharedkey connstr connectionstring seed otp pin salt pat sig',
  'signature bearer jwt totp hmac secretkey accesskey signingkey encryptionkey masterkey htpasswd',
]
  .flatMap((line) => line.split(' '))
  .map((w) => [w])
  .concat(
    [
      'webhook url',
      'hook url',
      'private key',
      'api key',
      'secret key',
      'access key',
      'signing key',
      'encryption key',
      'master key',
      'session key',
      'license key',
      'account key',
      'shared key',
      'auth key',
      'app key',
      'application key',
      'client key',
      'key data',
      'connection string',
      'conn string',
      'connection str',
      'conn str',
      'api secret',
      'shared access signature',
      'auth header',
      'authorization header',
      'basicauth users',
      'basic auth users',
    ].map((p) => p.split(' ')),
  );

/** A name ending in one of these words names something about a secret, not the secret itself. */
const IDENTIFIER_ENDINGS = new Set(
  (
    'arn arns id ids identifier name names url uri urls endpoint path file length ttl expiry expiration expires ' +
    'expired policy policies region version versions enabled disabled type types count age date time timestamp at ' +
    'status state rotation rotated reset used required prevention list hint mode method format source location ' +
    'provider stage stages store manager ref reference bucket prefix suffix size min max days seconds minutes hours ' +
    'duration interval timeout validity units configured algorithm spec usage origin scope scopes issuer audience ' +
    'field fields length complexity strength rules rule lifetime last changed created updated'
  ).split(' '),
);

/** Tokens that page, deduplicate or track changes: `NextToken`, `ClientRequestToken`, `nextForwardToken`. */
const HARMLESS_TOKEN_WORDS = new Set(
  (
    'next continuation pagination page client idempotency sync starting start marker request resume change upload ' +
    'cancel sequence forward backward result purchase registration'
  ).split(' '),
);

/** Names that look secret but are settings or paths: EC2's `HttpTokens` (IMDSv2), RDS's `IAMAuth`, `PWD`. */
const NOT_SECRET_NAMES = new Set(['http tokens', 'iam auth', 'serve signature', 'pwd']);

const endsWith = (words: readonly string[], ending: readonly string[]): boolean =>
  ending.length <= words.length && ending.every((w, i) => words[words.length - ending.length + i] === w);

/**
 * Words that qualify a name without changing what it names, stripped from its end before the test:
 * versions and numbers (`_V2`, `_2`), age (`_OLD`, `_PREV`), environment (`_PROD`, `_STAGING`), copies
 * (`_BACKUP`) and encodings (`_B64`, `_PEM`, `_HEX`). `APP_TOKEN_V2` is a token as `APP_TOKEN` is.
 */
const QUALIFIER = new RegExp(
  [
    '^(?:v?\\d+|old|new|prev|previous|current|curr|prod|production|dev|development|staging|stg|test|qa|uat',
    '|backup|bak|b64|base64|pem|der|hex|raw|enc|encoded|primary|secondary|tmp|temp)$',
  ].join(''),
);

/** The same qualifiers at the end of a raw name, each after a separator: `STRIPE_KEY_OLD` → `STRIPE_KEY`. */
const RAW_QUALIFIERS = new RegExp(`(?:[-_.](?:${QUALIFIER.source.slice(4, -2)}))+$`, 'i');

/** API Gateway request parameter mappings: `integration.request.header.Authorization` names the header. */
const APIGW_PARAMETER =
  /^integration\.request\.(?:header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$/i;

/**
 * True when a name says its value is a secret: it ends in a secret word or phrase (`DB_PW`,
 * `MY_SECRET`, `SECRET_ACCESS_KEY`, `apiKey`, `x-auth-token`, `HMAC`), holds `password`/`secret`/
 * `credentials` anywhere and does not end in an identifier word (`SECRET_KEY_BASE` yes, `SecretArn`
 * no), is a glued word ending in one (`PGPASSWORD`, `APP_SECRETKEY`), or ends in a separated `_KEY`
 * (`STRIPE_KEY`, not `TagKey`). Qualifiers at the end do not hide it (`APP_API_KEY_OLD`, `TOKEN_V2`,
 * `ENCRYPTION_KEY_B64`); identifier words still win (`TOKEN_EXPIRY_SECONDS`, `KEY_NAME`, `SECRET_VERSION`
 * are not secrets). Paging and idempotency tokens (`NextToken`, `ClientToken`) are not secrets. An API
 * Gateway mapping key is secret when its header is (`integration.request.header.Authorization`).
 */
export function isSecretName(name: string): boolean {
  const parameter = APIGW_PARAMETER.exec(name)?.[1];
  if (parameter !== undefined) return /^(?:proxy-)?authorization$/i.test(parameter) || isSecretName(parameter);
  const all = nameWords(name);
  let end = all.length;
  while (end > 1 && QUALIFIER.test(all[end - 1] ?? '')) end--;
  const words = all.slice(0, end);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (NOT_SECRET_NAMES.has(words.join(' '))) return false;
  if ((last === 'token' || last === 'tokens') && words.slice(0, -1).some((w) => HARMLESS_TOKEN_WORDS.has(w))) {
    return false;
  }
  if (SECRET_ENDINGS.some((e) => endsWith(words, e))) return true;
  if (IDENTIFIER_ENDINGS.has(last)) return false;
  if (all.some((w) => w === 'password' || w === 'passwd' || w === 'secret' || w === 'credentials')) return true;
  if (
    /^(?!next|continuation|pagination|client|idempotency|sync|start)[a-z0-9]*(password|passwd|secret|token)$/.test(last)
  ) {
    return true;
  }
  return words.length > 1 && /[-_.]key$/i.test(name.replace(RAW_QUALIFIERS, ''));
}

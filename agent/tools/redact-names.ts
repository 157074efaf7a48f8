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
  'signature bearer jwt totp',
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
 * True when a name says its value is a secret: it ends in a secret word or phrase (`DB_PW`,
 * `MY_SECRET`, `SECRET_ACCESS_KEY`, `apiKey`, `x-auth-token`), holds `password`/`secret`/`credentials`
 * anywhere and does not end in an identifier word (`SECRET_KEY_BASE` yes, `SecretArn` no), is a glued
 * word ending in one (`PGPASSWORD`), or ends in a separated `_KEY` (`STRIPE_KEY`, not `TagKey`).
 * Paging and idempotency tokens (`NextToken`, `ClientToken`) are not secrets.
 */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (NOT_SECRET_NAMES.has(words.join(' '))) return false;
  if ((last === 'token' || last === 'tokens') && words.slice(0, -1).some((w) => HARMLESS_TOKEN_WORDS.has(w))) {
    return false;
  }
  if (SECRET_ENDINGS.some((e) => endsWith(words, e))) return true;
  if (IDENTIFIER_ENDINGS.has(last)) return false;
  if (words.some((w) => w === 'password' || w === 'passwd' || w === 'secret' || w === 'credentials')) return true;
  if (
    /^(?!next|continuation|pagination|client|idempotency|sync|start)[a-z0-9]*(password|passwd|secret|token)$/.test(last)
  ) {
    return true;
  }
  return words.length > 1 && /[-_.]key$/i.test(name);
}

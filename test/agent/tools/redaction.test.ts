/**
 * The name and pattern net (agent/tools/redact.ts) and environment values: 160+ secret shapes, each
 * in the context AWS data carries it (a log line, a tag, a command, a template, an environment, a
 * response key, JSON or YAML inside a string, a change set, an API Gateway mapping), go through
 * redaction with zero leaks; ordinary identifiers, ARNs, names, dates, hashes and references come
 * through unchanged; SSM command output is never shown; AWS error messages are redacted; environment
 * values are hidden by default with names kept, shown for allowlisted names, and a malformed allowlist
 * is a settings problem.
 */
import { describe, expect, it } from 'vitest';
import { explainError } from '../../../agent/tools/explain-error.ts';
import type { Plain } from '../../../agent/tools/output.ts';
import { redact } from '../../../agent/tools/redact.ts';
import { envPolicy } from '../../../agent/tools/redact-env.ts';
import { COMMAND_OUTPUT_HIDDEN, ENV_HIDDEN, REDACTED } from '../../../agent/tools/redact-marks.ts';
import { isSecretName } from '../../../agent/tools/redact-names.ts';
import { readToolSettings, settingsFromEnv } from '../../../agent/tools/settings.ts';
import { findService, type ServiceInfo } from '../../../common/aws-services.ts';
import { ConfigError } from '../../../common/errors.ts';
import { SettingsReader } from '../../../common/settings.ts';

/** Deterministic pseudo-random secrets (mulberry32), so a failure names the same secret every run. */
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, n: number): string =>
  Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const alnum = (n: number) => pick(ALNUM, n);
const hex = (n: number) => pick('0123456789abcdef', n);
const upperDigits = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n);
const b64 = (n: number) => pick(`${ALNUM}+/`, n);
const b64url = (n: number) => pick(`${ALNUM}-_`, n);
const base64 = (s: string) => Buffer.from(s).toString('base64');
const pemBody = () => Array.from({ length: 6 }, () => b64(64)).join('\n');

interface Shape {
  readonly name: string;
  /** A response (or part of one) carrying the secret as AWS would. */
  readonly value: Plain;
  /** What must not come through: the secret, or each part of it. */
  readonly secrets: readonly string[];
}

/** One shape whose secret is built once and placed with `place`. */
const shape = (name: string, secret: string, place: (s: string) => Plain): Shape => ({
  name,
  value: place(secret),
  secrets: [secret],
});
const inLog = (name: string, secret: string, line: (s: string) => string): Shape =>
  shape(name, secret, (s) => ({ events: [{ timestamp: 1767225600000, message: line(s) }] }));

const jwt = () =>
  `${base64('{"alg":"HS256","typ":"JWT"}').replace(/=+$/, '')}.` +
  `${base64(`{"sub":"${alnum(10)}","exp":1767225600}`).replace(/=+$/, '')}.${b64url(43)}`;

const SHAPES: readonly Shape[] = [
  // connection strings and URLs with credentials
  inLog('redis URL, empty user', alnum(24), (s) => `connecting to redis://:${s}@cache.internal:6379/0`),
  inLog('rediss URL with user', alnum(24), (s) => `cache=rediss://default:${s}@cache.internal:6380`),
  inLog('mongodb+srv URL', alnum(24), (s) => `MONGO mongodb+srv://app:${s}@cluster0.ab1cd.mongodb.net/db?w=majority`),
  inLog('postgres URL', alnum(20), (s) => `db postgres://app:${s}@db.internal:5432/app`),
  inLog('postgresql URL with options', alnum(20), (s) => `postgresql://app:${s}@db:5432/app?sslmode=require`),
  inLog('mysql URL', alnum(20), (s) => `url mysql://root:${s}@10.0.1.5:3306/shop`),
  inLog('amqps URL', alnum(20), (s) => `broker amqps://svc:${s}@mq.internal:5671/vhost`),
  inLog('https basic auth in URL', alnum(20), (s) => `git clone https://deploy:${s}@git.example.com/app.git`),
  inLog('ftp URL with password', alnum(16), (s) => `upload ftp://ops:${s}@files.example.com/in`),
  inLog('JDBC URL password parameter', alnum(18), (s) => `jdbc:mysql://db:3306/app?user=app&password=${s}`),
  inLog('ADO.NET connection string', alnum(18), (s) => `Server=db;Database=app;User Id=sa;Password=${s};`),
  inLog(
    'Azure storage connection string',
    `${b64(86)}==`,
    (s) => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${s};EndpointSuffix=core.windows.net`,
  ),
  inLog('Azure SAS URL signature', b64url(43), (s) => `https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=${s}`),
  inLog('Sentry DSN key', hex(32), (s) => `SENTRY https://${s}@o123456.ingest.sentry.io/7654321`),
  // provider keys and tokens by prefix
  inLog('Stripe sk_live_', `sk_live_${alnum(28)}`, (s) => `charging with ${s}`),
  inLog('Stripe rk_live_', `rk_live_${alnum(28)}`, (s) => `restricted key ${s} loaded`),
  inLog('Stripe sk_test_', `sk_test_${alnum(28)}`, (s) => `test mode: ${s}`),
  inLog('Stripe whsec_', `whsec_${alnum(32)}`, (s) => `verifying with ${s}`),
  inLog('SendGrid SG.', `SG.${b64url(22)}.${b64url(43)}`, (s) => `mail via ${s}`),
  inLog('GitHub github_pat_', `github_pat_${alnum(22)}_${alnum(59)}`, (s) => `cloning with ${s}`),
  inLog('GitHub ghp_', `ghp_${alnum(36)}`, (s) => `token ${s}`),
  inLog('GitHub gho_', `gho_${alnum(36)}`, (s) => `oauth ${s}`),
  inLog('GitHub ghs_', `ghs_${alnum(36)}`, (s) => `app installation ${s}`),
  inLog('Slack xoxb-', `xoxb-${hex(12)}-${hex(13)}-${alnum(24)}`, (s) => `bot ${s}`),
  inLog('Slack xoxp-', `xoxp-${hex(12)}-${hex(12)}-${hex(13)}-${hex(32)}`, (s) => `user ${s}`),
  inLog('Slack xapp-', `xapp-1-A${upperDigits(10)}-${hex(13)}-${hex(64)}`, (s) => `socket ${s}`),
  inLog(
    'Slack incoming webhook URL',
    `T${upperDigits(8)}/B${upperDigits(10)}/${alnum(24)}`,
    (s) => `posting to https://hooks.slack.com/services/${s}`,
  ),
  inLog(
    'Discord webhook URL',
    `${hex(18).replace(/[a-f]/g, '7')}/${b64url(68)}`,
    (s) => `notify https://discord.com/api/webhooks/${s}`,
  ),
  inLog(
    'Microsoft Teams webhook URL',
    `${hex(8)}-${hex(4)}-${hex(4)}@${hex(8)}/IncomingWebhook/${hex(32)}/${hex(8)}`,
    (s) => `teams https://contoso.webhook.office.com/webhookb2/${s}`,
  ),
  inLog('OpenAI sk-proj-', `sk-proj-${b64url(48)}`, (s) => `OPENAI ${s}`),
  inLog('Anthropic sk-ant-', `sk-ant-api03-${b64url(93)}AA`, (s) => `claude key ${s}`),
  inLog('Google API key AIza', `AIza${b64url(35)}`, (s) => `maps https://maps.googleapis.com/x?key=${s}&q=1`),
  inLog('Google OAuth client secret', `GOCSPX-${b64url(28)}`, (s) => `oauth client ${s}`),
  inLog('Google OAuth access token', `ya29.${b64url(60)}`, (s) => `gcp ${s}`),
  inLog('Twilio API key SK', `SK${hex(32)}`, (s) => `twilio key ${s}`),
  inLog('Twilio auth token by name', hex(32), (s) => `TWILIO_AUTH_TOKEN=${s} ./send-sms`),
  inLog('Mailgun key-', `key-${hex(32)}`, (s) => `mailgun ${s}`),
  inLog('npm token', `npm_${alnum(36)}`, (s) => `//registry.npmjs.org/:_authToken=${s}`),
  inLog('PyPI token', `pypi-AgEIcHlwaS5vcmc${b64url(60)}`, (s) => `twine upload -p ${s}`),
  inLog('GitLab glpat-', `glpat-${b64url(20)}`, (s) => `gitlab ${s}`),
  inLog('HashiCorp Vault hvs.', `hvs.${b64url(90)}`, (s) => `vault login ${s}`),
  inLog('Datadog API key by name', hex(32), (s) => `DD_API_KEY=${s} datadog-agent run`),
  shape('Datadog app key in a tag', hex(40), (s) => ({ Tags: [{ Key: 'DD_APP_KEY', Value: s }] })),
  inLog('Hugging Face hf_', `hf_${alnum(34)}`, (s) => `hub ${s}`),
  inLog('DigitalOcean dop_v1_', `dop_v1_${hex(64)}`, (s) => `doctl ${s}`),
  inLog('Shopify shpat_', `shpat_${hex(32)}`, (s) => `shop ${s}`),
  inLog('Atlassian ATATT3', `ATATT3${b64url(180)}`, (s) => `jira ${s}`),
  inLog('New Relic NRAK-', `NRAK-${upperDigits(27)}`, (s) => `newrelic ${s}`),
  inLog('Telegram bot token', `${hex(10).replace(/[a-f]/g, '3')}:AA${b64url(33)}`, (s) => `bot ${s} polling`),
  inLog('Doppler dp.st.', `dp.st.prd.${alnum(43)}`, (s) => `doppler ${s}`),
  inLog('age secret key', `AGE-SECRET-KEY-1${upperDigits(58)}`, (s) => `backup ${s}`),
  inLog('Linear lin_api_', `lin_api_${alnum(40)}`, (s) => `linear ${s}`),
  inLog('Databricks dapi', `dapi${hex(32)}`, (s) => `databricks ${s}`),
  // JWTs and HTTP headers
  inLog('JWT', jwt(), (s) => `session ${s} issued`),
  inLog('Authorization: Bearer JWT', jwt(), (s) => `GET /repos with Authorization: Bearer ${s}`),
  inLog('Authorization: Bearer opaque', alnum(40), (s) => `curl -H "Authorization: Bearer ${s}" https://api.x`),
  inLog('Authorization: Basic', base64(`svc:${alnum(16)}`), (s) => `Authorization: Basic ${s}`),
  inLog('Authorization: token', alnum(40), (s) => `{"Authorization":"token ${s}"}`),
  inLog('x-api-key header', alnum(40), (s) => `{"x-api-key":"${s}","accept":"json"}`),
  inLog('Cookie header', alnum(32), (s) => `Cookie: session=${s}; theme=dark`),
  // private keys
  inLog(
    'RSA PRIVATE KEY PEM',
    pemBody(),
    (s) => `-----BEGIN RSA PRIVATE KEY-----\n${s}\n-----END RSA PRIVATE KEY-----`,
  ),
  inLog(
    'PKCS#8 PRIVATE KEY PEM',
    pemBody(),
    (s) => `key:\n-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`,
  ),
  inLog('EC PRIVATE KEY PEM', pemBody(), (s) => `-----BEGIN EC PRIVATE KEY-----\n${s}\n-----END EC PRIVATE KEY-----`),
  inLog(
    'ENCRYPTED PRIVATE KEY PEM',
    pemBody(),
    (s) => `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${s}\n-----END ENCRYPTED PRIVATE KEY-----`,
  ),
  inLog(
    'OPENSSH PRIVATE KEY',
    pemBody(),
    (s) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${s}\n-----END OPENSSH PRIVATE KEY-----`,
  ),
  inLog(
    'PGP PRIVATE KEY BLOCK',
    pemBody(),
    (s) => `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${s}\n-----END PGP PRIVATE KEY BLOCK-----`,
  ),
  inLog('PEM cut off (no END line)', pemBody(), (s) => `-----BEGIN RSA PRIVATE KEY-----\n${s}`),
  inLog('PEM private key, JSON-escaped in a string', pemBody(), (s) =>
    JSON.stringify({
      type: 'service_account',
      private_key: `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`,
    }),
  ),
  inLog(
    'base64 PEM (kubeconfig client-key-data)',
    base64(`-----BEGIN RSA PRIVATE KEY-----\n${b64(64)}\n-----END RSA PRIVATE KEY-----\n`),
    (s) => `users:\n- name: admin\n  user:\n    client-key-data: ${s}\n`,
  ),
  inLog('PKCS#8 key body without PEM lines', `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${b64(120)}`, (s) => `KEY=${s}`),
  inLog(
    'PuTTY private key',
    b64(64),
    (s) => `PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nPrivate-Lines: 1\n${s}\nPrivate-MAC: ${hex(64)}`,
  ),
  // AWS credentials
  {
    name: 'AKIA access key id with its secret',
    value: { message: `AKIAI44QH8DHBEXAMPLE:${b64(40).replace(/^[+/]/, 'A')}` },
    secrets: [],
  },
  inLog(
    'credentials file aws_secret_access_key',
    b64(40),
    (s) => `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${s}\n`,
  ),
  inLog('AWS secret access key alone', `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${alnum(10)}`, (s) => `secret is ${s} ok`),
  inLog('presigned URL X-Amz-Signature', hex(64), (s) => `https://b.s3.amazonaws.com/k?X-Amz-Signature=${s}&x=1`),
  inLog(
    'presigned URL X-Amz-Security-Token',
    b64url(120),
    (s) => `https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${s}`,
  ),
  // secret-named variables and flags in free text
  inLog('DB_PW=', alnum(16), (s) => `DB_PW=${s} node server.js`),
  inLog('export MY_PASS=', alnum(16), (s) => `export MY_PASS=${s}; ./run.sh`),
  inLog('STRIPE_KEY: (YAML)', alnum(24), (s) => `env:\n  STRIPE_KEY: ${s}\n  LOG: info`),
  inLog('"password": (JSON in a string)', alnum(16), (s) => JSON.stringify({ username: 'app', password: s })),
  inLog('password with spaces, quoted', `${alnum(6)} ${alnum(6)} ${alnum(6)}`, (s) => `password = "${s}"`),
  inLog('--db-password flag', alnum(16), (s) => `./migrate --db-password ${s} --dry-run`),
  inLog('--api-key= flag', alnum(32), (s) => `./sync --api-key=${s}`),
  inLog('mysql -p', alnum(16), (s) => `mysql -h db.internal -u admin -p${s} -e 'select 1'`),
  inLog('curl -u user:password', alnum(16), (s) => `curl -u ops:${s} https://ci.example.com/api`),
  inLog('sshpass -p', alnum(16), (s) => `sshpass -p '${s}' ssh ops@bastion`),
  inLog('docker login -p', alnum(16), (s) => `docker login -u ci -p ${s} registry.example.com`),
  // secret-named keys and pairs in responses
  shape('response key DbPassword', alnum(16), (s) => ({ Config: { DbPassword: s, DbUser: 'app' } })),
  shape('tag db_password', alnum(16), (s) => ({ Tags: [{ Key: 'db_password', Value: s }] })),
  shape('CloudFormation stack parameter ApiToken', alnum(32), (s) => ({
    Stacks: [{ StackName: 'api', Parameters: [{ ParameterKey: 'ApiToken', ParameterValue: s }] }],
  })),
  shape('CloudFormation NoEcho DefaultValue (GetTemplateSummary)', alnum(20), (s) => ({
    Parameters: [{ ParameterKey: 'Seed', DefaultValue: s, NoEcho: true, ParameterType: 'String' }],
  })),
  shape('CloudFormation TemplateBody JSON NoEcho Default', alnum(20), (s) => ({
    TemplateBody: JSON.stringify({
      Parameters: { Admin: { Type: 'String', NoEcho: true, Default: s }, Stage: { Type: 'String', Default: 'prod' } },
      Resources: {},
    }),
  })),
  shape('CloudFormation TemplateBody YAML NoEcho Default', alnum(20), (s) => ({
    TemplateBody:
      'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Stage:\n    Type: String\n    Default: prod\n' +
      `  Admin:\n    Type: String\n    Default: "${s}"\n    NoEcho: true\n` +
      'Resources:\n  T:\n    Type: AWS::SNS::Topic\n',
  })),
  shape('CloudFormation TemplateBody YAML block scalar Default', alnum(20), (s) => ({
    TemplateBody:
      `Parameters:\n  Cert:\n    NoEcho: 'true'\n    Type: String\n    Default: |\n      ${s}\n      more\n` +
      'Resources: {}\n',
  })),
  shape('CloudFormation TemplateBody YAML flow style', alnum(20), (s) => ({
    TemplateBody: `Parameters:\n  Admin: {Type: String, NoEcho: true, Default: ${s}}\nResources: {}\n`,
  })),
  shape('CloudFront origin custom header value', alnum(32), (s) => ({
    Origins: { Items: [{ Id: 'o', CustomHeaders: { Items: [{ HeaderName: 'X-Origin-Verify', HeaderValue: s }] } }] },
  })),
  {
    name: 'SSM command Parameters (inline secrets)',
    ...(() => {
      const [a, b] = [alnum(20), alnum(20)];
      return {
        value: {
          Commands: [{ Parameters: { commands: [`export TOKEN=${a}; ./deploy.sh`, `./rotate --password ${b}`] } }],
        },
        secrets: [a, b],
      };
    })(),
  },
  shape('SSM Parameters map key "password"', alnum(20), (s) => ({ Commands: [{ Parameters: { password: [s] } }] })),
  shape('IAM virtual MFA Base32StringSeed', upperDigits(64), (s) => ({
    VirtualMFADevices: [{ SerialNumber: 'arn:aws:iam::123456789012:mfa/ops', Base32StringSeed: s }],
  })),
  shape('IAM virtual MFA QRCodePNG', b64(120), (s) => ({ VirtualMFADevices: [{ QRCodePNG: s }] })),
  shape('API Gateway usage plan key value', alnum(40), (s) => ({
    items: [{ id: 'k1', type: 'API_KEY', value: s, name: 'partner' }],
  })),
  shape('API Gateway API key value', alnum(40), (s) => ({
    items: [{ id: 'k1', value: s, name: 'partner', enabled: true, stageKeys: [] }],
  })),
  // environment values (hidden by policy whatever they hold)
  shape('Lambda env value under a harmless name', alnum(24), (s) => ({
    Functions: [{ FunctionName: 'f', Environment: { Variables: { APP_FLAVOUR: s } } }],
  })),
  shape('ECS container environment', alnum(24), (s) => ({
    taskDefinition: { containerDefinitions: [{ name: 'web', environment: [{ name: 'COLOUR', value: s }] }] },
  })),
  shape('CodeBuild environmentVariables', alnum(24), (s) => ({
    projects: [{ environment: { environmentVariables: [{ name: 'COLOUR', value: s, type: 'PLAINTEXT' }] } }],
  })),
  shape('Batch containerProperties.environment', alnum(24), (s) => ({
    jobDefinitions: [{ containerProperties: { environment: [{ name: 'MODE', value: s }] } }],
  })),
  shape('App Runner RuntimeEnvironmentVariables', alnum(24), (s) => ({
    Service: {
      SourceConfiguration: { ImageRepository: { ImageConfiguration: { RuntimeEnvironmentVariables: { A: s } } } },
    },
  })),
  shape('Elastic Beanstalk environment OptionSettings', alnum(24), (s) => ({
    ConfigurationSettings: [
      {
        OptionSettings: [
          { Namespace: 'aws:elasticbeanstalk:application:environment', OptionName: 'MODE', Value: s },
          { Namespace: 'aws:autoscaling:asg', OptionName: 'MinSize', Value: '1' },
        ],
      },
    ],
  })),
  shape('Amplify environmentVariables', alnum(24), (s) => ({ app: { environmentVariables: { STAGE_NOTE: s } } })),
  shape('SageMaker Environment map', alnum(24), (s) => ({ PrimaryContainer: { Environment: { MODEL_NOTE: s } } })),
  shape('Kubernetes-shaped env list', alnum(24), (s) => ({ containers: [{ env: [{ name: 'NOTE', value: s }] }] })),
  // key/value shapes: a secret-named key or name holds the value of its object
  shape('CloudFormation stack output DatabasePassword', alnum(16), (s) => ({
    Stacks: [{ StackName: 'db', Outputs: [{ OutputKey: 'DatabasePassword', OutputValue: s, Description: 'admin' }] }],
  })),
  {
    name: 'CloudFormation change set: environment variable Before/AfterValue',
    ...(() => {
      const [before, after] = [alnum(16), alnum(16)];
      const target = { Attribute: 'Properties', Name: 'Environment', RequiresRecreation: 'Never' };
      const path = '/Properties/Environment/Variables/DB_PASSWORD';
      return {
        value: {
          Changes: [
            {
              Type: 'Resource',
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'Fn',
                Details: [{ Target: { ...target, Path: path, BeforeValue: before, AfterValue: after } }],
              },
            },
          ],
        },
        secrets: [before, after],
      };
    })(),
  },
  shape('CloudFormation change set: secret-named property', alnum(16), (s) => ({
    Changes: [{ ResourceChange: { Details: [{ Target: { Path: '/Properties/MasterUserPassword', AfterValue: s } }] } }],
  })),
  shape('SSM document JSON: default of a parameter named DbPassword', alnum(16), (s) => ({
    Name: 'Deploy',
    Content: JSON.stringify(
      { schemaVersion: '2.2', parameters: { DbPassword: { type: 'String', default: s } } },
      null,
      2,
    ),
  })),
  shape('SSM document YAML: default of a parameter named DbPassword', alnum(16), (s) => ({
    Name: 'Deploy',
    Content: `schemaVersion: '2.2'\nparameters:\n  DbPassword:\n    type: String\n    default: ${s}\nmainSteps: []\n`,
  })),
  shape('SSM OpsMetadata {api_token: {Value}}', alnum(16), (s) => ({
    ResourceId: 'x',
    Metadata: { api_token: { Value: s } },
  })),
  shape('Config remediation {MasterPassword: {StaticValue: {Values}}}', alnum(16), (s) => ({
    RemediationConfigurations: [
      { ConfigRuleName: 'r', Parameters: { MasterPassword: { StaticValue: { Values: [s] } } } },
    ],
  })),
  // JSON and YAML inside strings: the environment policy and the pair rules apply inside them
  shape('CloudFormation template JSON (CDK): ECS Environment [{Name, Value}]', alnum(16), (s) => ({
    TemplateBody: JSON.stringify(
      {
        Resources: {
          TaskDef: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: { ContainerDefinitions: [{ Name: 'web', Environment: [{ Name: 'PARTNER_ID', Value: s }] }] },
          },
        },
      },
      null,
      1,
    ),
  })),
  shape('CloudFormation template JSON (CDK): Lambda Environment.Variables', alnum(16), (s) => ({
    TemplateBody: JSON.stringify({
      Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { MODE: s } } } } },
    }),
  })),
  shape('CloudFormation template YAML: Lambda variable, harmless name, beside tags', alnum(16), (s) => ({
    TemplateBody:
      'Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n' +
      `      Environment:\n        Variables:\n          PARTNER_ENDPOINT_AUTH_HEADER_VALUE: ${s}\n` +
      '          TABLE: !Ref Table\n',
  })),
  shape('AWS Config item: configuration JSON with an ECS Environment', alnum(16), (s) => ({
    baseConfigurationItems: [
      {
        resourceType: 'AWS::ECS::TaskDefinition',
        configuration: JSON.stringify({ ContainerDefinitions: [{ Environment: [{ Name: 'DB_PASSWORD', Value: s }] }] }),
      },
    ],
  })),
  shape('EKS add-on configurationValues JSON: env list', alnum(16), (s) => ({
    addon: { addonName: 'x', configurationValues: JSON.stringify({ env: [{ name: 'PARTNER_ID_HEADER', value: s }] }) },
  })),
  shape('EKS add-on configurationValues YAML: env list', alnum(16), (s) => ({
    addon: {
      addonName: 'x',
      configurationValues: `replicaCount: 2\nenv:\n  - name: PARTNER_ID_HEADER\n    value: ${s}\n`,
    },
  })),
  shape('CloudTrail event JSON: secret-named request parameter', alnum(16), (s) => ({
    Events: [
      {
        EventName: 'PutParameter',
        CloudTrailEvent: JSON.stringify({ eventName: 'X', requestParameters: { name: 'n', apiToken: s } }),
      },
    ],
  })),
  shape('CloudFormation template JSON: lowercase parameters, NoEcho', alnum(16), (s) => ({
    TemplateBody: `{"parameters":{"Pw":{"Type":"String","NoEcho":true,"Default":"${s}"}},"Resources":{}}`,
  })),
  shape('CloudFormation template YAML: NoEcho in a multi-line flow mapping', alnum(16), (s) => ({
    TemplateBody: `Parameters:\n  Pw: {\n    Type: String,\n    NoEcho: true,\n    Default: ${s}\n  }\nResources: {}\n`,
  })),
  shape('CloudFormation template YAML: NoEcho !!bool, Default an alias', alnum(16), (s) => ({
    TemplateBody: `Metadata:\n  note: &pw ${s}\nParameters:\n  Pw:\n    NoEcho: !!bool true\n    Default: *pw\n`,
  })),
  shape('CloudFormation template YAML: indented root mapping', alnum(16), (s) => ({
    TemplateBody: [
      '  Parameters:',
      '    Pw:',
      '      Type: String',
      '      NoEcho: true',
      `      Default: ${s}`,
      '  Resources: {}',
      '',
    ].join('\n'),
  })),
  shape('CloudFormation template: YAML flow mapping in braces', alnum(16), (s) => ({
    TemplateBody: `{Parameters: {Pw: {Type: String, NoEcho: true, Default: ${s}}}, Resources: {}}`,
  })),
  // log lines
  inLog('log: password in escaped JSON inside JSON', alnum(16), (s) =>
    JSON.stringify({ body: JSON.stringify({ user: 'a', password: s }) }),
  ),
  inLog(
    'log: escaped JSON in a plain line',
    alnum(16),
    (s) => `body={\\"user\\":\\"a\\",\\"password\\":\\"${s}\\"} 200`,
  ),
  inLog('log: XML <password> element', alnum(16), (s) => `<config><password>${s}</password></config>`),
  inLog('log: XML <SecretKey> element with a namespace', b64(40), (s) => `<ns:SecretKey>${s}</ns:SecretKey>`),
  inLog('log: XML CDATA password', alnum(16), (s) => `<password><![CDATA[${s}]]></password>`),
  inLog('log: HTML-escaped XML password', alnum(16), (s) => `&lt;password&gt;${s}&lt;/password&gt;`),
  inLog('log: value with , ; & (db_password = …)', `p@ss,w0rd;${alnum(12)}&x`, (s) => `db_password = ${s}`),
  inLog(
    'log: inline secret with , and ;',
    `${alnum(6)},${alnum(6)};${alnum(6)}`,
    (s) => `login user=app password=${s} ok`,
  ),
  inLog('log: YAML block scalar', alnum(16), (s) => `config:\n  password: |\n    ${s}\n  user: app\n`),
  inLog('log: YAML value on the next line', alnum(16), (s) => `password:\n  ${s}\nuser: app\n`),
  inLog('log: YAML plain value with spaces', `${alnum(6)} ${alnum(6)} ${alnum(6)}`, (s) => `db:\n  password: ${s}\n`),
  inLog('log: HTML-escaped JSON', alnum(16), (s) => `&quot;password&quot;:&quot;${s}&quot;`),
  inLog('log: fullwidth colon', alnum(16), (s) => `password：${s}`),
  inLog(
    'log: Go header dump Authorization:[Basic …]',
    base64(`u:${alnum(16)}`),
    (s) => `headers=map[Authorization:[Basic ${s}] Accept:[*/*]]`,
  ),
  // API Gateway integrations: static header values in single quotes
  shape('API Gateway integration static Authorization header', base64(`svc:${alnum(16)}`), (s) => ({
    type: 'HTTP',
    requestParameters: { 'integration.request.header.Authorization': `'Basic ${s}'` },
  })),
  shape('API Gateway integration static X-Partner-Token header', alnum(16), (s) => ({
    type: 'HTTP',
    requestParameters: { 'integration.request.header.X-Partner-Token': `'${s}'` },
  })),
  shape('API Gateway export (OpenAPI JSON) static Authorization', base64(`svc:${alnum(16)}`), (s) => ({
    body: JSON.stringify(
      {
        paths: {
          '/x': {
            get: {
              'x-amazon-apigateway-integration': {
                requestParameters: {
                  'integration.request.header.Authorization': `'Basic ${s}'`,
                },
              },
            },
          },
        },
      },
      null,
      2,
    ),
  })),
  shape('API Gateway export (OpenAPI YAML) static token header', alnum(16), (s) => ({
    body:
      'openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration:\n        requestParameters:\n' +
      `          integration.request.header.X-Partner-Token: "'${s}'"\n`,
  })),
  inLog(
    'API Gateway mapping as text: header value in single quotes',
    base64(`svc:${alnum(16)}`),
    (s) => `{ "integration.request.header.Authorization" : "'Basic ${s}'", "x": `,
  ),
  // secret names with qualifiers after them
  ...[
    'APP_SECRETKEY',
    'APP_API_KEY_OLD',
    'APP_TOKEN_V2',
    'APP_DB_PASS_PROD',
    'APP_PASSPHRASE_2',
    'APP_SLACK_TOKEN_BACKUP',
    'APP_ENCRYPTION_KEY_B64',
    'JWT_SIGNING_KEY_B64',
    'encryptionKeyV2',
    'hmac',
  ].map((name) => shape(`tag ${name}`, alnum(16), (s) => ({ Tags: [{ Key: name, Value: s }] }))),
  shape('ECS docker label: traefik basicauth users', alnum(16), (s) => ({
    taskDefinition: {
      containerDefinitions: [{ dockerLabels: { 'traefik.http.middlewares.a.basicauth.users': `admin:${s}` } }],
    },
  })),
  // Azure, alone in text
  inLog('Azure storage account key alone', `${b64(85)}A==`, (s) => `uses acct key ${s}`),
  inLog('Azure AD client secret alone', `abc1Q~${b64url(20)}.${b64url(13)}`, (s) => `sp ${s} for app`),
  // encoded
  shape('tag: base64 blob hiding DB_PASSWORD=', base64(`DB_PASSWORD=${alnum(16)}`), (s) => ({
    Tags: [{ Key: 'bootstrap', Value: s }],
  })),
  shape('tag: URL-encoded connection string', alnum(16), (s) => ({
    Tags: [{ Key: 'conn', Value: `postgres%3A%2F%2Fapp%3A${s}%40db.internal%3A5432%2Fapp` }],
  })),
];

// the AKIA pair's secret is known only once built
const akia = SHAPES.find((s) => s.name.startsWith('AKIA')) as Shape & { secrets: string[] };
akia.secrets.push(String((akia.value as { message: string }).message.split(':')[1]));

/** Every 8-character piece of a secret found in the text, so a partial leak counts too. */
function leaked(text: string, secret: string): string | undefined {
  const core = secret.replace(/\s+/g, '');
  for (let i = 0; i + 8 <= core.length; i++) {
    const piece = core.slice(i, i + 8);
    if (text.replace(/\\n|\s/g, '').includes(piece)) return piece;
  }
  return undefined;
}

describe('secret shapes through redaction', () => {
  it(`lets none of ${SHAPES.length} secret shapes through (160 or more)`, () => {
    expect(SHAPES.length).toBeGreaterThanOrEqual(160);
    expect(new Set(SHAPES.map((s) => s.name)).size).toBe(SHAPES.length);
    const leaks: string[] = [];
    for (const s of SHAPES) {
      const { value, tally } = redact(s.value);
      const text = JSON.stringify(value);
      for (const secret of s.secrets) {
        const piece = leaked(text, secret);
        if (piece) leaks.push(`${s.name}: "${piece}" in ${text}`);
      }
      if (tally.secrets + tally.envValues === 0) leaks.push(`${s.name}: nothing counted`);
    }
    console.log(`redaction: ${SHAPES.length} secret shapes tested, ${leaks.length} leaked`);
    expect(leaks).toEqual([]);
  });

  it('keeps what surrounds a secret: key names, hosts, access key ids, the scheme of a header', () => {
    const { value } = redact({
      a: 'db postgres://app:s3cretpw9@db.internal:5432/app',
      b: 'AKIAI44QH8DHBEXAMPLE:je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
      c: 'Authorization: Bearer abcdefghijklmnop',
      d: 'export DB_PASSWORD=hunter2hunter2 && run',
      e: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX',
    });
    expect(value).toEqual({
      a: `db postgres://app:${REDACTED}@db.internal:5432/app`,
      b: `AKIAI44QH8DHBEXAMPLE:${REDACTED}`,
      c: `Authorization: Bearer ${REDACTED}`,
      d: `export DB_PASSWORD=${REDACTED} && run`,
      e: `https://hooks.slack.com/services/${REDACTED}`,
    });
  });

  it('redacts a value once: a second pass changes and counts nothing', () => {
    const twice = SHAPES.flatMap((s) => {
      const first = redact(s.value);
      const second = redact(first.value);
      const changed = JSON.stringify(second.value) !== JSON.stringify(first.value);
      return changed || second.tally.secrets || second.tally.envValues ? [s.name] : [];
    });
    expect(twice).toEqual([]);
  });
});

describe('crafted text', () => {
  /** Pieces of every pattern, each repeated into a long string (a pattern retried from every position is quadratic). */
  const PIECES = [
    '--a',
    'a-',
    'a.',
    'a+',
    '-eyJ',
    '.eyJa',
    'eyJaaaaaaaaa.',
    'a://',
    'a://b:',
    'a://b:c',
    ':',
    '=',
    'a=',
    'a="',
    "a='",
    '"a":',
    'sk-',
    'sk_live_',
    'AKIA',
    'AKIAAAAAAAAAAAAAAAAA:',
    'MII',
    'MIIEvQIBA',
    'LS0tLS1CRUdJTi',
    'Authorization: ',
    'Bearer ',
    '?sig=',
    '&key=',
    'xoxb-',
    'key-',
    '1//0',
    'dp.st.',
    'mysql ',
    'docker login ',
    'sshpass -p ',
    '-u a:',
    '-----BEGIN PRIVATE KEY-----',
    '-----BEGIN ',
    'PuTTY-User-Key-File-1:',
    'hooks.slack.com/',
    'https://hooks.slack.com/services/',
    'password',
    'password=',
    'DB_PW=',
    '0123456789abcdef',
    'Aa0/',
    'Aa0+',
    // escaped and XML pairs, YAML lines, values running on, documents in strings, encodings
    '\\"a\\":\\"',
    '\\"password\\":\\"',
    '&quot;a&quot;:&quot;',
    '&quot;password&quot;:&quot;',
    '<password>',
    '<a>x',
    '<password>x</',
    '&lt;password&gt;',
    'password: |\n',
    'password:\n ',
    ' password:\n',
    '\n',
    'a ',
    'password = a,',
    'password=a;',
    'a:\n',
    '- a: ',
    '{"a":',
    '{"password":"',
    '[{',
    '&a ',
    '*a ',
    '!Ref ',
    '%41',
    'QUFB',
    'abc1Q~',
    "Authorization: '",
    'integration.request.header.Authorization',
  ];
  const LENGTH = 100_000;

  it('is redacted in time linear in its length, whatever pieces of the patterns it repeats', () => {
    const slow: string[] = [];
    for (const piece of PIECES) {
      const text = piece.repeat(Math.ceil(LENGTH / piece.length));
      const started = performance.now();
      redact({
        message: text,
        json: JSON.stringify({ message: text }),
        Content: `Parameters:\n  P:\n    NoEcho: true\n    Default: ${text}\n`,
        TemplateBody: `Parameters:\n  P: {NoEcho: true, ${text}}\n`,
      });
      const ms = performance.now() - started;
      // linear work on 100 KB is milliseconds; a quadratic pattern takes seconds to minutes
      if (ms > 2_000) slow.push(`${JSON.stringify(piece)}: ${Math.round(ms)} ms`);
    }
    expect(slow).toEqual([]);
  });
});

describe('no false positives', () => {
  const ordinary: Plain = {
    Reservations: [
      {
        Instances: [
          {
            InstanceId: 'i-0abcd1234ef567890',
            ImageId: 'ami-0c55b159cbfafe1f0',
            KeyName: 'ops-keypair',
            LaunchTime: '2025-11-02T08:15:30.000Z',
            PrivateIpAddress: '10.0.1.25',
            MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
            IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/web' },
            Tags: [
              { Key: 'Name', Value: 'web-1' },
              { Key: 'aws:cloudformation:stack-name', Value: 'prod-web' },
              { Key: 'KeyPair', Value: 'ops-keypair' },
            ],
          },
        ],
      },
    ],
    ETag: '"d41d8cd98f00b204e9800998ecf8427e"',
    ImageDigest: `sha256:${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}`,
    CommitId: 'e83c5163316f89bfbde7d9ab23ca2e25604af290',
    CodeSha256: 'Qp7bh4ZPJa+Dd1nBlZqo6Ip2IkFcDXWrgDnk8cYdUxs=',
    VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo',
    KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
    ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
    SecretList: [{ Name: 'prod/db', LastRotatedDate: '2025-10-01T00:00:00.000Z', RotationEnabled: true }],
    User: {
      UserName: 'alice',
      PasswordLastUsed: '2025-11-01T10:00:00.000Z',
      Arn: 'arn:aws:iam::123456789012:user/alice',
    },
    AccessKeyMetadata: [{ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Active' }],
    DBInstances: [{ MasterUsername: 'admin', Endpoint: { Address: 'db.abc123.eu-west-1.rds.amazonaws.com' } }],
    Policy: JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
        },
      ],
    }),
    Description: 'Rotates the database password every 30 days; token bucket refills each second.',
    FunctionUrlConfig: { AuthType: 'NONE' },
    ProxyAuth: [{ IAMAuth: 'DISABLED', AuthScheme: 'SECRETS' }],
    Integration: { passthroughBehavior: 'WHEN_NO_MATCH', type: 'AWS_PROXY' },
    QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
    Location: 'https://bucket.s3.eu-west-1.amazonaws.com/reports/2025/11/summary.csv',
    ResourceRecords: [
      { Value: '"v=spf1 include:_spf.google.com ~all"' },
      { Value: '"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeL"' },
    ],
    PublicKey: `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA${'x9Kq2LmZ+/Wp'.repeat(28)} ops@laptop`,
    Certificate:
      '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n' +
      '-----END CERTIFICATE-----',
    certificateAuthority: {
      data: base64('-----BEGIN CERTIFICATE-----\nMIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAV\n'),
    },
    RequestId: '7b3f1c2e-8d4a-4e5b-9c6d-0a1b2c3d4e5f',
    NextToken: 'AAMA-EFRSURBSGhvK0dBSmFPbW1yZ2FhRm9mS1JhZGZ3',
    TemplateBody: 'Parameters:\n  Stage:\n    Type: String\n    Default: prod\nResources: {}\n',
    StackStatusReason: "Parameter 'DbPassword' must have a value",
    Email: 'ops@example.com',
    CidrBlock: '10.0.0.0/16',
    command: ['node', 'server.js', '--port=8080', '--log-level', 'info'],
    // references are not secrets, under any key: dynamic references, Ref/GetAtt, API Gateway mappings
    Template: [
      '# the database and its API',
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Parameters:',
      '  Stage: {Type: String, Default: prod}',
      'Resources:',
      '  DbPassword:',
      '    Type: AWS::SecretsManager::Secret',
      '    Properties:',
      '      GenerateSecretString: {PasswordLength: 32, ExcludePunctuation: true}',
      '  Db:',
      '    Type: AWS::RDS::DBInstance',
      '    Properties:',
      "      MasterUserPassword: '{{resolve:secretsmanager:db:SecretString:password}}'",
      '      DBSubnetGroupName: !Ref Subnets',
      '  Build:',
      '    Type: AWS::CodeBuild::Project',
      '    Properties:',
      '      Environment: {ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0, Type: LINUX}',
      'Outputs:',
      '  DbPassword:',
      '    Value: !Ref DbPassword # the secret, by ARN',
      '  Url:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub, not a template string
      '    Value: !Sub https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod',
      '',
    ].join('\n'),
    StateMachine: JSON.stringify({
      States: {
        Login: { Type: 'Task', Parameters: { 'Password.$': '$.password', 'ApiKey.$': '$$.Execution.Input.key' } },
      },
    }),
    TemplateJson: JSON.stringify(
      { Resources: { Db: { Properties: { MasterUserPassword: { Ref: 'DbPassword' }, AllocatedStorage: '20' } } } },
      null,
      2,
    ),
    Outputs: [
      { OutputKey: 'ApiUrl', OutputValue: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
      { OutputKey: 'DbPasswordSecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-x1' },
    ],
    requestParameters: {
      'integration.request.header.Authorization': 'method.request.header.Authorization',
      'integration.request.header.X-Api-Key': 'context.authorizer.apiKey',
      'integration.request.path.id': 'method.request.path.id',
    },
    CommandInvocations: [
      {
        CommandId: 'c1',
        Status: 'Success',
        CommandPlugins: [{ Name: 'aws:runShellScript', Status: 'Success', ResponseCode: 0 }],
      },
    ],
    Details: [
      { Target: { Attribute: 'Properties', Path: '/Properties/MemorySize', BeforeValue: '128', AfterValue: '256' } },
      { Target: { Path: '/Properties/Environment/ComputeType', AfterValue: 'BUILD_GENERAL1_LARGE' } },
    ],
    logs: [
      '{"level":"info","msg":"token refreshed","user":"alice","durationMs":12}',
      '<Response><NextToken>AAMA-EFRSURBSGhv</NextToken><KeyName>ops</KeyName></Response>',
      'config:\n  password_min_length: 12\n  token_ttl: 3600\n',
      'db_password_file = /run/secrets/db',
      'GET /search?q=a%20b&region=eu-west-1 200',
    ],
    integrity: 'sha512-Kq5sNclPz7QV2+lfQIuaSH3F8WxYQSL0bO7bS1ZfXgXmn7cCb0ThlA9bEDnPj2rQq3Zh3Fh5gS/lZ2KQlqX3Ew==',
    Labels: [
      { Key: 'KEY_NAME', Value: 'ops-keypair' },
      { Key: 'TOKEN_EXPIRY_SECONDS', Value: '3600' },
      { Key: 'SECRET_VERSION', Value: 'v12' },
      { Key: 'notes', Value: base64('deployed by the pipeline on Tuesday') },
    ],
  };

  it('keeps ids, ARNs, names, dates, hashes, digests, public keys, policies and settings unchanged', () => {
    const { value, tally } = redact(ordinary);
    expect(value).toEqual(ordinary);
    expect(tally).toEqual({ secrets: 0, envValues: 0 });
  });

  it('tells identifiers from secrets by name', () => {
    const secret = [
      'DB_PW',
      'MasterUserPassword',
      'STRIPE_KEY',
      'x-api-key',
      'PGPASSWORD',
      'SECRET_KEY_BASE',
      'TaskToken',
    ];
    const notSecret = ['SecretArn', 'PasswordLastUsed', 'NextToken', 'ClientRequestToken', 'KeyName', 'TagKey', 'PWD'];
    expect(secret.filter((n) => !isSecretName(n))).toEqual([]);
    expect(notSecret.filter((n) => isSecretName(n))).toEqual([]);
  });

  it('strips qualifiers (versions, age, stage, copies, encodings) from the end of a name before judging it', () => {
    const secret = [
      'APP_SECRETKEY',
      'APP_API_KEY_OLD',
      'APP_TOKEN_V2',
      'APP_DB_PASS_PROD',
      'APP_PASSPHRASE_2',
      'APP_SLACK_TOKEN_BACKUP',
      'APP_ENCRYPTION_KEY_B64',
      'APP_SIGNING_KEY_PEM',
      'STRIPE_KEY_OLD',
      'encryptionKeyV2',
      'hmac',
      'APP_HMAC',
      'integration.request.header.Authorization',
      'integration.request.header.X-Partner-Token',
      'integration.request.querystring.api_key',
    ];
    // identifier words still decide; a qualifier alone, or a lone `key`, is no secret
    const notSecret = [
      'KEY_NAME',
      'TOKEN_EXPIRY_SECONDS',
      'SECRET_VERSION',
      'SECRET_ARN_OLD',
      'NextToken2',
      'KEY_PROD',
      'HttpTokensV2',
      'Ec2',
      'OAUTH_2',
      'integration.request.header.Accept',
      'integration.request.path.id',
      'method.request.header.Authorization',
    ];
    expect(secret.filter((n) => !isSecretName(n))).toEqual([]);
    expect(notSecret.filter((n) => isSecretName(n))).toEqual([]);
  });

  it('writes back only what changed: a YAML template keeps its comments and tags, JSON its indentation', () => {
    // (a comment after a redacted value, on its line, goes with it: it may be about the value)
    const yaml = [
      '# orders service',
      'Parameters:',
      '  DbPassword:',
      '    Type: String',
      '    NoEcho: true',
      '    Default: hunter2hunter2 # change me',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Role: !GetAtt Role.Arn',
      '      Environment:',
      '        Variables:',
      '          TABLE: !Ref Table',
      '',
    ].join('\n');
    const json = JSON.stringify(
      { Parameters: { Seed: { Type: 'String', NoEcho: true, Default: 'x1y2z3w4' } } },
      null,
      4,
    );
    const { value, tally } = redact({ TemplateBody: yaml, Json: json });
    const out = value as { TemplateBody: string; Json: string };
    expect(out.TemplateBody).toBe(
      yaml
        .replace('Default: hunter2hunter2 # change me', `Default: "${REDACTED}"`)
        .replace('TABLE: !Ref Table', `TABLE: "${ENV_HIDDEN}"`),
    );
    expect(out.Json).toBe(json.replace('"x1y2z3w4"', `"${REDACTED}"`));
    expect(tally).toEqual({ secrets: 2, envValues: 1 });
  });

  it('shows SSM command output nowhere, and keeps a key named Output outside CommandPlugins', () => {
    const printed = 'password    hunter2hunter2\n';
    const { value } = redact({
      CommandInvocations: [
        { Status: 'Success', TraceOutput: printed, CommandPlugins: [{ Name: 'p', Output: printed }] },
      ],
      StandardOutputContent: printed,
      StandardErrorContent: printed,
      Stages: [{ Name: 'build', Output: 'artifact.zip' }],
    });
    expect(value).toEqual({
      CommandInvocations: [
        {
          Status: 'Success',
          TraceOutput: COMMAND_OUTPUT_HIDDEN,
          CommandPlugins: [{ Name: 'p', Output: COMMAND_OUTPUT_HIDDEN }],
        },
      ],
      StandardOutputContent: COMMAND_OUTPUT_HIDDEN,
      StandardErrorContent: COMMAND_OUTPUT_HIDDEN,
      Stages: [{ Name: 'build', Output: 'artifact.zip' }],
    });
  });
});

describe('AWS error messages', () => {
  const lambda = findService('lambda') as ServiceInfo;
  const explain = (message: string, name = 'ValidationException') =>
    explainError(
      Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } }),
      lambda,
      'X',
      'l:X',
      'eu-west-1',
    ).text;

  it('reach the model redacted: a secret echoed in an error is replaced, the rest of the message kept', () => {
    const cases = [
      [
        "Value 'postgres://app:Zq7vR2mK9xW4pL8s@db:5432/app' at 'environment' failed to satisfy constraint",
        'Zq7vR2mK9xW4pL8s',
      ],
      ['Invalid request: {"password":"Zq7vR2mK9xW4pL8s","user":"app"}', 'Zq7vR2mK9xW4pL8s'],
      ['Unknown parameter DB_PASSWORD=Zq7vR2mK9xW4pL8s', 'Zq7vR2mK9xW4pL8s'],
      ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 is not valid', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ] as const;
    for (const [message, secret] of cases) {
      const text = explain(message);
      expect(text).not.toContain(secret);
      expect(text).toContain(REDACTED);
      expect(text).toMatch(/^ValidationException: lambda:X in eu-west-1 rejected the parameters: /);
    }
    expect(explain('Access denied to l:X with password=Zq7vR2mK9xW4pL8s', 'AccessDeniedException')).not.toContain(
      'Zq7vR2mK9xW4pL8s',
    );
  });
});

describe('environment variable values', () => {
  const functions: Plain = {
    Functions: [
      {
        FunctionName: 'orders',
        Environment: {
          Variables: {
            LOG_LEVEL: 'debug',
            NODE_ENV: 'production',
            FEATURE_CHECKOUT: 'on',
            FEATURE_API_KEY: 'k-1234567890',
            DB_URL: 'postgres://app:s3cretpw9@db:5432/app',
            COLOUR: 'blue',
          },
        },
      },
    ],
  };

  it('are hidden by default, every one, with names kept and counted', () => {
    const { value, tally } = redact(functions);
    const vars = (value as { Functions: { Environment: { Variables: Record<string, string> } }[] }).Functions[0]!
      .Environment.Variables;
    expect(Object.keys(vars)).toEqual([
      'LOG_LEVEL',
      'NODE_ENV',
      'FEATURE_CHECKOUT',
      'FEATURE_API_KEY',
      'DB_URL',
      'COLOUR',
    ]);
    expect(new Set(Object.values(vars))).toEqual(new Set([ENV_HIDDEN]));
    expect(tally).toEqual({ secrets: 0, envValues: 6 });
  });

  it('are shown for allowlisted names (case-insensitive globs), still through the value patterns', () => {
    const env = envPolicy(['log_level', 'NODE_ENV', 'FEATURE_*', 'DB_URL']);
    const { value, tally } = redact(functions, env);
    const vars = (value as { Functions: { Environment: { Variables: Record<string, string> } }[] }).Functions[0]!
      .Environment.Variables;
    expect(vars).toEqual({
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
      FEATURE_CHECKOUT: 'on',
      // a wildcard never shows a secret-looking name; naming it exactly would
      FEATURE_API_KEY: ENV_HIDDEN,
      DB_URL: `postgres://app:${REDACTED}@db:5432/app`,
      COLOUR: ENV_HIDDEN,
    });
    expect(tally).toEqual({ secrets: 1, envValues: 2 });
    expect(envPolicy(['FEATURE_API_KEY']).shows('feature_api_key')).toBe(true);
  });

  it('a wildcard shows no secret name with a qualifier after it (APP_* does not show APP_TOKEN_V2)', () => {
    const names = ['APP_SECRETKEY', 'APP_ENCRYPTION_KEY_B64', 'APP_API_KEY_OLD', 'APP_TOKEN_V2', 'APP_DB_PASS_PROD'];
    const policy = envPolicy(['APP_*']);
    expect(names.filter((n) => policy.shows(n))).toEqual([]);
    expect(policy.shows('APP_MODE')).toBe(true);
    const Variables = Object.fromEntries([...names, 'APP_MODE'].map((n) => [n, `v-${n.toLowerCase()}-1234`]));
    const { value } = redact({ Environment: { Variables } }, policy);
    expect((value as { Environment: { Variables: Record<string, string> } }).Environment.Variables).toEqual({
      ...Object.fromEntries(names.map((n) => [n, ENV_HIDDEN])),
      APP_MODE: 'v-app_mode-1234',
    });
  });

  it('are hidden inside documents and change sets too, and shown there for allowlisted names', () => {
    const page: Plain = {
      TemplateBody: JSON.stringify({
        Resources: { F: { Properties: { Environment: { Variables: { MODE: 'm1', COLOUR: 'c1' } } } } },
      }),
      Changes: [
        { Target: { Path: '/Properties/Environment/Variables/MODE', BeforeValue: 'm0', AfterValue: 'm1' } },
        { Target: { Path: '/Properties/ContainerDefinitions/0/Environment/2/Value', AfterValue: 'c9' } },
      ],
    };
    const { value, tally } = redact(page, envPolicy(['MODE']));
    expect(value).toEqual({
      TemplateBody: JSON.stringify({
        Resources: { F: { Properties: { Environment: { Variables: { MODE: 'm1', COLOUR: ENV_HIDDEN } } } } },
      }),
      Changes: [
        { Target: { Path: '/Properties/Environment/Variables/MODE', BeforeValue: 'm0', AfterValue: 'm1' } },
        { Target: { Path: '/Properties/ContainerDefinitions/0/Environment/2/Value', AfterValue: ENV_HIDDEN } },
      ],
    });
    expect(tally).toEqual({ secrets: 0, envValues: 2 });
  });

  it('AWS_ASK_SHOW_ENV_VALUES is read into the tool settings', () => {
    expect(settingsFromEnv({ AWS_ASK_SHOW_ENV_VALUES: ' LOG_LEVEL, NODE_ENV ,FEATURE_*' }).showEnvValues).toEqual([
      'LOG_LEVEL',
      'NODE_ENV',
      'FEATURE_*',
    ]);
    expect(settingsFromEnv({}).showEnvValues).toBeUndefined();
  });

  it('a malformed AWS_ASK_SHOW_ENV_VALUES is a settings problem saying what is wrong and what to set', () => {
    const read = new SettingsReader({ AWS_ASK_SHOW_ENV_VALUES: 'LOG_LEVEL,DB PASSWORD,*' });
    const settings = readToolSettings(read);
    expect(settings.showEnvValues).toBeUndefined();
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatch(/AWS_ASK_SHOW_ENV_VALUES has "DB PASSWORD", which|"DB PASSWORD" is not/);
    expect(read.problems[0]).toMatch(/"\*" would show every value/);
    expect(read.problems[0]).toMatch(/e\.g\. LOG_LEVEL,NODE_ENV,FEATURE_\*/);
    expect(() => settingsFromEnv({ AWS_ASK_SHOW_ENV_VALUES: 'A=B' })).toThrow(ConfigError);
  });
});

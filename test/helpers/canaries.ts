/**
 * Canary secrets: unique random strings put where AWS keeps secrets (environments, API keys, VPN
 * pre-shared keys, NoEcho parameters, command parameters…), and a scanner that finds any of them,
 * or any 8-character piece of one, in a tool result, with the JSON path it came through.
 */
import { randomBytes } from 'node:crypto';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { AutoScalingClient, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateChangeSetCommand, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateCustomerGatewayCommand,
  CreateLaunchTemplateCommand,
  CreateVpnConnectionCommand,
  CreateVpnGatewayCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateDocumentCommand,
  CreateMaintenanceWindowCommand,
  PutParameterCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { motoConfig } from './aws.ts';

/** Characters every canary is made of: safe in URLs, headers, PSKs, env values and API key values. */
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The shortest piece of a canary that counts as a leak. */
export const LEAK_WINDOW = 8;

export interface Canary {
  /** The secret itself (a canary made here, or one moto made and the test captured). */
  readonly value: string;
  /** Where it was put and in what shape, e.g. `lambda env REDIS_URL (redis://:…@cache:6379)`. */
  readonly label: string;
}

export interface Leak {
  readonly canary: Canary;
  /** JSON path in the result (`Functions[0].Environment.Variables.DB_PW`), or `(text line N)`. */
  readonly path: string;
  /** How it was found: as is, or inside a base64 run that decodes to it. */
  readonly via: 'plain' | 'base64';
}

function base62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    // 248 = 4 × 62: drop the bytes that would bias the choice
    if (b < 248) out += BASE62[b % 62];
  }
  return out.length === length ? out : out + base62(length - out.length);
}

/** JSON path text, as the tool's own notes write it: `Functions[0].Environment`. */
const pathText = (path: readonly (string | number)[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(result)';

/** Runs that may be base64 (standard or URL-safe) long enough to hide a window. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;

export class Canaries {
  readonly all: Canary[] = [];
  private readonly byWindow = new Map<string, Canary>();

  /**
   * A fresh canary of `length` characters: `Cnry` then random base62, so it is recognisable in a
   * dump and any 8 characters of it are unique to it.
   */
  make(label: string, length = 32): string {
    if (length < 12) throw new Error(`a canary needs 12 characters or more, not ${length}`);
    return this.adopt(label, `Cnry${base62(length - 4)}`);
  }

  /** A secret the test did not choose (moto made it) but must never see in a result either. */
  adopt(label: string, value: string): string {
    if (value.length < LEAK_WINDOW) throw new Error(`secret "${label}" is shorter than ${LEAK_WINDOW} characters`);
    const canary: Canary = { value, label };
    this.all.push(canary);
    for (let i = 0; i + LEAK_WINDOW <= value.length; i++) {
      const w = value.slice(i, i + LEAK_WINDOW);
      const other = this.byWindow.get(w);
      if (other && other !== canary) throw new Error(`secrets "${label}" and "${other.label}" share "${w}"`);
      this.byWindow.set(w, canary);
    }
    return value;
  }

  /** Every canary with a piece in `s`. */
  private found(s: string): Set<Canary> {
    const out = new Set<Canary>();
    for (let i = 0; i + LEAK_WINDOW <= s.length; i++) {
      const c = this.byWindow.get(s.slice(i, i + LEAK_WINDOW));
      if (c) out.add(c);
    }
    return out;
  }

  /** Every canary in `s`, as is or inside base64 runs of it, each once. */
  private inString(s: string): { canary: Canary; via: 'plain' | 'base64' }[] {
    const hits = new Map<Canary, 'plain' | 'base64'>();
    for (const c of this.found(s)) hits.set(c, 'plain');
    for (const run of s.match(BASE64_RUN) ?? []) {
      const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
      for (const c of this.found(decoded)) if (!hits.has(c)) hits.set(c, 'base64');
    }
    return [...hits].map(([canary, via]) => ({ canary, via }));
  }

  /**
   * Every leak in a tool result: each line that is JSON is walked (keys and string values, with their
   * paths); any other line is scanned as text.
   */
  scan(text: string): Leak[] {
    const leaks: Leak[] = [];
    const lines = text.split('\n');
    for (const [n, line] of lines.entries()) {
      let json: unknown;
      let isJson = false;
      if (/^[[{]/.test(line)) {
        try {
          json = JSON.parse(line);
          isJson = true;
        } catch {
          // a line cut short, or text that starts like JSON: scanned as text below
        }
      }
      if (!isJson) {
        for (const h of this.inString(line)) leaks.push({ ...h, path: `(text line ${n + 1})` });
        continue;
      }
      const walk = (v: unknown, path: (string | number)[]): void => {
        if (typeof v === 'string') {
          for (const h of this.inString(v)) leaks.push({ ...h, path: pathText(path) });
        } else if (Array.isArray(v)) {
          for (const [i, e] of v.entries()) walk(e, [...path, i]);
        } else if (v !== null && typeof v === 'object') {
          for (const [k, c] of Object.entries(v)) {
            for (const h of this.inString(k)) leaks.push({ ...h, path: `${pathText([...path, k])} (the key)` });
            walk(c, [...path, k]);
          }
        }
      };
      walk(json, []);
    }
    return leaks;
  }
}

/** One line per leak, for failure messages and the summary. */
export const describeLeak = (operation: string, l: Leak): string =>
  `${operation} ${l.path}${l.via === 'base64' ? ' (base64-decoded)' : ''}: ${l.canary.label}`;

/** What the seeding made: the names and ids (not secret) a result must show where a call is allowed. */
export interface SeededSecrets {
  readonly functionName: string;
  /** Environment variable names of the function and of the task definition's container. */
  readonly envNames: readonly string[];
  readonly taskFamily: string;
  readonly usagePlanId: string;
  readonly apiKeyId: string;
  readonly apiKeyName: string;
  readonly vpnConnectionId: string;
  readonly stackName: string;
  readonly changeSetName: string;
  readonly noEchoParameters: readonly string[];
  readonly instanceId: string;
  readonly commandIds: readonly string[];
  readonly windowId: string;
  readonly windowTaskId: string;
  readonly parameterName: string;
  readonly secretName: string;
  readonly distributionId: string;
  readonly originHeaderName: string;
  readonly mfaSerial: string;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly launchTemplateName: string;
  readonly launchConfigurationName: string;
  readonly dbInstanceId: string;
  readonly topicArn: string;
  readonly subscriptionArn: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** An empty zip archive: enough for moto to store a function. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The same kinds of secret an application keeps in its environment, each with fresh canaries. */
function environment(c: Canaries, where: string): Record<string, string> {
  const l = (name: string, shape: string) => `${where} ${name} (${shape})`;
  return {
    LOG_LEVEL: 'info',
    STRIPE_SK: `sk_live_${c.make(l('STRIPE_SK', 'sk_live_…'), 28)}`,
    REDIS_URL: `redis://:${c.make(l('REDIS_URL', 'redis://:…@cache:6379'))}@cache:6379`,
    MONGO_URI: `mongodb+srv://u:${c.make(l('MONGO_URI', 'mongodb+srv://u:…@cluster0'))}@cluster0.example.net/db`,
    SLACK_WEBHOOK_URL: `https://hooks.slack.com/services/T000/B000/${c.make(l('SLACK_WEBHOOK_URL', 'webhook'), 24)}`,
    GH_PAT: `github_pat_${c.make(l('GH_PAT', 'github_pat_…'), 22)}_${c.make(l('GH_PAT', 'github_pat_ part 2'), 59)}`,
    SENDGRID: `SG.${c.make(l('SENDGRID', 'SG.… first part'), 22)}.${c.make(l('SENDGRID', 'SG.… second part'), 43)}`,
    DB_PW: c.make(l('DB_PW', 'plain value'), 20),
    APP_FLAVOUR: c.make(l('APP_FLAVOUR', 'bare canary under a harmless name'), 24),
  };
}

/**
 * Seeds moto (directly, at `endpoint`) with canary secrets in every shape below, in `region` (IAM and
 * CloudFront are global); `roleArn` is an existing role for the Lambda function. Names start with
 * `cnry-` so they cannot meet another suite's on a shared moto.
 */
export async function seedSecrets(
  endpoint: string,
  region: string,
  roleArn: string,
  c: Canaries,
): Promise<SeededSecrets> {
  const cfg = motoConfig(region, endpoint);
  const global = motoConfig('us-east-1', endpoint);

  // Lambda: every value of a function's environment
  const functionName = 'cnry-fn-payments';
  const lambdaEnv = environment(c, 'Lambda env');
  const lambda = new LambdaClient(cfg);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs22.x',
      Role: roleArn,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
      Environment: { Variables: lambdaEnv },
    }),
  );
  lambda.destroy();

  // ECS: a container's environment, and a secret on its command line
  const taskFamily = 'cnry-task-billing';
  const ecsEnv = environment(c, 'ECS env');
  const ecs = new ECSClient(cfg);
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: taskFamily,
      containerDefinitions: [
        {
          name: 'billing',
          image: 'public.ecr.aws/docker/library/node:22',
          memory: 512,
          environment: Object.entries(ecsEnv).map(([name, value]) => ({ name, value })),
          command: [
            'node',
            'migrate.js',
            `--database=postgres://billing:${c.make('ECS --database=postgres://…@db')}@db.internal:5432/billing`,
          ],
        },
      ],
    }),
  );
  ecs.destroy();

  // API Gateway: an API key with a chosen value, attached to a usage plan
  const apigw = new APIGatewayClient(cfg);
  const apiKeyName = 'cnry-key-partner';
  const key = await apigw.send(
    new CreateApiKeyCommand({ name: apiKeyName, enabled: true, value: c.make('API Gateway API key value', 40) }),
  );
  const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'cnry-plan-gold' }));
  await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
  apigw.destroy();

  // EC2: a site-to-site VPN with pre-shared keys (moto keeps none of the tunnel options and answers
  // with a fixed configuration whose PSK is adopted below)
  const ec2 = new EC2Client(cfg);
  const cgw = await ec2.send(
    new CreateCustomerGatewayCommand({ Type: 'ipsec.1', BgpAsn: 65000, IpAddress: '203.0.113.12' }),
  );
  const vgw = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }));
  const vpn = await ec2.send(
    new CreateVpnConnectionCommand({
      Type: 'ipsec.1',
      CustomerGatewayId: cgw.CustomerGateway?.CustomerGatewayId,
      VpnGatewayId: vgw.VpnGateway?.VpnGatewayId,
      Options: {
        StaticRoutesOnly: true,
        TunnelOptions: [
          { PreSharedKey: c.make('VPN tunnel 1 PreSharedKey (sent; moto 5.2.5 drops it)', 32) },
          { PreSharedKey: c.make('VPN tunnel 2 PreSharedKey (sent; moto 5.2.5 drops it)', 32) },
        ],
      },
      TagSpecifications: [{ ResourceType: 'vpn-connection', Tags: [{ Key: 'Name', Value: 'cnry-vpn-office' }] }],
    }),
  );
  const vpnConnectionId = vpn.VpnConnection?.VpnConnectionId ?? '';
  const psk = /<pre_shared_key>([^<]+)<\/pre_shared_key>/.exec(vpn.VpnConnection?.CustomerGatewayConfiguration ?? '');
  if (psk?.[1]) c.adopt("VPN PSK in moto's CustomerGatewayConfiguration XML", psk[1]);

  // EC2: user data of an instance and of a launch template (base64)
  const userData = (what: string) =>
    b64(
      '#!/bin/bash\n' +
        `echo 'DB_PASSWORD=${c.make(`${what} user data DB_PASSWORD=…`)}' >> /etc/app.env\n` +
        `echo '${c.make(`${what} user data bare licence key`, 24)}' > /etc/app/licence\n`,
    );
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      UserData: userData('EC2 instance'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'cnry-ssm-host' }] }],
    }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId ?? '';
  const launchTemplateName = 'cnry-lt-web';
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: launchTemplateName,
      LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro', UserData: userData('launch template') },
    }),
  );
  ec2.destroy();

  const autoscaling = new AutoScalingClient(cfg);
  const launchConfigurationName = 'cnry-lc-web';
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: launchConfigurationName,
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.micro',
      UserData: userData('launch configuration'),
    }),
  );
  autoscaling.destroy();

  // CloudFormation: NoEcho parameters, one by its Default in the template, one given at creation
  const stackName = 'cnry-stack-db';
  const changeSetName = 'cnry-change-rotate';
  const noEchoParameters = ['DbPassword', 'ApiToken'];
  const template = JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      DbPassword: { Type: 'String', NoEcho: true, Default: c.make('CloudFormation NoEcho parameter Default') },
      ApiToken: { Type: 'String', NoEcho: true },
      Stage: { Type: 'String', Default: 'prod' },
    },
    Resources: { AlertsTopic: { Type: 'AWS::SNS::Topic' } },
  });
  const cfn = new CloudFormationClient(cfg);
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: template,
      Parameters: [
        { ParameterKey: 'ApiToken', ParameterValue: c.make('CloudFormation NoEcho ParameterValue (CreateStack)') },
      ],
    }),
  );
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: 'UPDATE',
      TemplateBody: template,
      Parameters: [
        { ParameterKey: 'ApiToken', ParameterValue: c.make('CloudFormation NoEcho ParameterValue (CreateChangeSet)') },
      ],
    }),
  );
  cfn.destroy();

  // SSM: commands sent with secrets in their parameters, a maintenance window task, a SecureString
  const ssm = new SSMClient(cfg);
  const docName = 'cnry-migrate';
  await ssm.send(
    new CreateDocumentCommand({
      Name: docName,
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
      Content: JSON.stringify({
        schemaVersion: '2.2',
        description: 'Runs the migrations',
        parameters: { DatabaseUrl: { type: 'String', description: 'where to migrate' } },
        mainSteps: [
          {
            action: 'aws:runShellScript',
            name: 'migrate',
            inputs: { runCommand: ['./migrate --url "{{ DatabaseUrl }}"'] },
          },
        ],
      }),
    }),
  );
  const shell = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [instanceId],
      Comment: 'cnry deploy',
      Parameters: {
        commands: [
          `export TOKEN=${c.make('SSM SendCommand commands "export TOKEN=…"')}; ./deploy.sh`,
          `mysql -h db.internal -u admin -p${c.make('SSM SendCommand commands "mysql -p…"', 24)} -e 'select 1'`,
        ],
      },
    }),
  );
  const migrate = await ssm.send(
    new SendCommandCommand({
      DocumentName: docName,
      InstanceIds: [instanceId],
      Comment: 'cnry migrate',
      Parameters: {
        DatabaseUrl: [
          `postgres://app:${c.make('SSM SendCommand parameter DatabaseUrl=postgres://app:…@db')}@db.internal:5432/app`,
        ],
      },
    }),
  );
  const commandIds = [shell.Command?.CommandId ?? '', migrate.Command?.CommandId ?? ''];
  const window = await ssm.send(
    new CreateMaintenanceWindowCommand({
      Name: 'cnry-mw-rotate',
      Schedule: 'cron(0 4 ? * SUN *)',
      Duration: 2,
      Cutoff: 1,
      AllowUnassociatedTargets: true,
    }),
  );
  const windowId = window.WindowId ?? '';
  const windowTask = await ssm.send(
    new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId,
      Name: 'cnry-task-rotate',
      TaskType: 'RUN_COMMAND',
      TaskArn: 'AWS-RunShellScript',
      Targets: [{ Key: 'InstanceIds', Values: [instanceId] }],
      MaxConcurrency: '1',
      MaxErrors: '1',
      TaskParameters: {
        commands: { Values: [`export TOKEN=${c.make('SSM maintenance window TaskParameters "export TOKEN=…"')}`] },
      },
      TaskInvocationParameters: {
        RunCommand: {
          Parameters: {
            commands: [`./rotate --password ${c.make('SSM maintenance window RunCommand "--password …"')}`],
          },
        },
      },
    }),
  );
  const parameterName = '/cnry/db/password';
  await ssm.send(
    new PutParameterCommand({ Name: parameterName, Type: 'SecureString', Value: c.make('SSM SecureString value') }),
  );
  ssm.destroy();

  // Secrets Manager
  const secretName = 'cnry/db/credentials';
  const sm = new SecretsManagerClient(cfg);
  await sm.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({ username: 'app', password: c.make('Secrets Manager SecretString') }),
    }),
  );
  sm.destroy();

  // CloudFront: an origin custom header that the origin checks (a shared secret)
  const originHeaderName = 'X-Origin-Verify';
  const cf = new CloudFrontClient(global);
  const dist = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'cnry-dist',
        Comment: 'cnry-dist',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'cnry-origin',
              DomainName: 'origin.example.com',
              CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
              CustomHeaders: {
                Quantity: 1,
                Items: [{ HeaderName: originHeaderName, HeaderValue: c.make('CloudFront origin custom header value') }],
              },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'cnry-origin',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  cf.destroy();

  // IAM: a virtual MFA device's seed, an access key's secret (both made by moto), a console password
  const iam = new IAMClient(global);
  const mfa = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'cnry-mfa-ops' }));
  const seed = mfa.VirtualMFADevice?.Base32StringSeed;
  if (seed) c.adopt('IAM virtual MFA Base32StringSeed (made by moto)', new TextDecoder().decode(seed));
  const userName = 'cnry-user-ci';
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const ak = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  if (ak.AccessKey?.SecretAccessKey) c.adopt('IAM SecretAccessKey (made by moto)', ak.AccessKey.SecretAccessKey);
  await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: c.make('IAM login profile password') }));
  iam.destroy();

  // RDS: the master password
  const dbInstanceId = 'cnry-db-orders';
  const rds = new RDSClient(cfg);
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: dbInstanceId,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'orders',
      MasterUserPassword: c.make('RDS MasterUserPassword'),
    }),
  );
  rds.destroy();

  // SNS: an HTTPS subscription with basic auth in its endpoint
  const sns = new SNSClient(cfg);
  const topic = await sns.send(new CreateTopicCommand({ Name: 'cnry-topic-alerts' }));
  const sub = await sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'https',
      Endpoint: `https://hook:${c.make('SNS https endpoint basic-auth password')}@alerts.example.com/sns`,
      ReturnSubscriptionArn: true,
    }),
  );
  sns.destroy();

  // CloudWatch Logs: an application that logged secrets in recognisable shapes
  const logGroupName = '/aws/lambda/cnry-fn-payments';
  const logStreamName = '2025/01/01/[$LATEST]cnry';
  const logs = new CloudWatchLogsClient(cfg);
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  const lines = [
    `connecting to redis://:${c.make('log line redis://:…@cache:6379')}@cache:6379`,
    `charging with sk_live_${c.make('log line sk_live_…', 28)}`,
    `posting to https://hooks.slack.com/services/T000/B000/${c.make('log line Slack webhook', 24)}`,
    `GET /repos with Authorization: Bearer ${c.make('log line Authorization: Bearer …', 40)}`,
    `cloning with github_pat_${c.make('log line github_pat_…', 22)}_${c.make('log line github_pat_ second part', 59)}`,
    `mail via SG.${c.make('log line SG.… first part', 22)}.${c.make('log line SG.… second part', 43)}`,
  ];
  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName,
      logStreamName,
      logEvents: lines.map((message, i) => ({ timestamp: now + i, message })),
    }),
  );
  logs.destroy();

  return {
    functionName,
    envNames: Object.keys(lambdaEnv),
    taskFamily,
    usagePlanId: plan.id ?? '',
    apiKeyId: key.id ?? '',
    apiKeyName,
    vpnConnectionId,
    stackName,
    changeSetName,
    noEchoParameters,
    instanceId,
    commandIds,
    windowId,
    windowTaskId: windowTask.WindowTaskId ?? '',
    parameterName,
    secretName,
    distributionId: dist.Distribution?.Id ?? '',
    originHeaderName,
    mfaSerial: mfa.VirtualMFADevice?.SerialNumber ?? '',
    userName,
    accessKeyId: ak.AccessKey?.AccessKeyId ?? '',
    launchTemplateName,
    launchConfigurationName,
    dbInstanceId,
    topicArn: topic.TopicArn ?? '',
    subscriptionArn: sub.SubscriptionArn ?? '',
    logGroupName,
    logStreamName,
  };
}

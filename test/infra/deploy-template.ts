/**
 * Reading a synthesized template as a deployed account would see it: CloudFormation intrinsics
 * resolved to concrete strings (fixed account and region, physical names made from the stack name and
 * the logical id, as CloudFormation makes them), so its IAM policies can be evaluated by
 * @cloud-copilot/iam-simulate and its runtime configuration sent to the control-plane stand-in.
 */
import { ACCOUNT, REGION } from '../services/fake-agentcore-control.ts';

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A runtime id's random part (10 letters or digits), the same for every runtime here. */
export const RUNTIME_ID_SUFFIX = 'AbCdE12345';

export class DeployedTemplate {
  readonly json: TemplateJson;
  readonly stackName: string;

  constructor(json: unknown, stackName: string) {
    this.json = json as TemplateJson;
    this.stackName = stackName;
  }

  /** The physical name CloudFormation would give a resource: stack name, logical id (and a suffix). */
  private physical(id: string): string {
    return `${this.stackName}-${id}`;
  }

  private attribute(id: string, attr: string): string {
    const r = this.json.Resources[id];
    if (r?.Type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${this.physical(id)}`;
    if (r?.Type === 'AWS::BedrockAgentCore::Runtime') {
      const runtimeId = `${String(r.Properties?.AgentRuntimeName)}-${RUNTIME_ID_SUFFIX}`;
      if (attr === 'AgentRuntimeId') return runtimeId;
      if (attr === 'AgentRuntimeArn') return `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${runtimeId}`;
      if (attr === 'AgentRuntimeVersion') return '1';
    }
    if (r?.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${this.physical(id).toLowerCase()}`;
    return `arn:aws:fake:${REGION}:${ACCOUNT}:${this.physical(id)}/${attr}`;
  }

  private ref(name: string): string {
    return PSEUDO[name] ?? this.physical(name).toLowerCase();
  }

  /** The value with every Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split replaced. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    const [k] = keys;
    if (keys.length === 1 && k) {
      const arg = o[k];
      if (k === 'Ref') return this.ref(String(arg));
      if (k === 'Fn::GetAtt') {
        const [id, attr] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
        return this.attribute(id, attr);
      }
      if (k === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(sep);
      }
      if (k === 'Fn::Sub') {
        const [text, vars] = (typeof arg === 'string' ? [arg, {}] : arg) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name in vars) return String(this.resolve(vars[name]));
          const [id, attr] = name.split('.') as [string, string | undefined];
          return attr ? this.attribute(id, attr) : this.ref(id);
        });
      }
      if (k === 'Fn::Select') {
        const [i, list] = arg as [number, unknown];
        return (this.resolve(list) as unknown[])[Number(i)];
      }
      if (k === 'Fn::Split') {
        const [sep, text] = arg as [string, unknown];
        return String(this.resolve(text)).split(sep);
      }
    }
    return Object.fromEntries(keys.map((key) => [key, this.resolve(o[key])]));
  }

  /** The one resource of a type: its logical id and its resolved properties. */
  only(type: string): [string, Record<string, unknown>] {
    const found = Object.entries(this.json.Resources).filter(([, r]) => r.Type === type);
    if (found.length !== 1) throw new Error(`${found.length} resources of type ${type}`);
    const [id, r] = found[0]!;
    return [id, this.resolve(r.Properties ?? {}) as Record<string, unknown>];
  }

  /** Resolved properties of a Lambda function by the start of its logical id. */
  fn(prefix: string): [string, Record<string, unknown>] {
    const found = Object.entries(this.json.Resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
    );
    if (!found) throw new Error(`no function ${prefix}*`);
    return [found[0], this.resolve(found[1].Properties ?? {}) as Record<string, unknown>];
  }

  /** Logical id of the role a Lambda function runs as. */
  functionRole(prefix: string): string {
    const found = Object.entries(this.json.Resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
    );
    const role = found?.[1].Properties?.Role as { 'Fn::GetAtt': string[] } | undefined;
    if (!role) throw new Error(`no function ${prefix}* with a role`);
    return role['Fn::GetAtt'][0]!;
  }

  roleArn(roleId: string): string {
    return this.attribute(roleId, 'Arn');
  }

  /** The inline policies attached to a role (AWS::IAM::Policy resources naming it), resolved. */
  rolePolicies(roleId: string): { name: string; policy: PolicyDocument }[] {
    return Object.entries(this.json.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles ?? []).includes(`{"Ref":"${roleId}"}`),
      )
      .map(([id, r]) => ({ name: id, policy: this.resolve(r.Properties?.PolicyDocument) as PolicyDocument }));
  }

  statementsOf(roleId: string): Statement[] {
    return this.rolePolicies(roleId).flatMap((p) => p.policy.Statement);
  }

  /** A role's resolved trust policy. */
  trustOf(roleId: string): PolicyDocument {
    return this.resolve(this.json.Resources[roleId]?.Properties?.AssumeRolePolicyDocument) as PolicyDocument;
  }
}

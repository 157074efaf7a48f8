/**
 * The member account's tool role, deployed two ways (the CDK member stack, `-c member=true`, and the
 * StackSets template of `npm run member-template`): trusted by the hub's runtime role and the listed
 * developers only, carrying the hub's tool role policies under the same names, and synthesised offline
 * with cdk-nag passing. Its IAM evaluation is in read-only-layers.test.ts, its lint in cfn-lint.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { managedPolicyNames, readOnlyDocuments } from '../../common/policy/index.ts';
import { memberPropsFromContext } from '../../infra/context.ts';
import { AwsAskMemberStack } from '../../infra/member-stack.ts';
import { TEMPLATE_BODY_MAX_BYTES } from '../../infra/member-template.ts';
import {
  type CfnTemplate,
  HUB_RUNTIME_ROLE_ARN,
  MEMBER_DEVELOPER,
  MEMBER_PROPS,
  synthesize,
  synthesizeMember,
  synthesizeMemberTemplate,
  TemplateResolver,
} from '../helpers/template.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const hub = synthesize();
const member = synthesizeMember();
const stackSets = synthesizeMemberTemplate();

const ofType = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** The template's tool role policies, resolved: name and document, in the order the role attaches them. */
function toolPolicies(t: CfnTemplate): { name: string; document: unknown }[] {
  const resolver = new TemplateResolver(t);
  const [, role] = ofType(t, 'AWS::IAM::Role').find(([, r]) =>
    String(r.Properties?.Description).includes('read-only tool role'),
  ) ?? ['', undefined];
  const attached = resolver.resolve(role?.Properties?.ManagedPolicyArns) as string[];
  const byArn = new Map(ofType(t, 'AWS::IAM::ManagedPolicy').map(([id, r]) => [resolver.ref(id), r]));
  return attached.map((arn) => {
    const p = byArn.get(arn);
    if (!p) throw new Error(`${arn} is not a managed policy of the template`);
    return {
      name: resolver.str(p.Properties?.ManagedPolicyName),
      document: resolver.resolve(p.Properties?.PolicyDocument),
    };
  });
}

/** Every principal the role's trust policy names, per action. */
function trusted(t: CfnTemplate): Record<string, string[]> {
  const resolver = new TemplateResolver(t);
  const [[, role] = ['', undefined]] = ofType(t, 'AWS::IAM::Role');
  const doc = resolver.resolve(role?.Properties?.AssumeRolePolicyDocument) as {
    Statement: { Effect: string; Action: string; Principal: { AWS: string | string[] }; Condition?: unknown }[];
  };
  const out: Record<string, string[]> = {};
  for (const s of doc.Statement) {
    expect(s.Effect).toBe('Allow');
    expect(Object.keys(s.Principal)).toEqual(['AWS']);
    out[s.Action] = [...(out[s.Action] ?? []), ...[s.Principal.AWS].flat()].sort();
  }
  return out;
}

describe('the member tool role', () => {
  for (const [label, t] of [
    ['CDK member stack', member.template],
    ['StackSets template', stackSets.template],
  ] as const) {
    it(`${label}: one role, its managed policies, nothing else`, () => {
      const types = Object.values(t.Resources).map((r) => r.Type);
      expect(new Set(types)).toEqual(new Set(['AWS::IAM::Role', 'AWS::IAM::ManagedPolicy']));
      expect(types.filter((x) => x === 'AWS::IAM::Role')).toHaveLength(1);
    });

    it(`${label}: trusted by the hub's runtime role and the listed developer only`, () => {
      const expected = [HUB_RUNTIME_ROLE_ARN, MEMBER_DEVELOPER].sort();
      expect(trusted(t)).toEqual({ 'sts:AssumeRole': expected, 'sts:SetSourceIdentity': expected });
    });

    it(`${label}: the hub's tool role policies, under the same names, ReadOnlyAccess as the boundary`, () => {
      const mine = toolPolicies(t);
      expect(mine).toEqual(toolPolicies(hub.template));
      expect(mine.map((p) => p.name)).toEqual([...hub.stack.toolRole.policyNames]);
      const [[, role] = ['', undefined]] = ofType(t, 'AWS::IAM::Role');
      const resolver = new TemplateResolver(t);
      expect(resolver.str(role?.Properties?.RoleName)).toBe(hub.stack.toolRoleName);
      expect(resolver.str(role?.Properties?.PermissionsBoundary)).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
    });
  }

  it('names its policies <tool role>-allow-<n> and <tool role>-deny-<n> (managedPolicyNames)', async () => {
    const docs = await readOnlyDocuments();
    const names = managedPolicyNames(MEMBER_PROPS.toolRoleName, docs);
    expect(names[0]).toBe(`${MEMBER_PROPS.toolRoleName}-allow-1`);
    expect(names.at(-1)).toBe(`${MEMBER_PROPS.toolRoleName}-deny-${docs.deny.length}`);
    expect(names).toHaveLength(docs.allow.length + docs.deny.length);
    expect(member.stack.toolRole.policyNames).toEqual(names);
  });

  it('the member stack and the StackSets template pass cdk-nag AwsSolutions', () => {
    for (const s of [member.stack, stackSets.stack]) {
      const report = new AwsSolutionsChecks(s).validateScope(s);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  it('the StackSets template: parameters, no CDK bootstrap (BootstrapVersion, assets) or metadata', () => {
    const t = stackSets.template as CfnTemplate & Record<string, unknown>;
    expect(Object.keys(t.Parameters ?? {}).sort()).toEqual(['HubRuntimeRoleArn', 'ToolRoleName']);
    expect(t.Rules).toBeUndefined();
    expect(t.Metadata).toBeUndefined();
    expect(Object.values(t.Resources).filter((r) => 'Metadata' in r)).toEqual([]);
    const text = JSON.stringify(t);
    expect(text).not.toMatch(/BootstrapVersion|cdk-hnb659fds|CDKMetadata|aws:cdk/);
    expect(Buffer.byteLength(text), 'small enough for --template-body').toBeLessThan(TEMPLATE_BODY_MAX_BYTES);
  });

  it('without hubRuntimeRoleArn the StackSets parameter has no default; the stack refuses to synthesise', () => {
    const { template } = synthesizeMemberTemplate({ toolRoleName: 'x-tool' });
    expect(template.Parameters?.HubRuntimeRoleArn?.Default).toBeUndefined();
    expect(() => new AwsAskMemberStack(new App(), 'NoHub', { toolRoleName: 'x-tool' })).toThrow(/hubRuntimeRoleArn/);
  });

  it('reads and checks its CDK context: the hub role is required, the names follow the hub stack name', () => {
    const ctx = (o: Record<string, unknown>) => memberPropsFromContext((k) => o[k]);
    expect(ctx({ hubRuntimeRoleArn: HUB_RUNTIME_ROLE_ARN })).toEqual({
      stackName: 'aws-ask-member',
      props: {
        toolRoleName: 'aws-ask-tool',
        hubRuntimeRoleArn: HUB_RUNTIME_ROLE_ARN,
        localPrincipalArns: [],
        denyActions: [],
      },
    });
    expect(ctx({ hubRuntimeRoleArn: HUB_RUNTIME_ROLE_ARN, stackName: 'ask-prod' }).props.toolRoleName).toBe(
      'ask-prod-tool',
    );
    expect(() => ctx({})).toThrow(/context hubRuntimeRoleArn is not set/);
    expect(() => ctx({ hubRuntimeRoleArn: 'arn:aws:iam::123456789012:user/me' })).toThrow(/not an IAM role ARN/);
    expect(() => ctx({ hubRuntimeRoleArn: HUB_RUNTIME_ROLE_ARN, toolRoleName: 'a b' })).toThrow(/toolRoleName/);
    expect(memberPropsFromContext(() => undefined, { hubRequired: false }).props.hubRuntimeRoleArn).toBeUndefined();
  });

  it('npm run synth -- -c member=true synthesises the member stack offline', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aws-ask-cdk-member-'));
    const r = await new Promise<{ code: number | null; err: string }>((ok) => {
      const child = spawn(
        'npm',
        [
          'run',
          '-s',
          'synth',
          '--',
          '--output',
          out,
          '-c',
          'member=true',
          '-c',
          `hubRuntimeRoleArn=${HUB_RUNTIME_ROLE_ARN}`,
        ],
        { cwd: root, env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' } },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => ok({ code, err }));
    });
    expect(r.code, r.err).toBe(0);
    const t = JSON.parse(readFileSync(join(out, 'aws-ask-member.template.json'), 'utf8')) as CfnTemplate;
    expect(trusted(t)['sts:AssumeRole']).toEqual([HUB_RUNTIME_ROLE_ARN]);
  }, 180_000);
});

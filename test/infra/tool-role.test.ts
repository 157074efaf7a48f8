import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SENSITIVE_ACTIONS } from '../../agent/policy.ts';
import { AwsAskStack } from '../../infra/stack.ts';

const synth = (localPrincipalArns: string[]) =>
  Template.fromStack(new AwsAskStack(new App(), 'Test', { localPrincipalArns }));

describe('tool role', () => {
  const me = 'arn:aws:iam::123456789012:role/developer';

  it('has ReadOnlyAccess and a Deny whose actions are the policy module\'s list', () => {
    const t = synth([me]);
    t.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
    });
    const policies = t.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Sid?: string; Effect: string; Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement);
    const deny = statements.find((s) => s.Sid === 'AwsAskDenySensitiveReads');
    expect(deny?.Effect).toBe('Deny');
    expect(deny?.Action).toEqual([...SENSITIVE_ACTIONS]);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('is trusted by the named principals only, never the account root, with SetSourceIdentity', () => {
    const t = synth([me]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sts:AssumeRole', Principal: { AWS: me } }),
          Match.objectLike({ Action: 'sts:SetSourceIdentity', Principal: { AWS: me } }),
        ]),
      },
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/:root"/);
  });

  it('refuses to synthesise a role nobody may assume, or a malformed principal', () => {
    expect(() => synth([])).toThrow(/localPrincipalArns/);
    expect(() => synth(['me'])).toThrow(/not an IAM user or role ARN/);
  });
});

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SENSITIVE_ACTIONS } from '../../common/policy/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(root, 'agent', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, AWS_ASK_DENY_ACTIONS: '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => ok({ code, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

describe('npm run policy -- check', () => {
  it('says allowed or refused, and why, for IAM and SDK spellings; exit 1 when any is refused', async () => {
    const r = await cli([
      'policy',
      'check',
      's3:ListBuckets',
      'ec2:terminate_instances',
      'secretsmanager:GetSecretValue',
    ]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('ALLOWED  s3:ListBuckets (as s3:ListAllMyBuckets): s3:ListAllMyBuckets is a List action.');
    expect(lines[1]).toMatch(/^REFUSED {2}ec2:terminate_instances \(as ec2:TerminateInstances\): .*Write action/);
    expect(lines[2]).toMatch(/^REFUSED {2}secretsmanager:GetSecretValue: .*sensitive list/);
  });

  it('exits 0 when every action is allowed', async () => {
    const r = await cli(['policy', 'check', 'ec2:DescribeInstances', 'iam:ListRoles']);
    expect(r.code).toBe(0);
  });

  it('--json prints one object per line, reading actions from stdin', async () => {
    const r = await cli(
      ['policy', 'check', '--json'],
      'ec2:DescribeInstances  # comment\n\niam:ListRoles, nosuch:Thing\n',
    );
    expect(r.code).toBe(1);
    const rows = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      {
        input: 'ec2:DescribeInstances',
        allowed: true,
        action: 'ec2:DescribeInstances',
        accessLevel: 'List',
        reason: 'ec2:DescribeInstances is a List action.',
      },
      {
        input: 'iam:ListRoles',
        allowed: true,
        action: 'iam:ListRoles',
        accessLevel: 'List',
        reason: 'iam:ListRoles is a List action.',
      },
      expect.objectContaining({ input: 'nosuch:Thing', allowed: false, accessLevel: null }),
    ]);
  });

  it('explains usage errors with exit 2', async () => {
    expect((await cli(['policy', 'check', '--frob', 'ec2:DescribeInstances'])).code).toBe(2);
    const empty = await cli(['policy', 'check'], '');
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/No actions on standard input/);
    const unknown = await cli(['nonsense']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Usage:/);
  });

  it('policy statements prints the allow and deny policies the role and session carry, with their sizes', async () => {
    const r = await cli(['policy', 'statements']);
    expect(r.code).toBe(0);
    const json = r.out.slice(0, r.out.lastIndexOf('}') + 1);
    const docs = JSON.parse(json) as Record<'allow' | 'deny', { Statement: { Sid: string; Action: string[] }[] }[]>;
    // the sensitive list, split into numbered statements when one policy cannot hold it
    const sensitive = docs.deny
      .flatMap((d) => d.Statement)
      .filter((st) => st.Sid.startsWith('AwsAskDenySensitiveReads'))
      .flatMap((st) => st.Action);
    expect(sensitive).toEqual([...SENSITIVE_ACTIONS]);
    expect(docs.allow.flatMap((d) => d.Statement.flatMap((s) => s.Action))).toContain('ec2:Describe*');
    expect(r.out).toMatch(
      /Managed policies: \d+ allow \([\d, ]+ characters\) and \d+ deny \([\d, ]+\), each at most 6144/,
    );
  });

  it("honours the operator's deny setting, and refuses a malformed one with exit 2", async () => {
    const env = { AWS_ASK_DENY_ACTIONS: 'logs:GetLogEvents,logs:FilterLogEvents' };
    const r = await cli(['policy', 'check', 'logs:get_log_events', 'logs:DescribeLogGroups'], undefined, env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REFUSED {2}logs:get_log_events .*turned off by this deployment's operator/);
    expect(r.out).toMatch(/ALLOWED {2}logs:DescribeLogGroups/);
    // npm run ask (like the agent server, npm run dev and synth) refuses to start with it
    const ask = await cli(['ask', 'how many buckets?'], undefined, {
      AWS_ASK_DENY_ACTIONS: 'logs:GetLogEvent',
      AGENT_TOOL_USE_AWS_PROFILE_NAME: 'dev',
      AWS_REGION: 'eu-west-1',
    });
    expect(ask.code).toBe(2);
    expect(ask.err).toMatch(/AWS_ASK_DENY_ACTIONS has "logs:GetLogEvent", which names no IAM action/);
    const bad = await cli(['policy', 'check', 'logs:DescribeLogGroups'], undefined, {
      AWS_ASK_DENY_ACTIONS: 'GetLogEvents',
    });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/AWS_ASK_DENY_ACTIONS has "GetLogEvents"/);
    expect(bad.out).toBe('');
  });

  it('judges API key reads as the tool does, whatever the case of the operation name', async () => {
    const r = await cli(['policy', 'check', 'apigateway:GetApikeys', 'apigateway:get_usage_plan_keys']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REFUSED {2}apigateway:GetApikeys .*key values/);
    expect(r.out).toMatch(/REFUSED {2}apigateway:get_usage_plan_keys .*key values/);
  });

  it('judges apigateway:GET as itself (API Gateway authorises by HTTP verb)', async () => {
    const r = await cli(['policy', 'check', 'apigateway:GET', 'apigateway:DELETE']);
    expect(r.out).toMatch(/ALLOWED {2}apigateway:GET: apigateway:GET is a Read action/);
    expect(r.out).toMatch(/REFUSED {2}apigateway:DELETE: apigateway:DELETE is a Write action/);
  });
});

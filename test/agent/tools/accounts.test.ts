/**
 * The tool's `account` and `accounts` (common/accounts.ts, agent/accounts.ts, agent/tools/accounts.ts):
 * one call in several accounts at once, keyed by account alias; an account outside the allowed set (or
 * the asker's scope) refused with nothing sent; a member whose role cannot be assumed failing alone;
 * every AssumeRole carrying the member's session policies and the asker; one AssumeRole per account
 * per asker. On moto, which puts an assumed role's resources in the account of its ARN.
 *
 * moto's AssumeRole accepts any role, existing or not, so a member "without the role" is made by a
 * stand-in in front of moto that answers that account's AssumeRole with STS's AccessDenied, as AWS does.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AccountDirectory, aliasAccounts } from '../../../agent/accounts.ts';
import { PinnedCredentials } from '../../../agent/credentials.ts';
import { toolScope } from '../../../agent/service/from-env.ts';
import type { ScopeFor } from '../../../agent/tools/accounts.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../../../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { callLabel } from '../../../bot/format.ts';
import { type AccountsConfig, readAccountsConfig, slugify } from '../../../common/accounts.ts';
import { ConfigError } from '../../../common/errors.ts';
import { readScopes } from '../../../common/scopes.ts';
import { SettingsReader } from '../../../common/settings.ts';
import { motoConfig } from '../../helpers/aws.ts';
import { ACCOUNT, seedRoles } from '../../helpers/seed.ts';
import { roleMode, SESSION_POLICY_ARNS } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RecordingProxy, startRecordingProxy } from '../../services/recording-proxy.ts';

// Regions and accounts no other suite uses.
const R1 = 'ap-south-2';
const R2 = 'ap-southeast-4';
const PROD = '310000000001';
const STAGING = '310000000002';
const GONE = '310000000003';
const ROLE = 'aws-ask-tool-accounts';
const COUNTS: Record<string, Record<string, number>> = {
  [PROD]: { [R1]: 3, [R2]: 1 },
  [STAGING]: { [R1]: 2, [R2]: 4 },
};
const COUNT = 'length(Reservations[].Instances[])';

let toolRoleArn: string;
let proxy: RecordingProxy;
let gate: Server;

const config = (accounts: readonly { alias: string; id: string }[]): AccountsConfig => ({
  source: { kind: 'list', accounts },
  home: { alias: 'hub', id: ACCOUNT },
});
const LISTED = [
  { alias: 'hub', id: ACCOUNT },
  { alias: 'prod', id: PROD },
  { alias: 'staging', id: STAGING },
];

function makeTool(
  accounts: readonly { alias: string; id: string }[] = LISTED,
  records?: AwsCallRecord[],
  scopeFor?: ScopeFor,
): FunctionTool {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: R1 });
  const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: R1 });
  return createControlledUseAws({
    credentials,
    caller,
    accounts: new AccountDirectory(config(accounts)),
    ...(records ? { onCall: (r) => records.push(r) } : {}),
    ...(scopeFor ? { scopeFor } : {}),
  });
}

const call = (extra: Record<string, unknown> = {}) => ({
  service_name: 'ec2',
  operation_name: 'DescribeInstances',
  parameters: {},
  label: 'Count instances',
  query: COUNT,
  ...extra,
});
const jsonOf = (text: string): unknown => JSON.parse(text.split('\n')[1] ?? 'null');
const assumeCalls = () => proxy.requests.filter((r) => r.action === 'AssumeRole');
const formOf = (body: string) => new URLSearchParams(body);

/** In front of moto: GONE's AssumeRole answered as AWS answers for a role that is not there. */
async function startRoleGate(target: string): Promise<Server> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') === 'AssumeRole' && form.get('RoleArn')?.includes(`::${GONE}:`)) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            `<Code>AccessDenied</Code><Message>not authorized to perform: sts:AssumeRole on ${form.get('RoleArn')}` +
            '</Message></Error><RequestId>0</RequestId></ErrorResponse>',
        );
        return;
      }
      const up = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return server;
}

/** Instances in a member account: moto puts what an assumed role makes in the account of the role's ARN. */
async function seedMember(moto: string, account: string, counts: Record<string, number>): Promise<void> {
  const sts = new STSClient(motoConfig('us-east-1', moto));
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/seed`, RoleSessionName: 'seed' }),
  );
  sts.destroy();
  const c = out.Credentials;
  const credentials = {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  };
  for (const [region, n] of Object.entries(counts)) {
    const ec2 = new EC2Client({ region, endpoint: moto, credentials });
    for (let i = 0; i < n; i++) {
      await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
    }
    ec2.destroy();
  }
}

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', [ROLE])) as [string];
  await Promise.all(Object.entries(COUNTS).map(([account, counts]) => seedMember(moto, account, counts)));
  gate = await startRoleGate(moto);
  proxy = await startRecordingProxy(`http://127.0.0.1:${(gate.address() as AddressInfo).port}`);
  process.env.AWS_ENDPOINT_URL = proxy.url;
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await new Promise((ok) => gate?.close(ok));
});

describe('several accounts in one call', () => {
  it('counts instances per account and region in one fan-out, one record naming the accounts', async () => {
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool(LISTED, records), call({ accounts: 'all', regions: [R1, R2] }), {
      asker: { teamId: 'T1', userId: 'UFAN' },
    });
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual({
      hub: { [R1]: 0, [R2]: 0 },
      prod: { [R1]: 3, [R2]: 1 },
      staging: { [R1]: 2, [R2]: 4 },
    });
    expect(r.text.split('\n')[0]).toBe(
      `ec2:DescribeInstances in 3 account(s) (hub, prod, staging) × 2 region(s) (${R1}, ${R2}): 6 answered, ` +
        '0 failed; 6 page(s), 10 item(s); every page read. The query ran in each account and region. ' +
        'Results by account, then region:',
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      account: '3 accounts',
      accounts: ['hub', 'prod', 'staging'],
      region: '2 regions',
      regions: [R1, R2],
      ok: true,
      items: 10,
    });
    expect(callLabel({ ...records[0]!, id: 't' })).toBe('3 accounts · `ec2:DescribeInstances` · 2 regions · 6 pages');
  });

  it('without regions, keyed by account alone; one account by alias or id, named in the record', async () => {
    const records: AwsCallRecord[] = [];
    const tool = makeTool(LISTED, records);
    const r = await runTool(tool, call({ accounts: ['staging', PROD], region: R2 }));
    expect(jsonOf(r.text)).toEqual({ staging: 4, prod: 1 });
    const one = await runTool(tool, call({ account: STAGING, region: R1 }));
    expect(one.text.split('\n')[0]).toMatch(new RegExp(`^ec2:DescribeInstances in account staging, ${R1}:`));
    expect(jsonOf(one.text)).toBe(2);
    expect(records[1]).toMatchObject({ account: 'staging', region: R1 });
    expect(callLabel({ ...records[1]!, id: 't' })).toBe(`staging · \`ec2:DescribeInstances\` · ${R1}`);
    // no account: the home account, named too
    await runTool(tool, call({ region: R1 }));
    expect(records[2]).toMatchObject({ account: 'hub', region: R1 });
  });

  it('a member whose role cannot be assumed fails alone, said for that account', async () => {
    const records: AwsCallRecord[] = [];
    const tool = makeTool([...LISTED, { alias: 'gone', id: GONE }], records);
    const before = proxy.count('DescribeInstances');
    const r = await runTool(tool, call({ accounts: 'all', region: R1 }), { asker: { teamId: 'T1', userId: 'UGONE' } });
    expect(r.status).toBe('success');
    expect(jsonOf(r.text)).toEqual({ hub: 0, prod: 3, staging: 2 });
    expect(r.text).toContain(
      `Note: Failed in gone: Account gone (${GONE}) could not be read: could not assume the tool role ` +
        `arn:aws:iam::${GONE}:role/${ROLE}`,
    );
    expect(r.text).toContain('The result has nothing for this account; say so.');
    expect(records[0]).toMatchObject({ ok: true, accountErrors: { gone: 'AssumeRoleFailed' } });
    expect(callLabel({ ...records[0]!, id: 't' })).toContain('1 of 4 accounts failed');
    // no EC2 call went to the account without credentials: one per account that has them
    expect(proxy.count('DescribeInstances') - before).toBe(3);
  });
});

describe('the allowed accounts', () => {
  it('refuses an account outside the set, naming the allowed ones, with nothing sent', async () => {
    const before = proxy.requests.length;
    const records: AwsCallRecord[] = [];
    const tool = makeTool(LISTED, records);
    const r = await runTool(tool, call({ account: 'qa', region: R1 }));
    expect(r.status).toBe('error');
    expect(r.text).toContain(
      `Refused: account qa is not allowed here. This bot may read hub (${ACCOUNT}), prod (${PROD}) and staging ` +
        `(${STAGING}). No AWS call was made.`,
    );
    const some = await runTool(tool, call({ accounts: ['prod', '999999999999'], region: R1 }));
    expect(some.text).toContain('Refused: account 999999999999 is not allowed here.');
    expect(records.map((x) => [x.refused, x.errorCode])).toEqual([
      [true, 'AccountNotAllowed'],
      [true, 'AccountNotAllowed'],
    ]);
    const both = await runTool(tool, call({ account: 'prod', accounts: ['staging'] }));
    expect(both.text).toContain('Give either account (one account) or accounts');
    const bad = await runTool(tool, call({ account: 'arn:aws:iam::1:role/x' }));
    expect(bad.text).toContain('is not an account name');
    expect(proxy.requests.length).toBe(before);
  });

  it("narrows to the asker's scope, and says so", async () => {
    const before = proxy.requests.length;
    const scopeFor: ScopeFor = (asker) =>
      asker?.channelId === 'C0OPS' ? { accounts: ['prod'], regions: [R1] } : undefined;
    const tool = makeTool(LISTED, undefined, scopeFor);
    const ops = { asker: { teamId: 'T1', userId: 'USCOPE', channelId: 'C0OPS' } };
    const r = await runTool(tool, call({ account: 'staging', region: R1 }), ops);
    expect(r.text).toContain(`This channel may ask about prod (${PROD}). No AWS call was made.`);
    const home = await runTool(tool, call({ region: R1 }), ops);
    expect(home.text).toContain('Refused: account hub is not allowed here.');
    const region = await runTool(tool, call({ account: 'prod', region: R2 }), ops);
    expect(region.text).toContain(`Refused: ${R2} is outside what this channel may ask about.`);
    expect(proxy.requests.length).toBe(before);
    const all = await runTool(tool, call({ accounts: 'all', regions: 'all' }), ops);
    expect(jsonOf(all.text)).toEqual({ prod: { [R1]: 3 } });
  });

  it('takes the scope from AWS_ASK_SCOPES as the agent reads it (toolScope)', async () => {
    const before = proxy.requests.length;
    const read = new SettingsReader({
      AWS_ASK_ACCOUNTS: `prod=${PROD},staging=${STAGING}`,
      TOOL_ROLE_ARN: toolRoleArn,
      AWS_ASK_SCOPES: JSON.stringify({
        default: { accounts: ['staging'] },
        channels: { C0OPS: { accounts: ['prod'] } },
      }),
    });
    const scopes = read.done(readScopes(read));
    const tool = makeTool(LISTED, undefined, toolScope(scopes));
    const inOps = { asker: { teamId: 'T1', userId: 'USCOPE2', channelId: 'C0OPS' } };
    const elsewhere = { asker: { teamId: 'T1', userId: 'USCOPE2', channelId: 'C0OTHER' } };
    expect((await runTool(tool, call({ account: 'staging', region: R1 }), inOps)).text).toContain(
      `This channel may ask about prod (${PROD}).`,
    );
    expect((await runTool(tool, call({ account: 'prod', region: R1 }), elsewhere)).text).toContain(
      'Refused: account prod is not allowed here.',
    );
    expect(proxy.requests.length).toBe(before);
    // one region: the result is keyed by account alone
    expect(jsonOf((await runTool(tool, call({ accounts: 'all', region: R1 }), inOps)).text)).toEqual({ prod: 3 });
  });
});

describe('credentials per account', () => {
  it('one AssumeRole per account per asker, each with the member role, its policies and the asker', async () => {
    const tool = makeTool();
    const before = assumeCalls().length;
    const asker = { asker: { teamId: 'T0TEAM', userId: 'U0CACHE' } };
    for (let i = 0; i < 5; i++) {
      const r = await runTool(tool, call({ accounts: 'all', region: R1 }), asker);
      expect(jsonOf(r.text)).toEqual({ hub: 0, prod: 3, staging: 2 });
    }
    const calls = assumeCalls().slice(before);
    expect(calls).toHaveLength(3);
    const byRole = new Map(calls.map((c) => [formOf(c.body).get('RoleArn'), formOf(c.body)]));
    expect([...byRole.keys()].sort()).toEqual(
      [toolRoleArn, `arn:aws:iam::${PROD}:role/${ROLE}`, `arn:aws:iam::${STAGING}:role/${ROLE}`].sort(),
    );
    for (const [roleArn, form] of byRole) {
      const account = /::(\d{12}):/.exec(roleArn ?? '')?.[1] as string;
      const arns = [...form.entries()].filter(([k]) => /^PolicyArns\.member\.\d+\.arn$/.test(k)).map(([, v]) => v);
      expect(arns).toEqual(SESSION_POLICY_ARNS.map((a) => a.replace(`::${ACCOUNT}:`, `::${account}:`)));
      expect(form.get('SourceIdentity')).toBe('slack.T0TEAM.U0CACHE');
      expect(form.get('RoleSessionName')).toBe('slack.T0TEAM.U0CACHE');
    }
    // another asker: sessions of their own
    await runTool(tool, call({ accounts: 'all', region: R1 }), { asker: { teamId: 'T0TEAM', userId: 'U0OTHER' } });
    expect(assumeCalls().length - before).toBe(6);
  });

  it('TOOL_ROLE_NAME names the role in members; the home account keeps TOOL_ROLE_ARN', () => {
    const credentials = new PinnedCredentials(roleMode(toolRoleArn), { memberRoleName: 'ops/reader' });
    expect(credentials.roleArnFor(PROD)).toBe(`arn:aws:iam::${PROD}:role/ops/reader`);
    expect(credentials.roleArnFor(ACCOUNT)).toBe(toolRoleArn);
    expect(credentials.forAsker(undefined, ACCOUNT).key).toBe(credentials.forAsker().key);
  });
});

describe('AWS_ASK_ACCOUNTS', () => {
  const read = (env: Record<string, string>) => {
    const r = new SettingsReader(env);
    return r.done(readAccountsConfig(r, env.TOOL_ROLE_ARN));
  };
  const HUB = 'arn:aws:iam::111111111111:role/aws-ask-tool';

  it('reads a list; the tool role account is home, by its alias or "default"', () => {
    expect(read({ TOOL_ROLE_ARN: HUB, AWS_ASK_ACCOUNTS: 'prod=111111111111, staging=222222222222' })).toEqual({
      source: {
        kind: 'list',
        accounts: [
          { alias: 'prod', id: '111111111111' },
          { alias: 'staging', id: '222222222222' },
        ],
      },
      home: { alias: 'prod', id: '111111111111' },
    });
    const cfg = read({ TOOL_ROLE_ARN: HUB, AWS_ASK_ACCOUNTS: 'staging=222222222222', TOOL_ROLE_NAME: 'reader' });
    expect(cfg?.home).toEqual({ alias: 'default', id: '111111111111' });
    expect(cfg?.roleName).toBe('reader');
    expect(read({ TOOL_ROLE_ARN: HUB })).toBeUndefined();
    expect(read({ TOOL_ROLE_ARN: HUB, AWS_ASK_ACCOUNTS: 'organization:ou-ab12-11111111' })?.source).toEqual({
      kind: 'organization',
      parents: ['ou-ab12-11111111'],
    });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      read({
        AWS_ASK_ACCOUNTS: 'Prod=111111111111,qa=12345,all=333333333333,a=444444444444,a=555555555555',
        TOOL_ROLE_NAME: 'bad name',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    for (const part of [
      'AWS_ASK_ACCOUNTS needs TOOL_ROLE_ARN',
      'TOOL_ROLE_NAME must be an IAM role name',
      '"Prod=111111111111"',
      '"qa=12345"',
      '"all" is a reserved word',
      'names the alias a twice',
    ]) {
      expect(text).toContain(part);
    }
    expect(() => read({ TOOL_ROLE_ARN: HUB, AWS_ASK_ACCOUNTS: 'organization:ou-x' })).toThrow(/OU ids like/);
    expect(() => read({ TOOL_ROLE_ARN: HUB, AWS_ASK_ACCOUNTS: 'default=222222222222' })).toThrow(
      /gives the alias "default" to another account/,
    );
  });

  it('organization accounts: ACTIVE only, names slugified, clashes settled by the id', async () => {
    expect(slugify('  Prod EU (main) ')).toBe('prod-eu-main');
    expect(
      aliasAccounts([
        { id: '222222222222', name: 'Data Lake', active: true },
        { id: '333333333333', name: 'data-lake', active: true },
        { id: '444444444444', name: 'Old', active: false },
        { id: '555555555555', name: 'All', active: true },
      ]),
    ).toEqual([
      { id: '222222222222', alias: 'data-lake' },
      { id: '333333333333', alias: 'data-lake-3333' },
      { id: '555555555555', alias: 'all-5555' },
    ]);
    let listed = 0;
    const directory = new AccountDirectory(
      { source: { kind: 'organization', parents: [] }, home: { alias: 'default', id: '222222222222' } },
      {
        listOrganization: async () => {
          listed++;
          return [
            { id: '222222222222', name: 'Hub', active: true },
            { id: '111111111111', name: 'Prod', active: true },
          ];
        },
      },
    );
    const [a, b] = await Promise.all([directory.accounts(), directory.accounts()]);
    expect(a).toEqual([
      { id: '222222222222', alias: 'hub' },
      { id: '111111111111', alias: 'prod' },
    ]);
    expect(b).toEqual(a);
    await directory.accounts();
    expect(listed).toBe(1);
  });
});

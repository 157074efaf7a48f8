/** Scopes (common/scopes.ts): the format, every problem with what to fix, the scope of a question, how it is said. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/errors.ts';
import {
  checkScope,
  describeScope,
  type KnownAccount,
  readScopes,
  type Scope,
  type Scopes,
  scopeAllows,
  scopeFor,
  scopeNames,
  scopesFromEnv,
} from '../../common/scopes.ts';
import { SettingsReader } from '../../common/settings.ts';

const ACCOUNTS = 'prod=111111111111,staging=222222222222,sandbox=333333333333';
const EXAMPLE = {
  default: { accounts: ['staging'], regions: ['eu-west-1'] },
  channels: { C0OPS: { accounts: ['prod', 'staging'] }, C0FIN: { accounts: 'all', regions: ['us-east-1'] } },
  users: { U0ALICE: { accounts: 'all' }, U0BOB: { accounts: ['sandbox', '222222222222'] } },
};

function read(env: Record<string, string>, known?: readonly KnownAccount[]): { scopes: Scopes; problems: string[] } {
  const r = new SettingsReader(env);
  const scopes = readScopes(r, known);
  return { scopes, problems: [...r.problems] };
}

const configured = (json: unknown, env: Record<string, string> = {}) =>
  read({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: JSON.stringify(json), ...env });

const example = () => {
  const { scopes, problems } = configured(EXAMPLE);
  expect(problems).toEqual([]);
  return scopes;
};

const names = (s: Scope) => (s.accounts === 'all' ? 'all' : s.accounts.map((a) => a.alias ?? a.id));

describe('reading AWS_ASK_SCOPES', () => {
  it('unset: everyone may ask about every account and region, as before scopes', () => {
    const { scopes, problems } = read({ AWS_ASK_ACCOUNTS: ACCOUNTS });
    expect(problems).toEqual([]);
    expect(scopes.configured).toBe(false);
    const s = scopeFor(scopes, { channelId: 'C0OPS', userId: 'U0ALICE' });
    expect(s).toEqual({ accounts: 'all', regions: 'all' });
    expect(scopeAllows(s, 'prod', 'ap-south-1')).toBe(true);
    expect(scopeAllows(s, undefined, 'eu-west-1')).toBe(true);
  });

  it('reads the documented example: aliases resolved to their ids, left-out keys are "all"', () => {
    const scopes = example();
    expect(scopes.configured).toBe(true);
    expect(scopes.default).toEqual({ accounts: [{ alias: 'staging', id: '222222222222' }], regions: ['eu-west-1'] });
    expect(scopes.channels.get('C0OPS')).toEqual({
      accounts: [
        { alias: 'prod', id: '111111111111' },
        { alias: 'staging', id: '222222222222' },
      ],
      regions: 'all',
    });
    expect(scopes.users.get('U0BOB')?.accounts).toEqual([
      { alias: 'sandbox', id: '333333333333' },
      { alias: 'staging', id: '222222222222' },
    ]);
    expect(configured({}).scopes.default).toEqual({ accounts: 'all', regions: 'all' });
  });

  it('takes the known accounts as an argument instead of reading AWS_ASK_ACCOUNTS', () => {
    const r = new SettingsReader({ AWS_ASK_SCOPES: '{"default":{"accounts":["live"]}}' });
    const scopes = readScopes(r, [{ alias: 'live', id: '444444444444' }]);
    expect(r.problems).toEqual([]);
    expect(scopes.default.accounts).toEqual([{ alias: 'live', id: '444444444444' }]);
  });

  it('bad JSON: says so, with an example to copy', () => {
    const { problems } = read({ AWS_ASK_SCOPES: '{"default": {accounts: []}' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AWS_ASK_SCOPES is not valid JSON \(.+\): write an object like \{"default":/);
  });

  it('not an object, unknown keys, a scope that is not an object: each named', () => {
    expect(read({ AWS_ASK_SCOPES: '["prod"]' }).problems).toEqual([
      expect.stringMatching(/^AWS_ASK_SCOPES must be a JSON object like \{/),
    ]);
    expect(
      configured({ chanels: {}, default: 'prod', channels: { C0OPS: { accounts: 'all', region: 'x' } } }).problems,
    ).toEqual([
      'AWS_ASK_SCOPES has unknown key "chanels": use default, channels and users.',
      'AWS_ASK_SCOPES default must be an object like {"accounts":["prod"],"regions":["eu-west-1"]}.',
      'AWS_ASK_SCOPES channels.C0OPS has unknown key "region": a scope has only accounts and regions.',
    ]);
  });

  it('unknown accounts, bad regions, bad Slack ids, empty and mistyped lists: each with what to fix', () => {
    const { scopes, problems } = configured(
      {
        default: { accounts: ['prodd', '999999999999'], regions: ['eu-west-1', 'Europe'] },
        channels: { '#ops': { accounts: 'all' }, D0DM: {}, C0OPS: { accounts: [], regions: 'eu-west-1' } },
        users: { alice: {}, U0BOB: { accounts: 'prod' } },
      },
      { AWS_ASK_REGIONS: 'eu-west-1,us-east-1', TOOL_ROLE_ARN: 'arn:aws:iam::444444444444:role/aws-ask-tool' },
    );
    expect(problems).toEqual([
      'AWS_ASK_SCOPES default.accounts has "prodd", which AWS_ASK_ACCOUNTS does not name: use one of ' +
        'prod (111111111111), staging (222222222222), sandbox (333333333333), default (444444444444).',
      'AWS_ASK_SCOPES default.accounts has "999999999999", which AWS_ASK_ACCOUNTS does not name: use one of ' +
        'prod (111111111111), staging (222222222222), sandbox (333333333333), default (444444444444).',
      'AWS_ASK_SCOPES default.regions has "Europe", which is not a region name like eu-west-1.',
      'AWS_ASK_SCOPES channels has "#ops", which is not a channel id like C0123ABCD (DMs take the person\'s scope).',
      'AWS_ASK_SCOPES channels has "D0DM", which is not a channel id like C0123ABCD (DMs take the person\'s scope).',
      'AWS_ASK_SCOPES channels.C0OPS.accounts is empty: name at least one, or write "all".',
      'AWS_ASK_SCOPES channels.C0OPS.regions must be "all" or a list of region names (got "eu-west-1").',
      'AWS_ASK_SCOPES users has "alice", which is not a user id like U0123ABCD.',
      'AWS_ASK_SCOPES users.U0BOB.accounts must be "all" or a list of account aliases or ids (got "prod").',
    ]);
    // what was wrong is left out, never widened
    expect(scopes.default).toEqual({ accounts: [], regions: ['eu-west-1'] });
    expect(scopes.users.get('U0BOB')).toEqual({ accounts: [], regions: 'all' });
  });

  it('a region the tool may not call (AWS_ASK_REGIONS) is named', () => {
    const { problems } = configured(
      { channels: { C0FIN: { regions: ['us-east-1', 'ap-south-1'] } } },
      { AWS_ASK_REGIONS: 'eu-west-1,us-east-1' },
    );
    expect(problems).toEqual([
      'AWS_ASK_SCOPES channels.C0FIN.regions has "ap-south-1", which AWS_ASK_REGIONS leaves out ' +
        '(eu-west-1, us-east-1): add it there, or take it out of the scope.',
    ]);
  });

  it('without AWS_ASK_ACCOUNTS: 12-digit ids and default are taken, an alias is a problem saying what to do', () => {
    const { scopes, problems } = read({
      AWS_ASK_SCOPES:
        '{"default":{"accounts":["123456789012","default"]},"channels":{"C0OPS":{"accounts":["prod","12345"]}}}',
    });
    expect(scopes.default.accounts).toEqual([{ id: '123456789012' }, { alias: 'default' }]);
    const fix = 'name the accounts there (prod=111111111111,staging=222222222222), or give 12-digit account ids.';
    expect(problems).toEqual([
      `AWS_ASK_SCOPES channels.C0OPS.accounts has "prod", which AWS_ASK_ACCOUNTS does not name: ${fix}`,
      `AWS_ASK_SCOPES channels.C0OPS.accounts has "12345", which AWS_ASK_ACCOUNTS does not name: ${fix}`,
    ]);
  });

  it('the tool role’s account unknown (no TOOL_ROLE_ARN in the bot): any 12-digit id may be it, so is taken', () => {
    const { scopes, problems } = configured({ default: { accounts: ['444444444444', 'default', 'prodd'] } });
    expect(scopes.default.accounts).toEqual([{ id: '444444444444' }, { alias: 'default' }]);
    expect(problems).toEqual([
      'AWS_ASK_SCOPES default.accounts has "prodd", which AWS_ASK_ACCOUNTS does not name: use one of ' +
        "prod (111111111111), staging (222222222222), sandbox (333333333333), default (the tool role's account), " +
        'or a 12-digit account id.',
    ]);
  });

  it('accounts from AWS Organizations: aliases are known only at run time, so any alias is taken', () => {
    const { scopes, problems } = read({
      AWS_ASK_ACCOUNTS: 'organization',
      AWS_ASK_SCOPES: '{"default":{"accounts":["prod-eu","111111111111","Not An Alias"]}}',
    });
    expect(scopes.default.accounts).toEqual([{ alias: 'prod-eu' }, { id: '111111111111' }]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^AWS_ASK_SCOPES default\.accounts has "Not An Alias", which AWS_ASK_ACCOUNTS does not name/,
      ),
    ]);
  });

  it('scopesFromEnv: the scopes, or one ConfigError naming every problem', () => {
    expect(scopesFromEnv({ AWS_ASK_ACCOUNTS: ACCOUNTS, AWS_ASK_SCOPES: JSON.stringify(EXAMPLE) }).configured).toBe(
      true,
    );
    expect(() => scopesFromEnv({ AWS_ASK_SCOPES: '{"users":{"alice":{}},"default":{"regions":["mars-1"]}}' })).toThrow(
      ConfigError,
    );
    try {
      scopesFromEnv({ AWS_ASK_SCOPES: '{"users":{"alice":{}},"default":{"regions":["mars-1"]}}' });
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('the scope of a question', () => {
  it('in a channel with a scope: the channel’s', () => {
    const s = scopeFor(example(), { channelId: 'C0OPS', userId: 'U0CAROL' });
    expect(names(s)).toEqual(['prod', 'staging']);
    expect(s.regions).toBe('all');
    expect(scopeAllows(s, 'prod', 'ap-south-1')).toBe(true);
    expect(scopeAllows(s, '111111111111', 'eu-west-1')).toBe(true);
    expect(scopeAllows(s, 'sandbox', 'eu-west-1')).toBe(false);
    expect(scopeAllows(s, undefined, 'eu-west-1')).toBe(false);
  });

  it('in a channel without one: the default', () => {
    const s = scopeFor(example(), { channelId: 'C0RANDOM', userId: 'U0CAROL' });
    expect(names(s)).toEqual(['staging']);
    expect(scopeAllows(s, 'staging', 'eu-west-1')).toBe(true);
    expect(scopeAllows(s, 'staging', 'us-east-1')).toBe(false);
  });

  it('in a DM: the person’s scope, else the default', () => {
    const scopes = example();
    expect(scopeFor(scopes, { channelId: 'D0ALICE', userId: 'U0ALICE' })).toEqual({ accounts: 'all', regions: 'all' });
    expect(scopeFor(scopes, { channelId: 'D0CAROL', userId: 'U0CAROL' })).toEqual(scopes.default);
    expect(scopeFor(scopes, { userId: 'U0ALICE' })).toEqual({ accounts: 'all', regions: 'all' });
    expect(scopeFor(scopes, {})).toEqual(scopes.default);
  });

  it('a person with a scope of their own, in a channel: only what both allow', () => {
    const scopes = example();
    // Alice may ask about everything, but #fin is us-east-1 only, and other channels take the default
    expect(scopeFor(scopes, { channelId: 'C0FIN', userId: 'U0ALICE' })).toEqual({
      accounts: 'all',
      regions: ['us-east-1'],
    });
    expect(names(scopeFor(scopes, { channelId: 'C0RANDOM', userId: 'U0ALICE' }))).toEqual(['staging']);
    // Bob (sandbox and staging, by id) in #ops (prod and staging): staging only
    const bobInOps = scopeFor(scopes, { channelId: 'C0OPS', userId: 'U0BOB' });
    expect(names(bobInOps)).toEqual(['staging']);
    expect(scopeAllows(bobInOps, 'prod', 'eu-west-1')).toBe(false);
    expect(scopeAllows(bobInOps, '222222222222', 'eu-west-1')).toBe(true);
    // Bob in #fin (every account, us-east-1): his accounts, in us-east-1
    const bobInFin = scopeFor(scopes, { channelId: 'C0FIN', userId: 'U0BOB' });
    expect(describeScope(bobInFin)).toBe('sandbox and staging, in us-east-1');
  });

  it('checkScope: allowed, or the refusal saying where, what is allowed and what was asked', () => {
    const scopes = example();
    expect(checkScope(scopes, { channelId: 'C0OPS', userId: 'U0CAROL' }, 'prod', 'eu-west-1').allowed).toBe(true);
    const no = checkScope(scopes, { channelId: 'C0OPS', userId: 'U0CAROL' }, 'sandbox', 'eu-west-1');
    expect(no.allowed).toBe(false);
    expect(!no.allowed && no.message).toBe(
      'Out of scope: in this channel the asker may ask about prod and staging, and this call wanted sandbox in ' +
        'eu-west-1, so nothing was called. Tell the asker so; a platform admin decides what each channel and ' +
        'person may ask about (AWS_ASK_SCOPES).',
    );
    const dm = checkScope(scopes, { channelId: 'D0CAROL', userId: 'U0CAROL' }, 'staging', 'us-east-1');
    expect(!dm.allowed && dm.message).toMatch(
      new RegExp(
        '^Out of scope: in a direct message the asker may ask about staging, in eu-west-1, ' +
          'and this call wanted staging in us-e',
      ),
    );
  });
});

describe('matching a call', () => {
  it('an account by alias, by id, or as {alias, id}; scopeNames for a caller that matches names itself', () => {
    const s = scopeFor(example(), { channelId: 'C0OPS' });
    expect(scopeAllows(s, { alias: 'prod', id: '111111111111' }, 'eu-west-1')).toBe(true);
    expect(scopeAllows(s, { id: '222222222222' }, 'eu-west-1')).toBe(true);
    expect(scopeAllows(s, { alias: 'sandbox', id: '333333333333' }, 'eu-west-1')).toBe(false);
    expect(scopeNames(s)).toEqual({ accounts: ['prod', '111111111111', 'staging', '222222222222'] });
    expect(scopeNames(example().channels.get('C0FIN')!)).toEqual({ regions: ['us-east-1'] });
    expect(scopeNames({ accounts: 'all', regions: 'all' })).toEqual({});
  });
});

describe('describeScope', () => {
  it('says the accounts (aliases, else ids) and the regions', () => {
    const scopes = example();
    expect(describeScope(scopes.channels.get('C0OPS')!)).toBe('prod and staging');
    expect(describeScope(scopes.default)).toBe('staging, in eu-west-1');
    expect(describeScope(scopes.channels.get('C0FIN')!)).toBe('every account, in us-east-1');
    expect(describeScope({ accounts: 'all', regions: 'all' })).toBe('every account');
    expect(
      describeScope({
        accounts: [{ id: '111111111111' }, { alias: 'b', id: '2' }, { alias: 'c' }],
        regions: ['eu-west-1', 'us-east-1'],
      }),
    ).toBe('111111111111, b and c, in eu-west-1 and us-east-1');
    expect(describeScope({ accounts: [], regions: [] })).toBe('no account, in no region');
  });
});

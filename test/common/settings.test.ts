/**
 * One way to read settings: each process reads with one SettingsReader that collects every problem
 * and reports them together, one line each with what to set; each default lives in one place.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { agentServiceFromEnv } from '../../agent/service/from-env.ts';
import { botSettingsFromEnv } from '../../bot/config.ts';
import { lambdaSettings } from '../../bot/lambda/settings.ts';
import { DEFAULT_REGION } from '../../common/defaults.ts';
import { ConfigError } from '../../common/errors.ts';
import { readDefaultRegion, SettingsReader } from '../../common/settings.ts';
import { stackPropsFromContext } from '../../infra/context.ts';
import { motoConfig } from '../helpers/aws.ts';

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('SettingsReader', () => {
  it('collects every problem, then throws them as one ConfigError', () => {
    const read = new SettingsReader({ N: 'lots', B: 'maybe', R: 'eu-west-1,mars,venus', C: 'zip' });
    expect(read.int('N', 5, 1, 10)).toBe(5);
    expect(read.bool('B', true)).toBe(true);
    expect(read.regions('R')).toEqual(['eu-west-1']);
    expect(read.oneOf('C', ['code', 'container'] as const, 'code')).toBe('code');
    expect(read.required('MISSING', 'set it to something')).toBe('');
    expect(() => read.done(1)).toThrow(ConfigError);
    expect(read.problems).toEqual([
      'N must be a whole number from 1 to 10 (got "lots").',
      'B must be true or false (got "maybe").',
      'R has "mars", "venus", which are not region names like eu-west-1.',
      'C must be code or container (got "zip").',
      'MISSING is not set: set it to something',
    ]);
  });

  it('returns the value when nothing is wrong, and names a problem once however often it is met', () => {
    const ok = new SettingsReader({ N: '7' });
    expect(ok.done(ok.int('N', 1, 1, 10))).toBe(7);
    const twice = new SettingsReader({ AWS_ASK_REGIONS: 'mars' });
    twice.regions();
    twice.regions();
    expect(twice.problems).toHaveLength(1);
  });

  it('decides the default region in one place: AWS_REGION, AWS_DEFAULT_REGION, first allowed region, default', () => {
    const region = (env: NodeJS.ProcessEnv, required = false) => readDefaultRegion(new SettingsReader(env), required);
    expect(region({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-1');
    expect(region({ AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-2');
    expect(region({ AWS_ASK_REGIONS: 'ap-south-1,eu-west-1' })).toBe('ap-south-1');
    expect(region({})).toBe(DEFAULT_REGION);
    const read = new SettingsReader({});
    readDefaultRegion(read, true);
    expect(read.problems).toEqual([expect.stringMatching(/^No AWS region: set AWS_REGION/)]);
  });
});

describe('the bot settings', () => {
  it('reads the Home tab regions and docs link, and names a docs link that is not a web address', () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', AWS_ASK_REGIONS: 'eu-west-1,us-east-1' };
    const ok = botSettingsFromEnv({ ...env, AWS_ASK_DOCS_URL: 'https://wiki.example.com/aws-ask' }, 'socket');
    expect(ok).toMatchObject({
      ok: true,
      settings: { regions: ['eu-west-1', 'us-east-1'], docsUrl: 'https://wiki.example.com/aws-ask' },
    });
    expect(botSettingsFromEnv({ ...env, AWS_ASK_DOCS_URL: 'wiki/aws-ask' }, 'socket')).toEqual({
      ok: false,
      problems: ['AWS_ASK_DOCS_URL must be an http(s) URL (got "wiki/aws-ask")'],
    });
  });
});

describe('each process reports every problem at once', () => {
  it('the agent: region, credentials and tool limits together', () => {
    const problems = problemsOf(() =>
      agentServiceFromEnv({ USE_AWS_MAX_BYTES: 'lots', AGENT_MAX_TURNS: '0', AWS_ASK_REGIONS: 'mars' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^No AWS region: set AWS_REGION/),
      'AWS_ASK_REGIONS has "mars", which is not a region name like eu-west-1.',
      'AGENT_MAX_TURNS must be a whole number from 1 to 100 (got "0").',
      'USE_AWS_MAX_BYTES must be a whole number from 1024 to 1048576 (got "lots").',
      expect.stringMatching(/^The AWS tool has no credentials: set TOOL_ROLE_ARN/),
    ]);
  });

  it('the CDK app: every bad context value, named as context', () => {
    const ctx: Record<string, unknown> = {
      agentArtifact: 'zip',
      sessionRetentionDays: 'forever',
      alarmEmail: 'ops',
      regions: 'moon-1',
    };
    expect(problemsOf(() => stackPropsFromContext((k) => ctx[k]))).toEqual([
      'context agentArtifact must be code or container (got "zip").',
      'context sessionRetentionDays must be a whole number of days (got "forever").',
      'context alarmEmail is not an email address (got "ops").',
      'context regions has "moon-1", which is not a region name like eu-west-1.',
    ]);
  });

  it('the CDK app: the receiver concurrency and marketplace product ids from context', () => {
    const props = (ctx: Record<string, unknown>) => stackPropsFromContext((k) => ctx[k]).props;
    expect(props({}).receiverReservedConcurrency).toBeUndefined();
    expect(props({ receiverReservedConcurrency: 'none' }).receiverReservedConcurrency).toBe(false);
    expect(props({ receiverReservedConcurrency: '25' }).receiverReservedConcurrency).toBe(25);
    expect(props({ marketplaceProductIds: 'prod-a, prod-b' }).marketplaceProductIds).toEqual(['prod-a', 'prod-b']);
    expect(problemsOf(() => props({ receiverReservedConcurrency: 'lots' }))).toEqual([
      'context receiverReservedConcurrency must be a whole number from 1 to 1000 (got "lots").',
    ]);
  });

  it('a Lambda function: its own environment plus the bot settings; the secret hint only for the secret', async () => {
    const secrets = new SecretsManagerClient(motoConfig('us-east-1', inject('motoUrl')));
    await secrets.send(
      new CreateSecretCommand({
        Name: 'settings-test/slack',
        SecretString: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-1' }),
      }),
    );
    const env = { AWS_REGION: 'us-east-1', SLACK_SECRET_ID: 'settings-test/slack', MAX_RECEIVE_COUNT: 'many' };
    const worker = await lambdaSettings('worker', env).catch((e: unknown) => e as ConfigError);
    expect(worker).toBeInstanceOf(ConfigError);
    expect((worker as ConfigError).message).toMatch(/SLACK_SIGNING_SECRET is not set/);
    expect((worker as ConfigError).message).toMatch(/AGENT_RUNTIME_ARN is not set: the stack sets it/);
    expect((worker as ConfigError).message).toMatch(/IDEMPOTENCY_TABLE is not set/);
    expect((worker as ConfigError).message).toMatch(/MAX_RECEIVE_COUNT must be a whole number from 1 to 1000/);
    expect((worker as ConfigError).message).toMatch(/Fill the secret: aws secretsmanager put-secret-value/);
    const filled = 'settings-test/filled';
    await secrets.send(
      new CreateSecretCommand({
        Name: filled,
        SecretString: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }),
      }),
    );
    const receiver = await lambdaSettings('receiver', {
      ...env,
      SLACK_SECRET_ID: filled,
      MAX_RECEIVE_COUNT: '3',
    }).catch((e: unknown) => e as ConfigError);
    expect((receiver as ConfigError).message).toBe(
      'aws-ask is not configured: QUEUE_URL is not set: the stack sets it; redeploy, or set it on the function.',
    );
  });
});

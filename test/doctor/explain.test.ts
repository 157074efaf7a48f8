/**
 * How the doctor reads what went wrong where a stand-in cannot produce it (no credentials at all, Slack's
 * token_revoked), its command line and report format, and what it looks for in the stack: its outputs, its
 * receiver, its bootstrap parameter. Bedrock's errors are driven through the Bedrock stand-in, so the SDK's
 * own error names are what is matched (before-deploy.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_VERSION_PARAMETER } from '../../doctor/checks/bootstrap.ts';
import { RECEIVER_LOGICAL_ID } from '../../doctor/checks/lambda-concurrency.ts';
import { explainAuthError } from '../../doctor/checks/slack.ts';
import { main } from '../../doctor/cli.ts';
import { OUTPUT_KEYS } from '../../doctor/deployment.ts';
import { explainIdentityError, findIdentity } from '../../doctor/identity.ts';
import { DEFAULT_TIMEOUT_MS, parseOptions } from '../../doctor/options.ts';
import { formatText } from '../../doctor/report.ts';
import type { DoctorReport } from '../../doctor/run.ts';
import { synthesize } from '../helpers/template.ts';
import { RECEIVER_LOGICAL_ID as SEEDED_RECEIVER } from '../services/doctor-world.ts';

/** An error as the AWS SDK throws it for a service's error reply. */
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('a failed GetCallerIdentity', () => {
  it.each([
    ['ExpiredTokenException', 'The security token included in the request is expired', /have expired/],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.', /does not accept these/],
    ['CredentialsProviderError', 'Could not load credentials from any providers', /^No AWS credentials were found/],
  ])('%s', (name, message, detail) => {
    const o = explainIdentityError(awsError(name, message), 'eu-west-1');
    expect(o.status).toBe('fail');
    expect(o.detail).toMatch(detail);
    expect(o.fix).toContain('aws sso login');
  });
});

describe('the region', () => {
  it('a name that is not a region is said before any call', async () => {
    const me = await findIdentity({ region: 'Ireland', timeoutMs: 1_000 }, {});
    expect(me).toMatchObject({ ok: false, problem: { detail: '"Ireland" is not an AWS region name.' } });
  });
});

describe('a failed auth.test', () => {
  it('token_revoked: the app was uninstalled, put a new token in the secret', () => {
    const o = explainAuthError({ code: 'slack_webapi_platform_error', data: { error: 'token_revoked' } }, 'arn:s');
    expect(o.detail).toContain('no longer works (token_revoked)');
    expect(o.fix).toContain('--secret-id arn:s');
  });

  it('no answer: the network or SLACK_API_URL', () => {
    const o = explainAuthError({ code: 'slack_webapi_request_error', message: 'connect ECONNREFUSED' }, 'arn:s');
    expect(o.detail).toContain('Slack did not answer auth.test');
    expect(o.fix).toContain('SLACK_API_URL');
  });
});

describe('the command line', () => {
  it('reads every option', () => {
    expect(
      parseOptions(['--after', '--json', '--stack', 's', '--region', 'eu-west-1', '--profile', 'p', '--model', 'm']),
    ).toEqual({
      mode: 'after',
      json: true,
      stackName: 's',
      region: 'eu-west-1',
      profile: 'p',
      modelId: 'm',
      outputsFile: 'cdk-outputs.json',
      timeoutMs: DEFAULT_TIMEOUT_MS,
    });
    expect(parseOptions(['--timeout', '2.5', '--outputs', 'out.json'])).toMatchObject({
      timeoutMs: 2500,
      outputsFile: 'out.json',
    });
    // as -c receiverReservedConcurrency=… takes it
    expect(parseOptions(['--receiver-concurrency', '25'])).toMatchObject({ receiverConcurrency: 25 });
    expect(parseOptions(['--receiver-concurrency', 'none'])).toMatchObject({ receiverConcurrency: false });
    expect(parseOptions([])).not.toHaveProperty('receiverConcurrency');
  });

  it.each([
    [['--timeout', '0'], '--timeout must be a number of seconds from 1 to 600 (got "0").'],
    [['--stack'], '--stack needs a value.'],
    [['--region', '--json'], '--region needs a value.'],
    [
      ['--receiver-concurrency', 'lots'],
      '--receiver-concurrency must be none or a whole number from 1 to 1000 (got "lots").',
    ],
    [
      ['--receiver-concurrency', '0'],
      '--receiver-concurrency must be none or a whole number from 1 to 1000 (got "0").',
    ],
  ])('%j: %s', (args, usage) => {
    expect(parseOptions(args)).toEqual({ usage });
  });
});

describe('the command', () => {
  it('answers a usage error with 2 and the usage, --help with 0, without running a check', async () => {
    expect(await main(['--nope'])).toMatchObject({ code: 2, out: '', err: expect.stringMatching(/^Unknown option/) });
    expect(await main(['-h'])).toMatchObject({
      code: 0,
      err: '',
      out: expect.stringMatching(/^Usage: npm run doctor/),
    });
  });
});

describe('the outputs the doctor reads', () => {
  it('are outputs infra/stack.ts declares', () => {
    const stack = readFileSync(join(import.meta.dirname, '..', '..', 'infra', 'stack.ts'), 'utf8');
    for (const key of OUTPUT_KEYS) expect(stack).toContain(`new CfnOutput(this, '${key}'`);
  });
});

describe('what the doctor looks up in the synthesized stack', () => {
  const { template } = synthesize();

  it('the receiver: the one Lambda function its pattern finds, with the reservation (the one the world seeds)', () => {
    const found = Object.entries(template.Resources).filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && RECEIVER_LOGICAL_ID.test(id),
    );
    expect(found.map(([id]) => id)).toEqual([SEEDED_RECEIVER]);
    expect(found[0]?.[1].Properties?.ReservedConcurrentExecutions).toBe(10);
  });

  it("the bootstrap version parameter: the one the template's CheckBootstrapVersion rule reads", () => {
    expect(template.Parameters?.BootstrapVersion?.Default).toBe(BOOTSTRAP_VERSION_PARAMETER);
  });
});

describe('the report', () => {
  const report: DoctorReport = {
    ok: false,
    mode: 'auto',
    region: 'eu-west-1',
    stack: 'aws-ask',
    deployed: false,
    model: 'm',
    checks: [
      { id: 'credentials', title: 'AWS credentials', status: 'pass', detail: 'Account 1.', ms: 1, afterDeploy: false },
      {
        id: 'bootstrap',
        title: 'CDK bootstrap',
        status: 'fail',
        detail: 'Not bootstrapped.',
        fix: 'Bootstrap.',
        ms: 1,
        afterDeploy: false,
      },
      { id: 'stack', title: 'Deployed stack', status: 'skip', detail: 'Not deployed yet.', ms: 1, afterDeploy: true },
    ],
  };

  it('puts what to do under the failure, aligned with the details, and counts', () => {
    expect(formatText(report)).toBe(
      [
        'aws-ask doctor · region eu-west-1 · stack aws-ask (not deployed) · model m',
        '',
        'PASS  AWS credentials  Account 1.',
        'FAIL  CDK bootstrap    Not bootstrapped.',
        '                       → Bootstrap.',
        'SKIP  Deployed stack   Not deployed yet.',
        '',
        '1 failed, 1 passed, 1 skipped. Do what each FAIL line says, then run npm run doctor again.',
        '',
      ].join('\n'),
    );
  });
});

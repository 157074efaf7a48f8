/**
 * How the doctor reads what went wrong, on the error texts AWS and Slack give (the sources of the Bedrock
 * ones are in doctor/checks/model-errors.ts), and its command line and report format.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainModelError } from '../../doctor/checks/model-errors.ts';
import { explainAuthError } from '../../doctor/checks/slack.ts';
import { main } from '../../doctor/cli.ts';
import { OUTPUT_KEYS } from '../../doctor/deployment.ts';
import { explainIdentityError, findIdentity } from '../../doctor/identity.ts';
import { DEFAULT_TIMEOUT_MS, parseOptions } from '../../doctor/options.ts';
import { formatText } from '../../doctor/report.ts';
import type { DoctorReport } from '../../doctor/run.ts';

/** An error as the AWS SDK throws it for a service's error reply. */
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });
const at = { modelId: 'global.anthropic.claude-sonnet-4-6', region: 'eu-west-1', principal: 'arn:aws:sts::1:x' };
const model = (name: string, message: string) => explainModelError(awsError(name, message), at);

describe('a failed Converse', () => {
  it.each([
    // re:Post Knowledge Center, bedrock-resolve-marketplace-permission: the two texts it lists
    'Model access is denied due to IAM user or service role is not authorized to perform the required AWS ' +
      'Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to ' +
      'this model.',
    'Model access is denied due to arn:aws:iam::111122223333:role/Dev is not authorized to perform: ' +
      'aws-marketplace:Subscribe on resource: * because no identity-based policy allows the action.',
  ])('AccessDeniedException "%s" is the Marketplace subscription', (message) => {
    const o = model('AccessDeniedException', message);
    expect(o.detail).toMatch(/^The account has no AWS Marketplace subscription to global\.anthropic/);
    expect(o.fix).toContain('console in eu-west-1 (Model catalog → the model → Open in playground)');
  });

  it.each([
    [
      'ResourceNotFoundException',
      'Model use case details have not been submitted for this account. Fill out the ' +
        'Anthropic use case details form before using the model. If you have already filled out the form, try again ' +
        'in 15 minutes.',
    ],
    ['AccessDeniedException', 'Model use case details have not been submitted for this account.'],
    // the error code the Bedrock troubleshooting page lists (HTTP 404)
    ['FTUFormNotFilled', 'Model use case details have not been submitted for this account'],
  ])('%s "%s" is the use-case form', (name, message) => {
    const o = model(name, message);
    expect(o.detail).toMatch(/^Anthropic's use-case form has not been filed for this account/);
    expect(o.fix).toContain('submit the use-case form it shows (once per account');
  });

  it('an IAM denial that is neither names the caller and bedrock:InvokeModel', () => {
    const o = model(
      'AccessDeniedException',
      'User: arn:aws:sts::1:x is not authorized to perform: bedrock:InvokeModel',
    );
    expect(o.detail).toMatch(/^arn:aws:sts::1:x may not invoke global\.anthropic\.claude-sonnet-4-6 in eu-west-1/);
    expect(o.fix).toContain('bedrock:InvokeModel');
  });

  it.each([
    [
      'ResourceNotFoundException',
      'This Model is marked by provider as Legacy and you have not been actively using the model',
      /legacy model/,
    ],
    [
      'ValidationException',
      "Invocation of model ID anthropic.claude-x with on-demand throughput isn't supported.",
      /cannot be called on demand/,
    ],
    ['ValidationException', 'The provided model identifier is invalid.', /is not a model or inference profile/],
    ['ThrottlingException', 'Too many tokens per day, please wait before trying again.', /throttled/],
  ])('%s "%s"', (name, message, detail) => {
    expect(model(name, message).detail).toMatch(detail);
  });
});

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

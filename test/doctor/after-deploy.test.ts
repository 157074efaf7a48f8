/**
 * `npm run doctor` after the deploy, in-process against the stand-ins: one failure at a time of what the
 * stack deployed (the Slack secret and token, the runtime, the request URL, the tool role), each with what
 * to do and exit status 1; and where the deployed values come from when CloudFormation cannot say.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { receiverHandler } from '../../bot/lambda/receiver.ts';
import { emptyDir, runInProcess, withEnv } from '../services/doctor-run.ts';
import { type DoctorWorld, startDoctorWorld } from '../services/doctor-world.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../services/fake-slack.ts';

const REGION = 'ca-west-1';
let world: DoctorWorld;
const saved = { ...process.env };
const FILLED = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };

const doctor = (...args: string[]) => runInProcess(['--stack', world.stackName, '--after', ...args]);

/** The failing checks' ids. */
const failing = (run: Awaited<ReturnType<typeof doctor>>) =>
  run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id);

beforeAll(async () => {
  world = await startDoctorWorld(
    inject('motoUrl'),
    { region: REGION, stackName: 'aws-ask-doctor-b', roleName: 'aws-ask-doctor-tool-b' },
    receiverHandler,
  );
  Object.assign(process.env, world.env, { SLACK_SECRET_ID: world.secretArn, QUEUE_URL: 'unused-by-url-verification' });
});

afterAll(async () => {
  await world.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('the Slack secret and bot token', () => {
  it('an empty secret (as deployed): says which values, and the put-secret-value command', async () => {
    await world.setSecret({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['slack']);
      expect(run.check('slack').detail).toBe(
        'The Slack secret is not filled: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are empty ' +
          '(until it is, the receiver answers Slack with 500).',
      );
      expect(run.line('slack')).toContain(`→ Fill it with the app's Bot User OAuth Token and Signing Secret`);
      expect(run.check('slack').fix).toContain(`aws secretsmanager put-secret-value --secret-id ${world.secretArn}`);
      // without a signing secret the URL cannot be signed: skipped, pointing at the Slack line
      expect(run.check('request-url')).toMatchObject({ status: 'skip' });
      expect(run.check('request-url').detail).toContain('see the Slack line');
    } finally {
      await world.setSecret(FILLED);
    }
  });

  it('a token Slack refuses (invalid_auth): says to copy the Bot User OAuth Token into the secret', async () => {
    await world.setSecret({ ...FILLED, SLACK_BOT_TOKEN: 'xoxb-revoked-or-mistyped' });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['slack']);
      expect(run.check('slack').detail).toBe('Slack does not accept the bot token in the secret (invalid_auth).');
      expect(run.check('slack').fix).toMatch(/^In your Slack app \(https:\/\/api\.slack\.com\/apps\), OAuth & Perm/);
      expect(run.check('slack').fix).toContain('put-secret-value');
      expect(run.text).not.toContain('xoxb-revoked-or-mistyped');
      expect(world.slack.callsTo('auth.test').at(-1)?.result).toBe('invalid_auth');
    } finally {
      await world.setSecret(FILLED);
    }
  });

  it('a secret without the two keys: says how to fill it', async () => {
    await world.setSecret({ nothing: 'here' });
    try {
      const run = await doctor();
      expect(run.check('slack')).toMatchObject({ status: 'fail' });
      expect(run.check('slack').detail).toContain('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are empty');
    } finally {
      await world.setSecret(FILLED);
    }
  });
});

describe('the agent runtime', () => {
  it('not READY: says to wait for it, exit 1', async () => {
    const rt = world.control.runtimes.get(world.runtimeId)!;
    rt.status = 'UPDATING';
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['runtime']);
      expect(run.line('runtime')).toMatch(
        /FAIL {2}Agent runtime +The runtime aws_ask-Doctor0001 is UPDATING, not READY/,
      );
      expect(run.check('runtime').fix).toMatch(/^Wait for it/);
    } finally {
      rt.status = 'READY';
    }
  });

  it('failed: gives the reason and says to redeploy', async () => {
    const rt = world.control.runtimes.get(world.runtimeId)!;
    rt.status = 'UPDATE_FAILED';
    rt.failureReason = 'the code package could not be read';
    try {
      const run = await doctor();
      expect(run.check('runtime').detail).toBe(
        'The runtime aws_ask-Doctor0001 is UPDATE_FAILED: the code package could not be read.',
      );
      expect(run.check('runtime').fix).toContain('`npm run deploy` again');
    } finally {
      rt.status = 'READY';
      delete rt.failureReason;
    }
  });

  it('MMDSv2 not required: says npm run deploy sets it, and how to set it by hand', async () => {
    const rt = world.control.runtimes.get(world.runtimeId)!;
    for (const value of [false, undefined]) {
      rt.requireMMDSV2 = value;
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['runtime']);
      expect(run.check('runtime').detail).toContain('does not require MMDSv2');
      expect(run.check('runtime').fix).toMatch(/^Run `npm run deploy`: its RequireMmdsV2 resource sets it/);
      expect(run.check('runtime').fix).toContain('metadataConfiguration.requireMMDSV2=true');
    }
    rt.requireMMDSV2 = true;
  });
});

describe('the Slack request URL', () => {
  it('401: the receiver still checks with the old signing secret (it caches the secret 5 minutes)', async () => {
    // the receiver reads the secret once; the doctor then signs with a new signing secret
    expect((await doctor()).code).toBe(0);
    await world.setSecret({ ...FILLED, SLACK_SIGNING_SECRET: 'a-new-signing-secret-0000000000000' });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['request-url']);
      expect(run.check('request-url').detail).toContain('refused the signed request (401)');
      expect(run.check('request-url').fix).toMatch(/^The functions cache the secret for 5 minutes/);
      expect(run.text).not.toContain('a-new-signing-secret');
    } finally {
      await world.setSecret(FILLED);
    }
  });

  it('500: says to fill the secret and wait for the functions to read it', async () => {
    const real = world.url.handler;
    world.url.handler = async () => ({ statusCode: 500, body: '' });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('request-url').detail).toMatch(/answered 500: the receiver is not configured/);
      expect(run.check('request-url').fix).toMatch(/^Fill the secret \(aws secretsmanager put-secret-value/);
      expect(run.check('request-url').fix).toContain('log group');
    } finally {
      world.url.handler = real;
    }
  });

  it('200 without the challenge: says it is not the receiver', async () => {
    const real = world.url.handler;
    world.url.handler = async () => ({ statusCode: 200, body: '{"challenge":"something-else"}' });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('request-url').detail).toContain('answered 200 but without the challenge');
      expect(run.check('request-url').fix).toContain("is the receiver's Function URL");
    } finally {
      world.url.handler = real;
    }
  });

  it('a URL nothing listens on: says it could not be reached', async () => {
    const closed = await import('../services/doctor-function-url.ts').then((m) =>
      m.startFunctionUrl(async () => ({ statusCode: 200, body: '' })),
    );
    await closed.close();
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'cdk-outputs.json'),
      JSON.stringify({ 'aws-ask-file': { ...world.outputs, SlackRequestUrl: closed.url } }),
    );
    // CloudFormation unreachable, so the outputs come from the file
    await withEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: closed.url }, async () => {
      const run = await runInProcess(['--stack', 'aws-ask-file'], dir);
      expect(run.check('stack').detail).toMatch(/^aws-ask-file, outputs from cdk-outputs\.json \(CloudFormation could/);
      expect(run.check('request-url').detail).toMatch(/could not be reached \(ECONNREFUSED/);
      expect(run.code).toBe(1);
    });
  });
});

describe('where the deployed values come from', () => {
  it('a cdk-outputs.json for a stack that is not in this region: says which region it names', async () => {
    const dir = emptyDir();
    const elsewhere = { ...world.outputs, RuntimeArn: 'arn:aws:bedrock-agentcore:eu-west-3:123456789012:runtime/x' };
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ 'aws-ask-elsewhere': elsewhere }));
    const run = await runInProcess(['--stack', 'aws-ask-elsewhere'], dir);
    expect(run.code).toBe(0);
    expect(run.check('stack').detail).toBe(
      'Not deployed yet. The stack aws-ask-elsewhere is not in ca-west-1 (cdk-outputs.json names one in ' +
        'eu-west-3: pass --region eu-west-3 to check that one). The checks below run after `npm run deploy`.',
    );
  });
});

describe('the tool role', () => {
  it('allowing a write: names the action and the policy, says to remove it, exit 1', async () => {
    await world.putRolePolicy('LetItTerminate', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:TerminateInstances'], Resource: '*' }],
    });
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['tool-role']);
      expect(run.check('tool-role').detail).toBe(
        'The tool role allows ec2:TerminateInstances (allowed by LetItTerminate): the bot would not be read-only.',
      );
      expect(run.check('tool-role').fix).toContain(`Remove the policy that allows it from ${world.toolRoleArn}`);
    } finally {
      await world.deleteRolePolicy('LetItTerminate');
    }
  });

  it('without the Deny, a sensitive read (s3:GetObject) is allowed by ReadOnlyAccess: a failure', async () => {
    await world.deleteRolePolicy('AwsAskDeny');
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('tool-role').detail).toMatch(/^The tool role allows s3:GetObject \(allowed by ReadOnlyAccess\)/);
    } finally {
      const { denyStatements } = await import('../../common/policy/index.ts');
      await world.putRolePolicy('AwsAskDeny', { Version: '2012-10-17', Statement: denyStatements() });
    }
  });

  it('and back to read-only, everything passes again', async () => {
    const run = await doctor();
    expect(failing(run)).toEqual([]);
    expect(run.check('tool-role').detail).toBe(
      'Denies ec2:TerminateInstances, s3:PutObject, iam:AttachRolePolicy and s3:GetObject, ' +
        'secretsmanager:GetSecretValue; allows ec2:DescribeInstances (iam:SimulatePrincipalPolicy).',
    );
  });
});

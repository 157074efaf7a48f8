/**
 * `npm run doctor` after the deploy, in-process against the stand-ins: one failure at a time of what the
 * stack deployed (the stack's state, the Slack secret and token, the runtime, the request URL, the tool
 * role), each with what to do and exit status 1; where the deployed values come from when CloudFormation
 * cannot say; and the model and Slack API the deployed stack uses.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_MODEL_ID } from '../../common/defaults.ts';
import { motoConfig } from '../helpers/aws.ts';
import { useDoctorWorld } from '../helpers/doctor-suite.ts';
import { startDoctorCloudFormation } from '../services/doctor-cloudformation.ts';
import { emptyDir, runInProcess, withEnv } from '../services/doctor-run.ts';
import { type DoctorWorld, NOBODY } from '../services/doctor-world.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../services/fake-slack.ts';

const REGION = 'ca-west-1';
let world: DoctorWorld;
const FILLED = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };

const doctor = (...args: string[]) => runInProcess(['--stack', world.stackName, '--after', ...args]);

/** A directory with a cdk.json whose context has `context`. */
function projectWith(context: Record<string, unknown>): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node infra/app.ts', context }));
  return dir;
}

/** The failing checks' ids. */
const failing = (run: Awaited<ReturnType<typeof doctor>>) =>
  run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id);

useDoctorWorld({ region: REGION, stackName: 'aws-ask-doctor-b', roleName: 'aws-ask-doctor-tool-b' }, (w) => {
  world = w;
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

  it('a secret that is not a JSON object: says so, and how to fill it', async () => {
    const sm = new SecretsManagerClient(motoConfig(REGION, inject('motoUrl')));
    await sm.send(new PutSecretValueCommand({ SecretId: world.secretArn, SecretString: 'xoxb-pasted-alone' }));
    try {
      const run = await doctor();
      expect(run.check('slack')).toMatchObject({
        status: 'fail',
        detail: 'The Slack secret is not a JSON object with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.',
      });
      expect(run.check('slack').fix).toContain(`put-secret-value --secret-id ${world.secretArn}`);
      expect(run.text).not.toContain('xoxb-pasted-alone');
    } finally {
      await world.setSecret(FILLED);
      sm.destroy();
    }
  });

  it("the Slack API the functions call: cdk.json's slackApiUrl (GovSlack) before SLACK_API_URL", async () => {
    // SLACK_API_URL points nowhere; cdk.json's slackApiUrl, which the stack gives the functions, is the fake Slack
    const nowhere = 'http://127.0.0.1:9/api/';
    await withEnv({ SLACK_API_URL: nowhere }, async () => {
      expect((await doctor()).check('slack').status).toBe('fail');
      const run = await runInProcess(
        ['--stack', world.stackName, '--after'],
        projectWith({ slackApiUrl: world.slack.apiUrl }),
      );
      expect(run.check('slack')).toMatchObject({ status: 'pass' });
      expect(run.check('slack').detail).toContain(`(${world.slack.apiUrl}, from cdk.json's slackApiUrl)`);
    });
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
    const rt = world.runtime;
    rt.status = 'UPDATING';
    rt.updatingPolls = 1_000;
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
    const rt = world.runtime;
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
    const rt = world.runtime;
    for (const value of [{ requireMMDSV2: false }, undefined]) {
      rt.config.metadataConfiguration = value;
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(failing(run)).toEqual(['runtime']);
      expect(run.check('runtime').detail).toContain('does not require MMDSv2');
      expect(run.check('runtime').fix).toMatch(/^Run `npm run deploy`: its RequireMmdsV2 resource sets it/);
      expect(run.check('runtime').fix).toContain('metadataConfiguration.requireMMDSV2=true');
    }
    rt.config.metadataConfiguration = { requireMMDSV2: true };
  });

  it('credentials that may not read the runtime: says which permission; the model falls back to cdk.json', async () => {
    const admin = world.control.caller;
    world.control.caller = NOBODY;
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('runtime').detail).toMatch(
        /^These credentials may not call bedrock-agentcore:GetAgentRuntime on aws_ask-Doctor0001 \(AccessDenied/,
      );
      expect(run.check('model').detail).toContain(
        "model from the default (cdk.json's context names no modelId); the deployed runtime could not be read: " +
          'AccessDeniedException',
      );
    } finally {
      world.control.caller = admin;
    }
  });
});

describe('the model, once deployed', () => {
  it("is the deployed runtime's MODEL_ID and BEDROCK_REGION, not cdk.json's or the shell's", async () => {
    const env = world.runtime.config.environmentVariables as Record<string, string>;
    const deployed = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
    world.runtime.config.environmentVariables = { ...env, MODEL_ID: deployed, BEDROCK_REGION: 'eu-central-1' };
    try {
      await withEnv({ MODEL_ID: 'us.amazon.nova-pro-v1:0', BEDROCK_REGION: 'us-west-2' }, async () => {
        const run = await runInProcess(
          ['--stack', world.stackName, '--after'],
          projectWith({ modelId: 'global.anthropic.claude-opus-4-6' }),
        );
        expect(run.code).toBe(0);
        expect(world.bedrock.requests.at(-1)?.modelId).toBe(deployed);
        const { detail } = run.check('model');
        expect(detail).toMatch(
          /^eu\.anthropic\.claude-haiku-4-5-20251001-v1:0 answered in eu-central-1 \(stop reason \w+; /,
        );
        expect(detail).toContain(
          "; model from the deployed runtime's MODEL_ID and BEDROCK_REGION; npm run deploy would change it to " +
            "global.anthropic.claude-opus-4-6 (cdk.json's modelId)).",
        );
        expect(run.text.split('\n')[0]).toContain(`model ${deployed}`);
      });
    } finally {
      world.runtime.config.environmentVariables = env;
    }
    // as deployed by default: the runtime's own region, nothing to change
    const run = await doctor();
    expect(world.bedrock.requests.at(-1)?.modelId).toBe(DEFAULT_MODEL_ID);
    expect(run.check('model').detail).toMatch(
      /^global\.anthropic\.claude-sonnet-4-6 answered in ca-west-1 \(stop reason /,
    );
    expect(run.check('model').detail).toMatch(/; model from the deployed runtime's MODEL_ID\)\.$/);
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

describe("the stack's state: what to do depends on it", () => {
  /** The doctor on a stack CloudFormation says is in `status`. */
  async function stackIn(status: string, reason: string) {
    const cfn = await startDoctorCloudFormation(REGION);
    cfn.stacks.set('aws-ask-stuck', { status, reason });
    try {
      return await withEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url }, () =>
        runInProcess(['--stack', 'aws-ask-stuck', '--after']),
      );
    } finally {
      await cfn.close();
    }
  }

  it('UPDATE_ROLLBACK_FAILED: continue the rollback, not destroy and redeploy', async () => {
    const run = await stackIn(
      'UPDATE_ROLLBACK_FAILED',
      'The following resource(s) failed to update: [Worker11F36D0F].',
    );
    expect(run.code).toBe(1);
    expect(run.check('stack').detail).toBe(
      'The stack aws-ask-stuck is UPDATE_ROLLBACK_FAILED (The following resource(s) failed to update: ' +
        '[Worker11F36D0F].): a deploy failed and CloudFormation could not roll it back.',
    );
    const fix = run.check('stack').fix ?? '';
    expect(fix).toContain('`aws cloudformation continue-update-rollback --stack-name aws-ask-stuck`');
    expect(fix).toContain('--resources-to-skip');
    expect(fix).toContain(
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html' +
        '#troubleshooting-errors-update-rollback-failed',
    );
    expect(fix).not.toContain('destroy');
    // the checks after the deploy wait for the stack
    expect(run.check('runtime')).toMatchObject({ status: 'skip' });
  });

  it('DELETE_FAILED: clear what blocks the delete and destroy again, or retain it', async () => {
    const run = await stackIn('DELETE_FAILED', 'The following resource(s) failed to delete: [SessionBucket].');
    expect(run.check('stack').detail).toContain(': `npm run destroy` stopped at a resource it could not delete.');
    const fix = run.check('stack').fix ?? '';
    expect(fix).toContain('run `npm run destroy` again');
    expect(fix).toContain('`aws cloudformation delete-stack --stack-name aws-ask-stuck --retain-resources LOGICAL_ID`');
    expect(fix).toContain('troubleshooting.html#troubleshooting-errors-delete-stack-fails');
    expect(fix).not.toContain('continue-update-rollback');
  });

  it('ROLLBACK_COMPLETE (a first deploy failed): destroy and deploy again', async () => {
    const run = await stackIn('ROLLBACK_COMPLETE', 'The following resource(s) failed to create: [AgentRuntime].');
    expect(run.check('stack').detail).toContain(': its first deploy failed.');
    expect(run.check('stack').fix).toContain('`npm run destroy` (a stack in ROLLBACK_COMPLETE cannot be updated');
  });

  it('UPDATE_FAILED (deployed with --no-rollback): deploy again or roll back', async () => {
    const run = await stackIn('UPDATE_FAILED', 'Resource update cancelled');
    expect(run.check('stack').fix).toContain('`aws cloudformation rollback-stack --stack-name aws-ask-stuck`');
    expect(run.check('stack').fix).not.toContain('destroy');
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

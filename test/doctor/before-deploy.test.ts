/**
 * `npm run doctor` before and around the deploy, in-process against the stand-ins: the all-green run,
 * then one failure at a time of the checks that run before a deploy (credentials are in cli.test.ts, as
 * only a child process can have none), and how the after-deploy checks are skipped or failed when the
 * stack is not there.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { receiverHandler } from '../../bot/lambda/receiver.ts';
import { DEFAULT_MODEL_ID } from '../../common/defaults.ts';
import { WRITES } from '../../doctor/checks/tool-role.ts';
import { DEFAULT_LIMITS, type LambdaAccountLimits } from '../services/doctor-lambda-settings.ts';
import { emptyDir, runInProcess, withEnv } from '../services/doctor-run.ts';
import { type DoctorWorld, startDoctorWorld } from '../services/doctor-world.ts';
import { BOT_TOKEN } from '../services/fake-slack.ts';

const REGION = 'eu-south-2';
let world: DoctorWorld;
const saved = { ...process.env };

/** The doctor on this suite's stack. */
const doctor = (...args: string[]) => runInProcess(['--stack', world.stackName, ...args]);

/** Bedrock's error texts, as documented and reported (sources in doctor/checks/model-errors.ts). */
const MARKETPLACE_DENIED =
  'Model access is denied due to IAM user or service role is not authorized to perform the required AWS ' +
  'Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.';
const USE_CASE_MISSING =
  'Model use case details have not been submitted for this account. Fill out the Anthropic use case details form ' +
  'before using the model. If you have already filled out the form, try again in 15 minutes.';

beforeAll(async () => {
  world = await startDoctorWorld(
    inject('motoUrl'),
    { region: REGION, stackName: 'aws-ask-doctor-a', roleName: 'aws-ask-doctor-tool-a' },
    receiverHandler,
  );
  // the doctor and the receiver behind the Function URL both read process.env
  Object.assign(process.env, world.env, { SLACK_SECRET_ID: world.secretArn, QUEUE_URL: 'unused-by-url-verification' });
});

afterAll(async () => {
  await world.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('npm run doctor, all green', () => {
  it('passes every check, exits 0, and calls each service the way it says', async () => {
    const run = await doctor();
    expect(run.report.checks.map((c) => [c.id, c.status])).toEqual([
      ['credentials', 'pass'],
      ['bootstrap', 'pass'],
      ['agentcore', 'pass'],
      ['model', 'pass'],
      ['lambda-concurrency', 'pass'],
      ['stack', 'pass'],
      ['slack', 'pass'],
      ['runtime', 'pass'],
      ['request-url', 'pass'],
      ['tool-role', 'pass'],
    ]);
    expect(run.code).toBe(0);
    expect(run.text).toMatch(/^aws-ask doctor · account 123456789012 · region eu-south-2 · stack aws-ask-doctor-a/);
    expect(run.text).toContain('All 10 checks that apply passed.');
    expect(run.line('credentials')).toMatch(/PASS {2}AWS credentials +Account 123456789012 in eu-south-2, as arn:aws/);
    expect(run.line('bootstrap')).toContain('version 27');
    // one Converse (not the stream) with the default model and at most one token
    const converse = world.bedrock.requests.filter((r) => !r.stream);
    expect(converse.at(-1)?.modelId).toBe(DEFAULT_MODEL_ID);
    expect(converse.at(-1)?.body.inferenceConfig).toEqual({ maxTokens: 1 });
    // auth.test with the token from the secret
    expect(world.slack.callsTo('auth.test').at(-1)?.token).toBe(BOT_TOKEN);
    expect(run.line('slack')).toContain('aws-ask (UBOTAWSASK) in Acme');
    // Lambda's account settings, for the receiver's default reservation
    expect(world.lambda.calls).toContain('GET /2016-08-19/account-settings');
    expect(run.line('lambda-concurrency')).toContain('reserving 10 for the receiver');
    // the control plane: a list, then the runtime by the id in the stack's RuntimeArn
    expect(world.control.calls).toContain('POST /runtimes/');
    expect(world.control.calls).toContain(`GET /runtimes/${world.runtimeId}/`);
    // the real receiver answered a signed url_verification
    const event = world.url.events.at(-1);
    expect(JSON.parse(event?.body ?? '{}')).toMatchObject({ type: 'url_verification' });
    expect(event?.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    // the tool role simulated for the writes, the sensitive reads and one plain read
    expect(world.iam.requests.at(-1)?.role).toBe(world.toolRoleArn);
    expect(world.iam.requests.at(-1)?.actions).toEqual(expect.arrayContaining([...WRITES, 'ec2:DescribeInstances']));
  });

  it('--json prints one JSON object with every check', async () => {
    const { formatJson } = await import('../../doctor/report.ts');
    const run = await doctor('--json');
    const parsed = JSON.parse(formatJson(run.report)) as {
      ok: boolean;
      account: string;
      deployed: boolean;
      counts: Record<string, number>;
      checks: { id: string; status: string; fix: string | null }[];
    };
    expect(parsed).toMatchObject({ ok: true, account: '123456789012', deployed: true });
    expect(parsed.counts).toEqual({ pass: 10, fail: 0, skip: 0 });
    expect(parsed.checks.every((c) => c.status === 'pass' && c.fix === null)).toBe(true);
  });
});

describe('before the deploy', () => {
  it('skips the after-deploy checks as "not deployed yet" and still exits 0', async () => {
    const run = await runInProcess(['--stack', 'aws-ask-not-here']);
    expect(run.code).toBe(0);
    expect(run.check('stack')).toMatchObject({ status: 'skip' });
    expect(run.line('stack')).toMatch(
      /SKIP {2}Deployed stack +Not deployed yet\. The stack aws-ask-not-here is not in/,
    );
    for (const id of ['slack', 'runtime', 'request-url', 'tool-role'] as const)
      expect(run.check(id)).toMatchObject({ status: 'skip', detail: 'Not deployed yet.' });
    expect(run.text).toContain('Deploy with `npm run deploy`, then run the doctor again.');
  });

  it('--before skips them without asking CloudFormation', async () => {
    const run = await doctor('--before');
    expect(run.code).toBe(0);
    expect(run.report.checks.filter((c) => c.status === 'skip').map((c) => c.id)).toEqual([
      'stack',
      'slack',
      'runtime',
      'request-url',
      'tool-role',
    ]);
    expect(run.check('runtime').detail).toBe('Runs after the deploy (--before).');
  });

  it('--after makes a missing stack a failure that says to deploy, exit 1', async () => {
    const run = await runInProcess(['--stack', 'aws-ask-not-here', '--after']);
    expect(run.code).toBe(1);
    expect(run.line('stack')).toMatch(/FAIL {2}Deployed stack +The stack aws-ask-not-here is not in eu-south-2/);
    expect(run.line('stack')).toContain('→ Run `npm run deploy`');
  });
});

describe('each failure says what to do, exit 1', () => {
  it('no CDK bootstrap: names the cdk bootstrap command for the account and region', async () => {
    await world.setBootstrapped(false);
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('bootstrap')).toMatchObject({ status: 'fail' });
      expect(run.line('bootstrap')).toContain('aws://123456789012/eu-south-2 is not bootstrapped for the CDK');
      expect(run.line('bootstrap')).toContain('→ Run `npx cdk bootstrap aws://123456789012/eu-south-2` once');
      expect(run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['bootstrap']);
    } finally {
      await world.setBootstrapped(true);
    }
  });

  it('AgentCore not in the region: its endpoint does not resolve, said as "not in this region"', async () => {
    // .invalid never resolves (RFC 6761): what an SDK meets for a service without an endpoint there
    const unresolvable = `http://bedrock-agentcore-control.${REGION}.invalid`;
    await withEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: unresolvable }, async () => {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.line('agentcore')).toContain('FAIL  AgentCore Runtime');
      expect(run.check('agentcore').detail).toMatch(/not in this region \(eu-south-2\).*ENOTFOUND/);
      expect(run.check('agentcore').fix).toMatch(/^Deploy to a region that has it \(https:\/\/docs\.aws\.amazon\.com/);
    });
  });

  it('AgentCore refusing the caller: says which permission', async () => {
    world.control.failWith = { status: 403, type: 'AccessDeniedException', message: 'User is not authorized' };
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.check('agentcore').detail).toContain('may not call bedrock-agentcore:ListAgentRuntimes');
    } finally {
      world.control.failWith = undefined;
    }
  });

  it('no Marketplace subscription: named as such, with the playground and aws-marketplace:Subscribe', async () => {
    world.answer = () => ({ error: { status: 403, type: 'AccessDeniedException', message: MARKETPLACE_DENIED } });
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      const c = run.check('model');
      expect(c.detail).toMatch(
        /^The account has no AWS Marketplace subscription to global\.anthropic\.claude-sonnet-4-6/,
      );
      expect(c.fix).toMatch(/^As an administrator, open the model in the Amazon Bedrock console in eu-south-2/);
      expect(c.fix).toContain('Open in playground) and send one message: that subscribes the account');
      expect(c.fix).toContain('aws-marketplace:Subscribe');
      expect(run.line('model')).toContain('→ As an administrator');
    } finally {
      world.answer = () => ({ text: 'OK' });
    }
  });

  it("Anthropic's use-case form not filed: named as such, with the playground form", async () => {
    world.answer = () => ({ error: { status: 404, type: 'ResourceNotFoundException', message: USE_CASE_MISSING } });
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      const c = run.check('model');
      expect(c.detail).toMatch(/^Anthropic's use-case form has not been filed for this account/);
      expect(c.fix).toContain('Open in playground) and submit the use-case form it shows');
      expect(c.fix).toContain('within 15 minutes');
    } finally {
      world.answer = () => ({ text: 'OK' });
    }
  });

  it('MODEL_ID and BEDROCK_REGION choose the model and its region', async () => {
    const model = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
    await withEnv({ MODEL_ID: model, BEDROCK_REGION: 'eu-central-1' }, async () => {
      const run = await doctor('--before');
      expect(run.code).toBe(0);
      expect(world.bedrock.requests.at(-1)?.modelId).toBe(model);
      expect(run.check('model').detail).toMatch(
        /^eu\.anthropic\.claude-haiku-4-5-20251001-v1:0 answered in eu-central-1 \(stop reason \w+\)\.$/,
      );
    });
  });

  it('a check that does not answer in time fails with that, and the doctor still ends', async () => {
    // a port that accepts connections and never answers
    const { createServer } = await import('node:net');
    const sink = createServer(() => undefined);
    await new Promise<void>((ok) => sink.listen(0, '127.0.0.1', ok));
    const port = (sink.address() as { port: number }).port;
    try {
      await withEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${port}` }, async () => {
        const started = Date.now();
        const run = await doctor('--before', '--timeout', '1');
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(run.code).toBe(1);
        expect(run.check('model')).toMatchObject({ status: 'fail', detail: 'No answer within 1 s.' });
        expect(run.check('model').fix).toContain('--timeout 3');
      });
    } finally {
      sink.close();
    }
  });
});

describe("Lambda concurrency: the account can spare the receiver's reservation", () => {
  /** Runs `fn` with the account's concurrency limits at `limits`, then puts the default back. */
  async function onAccount<T>(limits: LambdaAccountLimits, fn: () => Promise<T>): Promise<T> {
    world.lambda.limits = limits;
    try {
      return await fn();
    } finally {
      world.lambda.limits = { ...DEFAULT_LIMITS };
    }
  }
  /** A directory with a cdk.json whose context has `context`. */
  function projectWith(context: Record<string, unknown>): string {
    const dir = emptyDir();
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node infra/app.ts', context }));
    return dir;
  }
  const newAccount = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };

  it('an established account (1000): passes, saying what the default reservation leaves', async () => {
    const run = await doctor('--before');
    expect(run.check('lambda-concurrency')).toMatchObject({
      status: 'pass',
      detail:
        "1000 of the account's 1000 concurrent executions in eu-south-2 are unreserved; reserving 10 for the " +
        'receiver (receiverReservedConcurrency 10, the default) leaves 990 (Lambda keeps 100).',
    });
  });

  it('a new account (10): fails with the numbers and both ways out, exit 1', async () => {
    await onAccount(newAccount, async () => {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['lambda-concurrency']);
      const c = run.check('lambda-concurrency');
      expect(c.detail).toMatch(
        /^10 of the account's 10 concurrent executions in eu-south-2 are unreserved; reserving 10 for the receiver \(/,
      );
      expect(c.detail).toContain('needs 110: Lambda keeps at least 100 unreserved');
      expect(c.detail).toContain('so the deploy would fail.');
      expect(c.fix).toMatch(/^Deploy with `npm run deploy -- -c receiverReservedConcurrency=none`/);
      expect(c.fix).toContain(
        'request a "Concurrent executions" quota of at least 110 for AWS Lambda in Service Quotas',
      );
      expect(c.fix).toContain(
        'https://eu-south-2.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/L-B99A9384',
      );
      expect(run.line('lambda-concurrency')).toMatch(
        /^FAIL {2}Lambda concurrency +10 of the account's .*so the deploy would fail\.\n +→ Deploy with/,
      );
    });
  });

  it('none (--receiver-concurrency or cdk.json): passes, no reservation is made, Lambda is not asked', async () => {
    await onAccount(newAccount, async () => {
      const calls = world.lambda.calls.length;
      const flag = await doctor('--before', '--receiver-concurrency', 'none');
      expect(flag.code).toBe(0);
      expect(flag.check('lambda-concurrency')).toMatchObject({
        status: 'pass',
        detail:
          'No reservation is made for the receiver (receiverReservedConcurrency none, from --receiver-concurrency).',
      });
      const project = await runInProcess(
        ['--stack', world.stackName, '--before'],
        projectWith({ receiverReservedConcurrency: 'none' }),
      );
      expect(project.code).toBe(0);
      expect(project.check('lambda-concurrency').detail).toContain('(receiverReservedConcurrency none, from cdk.json)');
      expect(world.lambda.calls.length).toBe(calls);
    });
  });

  it("checks cdk.json's reservation, counting the other functions' reservations", async () => {
    // 120 with none reserved: the default 10 fits, cdk.json's 25 does not
    await onAccount({ concurrentExecutions: 120, unreservedConcurrentExecutions: 120 }, async () => {
      expect((await doctor('--before')).check('lambda-concurrency').status).toBe('pass');
      const run = await runInProcess(
        ['--stack', world.stackName, '--before'],
        projectWith({ receiverReservedConcurrency: 25 }),
      );
      expect(run.check('lambda-concurrency').detail).toContain(
        'reserving 25 for the receiver (receiverReservedConcurrency 25, cdk.json) needs 125',
      );
      expect(run.check('lambda-concurrency').fix).toContain('quota of at least 125');
      // --receiver-concurrency is what -c gives the deploy: it wins over cdk.json
      const flag = await runInProcess(
        ['--stack', world.stackName, '--before', '--receiver-concurrency', '20'],
        projectWith({ receiverReservedConcurrency: 25 }),
      );
      expect(flag.check('lambda-concurrency')).toMatchObject({ status: 'pass' });
      expect(flag.check('lambda-concurrency').detail).toContain('leaves 100');
    });
    // 1000 with 900 reserved by other functions: the limit must grow by what those hold
    await onAccount({ concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 }, async () => {
      const run = await doctor('--before');
      expect(run.check('lambda-concurrency').detail).toMatch(/^100 of the account's 1000 concurrent executions/);
      expect(run.check('lambda-concurrency').fix).toContain('quota of at least 1010');
    });
  });

  it('a value the deploy would refuse in cdk.json: fails with what synth says', async () => {
    const run = await runInProcess(
      ['--stack', world.stackName, '--before'],
      projectWith({ receiverReservedConcurrency: 'lots' }),
    );
    expect(run.check('lambda-concurrency')).toMatchObject({
      status: 'fail',
      detail:
        'npm run deploy would stop at cdk.json: context receiverReservedConcurrency must be a whole number ' +
        'from 1 to 1000 (got "lots").',
    });
  });

  it('credentials that may not read the settings: says which permission', async () => {
    world.lambda.failWith = { status: 403, type: 'AccessDeniedException', message: 'User is not authorized' };
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.check('lambda-concurrency').detail).toMatch(
        /^These credentials may not call lambda:GetAccountSettings/,
      );
      expect(run.check('lambda-concurrency').fix).toContain('110 unreserved Lambda concurrent executions');
    } finally {
      world.lambda.failWith = undefined;
    }
  });
});

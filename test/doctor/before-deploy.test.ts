/**
 * `npm run doctor` before and around the deploy, in-process against the stand-ins: the all-green run,
 * then one failure at a time of the checks that run before a deploy (credentials are in cli.test.ts, as
 * only a child process can have none), and how the after-deploy checks are skipped or failed when the
 * stack is not there.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_MODEL_ID, DEFAULT_RECEIVER_RESERVED_CONCURRENCY } from '../../common/defaults.ts';
import { WRITES } from '../../doctor/checks/tool-role.ts';
import { motoConfig } from '../helpers/aws.ts';
import { useDoctorWorld } from '../helpers/doctor-suite.ts';
import { DEFAULT_CONCURRENT_EXECUTIONS } from '../services/doctor-lambda-settings.ts';
import { startRefusingService } from '../services/doctor-refusing.ts';
import { emptyDir, runInProcess, withEnv } from '../services/doctor-run.ts';
import { type DoctorWorld, NOBODY } from '../services/doctor-world.ts';
import { BOT_TOKEN } from '../services/fake-slack.ts';

const REGION = 'eu-south-2';
let world: DoctorWorld;

/** The doctor on this suite's stack. */
const doctor = (...args: string[]) => runInProcess(['--stack', world.stackName, ...args]);

/** A directory with a cdk.json whose context has `context`. */
function projectWith(context: Record<string, unknown>): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node infra/app.ts', context }));
  return dir;
}

/** The doctor on this suite's stack, run in a project whose cdk.json has `context`. */
const inProject = (context: Record<string, unknown>, ...args: string[]) =>
  runInProcess(['--stack', world.stackName, ...args], projectWith(context));

/** Bedrock's error texts, as documented and reported (sources in doctor/checks/model-errors.ts). */
const MARKETPLACE_DENIED =
  'Model access is denied due to IAM user or service role is not authorized to perform the required AWS ' +
  'Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.';
const USE_CASE_MISSING =
  'Model use case details have not been submitted for this account. Fill out the Anthropic use case details form ' +
  'before using the model. If you have already filled out the form, try again in 15 minutes.';

useDoctorWorld({ region: REGION, stackName: 'aws-ask-doctor-a', roleName: 'aws-ask-doctor-tool-a' }, (w) => {
  world = w;
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
    await world.setBootstrapVersion(undefined);
    try {
      const run = await doctor();
      expect(run.code).toBe(1);
      expect(run.check('bootstrap')).toMatchObject({ status: 'fail' });
      expect(run.line('bootstrap')).toContain('aws://123456789012/eu-south-2 is not bootstrapped for the CDK');
      expect(run.line('bootstrap')).toContain('→ Run `npx cdk bootstrap aws://123456789012/eu-south-2` once');
      expect(run.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['bootstrap']);
    } finally {
      await world.setBootstrapVersion(27);
    }
  });

  it('a bootstrap older than version 6: the template would refuse it, says to upgrade', async () => {
    await world.setBootstrapVersion(5);
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.check('bootstrap').detail).toBe(
        'The bootstrap in eu-south-2 is version 5 (/cdk-bootstrap/hnb659fds/version); this stack needs 6 or ' +
          "newer (the template's CheckBootstrapVersion rule refuses older ones).",
      );
      expect(run.check('bootstrap').fix).toBe('Run `npx cdk bootstrap aws://123456789012/eu-south-2` to upgrade it.');
    } finally {
      await world.setBootstrapVersion(27);
    }
  });

  describe('a CDKToolkit stack without the parameter the deploy reads', () => {
    const cfn = () => new CloudFormationClient(motoConfig(REGION, inject('motoUrl')));
    /** A CDKToolkit stack in moto as `cdk bootstrap` makes it: its Qualifier parameter, BootstrapVersion output. */
    async function withToolkit<T>(o: { qualifier?: string; version?: number }, fn: () => Promise<T>): Promise<T> {
      const client = cfn();
      const template = {
        ...(o.qualifier ? { Parameters: { Qualifier: { Type: 'String', Default: 'hnb659fds' } } } : {}),
        Resources: { StagingBucket: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: { BootstrapVersion: { Value: String(o.version ?? 27) } },
      };
      await client.send(
        new CreateStackCommand({
          StackName: 'CDKToolkit',
          TemplateBody: JSON.stringify(template),
          ...(o.qualifier ? { Parameters: [{ ParameterKey: 'Qualifier', ParameterValue: o.qualifier }] } : {}),
        }),
      );
      try {
        return await fn();
      } finally {
        await client.send(new DeleteStackCommand({ StackName: 'CDKToolkit' }));
        client.destroy();
      }
    }

    it('bootstrapped with another qualifier: a failure, naming it and the cdk.json context for it', async () => {
      await world.setBootstrapVersion(undefined);
      try {
        await withToolkit({ qualifier: 'custom1' }, async () => {
          const run = await doctor('--before');
          expect(run.code).toBe(1);
          expect(run.check('bootstrap').detail).toBe(
            'aws://123456789012/eu-south-2 has no /cdk-bootstrap/hnb659fds/version, which the deploy reads (the ' +
              "template's CheckBootstrapVersion rule and the CDK CLI), though a CDKToolkit stack is there " +
              '(CREATE_COMPLETE): it was probably bootstrapped with the qualifier custom1.',
          );
          expect(run.check('bootstrap').fix).toMatch(
            /^Deploy for that qualifier: add "@aws-cdk\/core:bootstrapQualifier": "custom1" to cdk\.json's context/,
          );
        });
      } finally {
        await world.setBootstrapVersion(27);
      }
    });

    it("with cdk.json's qualifier, that qualifier's parameter is the one checked", async () => {
      const ssm = new SSMClient(motoConfig(REGION, inject('motoUrl')));
      const name = '/cdk-bootstrap/custom1/version';
      await ssm.send(new PutParameterCommand({ Name: name, Value: '27', Type: 'String', Overwrite: true }));
      await world.setBootstrapVersion(undefined);
      try {
        const run = await inProject({ '@aws-cdk/core:bootstrapQualifier': 'custom1' }, '--before');
        expect(run.check('bootstrap')).toMatchObject({
          status: 'pass',
          detail: `Bootstrapped: version 27 (${name} in eu-south-2).`,
        });
      } finally {
        await world.setBootstrapVersion(27);
        await ssm.send(new DeleteParameterCommand({ Name: name }));
        ssm.destroy();
      }
    });

    it('the legacy bootstrap (no Qualifier parameter): a failure, saying to upgrade it', async () => {
      await world.setBootstrapVersion(undefined);
      try {
        await withToolkit({}, async () => {
          const run = await doctor('--before');
          expect(run.code).toBe(1);
          expect(run.check('bootstrap').detail).toContain('it is probably the legacy bootstrap');
          expect(run.check('bootstrap').fix).toContain('Run `npx cdk bootstrap aws://123456789012/eu-south-2` once');
        });
      } finally {
        await world.setBootstrapVersion(27);
      }
    });

    it('only when reading the parameter is denied does the stack stand in for it', async () => {
      const ssm = await startRefusingService({
        status: 400,
        type: 'AccessDeniedException',
        message: 'User: arn:aws:iam::123456789012:user/doctor is not authorized to perform: ssm:GetParameter',
      });
      try {
        await withEnv({ AWS_ENDPOINT_URL_SSM: ssm.url }, async () => {
          await withToolkit({ qualifier: 'hnb659fds', version: 27 }, async () => {
            const run = await doctor('--before');
            expect(ssm.calls).toContain('AmazonSSM.GetParameter');
            expect(run.check('bootstrap').status).toBe('pass');
            expect(run.check('bootstrap').detail).toMatch(
              /^Bootstrapped: the CDKToolkit stack is CREATE_COMPLETE with qualifier hnb659fds, version 27 \(/,
            );
            expect(run.check('bootstrap').detail).toContain(
              '(ssm:GetParameter on /cdk-bootstrap/hnb659fds/version was denied: AccessDeniedException',
            );
          });
          await withToolkit({ qualifier: 'hnb659fds', version: 5 }, async () => {
            const run = await doctor('--before');
            expect(run.check('bootstrap')).toMatchObject({ status: 'fail' });
            expect(run.check('bootstrap').detail).toMatch(
              /^The bootstrap in eu-south-2 is version 5 \(the CDKToolkit stack's BootstrapVersion\)/,
            );
          });
        });
      } finally {
        await ssm.close();
      }
    });
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
    // a caller whose policies allow nothing: the control plane evaluates them and refuses
    const admin = world.control.caller;
    world.control.caller = NOBODY;
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.check('agentcore').detail).toMatch(
        /^These credentials may not call bedrock-agentcore:ListAgentRuntimes \(/,
      );
      expect(run.check('agentcore').detail).toContain(
        'AccessDeniedException: arn:aws:iam::123456789012:user/nobody is not authorized to perform: ' +
          'bedrock-agentcore:ListAgentRuntimes',
      );
      expect(world.control.refusals.at(-1)).toMatch(/^AccessDeniedException: .* bedrock-agentcore:ListAgentRuntimes/);
    } finally {
      world.control.caller = admin;
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

  it("the model the deploy would use: cdk.json's modelId in the stack's region, not the shell's MODEL_ID", async () => {
    const model = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
    // a local bot's settings: npm run deploy reads neither
    await withEnv({ MODEL_ID: 'us.amazon.nova-pro-v1:0', BEDROCK_REGION: 'eu-central-1' }, async () => {
      const run = await inProject({ modelId: model }, '--before');
      expect(run.code).toBe(0);
      expect(world.bedrock.requests.at(-1)?.modelId).toBe(model);
      expect(run.check('model').detail).toMatch(
        /^eu\.anthropic\.claude-haiku-4-5-20251001-v1:0 answered in eu-south-2 \(/,
      );
      expect(run.check('model').detail).toMatch(/; model from cdk\.json's modelId\)\.$/);
      expect(run.text).toContain(`model ${model}`);
      // without cdk.json's modelId: the project default, said as such
      const plain = await doctor('--before');
      expect(world.bedrock.requests.at(-1)?.modelId).toBe(DEFAULT_MODEL_ID);
      expect(plain.check('model').detail).toContain("model from the default (cdk.json's context names no modelId)");
      // --model tries another, whatever cdk.json says
      const flag = await inProject({ modelId: model }, '--before', '--model', 'global.anthropic.claude-opus-4-6');
      expect(world.bedrock.requests.at(-1)?.modelId).toBe('global.anthropic.claude-opus-4-6');
      expect(flag.check('model').detail).toContain('model from --model');
    });
  });

  /** Bedrock's errors as it sends them (HTTP status, x-amzn-errortype, message): the SDK names the error. */
  it.each([
    [
      'Marketplace, the second text re:Post lists',
      403,
      'AccessDeniedException',
      'Model access is denied due to arn:aws:iam::111122223333:role/Dev is not authorized to perform: ' +
        'aws-marketplace:Subscribe on resource: * because no identity-based policy allows the action.',
      /^The account has no AWS Marketplace subscription to global\.anthropic\.claude-sonnet-4-6 in eu-south-2/,
    ],
    [
      'the use-case form, as an AccessDeniedException',
      403,
      'AccessDeniedException',
      'Model use case details have not been submitted for this account.',
      /^Anthropic's use-case form has not been filed for this account/,
    ],
    [
      'the use-case form, by the code the troubleshooting page lists',
      404,
      'FTUFormNotFilled',
      'Model use case details have not been submitted for this account',
      /^Anthropic's use-case form has not been filed .*\(FTUFormNotFilled: /,
    ],
    [
      'an IAM denial, neither of those',
      403,
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:user/moto is not authorized to perform: bedrock:InvokeModel',
      // the caller moto's STS says the doctor runs as
      /^arn:aws:sts::123456789012:user\/moto may not invoke global\.anthropic\.claude-sonnet-4-6 in eu-south-2/,
    ],
    [
      'a legacy model',
      404,
      'ResourceNotFoundException',
      'Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in ' +
        'the last 30 days. Please upgrade to an active model on Amazon Bedrock',
      /is a legacy model this account may no longer start using/,
    ],
    [
      'a model id that needs an inference profile',
      400,
      'ValidationException',
      "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported. Retry your " +
        'request with the ID or ARN of an inference profile that contains this model.',
      /cannot be called on demand by its model id \(ValidationException: /,
    ],
    [
      'an invalid model id',
      400,
      'ValidationException',
      'The provided model identifier is invalid.',
      /is not a model or inference profile Bedrock knows there \(ValidationException: /,
    ],
    [
      'throttling',
      429,
      'ThrottlingException',
      'Too many tokens per day, please wait before trying again.',
      /^Bedrock throttled the call to .* \(ThrottlingException: Too many tokens per day/,
    ],
  ])('Converse refused (%s): said as such', async (_case, status, type, message, detail) => {
    world.answer = () => ({ error: { status, type, message } });
    try {
      const run = await doctor('--before');
      expect(run.code).toBe(1);
      expect(run.check('model').status).toBe('fail');
      expect(run.check('model').detail).toMatch(detail);
      expect(run.check('model').detail).toMatch(/ Model from the default \(cdk\.json's context names no modelId\)\.$/);
    } finally {
      world.answer = () => ({ text: 'OK' });
    }
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
  /**
   * Runs `fn` on an account whose limit is `limit`, where other functions reserve `others` and the deployed
   * receiver holds `receiver` (absent: no receiver, as before the first deploy); then puts the world back.
   */
  async function onAccount<T>(
    o: { limit: number; others?: number; receiver?: number | 'absent' },
    fn: () => Promise<T>,
  ): Promise<T> {
    const { functions } = world.lambda;
    world.lambda.concurrentExecutions = o.limit;
    if (o.others) functions.set('someone-elses-function', o.others);
    if (o.receiver === 'absent') functions.delete(world.receiverName);
    else if (o.receiver !== undefined) functions.set(world.receiverName, o.receiver);
    try {
      return await fn();
    } finally {
      world.lambda.concurrentExecutions = DEFAULT_CONCURRENT_EXECUTIONS;
      functions.delete('someone-elses-function');
      functions.set(world.receiverName, DEFAULT_RECEIVER_RESERVED_CONCURRENCY);
    }
  }
  const newAccount = { limit: 10, receiver: 'absent' } as const;

  it('an established account (1000): passes, saying what the default reservation leaves', async () => {
    await onAccount({ limit: 1000, receiver: 'absent' }, async () => {
      const run = await doctor('--before');
      expect(run.check('lambda-concurrency')).toMatchObject({
        status: 'pass',
        detail:
          "1000 of the account's 1000 concurrent executions in eu-south-2 are unreserved; reserving 10 for the " +
          'receiver (receiverReservedConcurrency 10, the default) leaves 990 (Lambda keeps 100).',
      });
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
      const project = await inProject({ receiverReservedConcurrency: 'none' }, '--before');
      expect(project.code).toBe(0);
      expect(project.check('lambda-concurrency').detail).toContain('(receiverReservedConcurrency none, from cdk.json)');
      expect(world.lambda.calls.length).toBe(calls);
    });
  });

  it("checks cdk.json's reservation, counting the other functions' reservations", async () => {
    // 120 with none reserved: the default 10 fits, cdk.json's 25 does not
    await onAccount({ limit: 120, receiver: 'absent' }, async () => {
      expect((await doctor('--before')).check('lambda-concurrency').status).toBe('pass');
      const run = await inProject({ receiverReservedConcurrency: 25 }, '--before');
      expect(run.check('lambda-concurrency').detail).toContain(
        'reserving 25 for the receiver (receiverReservedConcurrency 25, cdk.json) needs 125',
      );
      expect(run.check('lambda-concurrency').fix).toContain('quota of at least 125');
      // --receiver-concurrency is what -c gives the deploy: it wins over cdk.json
      const flag = await inProject({ receiverReservedConcurrency: 25 }, '--before', '--receiver-concurrency', '20');
      expect(flag.check('lambda-concurrency')).toMatchObject({ status: 'pass' });
      expect(flag.check('lambda-concurrency').detail).toContain('leaves 100');
    });
    // 1000 with 900 reserved by other functions: the limit must grow by what those hold
    await onAccount({ limit: 1000, others: 900, receiver: 'absent' }, async () => {
      const run = await doctor('--before');
      expect(run.check('lambda-concurrency').detail).toMatch(/^100 of the account's 1000 concurrent executions/);
      expect(run.check('lambda-concurrency').fix).toContain('quota of at least 1010');
    });
  });

  it("once deployed, the receiver's own reservation is not counted twice", async () => {
    // 110 with the deployed receiver holding its 10: Lambda says 100 unreserved, and a redeploy keeps 100
    await onAccount({ limit: 110, receiver: 10 }, async () => {
      const run = await doctor();
      expect(world.lambda.calls).toContain(`GET /2019-09-30/functions/${world.receiverName}/concurrency`);
      expect(run.check('lambda-concurrency')).toMatchObject({
        status: 'pass',
        detail:
          "100 of the account's 110 concurrent executions in eu-south-2 are unreserved, 10 more held by the deployed " +
          `receiver (${world.receiverName}), which the deploy replaces; reserving 10 for the receiver ` +
          '(receiverReservedConcurrency 10, the default) leaves 100 (Lambda keeps 100).',
      });
      // raising it to 25 needs 15 more than the receiver holds: the quota named counts what it holds
      const more = await inProject({ receiverReservedConcurrency: 25 });
      expect(more.check('lambda-concurrency').status).toBe('fail');
      expect(more.check('lambda-concurrency').detail).toContain('needs 125');
      expect(more.check('lambda-concurrency').fix).toContain('quota of at least 125');
      // --before knows of no deployed receiver: its reservation counts as taken
      expect((await doctor('--before')).check('lambda-concurrency').status).toBe('fail');
    });
  });

  it('a receiver whose reservation cannot be read is counted as taken, and the line says why', async () => {
    // the stack names a receiver Lambda does not know (deleted by hand): GetFunctionConcurrency is a 404
    await onAccount({ limit: 1000, receiver: 'absent' }, async () => {
      const run = await doctor();
      expect(run.check('lambda-concurrency').status).toBe('pass');
      expect(run.check('lambda-concurrency').detail).toContain(
        `(the deployed receiver's own reservation is counted as taken: lambda:GetFunctionConcurrency on ` +
          `${world.receiverName} failed: ResourceNotFoundException: Function not found: ${world.receiverName})`,
      );
    });
  });

  it('a value the deploy would refuse in cdk.json: fails with what synth says', async () => {
    const run = await inProject({ receiverReservedConcurrency: 'lots' }, '--before');
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

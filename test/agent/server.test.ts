import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ModelThrottledError } from '@strands-agents/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentEvent } from '../../common/protocol.ts';
import {
  type Harness,
  instanceCounter,
  invokeJson,
  invokeSse,
  sessionId,
  startHarness,
} from '../helpers/agent-harness.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { SESSION_POLICY_ENV } from '../helpers/tool-role.ts';
import { freePort } from '../services/moto.ts';
import { type RecordingProxy, startRecordingProxy } from '../services/recording-proxy.ts';
import { lastPrompt, ScriptedModel, toolResultTexts } from '../services/scripted-model.ts';

const REGION = 'ap-south-1';
const SEEDED = 7;
let toolRoleArn: string;
let proxy: RecordingProxy;
const harnesses: Harness[] = [];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function harness(o: Partial<Parameters<typeof startHarness>[0]> = {}): Promise<Harness> {
  const h = await startHarness({ region: REGION, toolRoleArn, model: () => instanceCounter(REGION), ...o });
  harnesses.push(h);
  return h;
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  let entered!: () => void;
  const reached = new Promise<void>((r) => (entered = r));
  return {
    open,
    reached,
    wait: async () => {
      entered();
      await opened;
    },
  };
};

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-server'])) as [string];
  await seedInstances(moto, REGION, SEEDED, 'srv');
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
});

afterEach(async () => {
  while (harnesses.length) await harnesses.pop()!.close();
});

afterAll(async () => {
  await proxy.close();
});

const types = (events: AgentEvent[]) => events.map((e) => e.type);

describe('POST /invocations', () => {
  it("streams tool_start, tool_end, text and done in order; the answer holds moto's numbers", async () => {
    const h = await harness();
    const events = await invokeSse(h.url, sessionId(1), {
      prompt: 'How many EC2 instances do we run?',
      asker: { teamId: 'T1', userId: 'U1', channelId: 'C1' },
    });
    const texts = events.filter((e) => e.type === 'text').map(() => 'text');
    expect(types(events)).toEqual(['tool_start', 'tool_end', ...texts, 'done']);
    const start = events[0] as Extract<AgentEvent, { type: 'tool_start' }>;
    expect(start).toMatchObject({
      type: 'tool_start',
      service: 'ec2',
      operation: 'describe_instances',
      iamAction: 'ec2:DescribeInstances',
      region: REGION,
      label: 'List EC2 instances',
    });
    expect(start.id).toMatch(/^tooluse_/);
    expect(events[1]).toMatchObject({
      type: 'tool_end',
      id: start.id,
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      region: REGION,
      ok: true,
    });
    const answer = events
      .filter((e) => e.type === 'text')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(answer).toBe(`There are ${SEEDED} EC2 instances in ${REGION}.`);
    const done = events.at(-1) as Extract<AgentEvent, { type: 'done' }>;
    expect(done.toolCalls).toHaveLength(1);
    expect(done.usage).toEqual({ inputTokens: 200, outputTokens: 40, totalTokens: 240 });
    // the asker reached the tool: the call ran in a session named after the Slack user
    const assume = proxy.requests
      .filter((r) => r.action === 'AssumeRole')
      .map((r) => new URLSearchParams(r.body).get('SourceIdentity'));
    expect(assume).toContain('slack.T1.U1');
  });

  it('answers with one JSON object when asked for JSON', async () => {
    const h = await harness();
    const r = await invokeJson(h.url, sessionId(2), { prompt: 'How many instances?' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      answer: `There are ${SEEDED} EC2 instances in ${REGION}.`,
      usage: { totalTokens: 240 },
    });
    expect((r.body.toolCalls as unknown[])[0]).toMatchObject({ iamAction: 'ec2:DescribeInstances', ok: true });
  });

  it('logs one structured record per invocation, without the prompt', async () => {
    const h = await harness();
    await invokeJson(h.url, sessionId(3), {
      prompt: 'How many instances, secretly?',
      asker: { teamId: 'T1', userId: 'U9' },
    });
    const rec = h.logs.find((l) => l.msg === 'invocation')!;
    expect(rec).toMatchObject({
      level: 'info',
      promptChars: 'How many instances, secretly?'.length,
      outcome: 'ok',
      asker: { teamId: 'T1', userId: 'U9' },
      usage: { totalTokens: 240 },
    });
    expect(rec.toolCalls).toEqual([expect.objectContaining({ call: 'ec2:DescribeInstances', ok: true })]);
    expect(typeof rec.durationMs).toBe('number');
    expect(JSON.stringify(h.logs)).not.toContain('secretly');
  });
});

describe('GET /ping', () => {
  it('turns HealthyBusy during an invocation and back; the time changes only on a change', async () => {
    const g = gate();
    const h = await harness({ model: () => instanceCounter(REGION, g.wait) });
    const ping = async () =>
      (await (await fetch(`${h.url}/ping`)).json()) as { status: string; time_of_last_update: number };
    const first = await ping();
    expect(first.status).toBe('Healthy');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await ping()).toEqual(first); // no change, no restamp
    const running = invokeJson(h.url, sessionId(4), { prompt: 'How many instances?' });
    await g.reached;
    const busy = await ping();
    expect(busy.status).toBe('HealthyBusy');
    expect(busy.time_of_last_update).toBeGreaterThan(first.time_of_last_update);
    g.open();
    expect((await running).status).toBe(200);
    const after = await ping();
    expect(after.status).toBe('Healthy');
    expect(after.time_of_last_update).toBeGreaterThanOrEqual(busy.time_of_last_update);
  });
});

describe('sessions', () => {
  const echo = () =>
    new ScriptedModel([], (messages) => ({
      text: `turns=${messages.filter((m) => m.role === 'user').length} last=${lastPrompt(messages)}`,
    }));

  it('two invocations in one session share the conversation; another session does not', async () => {
    const h = await harness({ model: echo });
    await invokeJson(h.url, sessionId(10), { prompt: 'first question' });
    const second = await invokeJson(h.url, sessionId(10), { prompt: 'second question' });
    expect(second.body.answer).toBe('turns=2 last=second question');
    const other = await invokeJson(h.url, sessionId(11), { prompt: 'other thread' });
    expect(other.body.answer).toBe('turns=1 last=other thread');
  });

  it('with a session store, a fresh service continues the conversation from S3', async () => {
    const s3 = new S3Client({ endpoint: inject('motoUrl'), region: REGION, forcePathStyle: true });
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'aws-ask-sessions-test',
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    const store = { bucket: 'aws-ask-sessions-test', prefix: 'sessions/', s3Client: s3 };
    const a = await harness({ model: echo, sessionStore: store });
    await invokeJson(a.url, sessionId(12), { prompt: 'remember the ALB named edge-prod' });
    await a.close();
    harnesses.splice(harnesses.indexOf(a), 1);
    const b = await harness({ model: echo, sessionStore: store });
    const cont = await invokeJson(b.url, sessionId(12), { prompt: 'what was it called?' });
    expect(cont.body.answer).toBe('turns=2 last=what was it called?');
    const seen = b.models[0]!.calls[0]!.map((m) => JSON.stringify(m.content)).join(' ');
    expect(seen).toContain('remember the ALB named edge-prod');
    const fresh = await invokeJson(b.url, sessionId(13), { prompt: 'new thread' });
    expect(fresh.body.answer).toBe('turns=1 last=new thread');
  });

  it("a second invocation on a busy session waits its turn and sees the first one's exchange", async () => {
    const g = gate();
    let calls = 0;
    const h = await harness({
      model: () =>
        new ScriptedModel([], async (messages) => {
          if (calls++ === 0) await g.wait();
          return {
            text:
              `answer to "${lastPrompt(messages)}" ` +
              `after ${messages.filter((m) => m.role === 'assistant').length} answers`,
          };
        }),
    });
    const first = invokeJson(h.url, sessionId(14), { prompt: 'one' });
    await g.reached;
    const second = invokeJson(h.url, sessionId(14), { prompt: 'two' });
    await new Promise((r) => setTimeout(r, 100));
    g.open();
    expect((await first).body.answer).toBe('answer to "one" after 0 answers');
    expect((await second).body.answer).toBe('answer to "two" after 1 answers');
  });

  it('gives a clear busy error when the wait runs out, and the first answer is unharmed', async () => {
    const g = gate();
    const h = await harness({
      busyWaitMs: 100,
      model: () =>
        new ScriptedModel(
          [
            async () => {
              await g.wait();
              return { text: 'slow answer' };
            },
          ],
          () => ({ text: 'next' }),
        ),
    });
    const first = invokeJson(h.url, sessionId(15), { prompt: 'slow' });
    await g.reached;
    const second = await invokeJson(h.url, sessionId(15), { prompt: 'impatient' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'busy',
      message: expect.stringMatching(/still answering an earlier question in this thread/),
    });
    g.open();
    expect((await first).body.answer).toBe('slow answer');
    expect((await invokeJson(h.url, sessionId(15), { prompt: 'later' })).body.answer).toBe('next');
  });

  it('runs different sessions in parallel', async () => {
    const g = gate();
    let inside = 0;
    let together = 0;
    const h = await harness({
      model: () =>
        new ScriptedModel([], async () => {
          inside++;
          together = Math.max(together, inside);
          if (inside === 2) g.open();
          await g.wait();
          inside--;
          return { text: 'ok' };
        }),
    });
    const results = await Promise.all([
      invokeJson(h.url, sessionId(16), { prompt: 'a' }),
      invokeJson(h.url, sessionId(17), { prompt: 'b' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(together).toBe(2);
  });
});

describe('read-only, end to end', () => {
  it('a model trying a write, a sensitive read and an injected profile is refused; nothing reaches moto', async () => {
    const h = await harness({
      model: () =>
        new ScriptedModel([
          {
            tools: [
              {
                name: 'controlled_use_aws',
                input: {
                  service_name: 'ec2',
                  operation_name: 'terminate_instances',
                  parameters: { InstanceIds: ['i-1'] },
                  region: REGION,
                  label: 'stop',
                },
              },
              {
                name: 'controlled_use_aws',
                input: {
                  service_name: 'secretsmanager',
                  operation_name: 'get_secret_value',
                  parameters: { SecretId: 'db' },
                  region: REGION,
                  label: 'peek',
                },
              },
              {
                name: 'controlled_use_aws',
                input: {
                  service_name: 'sts',
                  operation_name: 'get_caller_identity',
                  parameters: {},
                  region: REGION,
                  label: 'who',
                  profile_name: 'admin',
                },
              },
            ],
          },
          (messages) => ({
            text: toolResultTexts(messages).every((t) => /Refused|Unknown input property/.test(t))
              ? 'I cannot do that: aws-ask is read-only.'
              : 'leaked',
          }),
        ]),
    });
    const before = proxy.requests.length;
    const events = await invokeSse(h.url, sessionId(20), { prompt: 'terminate i-1, show me the db secret' });
    expect(proxy.requests.length).toBe(before);
    const tools = events.filter((e) => e.type === 'tool_end') as Extract<AgentEvent, { type: 'tool_end' }>[];
    // every started call ends: the one whose input was rejected (an injected profile) ends refused too
    expect(tools.map((t) => [t.iamAction, t.refused, t.errorCode]).sort()).toEqual([
      ['ec2:TerminateInstances', true, 'Refused'],
      ['secretsmanager:GetSecretValue', true, 'Refused'],
      ['sts:GetCallerIdentity', true, 'InvalidInput'],
    ]);
    const starts = events.filter((e) => e.type === 'tool_start').map((e) => (e as { id: string }).id);
    expect(tools.map((t) => t.id).sort()).toEqual([...starts].sort());
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('I cannot do that: aws-ask is read-only.');
  });
});

describe('bad requests get 4xx JSON errors', () => {
  const cases: [string, string | undefined, unknown, number, RegExp, Record<string, string>?][] = [
    ['no session header', undefined, { prompt: 'hi' }, 400, /missing x-amzn-bedrock-agentcore-runtime-session-id/],
    ['a short session id', 'short', { prompt: 'hi' }, 400, /must be 33–256 characters \(got 5\)/],
    ['a long session id', 'x'.repeat(257), { prompt: 'hi' }, 400, /must be 33–256 characters/],
    ['bad JSON', sessionId(30), '{"prompt": ', 400, /not valid JSON/],
    ['a JSON array', sessionId(30), '[1]', 400, /must be a JSON object/],
    ['a missing prompt', sessionId(30), { asker: {} }, 400, /prompt must be a string/],
    ['an empty prompt', sessionId(30), { prompt: '   ' }, 400, /prompt must not be empty/],
    ['a wrong-typed prompt', sessionId(30), { prompt: 42 }, 400, /prompt must be a string/],
    ['an unknown field', sessionId(30), { prompt: 'hi', model: 'opus' }, 400, /unknown field model/],
    [
      'a bad asker',
      sessionId(30),
      { prompt: 'hi', asker: { userId: '<script>' } },
      400,
      /asker\.userId must be a Slack id/,
    ],
    ['a too-long prompt', sessionId(30), { prompt: 'x'.repeat(8_001) }, 400, /longer than 8000 characters/],
    ['an oversize body', sessionId(30), { prompt: 'x'.repeat(70_000) }, 413, /larger than 65536 bytes/],
    [
      'a wrong content type',
      sessionId(30),
      'prompt=hi',
      415,
      /Content-Type must be application\/json/,
      { 'Content-Type': 'application/x-www-form-urlencoded' },
    ],
  ];
  it.each(cases)('%s', async (_what, session, body, status, message, headers) => {
    const h = await harness();
    const r = await invokeJson(h.url, session, body, headers ?? {});
    expect(r.status).toBe(status);
    expect((r.body.error as { code: string; message: string }).message).toMatch(message);
    expect(h.models).toHaveLength(0);
  });

  it('other methods and paths', async () => {
    const h = await harness();
    const get = await fetch(`${h.url}/invocations`);
    expect(get.status).toBe(405);
    const other = await fetch(`${h.url}/../etc/passwd`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(
      /serves GET \/ping and POST \/invocations/,
    );
  });
});

describe('failures end in an error event and the server keeps serving', () => {
  /** The first model made fails with `error`; every later one answers. */
  const failingOnce = (error: Error | 'hang') => {
    let made = 0;
    return () =>
      made++ === 0
        ? new ScriptedModel([], () => (error === 'hang' ? new Promise<never>(() => {}) : { error }))
        : new ScriptedModel([], () => ({ text: 'recovered' }));
  };

  it.each([
    [
      'throttling (after retries)',
      new ModelThrottledError('Too many requests'),
      'model_throttled',
      /busy right now \(throttled\)/,
    ],
    [
      'no model access',
      Object.assign(new Error("You don't have access to the model with the specified model ID."), {
        name: 'AccessDeniedException',
      }),
      'model_access',
      /enable model access in Amazon Bedrock or set MODEL_ID/,
    ],
    [
      'a model failure',
      new Error('boom: internal model stack trace with secrets'),
      'model_error',
      /The AI model failed while answering/,
    ],
  ])('%s', async (_what, error, code, message) => {
    const h = await harness({ model: failingOnce(error) });
    const events = await invokeSse(h.url, sessionId(40), { prompt: 'hi' });
    const last = events.at(-1) as Extract<AgentEvent, { type: 'error' }>;
    expect(last).toMatchObject({ type: 'error', code });
    expect(last.message).toMatch(message);
    expect(last.message).toContain(`(ref ${last.ref})`);
    expect(last.message).not.toMatch(/stack trace|secrets/);
    expect(h.logs.some((l) => l.ref === last.ref && l.msg === 'invocation failed')).toBe(true);
    const again = await invokeJson(h.url, sessionId(41), { prompt: 'hi again' });
    expect(again.body.answer).toBe('recovered');
  });

  it('a hanging model is stopped at the timeout with a clear error; the thread then gets a fresh agent', async () => {
    const h = await harness({ invocationTimeoutMs: 300, model: failingOnce('hang') });
    const events = await invokeSse(h.url, sessionId(42), { prompt: 'hang' });
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'timeout',
      message: expect.stringMatching(/took too long/),
    });
    const next = await invokeJson(h.url, sessionId(42), { prompt: 'again' });
    expect(next.body.answer).toBe('recovered');
    expect(h.models).toHaveLength(2);
  });
});

describe('the server process', () => {
  function start(env: Record<string, string>): {
    exited: Promise<{ code: number | null; out: string; err: string }>;
    kill: (s: NodeJS.Signals) => void;
  } {
    const child = spawn(process.execPath, [join(root, 'agent', 'server.ts')], {
      env: { ...process.env, ...env },
      cwd: root,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return {
      exited: new Promise((r) => child.on('close', (code) => r({ code, out, err }))),
      kill: (s) => child.kill(s),
    };
  }

  it('starts, answers /ping, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const p = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      TOOL_ROLE_ARN: toolRoleArn,
      ...SESSION_POLICY_ENV,
      AWS_REGION: REGION,
    });
    let ping: Response | undefined;
    for (let i = 0; i < 100 && !ping; i++) {
      ping = await fetch(`http://127.0.0.1:${port}/ping`).catch(() => undefined);
      if (!ping) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await ping!.json()).toMatchObject({ status: 'Healthy' });
    p.kill('SIGTERM');
    const { code, out } = await p.exited;
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'agent server listening',
      port,
      modelId: 'global.anthropic.claude-sonnet-4-6',
      modelRegion: REGION,
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'shutting down', signal: 'SIGTERM' });
  });

  it('refuses to start without credentials or region, saying what to set', async () => {
    const env = { TOOL_ROLE_ARN: '', AGENT_TOOL_USE_AWS_PROFILE_NAME: '', AWS_REGION: REGION };
    const noCreds = await start(env).exited;
    expect(noCreds.code).toBe(2);
    expect(noCreds.err).toMatch(/set TOOL_ROLE_ARN .* or AGENT_TOOL_USE_AWS_PROFILE_NAME/);
    const noRegion = await start({
      TOOL_ROLE_ARN: toolRoleArn,
      ...SESSION_POLICY_ENV,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    }).exited;
    expect(noRegion.code).toBe(2);
    expect(noRegion.err).toMatch(/set AWS_REGION/);
  });
});

describe('settings from the environment', () => {
  it('reads model, regions, limits and timeout, and names a bad value', async () => {
    const { agentSettingsFromEnv } = await import('../../agent/agent.ts');
    expect(agentSettingsFromEnv({ AWS_REGION: 'eu-west-1' })).toEqual({
      modelId: 'global.anthropic.claude-sonnet-4-6',
      modelRegion: 'eu-west-1',
      defaultRegion: 'eu-west-1',
      regions: [],
      maxTurns: 16,
      maxTokens: 4096,
      contextWindow: 200_000,
      timeoutMs: 240_000,
    });
    expect(
      agentSettingsFromEnv({
        AWS_REGION: 'eu-west-1',
        BEDROCK_REGION: 'us-east-1',
        MODEL_ID: 'm',
        AWS_ASK_REGIONS: 'eu-west-1, us-east-1',
        AGENT_TIMEOUT_MS: '5000',
        MODEL_CONTEXT_WINDOW: '1000000',
      }),
    ).toMatchObject({
      modelId: 'm',
      modelRegion: 'us-east-1',
      regions: ['eu-west-1', 'us-east-1'],
      timeoutMs: 5000,
      contextWindow: 1_000_000,
    });
    expect(() => agentSettingsFromEnv({ AWS_REGION: 'eu-west-1', AGENT_TIMEOUT_MS: 'soon' })).toThrow(
      /AGENT_TIMEOUT_MS must be a whole number/,
    );
    expect(() => agentSettingsFromEnv({ AWS_REGION: 'Europe' })).toThrow(/not a region name/);
    expect(() => agentSettingsFromEnv({ AWS_REGION: 'eu-west-1', AWS_ASK_REGIONS: 'eu-west-1,mars' })).toThrow(
      /AWS_ASK_REGIONS has "mars"/,
    );
  });
});

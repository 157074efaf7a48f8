/**
 * `npm run ask` end to end, as a user runs it: a real process, the real BedrockModel speaking HTTP/2
 * to the Bedrock stand-in, the real tool reaching moto.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeUsage } from '../../agent/cli.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { SESSION_POLICY_ENV } from '../helpers/tool-role.ts';
import { instancesIn } from '../helpers/tools.ts';
import {
  type BedrockTurn,
  type ConverseRequest,
  type FakeBedrock,
  lastToolResults,
  startFakeBedrock,
  type TokenUsage,
} from '../services/fake-bedrock.ts';

const REGION = 'ca-central-1';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let toolRoleArn: string;
let bedrock: FakeBedrock;
let mode: 'answer' | 'denied' = 'answer';

function counting(req: ConverseRequest): BedrockTurn {
  if (mode === 'denied')
    return {
      error: {
        status: 403,
        type: 'AccessDeniedException',
        message: "You don't have access to the model with the specified model ID.",
      },
    };
  const results = lastToolResults(req);
  if (!results.length) {
    return {
      tools: [
        {
          name: 'controlled_use_aws',
          input: {
            service_name: 'ec2',
            operation_name: 'DescribeInstances',
            parameters: {},
            region: REGION,
            label: 'List EC2 instances',
          },
        },
      ],
    };
  }
  return { text: `You run **${instancesIn(results[0]!)}** EC2 instances in ${REGION}.` };
}

/** The usage Bedrock reported for the requests from `from` on, summed as the agent sums it. */
function usageSince(from: number): Required<TokenUsage> {
  const sum = { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
  for (const u of bedrock.usage.slice(from)) {
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += u?.[k] ?? 0;
  }
  return sum;
}

function ask(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(root, 'agent', 'cli.ts'), 'ask', ...args], {
      cwd: root,
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
        AWS_REGION: REGION,
        TOOL_ROLE_ARN: toolRoleArn,
        ...SESSION_POLICY_ENV,
        ...env,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => ok({ code, out, err }));
  });
}

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-cli'])) as [string];
  await seedInstances(moto, REGION, 3, 'cli');
  bedrock = await startFakeBedrock(counting);
});

afterAll(async () => {
  await bedrock.close();
});

describe('npm run ask', () => {
  it('streams the answer to stdout and the AWS calls to stderr', async () => {
    mode = 'answer';
    const from = bedrock.requests.length;
    const r = await ask(['How many EC2 instances do we run?'], {});
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`You run **3** EC2 instances in ${REGION}.\n`);
    expect(r.err).toContain(`→ Calling ec2 DescribeInstances in ${REGION}: List EC2 instances`);
    expect(r.err).toMatch(new RegExp(`✓ ec2:DescribeInstances · ${REGION} · \\d+ ms`));
    // the footer's tokens are Bedrock's for both model calls, the prompt cache's named
    expect(r.err).toContain(` s · ${describeUsage(usageSince(from))}\n`);
    expect(describeUsage({ inputTokens: 9, outputTokens: 6, totalTokens: 4015, cacheReadInputTokens: 3000 })).toBe(
      '4015 tokens (3000 read from the prompt cache)',
    );
    expect(
      describeUsage({
        inputTokens: 9,
        outputTokens: 6,
        totalTokens: 4015,
        cacheReadInputTokens: 2000,
        cacheWriteInputTokens: 2000,
      }),
    ).toBe('4015 tokens (2000 read from the prompt cache, 2000 written to it)');
    expect(describeUsage({ inputTokens: 9, outputTokens: 6, totalTokens: 15 })).toBe('15 tokens');
    const req = bedrock.requests.at(-1)!;
    expect(req.modelId).toBe('global.anthropic.claude-sonnet-4-6');
    // prompt caching: a cache point after the tools, after the system prompt and after the conversation
    expect(req.body.toolConfig?.tools).toEqual([
      { toolSpec: expect.objectContaining({ name: 'controlled_use_aws' }) },
      { cachePoint: { type: 'default' } },
    ]);
    expect(req.body.system).toEqual([
      { text: expect.stringMatching(/^You are aws-ask, a read-only assistant/) },
      { cachePoint: { type: 'default' } },
    ]);
    expect(req.body.messages?.at(-1)?.content.at(-1)).toEqual({ cachePoint: { type: 'default' } });
  });

  it('--json prints one object for scripts; MODEL_ID chooses the model', async () => {
    mode = 'answer';
    const from = bedrock.requests.length;
    const r = await ask(['--json', 'how many instances?'], { MODEL_ID: 'eu.anthropic.claude-haiku-4-5' });
    expect(r.code, r.err).toBe(0);
    type Body = { answer: string; toolCalls: { iamAction: string; id: string }[]; usage: TokenUsage };
    const body = JSON.parse(r.out) as Body;
    expect(body.answer).toBe(`You run **3** EC2 instances in ${REGION}.`);
    expect(body.toolCalls.map((t) => t.iamAction)).toEqual(['ec2:DescribeInstances']);
    expect(body.toolCalls[0]!.id).toEqual(expect.any(String));
    // the usage of both model calls, the prompt cache's tokens included (Haiku 4.5 caches from 4,096 tokens)
    expect(body.usage).toEqual(usageSince(from));
    expect(body.usage.totalTokens).toBe(
      body.usage.inputTokens +
        body.usage.outputTokens +
        (body.usage.cacheReadInputTokens ?? 0) +
        (body.usage.cacheWriteInputTokens ?? 0),
    );
    expect(bedrock.requests.at(-1)!.modelId).toBe('eu.anthropic.claude-haiku-4-5');
  });

  it('says plainly when model access is missing', async () => {
    mode = 'denied';
    const r = await ask(['how many instances?'], {});
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        'cannot use its AI model \\(global\\.anthropic\\.claude-sonnet-4-6 in ca-central-1\\)\\. ' +
          'An operator needs to enable model access in Amazon Bedrock or set MODEL_ID',
      ),
    );
  });

  it('says which setting is missing: credentials, region, question', async () => {
    const noCreds = await ask(['hi'], { TOOL_ROLE_ARN: '', AGENT_TOOL_USE_AWS_PROFILE_NAME: '' });
    expect(noCreds.code).toBe(2);
    expect(noCreds.err).toMatch(/set TOOL_ROLE_ARN .* or AGENT_TOOL_USE_AWS_PROFILE_NAME .*--profile NAME/);
    const noRegion = await ask(['hi'], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });
    expect(noRegion.code).toBe(2);
    expect(noRegion.err).toMatch(/set AWS_REGION .*--region REGION/);
    const noQuestion = await ask([], {});
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.err).toMatch(/Ask a question/);
  });

  it('says plainly when the profile has no usable credentials, before asking the model', async () => {
    const before = bedrock.requests.length;
    const dir = mkdtempSync(join(tmpdir(), 'aws-ask-'));
    writeFileSync(join(dir, 'config'), '[profile other]\nregion = eu-west-1\n');
    const r = await ask(['--profile', 'nosuch', 'hi'], {
      TOOL_ROLE_ARN: '',
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no usable AWS credentials for profile nosuch: .*\nLog in \(aws sso login --profile NAME\)/);
    expect(bedrock.requests.length).toBe(before);
  });
});

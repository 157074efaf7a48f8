/**
 * `npm run dev` as a user runs it: the real process, settings from a .env file, Socket Mode to the
 * fake Slack, the real BedrockModel to the Bedrock stand-in, the tool to moto.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { SESSION_POLICY_ENV } from '../helpers/tool-role.ts';
import { instancesIn } from '../helpers/tools.ts';
import { type FakeBedrock, lastToolResults, startFakeBedrock } from '../services/fake-bedrock.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack } from '../services/fake-slack.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGION = 'ap-northeast-3';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
let bedrock: FakeBedrock;
let toolRoleArn: string;

/** Runs the dev script's own command line (package.json "dev") in `cwd`. */
function dev(
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<{ code: number | null; err: string; out: string }> } {
  const [, ...args] = pkg.scripts.dev!.split(' ');
  const child = spawn(
    process.execPath,
    args.map((a) => (a.endsWith('.ts') ? join(root, a) : a)),
    { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } },
  );
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, exited: new Promise((r) => child.on('close', (code) => r({ code, err, out }))) };
}

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-dev'])) as [string];
  await seedInstances(moto, REGION, 2, 'dev');
  bedrock = await startFakeBedrock((req) =>
    lastToolResults(req).length
      ? { text: `Found ${instancesIn(lastToolResults(req)[0]!)} instances in ${REGION}.` }
      : {
          tools: [
            {
              name: 'controlled_use_aws',
              input: { service_name: 'ec2', operation_name: 'describe_instances', region: REGION, label: 'instances' },
            },
          ],
        },
  );
});

afterAll(async () => {
  await bedrock.close();
});

describe('npm run dev', () => {
  it('with nothing configured, exits 1 and names each missing setting on its own line', async () => {
    const { exited } = dev(mkdtempSync(join(tmpdir(), 'aws-ask-dev-')), {});
    const { code, err } = await exited;
    expect(code).toBe(1);
    const lines = err.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toEqual([
      expect.stringMatching(/^- SLACK_BOT_TOKEN is not set: use the Bot User OAuth Token \(xoxb-…\)/),
      expect.stringMatching(
        /^- SLACK_APP_TOKEN is not set: create an app-level token \(xapp-…\) with connections:write/,
      ),
      expect.stringMatching(/^- No AWS region: set AWS_REGION/),
      // one reader for the whole process: the agent's problems come all at once with the bot's
      expect.stringMatching(/^- The AWS tool has no credentials: set TOOL_ROLE_ARN/),
    ]);
  });

  it('with malformed settings, exits 1 and says what each should look like', async () => {
    const { exited } = dev(mkdtempSync(join(tmpdir(), 'aws-ask-dev-')), {
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      SLACK_APP_TOKEN: 'xoxb-not-app',
      SLACK_API_URL: 'ftp://slack',
      ALLOWED_USER_IDS: 'alice',
      AGENT_RUNTIME_ARN: 'my-runtime',
      AWS_REGION: REGION,
    });
    const { code, err } = await exited;
    expect(code).toBe(1);
    const lines = err.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toEqual([
      '- SLACK_BOT_TOKEN must be a bot token (xoxb-…), not a user or app token',
      '- SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write',
      '- SLACK_API_URL must be an http(s) URL like https://slack.com/api/ (got "ftp://slack")',
      expect.stringMatching(/^- ALLOWED_USER_IDS has "alice": give Slack ids/),
      expect.stringMatching(/^- AGENT_RUNTIME_ARN must be an AgentCore runtime ARN like arn:aws:bedrock-agentcore:/),
      expect.stringMatching(/^- The AWS tool has no credentials: set TOOL_ROLE_ARN/),
    ]);
  });

  it('with a bad AWS_ASK_SCOPES, exits 1 and says what to fix in it, one line a problem', async () => {
    const { exited } = dev(mkdtempSync(join(tmpdir(), 'aws-ask-dev-')), {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      AWS_REGION: REGION,
      AGENT_RUNTIME_ARN: 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/aws_ask-AbC123',
      AWS_ASK_ACCOUNTS: 'prod=111111111111,staging=222222222222',
      AWS_ASK_SCOPES: '{"channels":{"C0OPS":{"accounts":["prodd"],"regions":["Europe"]},"ops":{}}}',
    });
    const { code, err } = await exited;
    expect(code).toBe(1);
    expect(err).toMatch(/^aws-ask cannot start\. Fix these settings/m);
    expect(err.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- AWS_ASK_SCOPES channels.C0OPS.accounts has "prodd", which AWS_ASK_ACCOUNTS does not name: use one of ' +
        "prod (111111111111), staging (222222222222), default (the tool role's account), or a 12-digit account id.",
      '- AWS_ASK_SCOPES channels.C0OPS.regions has "Europe", which is not a region name like eu-west-1.',
      '- AWS_ASK_SCOPES channels has "ops", which is not a channel id like C0123ABCD (DMs take the person\'s scope).',
    ]);
  });

  it('reads .env, connects over Socket Mode and answers a mention in its thread', async () => {
    const slack = await FakeSlack.start();
    const dir = mkdtempSync(join(tmpdir(), 'aws-ask-dev-'));
    writeFileSync(
      join(dir, '.env'),
      [
        `SLACK_BOT_TOKEN=${BOT_TOKEN}`,
        `SLACK_APP_TOKEN=${APP_TOKEN}`,
        `SLACK_API_URL=${slack.apiUrl}`,
        `AWS_REGION=${REGION}`,
        `TOOL_ROLE_ARN=${toolRoleArn}`,
        `TOOL_SESSION_POLICY_ARNS=${SESSION_POLICY_ENV.TOOL_SESSION_POLICY_ARNS}`,
      ].join('\n'),
    );
    const { child, exited } = dev(dir, {
      AWS_ENDPOINT_URL: inject('motoUrl'),
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      await slack.connected(20_000);
      const { message } = await slack.mention({ channel: 'C0OPS', user: 'U0ALICE', text: 'how many instances?' });
      const answer = await slack.waitFor(() => {
        const m = slack.thread('C0OPS', message.ts).at(-1);
        return m && !m.streaming && /AWS calls/.test(m.text) ? m : undefined;
      }, 20_000);
      expect(answer.text).toContain(`Found 2 instances in ${REGION}.`);
      expect(answer.text).toMatch(/AWS calls: `ec2:DescribeInstances` · ap-northeast-3/);
    } finally {
      child.kill('SIGTERM');
      const { code, out } = await exited;
      await slack.close();
      expect(code).toBe(0);
      expect(out).toMatch(/"msg":"aws-ask dev bot connected \(Socket Mode\)"/);
    }
  });
});

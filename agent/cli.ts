#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ConfigError } from '../common/errors.ts';
import { createLogger, silentLogger } from '../common/log.ts';
/**
 * The aws-ask command line.
 *
 *   ask [--json] [--profile NAME] [--region REGION] QUESTION   answer a question in the terminal
 *   policy check [--json] [ACTION ...]   allowed or refused, and why, for each action (stdin if none)
 *   policy statements                    the IAM policies (allow and deny) the role and session carry
 */
import { isMain } from '../common/main.ts';
import {
  assertDenyActionsKnown,
  DENY_ACTIONS_SETTING,
  type Decision,
  decideAnySpelling,
  MANAGED_POLICY_MAX_CHARS,
  policySize,
  readDenyActions,
  readOnlyDocuments,
  unmatchedDenyActions,
} from '../common/policy/index.ts';
import type { InvocationResponse, ToolCallStart, ToolCallSummary, Usage } from '../common/protocol.ts';
import { SettingsReader } from '../common/settings.ts';
import { type AgentServiceFromEnv, agentServiceFromEnv } from './service/from-env.ts';

const USAGE = `Usage:
  npm run ask -- [--json] [--profile NAME] [--region REGION] [--verbose] "QUESTION"
      Answers a question about the AWS account in this terminal, with the agent in-process, through
      the same read-only tool and policy as the bot. Needs AWS_REGION (or --region), model access in
      Amazon Bedrock, and AWS credentials: AGENT_TOOL_USE_AWS_PROFILE_NAME (or --profile) and/or
      TOOL_ROLE_ARN. --json prints one JSON object for scripts. Exit status: 0 answered, 1 failed, 2 usage.
  npm run policy -- check [--json] [ACTION ...]
      ACTION is service:Operation in IAM spelling (s3:ListAllMyBuckets) or SDK/boto3 spelling
      (s3:ListBuckets, ec2:describe_instances). With no ACTION, reads actions from standard input,
      one or more per line (# starts a comment). ${DENY_ACTIONS_SETTING} (the operator's extra denies)
      applies. Exit status: 0 all allowed, 1 some refused, 2 usage.
  npm run policy -- statements
      Prints the IAM policies (allow and deny) that the tool role and every STS session carry.`;

async function readStdinActions(): Promise<string[]> {
  const out: string[] = [];
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    const body = line.replace(/#.*/, '').trim();
    if (body) out.push(...body.split(/[\s,]+/).filter(Boolean));
  }
  return out;
}

function textLine(input: string, d: Decision): string {
  const verdict = d.allowed ? 'ALLOWED' : 'REFUSED';
  const mapped = d.action.toLowerCase() !== input.toLowerCase() ? ` (as ${d.action})` : '';
  return `${verdict}  ${input}${mapped}: ${d.reason}`;
}

/** The operator's extra denies from the environment; undefined (after saying why) when malformed. */
function denyActionsFrom(env: NodeJS.ProcessEnv): string[] | undefined {
  const read = new SettingsReader(env);
  const denyActions = readDenyActions(read);
  if (read.problems.length) {
    process.stderr.write(`${read.problems.join('\n')}\n`);
    return undefined;
  }
  return denyActions;
}

/** The operator's extra denies, each checked to name a real IAM action; undefined (after saying why) if not. */
async function knownDenyActionsFrom(env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  const denyActions = denyActionsFrom(env);
  if (!denyActions) return undefined;
  const unmatched = await unmatchedDenyActions(denyActions);
  if (unmatched.length) {
    process.stderr.write(`${unmatched.join('\n')}\n`);
    return undefined;
  }
  return denyActions;
}

async function policyCheck(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const denyActions = await knownDenyActionsFrom(env);
  if (!denyActions) return 2;
  const json = args.includes('--json');
  const unknownFlags = args.filter((a) => a.startsWith('-') && a !== '--json');
  if (unknownFlags.length) {
    process.stderr.write(`Unknown option ${unknownFlags.join(', ')}.\n${USAGE}\n`);
    return 2;
  }
  let actions = args.filter((a) => !a.startsWith('-'));
  if (actions.length === 0) {
    if (process.stdin.isTTY) {
      process.stderr.write(`Name at least one action, or pipe them in.\n${USAGE}\n`);
      return 2;
    }
    actions = await readStdinActions();
    if (actions.length === 0) {
      process.stderr.write('No actions on standard input.\n');
      return 2;
    }
  }
  let refused = 0;
  for (const input of actions) {
    const d = await decideAnySpelling(input, denyActions);
    if (!d.allowed) refused++;
    const record = {
      input,
      allowed: d.allowed,
      action: d.action,
      accessLevel: d.accessLevel ?? null,
      reason: d.reason,
    };
    process.stdout.write(json ? `${JSON.stringify(record)}\n` : `${textLine(input, d)}\n`);
  }
  return refused ? 1 : 0;
}

/** "Calling ec2 describe_instances in eu-west-1: List EC2 instances" (the call as the model wrote it) */
export function describeStart(t: ToolCallStart): string {
  const call = [t.service, t.operation].filter(Boolean).join(' ') || 'AWS';
  const label = t.label && t.label !== `${t.service}:${t.operation}` ? `: ${t.label}` : '';
  return `Calling ${call} in ${t.region}${label}`;
}

/** "ec2:DescribeInstances · eu-west-1 · 3 pages · 120 ms" */
export function describeCall(t: ToolCallSummary): string {
  const what = t.iamAction ?? `${t.service}:${t.operation}`;
  const pages = t.pages > 1 ? ` · ${t.pages} pages` : '';
  const result = t.refused ? ' · refused' : t.ok ? '' : ` · ${t.errorCode ?? 'failed'}`;
  return `${what} · ${t.region}${pages} · ${t.ms} ms${result}`;
}

/** "5400 tokens (3200 read from the prompt cache, 1100 written to it)", or just "5400 tokens". */
export function describeUsage(u: Usage): string {
  const cache = [
    u.cacheReadInputTokens ? `${u.cacheReadInputTokens} read from the prompt cache` : '',
    u.cacheWriteInputTokens ? `${u.cacheWriteInputTokens} written to it` : '',
  ].filter(Boolean);
  return `${u.totalTokens} tokens${cache.length ? ` (${cache.join(', ')})` : ''}`;
}

interface AskOptions {
  json: boolean;
  verbose: boolean;
  profile?: string;
  region?: string;
  question: string;
}

function parseAsk(args: string[]): AskOptions | string {
  const o: AskOptions = { json: false, verbose: false, question: '' };
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') o.json = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--profile' || a === '--region') {
      const v = args[++i];
      if (!v || v.startsWith('-')) return `${a} needs a value.`;
      if (a === '--profile') o.profile = v;
      else o.region = v;
    } else if (a.startsWith('-')) return `Unknown option ${a}.`;
    else words.push(a);
  }
  o.question = words.join(' ').trim();
  if (!o.question) return 'Ask a question, e.g. npm run ask -- "which Lambda functions run nodejs18.x?"';
  return o;
}

async function ask(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseAsk(args);
  if (typeof o === 'string') {
    process.stderr.write(`${o}\n${USAGE}\n`);
    return 2;
  }
  const cfg: NodeJS.ProcessEnv = { ...env };
  if (o.profile) cfg.AGENT_TOOL_USE_AWS_PROFILE_NAME = o.profile;
  if (o.region) cfg.AWS_REGION = o.region;
  let built: AgentServiceFromEnv;
  try {
    // a deny pattern that names no IAM action would silently turn nothing off
    await assertDenyActionsKnown(readDenyActions(new SettingsReader(cfg)));
    built = agentServiceFromEnv(
      cfg,
      o.verbose ? createLogger({ write: (l) => process.stderr.write(`${l}\n`) }) : silentLogger,
    );
  } catch (e) {
    if (e instanceof ConfigError) {
      const hint = /AGENT_TOOL_USE_AWS_PROFILE_NAME/.test(e.message)
        ? ' (npm run ask also takes --profile NAME)'
        : /AWS_REGION/.test(e.message)
          ? ' (npm run ask also takes --region REGION)'
          : '';
      process.stderr.write(`aws-ask: ${e.message}${hint}\n`);
      return 2;
    }
    throw e;
  }
  const { service, credentials } = built;
  // Fail early and plainly when there are no usable AWS credentials.
  try {
    await credentials.forAsker().provider();
  } catch (e) {
    const mode = credentials.mode;
    const where =
      mode.kind === 'role'
        ? `to assume ${mode.roleArn}${mode.profile ? ` with profile ${mode.profile}` : ''}`
        : `for profile ${mode.profile}`;
    process.stderr.write(
      `aws-ask: no usable AWS credentials ${where}: ${(e as Error).message.split('\n')[0]}\n` +
        'Log in (aws sso login --profile NAME) or check the profile in ~/.aws/config.\n',
    );
    await service.close(0);
    return 1;
  }
  const tty = process.stderr.isTTY;
  const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
  let answer = '';
  let result: InvocationResponse | undefined;
  let failed: { code: string; message: string } | undefined;
  for await (const ev of service.invoke(`cli-${randomUUID()}`, { prompt: o.question })) {
    if (ev.type === 'text') {
      answer += ev.text;
      if (!o.json) process.stdout.write(ev.text);
    } else if (ev.type === 'tool_start') {
      if (!o.json) process.stderr.write(dim(`→ ${describeStart(ev)}\n`));
    } else if (ev.type === 'tool_end') {
      if (!o.json) process.stderr.write(dim(`${ev.ok ? '✓' : '✗'} ${describeCall(ev)}\n`));
    } else if (ev.type === 'done') {
      result = { answer, toolCalls: ev.toolCalls, usage: ev.usage, durationMs: ev.durationMs };
    } else if (ev.type === 'error') {
      failed = { code: ev.code, message: ev.message };
    }
  }
  await service.close(0);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(failed ? { error: failed } : result)}\n`);
    return failed ? 1 : 0;
  }
  if (answer && !answer.endsWith('\n')) process.stdout.write('\n');
  if (failed) {
    process.stderr.write(`aws-ask: ${failed.message}\n`);
    return 1;
  }
  if (result) {
    const names = result.toolCalls.map((t) => t.iamAction ?? `${t.service}:${t.operation}`);
    const calls = names.length ? names.join(', ') : 'none';
    process.stderr.write(
      dim(`AWS calls: ${calls} · ${(result.durationMs / 1000).toFixed(1)} s · ${describeUsage(result.usage)}\n`),
    );
  }
  return 0;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'ask') return ask(argv.slice(1), env);
  if (command === 'policy' && sub === 'check') return policyCheck(rest, env);
  if (command === 'policy' && sub === 'statements') {
    const denyActions = await knownDenyActionsFrom(env);
    if (!denyActions) return 2;
    const docs = await readOnlyDocuments('aws', denyActions);
    process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
    const sizes = (list: typeof docs.allow) => list.map((d) => policySize(d)).join(', ');
    process.stdout.write(
      `Managed policies: ${docs.allow.length} allow (${sizes(docs.allow)} characters) and ${docs.deny.length} deny ` +
        `(${sizes(docs.deny)}), each at most ${MANAGED_POLICY_MAX_CHARS}.\n`,
    );
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`aws-ask: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

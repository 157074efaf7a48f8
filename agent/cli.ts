#!/usr/bin/env node
/**
 * The aws-ask command line.
 *
 *   policy check [--json] [ACTION ...]   allowed or refused, and why, for each action (stdin if none)
 *   policy statements                    the IAM Deny statements the role and session carry
 */
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { decideAnySpelling, denyStatements, sessionPolicyDocument, type Decision } from './policy.ts';

const USAGE = `Usage:
  npm run policy -- check [--json] [ACTION ...]
      ACTION is service:Operation in IAM spelling (s3:ListAllMyBuckets) or SDK/boto3 spelling
      (s3:ListBuckets, ec2:describe_instances). With no ACTION, reads actions from standard input,
      one or more per line (# starts a comment). Exit status: 0 all allowed, 1 some refused, 2 usage.
  npm run policy -- statements
      Prints the IAM Deny statements that the tool role and every STS session carry.`;

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

async function policyCheck(args: string[]): Promise<number> {
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
    const d = await decideAnySpelling(input);
    if (!d.allowed) refused++;
    process.stdout.write(
      json
        ? `${JSON.stringify({ input, allowed: d.allowed, action: d.action, accessLevel: d.accessLevel ?? null, reason: d.reason })}\n`
        : `${textLine(input, d)}\n`,
    );
  }
  return refused ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'policy' && sub === 'check') return policyCheck(rest);
  if (command === 'policy' && sub === 'statements') {
    process.stdout.write(`${JSON.stringify({ Version: '2012-10-17', Statement: denyStatements() }, null, 2)}\n`);
    process.stdout.write(`Session policy: ${sessionPolicyDocument().length} of 2048 characters.\n`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
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

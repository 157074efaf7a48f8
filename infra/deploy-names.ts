/**
 * The AgentCore runtime's name, derived from the stack's name, so two stacks in one account and
 * region never ask for the same runtime.
 *
 * Runtime names must match [a-zA-Z][a-zA-Z0-9_]{0,47}
 * (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntime.html)
 * and cannot change once created (AgentRuntimeName: "Update requires: Replacement",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrockagentcore-runtime.html),
 * so the derivation is deterministic: the same stack name gives the same runtime name on every synth.
 */
import { createHash } from 'node:crypto';

/** The runtime name pattern of CreateAgentRuntime (anchored). */
export const RUNTIME_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const MAX = 48;
const HASH_CHARS = 8;

/**
 * `aws-ask` → `aws_ask`, `second` → `second`. CloudFormation stack names are letters, digits and
 * hyphens starting with a letter, so replacing `-` by `_` keeps distinct names distinct; a name that
 * still does not fit (too long, or characters a stack name cannot have) is sanitised, cut, and ends in
 * `_` plus 8 hex characters of the original name's sha256, so two long names that share their first
 * 39 characters still differ.
 */
export function runtimeNameFor(stackName: string): string {
  const plain = stackName.replaceAll('-', '_');
  if (RUNTIME_NAME_PATTERN.test(plain)) return plain;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, HASH_CHARS);
  let body = stackName.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z]/.test(body)) body = `r_${body}`;
  return `${body.slice(0, MAX - HASH_CHARS - 1)}_${hash}`;
}

/** An IAM role name: up to 64 of letters, digits and +=,.@_- (anchored). */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const ROLE_NAME_MAX = 64;

/**
 * The read-only tool role's name, the same in the hub and in every member account (the agent assumes
 * `arn:<partition>:iam::<account>:role/<name>`): `<stack name>-tool`, or, when that is longer than an IAM
 * role name may be, cut and ended with `-` plus 8 hex characters of the stack name's sha256. Its managed
 * policies are named from it (managedPolicyNames in common/policy/documents.ts).
 */
export function toolRoleNameFor(stackName: string): string {
  const plain = `${stackName}-tool`;
  if (ROLE_NAME_PATTERN.test(plain)) return plain;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, HASH_CHARS);
  const body = stackName.replace(/[^\w+=,.@-]/g, '-').slice(0, ROLE_NAME_MAX - HASH_CHARS - '-tool-'.length);
  return `${body}-${hash}-tool`;
}

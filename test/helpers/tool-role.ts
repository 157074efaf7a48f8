/**
 * The tool role as tests give it to the agent: a role ARN plus the read-only session policies every
 * session passes by ARN (TOOL_SESSION_POLICY_ARNS). moto does not evaluate session policies, so these
 * name policies in its account; test/infra/read-only-layers.test.ts evaluates the real documents.
 */
import type { CredentialMode } from '../../agent/credentials.ts';
import { ACCOUNT } from './seed.ts';

export const SESSION_POLICY_ARNS: readonly string[] = [
  `arn:aws:iam::${ACCOUNT}:policy/aws-ask-test-Allow1`,
  `arn:aws:iam::${ACCOUNT}:policy/aws-ask-test-Allow2`,
  `arn:aws:iam::${ACCOUNT}:policy/aws-ask-test-Deny1`,
];

/** TOOL_SESSION_POLICY_ARNS as the stack sets it on the runtime. */
export const SESSION_POLICY_ENV = { TOOL_SESSION_POLICY_ARNS: SESSION_POLICY_ARNS.join(',') } as const;

/** Role mode: assume `roleArn` with the session policies. */
export const roleMode = (roleArn: string, profile?: string): CredentialMode => ({
  kind: 'role',
  roleArn,
  sessionPolicyArns: SESSION_POLICY_ARNS,
  ...(profile ? { profile } : {}),
});

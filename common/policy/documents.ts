/**
 * The policy documents: the rules as IAM, for the layers outside the tool. The deny statements go
 * into the STS session policy (agent/credentials.ts) and onto the CDK tool role (infra/tool-role.ts),
 * so every layer denies exactly the same actions; ReadOnlyAccess caps both.
 */
import { apiKeyResources, SENSITIVE_ACTIONS } from './rules.ts';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Deny' | 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** The sensitive list as IAM Deny statements: for the session policy and for the tool role. */
export function denyStatements(partition = 'aws'): PolicyStatement[] {
  return [
    { Sid: 'AwsAskDenySensitiveReads', Effect: 'Deny', Action: [...SENSITIVE_ACTIONS], Resource: '*' },
    { Sid: 'AwsAskDenyApiKeyValues', Effect: 'Deny', Action: ['apigateway:GET'], Resource: apiKeyResources(partition) },
  ];
}

/** STS's limit on an inline session policy, in characters. */
export const SESSION_POLICY_MAX_CHARS = 2048;

/** The inline STS session policy: the deny statements, minified. */
export function sessionPolicyDocument(partition = 'aws'): string {
  const statements = denyStatements(partition).map(({ Sid: _sid, ...rest }) => rest);
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The managed policy that caps every session (and that the CDK tool role carries). */
export function readOnlyPolicyArn(partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
}

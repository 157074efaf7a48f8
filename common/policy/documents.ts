/**
 * The policy documents: the rules as IAM, for the layers outside the tool. Two kinds, both packed
 * into customer-managed policies that the stack creates (infra/tool-role.ts):
 *
 * - the allow documents: every action the tool may make (allow.ts), nothing else;
 * - the deny documents: the sensitive list, the operator's extra denies, and API key values by resource.
 *
 * The tool role carries both, with ReadOnlyAccess as its permissions boundary (an outer cap); the STS
 * session passes the same policies by ARN (agent/credentials.ts), so each layer holds on its own.
 */
import { allowedByService } from './allow.ts';
import { apiKeyResources, SENSITIVE_ACTIONS } from './rules.ts';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Deny' | 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * A customer-managed policy's limit, in characters not counting whitespace
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length).
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * Most managed policies passed as STS session policies (`PolicyArns`), and, by default, attached to one
 * role (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const MAX_MANAGED_POLICIES = 10;

/** The sensitive list (and the operator's extra denies) as IAM Deny statements. */
export function denyStatements(partition = 'aws', denyActions: readonly string[] = []): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    { Sid: 'AwsAskDenySensitiveReads', Effect: 'Deny', Action: [...SENSITIVE_ACTIONS], Resource: '*' },
    { Sid: 'AwsAskDenyApiKeyValues', Effect: 'Deny', Action: ['apigateway:GET'], Resource: apiKeyResources(partition) },
  ];
  if (denyActions.length)
    statements.push({ Sid: 'AwsAskDenyOperatorChoice', Effect: 'Deny', Action: [...denyActions], Resource: '*' });
  return statements;
}

/** Every action the tool may make, one Allow statement per IAM prefix. */
export async function allowStatements(): Promise<PolicyStatement[]> {
  return (await allowedByService()).map((s) => ({
    Sid: `AwsAskRead${s.prefix.replace(/[^A-Za-z0-9]/g, '')}`,
    Effect: 'Allow',
    Action: s.patterns,
    Resource: '*',
  }));
}

/** A document's size as IAM counts it: JSON without whitespace. */
export const policySize = (doc: PolicyDocument): number => JSON.stringify(doc).length;

/**
 * Packs statements into as few documents as fit IAM's size limit, in order; a statement too large
 * for one document is split by actions (its Sid numbered).
 */
export function packStatements(statements: readonly PolicyStatement[], max = MANAGED_POLICY_MAX_CHARS) {
  const docs: PolicyDocument[] = [];
  let current: PolicyDocument = { Version: '2012-10-17', Statement: [] };
  const push = (s: PolicyStatement) => {
    const tried = { ...current, Statement: [...current.Statement, s] };
    if (policySize(tried) <= max) {
      current = tried;
      return true;
    }
    if (current.Statement.length === 0) return false;
    docs.push(current);
    current = { Version: '2012-10-17', Statement: [] };
    return push(s);
  };
  for (const s of statements) {
    if (push(s)) continue;
    // too large alone: split its actions in halves until each part fits
    const half = Math.ceil(s.Action.length / 2);
    if (half === s.Action.length) throw new Error(`statement ${s.Sid} cannot fit in a ${max}-character policy`);
    packStatements(
      [
        { ...s, Sid: `${s.Sid}A`, Action: s.Action.slice(0, half) },
        { ...s, Sid: `${s.Sid}B`, Action: s.Action.slice(half) },
      ],
      max,
    ).forEach((d) => {
      for (const part of d.Statement) push(part);
    });
  }
  if (current.Statement.length) docs.push(current);
  return docs;
}

export interface ReadOnlyDocuments {
  /** The allow side: managed policies the role carries and the session passes. */
  readonly allow: PolicyDocument[];
  /** The deny side: likewise. */
  readonly deny: PolicyDocument[];
}

/** Both sides as managed-policy documents, each within IAM's size limit, together within STS's ten. */
export async function readOnlyDocuments(partition = 'aws', denyActions: readonly string[] = []) {
  const docs: ReadOnlyDocuments = {
    allow: packStatements(await allowStatements()),
    deny: packStatements(denyStatements(partition, denyActions)),
  };
  const count = docs.allow.length + docs.deny.length;
  if (count > MAX_MANAGED_POLICIES) {
    throw new Error(
      `The read-only policies need ${count} managed policies; STS takes at most ${MAX_MANAGED_POLICIES} per session.`,
    );
  }
  return docs;
}

/**
 * The names of the tool role's managed policies, in the order the role carries them and every session
 * passes them: `<role name>-allow-<n>`, then `<role name>-deny-<n>`, n from 1. Deterministic, so the hub
 * and every member account name them alike, and a member's policy ARNs are the hub's with the account id
 * swapped. The role name is at most 64 characters, so a name stays within IAM's 128.
 */
export function managedPolicyNames(
  roleName: string,
  docs: { readonly allow: readonly unknown[]; readonly deny: readonly unknown[] },
): string[] {
  return [
    ...docs.allow.map((_, i) => `${roleName}-allow-${i + 1}`),
    ...docs.deny.map((_, i) => `${roleName}-deny-${i + 1}`),
  ];
}

/** The AWS managed policy that caps the tool role as its permissions boundary. */
export function readOnlyPolicyArn(partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
}

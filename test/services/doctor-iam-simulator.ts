/**
 * moto does not implement iam:SimulatePrincipalPolicy (moto 5.2.5), so this loopback stand-in does, for
 * roles: it reads the role's policies from moto (attached managed policies, AWS managed ones included,
 * and inline ones), evaluates each action with @cloud-copilot/iam-simulate, and answers in the IAM query
 * protocol's XML as the service does. Point AWS_ENDPOINT_URL_IAM at it; it answers nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { motoConfig } from '../helpers/aws.ts';

export interface IamSimulator {
  readonly url: string;
  /** The SimulatePrincipalPolicy requests: the role and its actions. */
  readonly requests: { readonly role: string; readonly actions: readonly string[] }[];
  close(): Promise<void>;
}

type IdentityPolicy = Simulation['identityPolicies'][number];

/** IAM hands policy documents back URL-encoded; moto may not. */
function parseDocument(doc: string | undefined): IdentityPolicy['policy'] {
  const text = doc ?? '{}';
  try {
    return JSON.parse(text) as IdentityPolicy['policy'];
  } catch {
    return JSON.parse(decodeURIComponent(text)) as IdentityPolicy['policy'];
  }
}

async function rolePolicies(iam: IAMClient, roleName: string): Promise<IdentityPolicy[]> {
  const out: IdentityPolicy[] = [];
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  for (const p of attached.AttachedPolicies ?? []) {
    const meta = await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }));
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: meta.Policy?.DefaultVersionId }),
    );
    out.push({ name: p.PolicyName ?? '?', policy: parseDocument(version.PolicyVersion?.Document) });
  }
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const name of inline.PolicyNames ?? []) {
    const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    out.push({ name, policy: parseDocument(p.PolicyDocument) });
  }
  return out;
}

interface Evaluation {
  readonly action: string;
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched: readonly string[];
}

async function evaluate(roleArn: string, policies: IdentityPolicy[], action: string): Promise<Evaluation> {
  const account = roleArn.split(':')[4] ?? '';
  const r = await runSimulation(
    {
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action, principal: roleArn, resource: { accountId: account, resource: '*' }, contextVariables: {} },
    },
    {},
  );
  if (r.resultType === 'error') throw new Error(`iam-simulate: ${JSON.stringify(r.errors)}`);
  const analyses = r.resultType === 'single' ? [r.result.analysis] : r.results.map((x) => x.analysis);
  const decision =
    r.overallResult === 'Allowed'
      ? 'allowed'
      : r.overallResult === 'ExplicitlyDenied'
        ? 'explicitDeny'
        : 'implicitDeny';
  const matched = new Set<string>();
  for (const a of analyses) {
    const statements =
      decision === 'allowed'
        ? a?.identityAnalysis?.allowStatements
        : decision === 'explicitDeny'
          ? a?.identityAnalysis?.denyStatements
          : [];
    for (const s of statements ?? []) matched.add(s.policyId);
  }
  return { action, decision, matched: [...matched] };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function responseXml(results: readonly Evaluation[]): string {
  const matched = (ids: readonly string[]) =>
    ids
      .map((m) => `<member><SourcePolicyId>${xml(m)}</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType>`)
      .map((m) => `${m}</member>`)
      .join('');
  const members = results
    .map(
      (r) =>
        `<member><EvalActionName>${xml(r.action)}</EvalActionName><EvalResourceName>*</EvalResourceName>` +
        `<EvalDecision>${r.decision}</EvalDecision><MatchedStatements>${matched(r.matched)}</MatchedStatements>` +
        '<MissingContextValues/></member>',
    )
    .join('');
  return (
    '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">' +
    `<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${members}</EvaluationResults>` +
    '</SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>doctor-sim</RequestId></ResponseMetadata>' +
    '</SimulatePrincipalPolicyResponse>'
  );
}

function errorXml(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${xml(message)}</Message></Error><RequestId>doctor-sim</RequestId></ErrorResponse>`
  );
}

/** Starts the stand-in, reading roles and policies from moto at `motoUrl`. */
export async function startIamSimulator(motoUrl: string): Promise<IamSimulator> {
  const iam = new IAMClient(motoConfig('us-east-1', motoUrl));
  const requests: IamSimulator['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(body);
      };
      if (form.get('Action') !== 'SimulatePrincipalPolicy')
        return reply(400, errorXml('InvalidAction', `this stand-in answers SimulatePrincipalPolicy only`));
      const role = form.get('PolicySourceArn') ?? '';
      const actions = [...form].filter(([k]) => k.startsWith('ActionNames.member.')).map(([, v]) => v);
      requests.push({ role, actions });
      const roleName = /:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(role)?.[1];
      if (!roleName) return reply(400, errorXml('InvalidInput', `${role} is not a role ARN`));
      try {
        const policies = await rolePolicies(iam, roleName);
        const results = await Promise.all(actions.map((a) => evaluate(role, policies, a)));
        reply(200, responseXml(results));
      } catch (e) {
        const name = (e as Error).name === 'NoSuchEntityException' ? 'NoSuchEntity' : 'ServiceFailure';
        reply(name === 'NoSuchEntity' ? 404 : 500, errorXml(name, (e as Error).message));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        iam.destroy();
        server.close(() => ok());
      }),
  };
}

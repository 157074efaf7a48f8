/**
 * A loopback stand-in for the AgentCore control plane's CreateAgentRuntime, GetAgentRuntime,
 * UpdateAgentRuntime and ListAgentRuntimes (REST-JSON, as the SDK speaks it). An update replaces the
 * configuration, bumps the version and goes through UPDATING before READY, as the service does.
 *
 * It refuses what AgentCore refuses, each rule beside the page that states it:
 * - the runtime name's pattern, and a name already taken in the account and region;
 * - a code package whose entry point is not a .js file (Node.js), or an entryPoint list of the wrong size;
 * - environment variables over the documented count and sizes, or with a key that is not a name;
 * - a caller who may not call the operation on the runtime, pass the execution role to AgentCore, or
 *   read the zipped code artifact in S3 (s3:GetObject, s3:GetObjectVersion for a versioned location,
 *   kms:Decrypt for a customer-managed key): the caller's identity policies are given to the stand-in
 *   (e.g. a role's policies from the synthesized template) and evaluated with @cloud-copilot/iam-simulate.
 *   No identity given means no permission, as for a role with no policy.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runSimulation } from '@cloud-copilot/iam-simulate';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** Who calls Create/UpdateAgentRuntime, as AgentCore evaluates its access to the code artifact. */
export interface CallerIdentity {
  /** The caller's principal ARN (a role, or a session of it). */
  readonly principal: string;
  /** Its identity policies, with no CloudFormation intrinsics left in them. */
  readonly policies: readonly { readonly name: string; readonly policy: unknown }[];
}

export interface FakeRuntime {
  readonly id: string;
  readonly name: string;
  config: Record<string, unknown>;
  status: string;
  version: number;
  /** Gets left before an UPDATING runtime turns READY. */
  updatingPolls: number;
  /** Why a *_FAILED runtime failed, as GetAgentRuntime gives it. */
  failureReason?: string;
}

export interface ControlPlaneOptions {
  /** The caller of Create/UpdateAgentRuntime; settable later through `plane.caller`. */
  readonly caller?: CallerIdentity;
  /** The code bucket's customer-managed KMS key, if its objects are encrypted with one. */
  readonly codeBucketKeyArn?: string;
  /** Names of runtimes that already exist in this account and region (e.g. another stack's). */
  readonly takenNames?: readonly string[];
  /** Gets an updated runtime stays UPDATING before it turns READY (default 1). */
  readonly updatingPolls?: number;
  /** The region the runtimes' ARNs name (default REGION). */
  readonly region?: string;
}

export interface FakeControlPlane {
  readonly url: string;
  /** The runtime the stand-in was started with. */
  readonly runtime: FakeRuntime;
  /** Every runtime, by id (the first one and any created since). */
  readonly runtimes: Map<string, FakeRuntime>;
  /** The bodies of accepted UpdateAgentRuntime calls. */
  readonly updates: Record<string, unknown>[];
  /** Every refusal, as `ExceptionName: message`. */
  readonly refusals: string[];
  /** "METHOD path" of every call, refused or not. */
  readonly calls: string[];
  caller: CallerIdentity | undefined;
  close(): Promise<void>;
}

class Refused extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}
const invalid = (message: string) => new Refused(400, 'ValidationException', message);

// Pattern [a-zA-Z][a-zA-Z0-9_]{0,47}: agentRuntimeName in
// https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntime.html
const RUNTIME_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;

function checkName(name: unknown, taken: ReadonlySet<string>): string {
  if (typeof name !== 'string' || !RUNTIME_NAME.test(name))
    throw invalid(
      `1 validation error detected: Value '${String(name)}' at 'agentRuntimeName' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}',
    );
  // One name per account and region: CreateAgentRuntime answers ConflictException (HTTP 409) for a
  // conflicting resource (Errors, API_CreateAgentRuntime.html above); the name cannot be changed later
  // (AgentRuntimeName "Update requires: Replacement",
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrockagentcore-runtime.html).
  if (taken.has(name)) throw new Refused(409, 'ConflictException', `An agent runtime named ${name} already exists`);
  return name;
}

interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
  readonly versionId?: string;
}

/** The code configuration's S3 location, after checking the entry point. */
function checkArtifact(artifact: unknown): S3Location | undefined {
  const a = (artifact ?? {}) as {
    codeConfiguration?: { code?: { s3?: S3Location }; runtime?: string; entryPoint?: unknown };
    containerConfiguration?: unknown;
  };
  if (!a.codeConfiguration && !a.containerConfiguration)
    throw invalid('agentRuntimeArtifact must have codeConfiguration or containerConfiguration');
  const code = a.codeConfiguration;
  if (!code) return undefined;
  // entryPoint: 1 or 2 strings of 1 to 128 characters
  // (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CodeConfiguration.html)
  const entry = code.entryPoint;
  if (
    !Array.isArray(entry) ||
    entry.length < 1 ||
    entry.length > 2 ||
    !entry.every((e) => typeof e === 'string' && e.length >= 1 && e.length <= 128)
  )
    throw invalid('codeConfiguration.entryPoint must be 1 or 2 strings of 1 to 128 characters');
  // A Node.js agent needs "an entrypoint .js file"
  // (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-get-started-code-deploy-node.html)
  if (code.runtime?.startsWith('NODE_') && !String(entry.at(-1)).endsWith('.js'))
    throw invalid(`The entry point ${String(entry.at(-1))} is not a .js file, as the ${code.runtime} runtime requires`);
  const s3 = code.code?.s3;
  if (!s3?.bucket || !s3.prefix) throw invalid('codeConfiguration.code.s3 needs a bucket and a prefix');
  return s3;
}

/**
 * environmentVariables: at most 50 entries, keys of 1 to 100 characters, values of 0 to 5,000
 * (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntime.html).
 * Keys start with a letter or underscore and hold only letters, digits and underscores: the API
 * reference gives no key pattern, the AgentCore CDK construct documents and enforces this one
 * (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_bedrockagentcore.RuntimeProps.html).
 */
function checkEnvironment(env: unknown): void {
  if (env === undefined) return;
  if (typeof env !== 'object' || env === null) throw invalid('environmentVariables must be a map');
  const entries = Object.entries(env as Record<string, unknown>);
  if (entries.length > 50) throw invalid(`environmentVariables has ${entries.length} entries; at most 50`);
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 100 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k))
      throw invalid(`environment variable key '${k}' must be 1-100 letters, digits, underscores, not a digit first`);
    if (typeof v !== 'string' || v.length > 5_000)
      throw invalid(`environment variable ${k} must be a string of at most 5000 characters`);
  }
}

async function decide(
  caller: CallerIdentity | undefined,
  action: string,
  resource: string,
  extra: { resourcePolicy?: unknown; context?: Record<string, string> } = {},
): Promise<string> {
  if (!caller) return 'ImplicitlyDenied';
  const r = await runSimulation(
    {
      request: {
        principal: caller.principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: extra.context ?? {},
      },
      identityPolicies: caller.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(extra.resourcePolicy ? { resourcePolicy: extra.resourcePolicy } : {}),
    },
    {},
  );
  // a policy the simulator cannot read is a broken test, not a refusal: say so loudly
  if (r.resultType === 'error') throw new Error(`iam-simulate: ${r.errors.message} ${JSON.stringify(r.errors)}`);
  return r.overallResult;
}

/**
 * "The role used to call Create/UpdateAgentRuntime does not have s3:GetObject permissions on S3 uri
 * passed in the API input" → AccessDenied; likewise kms:Decrypt on a customer-managed key
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-code-deploy-common-issues.html).
 * A versioned location is read with s3:GetObjectVersion (the S3 action for a version id,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 */
async function checkCodeRead(caller: CallerIdentity | undefined, s3: S3Location, keyArn?: string): Promise<void> {
  await authorize(
    caller,
    s3.versionId ? 's3:GetObjectVersion' : 's3:GetObject',
    `arn:aws:s3:::${s3.bucket}/${s3.prefix}`,
  );
  if (!keyArn) return;
  // the default key policy delegates to IAM (the account root may use the key), as the CDK bootstrap key's does
  const keyPolicy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  };
  const kmsDecision = await decide(caller, 'kms:Decrypt', keyArn, {
    resourcePolicy: keyPolicy,
    context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT },
  });
  if (kmsDecision !== 'Allowed')
    throw new Refused(
      403,
      'AccessDeniedException',
      `${caller?.principal ?? 'the caller'} is not authorized to perform: kms:Decrypt on resource: ${keyArn}`,
    );
}

/**
 * Every operation is authorized against the caller's policies; a refusal is AccessDeniedException, HTTP 403
 * (Errors, https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_UpdateAgentRuntime.html).
 * Create and Update also pass the execution role to the service, which needs iam:PassRole on it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 */
async function authorize(
  caller: CallerIdentity | undefined,
  action: string,
  resource: string,
  context?: Record<string, string>,
): Promise<void> {
  const decision = await decide(caller, action, resource, context ? { context } : {});
  if (decision !== 'Allowed')
    throw new Refused(
      403,
      'AccessDeniedException',
      `${caller?.principal ?? 'the caller'} is not authorized to perform: ${action} on resource: ${resource}`,
    );
}

const passRole = (caller: CallerIdentity | undefined, roleArn: string) =>
  authorize(caller, 'iam:PassRole', roleArn, { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' });

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// a runtime id is its name, a hyphen and 10 letters or digits: [a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}
// (agentRuntimeId,
// https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntimeEndpoint.html)
const newId = (name: string) => `${name}-${[...randomBytes(10)].map((b) => ID_CHARS[b % ID_CHARS.length]).join('')}`;

export async function startFakeControlPlane(
  id: string,
  config: Record<string, unknown>,
  options: ControlPlaneOptions = {},
): Promise<FakeControlPlane> {
  const first: FakeRuntime = { id, name: id.split('-')[0]!, config, status: 'READY', version: 1, updatingPolls: 0 };
  const runtimes = new Map<string, FakeRuntime>([[id, first]]);
  const taken = () => new Set([...(options.takenNames ?? []), ...[...runtimes.values()].map((r) => r.name)]);
  const updates: Record<string, unknown>[] = [];
  const refusals: string[] = [];
  const now = new Date().toISOString();
  const calls: string[] = [];
  const arnOf = (rid: string) => `arn:aws:bedrock-agentcore:${options.region ?? REGION}:${ACCOUNT}:runtime/${rid}`;

  // assigned once the server listens; requests only come after that
  let plane: FakeControlPlane;

  // The request's shape is checked first (ValidationException), then the caller's permissions
  // (AccessDeniedException): a malformed request is refused for what it is, whoever sends it.
  function checkShape(body: Record<string, unknown>): S3Location | undefined {
    const s3 = checkArtifact(body.agentRuntimeArtifact);
    checkEnvironment(body.environmentVariables);
    if (typeof body.roleArn !== 'string') throw invalid('roleArn is required');
    return s3;
  }
  async function checkAccess(body: Record<string, unknown>, s3: S3Location | undefined): Promise<void> {
    await passRole(plane.caller, String(body.roleArn));
    if (s3) await checkCodeRead(plane.caller, s3, options.codeBucketKeyArn);
  }

  async function handle(method: string, path: string, body: Record<string, unknown>): Promise<[number, unknown]> {
    if (method === 'PUT' && path === '/runtimes/') {
      const name = checkName(body.agentRuntimeName, taken());
      const s3 = checkShape(body);
      // CreateAgentRuntime has no resource type: it is authorized on "*"
      // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrockagentcore.html)
      await authorize(plane.caller, 'bedrock-agentcore:CreateAgentRuntime', '*');
      await checkAccess(body, s3);
      const rid = newId(name);
      const { clientToken: _t, agentRuntimeName: _n, ...rest } = body;
      const rt: FakeRuntime = { id: rid, name, config: rest, status: 'READY', version: 1, updatingPolls: 0 };
      runtimes.set(rt.id, rt);
      return [202, { agentRuntimeArn: arnOf(rt.id), agentRuntimeId: rt.id, agentRuntimeVersion: '1', createdAt: now }];
    }
    if (method === 'POST' && path === '/runtimes/') {
      // ListAgentRuntimes, like CreateAgentRuntime, has no resource type: it is authorized on "*" (the page above)
      await authorize(plane.caller, 'bedrock-agentcore:ListAgentRuntimes', '*');
      // maxResults 1 to 100, nextToken from the previous page
      // (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_ListAgentRuntimes.html)
      const max = body.maxResults === undefined ? 100 : Number(body.maxResults);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('maxResults must be from 1 to 100');
      const from = body.nextToken === undefined ? 0 : Number(body.nextToken);
      const all = [...runtimes.values()];
      const page = all.slice(from, from + max).map((r) => ({
        agentRuntimeArn: arnOf(r.id),
        agentRuntimeId: r.id,
        agentRuntimeName: r.name,
        agentRuntimeVersion: String(r.version),
        description: String(r.config.description ?? ''),
        lastUpdatedAt: now,
        status: r.status,
      }));
      return [200, { agentRuntimes: page, ...(from + max < all.length ? { nextToken: String(from + max) } : {}) }];
    }
    const m = /^\/runtimes\/([^/]+)\/$/.exec(path);
    const rt = m ? runtimes.get(decodeURIComponent(m[1]!)) : undefined;
    if (!rt) throw new Refused(404, 'ResourceNotFoundException', 'runtime not found');
    if (method === 'GET') {
      await authorize(plane.caller, 'bedrock-agentcore:GetAgentRuntime', arnOf(rt.id));
      if (rt.status === 'UPDATING' && rt.updatingPolls-- <= 0) rt.status = 'READY';
      return [
        200,
        {
          agentRuntimeArn: arnOf(rt.id),
          agentRuntimeId: rt.id,
          agentRuntimeName: rt.name,
          agentRuntimeVersion: String(rt.version),
          createdAt: now,
          lastUpdatedAt: now,
          status: rt.status,
          ...(rt.failureReason ? { failureReason: rt.failureReason } : {}),
          ...rt.config,
        },
      ];
    }
    if (method === 'PUT') {
      // UpdateAgentRuntime has no name: the name is the one chosen at creation
      if ('agentRuntimeName' in body) throw invalid('agentRuntimeName cannot be updated');
      const s3 = checkShape(body);
      await authorize(plane.caller, 'bedrock-agentcore:UpdateAgentRuntime', arnOf(rt.id));
      await checkAccess(body, s3);
      updates.push(body);
      const { clientToken: _t, ...rest } = body;
      rt.config = rest;
      rt.version++;
      rt.status = 'UPDATING';
      rt.updatingPolls = options.updatingPolls ?? 1;
      return [
        202,
        {
          agentRuntimeArn: arnOf(rt.id),
          agentRuntimeId: rt.id,
          agentRuntimeVersion: String(rt.version),
          createdAt: now,
          lastUpdatedAt: now,
          status: 'UPDATING',
        },
      ];
    }
    throw invalid('method not allowed');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, payload: unknown, type?: string) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(payload));
      };
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
      calls.push(`${req.method ?? 'GET'} ${path}`);
      handle(req.method ?? 'GET', path, body).then(
        ([status, payload]) => send(status, payload),
        (e: unknown) => {
          if (e instanceof Refused) {
            refusals.push(`${e.type}: ${e.message}`);
            return send(e.status, { message: e.message }, e.type);
          }
          send(500, { message: String(e) }, 'InternalServerException');
        },
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  plane = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runtime: first,
    runtimes,
    updates,
    refusals,
    calls,
    caller: options.caller,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
  return plane;
}

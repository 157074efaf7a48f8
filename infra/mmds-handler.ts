/**
 * Custom resource handler: makes an AgentCore runtime require MMDSv2 (metadataConfiguration
 * .requireMMDSV2), which CloudFormation cannot set on AWS::BedrockAgentCore::Runtime (checked with
 * aws-cdk-lib 2.276, November 2026). UpdateAgentRuntime replaces the whole configuration, so it
 * sends back every field GetAgentRuntime returns that UpdateAgentRuntime takes (COPIED_FIELDS, checked
 * by the compiler against the SDK's request type), plus the metadata setting, then waits for READY and
 * checks. It runs again whenever the runtime's version changes (a CloudFormation update may reset it).
 *
 * Both waits share one deadline, taken from the Lambda's remaining time minus a margin, so the handler
 * fails with its own message (and CloudFormation gets a FAILED response) before Lambda kills it.
 */
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  type GetAgentRuntimeCommandOutput,
  UpdateAgentRuntimeCommand,
  type UpdateAgentRuntimeRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';

/** Kept free at the end of the Lambda's time: one more GetAgentRuntime call and the response to CloudFormation. */
export const DEADLINE_MARGIN_MS = 30_000;
/** Used only when no Lambda context says how long is left (tests, local runs). */
const DEFAULT_BUDGET_MS = 10 * 60_000;

export interface WaitOptions {
  readonly pollMs?: number;
  /** Epoch milliseconds by which the runtime must be READY again, for both waits together. */
  readonly deadline?: number;
}

/** The one deadline for a whole invocation: what Lambda leaves us, minus the margin. */
export function deadlineFrom(context?: { getRemainingTimeInMillis(): number }, now = Date.now()): number {
  const remaining = context ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS + DEADLINE_MARGIN_MS;
  return now + remaining - DEADLINE_MARGIN_MS;
}

/** The fields UpdateAgentRuntime takes, besides the runtime's id and the idempotency token. */
type Copied = Exclude<keyof UpdateAgentRuntimeRequest, 'agentRuntimeId' | 'clientToken'>;

/**
 * Where each field of the update comes from in GetAgentRuntime's output. The mapped type makes the
 * compiler refuse a missing field (a new SDK field fails the typecheck until it is copied) and a
 * GetAgentRuntime field whose type UpdateAgentRuntime would not accept.
 */
const COPY: { readonly [K in Copied]: (rt: GetAgentRuntimeCommandOutput) => UpdateAgentRuntimeRequest[K] } = {
  agentRuntimeArtifact: (rt) => rt.agentRuntimeArtifact,
  roleArn: (rt) => rt.roleArn,
  networkConfiguration: (rt) => rt.networkConfiguration,
  description: (rt) => rt.description,
  authorizerConfiguration: (rt) => rt.authorizerConfiguration,
  requestHeaderConfiguration: (rt) => rt.requestHeaderConfiguration,
  protocolConfiguration: (rt) => rt.protocolConfiguration,
  lifecycleConfiguration: (rt) => rt.lifecycleConfiguration,
  metadataConfiguration: (rt) => rt.metadataConfiguration,
  environmentVariables: (rt) => rt.environmentVariables,
  filesystemConfigurations: (rt) => rt.filesystemConfigurations,
  capacityProviderConfiguration: (rt) => rt.capacityProviderConfiguration,
  platformVersion: (rt) => rt.platformVersion,
};
export const COPIED_FIELDS = Object.keys(COPY) as readonly Copied[];

/** The update that keeps the runtime as it is, except that it requires MMDSv2. */
export function updateRequiringMmdsV2(id: string, rt: GetAgentRuntimeCommandOutput): UpdateAgentRuntimeRequest {
  const copied = Object.fromEntries(
    COPIED_FIELDS.map((k) => [k, COPY[k](rt)] as const).filter(([, v]) => v !== undefined),
  ) as Partial<Pick<UpdateAgentRuntimeRequest, Copied>>;
  return {
    ...copied,
    agentRuntimeId: id,
    agentRuntimeArtifact: rt.agentRuntimeArtifact,
    roleArn: rt.roleArn,
    metadataConfiguration: { ...(rt.metadataConfiguration ?? {}), requireMMDSV2: true },
  };
}

async function waitReady(
  client: BedrockAgentCoreControlClient,
  id: string,
  deadline: number,
  pollMs: number,
): Promise<GetAgentRuntimeCommandOutput> {
  for (;;) {
    const rt = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    if (rt.status === 'READY') return rt;
    if (rt.status && /FAILED/.test(rt.status))
      throw new Error(`runtime ${id} is ${rt.status}: ${rt.failureReason ?? 'no reason given'}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`runtime ${id} did not become READY in time (status ${rt.status})`);
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** Returns whether it had to change anything. Throws if the runtime does not end up requiring MMDSv2. */
export async function requireMmdsV2(
  client: BedrockAgentCoreControlClient,
  id: string,
  o: WaitOptions = {},
): Promise<'already' | 'updated'> {
  const deadline = o.deadline ?? deadlineFrom();
  const pollMs = o.pollMs ?? 5_000;
  const rt = await waitReady(client, id, deadline, pollMs);
  if (rt.metadataConfiguration?.requireMMDSV2 === true) return 'already';
  await client.send(new UpdateAgentRuntimeCommand(updateRequiringMmdsV2(id, rt)));
  const after = await waitReady(client, id, deadline, pollMs);
  if (after.metadataConfiguration?.requireMMDSV2 !== true)
    throw new Error(`runtime ${id} still does not require MMDSv2 after the update`);
  return 'updated';
}

interface CfnEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly RuntimeId?: string };
}

export const onEvent = async (
  event: CfnEvent,
  context?: { getRemainingTimeInMillis(): number },
): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  const id = event.ResourceProperties.RuntimeId;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? `${id}-mmdsv2` };
  if (!id) throw new Error('RuntimeId is required');
  const deadline = deadlineFrom(context);
  const outcome = await requireMmdsV2(new BedrockAgentCoreControlClient({}), id, { deadline });
  console.log(JSON.stringify({ level: 'info', msg: 'runtime requires MMDSv2', runtimeId: id, outcome }));
  return { PhysicalResourceId: `${id}-mmdsv2`, Data: { RequireMMDSV2: 'true', Outcome: outcome } };
};

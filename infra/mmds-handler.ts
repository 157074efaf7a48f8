/**
 * Custom resource handler: makes an AgentCore runtime require MMDSv2 (metadataConfiguration
 * .requireMMDSV2), which CloudFormation cannot set on AWS::BedrockAgentCore::Runtime (checked with
 * aws-cdk-lib 2.276, November 2026). UpdateAgentRuntime replaces the whole configuration, so it
 * sends back what GetAgentRuntime returns, plus the metadata setting, then waits for READY and
 * checks. It runs again whenever the runtime's version changes (a CloudFormation update may reset it).
 */
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  type GetAgentRuntimeCommandOutput,
  UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';

export interface WaitOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

async function waitReady(
  client: BedrockAgentCoreControlClient,
  id: string,
  o: WaitOptions,
): Promise<GetAgentRuntimeCommandOutput> {
  const deadline = Date.now() + (o.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const rt = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    if (rt.status === 'READY') return rt;
    if (rt.status && /FAILED/.test(rt.status))
      throw new Error(`runtime ${id} is ${rt.status}: ${rt.failureReason ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new Error(`runtime ${id} did not become READY in time (status ${rt.status})`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 5_000));
  }
}

/** Returns whether it had to change anything. Throws if the runtime does not end up requiring MMDSv2. */
export async function requireMmdsV2(
  client: BedrockAgentCoreControlClient,
  id: string,
  o: WaitOptions = {},
): Promise<'already' | 'updated'> {
  const rt = await waitReady(client, id, o);
  if (rt.metadataConfiguration?.requireMMDSV2 === true) return 'already';
  await client.send(
    new UpdateAgentRuntimeCommand({
      agentRuntimeId: id,
      agentRuntimeArtifact: rt.agentRuntimeArtifact,
      roleArn: rt.roleArn,
      networkConfiguration: rt.networkConfiguration,
      ...(rt.description ? { description: rt.description } : {}),
      ...(rt.protocolConfiguration ? { protocolConfiguration: rt.protocolConfiguration } : {}),
      ...(rt.lifecycleConfiguration ? { lifecycleConfiguration: rt.lifecycleConfiguration } : {}),
      ...(rt.environmentVariables ? { environmentVariables: rt.environmentVariables } : {}),
      ...(rt.authorizerConfiguration ? { authorizerConfiguration: rt.authorizerConfiguration } : {}),
      ...(rt.requestHeaderConfiguration ? { requestHeaderConfiguration: rt.requestHeaderConfiguration } : {}),
      ...(rt.filesystemConfigurations ? { filesystemConfigurations: rt.filesystemConfigurations } : {}),
      metadataConfiguration: { ...(rt.metadataConfiguration ?? {}), requireMMDSV2: true },
    }),
  );
  const after = await waitReady(client, id, o);
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
): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  const id = event.ResourceProperties.RuntimeId;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? `${id}-mmdsv2` };
  if (!id) throw new Error('RuntimeId is required');
  const outcome = await requireMmdsV2(new BedrockAgentCoreControlClient({}), id);
  console.log(JSON.stringify({ level: 'info', msg: 'runtime requires MMDSv2', runtimeId: id, outcome }));
  return { PhysicalResourceId: `${id}-mmdsv2`, Data: { RequireMMDSV2: 'true', Outcome: outcome } };
};

/**
 * The deployed AgentCore runtime, read once (GetAgentRuntime on the stack's RuntimeArn) for the checks that
 * need it: whether it is READY with MMDSv2 required, and the model it was deployed with (its environment).
 */
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  type GetAgentRuntimeCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { type ClientSettings, clientConfig } from './aws.ts';

export const RUNTIME_ARN = /^arn:aws[\w-]*:bedrock-agentcore:([a-z0-9-]+):\d{12}:runtime\/([\w-]+)$/;

/** The runtime as GetAgentRuntime answered, or the error it ended in; `region` is the runtime's. */
export type DeployedRuntime = { readonly id: string; readonly region: string } & (
  | { readonly runtime: GetAgentRuntimeCommandOutput }
  | { readonly error: unknown }
);

/** The runtime id and region an ARN names, or undefined when it is not an AgentCore runtime ARN. */
export function parseRuntimeArn(arn: string): { readonly id: string; readonly region: string } | undefined {
  const m = RUNTIME_ARN.exec(arn);
  return m?.[1] && m[2] ? { region: m[1], id: m[2] } : undefined;
}

export async function readRuntime(id: string, aws: ClientSettings, signal: AbortSignal): Promise<DeployedRuntime> {
  const client = new BedrockAgentCoreControlClient(clientConfig(aws));
  try {
    const runtime = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }), { abortSignal: signal });
    return { id, region: aws.region, runtime };
  } catch (error) {
    return { id, region: aws.region, error };
  } finally {
    client.destroy();
  }
}

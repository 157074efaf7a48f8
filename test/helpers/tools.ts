/** Runs a Strands tool the way the agent loop does (stream to completion) and returns its result block. */
import type { FunctionTool, ToolContext, ToolResultBlock } from '@strands-agents/sdk';

let n = 0;

export async function runTool(
  tool: FunctionTool,
  input: unknown,
  invocationState: Record<string, unknown> = {},
): Promise<{ status: string; text: string }> {
  const context = {
    toolUse: { name: tool.name, toolUseId: `t-${++n}`, input },
    invocationState,
    cancelSignal: new AbortController().signal,
  } as unknown as ToolContext;
  const gen = tool.stream(context);
  let step = await gen.next();
  while (!step.done) step = await gen.next();
  const block: ToolResultBlock = step.value;
  const text = block.content.map((c) => ('text' in c ? c.text : JSON.stringify(c))).join('\n');
  return { status: block.status, text };
}

/**
 * How many EC2 instances a describe_instances tool result lists (its second line is the JSON): what
 * the scripted "count the instances" models answer with.
 */
export function instancesIn(toolResult: string): number {
  const json = JSON.parse(toolResult.split('\n')[1] ?? '{}') as { Reservations?: { Instances?: unknown[] }[] };
  return (json.Reservations ?? []).reduce((n, r) => n + (r.Instances?.length ?? 0), 0);
}

/** The model's tool call that lists EC2 instances in `region`. */
export const describeInstancesCall = (region: string, label = 'List EC2 instances') => ({
  name: 'controlled_use_aws',
  input: { service_name: 'ec2', operation_name: 'describe_instances', parameters: {}, region, label },
});

/**
 * Translation into protocol events: Strands stream events (answer text, a tool call starting) and the
 * tool's call records (a tool call ending). The id of both ends of a call is the model's toolUseId.
 */
import {
  AfterToolCallEvent,
  BeforeToolCallEvent,
  ModelStreamUpdateEvent,
  type Usage as ModelUsage,
} from '@strands-agents/sdk';
import { findService } from '../../common/aws-services.ts';
import { iamActionFor } from '../../common/policy/index.ts';
import type { AgentEvent, ToolCallStart, ToolCallSummary, Usage } from '../../common/protocol.ts';
import { startAccounts } from '../tools/accounts.ts';
import type { AwsCallRecord } from '../tools/aws-caller.ts';
import { startRegions } from '../tools/regions.ts';

/** What the tool reports of each call, refused or made, with the model's toolUseId as `id`. */
export type ToolRecord = AwsCallRecord & { readonly id: string };

/** `describe_instances`, `describe-instances`, `describeInstances` → `DescribeInstances`. */
export const pascalCase = (operation: string): string =>
  operation
    .split(/[_-]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The IAM action of a call as the model wrote it, when its service is known (best effort, not checked). */
export function iamActionOf(service: string, operation: string): string | undefined {
  const known = service ? findService(service) : undefined;
  return known && operation ? iamActionFor(known, pascalCase(operation)) : undefined;
}

/**
 * A call as it starts, from the tool input the model wrote; the region and label default as the tool's do,
 * and a call in several regions (`regions`) shows them (`2 regions`, `all regions`), as its end will.
 */
export function toolCallStart(id: string, input: unknown, defaultRegion: string): ToolCallStart {
  const i = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const text = (k: string): string => {
    const v = i[k];
    return typeof v === 'string' ? v.trim() : '';
  };
  const service = text('service_name');
  const operation = text('operation_name');
  const iamAction = iamActionOf(service, operation);
  return {
    id,
    service,
    operation,
    ...(iamAction ? { iamAction } : {}),
    ...startRegions(i, defaultRegion),
    ...startAccounts(i),
    label: text('label') || `${service}:${operation}`,
  };
}

/** The protocol event for a Strands stream event: answer text or a tool call starting; else undefined. */
export function fromStreamEvent(ev: unknown, defaultRegion: string): AgentEvent | undefined {
  if (ev instanceof ModelStreamUpdateEvent) {
    const inner = ev.event;
    if (inner.type === 'modelContentBlockDeltaEvent' && inner.delta.type === 'textDelta' && inner.delta.text) {
      return { type: 'text', text: inner.delta.text };
    }
    return undefined;
  }
  if (ev instanceof BeforeToolCallEvent) {
    return { type: 'tool_start', ...toolCallStart(ev.toolUse.toolUseId, ev.toolUse.input, defaultRegion) };
  }
  return undefined;
}

/**
 * The end of a call the tool never resolved (input it rejected, or a tool that does not exist): such
 * a call makes no record, so its end is built from its start, so that every tool_start gets its
 * tool_end. Nothing was sent to AWS: it counts as refused.
 */
export function unresolvedCallEnd(ev: unknown, defaultRegion: string): ToolCallSummary | undefined {
  if (!(ev instanceof AfterToolCallEvent)) return undefined;
  const start = toolCallStart(ev.toolUse.toolUseId, ev.toolUse.input, defaultRegion);
  const errorCode = ev.error?.name === 'ToolInputError' || !ev.tool ? 'InvalidInput' : 'ToolError';
  return { ...start, ok: false, refused: true, ms: 0, pages: 0, items: 0, errorCode };
}

/** A call as it ended: the tool's record without what only the tool needs. */
export const toolCallSummary = ({ bytes: _bytes, ...summary }: ToolRecord): ToolCallSummary => summary;

export const toolEnd = (summary: ToolCallSummary): AgentEvent => ({ type: 'tool_end', ...summary });

/** A call in the invocation log line: `ec2:DescribeInstances`, where, how it went. */
export function callForLog(t: ToolCallSummary): Record<string, unknown> {
  return {
    call: t.iamAction ?? `${t.service}:${t.operation}`,
    region: t.region,
    ok: t.ok,
    refused: t.refused,
    ms: t.ms,
    ...(t.errorCode ? { error: t.errorCode } : {}),
  };
}

/** An answer's usage as the protocol carries it: the prompt cache's tokens only where the model reported them. */
export function usageOf(u: ModelUsage): Usage {
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    totalTokens: u.totalTokens,
    ...(u.cacheReadInputTokens !== undefined ? { cacheReadInputTokens: u.cacheReadInputTokens } : {}),
    ...(u.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: u.cacheWriteInputTokens } : {}),
  };
}

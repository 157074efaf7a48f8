/**
 * How the bot reaches the agent: in-process (dev) or a deployed AgentCore runtime (production, or
 * dev with AGENT_RUNTIME_ARN). Both yield the protocol's events; neither throws: failures end as an
 * `error` event with a message safe to show.
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import type { AgentService } from '../agent/index.ts';
import { THROTTLED } from '../common/aws-errors.ts';
import { FAILURES, type Failure, userMessage } from '../common/errors.ts';
import type { AgentEvent, InvocationRequest } from '../common/protocol.ts';
import { newRef } from '../common/ref.ts';
import { SseParser } from '../common/sse.ts';

export interface AgentClient {
  invoke(sessionId: string, request: InvocationRequest, signal?: AbortSignal): AsyncIterable<AgentEvent>;
}

/** The agent in this process. */
export class LocalAgentClient implements AgentClient {
  readonly service: AgentService;

  constructor(service: AgentService) {
    this.service = service;
  }

  invoke(sessionId: string, request: InvocationRequest, signal?: AbortSignal): AsyncIterable<AgentEvent> {
    return this.service.invoke(sessionId, request, signal);
  }
}

export interface AgentCoreClientOptions {
  readonly runtimeArn: string;
  /** Defaults to the region in the ARN. */
  readonly region?: string;
  readonly client?: BedrockAgentCoreClient;
  readonly qualifier?: string;
}

/** A deployed runtime, through InvokeAgentRuntime (SSE). Honours AWS_ENDPOINT_URL_BEDROCK_AGENTCORE. */
export class AgentCoreClient implements AgentClient {
  private readonly client: BedrockAgentCoreClient;
  private readonly arn: string;
  private readonly qualifier: string;

  constructor(o: AgentCoreClientOptions) {
    this.arn = o.runtimeArn;
    this.qualifier = o.qualifier ?? 'DEFAULT';
    this.client =
      o.client ?? new BedrockAgentCoreClient({ region: o.region ?? o.runtimeArn.split(':')[3], maxAttempts: 3 });
  }

  async *invoke(sessionId: string, request: InvocationRequest, signal?: AbortSignal): AsyncGenerator<AgentEvent> {
    let finished = false;
    try {
      const out = await this.client.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: this.arn,
          qualifier: this.qualifier,
          runtimeSessionId: sessionId,
          contentType: 'application/json',
          accept: 'text/event-stream',
          payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
        signal ? { abortSignal: signal } : {},
      );
      const body = out.response as AsyncIterable<Uint8Array> | undefined;
      if (!body) throw new Error('InvokeAgentRuntime returned no body');
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const chunk of body) {
        for (const ev of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (ev.type === 'done' || ev.type === 'error') finished = true;
          yield ev;
        }
      }
      if (!finished) yield failureEvent(FAILURES.agentStopped);
    } catch (e) {
      if (finished) return;
      yield failureEvent(describeRuntimeError(e, signal));
    }
  }
}

/** The `error` event of a failure: its code, and its message with a new reference id. */
function failureEvent(failure: Failure): AgentEvent {
  const ref = newRef();
  return { type: 'error', code: failure.code, message: userMessage(failure, ref), ref };
}

/** An InvokeAgentRuntime failure as the failure the user is told about. */
export function describeRuntimeError(e: unknown, signal?: AbortSignal): Failure {
  const err = e as { name?: string; message?: string } | undefined;
  const name = err?.name ?? '';
  if (signal?.aborted || name === 'AbortError') return FAILURES.timeout;
  if (THROTTLED.test(name)) return FAILURES.agentThrottled;
  if (/Conflict|ResourceInUse/i.test(name)) return FAILURES.busy;
  if (/AccessDenied|UnrecognizedClient|ResourceNotFound|InvalidSignature|ExpiredToken/i.test(name)) {
    return FAILURES.agentUnreachable;
  }
  if (/Timeout|ECONNRESET|socket hang up/i.test(`${name} ${err?.message ?? ''}`)) return FAILURES.agentTimeout;
  return FAILURES.agentFailed;
}

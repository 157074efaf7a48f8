/**
 * How the bot reaches the agent: in-process (dev) or a deployed AgentCore runtime (production, or
 * dev with AGENT_RUNTIME_ARN). Both yield the protocol's events; neither throws: failures end as an
 * `error` event with a message safe to show.
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import type { AgentEvent, ErrorCode, InvocationRequest } from '../common/protocol.ts';
import { SseParser } from '../common/sse.ts';
import { newRef } from '../common/ref.ts';
import type { AgentService } from '../agent/index.ts';

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
    this.client = o.client ?? new BedrockAgentCoreClient({ region: o.region ?? o.runtimeArn.split(':')[3], maxAttempts: 3 });
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
      if (!finished) {
        yield { type: 'error', code: 'internal', message: 'The agent stopped before finishing its answer. Please try again.', ref: newRef() };
      }
    } catch (e) {
      if (finished) return;
      const { code, message } = describeRuntimeError(e, signal);
      const ref = newRef();
      yield { type: 'error', code, message: `${message} (ref ${ref})`, ref };
    }
  }
}

/** InvokeAgentRuntime failures as a code and a message safe to show. */
export function describeRuntimeError(e: unknown, signal?: AbortSignal): { code: ErrorCode; message: string } {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err?.name ?? '';
  if (signal?.aborted || name === 'AbortError') return { code: 'timeout', message: 'The answer took too long and was stopped. Try a narrower question.' };
  if (/Throttling|ServiceQuotaExceeded|TooManyRequests/i.test(name)) return { code: 'model_throttled', message: 'The agent is busy right now (throttled). Please try again in a minute.' };
  if (/Conflict|ResourceInUse/i.test(name)) return { code: 'busy', message: 'I am still answering an earlier question in this thread. Ask again when that answer is done.' };
  if (/AccessDenied|UnrecognizedClient|ResourceNotFound|InvalidSignature|ExpiredToken/i.test(name)) {
    return { code: 'internal', message: 'The bot cannot reach its agent runtime. An operator needs to check AGENT_RUNTIME_ARN and the bot\'s permissions.' };
  }
  if (/Timeout|ECONNRESET|socket hang up/i.test(`${name} ${err?.message ?? ''}`)) return { code: 'timeout', message: 'The agent did not answer in time. Please try again.' };
  return { code: 'internal', message: 'The agent failed while answering. Please try again.' };
}

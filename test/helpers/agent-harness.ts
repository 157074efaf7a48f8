/** Builds the agent service and runtime server on the stand-ins, and talks to it over HTTP. */
import { ConstantBackoff, DefaultModelRetryStrategy, type Message } from '@strands-agents/sdk';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { createRuntimeServer, type RuntimeServer } from '../../agent/server.ts';
import { AgentService, type AgentServiceOptions } from '../../agent/service/agent-service.ts';
import { AwsCaller } from '../../agent/tools/aws-caller.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { createLogger, type Logger } from '../../common/log.ts';
import { type AgentEvent, SESSION_HEADER } from '../../common/protocol.ts';
import { SseParser } from '../../common/sse.ts';
import { awaitingAnswer, ScriptedModel, type Turn, toolResultTexts } from '../services/scripted-model.ts';
import { roleMode } from './tool-role.ts';
import { describeInstancesCall, instancesIn } from './tools.ts';

export interface Harness {
  readonly url: string;
  readonly service: AgentService;
  readonly server: RuntimeServer;
  readonly models: ScriptedModel[];
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface HarnessOptions
  extends Partial<Omit<AgentServiceOptions, 'createModel' | 'caller' | 'credentials' | 'logger'>> {
  readonly region: string;
  readonly toolRoleArn: string;
  /** A fresh model for each new session. */
  readonly model: () => ScriptedModel;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const models: ScriptedModel[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  const service = new AgentService({
    settings: { defaultRegion: o.region, regions: [], maxTurns: 8, ...(o.settings ?? {}) },
    createModel: () => {
      const m = o.model();
      models.push(m);
      return m;
    },
    // moto's instances are large: a budget that holds a test's whole listing
    caller: new AwsCaller({ ...DEFAULT_SETTINGS, maxBytes: 128_000, defaultRegion: o.region }),
    retryStrategy: () =>
      new DefaultModelRetryStrategy({ maxAttempts: 2, backoff: new ConstantBackoff({ delayMs: 10 }) }),
    credentials: new PinnedCredentials(roleMode(o.toolRoleArn), { region: o.region }),
    logger,
    ...o,
  });
  const server = createRuntimeServer({ service, logger, keepAliveMs: 60_000 });
  const port = await server.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, service, server, models, logs, close: () => server.close() };
}

export const sessionId = (n: string | number): string => `test-session-${String(n).padEnd(30, '0')}`;

export async function invokeSse(url: string, session: string, body: unknown): Promise<AgentEvent[]> {
  const res = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', [SESSION_HEADER]: session },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  const parser = new SseParser();
  const out: AgentEvent[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
    out.push(...parser.push(decoder.decode(chunk, { stream: true })));
  return out;
}

export async function invokeJson(
  url: string,
  session: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(session ? { [SESSION_HEADER]: session } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A model that answers "how many instances" questions from the account: it calls DescribeInstances,
 * then counts the instances in the tool result it was sent.
 */
export function instanceCounter(region: string, gate?: () => Promise<void>): ScriptedModel {
  return new ScriptedModel([], async (messages: Message[]): Promise<Turn> => {
    if (gate) await gate();
    if (!awaitingAnswer(messages)) {
      return { tools: [describeInstancesCall(region)] };
    }
    return { text: `There are ${instancesIn(toolResultTexts(messages).at(-1) ?? '')} EC2 instances in ${region}.` };
  });
}

/**
 * The agent service as production builds it (agent.ts `bedrockOptions`: prompt caching, the context
 * window; the conversation manager), with the real BedrockModel speaking to the Bedrock stand-in and the
 * real tool reaching moto.
 */
import {
  BedrockModel,
  type BedrockModelOptions,
  ConstantBackoff,
  DefaultModelRetryStrategy,
} from '@strands-agents/sdk';
import { type AgentSettings, bedrockOptions, DEFAULT_CONTEXT_WINDOW } from '../../agent/agent.ts';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { AgentService } from '../../agent/service/agent-service.ts';
import type { SessionStoreSettings } from '../../agent/service/session-store.ts';
import { AwsCaller } from '../../agent/tools/aws-caller.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { DEFAULT_MODEL_ID } from '../../common/defaults.ts';
import type { Logger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import type { FakeBedrock } from '../services/fake-bedrock.ts';
import { roleMode } from './tool-role.ts';

export interface BedrockAgentOptions {
  readonly bedrock: Pick<FakeBedrock, 'url'>;
  readonly region: string;
  readonly toolRoleArn: string;
  /** Overrides of the agent's settings (the defaults are readAgentSettings's). */
  readonly settings?: Partial<AgentSettings>;
  /** The tool's byte budget for one result (default: the tool's own, 16 KB). */
  readonly maxBytes?: number;
  readonly sessionStore?: SessionStoreSettings;
  readonly logger?: Logger;
  /** Prompt caching as production has it (default), or off: the same agent without cache points. */
  readonly caching?: boolean;
}

function modelOptions(settings: AgentSettings, caching: boolean): BedrockModelOptions {
  const { cacheConfig, ...uncached } = bedrockOptions(settings);
  return caching ? { ...uncached, cacheConfig } : uncached;
}

export function bedrockAgentService(o: BedrockAgentOptions): AgentService {
  const settings: AgentSettings = {
    modelId: DEFAULT_MODEL_ID,
    modelRegion: o.region,
    defaultRegion: o.region,
    regions: [],
    maxTurns: 16,
    maxTokens: 4096,
    contextWindow: DEFAULT_CONTEXT_WINDOW,
    timeoutMs: 120_000,
    ...o.settings,
  };
  return new AgentService({
    settings,
    createModel: () =>
      new BedrockModel({
        ...modelOptions(settings, o.caching ?? true),
        clientConfig: { endpoint: o.bedrock.url, maxAttempts: 1 },
      }),
    caller: new AwsCaller({
      ...DEFAULT_SETTINGS,
      maxBytes: o.maxBytes ?? DEFAULT_SETTINGS.maxBytes,
      defaultRegion: o.region,
    }),
    credentials: new PinnedCredentials(roleMode(o.toolRoleArn), { region: o.region }),
    retryStrategy: () =>
      new DefaultModelRetryStrategy({ maxAttempts: 1, backoff: new ConstantBackoff({ delayMs: 1 }) }),
    invocationTimeoutMs: settings.timeoutMs,
    ...(o.sessionStore ? { sessionStore: o.sessionStore } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
}

/** Every event of one question in a session. */
export async function askIn(service: AgentService, session: string, prompt: string): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of service.invoke(session, { prompt })) out.push(e);
  return out;
}

/** The answer's text, or the error's message. */
export const answerOf = (events: readonly AgentEvent[]): string =>
  events.map((e) => (e.type === 'text' ? e.text : e.type === 'error' ? e.message : '')).join('');

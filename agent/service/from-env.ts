/**
 * The agent service as configured by the environment (AWS_REGION, MODEL_ID, BEDROCK_REGION,
 * TOOL_ROLE_ARN or AGENT_TOOL_USE_AWS_PROFILE_NAME, SESSION_BUCKET, SESSION_PREFIX, USE_AWS_*,
 * AWS_ASK_REGIONS, AGENT_TIMEOUT_MS, LOG_PROMPTS).
 */
import type { Logger } from '../../common/log.ts';
import { agentSettingsFromEnv, createModel, type AgentSettings } from '../agent.ts';
import { PinnedCredentials, credentialModeFromEnv } from '../credentials.ts';
import { AwsCaller } from '../tools/aws-caller.ts';
import { settingsFromEnv } from '../tools/settings.ts';
import { AgentService } from './agent-service.ts';

export interface AgentServiceFromEnv {
  readonly service: AgentService;
  readonly settings: AgentSettings;
  readonly credentials: PinnedCredentials;
}

/** Builds the service from the environment; throws ConfigError naming what to set. */
export function agentServiceFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): AgentServiceFromEnv {
  const settings = agentSettingsFromEnv(env);
  const toolSettings = settingsFromEnv(env);
  const credentials = new PinnedCredentials(credentialModeFromEnv(env), { region: settings.defaultRegion });
  const bucket = env.SESSION_BUCKET?.trim();
  const service = new AgentService({
    settings,
    createModel: () => createModel(settings),
    caller: new AwsCaller(toolSettings),
    credentials,
    ...(bucket ? { sessionStore: { bucket, prefix: env.SESSION_PREFIX ?? 'sessions/' } } : {}),
    ...(logger ? { logger } : {}),
    logPrompts: env.LOG_PROMPTS === 'true',
    invocationTimeoutMs: settings.timeoutMs,
  });
  return { service, settings, credentials };
}

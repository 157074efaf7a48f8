/**
 * The agent service as configured by the environment (AWS_REGION, MODEL_ID, BEDROCK_REGION,
 * TOOL_ROLE_ARN (with TOOL_SESSION_POLICY_ARNS) or AGENT_TOOL_USE_AWS_PROFILE_NAME, AWS_ASK_ACCOUNTS,
 * TOOL_ROLE_NAME, AWS_ASK_SCOPES, SESSION_BUCKET,
 * SESSION_PREFIX, USE_AWS_*, AWS_ASK_REGIONS, AWS_ASK_DENY_ACTIONS, AWS_ASK_SHOW_ENV_VALUES,
 * AGENT_TIMEOUT_MS, LOG_PROMPTS): read first, with every problem collected, then built.
 */
import { type AccountsConfig, readAccountsConfig } from '../../common/accounts.ts';
import type { Logger } from '../../common/log.ts';
import { readDenyActions } from '../../common/policy/index.ts';
import type { Asker } from '../../common/protocol.ts';
import { readScopes, type Scopes, scopeFor, scopeNames } from '../../common/scopes.ts';
import { SettingsReader } from '../../common/settings.ts';
import { type AgentSettings, createModel, readAgentSettings } from '../agent.ts';
import { type CredentialMode, type PinnedCredentials, readCredentialMode } from '../credentials.ts';
import type { ScopeFor } from '../tools/accounts.ts';
import { AwsCaller } from '../tools/aws-caller.ts';
import { accountsFor } from '../tools/controlled-use-aws.ts';
import { type AwsCallSettings, readToolSettings } from '../tools/settings.ts';
import { AgentService } from './agent-service.ts';

/** Everything the service is built from, as read from the environment. */
export interface AgentServiceConfig {
  readonly settings: AgentSettings;
  readonly tool: AwsCallSettings;
  readonly credentialMode: CredentialMode;
  /** The accounts the tool may read (AWS_ASK_ACCOUNTS, TOOL_ROLE_NAME); absent: the tool role's alone. */
  readonly accounts?: AccountsConfig;
  /** The operator's extra denies (AWS_ASK_DENY_ACTIONS), refused by the tool like the sensitive list. */
  readonly denyActions: readonly string[];
  /** Which accounts and regions each channel and person may ask about (AWS_ASK_SCOPES); unset: everything. */
  readonly scopes: Scopes;
  readonly sessionStore?: { readonly bucket: string; readonly prefix: string };
  readonly logPrompts: boolean;
}

export interface AgentServiceFromEnv {
  readonly service: AgentService;
  readonly settings: AgentSettings;
  readonly credentials: PinnedCredentials;
}

/** Reads the service's settings from a process-wide reader (problems are collected, not thrown). */
export function readAgentServiceConfig(read: SettingsReader): AgentServiceConfig {
  const settings = readAgentSettings(read);
  const bucket = read.str('SESSION_BUCKET');
  const tool = readToolSettings(read, settings.defaultRegion);
  const credentialMode = readCredentialMode(read);
  const accounts = readAccountsConfig(read, credentialMode.kind === 'role' ? credentialMode.roleArn : undefined);
  return {
    settings,
    tool,
    credentialMode,
    ...(accounts ? { accounts } : {}),
    denyActions: readDenyActions(read),
    scopes: readScopes(read),
    ...(bucket ? { sessionStore: { bucket, prefix: read.str('SESSION_PREFIX') ?? 'sessions/' } } : {}),
    logPrompts: read.bool('LOG_PROMPTS', false),
  };
}

/** The tool's view of the scopes: the account names and regions the asker may ask about (absent: all). */
export function toolScope(scopes: Scopes): ScopeFor {
  return (asker?: Asker) => scopeNames(scopeFor(scopes, asker ?? {}));
}

/** Builds the service from settings already read and checked. */
export function createAgentService(config: AgentServiceConfig, logger?: Logger): AgentServiceFromEnv {
  const { settings } = config;
  const { credentials, accounts } = accountsFor(config.credentialMode, config.accounts, settings.defaultRegion);
  const service = new AgentService({
    settings,
    createModel: () => createModel(settings),
    caller: new AwsCaller(config.tool),
    credentials,
    ...(accounts ? { accounts } : {}),
    denyActions: config.denyActions,
    ...(config.scopes.configured ? { scopeFor: toolScope(config.scopes) } : {}),
    ...(config.sessionStore ? { sessionStore: config.sessionStore } : {}),
    ...(logger ? { logger } : {}),
    logPrompts: config.logPrompts,
    invocationTimeoutMs: settings.timeoutMs,
  });
  return { service, settings, credentials };
}

/** Builds the service from the environment; throws one ConfigError listing every problem. */
export function agentServiceFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): AgentServiceFromEnv {
  const read = new SettingsReader(env);
  return createAgentService(read.done(readAgentServiceConfig(read)), logger);
}

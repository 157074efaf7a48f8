/**
 * `npm run dev`: the bot over Socket Mode, settings from `.env` (see `.env.example`). The agent runs
 * in this process, or a deployed runtime answers when AGENT_RUNTIME_ARN is set. Every missing or
 * malformed setting is named, one line each, and the process exits 1.
 */

import { createAgentService, readAgentServiceConfig } from '../agent/index.ts';
import { ConfigError } from '../common/errors.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { isMain } from '../common/main.ts';
import { assertDenyActionsKnown } from '../common/policy/index.ts';
import { SettingsReader } from '../common/settings.ts';
import { type AgentClient, AgentCoreClient, LocalAgentClient } from './agent-client.ts';
import { type Bot, createBot } from './app.ts';
import { RUNTIME_ARN, readBotSettings } from './config.ts';

export interface DevBot {
  readonly bot: Bot;
  stop(): Promise<void>;
}

/** Builds and starts the Socket Mode bot; throws one ConfigError listing every setting problem (bot and agent). */
export async function startDevBot(
  env: NodeJS.ProcessEnv,
  logger: Logger = createLogger(),
  agentOverride?: AgentClient,
): Promise<DevBot> {
  // one reader for the whole process: the bot's settings and, when the agent runs here, the agent's
  const read = new SettingsReader(env);
  const settings = readBotSettings(read, 'socket');
  const runtimeArn =
    settings.agentRuntimeArn && RUNTIME_ARN.test(settings.agentRuntimeArn) ? settings.agentRuntimeArn : '';
  const agentConfig = agentOverride || runtimeArn ? undefined : readAgentServiceConfig(read);
  read.done(undefined);
  if (agentConfig) await assertDenyActionsKnown(agentConfig.denyActions);
  let agent: AgentClient;
  let close = async () => {};
  if (agentOverride) agent = agentOverride;
  else if (agentConfig) {
    const { service } = createAgentService(agentConfig, logger);
    agent = new LocalAgentClient(service);
    close = () => service.close();
  } else agent = new AgentCoreClient({ runtimeArn });
  const bot = createBot({ settings, agent, logger });
  await bot.app.start();
  logger.info('aws-ask dev bot connected (Socket Mode)', {
    agent: runtimeArn ? 'agentcore' : 'in-process',
    slackApiUrl: settings.slackApiUrl ?? 'https://slack.com/api/',
  });
  return {
    bot,
    stop: async () => {
      await bot.app.stop();
      await Promise.allSettled([...bot.inFlight]);
      await close();
    },
  };
}

if (isMain(import.meta.url)) {
  const logger = createLogger();
  startDevBot(process.env, logger).then(
    (dev) => {
      const stop = (signal: string) => {
        logger.info('shutting down', { signal });
        dev.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (e: unknown) => {
      if (e instanceof ConfigError) {
        const lines = e.problems.map((p) => `- ${p}`).join('\n');
        process.stderr.write(`aws-ask cannot start. Fix these settings (in .env or the environment):\n${lines}\n`);
      } else {
        process.stderr.write(`aws-ask cannot start: ${(e as Error).message}\n`);
      }
      process.exit(1);
    },
  );
}

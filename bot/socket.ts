/**
 * `npm run dev`: the bot over Socket Mode, settings from `.env` (see `.env.example`). The agent runs
 * in this process, or a deployed runtime answers when AGENT_RUNTIME_ARN is set. Every missing or
 * malformed setting is named, one line each, and the process exits 1.
 */
import { isMain } from '../common/main.ts';
import { ConfigError } from '../common/errors.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { agentServiceFromEnv } from '../agent/index.ts';
import { AgentCoreClient, LocalAgentClient, type AgentClient } from './agent-client.ts';
import { createBot, type Bot } from './app.ts';
import { botSettingsFromEnv } from './config.ts';

export interface DevBot {
  readonly bot: Bot;
  stop(): Promise<void>;
}

/** Builds and starts the Socket Mode bot; throws with every problem listed when settings are wrong. */
export async function startDevBot(env: NodeJS.ProcessEnv, logger: Logger = createLogger(), agentOverride?: AgentClient): Promise<DevBot> {
  const parsed = botSettingsFromEnv(env, 'socket');
  const problems = parsed.ok ? [] : [...parsed.problems];
  let agent = agentOverride;
  let close = async () => {};
  if (!agent && parsed.ok && parsed.settings.agentRuntimeArn) {
    agent = new AgentCoreClient({ runtimeArn: parsed.settings.agentRuntimeArn });
  } else if (!agent) {
    try {
      const { service } = agentServiceFromEnv(env, logger);
      agent = new LocalAgentClient(service);
      close = () => service.close();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(e.message);
    }
  }
  if (!parsed.ok || problems.length || !agent) throw new SettingsError(problems);
  const bot = createBot({ settings: parsed.settings, agent, logger });
  await bot.app.start();
  logger.info('aws-ask dev bot connected (Socket Mode)', { agent: parsed.settings.agentRuntimeArn ? 'agentcore' : 'in-process', slackApiUrl: parsed.settings.slackApiUrl ?? 'https://slack.com/api/' });
  return {
    bot,
    stop: async () => {
      await bot.app.stop();
      await Promise.allSettled([...bot.inFlight]);
      await close();
    },
  };
}

export class SettingsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`aws-ask cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

if (isMain(import.meta.url)) {
  const logger = createLogger();
  startDevBot(process.env, logger).then(
    (dev) => {
      const stop = (signal: string) => {
        logger.info('shutting down', { signal });
        dev.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (e: unknown) => {
      if (e instanceof SettingsError) {
        process.stderr.write(`aws-ask cannot start. Fix these settings (in .env or the environment):\n${e.problems.map((p) => `- ${p}`).join('\n')}\n`);
      } else {
        process.stderr.write(`aws-ask cannot start: ${(e as Error).message}\n`);
      }
      process.exit(1);
    },
  );
}

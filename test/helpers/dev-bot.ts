/** `npm run dev`'s bot against the fake Slack, with an agent that answers at once (Slack-side tests). */
import type { AgentClient } from '../../bot/agent-client.ts';
import { type DevBot, startDevBot } from '../../bot/socket.ts';
import { type Logger, silentLogger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import { APP_TOKEN, BOT_TOKEN, type FakeSlack } from '../services/fake-slack.ts';

/** An agent that answers "Answered." with no AWS calls; each prompt it is asked goes into `prompts`. */
export function answeringAgent(prompts: string[] = []): AgentClient {
  return {
    async *invoke(_sessionId, request): AsyncGenerator<AgentEvent> {
      prompts.push(request.prompt);
      yield { type: 'text', text: 'Answered.' };
      const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
      yield { type: 'done', usage, toolCalls: [], durationMs: 1 };
    },
  };
}

/**
 * Starts the dev bot over Socket Mode on `slack` with `agent` (and any more settings in `env`, like
 * ALLOWED_TEAM_IDS), and waits until it is connected.
 */
export async function startDevBotOn(
  slack: FakeSlack,
  agent: AgentClient,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<DevBot> {
  const dev = await startDevBot(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: slack.apiUrl, ...env },
    logger,
    agent,
  );
  await slack.connected();
  return dev;
}

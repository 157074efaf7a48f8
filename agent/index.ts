/**
 * The agent's public entry point for code outside `agent/`: the in-process service that `npm run dev`
 * and the bot's LocalAgentClient run. Everything else the bot needs is in `common/`.
 */
export { AgentService, type AgentServiceOptions } from './service/agent-service.ts';
export { createAgentService, readAgentServiceConfig } from './service/from-env.ts';

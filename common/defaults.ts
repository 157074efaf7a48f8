/**
 * Defaults that more than one process needs (the agent, the bot, the CDK stack), each in one place.
 * No SDK imports: `npm run synth` loads this module.
 */

/** Bedrock model or inference profile (MODEL_ID, CDK context modelId). */
export const DEFAULT_MODEL_ID = 'global.anthropic.claude-sonnet-4-6';

/** Region the tool calls when neither the model nor the environment names one. */
export const DEFAULT_REGION = 'us-east-1';

/** Longest agent invocation before it is stopped with a `timeout` error (AGENT_TIMEOUT_MS). */
export const DEFAULT_AGENT_TIMEOUT_MS = 240_000;

/** Longest answer the bot waits for before it says so (ANSWER_TIMEOUT_MS). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 300_000;

/** Deliveries of one queued question before it goes to the dead-letter queue (MAX_RECEIVE_COUNT). */
export const DEFAULT_MAX_RECEIVE_COUNT = 3;

/**
 * Concurrency the stack reserves for the public receiver Lambda (CDK context receiverReservedConcurrency;
 * `none` reserves none). `npm run doctor` checks that the account can spare it.
 */
export const DEFAULT_RECEIVER_RESERVED_CONCURRENCY = 10;

/**
 * The Node.js major version every part runs on: the Lambdas (`nodejs<N>.x`), the AgentCore code package
 * (`NODE_<N>`), esbuild's target (`node<N>`), all derived from it in infra/, and agent/Dockerfile's FROM
 * lines (test/infra/node-runtime.test.ts checks that they agree). Moving to a newer Node starts here.
 */
export const NODE_MAJOR = 22;

/** How an answer ended (`AnswerOutcome`), what answering returns, and the notice a failure ends with. */
import { type ErrorCode, type Failure, userMessage } from '../../common/errors.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';

/**
 * - `ok`: answered, with the footer;
 * - an `ErrorCode`: ended with the failure's message in the thread (the agent's code, or the bot's own
 *   `timeout` / `internal`);
 * - `retry_later`: a retried job met its thread still busy with the attempt that died; nothing was
 *   said, the queue brings it back;
 * - `undelivered`: the ending could not be delivered to Slack; the asker has not seen one, so the caller
 *   may retry;
 * - `too_long`: the question is longer than the agent takes; said in the thread, the agent not asked.
 */
export type AnswerOutcome = 'ok' | ErrorCode | 'retry_later' | 'undelivered' | 'too_long';

export interface AnswerResult {
  readonly outcome: AnswerOutcome;
  /** In the logs, and shown with a failure. */
  readonly ref: string;
  readonly text: string;
  readonly toolCalls: readonly ToolCallSummary[];
  /** ms from the question to the first thing the user saw change in Slack. */
  readonly firstUpdateMs?: number;
}

/** What ends a failed answer in Slack: `message` (already with its ref) as a warning. */
export const failureNotice = (message: string): string => `\n\n:warning: ${message}`;

/** The outcome and notice of a failure of the bot's own (no agent `error` event to relay). */
export const failed = (failure: Failure, ref: string): { outcome: AnswerOutcome; tail: string } => ({
  outcome: failure.code,
  tail: failureNotice(userMessage(failure, ref)),
});

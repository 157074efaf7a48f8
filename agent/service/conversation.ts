/**
 * Long threads: what an agent keeps of its conversation, so that a thread of any length stays
 * answerable within the model's context window, and stays a conversation Bedrock accepts.
 *
 * Strands' SlidingWindowConversationManager, rather than its SummarizingConversationManager: answers
 * here come from live AWS data, so old tool results are stale and cheaper to fetch again than to carry
 * or summarise; a summary is one more model call (time and tokens) over the very content that is too
 * long, and would tempt the model to answer from old numbers. The window never splits a toolUse from its
 * toolResult: it trims only up to a user's question, or drops a whole tool pair and keeps the question
 * before it. It acts three ways:
 * - after each answer, it keeps the last `WINDOW_MESSAGES` messages;
 * - before each model call, when Strands' estimate of the input passes `COMPRESSION_THRESHOLD` of the
 *   model's context window (`contextWindowLimit`), it drops the oldest turn;
 * - when Bedrock still says the input is too long, it cuts the oldest tool result (to its head and
 *   tail) or drops the oldest turn, and the call is retried; when nothing is left to drop, the error
 *   reaches the asker as FAILURES.threadTooLong.
 */
import { type Agent, BeforeInvocationEvent, type Message, SlidingWindowConversationManager } from '@strands-agents/sdk';

/** Messages kept after each answer: about ten questions of one AWS call each, fewer of several. */
export const WINDOW_MESSAGES = 40;
/** Share of the context window past which the oldest turn is dropped before a model call. */
export const COMPRESSION_THRESHOLD = 0.7;

export function conversationManager(): SlidingWindowConversationManager {
  return new SlidingWindowConversationManager({
    windowSize: WINDOW_MESSAGES,
    shouldTruncateResults: true,
    proactiveCompression: { compressionThreshold: COMPRESSION_THRESHOLD },
  });
}

const asksTools = (m: Message): boolean => m.content.some((b) => b.type === 'toolUseBlock');

/**
 * Drops the end of a conversation that an invocation left unfinished (it failed, timed out or was
 * cancelled after the question was added): everything after the last answer. Bedrock refuses two user
 * messages in a row and a toolUse without its toolResult, so without this one failed answer would make
 * every later question in the thread fail too, also after the conversation is reloaded from S3.
 * Returns how many messages were dropped.
 */
export function dropUnfinishedTurn(messages: Message[]): number {
  let end = messages.length;
  while (end > 0) {
    const last = messages[end - 1] as Message;
    if (last.role === 'assistant' && !asksTools(last)) break;
    end--;
  }
  return messages.splice(end).length;
}

/** Every invocation starts from a finished conversation (after the session store has restored it). */
export function startFromFinishedTurns(agent: Agent): void {
  agent.addHook(BeforeInvocationEvent, (event) => {
    dropUnfinishedTurn(event.agent.messages);
  });
}

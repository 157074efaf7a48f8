/** The agent view: when someone opens the app's messages tab, offer suggested prompts. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { SUGGESTED_PROMPTS } from '../../format.ts';
import type { ListenerDeps } from '../deps.ts';

export const appHomeOpened =
  (deps: ListenerDeps) =>
  async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'messages' || !event.channel) return;
    await client.assistant.threads
      .setSuggestedPrompts({
        channel_id: event.channel,
        title: 'Ask about our AWS account',
        prompts: [...SUGGESTED_PROMPTS],
      })
      .catch((e: unknown) => deps.logger.warn('setSuggestedPrompts failed', { error: (e as Error).message }));
  };

/** A new agent-view thread: the same prompts, in the thread. */
export const assistantThreadStarted =
  (deps: ListenerDeps) =>
  async ({
    event,
    client,
  }: SlackEventMiddlewareArgs<'assistant_thread_started'> & AllMiddlewareArgs): Promise<void> => {
    const t = event.assistant_thread;
    await client.assistant.threads
      .setSuggestedPrompts({
        channel_id: t.channel_id,
        thread_ts: t.thread_ts,
        title: 'Ask about our AWS account',
        prompts: [...SUGGESTED_PROMPTS],
      })
      .catch((e: unknown) => deps.logger.warn('setSuggestedPrompts failed', { error: (e as Error).message }));
  };

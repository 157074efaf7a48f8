/**
 * The agent view: when someone opens the app's Messages tab, pin the suggested prompts to its top.
 *
 * `agent_view` is the default and only messaging experience for new apps; it replaces
 * `assistant_thread_started` with `app_home_opened` for `tab === 'messages'`, and its prompts are set
 * without a `thread_ts` (https://docs.slack.dev/ai/migrating-to-agent-messaging/,
 * https://docs.slack.dev/tools/bolt-js/concepts/adding-agent-features/).
 */
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

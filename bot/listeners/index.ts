/** Registers every listener on a Bolt app. */
import type { App, BlockFeedbackButtonsAction } from '@slack/bolt';
import { FEEDBACK_ACTION_ID } from '../feedback.ts';
import type { HomeOptions } from '../home.ts';
import { type FeedbackDeps, feedbackAction } from './actions/feedback.ts';
import { awsAskCommand, unknownCommand } from './commands/aws-ask.ts';
import type { ListenerDeps } from './deps.ts';
import { registerHomeTab } from './events/app-home.ts';
import { appHomeOpened } from './events/app-home-opened.ts';
import { appMention } from './events/app-mention.ts';
import { registerFollowUps } from './events/follow-up.ts';
import { messageIm } from './events/message-im.ts';

export function registerListeners(
  app: App,
  deps: ListenerDeps,
  feedback: FeedbackDeps = deps,
  home?: HomeOptions,
): void {
  app.event('app_mention', appMention(deps));
  app.event('message', messageIm(deps));
  app.event('app_home_opened', appHomeOpened(deps));
  app.command('/aws-ask', awsAskCommand(deps));
  app.command(/^\/(?!aws-ask$)/, unknownCommand());
  app.action<BlockFeedbackButtonsAction>(
    { type: 'block_actions', action_id: FEEDBACK_ACTION_ID },
    feedbackAction(feedback),
  );
  if (home) registerHomeTab(app, deps, home);
  // replies in a thread the bot is answering in, without a mention
  registerFollowUps(app, deps);
}

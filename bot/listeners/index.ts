/** Registers every listener on a Bolt app. */
import type { App } from '@slack/bolt';
import { awsAskCommand, unknownCommand } from './commands/aws-ask.ts';
import type { ListenerDeps } from './deps.ts';
import { appHomeOpened } from './events/app-home-opened.ts';
import { appMention } from './events/app-mention.ts';
import { messageIm } from './events/message-im.ts';

export function registerListeners(app: App, deps: ListenerDeps): void {
  app.event('app_mention', appMention(deps));
  app.event('message', messageIm(deps));
  app.event('app_home_opened', appHomeOpened(deps));
  app.command('/aws-ask', awsAskCommand(deps));
  app.command(/^\/(?!aws-ask$)/, unknownCommand());
}

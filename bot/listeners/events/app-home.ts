/**
 * The Home tab: when someone opens it, publish their view (bot/home.ts) with views.publish, which
 * takes the user and a `home` view (https://docs.slack.dev/reference/methods/views.publish,
 * https://docs.slack.dev/tools/bolt-js/concepts/publishing-views). `app_home_opened` comes each time the
 * App Home is entered, with `tab` saying which tab, and with the tab's current view once one was
 * published (https://docs.slack.dev/reference/events/app_home_opened): a view whose `private_metadata`
 * carries the same fingerprint is already what the person sees, so it is not published again.
 *
 * The Messages tab is the other listener's (app-home-opened.ts). A view that breaks Block Kit's limits
 * is logged and not sent; a failed views.publish is logged, never thrown (the tab keeps its last view).
 */
import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { type HomeOptions, homeView } from '../../home.ts';
import { type HomeTabView, viewProblems } from '../../home-view.ts';
import { eventOrigin } from '../admit.ts';
import type { ListenerDeps } from '../deps.ts';

/** `private_metadata` naming what a view shows. */
export const fingerprint = (view: HomeTabView): string =>
  `aws-ask-home:${createHash('sha256').update(JSON.stringify(view.blocks)).digest('hex').slice(0, 16)}`;

export const appHomeTab =
  (deps: ListenerDeps, o: HomeOptions) =>
  async ({
    event,
    body,
    context,
    client,
  }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home' || !event.user) return;
    // who the viewer is, as a question they asked here would be admitted
    const { teamId, userTeamId } = await eventOrigin(deps, body, { ...event, ts: event.event_ts });
    const access = deps.access.check({
      ...(teamId ? { homeTeamId: teamId } : {}),
      ...(userTeamId ? { userTeamId } : {}),
      channelId: event.channel,
      userId: event.user,
      isDm: true,
    });
    const built = homeView(o, {
      access,
      userId: event.user,
      ...(context.botUserId ? { botUserId: context.botUserId } : {}),
    });
    const view: HomeTabView = { ...built, private_metadata: fingerprint(built) };
    const problems = viewProblems(view);
    if (problems.length) {
      deps.logger.error('home view not published: it breaks Block Kit limits', { problems });
      return;
    }
    if ((event.view as { private_metadata?: string } | undefined)?.private_metadata === view.private_metadata) return;
    try {
      await client.views.publish({ user_id: event.user, view });
    } catch (error) {
      deps.logger.warn('views.publish failed', {
        user: event.user,
        slackError: (error as { data?: { error?: string } }).data?.error,
        error,
      });
    }
  };

/** Registers the Home tab on a Bolt app, beside the listeners of `registerListeners`. */
export function registerHomeTab(app: App, deps: ListenerDeps, o: HomeOptions): void {
  app.event('app_home_opened', appHomeTab(deps, o));
}

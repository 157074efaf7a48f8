/**
 * Which workspace the bot is installed in (its home), and which one a person who asks belongs to. Only people
 * of the home workspace may ask by default (bot/access.ts): in a channel shared with another organisation
 * (Slack Connect), its people can mention the bot, reply in its threads and DM it like anyone else.
 *
 * The home workspace:
 * - for an Events API delivery, `authorizations[0].team_id`: the installation the event is delivered to
 *   (https://docs.slack.dev/reference/methods/apps.event.authorizations.list: "Each authorization represents
 *   an app installation that the event is visible to"). Not the envelope's `team_id`: in a shared channel that
 *   is the workspace the channel comes from, which may be the other organisation's (Slack's own SDKs read
 *   `authorizations` first for this reason: https://github.com/slackapi/bolt-js/issues/687);
 * - otherwise (a slash command's `team_id` is "where the user was in Slack when they triggered" it:
 *   https://docs.slack.dev/interactivity/implementing-slash-commands), the bot token's own workspace, from
 *   auth.test (https://docs.slack.dev/reference/methods/auth.test), asked once per process and only then.
 *
 * The asker's workspace, from an event: `user_team`, else `user_profile.team`, else `team` (the fields a
 * message or mention carries for its author in shared channels: @slack/types `AppMentionEvent`,
 * https://api.slack.com/enterprise/grid/developing). Slack has been seen to leave them out
 * (https://github.com/superset-sh/superset/pull/4531): then, in a channel shared with another organisation
 * (`is_ext_shared_channel`, https://docs.slack.dev/apis/events-api/), the asker's workspace is unknown and
 * they are refused; elsewhere every member belongs to the home workspace.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../common/log.ts';

/** The home workspace's id; undefined when Slack could not say (auth.test failed). */
export type HomeTeam = () => Promise<string | undefined>;

/** The fields of an event that name its author's workspace. */
export interface AuthorTeamFields {
  readonly user_team?: string;
  readonly user_profile?: { readonly team?: string };
  readonly team?: string;
}

interface EventEnvelope {
  readonly authorizations?: readonly { readonly team_id?: string | null }[];
  readonly is_ext_shared_channel?: boolean;
}

/** The installation's workspace an Events API delivery names, if it does. */
export function installedTeamOf(body: unknown): string | undefined {
  return (body as EventEnvelope | undefined)?.authorizations?.[0]?.team_id ?? undefined;
}

/** The author's workspace as the event names it; else the home one, unless the channel is shared outside. */
export function authorTeamOf(body: unknown, event: AuthorTeamFields, home: string | undefined): string | undefined {
  const named = event.user_team || event.user_profile?.team || event.team;
  if (named) return named;
  return (body as EventEnvelope | undefined)?.is_ext_shared_channel ? undefined : home;
}

/**
 * How long a request waits for auth.test. The receiver must ack within 3 s (Slack retries or fails the
 * command otherwise) and the Web API client retries a failing call for much longer, so a request that
 * cannot learn the home workspace in time goes on without it (refused as home_unknown) while the one
 * pending auth.test carries on for the requests after it.
 */
export const AUTH_TEST_WAIT_MS = 1_500;

/** The bot token's workspace, from auth.test: asked on first use and kept; a failure is logged, not kept. */
export function homeTeamFrom(client: WebClient, logger: Logger, waitMs = AUTH_TEST_WAIT_MS): HomeTeam {
  let known: Promise<string | undefined> | undefined;
  return () => {
    known ??= client.auth.test().then(
      (r) => {
        if (!r.team_id) known = undefined;
        return r.team_id || undefined;
      },
      (error: unknown) => {
        known = undefined;
        logger.warn('auth.test failed: the workspace the bot is installed in is unknown', {
          slackError: (error as { data?: { error?: string } }).data?.error,
          error,
        });
        return undefined;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        logger.warn('auth.test is slow: going on without the home workspace', { waitMs });
        resolve(undefined);
      }, waitMs);
      timer.unref?.();
    });
    return Promise.race([known, late]).finally(() => clearTimeout(timer));
  };
}

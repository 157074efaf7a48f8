/**
 * Who may ask where. By default, only people of the workspace the bot is installed in: people of another
 * organisation in a channel shared with it (Slack Connect) are turned away, and so is anyone whose workspace
 * Slack does not say (bot/workspaces.ts). ALLOWED_TEAM_IDS names other workspaces whose people may ask too.
 * Then allowlists of Slack channel and user ids (empty: everyone). The interface leaves room for a channel →
 * role map (a different read-only role per channel) without changing the listeners.
 *
 * Enterprise Grid: another workspace of the same enterprise is another workspace. It may be a different
 * business unit with no business reading this AWS account, and the app is installed in one workspace
 * (`org_deploy_enabled` is off in bot/manifest.ts), so it is not trusted for sharing the enterprise; its id, or
 * the enterprise's (E…) where Slack names the asker's workspace by it, goes in ALLOWED_TEAM_IDS to allow it.
 */
import { REFUSALS, type RefusalReason } from '../common/errors.ts';
import type { Allowlists } from './config.ts';

export interface Where {
  /** The workspace the bot is installed in; undefined when Slack could not say. */
  readonly homeTeamId?: string;
  /** The asker's own workspace; undefined when Slack did not say and it cannot be assumed. */
  readonly userTeamId?: string;
  readonly channelId: string;
  readonly userId: string;
  /** A direct message or agent-view thread: the channel allowlist does not apply. */
  readonly isDm: boolean;
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly message: string; readonly reason: RefusalReason };

export interface AccessPolicy {
  check(where: Where): AccessDecision;
}

const refuse = (reason: RefusalReason, w: Where): AccessDecision => ({
  allowed: false,
  reason,
  message: REFUSALS[reason](w.userTeamId ? { userTeamId: w.userTeamId } : {}),
});

/** Whether the asker's workspace may ask: the home one, or one the allowlist names. */
function teamRefusal(allow: Allowlists, w: Where): RefusalReason | undefined {
  if (!w.homeTeamId) return 'home_unknown';
  if (!w.userTeamId) return 'unknown_team';
  if (w.userTeamId !== w.homeTeamId && !allow.teams.includes(w.userTeamId)) return 'outsider';
  return undefined;
}

export function allowlistPolicy(allow: Allowlists): AccessPolicy {
  return {
    check(w) {
      const team = teamRefusal(allow, w);
      if (team) return refuse(team, w);
      if (allow.users.length && !allow.users.includes(w.userId)) return refuse('user', w);
      if (!w.isDm && allow.channels.length && !allow.channels.includes(w.channelId)) return refuse('channel', w);
      return { allowed: true };
    },
  };
}

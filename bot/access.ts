/**
 * Who may ask where. The default policy is allowlists of Slack team, channel and user ids (empty:
 * everyone). The interface leaves room for a channel → role map (a different read-only role per
 * channel) without changing the listeners.
 */
import type { Allowlists } from './config.ts';

export interface Where {
  readonly teamId?: string;
  readonly channelId: string;
  readonly userId: string;
  /** A direct message or agent-view thread: the channel allowlist does not apply. */
  readonly isDm: boolean;
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly message: string; readonly reason: 'team' | 'channel' | 'user' };

export interface AccessPolicy {
  check(where: Where): AccessDecision;
}

export function allowlistPolicy(allow: Allowlists): AccessPolicy {
  return {
    check(w) {
      if (allow.teams.length && (!w.teamId || !allow.teams.includes(w.teamId))) {
        return { allowed: false, reason: 'team', message: 'Sorry, aws-ask is not enabled for this workspace.' };
      }
      if (allow.users.length && !allow.users.includes(w.userId)) {
        return {
          allowed: false,
          reason: 'user',
          message:
            'Sorry, you are not on the list of people who may ask aws-ask. ' +
            'A platform admin can add you (ALLOWED_USER_IDS).',
        };
      }
      if (!w.isDm && allow.channels.length && !allow.channels.includes(w.channelId)) {
        return {
          allowed: false,
          reason: 'channel',
          message:
            'Sorry, aws-ask does not answer in this channel. Ask in one of the allowed channels or in a DM; ' +
            'a platform admin can add this channel (ALLOWED_CHANNEL_IDS).',
        };
      }
      return { allowed: true };
    },
  };
}

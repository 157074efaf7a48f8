/** What Slack sends the receiver Lambda through its Function URL: events and commands, signed or not. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AnswerJob } from '../../bot/job.ts';
import { BOT_USER_ID, signedHeaders, TEAM_ID } from '../services/fake-slack.ts';

export interface UrlEventOptions {
  /** Replaces the Slack signature headers (default: signed with the fake's signing secret). */
  readonly headers?: Record<string, string>;
  readonly contentType?: string;
  /** Base64-encode the body, as Function URLs may. */
  readonly base64?: boolean;
}

/** A Function URL request carrying `body`, signed unless `headers` say otherwise. */
export function functionUrlEvent(body: string, o: UrlEventOptions = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': o.contentType ?? 'application/json', ...(o.headers ?? signedHeaders(body)) },
    requestContext: {
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' },
    } as APIGatewayProxyEventV2['requestContext'],
    body: o.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: !!o.base64,
  };
}

/**
 * Where a request comes from in Slack Connect terms: the person's own workspace (default TEAM_ID) and, for
 * an event, whether the channel is shared with another organisation and which workspace it comes from.
 */
export interface Origin {
  /** The asker's own workspace (TEAM_ID unless another organisation's). */
  readonly userTeam?: string;
  /** The channel is shared with another organisation (Slack Connect): `is_ext_shared_channel`. */
  readonly shared?: boolean;
  /** The workspace a shared channel comes from: the envelope's `team_id` (default: the asker's). */
  readonly hostTeam?: string;
  /** Leave the author's workspace out of the event, as Slack has been seen to (see FakeSlack.omitAuthorTeam). */
  readonly omitAuthorTeam?: boolean;
}

/**
 * An `app_mention` event callback body, as FakeSlack.eventPayload builds one (the fields and their pages are
 * cited there): the installation in `authorizations`; in a shared channel, `is_ext_shared_channel`, the
 * envelope `team_id` of the channel's workspace, and the author's workspace in `user_team`, `source_team`,
 * `team`.
 */
export function mentionBody(
  o: { eventId: string; text: string; ts: string; channel?: string; user?: string } & Origin,
): string {
  const channel = o.channel ?? 'C0OPS';
  const author = o.userTeam ?? TEAM_ID;
  const shared = o.shared ?? author !== TEAM_ID;
  const named = shared || author !== TEAM_ID;
  return JSON.stringify({
    token: 'legacy',
    team_id: shared ? (o.hostTeam ?? author) : TEAM_ID,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: o.eventId,
    event_time: 1,
    event: {
      type: 'app_mention',
      user: o.user ?? 'U0ALICE',
      text: `<@${BOT_USER_ID}> ${o.text}`,
      ts: o.ts,
      channel,
      ...(named && o.omitAuthorTeam ? {} : { team: author }),
      ...(named && !o.omitAuthorTeam ? { user_team: author, source_team: author } : {}),
      event_ts: o.ts,
    },
    authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
    is_ext_shared_channel: shared,
  });
}

/**
 * A slash command body (form-encoded). `team_id` is the workspace the person ran it from
 * (https://docs.slack.dev/interactivity/implementing-slash-commands).
 */
export function commandBody(o: {
  text: string;
  triggerId: string;
  responseUrl: string;
  command?: string;
  channel?: string;
  user?: string;
  userTeam?: string;
}): string {
  return new URLSearchParams({
    team_id: o.userTeam ?? TEAM_ID,
    channel_id: o.channel ?? 'C0OPS',
    user_id: o.user ?? 'U0ALICE',
    command: o.command ?? '/aws-ask',
    text: o.text,
    response_url: o.responseUrl,
    trigger_id: o.triggerId,
  }).toString();
}

/** The queued job of a mention in C0OPS by U0ALICE, answered in thread `ts` (override any field). */
export const mentionJob = (ts: string, o: Partial<AnswerJob> = {}): AnswerJob => ({
  surface: 'mention',
  teamId: TEAM_ID,
  channelId: 'C0OPS',
  threadTs: ts,
  userId: 'U0ALICE',
  isDm: false,
  question: 'what runs?',
  dedupeKey: `Ev${ts}`,
  receivedAt: Date.now(),
  ...o,
});

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

/** An `app_mention` event callback body. */
export function mentionBody(o: { eventId: string; text: string; ts: string; channel?: string; user?: string }): string {
  const channel = o.channel ?? 'C0OPS';
  return JSON.stringify({
    token: 'legacy',
    team_id: TEAM_ID,
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
      team: TEAM_ID,
      event_ts: o.ts,
    },
    authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
  });
}

/** A slash command body (form-encoded). */
export function commandBody(o: {
  text: string;
  triggerId: string;
  responseUrl: string;
  command?: string;
  channel?: string;
}): string {
  return new URLSearchParams({
    team_id: TEAM_ID,
    channel_id: o.channel ?? 'C0OPS',
    user_id: 'U0ALICE',
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

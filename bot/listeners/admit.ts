/**
 * Admission, in one place for every listener: who asked where (the workspace the bot is installed in and the
 * asker's own, channel, user; an event's id or its fallback), the access policy, a refusal said to the asker
 * and logged, and the dispatch of an admitted question as an AnswerJob. A refused question is never
 * dispatched: nothing is queued and the agent is not asked.
 *
 * An event is remembered as handled only once it was: refused, turned away, or dispatched. A delivery
 * whose dispatch fails (the queue is down: the receiver answers 500) is not remembered, so Slack's retry
 * of it (X-Slack-Retry-Num, https://docs.slack.dev/apis/events-api/#retries) is dispatched again rather
 * than dropped as a duplicate. Deliveries that overlap are both dispatched; the queue's deduplication id
 * and the answerer's idempotency on the job's key make them one answer.
 */
import type { AnswerJob } from '../job.ts';
import { type AuthorTeamFields, authorTeamOf, installedTeamOf } from '../workspaces.ts';
import type { ListenerDeps } from './deps.ts';

/** A question as a listener received it. */
export interface Asking {
  readonly surface: AnswerJob['surface'];
  /** The workspace the bot is installed in ('' when unknown: refused). */
  readonly teamId: string;
  /** The asker's own workspace; undefined when Slack did not say (refused). */
  readonly userTeamId?: string;
  readonly channelId: string;
  readonly userId: string;
  readonly isDm: boolean;
  /** The question, Slack's escapes decoded. */
  readonly question: string;
  /** Absent for a slash command (its question is posted as the thread's parent). */
  readonly threadTs?: string;
  readonly responseUrl?: string;
  /** The event id or trigger id (see `eventOrigin`): the job's deduplication key. */
  readonly dedupeKey: string;
  /**
   * When a key already handled is turned away. `first` (events): before anything is said, as Slack retries
   * events and a retry must be neither refused nor answered twice. `on-accept` (commands): once the
   * question passed access and `vet`, so every refusal is said in the command's own ack.
   */
  readonly dedupe: 'first' | 'on-accept';
  /** Tells the asker they may not ask here, where this surface can (ephemeral, thread, ack). */
  readonly refuse: (message: string) => Promise<void>;
  /** After access: replies and returns false when the question cannot be asked as it is. */
  readonly vet?: () => Promise<boolean>;
  /** Just before dispatch, duplicates included (a command's empty ack). */
  readonly accepted?: () => Promise<void>;
}

/** Admits a question and dispatches it, or says why not; the key is remembered once that succeeded. */
export async function admit(deps: ListenerDeps, a: Asking): Promise<void> {
  if (a.dedupe === 'first' && deps.seen.has(a.dedupeKey)) return;
  const where = {
    ...(a.teamId ? { homeTeamId: a.teamId } : {}),
    ...(a.userTeamId ? { userTeamId: a.userTeamId } : {}),
    channelId: a.channelId,
    userId: a.userId,
    isDm: a.isDm,
  };
  const access = deps.access.check(where);
  if (!access.allowed) {
    deps.logger.info('refused', {
      reason: access.reason,
      team: a.teamId,
      userTeam: a.userTeamId ?? null,
      channel: a.channelId,
      user: a.userId,
      surface: a.surface,
    });
    await a.refuse(access.message);
    if (a.dedupe === 'first') deps.seen.add(a.dedupeKey);
    return;
  }
  if (a.vet && !(await a.vet())) {
    if (a.dedupe === 'first') deps.seen.add(a.dedupeKey);
    return;
  }
  const fresh = a.dedupe === 'first' || !deps.seen.has(a.dedupeKey);
  await a.accepted?.();
  if (!fresh) return;
  await deps.dispatch({
    surface: a.surface,
    teamId: a.teamId,
    ...(a.userTeamId && a.userTeamId !== a.teamId ? { userTeamId: a.userTeamId } : {}),
    channelId: a.channelId,
    ...(a.threadTs !== undefined ? { threadTs: a.threadTs } : {}),
    userId: a.userId,
    isDm: a.isDm,
    question: a.question,
    ...(a.responseUrl !== undefined ? { responseUrl: a.responseUrl } : {}),
    dedupeKey: a.dedupeKey,
    receivedAt: Date.now(),
  });
  deps.seen.add(a.dedupeKey);
}

/**
 * An Events API delivery's key (its event_id, else channel:ts), the workspace the bot is installed in and the
 * author's own (bot/workspaces.ts).
 */
export async function eventOrigin(
  deps: ListenerDeps,
  body: unknown,
  event: AuthorTeamFields & { readonly channel: string; readonly ts: string },
): Promise<{ dedupeKey: string; teamId: string; userTeamId?: string }> {
  const b = body as { event_id?: string };
  const home = installedTeamOf(body) ?? (await deps.homeTeam?.());
  const userTeamId = authorTeamOf(body, event, home);
  return {
    dedupeKey: b.event_id ?? `${event.channel}:${event.ts}`,
    teamId: home ?? '',
    ...(userTeamId ? { userTeamId } : {}),
  };
}

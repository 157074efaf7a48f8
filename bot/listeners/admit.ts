/**
 * Admission, in one place for every listener: who asked where (team, channel, user; an event's id or
 * its fallback), the access policy, a refusal said to the asker and logged, and the dispatch of an
 * admitted question as an AnswerJob.
 *
 * An event is remembered as handled only once it was: refused, turned away, or dispatched. A delivery
 * whose dispatch fails (the queue is down: the receiver answers 500) is not remembered, so Slack's retry
 * of it (X-Slack-Retry-Num, https://docs.slack.dev/apis/events-api/#retries) is dispatched again rather
 * than dropped as a duplicate. Deliveries that overlap are both dispatched; the queue's deduplication id
 * and the answerer's idempotency on the job's key make them one answer.
 */
import type { AnswerJob } from '../job.ts';
import type { ListenerDeps } from './deps.ts';

/** A question as a listener received it. */
export interface Asking {
  readonly surface: AnswerJob['surface'];
  readonly teamId: string;
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
  const where = { teamId: a.teamId, channelId: a.channelId, userId: a.userId, isDm: a.isDm };
  const access = deps.access.check(where);
  if (!access.allowed) {
    deps.logger.info('refused', {
      reason: access.reason,
      team: a.teamId,
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

/** An Events API delivery's key (its event_id, else channel:ts) and team. */
export function eventOrigin(
  body: unknown,
  context: { readonly teamId?: string },
  event: { readonly channel: string; readonly ts: string; readonly team?: string },
): { dedupeKey: string; teamId: string } {
  const b = body as { event_id?: string; team_id?: string };
  return {
    dedupeKey: b.event_id ?? `${event.channel}:${event.ts}`,
    teamId: event.team ?? b.team_id ?? context.teamId ?? '',
  };
}

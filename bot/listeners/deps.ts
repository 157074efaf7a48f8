/** What every listener needs. */
import type { Logger } from '../../agent/log.ts';
import type { AccessPolicy } from '../access.ts';

export interface ListenerDeps {
  readonly access: AccessPolicy;
  readonly logger: Logger;
  /**
   * Runs the slow part (answering). Socket Mode runs it at once; the Lambda receiver puts it on a
   * queue for the worker instead. Returning quickly is what keeps Slack's 3-second ack.
   */
  readonly dispatch: (job: AnswerJob) => Promise<void>;
  /** Event ids already taken (Slack retries events); true if this one is new. */
  readonly firstTime: (key: string) => boolean;
}

/** A question to answer, as the listeners hand it on. */
export interface AnswerJob {
  readonly surface: 'mention' | 'command' | 'dm';
  readonly teamId: string;
  readonly channelId: string;
  /** The thread to answer in; absent for a slash command, whose question is posted as the parent first. */
  readonly threadTs?: string;
  readonly userId: string;
  readonly isDm: boolean;
  readonly question: string;
  /** A slash command's response_url: where the answer goes when the bot cannot post in the channel. */
  readonly responseUrl?: string;
  /** The event_id / trigger_id the job came from (deduplication). */
  readonly dedupeKey: string;
  readonly receivedAt: number;
}

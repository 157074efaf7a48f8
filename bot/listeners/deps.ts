/** What every listener needs. */
import type { Logger } from '../../common/log.ts';
import type { Scopes } from '../../common/scopes.ts';
import type { AccessPolicy } from '../access.ts';
import type { SeenKeys } from '../dedupe.ts';
import type { AnswerJob } from '../job.ts';
import type { HomeTeam } from '../workspaces.ts';

export interface ListenerDeps {
  readonly access: AccessPolicy;
  readonly logger: Logger;
  /**
   * Runs the slow part (answering). Socket Mode runs it at once; the Lambda receiver puts it on a
   * queue for the worker instead. Returning quickly is what keeps Slack's 3-second ack.
   */
  readonly dispatch: (job: AnswerJob) => Promise<void>;
  /** Event ids and trigger ids already handled (Slack retries events). */
  readonly seen: SeenKeys;
  /**
   * The workspace the bot is installed in, where a request does not name it (slash commands, events without
   * `authorizations`): bot/workspaces.ts. Absent: such requests are refused, as the home workspace is unknown.
   */
  readonly homeTeam?: HomeTeam;
  /** What each channel and person may ask about (AWS_ASK_SCOPES), said in `/aws-ask help`; absent: unset. */
  readonly scopes?: Scopes;
}

/**
 * One pipeline for every surface: a Slack thread and a question in, a threaded answer out.
 *
 * thread → runtime session id (sha256 of team:channel:thread) → AgentClient events → a renderer:
 * streamed (stream-renderer.ts), posted and updated (update-renderer.ts), or, for a slash command
 * where the bot cannot post, sent back through `respond()` (respond-renderer.ts). `tool_start` and
 * `tool_end` are matched by their id. Every answer ends with a footer naming the AWS calls, the time
 * and tokens; every failure ends with a clear message and a reference id that is in the logs.
 *
 * While the agent works, the thread shows the assistant status with rotating loading lines (DMs,
 * mentions and commands alike); a DM thread's first question becomes its title. Each AWS call's task links
 * to what it reads in the AWS console; every answer ends with 👍/👎 buttons carrying its ref and calls.
 * The user pressing Stop on a streamed answer aborts the agent's invocation (its signal cancels the AWS
 * calls) and nothing more is posted.
 *
 * The answer's text is the model's, built from AWS data: it is neutralised as it streams in
 * (`MarkdownNeutralizer`, bot/slack-text.ts), so it can mention no one and hide no link, whichever renderer
 * shows it; so is the message of an agent's `error` event. Task titles, outputs and the footer neutralise
 * their parts where they are built (bot/format.ts).
 */
import type { WebClient } from '@slack/web-api';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../../common/defaults.ts';
import { FAILURES } from '../../common/errors.ts';
import type { Logger } from '../../common/log.ts';
import { sessionIdForThread, type ToolCallSummary } from '../../common/protocol.ts';
import { newRef } from '../../common/ref.ts';
import type { AgentClient } from '../agent-client.ts';
import { feedbackBlock } from '../feedback.ts';
import { footer, LOADING_MESSAGES, taskTitle, WORKING_STATUS } from '../format.ts';
import { MarkdownNeutralizer, neutralizePlain } from '../slack-text.ts';
import { sourcesFor } from '../sources.ts';
import { type AnswerOutcome, type AnswerResult, failed, failureNotice } from './outcome.ts';
import { type Renderer, slackError, type Thread } from './renderer.ts';
import { type RespondFn, RespondRenderer } from './respond-renderer.ts';
import { processBudget, type SlackBudget } from './slack-budget.ts';
import { StreamRenderer } from './stream-renderer.ts';
import { titleNewThread } from './thread-title.ts';
import { untilAborted } from './until-aborted.ts';
import { UpdateRenderer } from './update-renderer.ts';

export interface AnswerDeps {
  readonly client: WebClient;
  readonly agent: AgentClient;
  readonly logger: Logger;
  /** chat.startStream when true (default); post-and-update when false. */
  readonly streaming?: boolean;
  /** Least time between two chat.update calls. Default 2,500 ms. */
  readonly updateIntervalMs?: number;
  /** Least time between two appends of streamed text. Default 800 ms. */
  readonly streamIntervalMs?: number;
  /** Longest answer. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Age at which a streamed message is stopped and the answer goes on in a new one. Default 4.5 minutes. */
  readonly streamRolloverMs?: number;
  /** The workspace budget for repeated Slack calls. Default: the one every answer in the process shares. */
  readonly budget?: SlackBudget;
}

export interface AnswerOptions {
  /** Send the answer through respond() (slash command where the bot cannot post). */
  readonly respond?: RespondFn;
  /** Text put before the answer (with respond). */
  readonly preface?: string;
  /** Which surface asked, for the logs. */
  readonly surface?: string;
  /** When the question arrived (ms epoch), for the first-update figure. */
  readonly receivedAt?: number;
  /**
   * A retried job (its worker died mid-answer): if the thread's agent is still busy with the dead
   * attempt, say nothing and return `retry_later`, so the queue brings it back later.
   */
  readonly retryIfBusy?: boolean;
}

const UPDATE_INTERVAL_MS = 2_500;
const STREAM_INTERVAL_MS = 800;
/** Slack ends a stream after about five minutes; roll over well before. */
const STREAM_ROLLOVER_MS = 270_000;

function rendererFor(
  deps: AnswerDeps,
  thread: Thread,
  options: AnswerOptions,
  logger: Logger,
  on: { firstUpdate: () => void; stoppedByUser: () => void },
): Renderer {
  if (options.respond) return new RespondRenderer(options.respond, options.preface ?? '', logger);
  const updateIntervalMs = deps.updateIntervalMs ?? UPDATE_INTERVAL_MS;
  const budget = deps.budget ?? processBudget;
  const { client } = deps;
  if (deps.streaming === false) {
    const onFirstUpdate = on.firstUpdate;
    return new UpdateRenderer({ client, thread, intervalMs: updateIntervalMs, budget, logger, onFirstUpdate });
  }
  return new StreamRenderer({
    client,
    thread,
    intervalMs: deps.streamIntervalMs ?? STREAM_INTERVAL_MS,
    updateIntervalMs,
    rolloverMs: deps.streamRolloverMs ?? STREAM_ROLLOVER_MS,
    budget,
    logger,
    onFirstUpdate: on.firstUpdate,
    onStoppedByUser: on.stoppedByUser,
  });
}

/** The assistant status with rotating loading lines, in DMs and channels alike; best-effort. */
async function setWorking(deps: AnswerDeps, thread: Thread, log: Logger): Promise<void> {
  await deps.client.assistant.threads
    .setStatus({
      channel_id: thread.channelId,
      thread_ts: thread.threadTs,
      status: WORKING_STATUS,
      loading_messages: [...LOADING_MESSAGES],
    })
    .catch((e: unknown) => log.debug('setStatus failed', { error: slackError(e) }));
}

export async function answerQuestion(
  deps: AnswerDeps,
  thread: Thread,
  question: string,
  options: AnswerOptions = {},
): Promise<AnswerResult> {
  const ref = newRef();
  const started = options.receivedAt ?? Date.now();
  const log = deps.logger.child({
    ref,
    team: thread.teamId,
    channel: thread.channelId,
    user: thread.userId,
    surface: options.surface ?? 'unknown',
  });
  let firstUpdateMs: number | undefined;
  const onFirstUpdate = () => {
    firstUpdateMs ??= Date.now() - started;
  };
  // where the bot cannot post (a command answered through response_url) it cannot set a status either;
  // the title is decided before anything is posted in the thread
  if (!options.respond)
    await Promise.all([setWorking(deps, thread, log), titleNewThread(deps.client, thread, question, log)]);
  const userStop = new AbortController();
  const renderer = rendererFor(deps, thread, options, log, {
    firstUpdate: onFirstUpdate,
    stoppedByUser: () => userStop.abort(),
  });

  const timeout = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
  // the agent's invocation ends at the timeout or when the user stops the answer
  const signal = AbortSignal.any([timeout, userStop.signal]);
  const toolCalls: ToolCallSummary[] = [];
  let text = '';
  const shown = new MarkdownNeutralizer();
  // how the answer ends; undefined until the agent says (done or error)
  let end: { outcome: AnswerOutcome; tail: string } | undefined;
  try {
    const sessionId = sessionIdForThread(thread.teamId, thread.channelId, thread.threadTs);
    // who asked (CloudTrail's source identity): the person and their own workspace
    const asker = { teamId: thread.userTeamId ?? thread.teamId, userId: thread.userId, channelId: thread.channelId };
    const events = untilAborted(deps.agent.invoke(sessionId, { prompt: question, asker }, signal), signal);
    for await (const ev of events) {
      if (ev.type === 'tool_start') {
        await renderer.callStarted(ev.id, taskTitle(ev), sourcesFor(ev));
      } else if (ev.type === 'tool_end') {
        toolCalls.push(ev);
        await renderer.callEnded(ev.id, ev);
      } else if (ev.type === 'text') {
        text += ev.text;
        const safe = shown.push(ev.text);
        if (safe) await renderer.text(safe);
      } else if (ev.type === 'done') {
        end = { outcome: 'ok', tail: footer(ev.toolCalls, Date.now() - started, ev.usage) };
        break;
      } else if (ev.type === 'error') {
        if (ev.code === 'busy' && options.retryIfBusy && !text && !toolCalls.length) {
          log.info('thread still busy with an earlier attempt; will retry', { agentRef: ev.ref });
          return { outcome: 'retry_later', ref, text: '', toolCalls };
        }
        // the agent's message is safe to show and carries its ref; a timeout is ours to explain
        end = timeout.aborted
          ? failed(FAILURES.timeout, ev.ref)
          : { outcome: ev.code, tail: failureNotice(neutralizePlain(ev.message)) };
        log.warn('agent error', { code: ev.code, agentRef: ev.ref });
        break;
      }
    }
    end ??= failed(timeout.aborted ? FAILURES.timeout : FAILURES.noAnswer, ref);
  } catch (e) {
    end = failed(FAILURES.internal, ref);
    log.error('answer failed', { error: e });
  }
  let outcome = end.outcome;
  try {
    // the text held back until it was settled (an open fence, a word not finished)
    const rest = shown.end();
    if (rest) await renderer.text(rest);
    // after the user's Stop the renderer sends nothing more
    await renderer.finish(end.tail, feedbackBlock(ref, toolCalls));
  } catch (e) {
    // whatever happened before, the asker has not seen an ending: the caller may retry
    outcome = 'undelivered';
    log.error('could not deliver the answer to Slack', { error: slackError(e) });
  }
  if (userStop.signal.aborted) outcome = 'cancelled';
  log.info('answer', {
    outcome,
    toolCalls: toolCalls.length,
    answerChars: text.length,
    durationMs: Date.now() - started,
    firstUpdateMs: firstUpdateMs ?? null,
    ...(userStop.signal.aborted ? { stoppedByUser: true } : {}),
  });
  return { outcome, ref, text, toolCalls, ...(firstUpdateMs !== undefined ? { firstUpdateMs } : {}) };
}

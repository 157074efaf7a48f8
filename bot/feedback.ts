/**
 * Feedback on answers: the 👍/👎 buttons every answer ends with, what a button's value carries, and the
 * record a vote makes.
 *
 * The buttons are a `feedback_buttons` element, which Slack takes only inside a `context_actions` block
 * (https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element,
 * https://docs.slack.dev/reference/block-kit/blocks/context-actions-block). Each button's value (at most
 * 2,000 characters) carries the vote, the answer's reference id and a compact list of the AWS calls it
 * rests on (`ec2:DescribeInstances@eu-west-1`), so a vote is recorded with no state kept anywhere and no
 * call to the agent. A click comes back as a `block_actions` payload
 * (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload).
 *
 * The buttons toggle, and the payload does not say whether a click selected or cleared one (as GitLab found
 * building the same: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/244668): every payload is one
 * vote record, so a user's latest record for a ref is their vote.
 */
import type { Logger } from '../common/log.ts';
import type { ToolCallSummary } from '../common/protocol.ts';

export const FEEDBACK_ACTION_ID = 'answer_feedback';
/** A button's `value`: at most 2,000 characters. */
export const MAX_FEEDBACK_VALUE = 2_000;

export type Vote = 'up' | 'down';

/** What a button's value says: the vote, the answer's ref, its calls (`more`: calls left out for room). */
export interface FeedbackValue {
  readonly vote: Vote;
  readonly ref: string;
  readonly calls: readonly string[];
  readonly more: number;
}

interface FeedbackButton {
  readonly text: { readonly type: 'plain_text'; readonly text: string; readonly emoji: true };
  readonly accessibility_label: string;
  readonly value: string;
}

/** The block: a `context_actions` block holding one `feedback_buttons` element. */
export interface FeedbackBlock {
  readonly type: 'context_actions';
  readonly block_id: string;
  readonly elements: readonly [
    {
      readonly type: 'feedback_buttons';
      readonly action_id: string;
      readonly positive_button: FeedbackButton;
      readonly negative_button: FeedbackButton;
    },
  ];
}

/** One call as a vote's record names it: `ec2:DescribeInstances@eu-west-1`. */
export const callTag = (c: Pick<ToolCallSummary, 'service' | 'operation' | 'iamAction' | 'region'>): string =>
  `${c.iamAction ?? `${c.service}:${c.operation}`}@${c.region}`;

/** The value of one button: as many distinct calls as fit, in order, and how many did not. */
export function feedbackValue(vote: Vote, ref: string, toolCalls: readonly ToolCallSummary[]): string {
  const tags = [...new Set(toolCalls.map(callTag))];
  for (let kept = tags.length; kept >= 0; kept--) {
    const value = JSON.stringify({ vote, ref, calls: tags.slice(0, kept), more: tags.length - kept });
    if (value.length <= MAX_FEEDBACK_VALUE) return value;
  }
  return JSON.stringify({ vote, ref: ref.slice(0, 64), calls: [], more: tags.length });
}

const button = (emoji: string, label: string, value: string): FeedbackButton => ({
  text: { type: 'plain_text', text: emoji, emoji: true },
  accessibility_label: label,
  value,
});

/** The 👍/👎 buttons for the answer `ref`, resting on `toolCalls`. */
export function feedbackBlock(ref: string, toolCalls: readonly ToolCallSummary[]): FeedbackBlock {
  return {
    type: 'context_actions',
    // unique per message, as Slack asks of a block_id
    block_id: `feedback-${ref}`,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_ACTION_ID,
        positive_button: button('👍', 'This answer helped', feedbackValue('up', ref, toolCalls)),
        negative_button: button('👎', 'This answer did not help', feedbackValue('down', ref, toolCalls)),
      },
    ],
  };
}

/** A button's value read back; undefined for anything this bot did not write. */
export function readFeedbackValue(value: string | undefined): FeedbackValue | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value ?? '');
  } catch {
    return undefined;
  }
  const o = (v ?? {}) as Record<string, unknown>;
  if (o.vote !== 'up' && o.vote !== 'down') return undefined;
  if (typeof o.ref !== 'string' || !o.ref || o.ref.length > 64) return undefined;
  const calls = Array.isArray(o.calls) ? o.calls.filter((c): c is string => typeof c === 'string') : [];
  const more = typeof o.more === 'number' && Number.isInteger(o.more) && o.more > 0 ? o.more : 0;
  return { vote: o.vote, ref: o.ref, calls, more };
}

/** Who voted where, on which answer. */
export interface VoteRecord extends FeedbackValue {
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
}

/** Counts a vote as a metric (the Lambda receiver: CloudWatch, through EMF); absent in Socket Mode. */
export type CountVote = (vote: Vote) => void;

/** A vote's record: one structured log line, and the metric where the process counts votes. */
export function recordVote(logger: Logger, v: VoteRecord, count?: CountVote): void {
  logger.info('feedback', {
    ref: v.ref,
    team: v.teamId,
    channel: v.channelId,
    user: v.userId,
    vote: v.vote,
    toolCalls: v.calls,
    ...(v.more ? { moreToolCalls: v.more } : {}),
  });
  count?.(v.vote);
}

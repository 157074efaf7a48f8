/**
 * What the bot writes in Slack: the footer naming the AWS calls, task titles for the live timeline,
 * Markdown split to fit Slack's limits without breaking code blocks, the thanks for a vote and a DM
 * thread's title. What a call's summary or a question carries (service, operation, label, region, error
 * code, the question's words) comes from the model, AWS or the asker, so it is neutralised
 * (bot/slack-text.ts) before it is put in the bot's own text.
 */
import type { ToolCallStart, ToolCallSummary, Usage } from '../common/protocol.ts';
import { describeScope, isDirect, type ScopeAsker, type Scopes, scopeFor } from '../common/scopes.ts';
import { mrkdwnText, neutralizePlain } from './slack-text.ts';

/** Slack caps a message's markdown at 12,000 characters; stay clear of it. */
export const MAX_MESSAGE_CHARS = 11_000;

const n = new Intl.NumberFormat('en-US');

/**
 * `1 of 17 regions failed` for a call in several regions where some failed; in several accounts,
 * `1 of 3 accounts failed` and `2 account regions failed`; else undefined.
 */
function regionsFailed(t: ToolCallSummary): string | undefined {
  const failed = Object.keys(t.regionErrors ?? {}).length;
  if (!t.ok) return undefined;
  if (t.accounts) {
    const accounts = Object.keys(t.accountErrors ?? {}).length;
    const parts = [
      accounts ? `${accounts} of ${t.accounts.length} accounts failed` : '',
      failed ? `${failed} account region${failed > 1 ? 's' : ''} failed` : '',
    ].filter(Boolean);
    return parts.join(' · ') || undefined;
  }
  return failed ? `${failed} of ${t.regions?.length ?? failed} regions failed` : undefined;
}

/**
 * `ec2:DescribeInstances · eu-west-1 · 3 pages` (and `· refused` / `· AccessDenied`); a call in several
 * regions: `ec2:DescribeInstances · 17 regions · 1 of 17 regions failed`.
 */
export function callLabel(t: ToolCallSummary): string {
  // a backtick in the action would end its code span early
  const action = neutralizePlain(t.iamAction ?? `${t.service}:${t.operation}`).replace(/`/g, "'");
  const parts = [...(t.account ? [neutralizePlain(t.account)] : []), `\`${action}\``, neutralizePlain(t.region)];
  const failed = regionsFailed(t);
  if (failed) parts.push(failed);
  if (t.pages > 1) parts.push(`${t.pages} pages`);
  if (t.refused) parts.push('refused');
  else if (!t.ok) parts.push(neutralizePlain(t.errorCode ?? 'failed'));
  return parts.join(' · ');
}

/** The footer under every answer: which AWS calls it rests on, how long it took, tokens. */
export function footer(toolCalls: readonly ToolCallSummary[], durationMs: number, usage?: Usage): string {
  const calls = toolCalls.length ? toolCalls.map(callLabel).join(', ') : 'none';
  const tokens = usage ? ` · ${n.format(usage.totalTokens)} tokens` : '';
  return `\n\n---\n_AWS calls: ${calls} · ${(durationMs / 1000).toFixed(1)} s${tokens}_`;
}

/**
 * Task title for a call: `ec2 describe_instances in eu-west-1: List EC2 instances` (`in 17 regions`,
 * `in all regions` for a call in several).
 */
export function taskTitle(t: Pick<ToolCallStart, 'service' | 'operation' | 'region' | 'label' | 'account'>): string {
  const call = [t.service, t.operation].filter(Boolean).join(' ') || 'AWS';
  const where = t.account ? `${t.account} · ${t.region}` : t.region;
  return neutralizePlain(`${call} in ${where}${t.label ? `: ${t.label}` : ''}`).slice(0, 150);
}

/** Task output when a call ends. */
export function taskOutput(t: ToolCallSummary): string {
  if (t.refused) return 'refused: read-only';
  const what = t.ok
    ? `${n.format(t.items)} item${t.items === 1 ? '' : 's'}${t.pages > 1 ? ` in ${t.pages} pages` : ''}`
    : neutralizePlain(t.errorCode ?? 'failed');
  const failed = regionsFailed(t);
  return `${what}${failed ? ` · ${failed}` : ''} · ${t.ms} ms`;
}

/**
 * The first part of `text` that fits in `max` characters, and the rest: cut at a paragraph break, else a
 * line break, else hard; a code block cut in two is closed in the part and reopened in the rest.
 */
export function splitOnce(text: string, max: number): [string, string] {
  if (text.length <= max) return [text, ''];
  const window = text.slice(0, max - 8);
  let cut = window.lastIndexOf('\n\n');
  if (cut < max / 2) cut = window.lastIndexOf('\n');
  if (cut < max / 2) cut = window.length;
  let head = text.slice(0, cut);
  let rest = text.slice(cut).replace(/^\n+/, '');
  const fences = (head.match(/^```/gm) ?? []).length;
  if (fences % 2 === 1) {
    head += '\n```';
    rest = `\`\`\`\n${rest}`;
  }
  return [head, rest];
}

/** Splits Markdown into parts of at most `max` characters (see `splitOnce`). */
export function splitMarkdown(text: string, max = MAX_MESSAGE_CHARS): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const [head, tail] = splitOnce(rest, max);
    parts.push(head);
    rest = tail;
  }
  if (rest.length || parts.length === 0) parts.push(rest);
  return parts;
}

/** The reply to a question longer than the agent takes. */
export const tooLongText = (length: number, max: number) =>
  `That question is ${n.format(length)} characters; I can take up to ${n.format(max)}. ` +
  'Please ask a shorter one (the details I need, not the whole log).';

/** Put before an answer sent privately because the bot cannot post in the channel. */
export const INVITE_HINT =
  "I can't post in this channel, so here is your answer privately. " +
  'To get answers in the channel, invite me with `/invite @aws-ask`, or ask me in a DM.\n\n';

export const HELP_TEXT = [
  '*aws-ask* answers questions about our AWS account from live, read-only API calls.',
  '',
  '*Ask* with `/aws-ask <question>`, by mentioning me in a channel, or in a DM. ' +
    'Follow-up questions in the same thread keep the conversation.',
  '',
  '*Examples*',
  '• `/aws-ask which EC2 instances are running in eu-west-1?`',
  '• `/aws-ask how much did we spend on EC2 last month?`',
  '• `/aws-ask which Lambda functions still run nodejs18.x?`',
  '• `/aws-ask which security groups allow 0.0.0.0/0 on port 22?`',
  '',
  'I can only read: I never change anything, and I never read secrets, parameters or data contents. ' +
    'Every answer lists the AWS calls it rests on.',
].join('\n');

/**
 * What the asker may ask about where they are (AWS_ASK_SCOPES): `In <#C0OPS> you may ask about prod and staging.`
 * The accounts are the operator's names, shown as plain text.
 */
export function scopeLine(scopes: Scopes, asker: ScopeAsker): string {
  const where = isDirect(asker.channelId) ? 'In direct messages with me' : `In <#${asker.channelId}>`;
  return `${where} you may ask about *${mrkdwnText(describeScope(scopeFor(scopes, asker)))}*.`;
}

/** `/aws-ask help`, with what the asker may ask about where they ran it when scopes are configured. */
export function helpText(scopes: Scopes | undefined, asker: ScopeAsker): string {
  return scopes?.configured ? [HELP_TEXT, '', scopeLine(scopes, asker)].join('\n') : HELP_TEXT;
}

export const SUGGESTED_PROMPTS = [
  { title: 'What is running?', message: 'Which EC2 instances are running, in which regions, and of what types?' },
  { title: "Last month's spend", message: 'How much did we spend on AWS last month, by service?' },
  { title: 'Old Lambda runtimes', message: 'Which Lambda functions use a deprecated runtime?' },
  { title: 'Open security groups', message: 'Which security groups allow inbound traffic from 0.0.0.0/0?' },
] as const;

/** The assistant status while an answer is worked on, and the lines Slack rotates under it (at most 10). */
export const WORKING_STATUS = 'is looking into it…';
export const LOADING_MESSAGES = [
  'Reading the AWS account…',
  'Calling the AWS APIs (read-only)…',
  'Checking the numbers…',
  'Putting the answer together…',
] as const;

/** The private thanks for a vote on an answer: what was recorded. */
export const feedbackThanks = (vote: 'up' | 'down', ref: string): string =>
  vote === 'up'
    ? `Thanks: I recorded your :+1: on this answer (ref \`${ref}\`).`
    : `Thanks: I recorded your :-1: on this answer (ref \`${ref}\`), with the AWS calls it rested on. ` +
      'For a better answer, ask again in this thread with more detail.';

/**
 * assistant.threads.setTitle documents no length limit
 * (https://docs.slack.dev/reference/methods/assistant.threads.setTitle); titles are kept to one short line.
 */
export const MAX_TITLE_CHARS = 80;

/** A DM thread's title from its first question: one line, at most `MAX_TITLE_CHARS`, cut at a word. */
export function threadTitle(question: string): string {
  const line = neutralizePlain(question.replace(/\s+/g, ' ').trim());
  if (line.length <= MAX_TITLE_CHARS) return line;
  const cut = line.slice(0, MAX_TITLE_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

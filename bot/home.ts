/**
 * The App Home's Home tab: what aws-ask does, how to ask, who may ask here, where it looks, what the viewer may
 * ask about where (AWS_ASK_SCOPES, when set and the viewer may ask), example questions and, when one is configured,
 * a link to the docs. Built from the bot's settings (the allowlists of `BotSettings.allow`, the regions where the
 * bot knows them, the scopes) and the viewer's own access;
 * every list is cut to fit Block Kit's limits (home-view.ts), so the view is valid whatever the settings.
 */
import { describeScope, type Scopes, scopeFor } from '../common/scopes.ts';
import type { AccessDecision } from './access.ts';
import type { Allowlists } from './config.ts';
import { SUGGESTED_PROMPTS } from './format.ts';
import { type HomeBlock, type HomeTabView, MAX_SECTION_CHARS } from './home-view.ts';
import { mrkdwnText } from './slack-text.ts';

export interface HomeOptions {
  /** Who may ask (`BotSettings.allow`); all empty: everyone in this workspace. */
  readonly allow: Allowlists;
  /** The regions the agent looks in (AWS_ASK_REGIONS where the bot knows it); empty: the deployment's default. */
  readonly regions: readonly string[];
  /** A web page about aws-ask (http or https); no link when absent or not a web address. */
  readonly docsUrl?: string;
  /** What each channel and person may ask about (AWS_ASK_SCOPES); absent or not configured: not shown. */
  readonly scopes?: Scopes;
}

/** What the view says to the person who opened it. */
export interface HomeViewer {
  /** The access policy's decision for this person in a DM with the bot (no channel applies there). */
  readonly access?: AccessDecision;
  /** The bot's user id, so the view names the bot as Slack shows it (`<@U…>`). */
  readonly botUserId?: string;
  /** Who opened the tab: their own scope is shown (AWS_ASK_SCOPES). */
  readonly userId?: string;
}

/** Characters a list of ids may take in one line; three lists stay far below a section's 3,000. */
const LIST_BUDGET = 800;
/** A link Slack's mrkdwn can carry: http(s), no spaces, no `|` or `>` (they end the `<url|text>` form). */
const WEB_URL = /^https?:\/\/[^\s|<>]+$/;

/** `a, b and c`, or as many as fit in `budget` characters and `and N more`. */
export function listWithin(items: readonly string[], budget = LIST_BUDGET): string {
  const natural = (shown: readonly string[]) =>
    shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
  const all = natural(items);
  if (all.length <= budget) return all;
  // the most items whose `a, b and N more` fits
  let best = 0;
  let joined = 0; // length of the first k items joined with ', '
  for (let k = 1; k < items.length; k++) {
    joined += (k > 1 ? 2 : 0) + (items[k - 1] as string).length;
    if (joined + ` and ${items.length - k} more`.length > budget) break;
    best = k;
  }
  const hidden = items.length - best;
  return best ? `${items.slice(0, best).join(', ')} and ${hidden} more` : `${hidden} more`;
}

const section = (text: string): HomeBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string): HomeBlock => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } });

/** Who may ask, from the allowlists: people of this workspace, and of the other workspaces allowed. */
export function accessText(allow: Allowlists): string {
  const { teams, channels, users } = allow;
  const workspaces = teams.length
    ? `*Workspaces:* this one and ${listWithin(teams.map((t) => `\`${t}\``))}`
    : '*Workspaces:* only this one: people of other organisations in shared channels may not ask';
  if (!teams.length && !channels.length && !users.length) {
    return (
      '*Everyone* in this workspace may ask, in any channel I have been added to and in a direct message. ' +
      'People of other organisations, in channels shared with them, may not.'
    );
  }
  const lines = [
    users.length ? `*People:* only ${listWithin(users.map((u) => `<@${u}>`))}` : '*People:* everyone in the workspace',
    channels.length
      ? `*Channels:* only ${listWithin(channels.map((c) => `<#${c}>`))}, and direct messages with me`
      : '*Channels:* any channel I have been added to, and direct messages with me',
    workspaces,
  ];
  return lines.join('\n');
}

/** Where the agent looks. */
export function regionsText(regions: readonly string[]): string {
  if (!regions.length) {
    return 'I look in *the default region of the deployment*, unless your question names another region.';
  }
  const list = listWithin(regions.map((r) => `\`${r}\``));
  const one = regions.length === 1;
  return (
    `I look only in ${one ? 'this region' : 'these regions'}: ${list}. ` +
    `Questions about the whole account cover ${one ? 'it' : 'each of them'}.`
  );
}

/** Characters one scope may take in the Home tab (many accounts): the rest is cut. */
const SCOPE_CHARS = 600;

/**
 * What `userId` may ask about, where: in DMs, in each channel with a scope of its own, elsewhere. Lines that do
 * not fit a section are counted instead.
 */
export function scopesText(scopes: Scopes, userId: string | undefined): string {
  const said = (channelId: string | undefined) => {
    const text = describeScope(
      scopeFor(scopes, { ...(channelId ? { channelId } : {}), ...(userId ? { userId } : {}) }),
    );
    return `*${mrkdwnText(text.length > SCOPE_CHARS ? `${text.slice(0, SCOPE_CHARS - 1)}…` : text)}*`;
  };
  const lines = [`• In direct messages with me: ${said(undefined)}`];
  const channels = [...scopes.channels.keys()];
  // a channel id no scope names (ids have 3 characters at least): the default, as in any other channel
  const last = `• In other channels: ${said('C')}`;
  const budget = MAX_SECTION_CHARS - last.length - 200;
  let used = lines[0]?.length ?? 0;
  let shown = 0;
  for (const c of channels) {
    const line = `• In <#${c}>: ${said(c)}`;
    if (used + line.length + 1 > budget) break;
    lines.push(line);
    used += line.length + 1;
    shown++;
  }
  if (shown < channels.length) {
    lines.push(`• ${channels.length - shown} more channels have their own: \`/aws-ask help\` there says what`);
  }
  lines.push(last);
  return lines.join('\n');
}

function youText(access: AccessDecision): string {
  return access.allowed ? ':white_check_mark: You may ask me.' : `:no_entry: ${access.message}`;
}

/** The Home tab for one person. */
export function homeView(o: HomeOptions, viewer: HomeViewer = {}): HomeTabView {
  const me = viewer.botUserId ? `<@${viewer.botUserId}>` : '@aws-ask';
  const blocks: HomeBlock[] = [
    header('aws-ask: questions about our AWS account'),
    section(
      'I answer questions about our AWS account from live, read-only AWS API calls. ' +
        'I never change anything, and I never read secrets, parameters or data contents. ' +
        'Every answer lists the AWS calls it rests on.',
    ),
    header('How to ask'),
    section(
      [
        '• `/aws-ask <question>` in a channel: your question and my answer go in a thread',
        `• Mention ${me} in a channel: I answer in the thread`,
        '• Send me a direct message in my *Messages* tab',
        'To follow up, reply in the thread: there is no need to mention me again.',
      ].join('\n'),
    ),
    { type: 'divider' },
    header('Who may ask'),
    section(accessText(o.allow)),
    ...(viewer.access
      ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: youText(viewer.access) }] } as const]
      : []),
    header('Where I look'),
    section(regionsText(o.regions)),
    ...(o.scopes?.configured && viewer.access?.allowed
      ? [header('What you may ask about'), section(scopesText(o.scopes, viewer.userId))]
      : []),
    header('Try asking'),
    section(SUGGESTED_PROMPTS.map((p) => `• *${p.title}:* ${p.message}`).join('\n')),
  ];
  if (o.docsUrl && WEB_URL.test(o.docsUrl)) {
    blocks.push(
      { type: 'divider' },
      section(`<${o.docsUrl}|Read the docs>: how aws-ask works, what it may read, and how it is set up.`),
    );
  }
  return { type: 'home', blocks };
}

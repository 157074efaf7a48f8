/**
 * Whether the bot has posted in a channel thread, so that a plain reply there is a follow-up question.
 * Slack is the record, so the answer is the same in Socket Mode and in the receiver Lambda, cold starts
 * included; memory only saves calls:
 *
 * 1. the reply's `parent_user_id` is the bot: it posted the parent (a slash command's question);
 * 2. what this process learned: threads the bot is in (kept long: that never stops being true) and,
 *    for a short while, threads it is not in (a mention may bring it in; `forget` drops that at once);
 * 3. else `conversations.replies` on the thread, a page of `pageSize` at a time, until a message by
 *    the bot, for at most `maxPages` pages.
 *
 * conversations.replies needs `channels:history` (public channels) and `groups:history` (private ones)
 * with the bot token (https://docs.slack.dev/reference/scopes/channels.history). Its page returns the
 * parent first, then the replies oldest first; `ts` must be an existing message
 * (https://docs.slack.dev/reference/methods/conversations.replies). It is Tier 3 for internal apps, but
 * for apps distributed outside the Marketplace it is one call a minute with `limit` at most 15 (same
 * page): hence the small pages and the memory. A lookup has `timeoutMs`, as the receiver Lambda answers
 * Slack only once its listeners are done, and Slack waits 3 seconds (https://docs.slack.dev/apis/events-api/).
 */
import type { WebClient } from '@slack/web-api';

export interface ThreadRef {
  readonly channel: string;
  readonly threadTs: string;
}

/** The bot as it appears on messages: its user id (`user`) and, when known, its bot id (`bot_id`). */
export interface BotIdentity {
  readonly userId: string;
  readonly botId?: string;
}

export interface BotThreadsOptions {
  /** Messages a conversations.replies page asks for (default 15, the lowest limit Slack gives any app). */
  readonly pageSize?: number;
  /** Pages read at most before deciding the bot is not in the thread (default 4). */
  readonly maxPages?: number;
  /** How long a thread the bot is in is remembered (default a day). */
  readonly knownTtlMs?: number;
  /** How long a thread the bot is not in is remembered (default 30 s). */
  readonly absentTtlMs?: number;
  /** Threads remembered at most (default 5,000; the oldest go first). */
  readonly max?: number;
  /** Longest a lookup may take before it fails (default 2 s). */
  readonly timeoutMs?: number;
}

export interface BotThreads {
  /**
   * True when the bot has posted in the thread. Throws when Slack could not say (an error, a missing
   * scope, the time limit): nothing is remembered then.
   */
  isBotThread(client: WebClient, thread: ThreadRef, bot: BotIdentity, parentUserId?: string): Promise<boolean>;
  /** Forget what is known of the thread (a mention may bring the bot into it). */
  forget(thread: ThreadRef): void;
}

interface RepliesPage {
  readonly messages?: readonly { readonly user?: string; readonly bot_id?: string }[];
  readonly response_metadata?: { readonly next_cursor?: string };
}

const keyOf = (t: ThreadRef) => `${t.channel}:${t.threadTs}`;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`conversations.replies took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Reads the thread until a message by the bot; false when there is none in the pages read. */
async function botPosted(
  client: WebClient,
  thread: ThreadRef,
  bot: BotIdentity,
  pageSize: number,
  maxPages: number,
): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    let res: RepliesPage;
    try {
      res = (await client.conversations.replies({
        channel: thread.channel,
        ts: thread.threadTs,
        limit: pageSize,
        ...(cursor ? { cursor } : {}),
      })) as RepliesPage;
    } catch (e) {
      // the parent is gone: no thread to be in
      if ((e as { data?: { error?: string } }).data?.error === 'thread_not_found') return false;
      throw e;
    }
    const byBot = (res.messages ?? []).some((m) => m.user === bot.userId || (!!bot.botId && m.bot_id === bot.botId));
    if (byBot) return true;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return false;
  }
  return false;
}

export function botThreads(o: BotThreadsOptions = {}): BotThreads {
  const pageSize = o.pageSize ?? 15;
  const maxPages = o.maxPages ?? 4;
  const knownTtlMs = o.knownTtlMs ?? 24 * 60 * 60_000;
  const absentTtlMs = o.absentTtlMs ?? 30_000;
  const max = o.max ?? 5_000;
  const timeoutMs = o.timeoutMs ?? 2_000;
  const known = new Map<string, { readonly bot: boolean; readonly at: number }>();
  /** Lookups under way; one dropped by `forget` no longer writes what it finds. */
  const asking = new Map<string, { readonly answer: Promise<boolean>; dropped: boolean }>();

  const set = (key: string, bot: boolean) => {
    known.delete(key);
    known.set(key, { bot, at: Date.now() });
    while (known.size > max) known.delete(known.keys().next().value as string);
  };
  /** A lookup under way no longer decides: what it finds may be older than the mention just seen. */
  const drop = (key: string) => {
    const under = asking.get(key);
    if (under) under.dropped = true;
    asking.delete(key);
  };
  const recall = (key: string): boolean | undefined => {
    const k = known.get(key);
    if (!k) return undefined;
    if (Date.now() - k.at < (k.bot ? knownTtlMs : absentTtlMs)) return k.bot;
    known.delete(key);
    return undefined;
  };

  return {
    async isBotThread(client, thread, bot, parentUserId) {
      const key = keyOf(thread);
      if (parentUserId && parentUserId === bot.userId) {
        set(key, true);
        return true;
      }
      const remembered = recall(key);
      if (remembered !== undefined) return remembered;
      const under = asking.get(key);
      if (under) return under.answer;
      const lookup: { answer: Promise<boolean>; dropped: boolean } = { answer: Promise.resolve(false), dropped: false };
      lookup.answer = withTimeout(botPosted(client, thread, bot, pageSize, maxPages), timeoutMs)
        .then((posted) => {
          if (!lookup.dropped) set(key, posted);
          return posted;
        })
        .finally(() => {
          if (asking.get(key) === lookup) asking.delete(key);
        });
      asking.set(key, lookup);
      return lookup.answer;
    },
    forget: (thread) => {
      drop(keyOf(thread));
      known.delete(keyOf(thread));
    },
  };
}

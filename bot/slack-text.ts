/**
 * Text between Slack and the bot: what people type, made plain for the agent; plain text made safe to post
 * back; and text the bot did not write itself (the model's answer, AWS data, call labels) made unable to
 * mention anyone or hide a link, on every surface it is shown.
 *
 * Slack escapes exactly three characters in the text of messages and commands, `&` `<` `>`, as `&amp;`
 * `&lt;` `&gt;`, and reads them as control characters in the text an app posts
 * (https://api.slack.com/reference/surfaces/formatting#escaping). Nothing else is touched, so a question
 * that really contains `&lt;` (typed as `&amp;lt;`) keeps it.
 *
 * Control sequences (https://api.slack.com/reference/surfaces/formatting): `<!channel>`, `<!here>`,
 * `<!everyone>` notify a whole channel or workspace, `<!subteam^ID>` a user group, `<@U…>` a person,
 * `<#C…>` names a channel, `<!date^…>` formats a date, `<https://…|text>` is a link whose address the reader
 * does not see. Rendered Markdown (`markdown_text`, `markdown` blocks) turns `<@U…>` into a real mention as
 * well (vercel/chat#754: only the `<@U…>` form mentions in streamed `markdown_text`; a bare `@name` stays
 * text) and `[text](url)` into a link. Apps' messages link bare `@channel`, `@here` and user-group handles
 * only when asked to (chat.postMessage `link_names`, which this bot never sets:
 * https://docs.slack.dev/reference/methods/chat.postMessage); no page says whether `markdown_text` does, so
 * they are broken too, invisibly.
 *
 * What neutralising does, outside code (see `neutralizeMarkdown` for what counts as code):
 * - `<` (or `&lt;`, `&#60;`, `&#x3c;`) opening a control sequence, an autolink, a tag or a processing
 *   instruction (`<` followed by `!`, `@`, `#`, `/`, `?` or a letter, also with invisible characters such as
 *   U+200B between) becomes `‹`: the sequence reads as typed and nothing parses it, in Markdown, mrkdwn and
 *   plain text alike. `a < b` is left alone, and so is a fullwidth `＜`, which neither Slack nor Markdown reads
 *   as `<`.
 * - `](` becomes `] (`, so a Markdown link shows its address instead of hiding it; and every `]:` becomes
 *   `] :` (in code spans too: a link definition is read before code spans are), so no link definition
 *   exists, in a quote or list item or anywhere, and no reference link `[text][ref]`, `[text][]` or `[ref]`
 *   can resolve.
 * - `@channel`, `@here`, `@everyone` get a word joiner (U+2060) after the `@`.
 * The bot's own text (footers, notices, the asker's mention, console links) is never passed through it.
 */
const DECODE: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const ENCODE: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Decodes Slack's three escapes, in one pass. */
export const unescapeSlack = (text: string): string => text.replace(/&(?:amp|lt|gt);/g, (e) => DECODE[e] ?? e);

/** Escapes the three characters, for plain text put in a message's `text`. */
export const escapeSlack = (text: string): string => text.replace(/[&<>]/g, (c) => ENCODE[c] ?? c);

// ---------------------------------------------------------------------------------------------- neutralising

/** What replaces a `<` that would open a control sequence. */
export const SAFE_OPEN = '\u2039';
/** Put after the `@` of a bare broadcast mention. */
export const WORD_JOINER = '\u2060';

/** A `<` (or its entity) before what opens a control sequence, autolink, tag or processing instruction. */
const OPENER = /(?:<|&(?:[lL][tT]|#0*60|#[xX]0*3[cC]);)(?=\p{Default_Ignorable_Code_Point}*[!@#/?A-Za-z])/gu;
/** The `]` of an inline link `](` or of a link definition `]:` (which needs no space before its address). */
const LINK = /\](?=[(:])/g;
const DEFINITION = /\]:/g;
const BROADCAST = /(^|[^\w@])@(channel|here|everyone)(?![\w-])/gi;

/** Neutralises one piece of text that is not code. */
const neutralizeText = (text: string): string =>
  text.replace(OPENER, SAFE_OPEN).replace(LINK, '] ').replace(BROADCAST, `$1@${WORD_JOINER}$2`);

/**
 * Text from the model or AWS for a surface that shows it as it is or as mrkdwn (task titles and outputs, a
 * thread's title, footer labels): neutralised everywhere, code included.
 */
export const neutralizePlain = (text: string): string => text.split('\n').map(neutralizeText).join('\n');

/** Such text for a message's mrkdwn `text` (previews, plain fallbacks): neutralised, then escaped. */
export const mrkdwnText = (text: string): string => escapeSlack(neutralizePlain(text));

/**
 * Where code is trusted: `fences` until the first fence line that is not a plain ``` opener or closer (of a
 * fence whose lines all stay in its list item, if it is in one); `clean` while the paragraph's backticks have
 * all paired up within their own lines, none escaped. `midLine`: scanning resumes in a line already partly
 * done (after a space), whose start held a fence if `lineFenced`.
 */
interface ScanState {
  readonly fences: boolean;
  readonly clean: boolean;
  readonly midLine: boolean;
  readonly lineFenced: boolean;
}
const START: ScanState = { fences: true, clean: true, midLine: false, lineFenced: false };

/** A fence every Markdown reads alike: up to three spaces, exactly three backticks, an info string. */
const SIMPLE_OPEN = /^ {0,3}```[^`]*$/;
const SIMPLE_CLOSE = /^ {0,3}```[ \t]*$/;
/** Whether a line (or its rest, when `atStart` is false) holds what some Markdown or mrkdwn reads as a fence. */
const fenceLike = (text: string, atStart = true): boolean =>
  text.includes('```') || (atStart && /^[ \t]*~~~/.test(text));
const BLANK = /^[ \t]*$/;
/** A partial line that may still become a fence (or is blank so far): held until whole. */
const UNDECIDED_START = /^ {0,3}`/;

/** Whether the character at `at` follows an odd number of backslashes (so CommonMark reads it as escaped). */
function escaped(line: string, at: number): boolean {
  let n = 0;
  while (at - n > 0 && line[at - n - 1] === '\\') n++;
  return n % 2 === 1;
}

/**
 * Single-backtick code spans on a text line, and whether one is still open at its end. Trust ends (`clean`
 * false) at a double backtick; at an escaped backtick, which CommonMark reads as text outside a span and as a
 * closer inside one, and other readers may read as a backtick; and at a span with a `|` in it, which a table
 * row splits into two cells.
 */
function codeSpans(line: string, clean: boolean): { spans: [number, number][]; open: number; clean: boolean } {
  const spans: [number, number][] = [];
  let open = -1;
  for (const m of line.matchAll(/`+/g)) {
    if (!clean) break;
    const s = m.index;
    const e = s + m[0].length;
    if (e - s >= 2 || escaped(line, s) || (open >= 0 && line.slice(open, s).includes('|'))) {
      clean = false;
      open = -1;
      break;
    }
    if (open < 0) open = s;
    else {
      spans.push([open, e]);
      open = -1;
    }
  }
  return { spans, open, clean };
}

/** A text line (not in a fence) neutralised outside its code spans; `whole`: the line is complete. */
function textLine(line: string, state: ScanState, whole: boolean): { out: string; state: ScanState } {
  const start = !state.midLine;
  if (start && BLANK.test(line)) return { out: line, state: whole ? { ...state, clean: true } : state };
  const { spans, open, clean } = codeSpans(line, state.clean);
  let out = '';
  let i = 0;
  for (const [s, e] of spans) {
    // a `]:` in a span still makes a link definition: definitions are read before code spans
    out += neutralizeText(line.slice(i, s)) + line.slice(s, e).replace(DEFINITION, '] :');
    i = e;
  }
  out += neutralizeText(line.slice(i));
  // a span left open may close on a later line, or in another block: nothing after it is trusted
  return { out, state: { ...state, clean: clean && !(whole && open >= 0) } };
}

interface Scanned {
  /** The neutralised text of `raw` up to `settled`. */
  readonly out: string;
  readonly settled: number;
  /** A line start at or before `settled` where scanning can resume with `state`; `out` chars come before it. */
  readonly resume: { readonly at: number; readonly out: number; readonly state: ScanState };
}

/**
 * Where the next line holding a fence, or indented less than `indent` (and not blank), starts and ends, if
 * `raw` says yet; `undefined`: not yet known.
 */
function nextFenceLine(
  raw: string,
  from: number,
  final: boolean,
  indent: string,
): { line: string; next: number } | null | undefined {
  let p = from;
  while (p < raw.length) {
    const nl = raw.indexOf('\n', p);
    if (nl < 0 && !final) return undefined;
    const end = nl < 0 ? raw.length : nl;
    const line = raw.slice(p, end);
    if (fenceLike(line) || !(line.startsWith(indent) || BLANK.test(line))) return { line, next: nl < 0 ? end : nl + 1 };
    p = end + 1;
  }
  return final ? null : undefined;
}

/**
 * Neutralises `raw` from a line start in `state`. Final: all of it; else as far as more text cannot change
 * the result (a fence waits for its closing line, a code span for its closing backtick, a line that may
 * become a fence for its end, a word for the space after it).
 */
function scan(raw: string, final: boolean, state: ScanState): Scanned {
  let out = '';
  let pos = 0;
  let resume = { at: 0, out: 0, state };
  while (pos < raw.length) {
    const nl = raw.indexOf('\n', pos);
    const whole = nl >= 0 || final;
    const end = nl < 0 ? raw.length : nl;
    const line = raw.slice(pos, end);
    const next = nl < 0 ? end : nl + 1;
    if (!whole) {
      // the line being written: as far as it is decided, up to a space
      if (!state.midLine && (UNDECIDED_START.test(line) || BLANK.test(line))) break;
      const { spans, open } = codeSpans(line, state.clean);
      let cut = Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t')) + 1;
      if (open >= 0) cut = Math.min(cut, open);
      for (const [s, e] of spans) if (s < cut && cut < e) cut = s;
      if (cut === 0) break;
      const head = line.slice(0, cut);
      const t = textLine(head, state, false);
      out += t.out;
      // a long line need not be scanned again from its start
      const lineFenced = state.lineFenced || fenceLike(head, !state.midLine);
      resume = { at: pos + cut, out: out.length, state: { ...t.state, midLine: true, lineFenced } };
      return { out, settled: pos + cut, resume };
    }
    if (!state.midLine && state.fences && SIMPLE_OPEN.test(line)) {
      // Indented, the fence may be in a list item (never in a quote: the line has no `>`, and a fence is never a
      // lazy line). Its lines are in the item, and so code, while indented as far as its opener; the first line
      // that is not ends the item, and the fence with it, and may be text.
      const indent = line.slice(0, line.indexOf('`'));
      const closer = nextFenceLine(raw, next, final, indent);
      if (closer === undefined) return { out, settled: pos, resume };
      if (closer && SIMPLE_CLOSE.test(closer.line) && closer.line.startsWith(indent)) {
        // code every Markdown agrees on: kept as written
        out += raw.slice(pos, closer.next);
        pos = closer.next;
        state = { ...state, clean: true };
        resume = { at: pos, out: out.length, state };
        continue;
      }
    }
    if (state.lineFenced || fenceLike(line, !state.midLine)) state = { ...state, fences: false };
    const t = textLine(line, state, true);
    out += t.out + (nl >= 0 ? '\n' : '');
    state = { ...t.state, midLine: false, lineFenced: false };
    pos = next;
    resume = { at: pos, out: out.length, state };
  }
  return { out, settled: pos, resume };
}

/**
 * Markdown from the model or AWS (an answer), neutralised outside code. Code is kept as written only where
 * every reader of the text agrees it is code: a fence of exactly three backticks at the start of a line (after
 * up to three spaces) up to the next line with a fence in it, itself a plain closing fence, every line of it
 * indented at least as far as the opener (or blank), so that in a list item it stays in the item; a span of
 * single backticks opened and closed on one line, no `|` in it, in a paragraph whose backticks all pair up on
 * their own lines and none of which is escaped (`\``). Anything else (nested or tilde fences, a fence in a
 * quote or leaving its list item, an unclosed fence or span, double or escaped backticks) is neutralised like
 * text: at worst code shows a `‹` for a `<`, never the other way round. Every `]:` outside fences is broken,
 * code spans included, so no link definition exists for a reference link to use.
 */
export const neutralizeMarkdown = (text: string): string => scan(text, true, START).out;

/**
 * `neutralizeMarkdown` for an answer that arrives in pieces: each `push` returns the neutralised text that is
 * settled so far, `end` the rest; together they are exactly `neutralizeMarkdown` of the whole.
 */
export class MarkdownNeutralizer {
  private raw = '';
  private state = START;
  /** Characters of the neutralised `raw` already returned. */
  private sent = 0;

  push(delta: string): string {
    this.raw += delta;
    return this.take(false);
  }

  end(): string {
    return this.take(true);
  }

  private take(final: boolean): string {
    const s = scan(this.raw, final, this.state);
    const fresh = s.out.slice(this.sent);
    this.raw = this.raw.slice(s.resume.at);
    this.sent = s.out.length - s.resume.out;
    this.state = s.resume.state;
    return fresh;
  }
}

/**
 * Message text as Slack sends it, made plain for the agent, and plain text made safe to post back.
 * Slack escapes exactly three characters in the text of messages and commands, `&` `<` `>`, as `&amp;`
 * `&lt;` `&gt;`, and reads them as control characters in the text an app posts
 * (https://api.slack.com/reference/surfaces/formatting#escaping). Nothing else is touched, so a
 * question that really contains `&lt;` (typed as `&amp;lt;`) keeps it.
 */
const DECODE: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const ENCODE: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Decodes Slack's three escapes, in one pass. */
export const unescapeSlack = (text: string): string => text.replace(/&(?:amp|lt|gt);/g, (e) => DECODE[e] ?? e);

/** Escapes the three characters, for plain text put in a message's `text`. */
export const escapeSlack = (text: string): string => text.replace(/[&<>]/g, (c) => ENCODE[c] ?? c);

/**
 * Block Kit for the Home tab: the few block types it is built from, and the documented limits a view
 * must keep, checked before it is published (Slack refuses the whole view for one field too long).
 *
 * - a Home tab view has at most 100 blocks, `private_metadata` at most 3,000 characters, `callback_id`
 *   at most 255 (https://docs.slack.dev/reference/views/home-tab-views,
 *   https://docs.slack.dev/reference/block-kit/blocks)
 * - a header's plain text is at most 150 characters (https://docs.slack.dev/reference/block-kit/blocks/header-block)
 * - a section's text is 1 to 3,000 characters; at most 10 fields of at most 2,000
 *   (https://docs.slack.dev/reference/block-kit/blocks/section-block)
 * - a context block has 1 to 10 elements (https://docs.slack.dev/reference/block-kit/blocks/context-block), each
 *   text object 1 to 3,000 characters (https://docs.slack.dev/reference/block-kit/composition-objects/text-object)
 * - a `block_id` is at most 255 characters (every block page above)
 */

export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}
export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}
export type TextObject = PlainText | Mrkdwn;

export type HomeBlock =
  | { readonly type: 'header'; readonly text: PlainText; readonly block_id?: string }
  | { readonly type: 'section'; readonly text: TextObject; readonly block_id?: string }
  | { readonly type: 'context'; readonly elements: readonly TextObject[]; readonly block_id?: string }
  | { readonly type: 'divider'; readonly block_id?: string };

/** What views.publish takes for a Home tab (https://docs.slack.dev/reference/methods/views.publish). */
export interface HomeTabView {
  readonly type: 'home';
  readonly blocks: HomeBlock[];
  readonly private_metadata?: string;
  readonly callback_id?: string;
}

export const MAX_VIEW_BLOCKS = 100;
export const MAX_HEADER_CHARS = 150;
export const MAX_SECTION_CHARS = 3_000;
export const MAX_TEXT_CHARS = 3_000;
export const MAX_CONTEXT_ELEMENTS = 10;
const MAX_BLOCK_ID_CHARS = 255;
const MAX_METADATA_CHARS = 3_000;
const MAX_CALLBACK_ID_CHARS = 255;

const textProblem = (where: string, t: TextObject | undefined, max: number): string | undefined => {
  if (!t || (t.type !== 'plain_text' && t.type !== 'mrkdwn') || typeof t.text !== 'string') {
    return `${where}: no text object`;
  }
  if (t.text.length < 1 || t.text.length > max) return `${where}: text of ${t.text.length} characters (1 to ${max})`;
  return undefined;
};

function blockProblems(b: HomeBlock, i: number): string[] {
  const where = `block ${i} (${b.type})`;
  const out: (string | undefined)[] = [];
  if (b.block_id !== undefined && b.block_id.length > MAX_BLOCK_ID_CHARS) out.push(`${where}: block_id too long`);
  switch (b.type) {
    case 'header':
      out.push(
        b.text?.type === 'plain_text' ? textProblem(where, b.text, MAX_HEADER_CHARS) : `${where}: not plain text`,
      );
      break;
    case 'section':
      out.push(textProblem(where, b.text, MAX_SECTION_CHARS));
      break;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > MAX_CONTEXT_ELEMENTS) {
        out.push(`${where}: 1 to ${MAX_CONTEXT_ELEMENTS} elements`);
      } else {
        b.elements.forEach((e, j) => {
          out.push(textProblem(`${where} element ${j}`, e, MAX_TEXT_CHARS));
        });
      }
      break;
    case 'divider':
      break;
    default:
      out.push(`block ${i}: type ${(b as { type?: unknown }).type} is not one the Home tab is built from`);
  }
  return out.filter((p): p is string => p !== undefined);
}

/** Every way the view breaks a documented limit, one line each; empty when Slack can take it. */
export function viewProblems(view: HomeTabView): string[] {
  const problems: string[] = [];
  if (view.type !== 'home') problems.push(`view type ${view.type} is not home`);
  if (!Array.isArray(view.blocks) || view.blocks.length < 1 || view.blocks.length > MAX_VIEW_BLOCKS) {
    problems.push(`1 to ${MAX_VIEW_BLOCKS} blocks (has ${Array.isArray(view.blocks) ? view.blocks.length : 'none'})`);
  } else {
    view.blocks.forEach((b, i) => {
      problems.push(...blockProblems(b, i));
    });
  }
  if ((view.private_metadata?.length ?? 0) > MAX_METADATA_CHARS) problems.push('private_metadata too long');
  if ((view.callback_id?.length ?? 0) > MAX_CALLBACK_ID_CHARS) problems.push('callback_id too long');
  return problems;
}

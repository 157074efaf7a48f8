import { describe, expect, it } from 'vitest';
import { callLabel, footer, splitMarkdown, taskOutput } from '../../bot/format.ts';
import { stripMention } from '../../bot/listeners/events/app-mention.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';

const call = (o: Partial<ToolCallSummary> = {}): ToolCallSummary => ({
  id: 'tooluse-1',
  service: 'ec2',
  operation: 'DescribeInstances',
  iamAction: 'ec2:DescribeInstances',
  region: 'eu-west-1',
  label: 'x',
  ok: true,
  refused: false,
  ms: 120,
  pages: 1,
  items: 3,
  ...o,
});

describe('footer', () => {
  it('names each AWS call with region and pages, then time and tokens', () => {
    expect(
      footer([call({ pages: 3 }), call({ iamAction: 'lambda:ListFunctions', region: 'us-east-1' })], 4_230, {
        inputTokens: 1000,
        outputTokens: 234,
        totalTokens: 1234,
      }),
    ).toBe(
      '\n\n---\n_AWS calls: `ec2:DescribeInstances` · eu-west-1 · 3 pages, ' +
        '`lambda:ListFunctions` · us-east-1 · 4.2 s · 1,234 tokens_',
    );
  });
  it('says none, and marks refused and failed calls', () => {
    expect(footer([], 900)).toBe('\n\n---\n_AWS calls: none · 0.9 s_');
    expect(callLabel(call({ refused: true, ok: false, iamAction: 'ec2:TerminateInstances' }))).toBe(
      '`ec2:TerminateInstances` · eu-west-1 · refused',
    );
    expect(callLabel(call({ ok: false, errorCode: 'AccessDenied' }))).toBe(
      '`ec2:DescribeInstances` · eu-west-1 · AccessDenied',
    );
    expect(taskOutput(call({ pages: 2, items: 1200 }))).toBe('1,200 items in 2 pages · 120 ms');
  });
});

describe('splitMarkdown', () => {
  it('keeps short text whole', () => {
    expect(splitMarkdown('hello')).toEqual(['hello']);
  });
  it('splits at paragraph breaks within the limit', () => {
    const paras = Array.from({ length: 50 }, (_, i) => `para ${i} ${'x'.repeat(80)}`);
    const parts = splitMarkdown(paras.join('\n\n'), 1000);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(1000);
    expect(parts.join('\n\n')).toBe(paras.join('\n\n'));
  });
  it('closes and reopens a code block it cuts', () => {
    const code = `\`\`\`\n${Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')}\n\`\`\``;
    const parts = splitMarkdown(code, 300);
    for (const p of parts) {
      expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
      expect(p.length).toBeLessThanOrEqual(300);
    }
  });
  it('cuts a line with no breaks hard', () => {
    const parts = splitMarkdown('y'.repeat(2500), 1000);
    expect(parts.join('')).toBe('y'.repeat(2500));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(1000);
  });
});

describe('stripMention', () => {
  it('removes the bot mention wherever it is, and tidies spaces', () => {
    expect(stripMention('<@UBOT> how many   instances?', 'UBOT')).toBe('how many instances?');
    expect(stripMention('hey <@UBOT|aws-ask> what runs?', 'UBOT')).toBe('hey what runs?');
    expect(stripMention('<@UOTHER> ask <@UBOT> this', 'UBOT')).toBe('<@UOTHER> ask this');
  });
});

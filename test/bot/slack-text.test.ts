/**
 * Text the bot did not write (the model's answer, AWS data) cannot mention anyone or hide a link in Slack
 * (bot/slack-text.ts): control sequences, Markdown links, link definitions and bare broadcast mentions are
 * neutralised outside code, code that every Markdown agrees is code is kept as written, and an answer
 * neutralised as it streams in comes out exactly as the whole would. `liveTokens` (the fake Slack's reader) is
 * stricter than Slack. What a review found with a CommonMark parser (escaped backticks, a fence leaving its
 * list item, a definition in a quote) is here as it found it.
 */
import { describe, expect, it } from 'vitest';
import {
  MarkdownNeutralizer,
  mrkdwnText,
  neutralizeMarkdown,
  neutralizePlain,
  SAFE_OPEN,
  WORD_JOINER,
} from '../../bot/slack-text.ts';
import { liveTokens } from '../services/fake-slack.ts';

const HOSTILE = [
  '<!channel>',
  '<!channel|x>',
  '<!here|here>',
  '<!everyone>',
  '<!subteam^S0123ABCD|@oncall>',
  '<!date^1392734382^{date_short}|Feb 18>',
  '<@U0BOSS>',
  '<@W0BOSS|boss>',
  '<@W0123ABCD>',
  '<#C0GENERAL|general>',
  '<https://evil.example/login|Reset your AWS password>',
  '<http://evil.example>',
  '<mailto:ceo@example.com|mail the CEO>',
  '<mailto:ceo@example.com>',
  '[Open the console](https://evil.example/console)',
  '![logo](https://evil.example/pixel.gif)',
  '@channel',
  '@here',
  '@Everyone',
  '&lt;!channel&gt;',
  '&#60;@U0BOSS&#62;',
  '&#x3C;!here&#x3E;',
];

/** Live tokens outside code: the model text's code regions cut out (only for texts whose code is plain). */
const liveOutsideCode = (text: string) =>
  liveTokens(text.replace(/^```[^`\n]*\n[\s\S]*?^```[ \t]*$/gm, '').replace(/`[^`\n]+`/g, ''));

describe('neutralising text from the model or AWS', () => {
  it.each(HOSTILE)('%s is neither a mention nor a link afterwards, in Markdown and in plain text', (token) => {
    const text = `Tag Owner: ${token} (from the instance's tags)`;
    expect(liveTokens(text)).not.toEqual([]);
    expect(liveTokens(neutralizeMarkdown(text))).toEqual([]);
    expect(liveTokens(neutralizePlain(text))).toEqual([]);
    expect(liveTokens(mrkdwnText(text))).toEqual([]);
  });

  it('keeps what it can of the text: the same words, a visible address, an invisible joiner', () => {
    expect(neutralizeMarkdown('ping <!channel> now')).toBe(`ping ${SAFE_OPEN}!channel> now`);
    expect(neutralizeMarkdown('see [docs](https://evil.example)')).toBe('see [docs] (https://evil.example)');
    expect(neutralizeMarkdown('[1]: https://evil.example\n[x][1]')).toBe('[1] : https://evil.example\n[x][1]');
    expect(neutralizeMarkdown('hey @here!')).toBe(`hey @${WORD_JOINER}here!`);
    expect(neutralizeMarkdown('<https://a.example|a>')).toBe(`${SAFE_OPEN}https://a.example|a>`);
  });

  it('leaves ordinary text alone: comparisons, arrows, e-mail addresses, words that start like a mention', () => {
    for (const text of [
      'a < b and b > c',
      'x <= 5, y >= 6, <5 ms, << and >>',
      '-> => <-',
      'owner: bob@example.com, alias @heretic, @channels, @here-and-now',
      '**bold** _it_ ~~s~~ `code` > quote\n- list\n1. one\n| a | b |\n|---|---|',
      'tag <- value; 3<4',
    ]) {
      expect(neutralizeMarkdown(text)).toBe(text);
    }
  });

  it('keeps code as written: inline spans and fences', () => {
    const text = 'Run `echo "<!channel>"` then:\n\n```bash\naws s3 ls # <@U0BOSS> [x](y) @here\n```\nDone.';
    expect(neutralizeMarkdown(text)).toBe(text);
    expect(liveOutsideCode(neutralizeMarkdown(text))).toEqual([]);
    // the same text where it is shown as plain text or mrkdwn: nothing is code there
    expect(liveTokens(neutralizePlain(text))).toEqual([]);
  });

  it('mentions outside code next to code are neutralised, inside are kept', () => {
    const text = '<!here> `<!here>` <@U1>\n```\n<@U2>\n```\n<#C3>';
    expect(neutralizeMarkdown(text)).toBe(
      `${SAFE_OPEN}!here> \`<!here>\` ${SAFE_OPEN}@U1>\n\`\`\`\n<@U2>\n\`\`\`\n${SAFE_OPEN}#C3>`,
    );
  });

  it.each([
    ['an unclosed span', 'a ` b <!channel>'],
    ['a span that would pair across lines', 'x ` y\np `<!channel>` q'],
    ['double backticks', '``a <!channel> ` b`` c'],
    ['a heading with a stray backtick', '# a ` b\n<!channel> ` c'],
    ['a nested fence', '````\n```\n````\n<!channel>\n'],
    ['a tilde fence around a backtick fence', '~~~\n```\n~~~\n<!channel>\n```\n'],
    ['a fence closed with an info string', '```\ncode\n```js\n<!channel>\n```\n'],
    ['an unclosed fence', 'text\n```\n<!channel>'],
    ['a fence indented in a list', '1. item\n    ```\n    <!channel>\n    ```\n'],
    ['a fence indented four spaces', '    ```\n<!channel>\n```\n<!here>\n```\n'],
    ['a fence after mid-line backticks', 'a ``` b\n```\n<!channel>\n```\n'],
  ])('%s: unsure what is code, it neutralises', (_what, text) => {
    expect(liveTokens(neutralizeMarkdown(text))).toEqual([]);
  });

  it('text already escaped is not turned back into a mention', () => {
    expect(neutralizeMarkdown('&lt;!channel&gt; &amp;lt;@U1&amp;gt;')).toBe(
      `${SAFE_OPEN}!channel&gt; &amp;lt;@U1&amp;gt;`,
    );
    expect(mrkdwnText('&lt;!here&gt; <!here> a & b')).toBe(`${SAFE_OPEN}!here&amp;gt; ${SAFE_OPEN}!here&gt; a &amp; b`);
  });

  it('is idempotent', () => {
    const text = `${HOSTILE.join(' ')}\n\`<!here>\`\n\`\`\`\n<!channel>\n\`\`\`\n`;
    const once = neutralizeMarkdown(text);
    expect(neutralizeMarkdown(once)).toBe(once);
    expect(neutralizePlain(neutralizePlain(text))).toBe(neutralizePlain(text));
  });

  it('handles a very long answer quickly', () => {
    const block = `Row <!channel> [a](https://e.example) @here \`<@U1>\` text\n`;
    const text = `${block.repeat(5_000)}\`\`\`\n${'<!here>\n'.repeat(5_000)}\`\`\`\n`;
    const t0 = performance.now();
    const out = neutralizeMarkdown(text);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(out.length).toBeGreaterThan(text.length);
    expect(liveOutsideCode(out)).toEqual([]);
  });
});

/**
 * Markdown links and link definitions anywhere in a text, code or not (`liveTokens` sees definitions only at a
 * line's start, but a quote's or list item's definition resolves too).
 */
const hiddenLinks = (text: string): string[] => [...text.matchAll(/\]\(|\]:/g)].map((m) => m[0]);

describe('ways around the neutraliser that a review found (checked with a CommonMark parser)', () => {
  it.each([
    ['a link between escaped backticks', 'See [the AWS console\\`](https://evil.example/login)\\` for details'],
    ['a mention between escaped backticks', 'Owner: \\`<@U0123ABCD>\\` please check'],
    ['a channel mention between escaped backticks', 'Status \\`<!channel>\\` ok'],
    ['three backslashes: an escaped backslash, then an escaped backtick', 'a \\\\\\`<!here>\\\\\\` b'],
    ['a span closed by a backtick after a backslash (CommonMark: code `a\\`)', '`a\\` <!channel> `'],
    ['a fence in a list item, an unindented line in it', '- tags:\n  ```\n<@U0123ABCD> approved\n  ```\n'],
    ['a fence in a list item hiding a link', '- note\n  ```\n[Reset your password](https://evil.example/)\n  ```'],
    ['a list fence closed less indented than it opened', '- a\n  ```\n  x\n```\n<!channel>\n```\n[evil](x)\n```\n'],
    ['a definition in a quote', '> [c]: https://evil.example/\n\nOpen the [AWS console][c].'],
    ['a definition in a list item', '- [c]: https://evil.example/\n\nOpen the [AWS console][c].'],
    ['a definition in a numbered item in a quote', '> 1. [c]: https://evil.example/\n\n[AWS console][c]'],
    ['a definition deep in containers', '> - > [c]:https://evil.example/\n\n[c]'],
    ['a definition after text, used collapsed', 'x\n\n[AWS console]: https://evil.example/\n\n[AWS console][]'],
    ['a definition whose label spans two lines', '[AWS\nconsole]: https://evil.example/\n\n[AWS console]'],
    ['a definition whose colon is in a code span', '[a `]: https://evil.example/`\n\n[a `]'],
    ['a definition indented in a list item', '- a\n\n  [c]: https://evil.example/\n\n  [c]'],
  ])('%s: no mention, no hidden link', (_what, text) => {
    const out = neutralizeMarkdown(text);
    expect(liveTokens(out), out).toEqual([]);
    expect(hiddenLinks(out), out).toEqual([]);
  });

  it('an escaped backtick opens no code span, so what follows it is neutralised', () => {
    expect(neutralizeMarkdown('See [the AWS console\\`](https://evil.example/login)\\` for details')).toBe(
      'See [the AWS console\\`] (https://evil.example/login)\\` for details',
    );
    expect(neutralizeMarkdown('Owner: \\`<@U0123ABCD>\\` please check')).toBe(
      `Owner: \\\`${SAFE_OPEN}@U0123ABCD>\\\` please check`,
    );
    // two backslashes are one escaped backslash: the backtick after them is real and its span is code
    expect(neutralizeMarkdown('C:\\\\`<!here>` then')).toBe('C:\\\\`<!here>` then');
    // spans before the escaped backtick are code whichever way it is read; after it, nothing is
    expect(neutralizeMarkdown('`<@U1>` \\` `<@U2>`')).toBe(`\`<@U1>\` \\\` \`${SAFE_OPEN}@U2>\``);
  });

  it('a fence in a list item is code only if every line of it stays in the item', () => {
    const kept = [
      '1. Run:\n   ```bash\n   aws s3 ls s3://<bucket>\n   ```\n2. Done.',
      '- a\n\n  ```\n  <b>\n\n  <c>\n  ```\n',
      '- a\n  ```\n    <deeper>\n   ```\n',
      '```\n<top>\n  ```\n',
    ];
    for (const text of kept) expect(neutralizeMarkdown(text)).toBe(text);
    expect(neutralizeMarkdown('- note\n  ```\n[Reset](https://evil.example/)\n  ```')).toBe(
      '- note\n  ```\n[Reset] (https://evil.example/)\n  ```',
    );
  });

  it('no link definition survives, so no reference link can resolve', () => {
    expect(neutralizeMarkdown('> [c]: https://evil.example/\n\nOpen the [AWS console][c].')).toBe(
      '> [c] : https://evil.example/\n\nOpen the [AWS console][c].',
    );
    // the same in code spans: definitions are read before code spans are
    expect(neutralizeMarkdown('[a `]: https://evil.example/`')).toBe('[a `] : https://evil.example/`');
    // but not in fenced code, which is kept as written
    expect(neutralizeMarkdown('```\n[c]: https://x.example\n```\n')).toBe('```\n[c]: https://x.example\n```\n');
  });

  it('a code span with a pipe is not trusted: a table row splits it into cells', () => {
    const text = '| a | b |\n|---|---|\n| `<!channel> | x` |';
    expect(liveTokens(neutralizeMarkdown(text))).toEqual([]);
    expect(neutralizeMarkdown('`a | <b>`')).toBe(`\`a | ${SAFE_OPEN}b>\``);
    expect(neutralizeMarkdown('`<b>` | c')).toBe('`<b>` | c');
  });

  it('an invisible character between `<` and what follows changes nothing', () => {
    for (const zw of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u2060\u200b']) {
      expect(neutralizeMarkdown(`a <${zw}!channel> b`)).toBe(`a ${SAFE_OPEN}${zw}!channel> b`);
      expect(neutralizeMarkdown(`a &lt;${zw}@U1&gt; b`)).toBe(`a ${SAFE_OPEN}${zw}@U1&gt; b`);
      expect(neutralizePlain(`<${zw}https://evil.example|x>`)).toBe(`${SAFE_OPEN}${zw}https://evil.example|x>`);
    }
    // not before a space or a digit: still ordinary text
    expect(neutralizeMarkdown('a <\u200b b, <\u200b5')).toBe('a <\u200b b, <\u200b5');
  });

  it('autolinks, e-mail autolinks and processing instructions are neutralised', () => {
    for (const [text, out] of [
      ['<https://evil.example>', `${SAFE_OPEN}https://evil.example>`],
      ['<mailto:ceo@example.com>', `${SAFE_OPEN}mailto:ceo@example.com>`],
      ['<ceo@example.com>', `${SAFE_OPEN}ceo@example.com>`],
      ['<?x `<!channel>` ?>', `${SAFE_OPEN}?x \`<!channel>\` ?>`],
    ]) {
      expect(neutralizeMarkdown(`see ${text}`)).toBe(`see ${out}`);
    }
  });

  it('fullwidth brackets are left as they are: neither Slack nor Markdown reads `＜` as `<`', () => {
    const text = '＜!channel＞ ＜@U1＞ ﹤!here﹥';
    expect(neutralizeMarkdown(text)).toBe(text);
    expect(liveTokens(text)).toEqual([]);
  });
});

describe('neutralising an answer as it streams in', () => {
  const TEXTS = [
    ...HOSTILE.map((h) => `before ${h} after`),
    'Run `echo "<!channel>"` then:\n\n```bash\naws s3 ls # <@U0BOSS>\n```\nDone <!here>.',
    'x ` y\np `<!channel>` q\n\nnew para `ok` <@U1>',
    '````\n```\n````\n<!channel>\n',
    '~~~\n```\n~~~\n<!channel>\n```\n',
    'text\n```\n<!channel>',
    '- item\n  ```\n  <!channel>\n  ```\n<#C1>',
    '[1]: https://evil.example\n  [2]: x\n`a` [b](c)',
    'tail ends with <',
    'tail ends with &lt',
    'tail ends with @her',
    'tail ends with [x](',
    'a\n``',
    '```\nunclosed <!here>',
    'See [the AWS console\\`](https://evil.example/login)\\` for details',
    'Owner: \\`<@U0123ABCD>\\` please check',
    '- note\n  ```\n[Reset your password](https://evil.example/)\n  ```\n',
    '1. Run:\n   ```bash\n   aws s3 ls s3://<bucket>\n   ```\n2. Done <!here>.',
    '> [c]: https://evil.example/\n\nOpen the [AWS console][c].',
    '[AWS\nconsole]: https://evil.example/\n\n[AWS console]',
    '| `<!channel> | x` | <\u200b@U1>',
  ];

  /** Splits `text` into pieces of the given sizes, cycling. */
  const pieces = (text: string, sizes: readonly number[]): string[] => {
    const out: string[] = [];
    for (let i = 0, k = 0; i < text.length; k++) {
      const n = sizes[k % sizes.length] ?? 1;
      out.push(text.slice(i, i + n));
      i += n;
    }
    return out;
  };

  it.each([[[1]], [[2, 3]], [[7]], [[1, 13, 2, 40]], [[1_000]]])(
    'in pieces of %j, the streamed text is exactly the whole neutralised, and no prefix is live',
    (sizes) => {
      for (const text of TEXTS) {
        const guard = new MarkdownNeutralizer();
        let shown = '';
        for (const piece of pieces(text, sizes)) {
          shown += guard.push(piece);
          // what the user sees mid-stream is a prefix of the final text
          expect(neutralizeMarkdown(text).startsWith(shown), JSON.stringify({ text, shown })).toBe(true);
        }
        shown += guard.end();
        expect(shown, JSON.stringify(text)).toBe(neutralizeMarkdown(text));
      }
    },
  );

  it('holds for a few thousand random texts made of the awkward pieces, in random pieces', () => {
    const parts = [
      '`',
      '```',
      '````',
      '~~~',
      '\n',
      '\n\n',
      ' ',
      '  ',
      '    ',
      'a',
      'word',
      '<!here>',
      '<@U1>',
      '<',
      '[',
      ']',
      '](',
      '(x)',
      '@here',
      '&lt;',
      '&',
      'lt;',
      '!',
      '#',
      'js',
      '- ',
      '1. ',
      '> ',
      '\\',
      '|',
      ':',
      ']:',
      '\u200b',
      '?',
    ];
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 3_000; k++) {
      const text = Array.from({ length: 1 + rnd(30) }, () => parts[rnd(parts.length)]).join('');
      const sizes = Array.from({ length: 1 + rnd(4) }, () => 1 + rnd(9));
      const guard = new MarkdownNeutralizer();
      let shown = '';
      for (const piece of pieces(text, sizes)) shown += guard.push(piece);
      shown += guard.end();
      expect(shown, JSON.stringify({ text, sizes })).toBe(neutralizeMarkdown(text));
      // with no backtick there is no code: nothing may stay live
      if (!text.includes('`')) {
        expect(liveTokens(shown), JSON.stringify(text)).toEqual([]);
        expect(hiddenLinks(shown), JSON.stringify(text)).toEqual([]);
      }
    }
  });

  it('streams words as they come, not only whole lines', () => {
    const guard = new MarkdownNeutralizer();
    expect(guard.push('There are ')).toBe('There are ');
    expect(guard.push('four <!chan')).toBe('four ');
    expect(guard.push('nel> instances')).toBe(`${SAFE_OPEN}!channel> `);
    expect(guard.end()).toBe('instances');
  });

  it('holds a fence back until its closing line says it is code', () => {
    const guard = new MarkdownNeutralizer();
    expect(guard.push('Output:\n```\n<!here>\n')).toBe('Output:\n');
    expect(guard.push('```\nend')).toBe('```\n<!here>\n```\n');
    expect(guard.end()).toBe('end');
  });

  it('keeps up with a long streamed answer', () => {
    const text = `${'word <!here> `code` '.repeat(20_000)}\n`;
    const guard = new MarkdownNeutralizer();
    const t0 = performance.now();
    let shown = '';
    for (const piece of pieces(text, [9])) shown += guard.push(piece);
    shown += guard.end();
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(shown).toBe(neutralizeMarkdown(text));
  });
});

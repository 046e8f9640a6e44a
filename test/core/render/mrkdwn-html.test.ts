/**
 * Slack mrkdwn to HTML, case by case: formatting and Slack's boundary rules, code, preformatted blocks, quotes,
 * links (http, https and mailto only), mentions, dates, emoji, and Slack's own `&amp; &lt; &gt;` escaping read
 * as text and escaped once for HTML.
 */
import { describe, expect, test } from '@jest/globals';
import {
  decodeSlackEntities,
  emojiOf,
  escapeHtml,
  isLinkUrl,
  mrkdwnToHtml,
  mrkdwnToPlainText,
  plainTextHtml,
} from '../../../src/core/render/mrkdwn-html.js';
import { mrkdwnEscape } from '../../../src/core/text/slack-mrkdwn.js';

const link = (href: string, label: string) =>
  `<a class="bk-link" href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>`;
const mention = (text: string) => `<span class="bk-mention">${text}</span>`;

describe('mrkdwnToHtml', () => {
  test.each<[string, string]>([
    // Formatting, nested, and Slack's boundaries.
    ['*bold* _italic_ ~strike~', '<strong>bold</strong> <em>italic</em> <s>strike</s>'],
    ['*bold _both_*', '<strong>bold <em>both</em></strong>'],
    ['(*in parens*)', '(<strong>in parens</strong>)'],
    ['a*b*c', 'a*b*c'],
    ['a*b* c', 'a*b* c'],
    ['x_y_ z', 'x_y_ z'],
    ['2*3 and 4*5', '2*3 and 4*5'],
    ['snake_case_name', 'snake_case_name'],
    ['* not bold*', '* not bold*'],
    ['*not bold *', '*not bold *'],
    ['**', '**'],
    ['*multi\nline*', '*multi<br>line*'],
    ['*unclosed', '*unclosed'],
    // Code: nothing formatted inside, tokens shown as text.
    ['`*not bold*`', '<code>*not bold*</code>'],
    ['`<@U1>` `&lt;b&gt;`', '<code>@U1</code> <code>&lt;b&gt;</code>'],
    ['*`bold code`*', '<strong><code>bold code</code></strong>'],
    ['``', '``'],
    ['```pre *x*```', '<pre>\npre *x*</pre>'],
    ['before\n```\nline 1\n  line 2\n```\nafter', 'before<pre>\nline 1\n  line 2\n</pre>after'],
    ['```<https://x.example|x> &amp;```', '<pre>\nx &amp;</pre>'],
    ['``````', '``````'],
    ['``` unclosed', '``` unclosed'],
    // Quotes, raw or escaped as Slack stores a typed `>`.
    ['> quoted\n&gt; too\nnot', '<blockquote>quoted<br>too</blockquote>not'],
    ['a > b', 'a &gt; b'],
    // Line breaks.
    ['one\ntwo\n\nthree', 'one<br>two<br><br>three'],
    // Links: only http, https and mailto.
    ['<https://example.com/a?b=1&amp;c=2|the *site*>', link('https://example.com/a?b=1&amp;c=2', 'the *site*')],
    ['<https://example.com>', link('https://example.com', 'https://example.com')],
    ['<mailto:a@example.com|mail>', link('mailto:a@example.com', 'mail')],
    ['<javascript:alert(1)|click>', 'click'],
    ['<javascript:alert(1)>', 'javascript:alert(1)'],
    ['<https://x.example/"onclick="alert(1)|x>', link('https://x.example/&quot;onclick=&quot;alert(1)', 'x')],
    ['*<https://a.example|bold link>*', `<strong>${link('https://a.example', 'bold link')}</strong>`],
    // Mentions and special tokens.
    ['<@U123>', mention('@U123')],
    ['<@U123|alice>', mention('@alice')],
    ['<#C123|general> <#C456>', `${mention('#general')} ${mention('#C456')}`],
    [
      '<!here> <!channel> <!everyone> <!here|here>',
      `${mention('@here')} ${mention('@channel')} ${mention('@everyone')} ${mention('@here')}`,
    ],
    ['<!subteam^S0123|@oncall> <!subteam^S0456>', `${mention('@oncall')} ${mention('@S0456')}`],
    ['<!date^1688990885^{date_short_pretty} {time}|2023-07-10 12:08 UTC>', '2023-07-10 12:08 UTC'],
    ['<!date^1688990885^{date}>', '2023-07-10 12:08 UTC'],
    // Slack's escaping: entities are text, escaped once for HTML.
    ['&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['&amp;lt;b&amp;gt;', '&amp;lt;b&amp;gt;'],
    ['&lt;!channel&gt;', '&lt;!channel&gt;'],
    ['&quot; \' "', '&amp;quot; &#39; &quot;'],
    ['<<b>', '&lt;b'],
    ['a < b > c', 'a &lt; b &gt; c'],
    ['<>', '&lt;&gt;'],
    // Emoji: known shortcodes become Unicode, others stay.
    [':warning: :white_check_mark: :no_such_emoji:', '⚠️ ✅ :no_such_emoji:'],
    [':constructor: :toString: :hasOwnProperty:', ':constructor: :toString: :hasOwnProperty:'],
    ['12:30:45', '12:30:45'],
  ])('%j', (text, html) => {
    expect(mrkdwnToHtml(text)).toBe(html);
  });

  // The shortcodes Trailbot writes are checked where its messages are rendered (block-kit-html.test.ts).
  test('the common shortcodes map to an emoji', () => {
    for (const name of [
      'rotating_light',
      'large_green_circle',
      'bell',
      'lock',
      'heavy_check_mark',
      'information_source',
    ]) {
      expect(emojiOf(name)).toMatch(/\p{Extended_Pictographic}/u);
    }
    expect(emojiOf('hasOwnProperty')).toBeUndefined();
  });

  test('a value the app escaped shows exactly as it was, whatever it holds', () => {
    for (const value of ['<script>alert(1)</script>', '<!channel>', '&amp;', 'a & b < c > d', '<@U1|x>']) {
      expect(mrkdwnToPlainText(mrkdwnEscape(value))).toBe(value);
    }
  });
});

describe('helpers', () => {
  test('escapeHtml escapes the five characters, CR for attributes, and replaces NUL', () => {
    expect(escapeHtml(`&<>"'\r\0x`)).toBe('&amp;&lt;&gt;&quot;&#39;&#13;\uFFFDx');
  });

  test('decodeSlackEntities decodes only Slack’s three', () => {
    expect(decodeSlackEntities('&amp;lt; &lt; &gt; &quot; &#39;')).toBe('&lt; < > &quot; &#39;');
  });

  test('isLinkUrl accepts http, https and mailto only', () => {
    expect(['https://a', 'HTTP://a', 'mailto:x@y'].map(isLinkUrl)).toEqual([true, true, true]);
    expect(
      ['javascript:alert(1)', 'data:text/html,x', '//evil', 'https://', ' https://a', 'ftp://a'].map(isLinkUrl),
    ).toEqual([false, false, false, false, false, false]);
  });

  test('plain text is literal: no entities, no tokens, no formatting; emoji unless turned off', () => {
    expect(plainTextHtml('*x* <@U1> &amp; :warning:\nnext', true)).toBe('*x* &lt;@U1&gt; &amp;amp; ⚠️<br>next');
    expect(plainTextHtml(':warning:', false)).toBe(':warning:');
  });

  test('mrkdwnToPlainText drops formatting and shows tokens', () => {
    expect(mrkdwnToPlainText('*Resolve* <#C1|ops> &amp; `x`?\n> sure')).toBe('Resolve #ops & x?\nsure');
  });
});

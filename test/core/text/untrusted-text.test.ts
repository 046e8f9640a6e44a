import { describe, expect, test } from '@jest/globals';
import { mrkdwnEscape, slackDate, untrusted } from '../../../src/core/text/slack-mrkdwn.js';
import { capText, cleanText } from '../../../src/core/text/untrusted-text.js';

describe('cleanText', () => {
  test.each([
    ['plain text stays', 'alice', 'alice'],
    ['a terminal escape sequence becomes visible', '\u001b[31mred', '⟨U+001B⟩[31mred'],
    ['a right-to-left override becomes visible', 'evil\u202Etxt.exe', 'evil⟨U+202E⟩txt.exe'],
    ['bidi isolates and zero-width characters become visible', 'a\u2066b\u200bc', 'a⟨U+2066⟩b⟨U+200B⟩c'],
    ['newlines and tabs become spaces', 'line1\nline2\tend', 'line1 line2 end'],
    ['C1 controls become visible', 'x\u0085y', 'x⟨U+0085⟩y'],
    ['a lone surrogate becomes visible', 'a\ud800b', 'a⟨U+D800⟩b'],
    ['emoji (a surrogate pair) stays', 'ok 👍', 'ok 👍'],
  ])('%s', (_name, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  test('null and undefined are empty', () => {
    expect(cleanText(null)).toBe('');
    expect(cleanText(undefined)).toBe('');
  });

  test('a 10 MB value is capped to the limit, ending in an ellipsis', () => {
    const out = cleanText('x'.repeat(10_000_000), 100);
    expect([...out]).toHaveLength(100);
    expect(out.endsWith('…')).toBe(true);
  });

  test('capping never splits a surrogate pair', () => {
    const out = capText('👍'.repeat(50), 10);
    expect([...out]).toHaveLength(10);
    expect(out).toBe(`${'👍'.repeat(9)}…`);
    expect(cleanText('👍'.repeat(500), 10)).toBe(`${'👍'.repeat(9)}…`);
  });
});

describe('mrkdwn', () => {
  test('escapes exactly &, < and >', () => {
    expect(mrkdwnEscape('<!channel> & <@U123> <https://evil.example|click> "quotes" *bold*')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt; "quotes" *bold*',
    );
  });

  test('an already escaped value is escaped again, so it shows as typed', () => {
    expect(mrkdwnEscape('&lt;')).toBe('&amp;lt;');
  });

  test('untrusted cleans, caps and escapes', () => {
    expect(untrusted('<!here>\u202E', 20)).toBe('&lt;!here&gt;⟨U+202E⟩');
  });

  test('slackDate gives a date token with a UTC fallback', () => {
    expect(slackDate('2023-07-10T12:08:05Z')).toBe(
      '<!date^1688990885^{date_short_pretty} {time}|2023-07-10 12:08 UTC>',
    );
  });

  test('slackDate of something that is not a time is escaped text, not a token', () => {
    expect(slackDate('<!channel>')).toBe('&lt;!channel&gt;');
  });
});

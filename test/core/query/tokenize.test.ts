import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { MODIFIER_WORDS } from '../../../src/core/query/parse-trail-query.js';
import { formatToken, joinArgs, tokenize } from '../../../src/core/query/tokenize.js';

const values = (text: string): string[] => tokenize(text).map((token) => token.value);

describe('tokenize', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['who i-0abc', ['who', 'i-0abc']],
    [' who\t\ti-0abc\n since\u00A02d ', ['who', 'i-0abc', 'since', '2d']],
    ['who "my bucket" since 2d', ['who', 'my bucket', 'since', '2d']],
    ['who “my bucket” since 2d', ['who', 'my bucket', 'since', '2d']],
    ['who ab"c d"', ['who', 'ab"c', 'd"']],
    ['who "a"b', ['who', 'a', 'b']],
    ['who ""', ['who', '']],
    ['who i-0\u200Babc', ['who', 'i-0abc']],
  ])('%j', (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  test('quoted words are marked, and an unclosed quote runs to the end', () => {
    expect(tokenize('who "my bucket" x')).toEqual([
      { raw: 'who', value: 'who', quoted: false, unclosed: false },
      { raw: '"my bucket"', value: 'my bucket', quoted: true, unclosed: false },
      { raw: 'x', value: 'x', quoted: false, unclosed: false },
    ]);
    expect(tokenize('who "my bucket since 2d  ')).toEqual([
      { raw: 'who', value: 'who', quoted: false, unclosed: false },
      { raw: '"my bucket since 2d', value: 'my bucket since 2d', quoted: true, unclosed: true },
    ]);
  });

  test('formatToken writes any value without quote characters as one word that reads back the same', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((value) => !/["“”\u200B-\u200D\u2060]/.test(value)),
        (value) => {
          const written = formatToken(value, MODIFIER_WORDS);
          const tokens = tokenize(written);
          expect(tokens).toHaveLength(1);
          expect(tokens[0]?.value).toBe(value);
          if (MODIFIER_WORDS.has(value.toLowerCase())) expect(tokens[0]?.quoted).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('joinArgs quotes arguments that the shell had quoted', () => {
    expect(joinArgs(['who', 'my bucket', 'since', '2d'])).toBe('who "my bucket" since 2d');
    expect(values(joinArgs(['user', '', 'x y']))).toEqual(['user', '', 'x y']);
  });
});

import { describe, expect, test } from '@jest/globals';
import { quoteWord } from '../../../src/core/query/quote-word.js';

describe('quoteWord', () => {
  test('puts a word in backticks', () => {
    expect(quoteWord('since')).toBe('`since`');
    expect(quoteWord('')).toBe('``');
  });

  test('keeps 40 characters whole and shortens a longer word to 37 and an ellipsis', () => {
    expect(quoteWord('a'.repeat(40))).toBe(`\`${'a'.repeat(40)}\``);
    expect(quoteWord('a'.repeat(41))).toBe(`\`${'a'.repeat(37)}…\``);
  });

  test('counts characters, not UTF-16 units, so it never splits a surrogate pair', () => {
    expect(quoteWord('😀'.repeat(40))).toBe(`\`${'😀'.repeat(40)}\``);
    expect(quoteWord('😀'.repeat(41))).toBe(`\`${'😀'.repeat(37)}…\``);
  });
});

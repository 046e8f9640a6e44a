import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { closestWord, editDistance } from '../../../src/core/query/closest-word.js';

describe('editDistance', () => {
  test.each<[string, string, number]>([
    ['', '', 0],
    ['since', 'since', 0],
    ['sinc', 'since', 1],
    ['snice', 'since', 1],
    ['kitten', 'sitting', 3],
    ['abc', '', 3],
    ['A', 'a', 1],
    // Optimal string alignment: a swapped pair is not edited again (true Damerau–Levenshtein would say 2).
    ['ca', 'abc', 3],
  ])('%j → %j: %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  test('is symmetric and lies between the length difference and the longer length', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 8 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const distance = editDistance(a, b);
        expect(editDistance(b, a)).toBe(distance);
        expect(distance).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(distance).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('closestWord', () => {
  const MODIFIERS = ['since', 'from', 'in', 'account', 'writes', 'reads', 'limit', 'public'];

  test.each<[string, string | null]>([
    ['sinc', 'since'],
    ['SINC', 'since'],
    ['snice', 'since'],
    // Up to 4 characters allow 1 edit, longer words 2.
    ['lmit', 'limit'],
    ['lmt', null],
    ['acunt', 'account'],
    ['acnt', null],
    // Too short for a guess.
    ['i', null],
    ['s', null],
  ])('%j → %j', (word, expected) => {
    expect(closestWord(word, MODIFIERS)).toBe(expected);
  });

  test('a word longer than 30 characters gets no suggestion, even for an equal candidate', () => {
    const long = 'a'.repeat(31);
    expect(closestWord(long.slice(0, 30), [long.slice(0, 30)])).toBe(long.slice(0, 30));
    expect(closestWord(long, [long])).toBeNull();
  });

  test('two candidates equally near give no suggestion; a nearer one settles it', () => {
    expect(closestWord('ab', ['aa', 'bb'])).toBeNull();
    expect(closestWord('abc', ['abd', 'abe', 'abc'])).toBe('abc');
    expect(closestWord('sinc', ['since', 'since'])).toBe('since');
  });
});

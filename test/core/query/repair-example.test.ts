import { describe, expect, test } from '@jest/globals';
import { type Failure, fail } from '../../../src/core/query/failure.js';
import { type Reading, repairExample } from '../../../src/core/query/repair-example.js';

const parsed = (text: string): Reading => ({ kind: 'query', query: { text } });
const failing = (...fixes: string[][]): Failure => fail('x', 'bad', () => fixes);

/** A parser that knows only `readings`: any other text fails with no repairs. Records what it was asked. */
function parserOf(readings: Readonly<Record<string, Reading>>): { parse: (text: string) => Reading; asked: string[] } {
  const asked: string[] = [];
  const parse = (text: string): Reading => {
    asked.push(text);
    return readings[text] ?? failing();
  };
  return { parse, asked };
}

describe('repairExample', () => {
  test('returns the text of the first repair that parses, trying repairs in order', () => {
    const { parse, asked } = parserOf({ 'who b': parsed('who  b'), 'who c': parsed('who c') });
    expect(repairExample(failing(['who', 'a'], ['who', 'b'], ['who', 'c']), parse, 100)).toBe('who  b');
    expect(asked).toEqual(['who a', 'who b']);
  });

  test('follows the repairs of a repair that still fails, depth first', () => {
    const { parse, asked } = parserOf({ a: failing(['a2']), a2: parsed('a2'), b: parsed('b') });
    expect(repairExample(failing(['a'], ['b']), parse, 100)).toBe('a2');
    expect(asked).toEqual(['a', 'a2']);
  });

  test('help is a dead end', () => {
    const { parse } = parserOf({ a: { kind: 'help' }, b: parsed('b') });
    expect(repairExample(failing(['a'], ['b']), parse, 100)).toBe('b');
  });

  test('a candidate longer than maxLength is skipped unread; a repeated one is read once', () => {
    const { parse, asked } = parserOf({ ok: parsed('ok') });
    expect(repairExample(failing(['long', 'word'], ['no'], ['no'], ['ok']), parse, 3)).toBe('ok');
    expect(asked).toEqual(['no', 'ok']);
  });

  test('returns null when no repair parses', () => {
    const { parse } = parserOf({ a: failing(['b']), b: failing(['a']) });
    expect(repairExample(failing(['a']), parse, 100)).toBeNull();
    expect(repairExample(failing(), parse, 100)).toBeNull();
  });

  test('repairs of repairs are followed 5 deep', () => {
    const chain = (last: number): Record<string, Reading> =>
      Object.fromEntries(
        Array.from({ length: last + 1 }, (_, i) => [`r${i}`, i === last ? parsed(`r${i}`) : failing([`r${i + 1}`])]),
      );
    expect(repairExample(failing(['r0']), parserOf(chain(5)).parse, 100)).toBe('r5');
    expect(repairExample(failing(['r0']), parserOf(chain(6)).parse, 100)).toBeNull();
  });

  test('at most 30 candidates are parsed', () => {
    const candidates = (good: number): string[][] => Array.from({ length: good }, (_, i) => [`c${i + 1}`]);
    const within = parserOf({ c30: parsed('c30') });
    expect(repairExample(failing(...candidates(30)), within.parse, 100)).toBe('c30');
    const beyond = parserOf({ c31: parsed('c31') });
    expect(repairExample(failing(...candidates(31)), beyond.parse, 100)).toBeNull();
    expect(beyond.asked).toHaveLength(30);
  });
});

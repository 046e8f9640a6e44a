/**
 * Term and space-delimited patterns beyond the doc's examples: OR groups as aws-cdk writes them, regex terms, how
 * log fields are split, empty fields, several ellipses, cross-field conditions, and events given as objects.
 */
import { describe, expect, test } from '@jest/globals';
import { splitLogFields } from '../../../src/core/filter-pattern/split-log-fields.js';
import { compile } from './compile-pattern.js';

const matches = (text: string, message: string): boolean => compile(text).matchMessage(message) !== null;

describe('terms', () => {
  test("aws-cdk's anyTermGroup: each ? starts a group that the following terms join", () => {
    const text = '?"ERROR" "MainThread" ?"WARN" "Deadlock"';
    expect(matches(text, 'ERROR in MainThread')).toBe(true);
    expect(matches(text, 'WARN Deadlock found')).toBe(true);
    expect(matches(text, 'ERROR in worker')).toBe(false);
    expect(matches(text, 'WARN MainThread')).toBe(false);
    expect(matches(text, 'ERROR Deadlock')).toBe(false);
  });

  test('terms before the first ? form their own group', () => {
    expect(matches('ERROR disk ?WARN', 'ERROR disk full')).toBe(true);
    expect(matches('ERROR disk ?WARN', 'WARN only')).toBe(true);
    expect(matches('ERROR disk ?WARN', 'ERROR only')).toBe(false);
  });

  test('excluded terms belong to their group', () => {
    expect(matches('?ERROR -timeout ?FATAL', 'ERROR timeout')).toBe(false);
    expect(matches('?ERROR -timeout ?FATAL', 'FATAL timeout')).toBe(true);
    expect(matches('-DEBUG', 'INFO x')).toBe(true);
    expect(matches('-DEBUG', 'DEBUG x')).toBe(false);
  });

  test('phrases keep spaces and quotes; words are substrings; * is literal', () => {
    expect(matches('"disk full"', 'the disk full')).toBe(true);
    expect(matches('"disk full"', 'full disk')).toBe(false);
    expect(matches('"say \\"hi\\""', 'they say "hi"')).toBe(true);
    expect(matches('ERR*', 'ERROR')).toBe(false);
    expect(matches('ERR*', 'ERR*')).toBe(true);
    expect(matches('a{', 'xa{')).toBe(true);
  });

  test('regex terms, excluded and alternative ones too', () => {
    expect(matches('%ERR[0-9]{3}%', 'code ERR404')).toBe(true);
    expect(matches('%ERR[0-9]{3}%', 'code ERR4')).toBe(false);
    expect(matches('INFO -%ERR[0-9]%', 'INFO ERR1')).toBe(false);
    expect(matches('?%^WARN% ?%^ERROR%', 'ERROR x')).toBe(true);
  });

  test('matchEvent tests the JSON text', () => {
    const pattern = compile('AccessDenied -"HeadBucket"');
    expect(pattern.matchEvent({ errorCode: 'AccessDenied', eventName: 'GetObject' })).toBe(true);
    expect(pattern.matchEvent({ errorCode: 'AccessDenied', eventName: 'HeadBucket' })).toBe(false);
    expect(compile('"\\"errorCode\\":\\"AccessDenied\\""').matchEvent({ errorCode: 'AccessDenied' })).toBe(true);
    expect(pattern.matchEvent(undefined)).toBe(false);
    const cyclic: Record<string, unknown> = { errorCode: 'AccessDenied' };
    cyclic.self = cyclic;
    expect(pattern.matchEvent(cyclic)).toBe(false);
    expect(pattern.matchEvent({ n: 1n })).toBe(false);
  });

  test('the kind follows the first non-space character', () => {
    expect(compile('  ERROR').kind).toBe('terms');
    expect(compile('"ERROR"').kind).toBe('terms');
    expect(compile('  { $.a = 1 }').kind).toBe('json');
    expect(compile('\t[a]').kind).toBe('delimited');
    expect(compile('"" ERROR').kind).toBe('terms');
  });
});

describe('splitting log fields', () => {
  test.each<[string, string[]]>([
    ['a b  c', ['a', 'b', 'c']],
    ['  a\tb\n', ['a', 'b']],
    ['', []],
    ['[10/Oct/2000:13:25:15 -0700] "GET / HTTP/1.0"', ['10/Oct/2000:13:25:15 -0700', 'GET / HTTP/1.0']],
    ['"" []', ['', '']],
    ['"a b"c d', ['a b', 'c', 'd']],
    ['x[a b] y', ['x[a', 'b]', 'y']],
    ['[a [b] c]', ['a [b', 'c]']],
    ['"unclosed here', ['"unclosed', 'here']],
    ['[unclosed here', ['[unclosed', 'here']],
  ])('%j → %j', (message, fields) => {
    expect(splitLogFields(message)).toEqual(fields);
  });
});

describe('space-delimited', () => {
  test('empty fields: [a,,b], [] and a trailing comma each take one log field', () => {
    expect(compile('[a,,b]').matchMessage('1 2 3')).toEqual({ $a: '1', $2: '2', $b: '3' });
    expect(compile('[]').matchMessage('only')).toEqual({ $1: 'only' });
    expect(compile('[]').matchMessage('')).toBeNull();
    expect(compile('[a,]').matchMessage('1 2')).toEqual({ $a: '1', $2: '2' });
    expect(compile('[a,]').matchMessage('1')).toBeNull();
  });

  test('an ellipsis covers zero fields or more', () => {
    expect(compile('[a, ..., b]').matchMessage('1 2')).toEqual({ $a: '1', $b: '2' });
    expect(compile('[a, ..., b]').matchMessage('1')).toBeNull();
    expect(compile('[...]').matchMessage('')).toEqual({});
    expect(compile('[..., ...]').matchMessage('x y')).toEqual({ $1: 'x', $2: 'y' });
  });

  test('several ellipses: each takes as few fields as it can, left first', () => {
    const pattern = compile('[..., level = ERROR, ..., code = 5*, ...]');
    expect(pattern.matchMessage('t1 ERROR a ERROR 500 b')).toEqual({
      $1: 't1',
      $level: 'ERROR',
      $3: 'a',
      $4: 'ERROR',
      $code: '500',
      $6: 'b',
    });
    expect(pattern.matchMessage('t1 ERROR a 404 b')).toBeNull();
    expect(pattern.matchMessage('500 ERROR')).toBeNull();
  });

  test('conditions may name fields before or after them, and || may mix fields', () => {
    const pattern = compile('[a = x || b = y, b, c = 1 && a != z]');
    expect(pattern.matchMessage('x q 1')).not.toBeNull();
    expect(pattern.matchMessage('w y 1')).not.toBeNull();
    expect(pattern.matchMessage('w q 1')).toBeNull();
    expect(pattern.matchMessage('x q 2')).toBeNull();
    const backwards = compile('[..., first, ..., last = 9 && first = 1]');
    expect(backwards.matchMessage('0 1 2 9')).toEqual({ $1: '0', $first: '1', $3: '2', $last: '9' });
    expect(backwards.matchMessage('0 2 9')).toBeNull();
  });

  test('a condition on a name the pattern lacks is never true (the doc writes such a pattern)', () => {
    expect(matches('[a = 1 || nothere = 2]', '1')).toBe(true);
    expect(matches('[a = 1 && nothere = 2]', '1')).toBe(false);
    expect(matches('[a = 1 && nothere != 2]', '1')).toBe(false);
  });

  test('numeric conditions need numeric text; = compares text', () => {
    expect(matches('[n > 10]', '11')).toBe(true);
    expect(matches('[n > 10]', '1.1e1')).toBe(true);
    expect(matches('[n > 10]', 'eleven')).toBe(false);
    expect(matches('[n = 200]', '200')).toBe(true);
    expect(matches('[n = 200]', '200.0')).toBe(false);
    expect(matches('[n != 200]', 'abc')).toBe(true);
  });

  test('quoted values and regex values', () => {
    expect(matches('[..., req = "GET /index*"]', 'x "GET /index.html HTTP/1.0"')).toBe(true);
    expect(matches('[..., req = %^GET /[a-z]+\\.html%]', 'x "GET /index.html HTTP/1.0"')).toBe(true);
    expect(matches('[..., req = %^POST%]', 'x "GET /index.html HTTP/1.0"')).toBe(false);
  });

  test('matchEvent splits the JSON text', () => {
    expect(compile('[one]').matchEvent({ a: 1 })).toBe(true);
    expect(compile('[one]').matchEvent({ a: 'x y' })).toBe(false);
    expect(compile('[...]').matchEvent(undefined)).toBe(false);
  });

  test('many ellipses over a long message stay fast', () => {
    const pattern = compile(`[${Array.from({ length: 20 }, (_, i) => `..., x${i} = a`).join(', ')}, ..., y = b]`);
    const message = Array.from({ length: 400 }, () => 'a').join(' ');
    const started = performance.now();
    expect(pattern.matchMessage(message)).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('a condition that reads back across several ellipses stays fast too', () => {
    const fields = Array.from({ length: 6 }, (_, i) => `..., x${i} = a`).join(', ');
    const pattern = compile(`[first, ${fields}, ..., y = b && first = a]`);
    const started = performance.now();
    expect(pattern.matchMessage(Array.from({ length: 120 }, () => 'a').join(' '))).toBeNull();
    expect(pattern.matchMessage(`a ${Array.from({ length: 118 }, () => 'a').join(' ')} b`)).not.toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

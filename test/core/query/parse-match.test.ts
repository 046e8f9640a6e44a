import { describe, expect, test } from '@jest/globals';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import type { TrailQuery, UsageError } from '../../../src/core/trail-query.js';

function query(text: string): TrailQuery {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`expected a query for ${text}, got ${JSON.stringify(parsed)}`);
  return parsed.query;
}

function usageError(text: string): UsageError {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'error') throw new Error(`expected an error for ${text}, got ${JSON.stringify(parsed)}`);
  expect(parseTrailQuery(parsed.error.example).kind).toBe('query');
  return parsed.error;
}

describe('match <pattern> [modifiers]', () => {
  test.each<[string, string]>([
    ['match { $.errorCode = "AccessDenied" }', '{ $.errorCode = "AccessDenied" }'],
    ['match {$.eventName=ConsoleLogin}', '{$.eventName=ConsoleLogin}'],
    ['MATCH { ($.a = 1) && ($.b = "x } y") }', '{ ($.a = 1) && ($.b = "x } y") }'],
    ['match { $.msg = %^a{2,3}% }', '{ $.msg = %^a{2,3}% }'],
    ['match [ip, user, ..., status = 4*]', '[ip, user, ..., status = 4*]'],
    ['match ERROR -Exiting', 'ERROR -Exiting'],
    ['match ?ERROR ?WARN', '?ERROR ?WARN'],
    ['match "Failed authentication"', '"Failed authentication"'],
  ])('%s → pattern %s', (text, pattern) => {
    const q = query(text);
    expect(q.verb).toBe('match');
    expect(q.filters.pattern).toBe(pattern);
    expect(q.window).toEqual({ kind: 'default' });
  });

  test('modifiers after a JSON pattern are read as usual, in any order', () => {
    const q = query('match { $.eventSource = "iam.amazonaws.com" } in eu-west-1 since 2d public limit 5');
    expect(q.filters.pattern).toBe('{ $.eventSource = "iam.amazonaws.com" }');
    expect(q.window).toEqual({ kind: 'since', ms: 2 * 86_400_000, text: '2d' });
    expect(q.regions).toEqual(['eu-west-1']);
    expect(q.public).toBe(true);
    expect(q.limit).toBe(5);
  });

  test('a term pattern runs up to the first modifier word; a quoted modifier word is a term', () => {
    expect(query('match ERROR Exception since 1d').filters.pattern).toBe('ERROR Exception');
    expect(query('match ERROR Exception since 1d').window).toMatchObject({ kind: 'since', text: '1d' });
    expect(query('match "since" ERROR').filters.pattern).toBe('"since" ERROR');
  });

  test('curly quotes from Slack or a phone are straightened; outside strings, spaces collapse', () => {
    const q = query('match {  $.errorCode  =  “AccessDenied” }');
    expect(q.filters.pattern).toBe('{ $.errorCode = "AccessDenied" }');
    expect(query('match { $.m = "a   b" }').filters.pattern).toBe('{ $.m = "a   b" }');
  });

  test('the query text reads back to the same query', () => {
    for (const text of [
      'match { $.errorCode = "AccessDenied*" } since 2d',
      'match ?ERROR ?"Failed authentication" in us-east-1',
      'match [a, b = 4*, ...] limit 3',
    ]) {
      const q = query(text);
      expect(query(q.text)).toEqual(q);
    }
  });

  test('a pattern that cannot be read is a usage error that says where, with an example that parses', () => {
    const error = usageError('match { $.errorCode = } since 2d');
    expect(error.word).toBe('{ $.errorCode = }');
    expect(error.message).toMatch(/cannot be read/);
    expect(error.message).toMatch(/column \d+/);
    expect(error.example).toBe('match { $.errorCode = "AccessDenied*" } since 2d');
  });

  test.each([
    'match { $.eventName = "ConsoleLogin"',
    'match { ($.a = 1 }',
    'match { $.a == 1 }',
    'match { a = 1 }',
    'match [a, b',
  ])('%s is a usage error naming the pattern', (text) => {
    const error = usageError(text);
    expect(error.word).not.toBeNull();
    expect(text).toContain(error.word ?? '');
    expect(error.message).not.toMatch(/\n|undefined|TypeError/);
  });

  test('match with no pattern says what to type', () => {
    const error = usageError('match');
    expect(error.word).toBeNull();
    expect(error.message).toMatch(/filter pattern/);
    expect(error.example).toBe('match { $.errorCode = "AccessDenied*" } since 1d');
  });

  test.each([
    ['match public', 'public', 'match { $.errorCode = "AccessDenied*" } public'],
    ['match since 2d in eu-west-1', 'since', 'match { $.errorCode = "AccessDenied*" } since 2d in eu-west-1'],
  ])('%s: a modifier where the pattern goes is named, and quoting it is suggested', (text, word, example) => {
    const error = usageError(text);
    expect(error.word).toBe(word);
    expect(error.message).toContain(`pattern before \`${word}\``);
    expect(error.message).toContain('quote it');
    expect(error.example).toBe(example);
    expect(query(`match "${word}"`).filters.pattern).toBe(`"${word}"`);
  });

  test('a bad modifier after a good pattern is named, and the example keeps the pattern', () => {
    const error = usageError('match { $.eventName = StopInstances } sinc 2d');
    expect(error.word).toBe('sinc');
    expect(error.example).toBe('match { $.eventName = StopInstances } since 2d');
  });
});

describe('scan [modifiers]', () => {
  test('takes no target, and modifiers as usual', () => {
    const q = query('scan since 7d in all');
    expect(q.verb).toBe('scan');
    expect(q.window).toMatchObject({ kind: 'since', text: '7d' });
    expect(q.regions).toBe('all');
    expect(q.filters.pattern).toBeNull();
  });

  test('a stray word after scan is named', () => {
    const error = usageError('scan everything since 1d');
    expect(error.word).toBe('everything');
    expect(error.example).toBe('scan since 1d');
  });

  test.each([
    ['cis since 1d', 'scan'],
    ['pattern { $.a = 1 }', 'match'],
  ])('the alias in %s suggests %s', (text, verb) => {
    expect(usageError(text).message).toContain(`\`${verb}\``);
  });
});

/**
 * JSON pattern rules beyond the doc's examples: the missing-field rule, where `*` is a wildcard, quoted keys, regex
 * values and their limits, keywords, and what counts as a JSON event.
 */
import { describe, expect, test } from '@jest/globals';
import { parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';
import { compile, verdict } from './compile-pattern.js';

describe('a path that does not resolve fails every comparison, != included', () => {
  test.each([
    '{ $.userIdentity.invokedBy != "x" }',
    '{ $.userIdentity.invokedBy != x* }',
    '{ $.userIdentity.invokedBy != 5 }',
    '{ $.userIdentity.invokedBy != %x% }',
    '{ $.userIdentity.invokedBy = * }',
    '{ $.userIdentity.invokedBy < 5 }',
  ])('%s', (text) => {
    expect(verdict(text, { userIdentity: { type: 'IAMUser' } })).toBe(false);
    expect(verdict(text, { userIdentity: 'IAMUser' })).toBe(false);
    expect(verdict(text, { userIdentity: ['invokedBy'] })).toBe(false);
    expect(verdict(text, {})).toBe(false);
  });

  test('"absent or different" is written with NOT EXISTS', () => {
    const text = '{ ($.userIdentity.invokedBy NOT EXISTS) || ($.userIdentity.invokedBy != "x") }';
    expect(verdict(text, { userIdentity: {} })).toBe(true);
    expect(verdict(text, { userIdentity: { invokedBy: 'y' } })).toBe(true);
    expect(verdict(text, { userIdentity: { invokedBy: 'x' } })).toBe(false);
  });

  test('!= is true for present strings and numbers that differ, false for booleans and null', () => {
    expect(verdict('{ $.f != "x" }', { f: 'y' })).toBe(true);
    expect(verdict('{ $.f != "x" }', { f: 7 })).toBe(true);
    expect(verdict('{ $.f != "x" }', { f: true })).toBe(false);
    expect(verdict('{ $.f != "x" }', { f: null })).toBe(false);
    expect(verdict('{ $.f != "x" }', { f: { x: 1 } })).toBe(false);
    expect(verdict('{ $.f != "x" }', { f: 'x' })).toBe(false);
  });

  test('NOT EXISTS is true only when the path does not resolve; EXISTS (extension) is its opposite', () => {
    expect(verdict('{ $.a.b NOT EXISTS }', { a: {} })).toBe(true);
    expect(verdict('{ $.a.b NOT EXISTS }', { a: 'text' })).toBe(true);
    expect(verdict('{ $.a.b NOT EXISTS }', { a: { b: null } })).toBe(false);
    expect(verdict('{ $.a.b NOT EXISTS }', { a: { b: {} } })).toBe(false);
    expect(verdict('{ $.a.b EXISTS }', { a: { b: null } })).toBe(true);
    expect(verdict('{ $.a.b EXISTS }', { a: {} })).toBe(false);
    expect(verdict('{ $.a[1] NOT EXISTS }', { a: [0] })).toBe(true);
    expect(verdict('{ $.a[0] EXISTS }', { a: [0] })).toBe(true);
  });

  test("inherited properties do not resolve: $.constructor is not Object.prototype's", () => {
    expect(verdict('{ $.constructor NOT EXISTS }', {})).toBe(true);
    expect(verdict('{ $.toString NOT EXISTS }', { a: 1 })).toBe(true);
    expect(verdict('{ $.a.__proto__ NOT EXISTS }', { a: {} })).toBe(true);
    expect(verdict('{ $.a.length NOT EXISTS }', { a: [1, 2] })).toBe(true);
    expect(verdict('{ $.constructor = x }', JSON.parse('{"constructor":"x"}'))).toBe(true);
    expect(verdict('{ $.a.__proto__ = x }', JSON.parse('{"a":{"__proto__":"x"}}'))).toBe(true);
  });

  test('= does not match booleans or null, even written as words', () => {
    expect(verdict('{ $.f = true }', { f: true })).toBe(false);
    expect(verdict('{ $.f = null }', { f: null })).toBe(false);
    expect(verdict('{ $.f = true }', { f: 'true' })).toBe(true);
    expect(verdict('{ $.f = * }', { f: null })).toBe(false);
    expect(verdict('{ $.f = * }', { f: '' })).toBe(true);
    expect(verdict('{ $.f = * }', { f: 0 })).toBe(true);
  });
});

describe('wildcards: * at the start and/or end of a value', () => {
  test.each<[string, string, boolean]>([
    ['*Event', 'PutEvent', true],
    ['*Event', 'PutEvents', false],
    ['Event*', 'EventId', true],
    ['Event*', 'MyEventId', false],
    ['*html*', '/index.html?x', true],
    ['*html*', 'htm', false],
    ['Ev*ent', 'Ev*ent', true],
    ['Ev*ent', 'Event', false],
    ['Ev*ent', 'Evxent', false],
    ['"Ev*ent"', 'Ev*ent', true],
    ['"Ev*ent"', 'EvXent', false],
    ['"AccessDenied*"', 'AccessDeniedException', true],
    ['"AccessDenied*"', 'Client.AccessDenied', false],
    ['"*UnauthorizedOperation"', 'Client.UnauthorizedOperation', true],
    ['"*UnauthorizedOperation"', 'UnauthorizedOperationX', false],
    ['123.123.*', '123.123.9.9', true],
    ['123.123.*', '10.123.123.1', false],
    ['*', '', true],
    ['**', 'anything', true],
    ['"*"', 'x', true],
    ['"a b*"', 'a b c', true],
  ])('%s vs %j → %s', (value, field, expected) => {
    expect(verdict(`{ $.f = ${value} }`, { f: field })).toBe(expected);
    expect(verdict(`{ $.f != ${value} }`, { f: field })).toBe(!expected);
  });

  test('a wildcard matches a number through its JSON text', () => {
    expect(verdict('{ $.status = 4* }', { status: 404 })).toBe(true);
    expect(verdict('{ $.status = 4* }', { status: 504 })).toBe(false);
    expect(verdict('{ $.status != 4* }', { status: 504 })).toBe(true);
    expect(verdict('{ $.v = *.5 }', { v: 2.5 })).toBe(true);
  });
});

describe('selectors', () => {
  test('bracket-quoted keys select keys with other characters', () => {
    const event = { 'key with.dots': 'v', a: { "it's": 1, 'x-y': 'z' }, '': { e: 'empty' } };
    expect(verdict('{ $["key with.dots"] = v }', event)).toBe(true);
    expect(verdict("{ $['key with.dots'] = v }", event)).toBe(true);
    expect(verdict('{ $.["key with.dots"] = v }', event)).toBe(true);
    expect(verdict("{ $.a['it\\'s'] = 1 }", event)).toBe(true);
    expect(verdict('{ $.a.x-y = z }', event)).toBe(true);
    expect(verdict('{ $[""].e = empty }', event)).toBe(true);
    expect(parseFilterPattern('{ $.key with.dots = v }').ok).toBe(false);
  });

  test('indexes nest and only apply to arrays', () => {
    expect(verdict('{ $.m[1][0] = b }', { m: [['a'], ['b']] })).toBe(true);
    expect(verdict('{ $.m[0] = a }', { m: { 0: 'a' } })).toBe(false);
    expect(verdict('{ $.m[2] IS NULL }', { m: [1, 2, null] })).toBe(true);
    expect(verdict('{ $.m[99999999999999999999] NOT EXISTS }', { m: [1] })).toBe(true);
  });

  test('names may carry @, - and _', () => {
    expect(verdict('{ $.@timestamp = 1 && $.a_b-c = 2 }', { '@timestamp': 1, 'a_b-c': 2 })).toBe(true);
  });
});

describe('regex values', () => {
  test('tested unanchored against strings and number texts', () => {
    expect(verdict('{ $.msg = %ERR[0-9]+% }', { msg: 'x ERR42 y' })).toBe(true);
    expect(verdict('{ $.msg = %^ERR[0-9]+$% }', { msg: 'x ERR42 y' })).toBe(false);
    expect(verdict('{ $.msg = %^4[0-9]{2}$% }', { msg: 404 })).toBe(true);
    expect(verdict('{ $.msg != %^4% }', { msg: 'x' })).toBe(true);
    expect(verdict('{ $.msg != %^4% }', {})).toBe(false);
    expect(verdict('{ $.msg = %a|b% }', { msg: 'b' })).toBe(true);
    expect(verdict('{ $.msg = %Failed login% }', { msg: 'Failed login for x' })).toBe(true);
  });

  test('case sensitive, and two are allowed', () => {
    expect(verdict('{ $.a = %abc% || $.b = %def% }', { a: 'ABC', b: 'xdefx' })).toBe(true);
    expect(verdict('{ $.a = %abc% && $.b = %def% }', { a: 'ABC', b: 'xdefx' })).toBe(false);
  });

  test('a third regex is a fault, wherever it is', () => {
    for (const text of ['{ $.a = %a% || $.b = %b% || $.c = %c% }', '%a% %b% %c%', '[x = %a%, y = %b%, z = %c%]']) {
      const parsed = parseFilterPattern(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.message).toContain('at most 2 regexes');
    }
  });

  test.each<[string, string]>([
    ['{ $.a = %(ab)% }', '"("'],
    ['{ $.a = %ab)% }', '")"'],
    ['{ $.a = %é% }', 'multibyte'],
    ['{ $.a = %😀% }', '"😀"'],
    ['{ $.a = %a!% }', '"!"'],
    ['{ $.a = %a"b% }', '"\\""'],
  ])('%s is rejected naming %s', (text, named) => {
    const parsed = parseFilterPattern(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toContain(named);
  });

  test('every documented character is accepted', () => {
    const pattern = compile('{ $.a = %^aZ09:_#=@/;, -x?[a]{1}|\\*+.$% }');
    expect(pattern.matchEvent({ a: 'aZ09:_#=@/;, -a' })).toBe(true);
    expect(pattern.matchEvent({ a: 'x**y' })).toBe(true);
    expect(pattern.matchEvent({ a: 'xy' })).toBe(false);
  });
});

describe('what a JSON pattern reads', () => {
  test('only JSON objects: text, arrays and bare values match nothing, not even NOT EXISTS', () => {
    const pattern = compile('{ $.x NOT EXISTS }');
    expect(pattern.matchMessage('{}')).toEqual({});
    expect(pattern.matchMessage('  {"y": 1}  ')).toEqual({});
    expect(pattern.matchMessage('not json')).toBeNull();
    expect(pattern.matchMessage('[1, 2]')).toBeNull();
    expect(pattern.matchMessage('"text"')).toBeNull();
    expect(pattern.matchMessage('null')).toBeNull();
    expect(pattern.matchMessage('{"x": 1')).toBeNull();
    expect(pattern.matchEvent(null)).toBe(false);
    expect(pattern.matchEvent([{}])).toBe(false);
    expect(pattern.matchEvent('{}')).toBe(false);
    expect(pattern.matchEvent(undefined)).toBe(false);
  });

  test('values JSON.stringify drops or rewrites read as it writes them', () => {
    expect(verdict('{ $.u NOT EXISTS }', { u: undefined })).toBe(true);
    expect(verdict('{ $.f NOT EXISTS }', { f: () => 1 })).toBe(true);
    expect(verdict('{ $.n IS NULL }', { n: Number.NaN })).toBe(true);
    expect(verdict('{ $.n = * }', { n: Number.POSITIVE_INFINITY })).toBe(false);
    expect(verdict('{ $.a[0] IS NULL }', { a: [undefined] })).toBe(true);
    expect(verdict('{ $.z = 0 }', { z: -0 })).toBe(true);
  });

  test('keywords are uppercase and whole words', () => {
    expect(parseFilterPattern('{ $.a is null }').ok).toBe(false);
    expect(parseFilterPattern('{ $.a IS Null }').ok).toBe(false);
    expect(parseFilterPattern('{ $.a NOT EXISTS}').ok).toBe(true);
    expect(parseFilterPattern('{ $.a IS NULL&&$.b IS TRUE }').ok).toBe(true);
    expect(parseFilterPattern('{($.a EXISTS)}').ok).toBe(true);
  });

  test('compact spelling without spaces', () => {
    expect(verdict('{$.a=1&&$.b!=x||$.c=y}', { c: 'y' })).toBe(true);
    expect(verdict('{$.a=1&&$.b!=x||$.c=y}', { a: 1, b: 'z' })).toBe(true);
    expect(verdict('{$.a=1&&$.b!=x||$.c=y}', { a: 1, b: 'x' })).toBe(false);
  });

  test('quoted strings keep spaces and unescape \\" and \\\\', () => {
    expect(verdict('{ $.m = "say \\"hi\\"" }', { m: 'say "hi"' })).toBe(true);
    expect(verdict('{ $.m = "C:\\\\temp" }', { m: 'C:\\temp' })).toBe(true);
    expect(verdict('{ $.m = "C:\\temp" }', { m: 'C:\\temp' })).toBe(true);
    expect(verdict('{ $.m = "Failed authentication" }', { m: 'Failed authentication' })).toBe(true);
  });

  test('numeric operators compare numeric strings but not other text', () => {
    expect(verdict('{ $.n > 5 }', { n: '6' })).toBe(true);
    expect(verdict('{ $.n > 5 }', { n: '6e0' })).toBe(true);
    expect(verdict('{ $.n > 5 }', { n: ' 6' })).toBe(false);
    expect(verdict('{ $.n > 5 }', { n: '0x10' })).toBe(false);
    expect(verdict('{ $.n > 5 }', { n: '' })).toBe(false);
  });

  test('deep nesting of parentheses parses and evaluates', () => {
    const depth = 300;
    const text = `{ ${'('.repeat(depth)}$.a = 1${')'.repeat(depth)} }`;
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(verdict(text, { a: 1 })).toBe(true);
  });
});

/**
 * Every example of CloudWatch Logs' "Filter and pattern syntax" doc (JSON, numeric, compound, term, OR and
 * space-delimited), each checked both ways: the events the doc says match, and events built to just miss.
 */
import { describe, expect, test } from '@jest/globals';
import { testMetricFilter } from '../../../src/core/filter-pattern/test-metric-filter.js';
import { compile, verdict } from './compile-pattern.js';

/** 1-based numbers of the messages that match, as TestMetricFilter reports them. */
function matching(text: string, messages: readonly string[]): number[] {
  return testMetricFilter(compile(text), messages).matches.map((m) => m.eventNumber);
}

describe('JSON example event', () => {
  const event = {
    eventType: 'UpdateTrail',
    sourceIPAddress: '111.111.111.111',
    arrayKey: ['value', 'another value'],
    objectList: [
      { name: 'a', id: 1 },
      { name: 'b', id: 2 },
    ],
    SomeObject: null,
    ThisFlag: true,
  };

  test.each([
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
  ])('%s matches the doc event', (text) => {
    expect(compile(text).kind).toBe('json');
    expect(verdict(text, event)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['{ $.eventType = "UpdateTrail" }', { ...event, eventType: 'CreateTrail' }],
    ['{ $.eventType = "UpdateTrail" }', { ...event, eventType: 'updatetrail' }],
    ['{ $.sourceIPAddress != 123.123.* }', { ...event, sourceIPAddress: '123.123.4.5' }],
    ['{ $.arrayKey[0] = "value" }', { ...event, arrayKey: ['another value', 'value'] }],
    ['{ $.arrayKey[0] = "value" }', { ...event, arrayKey: 'value' }],
    ['{ $.objectList[1].id = 2 }', { ...event, objectList: [{ id: 2 }] }],
    ['{ $.objectList[1].id = 2 }', { ...event, objectList: [{ id: 2 }, { name: 'b' }] }],
    ['{ $.SomeObject IS NULL }', { ...event, SomeObject: {} }],
    ['{ $.SomeObject IS NULL }', { ThisFlag: true }],
    ['{ $.SomeOtherObject NOT EXISTS }', { ...event, SomeOtherObject: null }],
    ['{ $.ThisFlag IS TRUE }', { ...event, ThisFlag: 'true' }],
    ['{ $.ThisFlag IS FALSE }', event],
  ])('%s does not match %j', (text, other) => {
    expect(verdict(text, other)).toBe(false);
  });

  test('IS FALSE matches false only', () => {
    expect(verdict('{ $.ThisFlag IS FALSE }', { ThisFlag: false })).toBe(true);
    expect(verdict('{ $.ThisFlag IS FALSE }', { ThisFlag: null })).toBe(false);
    expect(verdict('{ $.ThisFlag IS FALSE }', { ThisFlag: 0 })).toBe(false);
  });
});

describe('JSON compound conditions', () => {
  const event = {
    user: { id: 1, email: 'John.Stiles@example.com' },
    users: [
      { id: 2, email: 'John.Doe@example.com' },
      { id: 3, email: 'Jane.Doe@example.com' },
    ],
    actions: ['GET', 'PUT', 'DELETE'],
    coordinates: [
      [0, 1, 2],
      [4, 5, 6],
      [7, 8, 9],
    ],
  };

  test.each<[string, boolean]>([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', true],
    [
      '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
      false,
    ],
    // Each part on its own, so the verdicts above come from the operators and not from a lucky part.
    ['{ $.coordinates[0][1] = 1 }', true],
    ['{ $.coordinates[2][2] = 9 && $.actions[2] = DELETE }', true],
    ['{ $.actions[2] = "GET" }', false],
  ])('%s → %s', (text, expected) => {
    expect(verdict(text, event)).toBe(expected);
  });

  test('a selector pointing at an array matches neither = nor !=', () => {
    expect(verdict('{$.users = 1}', { users: [1, 2, 3] })).toBe(false);
    expect(verdict('{$.users != 1}', { users: [1, 2, 3] })).toBe(false);
    expect(verdict('{$.users != 1}', { users: { id: 1 } })).toBe(false);
    expect(verdict('{$.users != 1}', { users: 2 })).toBe(true);
  });

  test('OR in JSON patterns: {"foo":"bar"} and {"foo":"baz"}', () => {
    const messages = ['{"foo": "bar"}', '{"foo": "baz"}'];
    expect(matching('{$.foo = bar}', messages)).toEqual([1]);
    expect(matching('{$.foo = baz }', messages)).toEqual([2]);
    expect(matching('{$.foo = bar || $.foo = baz }', messages)).toEqual([1, 2]);
  });
});

describe('numeric comparisons', () => {
  test.each<[string, unknown, boolean]>([
    ['{ $.latency >= 500 }', { latency: 500 }, true],
    ['{ $.latency >= 500 }', { latency: 1200.5 }, true],
    ['{ $.latency >= 500 }', { latency: 499.99 }, false],
    ['{ $.latency >= 500 }', { latency: '600' }, true],
    ['{ $.latency >= 500 }', { latency: 'slow' }, false],
    ['{ $.latency >= 500 }', { latency: true }, false],
    ['{ $.latency >= 500 }', {}, false],
    ['{ $.numbers[0] < 10e3 }', { numbers: [9999] }, true],
    ['{ $.numbers[0] < 10e3 }', { numbers: [10000] }, false],
    ['{ $.numbers[0] < 10e-3 }', { numbers: [0.001] }, true],
    ['{ $.numbers[0] < 10e-3 }', { numbers: [0.01] }, false],
    ['{ $.numbers[0] < 10e-3 }', { numbers: [-5, 0] }, true],
    ['{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }] }, true],
    ['{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, {}, { averageRuntime: 55.51 }] }, false],
    ['{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, { averageRuntime: 1 }] }, false],
    ['{ $.errorCode = 400 }', { errorCode: 400 }, true],
    ['{ $.errorCode = 400 }', { errorCode: '400' }, true],
    ['{ $.errorCode = 400 }', { errorCode: 400.0 }, true],
    ['{ $.errorCode = 400 }', { errorCode: 404 }, false],
    ['{ $.errorCode = 400 }', { errorCode: '400.0' }, false],
    ['{ $.errorCode != 500 }', { errorCode: 400 }, true],
    ['{ $.errorCode != 500 }', { errorCode: 'InternalError' }, true],
    ['{ $.errorCode != 500 }', { errorCode: 500 }, false],
    ['{ $.errorCode != 500 }', { errorCode: '500' }, false],
    ['{ $.errorCode != 500 }', {}, false],
    ['{ $.latency > +1000 }', { latency: 1001 }, true],
    ['{ $.latency > +1000 }', { latency: 1000 }, false],
    ['{ $.x = 1.0 }', { x: 1 }, true],
    ['{ $.x = 1e3 }', { x: 1000 }, true],
    ['{ $.x = -0.5 }', { x: -0.5 }, true],
  ])('%s on %j → %s', (text, event, expected) => {
    expect(verdict(text, event)).toBe(expected);
  });
});

describe('terms in unstructured log events', () => {
  const fatal = '[ERROR] A fatal exception has occurred';
  const exiting = 'Exiting with ERRORCODE: -1';

  test('a single term matches anywhere, case sensitively', () => {
    expect(matching('ERROR', [fatal, exiting, 'error: lowercase'])).toEqual([1, 2]);
    expect(compile('ERROR').kind).toBe('terms');
  });

  test('"ERROR" -"Exiting" excludes the exiting line', () => {
    expect(matching('"ERROR" -"Exiting"', [fatal, exiting])).toEqual([1]);
    // The older doc writes the minus apart from its term.
    expect(matching('"ERROR" - "Exiting"', [fatal, exiting])).toEqual([1]);
  });

  test('ERROR Exception needs both terms', () => {
    const lines = ['[ERROR] Caught IllegalArgumentException', '[ERROR] Unhandled Exception', fatal, 'Exception alone'];
    expect(matching('ERROR Exception', lines)).toEqual([1, 2]);
  });

  test('Failed to process the request needs all five words', () => {
    const lines = [
      '[WARN] Failed to process the request',
      '[ERROR] Unable to continue: Failed to process the request',
      '[WARN] Failed to process',
      'the request to process Failed',
    ];
    expect(matching('Failed to process the request', lines)).toEqual([1, 2, 4]);
    expect(matching('"Failed to process the request"', lines)).toEqual([1, 2]);
  });

  test('OR pattern matching over the three-line example', () => {
    const lines = ['ERROR WARN message', 'ERROR message', 'WARN message'];
    expect(matching('ERROR', lines)).toEqual([1, 2]);
    expect(matching('?ERROR ?WARN', lines)).toEqual([1, 2, 3]);
    expect(matching('ERROR WARN', lines)).toEqual([1]);
    expect(matching('ERROR -WARN', lines)).toEqual([2]);
  });
});

describe('space-delimited log events', () => {
  const apache = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
    // Two more, so each condition below also fails somewhere.
    '127.0.0.1 - frank [10/Oct/2000:14:01:00 -0700] "GET /index.html HTTP/1.0" 404 512',
    '127.0.0.1 - frank [10/Oct/2000:14:02:00 -0700] "GET /secret.html HTTP/1.0" 403 2048',
  ];

  test.each<[string, number[]]>([
    ['[ip, user, username, timestamp, request, status_code, bytes]', [1, 2, 3, 4, 5]],
    ['[..., status_code, bytes]', [1, 2, 3, 4, 5]],
    ['[ip, user, ..., status_code, bytes]', [1, 2, 3, 4, 5]],
    ['[ip, user, ...]', [1, 2, 3, 4, 5]],
    ['[ip, user, username, timestamp, request, status_code]', []],
    ['[ip, user, username, timestamp, request, status_code, bytes, more]', []],
    ['[ip, user, username, timestamp, request, status_code, bytes > 1000]', [1, 2, 3, 5]],
    ['[ip, user, username, timestamp, request, status_code = 200, bytes]', [1, 3]],
    ['[ip, user, username, timestamp, request, status_code = 4*, bytes]', [4, 5]],
    ['[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', [4, 5]],
    ['[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]', []],
    ['[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]', [5]],
    ['[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]', [4]],
  ])('%s → %j', (text, expected) => {
    expect(compile(text).kind).toBe('delimited');
    expect(matching(text, apache)).toEqual(expected);
  });

  test('named fields extract their text, brackets and quotes removed', () => {
    const result = testMetricFilter(compile('[ip, user, username, timestamp, request, status_code, bytes]'), apache);
    expect(result.matches[0]?.extractedValues).toEqual({
      $ip: '127.0.0.1',
      $user: '-',
      $username: 'frank',
      $timestamp: '10/Oct/2000:13:25:15 -0700',
      $request: 'GET /apache_pb.gif HTTP/1.0',
      $status_code: '200',
      $bytes: '1534',
    });
  });

  test('OR inside a field: [w1=ERROR || w1=WARN, w2]', () => {
    const lines = ['ERROR WARN message', 'ERROR message', 'WARN message'];
    expect(matching('[w1=ERROR, w2]', lines)).toEqual([2]);
    expect(matching('[w1=ERROR || w1=WARN, w2]', lines)).toEqual([2, 3]);
  });

  test("the doc's extracted-values example, exactly", () => {
    const message = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
    const result = testMetricFilter(compile('[..., request=*.html*, status_code=4*,]'), [message]);
    expect(result).toEqual({
      matches: [
        {
          eventNumber: 1,
          eventMessage: message,
          extractedValues: {
            $status_code: '404',
            $request: 'GET /index.html HTTP/1.0',
            $7: '1534',
            $4: '10/Oct/2000:13:25:15 -0700',
            $3: 'frank',
            $2: '-',
            $1: '127.0.0.1',
          },
        },
      ],
    });
  });
});

describe('match-all patterns', () => {
  test.each(['', '   ', '\t\n', '""', '" "', '  " "  '])('%j matches every event', (text) => {
    const pattern = compile(text);
    expect(pattern.kind).toBe('all');
    expect(pattern.matchMessage('anything at all')).toEqual({});
    expect(pattern.matchMessage('')).toEqual({});
    expect(pattern.matchEvent({ a: 1 })).toBe(true);
    expect(pattern.pinnedValues('eventName')).toBeNull();
  });
});

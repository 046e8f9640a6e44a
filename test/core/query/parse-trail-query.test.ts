import { describe, expect, test } from '@jest/globals';
import {
  MAX_QUERY_LENGTH,
  parseTrailQuery,
  UNREADABLE_QUERY_MESSAGE,
} from '../../../src/core/query/parse-trail-query.js';
import { HELP_TEXT } from '../../../src/core/query/usage.js';
import { NO_FILTERS, type QueryFilters, type TrailQuery, type UsageError } from '../../../src/core/trail-query.js';

function query(text: string): TrailQuery {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query')
    throw new Error(`expected a query for ${JSON.stringify(text)}, got ${JSON.stringify(parsed)}`);
  return parsed.query;
}

function usageError(text: string): UsageError {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'error')
    throw new Error(`expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(parsed)}`);
  expect(parsed.error.message).not.toBe(UNREADABLE_QUERY_MESSAGE);
  // Every example is itself a complete, correct query.
  expect(parseTrailQuery(parsed.error.example).kind).toBe('query');
  return parsed.error;
}

describe('verbs', () => {
  test.each<[string, TrailQuery['verb'], Partial<QueryFilters>]>([
    ['who i-0abc', 'who', { resource: 'i-0abc' }],
    ['who arn:aws:iam::123456789012:role/Admin', 'who', { resource: 'arn:aws:iam::123456789012:role/Admin' }],
    ['who sg-0123456789abcdef0', 'who', { resource: 'sg-0123456789abcdef0' }],
    ['user alice', 'user', { user: 'alice' }],
    [
      'user AWSReservedSSO_Admin_0123/alice@example.com',
      'user',
      { user: 'AWSReservedSSO_Admin_0123/alice@example.com' },
    ],
    ['event StopInstances', 'event', { eventName: 'StopInstances' }],
    ['event GetDistribution2020_05_31', 'event', { eventName: 'GetDistribution2020_05_31' }],
    ['errors', 'errors', { errorsOnly: true }],
    ['errors who i-0abc', 'errors', { errorsOnly: true, resource: 'i-0abc' }],
    ['errors user alice', 'errors', { errorsOnly: true, user: 'alice' }],
    ['errors event ConsoleLogin', 'errors', { errorsOnly: true, eventName: 'ConsoleLogin' }],
    ['errors ip 203.0.113.0/24', 'errors', { errorsOnly: true, ip: '203.0.113.0/24' }],
    ['errors key AKIAIOSFODNN7EXAMPLE', 'errors', { errorsOnly: true, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
    ['ip 203.0.113.7', 'ip', { ip: '203.0.113.7' }],
    ['ip 2001:db8::/32', 'ip', { ip: '2001:db8::/32' }],
    ['ip 203.0.113.7 who i-0abc', 'ip', { ip: '203.0.113.7', resource: 'i-0abc' }],
    ['ip 203.0.113.7 user alice', 'ip', { ip: '203.0.113.7', user: 'alice' }],
    ['ip 203.0.113.7 event RunInstances', 'ip', { ip: '203.0.113.7', eventName: 'RunInstances' }],
    ['key AKIAIOSFODNN7EXAMPLE', 'key', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
    ['key FAKE_ACCESS_KEY', 'key', { accessKeyId: 'FAKE_ACCESS_KEY' }],
    ['id 3038ebd2-c98a-4c65-9b6e-e22506292313', 'id', { eventId: '3038ebd2-c98a-4c65-9b6e-e22506292313' }],
    ['id 1111', 'id', { eventId: '1111' }],
  ])('%s', (text, verb, filters) => {
    const parsed = query(text);
    expect(parsed.verb).toBe(verb);
    expect(parsed.filters).toEqual({ ...NO_FILTERS, ...filters });
    expect(parsed).toMatchObject({
      text,
      window: { kind: 'default' },
      regions: null,
      account: null,
      access: null,
      limit: null,
      public: false,
    });
  });

  test('verbs and modifier words are case-insensitive; targets keep their case', () => {
    const parsed = query('WHO I-0ABC SINCE 2D In US-EAST-1 Public WRITES LiMiT 5');
    expect(parsed.verb).toBe('who');
    expect(parsed.filters.resource).toBe('I-0ABC');
    expect(parsed.window).toEqual({ kind: 'since', ms: 2 * 86_400_000, text: '2d' });
    expect(parsed.regions).toEqual(['us-east-1']);
    expect(parsed).toMatchObject({ public: true, access: 'writes', limit: 5 });
    expect(query('Errors USER Bob').filters).toMatchObject({ user: 'Bob', errorsOnly: true });
    expect(query('user "Alice Smith"').filters.user).toBe('Alice Smith');
  });

  test('the scope of errors and ip may come after the modifiers', () => {
    expect(query('errors since 2d user alice').filters).toMatchObject({ user: 'alice', errorsOnly: true });
    expect(query('ip 10.0.0.0/8 limit 5 event RunInstances').filters).toMatchObject({
      ip: '10.0.0.0/8',
      eventName: 'RunInstances',
    });
  });

  test('a quoted word is a target even when it spells a keyword', () => {
    expect(query('who "since"').filters.resource).toBe('since');
    expect(query('user “public” since 2d').filters.user).toBe('public');
    expect(query('errors who "my bucket" public')).toMatchObject({ filters: { resource: 'my bucket' }, public: true });
    expect(query('who help').filters.resource).toBe('help');
  });

  test('text is the query with whitespace collapsed', () => {
    expect(query('  who\ti-0abc \n\n since   2d  ').text).toBe('who i-0abc since 2d');
    expect(query('who "my  bucket"').text).toBe('who "my  bucket"');
    expect(query('who\u200B i-0abc').text).toBe('who i-0abc');
  });

  test.each(['help', 'HELP', '--help', '-h', '?', 'help since', 'help "unclosed'])('%s gives the help text', (text) => {
    expect(parseTrailQuery(text)).toEqual({ kind: 'help', text: HELP_TEXT });
  });
});

describe('modifiers', () => {
  test.each<[string, number, string]>([
    ['30m', 30 * 60_000, '30m'],
    ['2h', 2 * 3_600_000, '2h'],
    ['3d', 3 * 86_400_000, '3d'],
    ['1w', 7 * 86_400_000, '1w'],
    ['2H', 2 * 3_600_000, '2h'],
    ['02d', 2 * 86_400_000, '2d'],
    ['3650d', 3650 * 86_400_000, '3650d'],
  ])('since %s', (span, ms, text) => {
    expect(query(`who i-0abc since ${span}`).window).toEqual({ kind: 'since', ms, text });
  });

  test.each<[string, string, string | null]>([
    ['from 2015-03-29', '2015-03-29T00:00:00.000Z', null],
    ['from 2015-03-29T10:00:00Z', '2015-03-29T10:00:00.000Z', null],
    ['from 2015-03-29T10:00Z', '2015-03-29T10:00:00.000Z', null],
    ['from 2015-03-29T10:00+09:00', '2015-03-29T01:00:00.000Z', null],
    ['from 2015-03-29T10:00+0900', '2015-03-29T01:00:00.000Z', null],
    ['from 2015-03-29T10:00:30.25-05:30', '2015-03-29T15:30:30.250Z', null],
    ['from 2015-03-29t10:00z', '2015-03-29T10:00:00.000Z', null],
    ['from 2015-03-29 to 2015-03-29', '2015-03-29T00:00:00.000Z', '2015-03-29T23:59:59.999Z'],
    ['from 2015-03-29 to 2015-03-30', '2015-03-29T00:00:00.000Z', '2015-03-30T23:59:59.999Z'],
    ['from 2016-02-29 to 2016-02-29T12:00Z', '2016-02-29T00:00:00.000Z', '2016-02-29T12:00:00.000Z'],
    ['from 2015-03-29T10:00+09:00 to 2015-03-29T01:00Z', '2015-03-29T01:00:00.000Z', '2015-03-29T01:00:00.000Z'],
    ['from 2015-03-29 to now', '2015-03-29T00:00:00.000Z', null],
    ['FROM 2015-03-29 TO 2015-03-30', '2015-03-29T00:00:00.000Z', '2015-03-30T23:59:59.999Z'],
  ])('%s', (words, from, to) => {
    expect(query(`who i-0abc ${words}`).window).toEqual({ kind: 'range', from, to });
  });

  test.each<[string, string[] | 'all']>([
    ['in us-east-1', ['us-east-1']],
    ['in US-East-1,ap-northeast-1', ['us-east-1', 'ap-northeast-1']],
    ['in us-east-1, us-west-2', ['us-east-1', 'us-west-2']],
    ['in us-east-1 ,us-west-2', ['us-east-1', 'us-west-2']],
    ['in us-east-1,us-east-1,US-EAST-1', ['us-east-1']],
    ['in us-gov-west-1,cn-north-1,cn-northwest-1', ['us-gov-west-1', 'cn-north-1', 'cn-northwest-1']],
    ['in us-isob-east-1,eusc-de-east-1', ['us-isob-east-1', 'eusc-de-east-1']],
    ['in all', 'all'],
    ['in ALL', 'all'],
  ])('%s', (words, regions) => {
    expect(query(`who i-0abc ${words}`).regions).toEqual(regions);
  });

  test.each<[string, string]>([
    ['account 123456789012', '123456789012'],
    ['account 1234-5678-9012', '123456789012'],
    ['account prod', 'prod'],
    ['account Prod-EU', 'Prod-EU'],
  ])('%s', (words, account) => {
    expect(query(`who i-0abc ${words}`).account).toBe(account);
  });

  test('writes, reads, limit, public', () => {
    expect(query('who i-0abc writes').access).toBe('writes');
    expect(query('who i-0abc reads').access).toBe('reads');
    expect(query('who i-0abc limit 1').limit).toBe(1);
    expect(query('who i-0abc limit 10000').limit).toBe(10_000);
    expect(query('who i-0abc public').public).toBe(true);
  });

  test('modifiers in any order', () => {
    const a = query('user alice public limit 5 in us-east-1 since 2d reads account prod');
    const b = query('user alice account prod reads since 2d in us-east-1 limit 5 public');
    expect({ ...a, text: '' }).toEqual({ ...b, text: '' });
  });
});

describe('usage errors', () => {
  test.each<[string, string | null, string]>([
    // text, word at fault, example
    ['who i-0abc sinc 2d', 'sinc', 'who i-0abc since 2d'],
    ['who i-0abc form 2015-03-29', 'form', 'who i-0abc from 2015-03-29'],
    ['who i-0abc last 2d', 'last', 'who i-0abc since 2d'],
    ['who i-0abc --since 2d', '--since', 'who i-0abc since 2d'],
    ['who i-0abc region us-east-1', 'region', 'who i-0abc in us-east-1'],
    ['who i-0abc 2d', '2d', 'who i-0abc since 2d'],
    ['who i-0abc 2015-03-29', '2015-03-29', 'who i-0abc from 2015-03-29'],
    ['who i-0abc us-east-1', 'us-east-1', 'who i-0abc in us-east-1'],
    ['who i-0abc 123456789012', '123456789012', 'who i-0abc account 123456789012'],
    ['who my bucket since 2d', 'bucket', 'who "my bucket" since 2d'],
    ['wo i-0abc', 'wo', 'who i-0abc'],
    ['evnet StopInstances', 'evnet', 'event StopInstances'],
    ['events StopInstances', 'events', 'event StopInstances'],
    ['error user alice', 'error', 'errors user alice'],
    ['"who" i-0abc', '"who"', 'who i-0abc'],
    ['i-0abc since 2d', 'i-0abc', 'who i-0abc since 2d'],
    ['203.0.113.7', '203.0.113.7', 'ip 203.0.113.7'],
    ['StopInstances since 1d', 'StopInstances', 'event StopInstances since 1d'],
    ['since 2d', 'since', 'who i-0abc since 2d'],
    // Missing things: word null.
    ['who', null, 'who i-0abc'],
    ['who since 2d', null, 'who i-0abc since 2d'],
    ['user', null, 'user alice'],
    ['ip', null, 'ip 203.0.113.7'],
    ['errors who', null, 'errors who i-0abc'],
    ['errors user since 1d', null, 'errors user alice since 1d'],
    ['who i-0abc since', null, 'who i-0abc since 2d'],
    ['who i-0abc since public', null, 'who i-0abc since 2d public'],
    ['who i-0abc from', null, 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 2015-03-29 to', null, 'who i-0abc from 2015-03-29 to now'],
    ['who i-0abc in', null, 'who i-0abc in all'],
    ['who i-0abc account', null, 'who i-0abc account 123456789012'],
    ['who i-0abc limit', null, 'who i-0abc limit 50'],
    // Bad targets.
    ['ip 035.249.253.232', '035.249.253.232', 'ip 203.0.113.7'],
    ['ip cloudformation.amazonaws.com', 'cloudformation.amazonaws.com', 'ip 203.0.113.7'],
    ['ip 10.0.0.0/33', '10.0.0.0/33', 'ip 203.0.113.7'],
    ['event ec2:StopInstances', 'ec2:StopInstances', 'event StopInstances'],
    ['event Stop-Instances', 'Stop-Instances', 'event StopInstances'],
    ['key AKIA-123', 'AKIA-123', 'key AKIAIOSFODNN7EXAMPLE'],
    ['id not/an/id', 'not/an/id', 'id 3038ebd2-c98a-4c65-9b6e-e22506292313'],
    ['who ""', '""', 'who i-0abc'],
    // since.
    ['who i-0abc since 2 days', '2', 'who i-0abc since 2d'],
    ['who i-0abc since 2days', '2days', 'who i-0abc since 2d'],
    ['who i-0abc since 2', '2', 'who i-0abc since 2h'],
    ['who i-0abc since 0d', '0d', 'who i-0abc since 1d'],
    ['who i-0abc since -2d', '-2d', 'who i-0abc since 2d'],
    ['who i-0abc since 1.5h', '1.5h', 'who i-0abc since 90m'],
    ['who i-0abc since 3651d', '3651d', 'who i-0abc since 52w'],
    ['who i-0abc since 99999999999999999999w', '99999999999999999999w', 'who i-0abc since 52w'],
    ['who i-0abc since 3M', '3M', 'who i-0abc since 3m'],
    ['who i-0abc since 2mo', '2mo', 'who i-0abc since 60d'],
    ['who i-0abc since 30s', '30s', 'who i-0abc since 1m'],
    ['who i-0abc since 2x', '2x', 'who i-0abc since 2d'],
    ['who i-0abc since yesterday', 'yesterday', 'who i-0abc since 1d'],
    ['who i-0abc since 2015-03-29', '2015-03-29', 'who i-0abc from 2015-03-29'],
    // from / to.
    ['who i-0abc from 2015-03-29T10:00', '2015-03-29T10:00', 'who i-0abc from 2015-03-29T10:00Z'],
    ['who i-0abc from 2015-03-29 10:00Z', '10:00Z', 'who i-0abc from 2015-03-29T10:00Z'],
    ['who i-0abc from 2015-03-29 10:00', '10:00', 'who i-0abc from 2015-03-29T10:00Z'],
    ['who i-0abc from 2015-03-30 to 2015-03-29', '2015-03-29', 'who i-0abc from 2015-03-29 to 2015-03-30'],
    [
      'who i-0abc from 2015-03-29T10:00Z to 2015-03-29T18:00+09:00',
      '2015-03-29T18:00+09:00',
      'who i-0abc from 2015-03-29T18:00+09:00 to 2015-03-29T10:00Z',
    ],
    ['who i-0abc from 2015-02-30', '2015-02-30', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 2015-03-29T24:00Z', '2015-03-29T24:00Z', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 0001-01-01', '0001-01-01', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 1969-12-31T23:00Z', '1969-12-31T23:00Z', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 2015/3/29', '2015/3/29', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from 29/03/2015', '29/03/2015', 'who i-0abc from 2015-03-29'],
    ['who i-0abc from now', 'now', 'who i-0abc since 1h'],
    ['who i-0abc from 2d', '2d', 'who i-0abc since 2d'],
    ['who i-0abc to 2015-03-29', 'to', 'who i-0abc from 2015-03-29'],
    ['who i-0abc to 2015-03-30 from 2015-03-29', 'to', 'who i-0abc from 2015-03-29 to 2015-03-30'],
    ['who i-0abc since 2d from 2015-03-29', 'from', 'who i-0abc since 2d'],
    ['who i-0abc from 2015-03-29 since 2d', 'since', 'who i-0abc from 2015-03-29'],
    // Regions.
    ['who i-0abc in tokyo', 'tokyo', 'who i-0abc in ap-northeast-1'],
    ['who i-0abc in us-east-1,us-esat-2', 'us-esat-2', 'who i-0abc in us-east-1,us-east-2'],
    ['who i-0abc in us-east-1 us-west-2', 'us-west-2', 'who i-0abc in us-east-1,us-west-2'],
    ['who i-0abc in all,us-east-1', 'all', 'who i-0abc in all'],
    ['who i-0abc in global', 'global', 'who i-0abc in us-east-1'],
    ['who i-0abc in ,', ',', 'who i-0abc in all'],
    // Others.
    ['who i-0abc account 12345', '12345', 'who i-0abc account 123456789012'],
    ['who i-0abc account no/such', 'no/such', 'who i-0abc account 123456789012'],
    ['who i-0abc limit 0', '0', 'who i-0abc limit 1'],
    ['who i-0abc limit 10001', '10001', 'who i-0abc limit 10000'],
    ['who i-0abc limit 2.5', '2.5', 'who i-0abc limit 50'],
    ['who i-0abc limit -3', '-3', 'who i-0abc limit 50'],
    ['who i-0abc writes reads', 'reads', 'who i-0abc writes'],
    ['who i-0abc since 2d SINCE 3d', 'SINCE', 'who i-0abc since 2d'],
    ['who i-0abc public public', 'public', 'who i-0abc public'],
    ['who i-0abc in us-east-1 in all', 'in', 'who i-0abc in us-east-1'],
    ['who i-0abc user alice', 'user', 'who i-0abc'],
    ['who i-0abc who i-0def', 'who', 'who i-0abc'],
    ['ip 1.2.3.4 key AKIAIOSFODNN7EXAMPLE', 'key', 'ip 1.2.3.4'],
    ['errors who a user b', 'user', 'errors who a'],
    ['errors errors user alice', 'errors', 'errors user alice'],
    ['errors id 1111', 'id', 'errors'],
    ['who i-0abc errors', 'errors', 'errors who i-0abc'],
    ['who i-0abc since 2d foo', 'foo', 'who i-0abc since 2d'],
    // Lexical.
    ['who "my bucket', '"my bucket', 'who "my bucket"'],
    ['who “my bucket', '“my bucket', 'who “my bucket”'],
    ['who i-0abc\u0000 since 2d', 'i-0abc\u0000', 'who i-0abc since 2d'],
    ['who i-0\u202Eabc', 'i-0\u202Eabc', 'who i-0abc'],
  ])('%j → word %j, example %j', (text, word, example) => {
    const error = usageError(text);
    expect(error.word).toBe(word);
    expect(error.example).toBe(example);
    expect(error.message).toMatch(/^\S.*[.?]$/);
    expect(error.message).not.toMatch(/\n|Error:|at .*\(|undefined|null|NaN|\[object/);
  });

  test('an empty query is a usage error pointing to help', () => {
    for (const text of ['', '   ', '\n\t', '\u200B']) {
      const error = usageError(text);
      expect(error.word).toBeNull();
      expect(error.message).toContain('help');
      expect(error.example).toBe('who i-0abc since 2d');
    }
  });

  test('did-you-mean names the nearest word', () => {
    expect(usageError('who i-0abc sinc 2d').message).toContain('`since`');
    expect(usageError('wo i-0abc').message).toContain('`who`');
    expect(usageError('errors usr alice').message).toContain('`user`');
  });

  test('words that name Object.prototype members are ordinary words', () => {
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(usageError(word).message).not.toMatch(/object|function/i);
      expect(usageError(`who i-0abc ${word}`).word).toBe(word);
      expect(usageError(`who i-0abc since 2 ${word}`).word).toBe('2');
      expect(usageError(`who i-0abc in ${word}`).word).toBe(word);
      expect(usageError(`who i-0abc since 2${word}`).word).toBe(`2${word}`);
      expect(query(`who ${word}`).filters.resource).toBe(word);
    }
  });

  test('a query over the length cap is refused unread', () => {
    const error = usageError(`who ${'a'.repeat(MAX_QUERY_LENGTH)}`);
    expect(error.word).toBeNull();
    expect(error.message).toContain(String(MAX_QUERY_LENGTH));
    expect(query(`who ${'a'.repeat(MAX_QUERY_LENGTH - 4)}`).filters.resource).toHaveLength(MAX_QUERY_LENGTH - 4);
  });

  test('long words are shortened in messages but reported whole', () => {
    const junk = `x${'y'.repeat(500)}`;
    const error = usageError(`who i-0abc since ${junk}`);
    expect(error.word).toBe(junk);
    expect(error.message.length).toBeLessThan(200);
  });
});

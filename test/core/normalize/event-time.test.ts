import { describe, expect, test } from '@jest/globals';
import { canonicalTime, eventTimeOf } from '../../../src/core/normalize/event-time.js';

describe('canonicalTime', () => {
  test.each([
    ['2023-07-10T11:45:02Z', '2023-07-10T11:45:02Z'],
    ['2020-09-14T00:44:23.000Z', '2020-09-14T00:44:23Z'],
    ['2019-01-01 00:20:04.000Z', '2019-01-01T00:20:04Z'],
    ['2022-07-17 04:50:23', '2022-07-17T04:50:23Z'],
    ['2022-07-17 04:50:23.123456789', '2022-07-17T04:50:23Z'],
    ['2024-02-29T23:30:00+09:00', '2024-02-29T14:30:00Z'],
    ['2024-03-01T00:30:00-0130', '2024-03-01T02:00:00Z'],
    ['2024-03-01T00:30:00+09', '2024-02-29T15:30:00Z'],
    ['  2023-07-10T11:45:02Z  ', '2023-07-10T11:45:02Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00Z'],
    ['0050-06-01T12:00:00+01:00', '0050-06-01T11:00:00Z'],
    [1688990121000, '2023-07-10T11:55:21Z'],
    [1688990121, '2023-07-10T11:55:21Z'],
    [new Date('2023-07-10T11:55:21.900Z'), '2023-07-10T11:55:21Z'],
  ])('%p → %p', (value, expected) => {
    expect(canonicalTime(value)).toBe(expected);
  });

  test.each([
    'redacted',
    '...',
    '',
    '2023-02-29T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-07-10T24:00:00Z',
    '2023-07-10T11:45:60Z',
    '2023-07-10T11:45:02Zjunk',
    '2023-07-10T11:45:02+25:00',
    'Jul 10, 2023 1:57:16 PM',
    `2023-07-10T11:45:02Z${' '.repeat(100)}x`,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e20,
    new Date(Number.NaN),
    null,
    true,
    {},
    [],
  ])('%p is unreadable', (value) => {
    expect(canonicalTime(value)).toBe('');
  });
});

describe('eventTimeOf', () => {
  test('eventTime first, then what pipelines add', () => {
    expect(eventTimeOf({ eventTime: '2023-07-10T11:45:02Z', '@timestamp': '2020-01-01T00:00:00Z' })).toBe(
      '2023-07-10T11:45:02Z',
    );
    expect(eventTimeOf({ '@timestamp': '2020-09-14T00:44:23.000Z' })).toBe('2020-09-14T00:44:23Z');
    expect(eventTimeOf({ p_event_time: '2019-01-01 00:20:04.000Z' })).toBe('2019-01-01T00:20:04Z');
    expect(eventTimeOf({ eventTime: 'redacted', '@timestamp': '2020-01-01T00:00:00Z' })).toBe('');
    expect(eventTimeOf({})).toBe('');
    expect(eventTimeOf('2023-07-10T11:45:02Z')).toBe('');
  });
});

/** testMetricFilter: AWS TestMetricFilter's response, computed locally. */
import { describe, expect, test } from '@jest/globals';
import { testMetricFilter } from '../../../src/core/filter-pattern/test-metric-filter.js';
import { compile } from './compile-pattern.js';

describe('testMetricFilter', () => {
  test('numbers events from 1 in the order given and lists only the matches', () => {
    const messages = ['WARN a', 'ERROR b', 'INFO c', 'ERROR d'];
    expect(testMetricFilter(compile('ERROR'), messages)).toEqual({
      matches: [
        { eventNumber: 2, eventMessage: 'ERROR b', extractedValues: {} },
        { eventNumber: 4, eventMessage: 'ERROR d', extractedValues: {} },
      ],
    });
  });

  test('JSON patterns extract nothing', () => {
    const messages = ['{"eventName":"DisableKey"}', 'DisableKey', '{"eventName":"EnableKey"}'];
    expect(testMetricFilter(compile('{ $.eventName = DisableKey }'), messages)).toEqual({
      matches: [{ eventNumber: 1, eventMessage: '{"eventName":"DisableKey"}', extractedValues: {} }],
    });
  });

  test('space-delimited patterns extract $name and $N values', () => {
    const result = testMetricFilter(compile('[level, , ...]'), ['ERROR 42 disk full', 'ERROR']);
    expect(result).toEqual({
      matches: [
        {
          eventNumber: 1,
          eventMessage: 'ERROR 42 disk full',
          extractedValues: { $level: 'ERROR', $2: '42', $3: 'disk', $4: 'full' },
        },
      ],
    });
  });

  test('match-all patterns match every message, the empty one included', () => {
    const result = testMetricFilter(compile(''), ['a', '', 'c']);
    expect(result.matches.map((m) => m.eventNumber)).toEqual([1, 2, 3]);
    expect(result.matches.every((m) => Object.keys(m.extractedValues).length === 0)).toBe(true);
  });

  test('no messages, no matches', () => {
    expect(testMetricFilter(compile('ERROR'), [])).toEqual({ matches: [] });
  });
});

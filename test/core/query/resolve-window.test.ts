import { describe, expect, test } from '@jest/globals';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import { resolveWindow } from '../../../src/core/query/resolve-window.js';
import type { WindowSpec } from '../../../src/core/trail-query.js';

const NOW = new Date('2015-03-30T12:00:00.000Z');
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function windowOf(text: string): WindowSpec {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  return parsed.query.window;
}

describe('resolveWindow', () => {
  test.each<[string, 'files' | 'live', string | null, string | null]>([
    ['who i-0abc', 'live', '2015-03-29T12:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc', 'files', null, null],
    ['who i-0abc since 2h', 'live', '2015-03-30T10:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc since 2h', 'files', '2015-03-30T10:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc since 30m', 'live', '2015-03-30T11:30:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc since 1w', 'files', '2015-03-23T12:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc from 2015-03-29', 'live', '2015-03-29T00:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc from 2015-03-29', 'files', '2015-03-29T00:00:00.000Z', '2015-03-30T12:00:00.000Z'],
    ['who i-0abc from 2015-03-29 to 2015-03-29', 'files', '2015-03-29T00:00:00.000Z', '2015-03-29T23:59:59.999Z'],
    ['who i-0abc from 2015-03-29T10:00+09:00 to now', 'live', '2015-03-29T01:00:00.000Z', '2015-03-30T12:00:00.000Z'],
  ])('%s (%s)', (text, kind, from, to) => {
    const window = resolveWindow(windowOf(text), NOW, kind);
    expect({ from: iso(window.from), to: iso(window.to) }).toEqual({ from, to });
  });

  test('the instants returned are new objects, not the caller’s now', () => {
    const window = resolveWindow({ kind: 'since', ms: 1000, text: '1s' }, NOW, 'live');
    expect(window.to).not.toBe(NOW);
    expect(window.to?.getTime()).toBe(NOW.getTime());
  });
});

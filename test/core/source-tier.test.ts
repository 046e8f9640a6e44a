import { describe, expect, test } from '@jest/globals';
import { parseTrailQuery } from '../../src/core/query/parse-trail-query.js';
import { resolveWindow } from '../../src/core/query/resolve-window.js';
import { chooseTier } from '../../src/core/source-tier.js';

const NOW = new Date('2026-11-21T12:00:00Z');

function tierOf(text: string): string {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  const { from } = resolveWindow(parsed.query.window, NOW, 'live');
  return chooseTier(parsed.query, from, NOW);
}

describe('chooseTier: LookupEvents unless Athena answers better', () => {
  test.each([
    ['who i-0abc since 2d', 'lookup'],
    ['user alice', 'lookup'],
    ['event StopInstances since 89d', 'lookup'],
    ['errors user alice since 1w', 'lookup'],
    ['ip 203.0.113.7 user alice', 'lookup'],
    ['match { $.eventName = ConsoleLogin } since 3d', 'lookup'],
    ['who i-0abc since 91d', 'athena'],
    ['who i-0abc from 2024-01-01 to 2024-02-01', 'athena'],
    ['ip 203.0.113.0/24 since 1d', 'athena'],
    ['errors since 2h', 'athena'],
    ['scan since 1d', 'athena'],
    ['match { $.errorCode = "AccessDenied*" } since 1d', 'athena'],
  ])('%s → %s', (text, tier) => {
    expect(tierOf(text)).toBe(tier);
  });

  test('a window with no start (a caller that gives none) goes to Athena', () => {
    const parsed = parseTrailQuery('who i-0abc');
    if (parsed.kind !== 'query') throw new Error('not a query');
    expect(chooseTier(parsed.query, null, NOW)).toBe('athena');
  });
});

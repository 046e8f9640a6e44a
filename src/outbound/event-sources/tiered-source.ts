/**
 * LookupEvents and Athena behind one EventSource: each scan goes to the engine core/source-tier.ts picks for its
 * question and window. Both are live sources; the accounts map is LookupEvents' (Athena reads every account of the
 * organization trail, narrowed by `account`).
 */
import { chooseTier } from '../../core/source-tier.js';
import type { EventSource, ScanRequest } from '../../ports.js';

export function createTieredSource(
  lookup: EventSource,
  athena: EventSource,
  now: () => Date = () => new Date(),
): EventSource {
  return {
    kind: 'live',
    label: `${lookup.label}+${athena.label}`,
    ...(lookup.accounts === undefined ? {} : { accounts: lookup.accounts }),
    scan(request: ScanRequest): AsyncIterable<readonly unknown[]> {
      const tier = chooseTier(request.query, request.from, now());
      return (tier === 'athena' ? athena : lookup).scan(request);
    },
  };
}

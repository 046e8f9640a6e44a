/**
 * Turns a query's WindowSpec into instants (DESIGN.md, "The query language": `since`, `from … to`, and the default
 * of 24h for live sources, the whole trail for files). Pure: `now` is an argument.
 */
import type { WindowSpec } from '../trail-query.js';

/** How far back a query without `since` or `from` reaches on a live source (LookupEvents). */
export const DEFAULT_LIVE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ResolvedWindow {
  /** Earliest instant, inclusive; null: no lower bound (the whole trail). */
  from: Date | null;
  /** Latest instant, inclusive; null: no upper bound. */
  to: Date | null;
}

/**
 * - default: the last 24h for live sources; unbounded for files (the whole trail).
 * - `since`: [now − ms, now].
 * - `range`: [from, to ?? now].
 */
export function resolveWindow(spec: WindowSpec, now: Date, sourceKind: 'files' | 'live'): ResolvedWindow {
  const nowMs = now.getTime();
  switch (spec.kind) {
    case 'default':
      return sourceKind === 'live'
        ? { from: new Date(nowMs - DEFAULT_LIVE_WINDOW_MS), to: new Date(nowMs) }
        : { from: null, to: null };
    case 'since':
      return { from: new Date(nowMs - spec.ms), to: new Date(nowMs) };
    case 'range':
      return { from: new Date(spec.from), to: spec.to === null ? new Date(nowMs) : new Date(spec.to) };
  }
}

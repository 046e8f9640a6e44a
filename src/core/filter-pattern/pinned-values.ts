/**
 * The exact values a JSON pattern requires at one path: what lets a caller narrow its reads (CloudTrail LookupEvents
 * by EventName, an EventBridge rule's `detail.eventName` list) before testing events with the full pattern.
 *
 * - `$.f = "X"` (or bare `X`) pins `f` to {X} when the value has no wildcard and is not number-like (a number-like
 *   text such as `400` also matches the number 400, which a set of strings cannot express).
 * - `A && B`: the intersection when both pin the path, else whichever pins it (the result may be empty: nothing can
 *   match). `A || B`: the union when every branch pins it, else null.
 * - Everything else (`!=`, wildcards, regexes, numbers, IS/EXISTS, other paths) pins nothing: null.
 * Pure.
 */
import { exactText, type JsonNode } from './json-pattern.js';

export function pinnedValuesOf(node: JsonNode, path: string): Set<string> | null {
  switch (node.kind) {
    case 'compare': {
      const text = exactText(node);
      return text !== null && node.selector.key === path ? new Set([text]) : null;
    }
    case 'and': {
      let pinned: Set<string> | null = null;
      for (const item of node.items) {
        const values = pinnedValuesOf(item, path);
        if (values === null) continue;
        pinned = pinned === null ? values : intersection(pinned, values);
      }
      return pinned;
    }
    case 'or': {
      const union = new Set<string>();
      for (const item of node.items) {
        const values = pinnedValuesOf(item, path);
        if (values === null) return null;
        for (const value of values) union.add(value);
      }
      return union;
    }
    default:
      return null;
  }
}

function intersection(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const both = new Set<string>();
  for (const value of a) if (b.has(value)) both.add(value);
  return both;
}

/** Accepts `eventName`, `$.eventName` and `$["a.b"]` spellings of a path, for comparison with selector keys. */
export function normalizePath(path: string): string {
  if (path.startsWith('$.')) return path.slice(2);
  if (path.startsWith('$[')) return path.slice(1);
  return path;
}

/**
 * CloudWatch Logs filter patterns (metric filters, subscription filters, FilterLogEvents), parsed once and compiled to
 * closures: the engine behind testing a CIS alarm pattern against CloudTrail records without calling AWS.
 *
 * The pattern's shape decides its kind, by its first non-space character:
 * - `{` → 'json' (json-pattern.ts): `{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }`;
 * - `[` → 'delimited' (delimited-pattern.ts): `[ip, user, ..., status_code = 4*, bytes]`;
 * - anything else → 'terms' (term-pattern.ts): `ERROR -Exiting`, `?ERROR ?WARN`;
 * - nothing but whitespace, `""` or a quoted run of spaces (`" "`) → 'all': every event matches (AWS: `" "` matches
 *   all events).
 * Leading and trailing whitespace is ignored; matching is case sensitive everywhere; text longer than AWS's 1024
 * characters is a fault at offset 1024. Each file's header states the choices made where AWS's doc is silent.
 *
 * `parseFilterPattern` never throws: every malformed text gives `{ ok: false, error }` with an offset into the text
 * and a one-line message. The compiled pattern is pure and thread-safe (no state between calls).
 */
import { parseDelimitedPattern } from './delimited-pattern.js';
import { compileJson, isJsonObject, parseJsonObject, parseJsonPattern } from './json-pattern.js';
import { PatternCursor } from './pattern-cursor.js';
import { isSpace, type PatternError, patternError } from './pattern-error.js';
import { normalizePath, pinnedValuesOf } from './pinned-values.js';
import { parseTermPattern } from './term-pattern.js';

export type { PatternError } from './pattern-error.js';

/** AWS's limit on a filterPattern's length. */
export const MAX_PATTERN_LENGTH = 1024;

export type PatternKind = 'all' | 'terms' | 'json' | 'delimited';

export interface FilterPattern {
  readonly text: string;
  readonly kind: PatternKind;
  /** A log event's message text: null when it does not match, else the extracted values (`{}` except for space-delimited patterns, where keys are `$name` for named fields and `$N` (1-based position) for fields an ellipsis or an empty name covers, values the field text). */
  matchMessage(message: string): Record<string, string> | null;
  /**
   * An already-parsed JSON event (a CloudTrail record object). Same verdict as matchMessage(JSON.stringify(event)) !== null,
   * but without re-serializing for JSON patterns (term/delimited patterns stringify lazily). JSON patterns run as
   * compiled closures that allocate nothing per call (bench/pattern-checks.ts measures them).
   */
  matchEvent(event: unknown): boolean;
  /**
   * Exact values the JSON field at `path` (dot path without `$.`, e.g. 'eventName', 'eventSource') must hold in every
   * event the pattern matches; null when unconstrained (non-JSON patterns, wildcards, regex, !=, numbers, an || branch
   * that does not pin it). `A && B`: intersection when both pin it, else whichever pins it. `A || B`: union when both
   * pin it, else null. See pinned-values.ts.
   */
  pinnedValues(path: string): ReadonlySet<string> | null;
}

export type ParsedPattern = { ok: true; pattern: FilterPattern } | { ok: false; error: PatternError };

export function parseFilterPattern(text: string): ParsedPattern {
  if (text.length > MAX_PATTERN_LENGTH)
    return fault(
      patternError(
        MAX_PATTERN_LENGTH,
        `the pattern is ${text.length} characters long; AWS accepts at most ${MAX_PATTERN_LENGTH}`,
      ),
    );
  const cursor = new PatternCursor(text);
  cursor.skipSpaces();
  if (matchesEverything(text, cursor.pos)) return { ok: true, pattern: allPattern(text) };
  const first = cursor.peek();
  const pattern = first === '{' ? jsonPattern(cursor) : first === '[' ? delimitedPattern(cursor) : termPattern(cursor);
  if (pattern !== null) return { ok: true, pattern };
  return fault(cursor.error ?? patternError(cursor.pos, 'the pattern could not be read'));
}

function fault(error: PatternError): ParsedPattern {
  return { ok: false, error };
}

/** Whitespace only, or one quoted phrase of spaces (`""`, `" "`). */
function matchesEverything(text: string, start: number): boolean {
  let end = text.length;
  while (end > start && isSpace(text.charAt(end - 1))) end -= 1;
  const body = text.slice(start, end);
  return body === '' || /^" *"$/.test(body);
}

function allPattern(text: string): FilterPattern {
  return {
    text,
    kind: 'all',
    matchMessage: () => ({}),
    matchEvent: () => true,
    pinnedValues: () => null,
  };
}

function jsonPattern(cursor: PatternCursor): FilterPattern | null {
  const tree = parseJsonPattern(cursor);
  if (tree === null) return null;
  const test = compileJson(tree);
  const pinned = new Map<string, ReadonlySet<string> | null>();
  return {
    text: cursor.text,
    kind: 'json',
    matchMessage: (message) => {
      const event = parseJsonObject(message);
      return event !== null && test(event) ? {} : null;
    },
    matchEvent: (event) => isJsonObject(event) && test(event),
    pinnedValues: (path) => {
      const key = normalizePath(path);
      let values = pinned.get(key);
      if (values === undefined) {
        values = pinnedValuesOf(tree, key);
        pinned.set(key, values);
      }
      return values;
    },
  };
}

function termPattern(cursor: PatternCursor): FilterPattern | null {
  const test = parseTermPattern(cursor);
  if (test === null) return null;
  return {
    text: cursor.text,
    kind: 'terms',
    matchMessage: (message) => (test(message) ? {} : null),
    matchEvent: (event) => {
      const message = stringify(event);
      return message !== null && test(message);
    },
    pinnedValues: () => null,
  };
}

function delimitedPattern(cursor: PatternCursor): FilterPattern | null {
  const match = parseDelimitedPattern(cursor);
  if (match === null) return null;
  return {
    text: cursor.text,
    kind: 'delimited',
    matchMessage: match,
    matchEvent: (event) => {
      const message = stringify(event);
      return message !== null && match(message) !== null;
    },
    pinnedValues: () => null,
  };
}

/** The event's JSON text; null when it has none (undefined, a function) or cannot have one (a cycle, a BigInt). */
function stringify(event: unknown): string | null {
  try {
    const text: unknown = JSON.stringify(event);
    return typeof text === 'string' ? text : null;
  } catch {
    return null;
  }
}

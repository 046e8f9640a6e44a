/**
 * The value side of a comparison, in JSON (`$.x = VALUE`) and space-delimited (`[f = VALUE]`) patterns:
 * - `"…"`: a string (escapes `\"` `\\`), wildcards included (`"AccessDenied*"`);
 * - `%…%`: a regex;
 * - anything else: an unquoted word running to whitespace, `"`, `&&`, `||` or the context's own stop characters
 *   (JSON: `( ) { }`; space-delimited: `, ]`). AWS asks for quotes around anything but letters, digits and `_`, yet
 *   its own CIS patterns write `$.eventSource=kms.amazonaws.com` bare; we accept any such word rather than reject
 *   patterns AWS takes. A word that is a decimal number (`400`, `+1000`, `10e-3`) is a numeric literal; quoted
 *   `"400"` stays a string. Pure.
 */
import { decimalValue } from './number-text.js';
import type { PatternCursor } from './pattern-cursor.js';
import { isSpace } from './pattern-error.js';
import { readQuoted } from './read-string.js';
import { readRegex } from './regex-value.js';
import { compileWildcard, type TextMatcher } from './wildcard.js';

export type Literal =
  | { kind: 'text'; text: string; matcher: TextMatcher }
  | { kind: 'number'; text: string; value: number; matcher: TextMatcher }
  | { kind: 'regex'; matcher: TextMatcher };

/** Characters besides whitespace, `"`, `&&` and `||` that end an unquoted word. */
export type WordStops = ReadonlySet<string>;

export const JSON_WORD_STOPS: WordStops = new Set(['(', ')', '{', '}']);
export const DELIMITED_WORD_STOPS: WordStops = new Set([',', ']']);

/** Reads the value after the operator `op`; null (fault recorded) when there is none or it is malformed. */
export function readLiteral(cursor: PatternCursor, op: string, stops: WordStops): Literal | null {
  cursor.skipSpaces();
  const ch = cursor.peek();
  if (ch === '"') {
    const text = readQuoted(cursor);
    return text === null ? null : { kind: 'text', text, matcher: compileWildcard(text) };
  }
  if (ch === '%') {
    const matcher = readRegex(cursor);
    return matcher === null ? null : { kind: 'regex', matcher };
  }
  const start = cursor.pos;
  const end = wordEnd(cursor.text, start, stops);
  if (end === start) return cursor.fail(start, `expected a value after ${JSON.stringify(op)}, found ${cursor.found()}`);
  const text = cursor.text.slice(start, end);
  cursor.pos = end;
  const value = decimalValue(text);
  const matcher = compileWildcard(text);
  return value === null ? { kind: 'text', text, matcher } : { kind: 'number', text, value, matcher };
}

function wordEnd(text: string, start: number, stops: WordStops): number {
  let i = start;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (isSpace(ch) || ch === '"' || stops.has(ch)) break;
    if ((ch === '&' || ch === '|') && text.charAt(i + 1) === ch) break;
    i += 1;
  }
  return i;
}

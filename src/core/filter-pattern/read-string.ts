/**
 * Quoted strings in patterns: `"…"` values and phrases, `'…'` keys in selectors. Inside, a backslash escapes the quote
 * and itself (`\"`, `\\`); before any other character it is kept as written, so `"C:\temp"` means `C:\temp`. AWS
 * documents no other escapes. Pure.
 */
import type { PatternCursor } from './pattern-cursor.js';

/** Reads the string quoted by the character at the cursor; null (fault recorded) when it is never closed. */
export function readQuoted(cursor: PatternCursor): string | null {
  const { text } = cursor;
  const open = cursor.pos;
  const quote = text.charAt(open);
  let value = '';
  let i = open + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === quote) {
      cursor.pos = i + 1;
      return value;
    }
    if (ch === '\\' && (text.charAt(i + 1) === quote || text.charAt(i + 1) === '\\')) {
      value += text.charAt(i + 1);
      i += 2;
      continue;
    }
    value += ch;
    i += 1;
  }
  return cursor.fail(text.length, `expected a closing ${quote} for the string opened at column ${open + 1}`);
}

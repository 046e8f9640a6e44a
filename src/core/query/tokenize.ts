/**
 * Splits `/trail` query text into words (DESIGN.md, "The query language").
 *
 * - Words are separated by whitespace (any Unicode space, tabs and newlines included).
 * - A word that starts with a double quote (`"` or the curly `“` that phones and Slack insert) runs to the matching
 *   closing quote (`"` or `”`), spaces included: `who "my resource"`. There are no escapes: names AWS hands out
 *   never contain a double quote. A quote anywhere else is an ordinary character.
 * - Zero-width characters (copy-paste debris) are dropped; other invisible characters are kept and reported by the
 *   parser, so the user sees which word holds one.
 *
 * Pure: no I/O. Never throws.
 */

export interface Token {
  /** The word as typed, quotes included. */
  raw: string;
  /** The word's value: quotes removed. */
  value: string;
  /** True when the word was written in quotes: then it is never read as a keyword. */
  quoted: boolean;
  /** True when a quote opened this word and was never closed (the word then runs to the end of the text). */
  unclosed: boolean;
}

/** Zero-width space, non-joiner, joiner and word joiner: silently removed. */
const ZERO_WIDTH = /[\u200B-\u200D\u2060]/g;
/** Control, format and lone-surrogate characters left after whitespace and zero-width ones are handled. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
const WHITESPACE = /\s/;

const CLOSING_QUOTE: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['“', '”'],
  ['”', '”'],
]);

/** Removes the characters that `tokenize` drops (so callers can measure or echo what the parser reads). */
export function stripZeroWidth(text: string): string {
  return text.replace(ZERO_WIDTH, '');
}

/** Splits `text` into tokens. */
export function tokenize(text: string): Token[] {
  const input = stripZeroWidth(text);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (WHITESPACE.test(ch)) {
      i += 1;
      continue;
    }
    const closing = CLOSING_QUOTE.get(ch);
    if (closing !== undefined) {
      const end = input.indexOf(closing, i + 1);
      if (end === -1) {
        const rest = input.slice(i).trimEnd();
        tokens.push({ raw: rest, value: rest.slice(1), quoted: true, unclosed: true });
        break;
      }
      tokens.push({ raw: input.slice(i, end + 1), value: input.slice(i + 1, end), quoted: true, unclosed: false });
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < input.length && !WHITESPACE.test(input.charAt(end))) end += 1;
    const word = input.slice(i, end);
    tokens.push({ raw: word, value: word, quoted: false, unclosed: false });
    i = end;
  }
  return tokens;
}

/** True when `value` holds a character the user cannot see (control, format or a broken surrogate). */
export function hasInvisibleCharacter(value: string): boolean {
  return INVISIBLE.test(value);
}

/**
 * Writes `value` as one word, quoting it when it would otherwise split, vanish or read as a keyword.
 * `keywords` are compared case-insensitively. A value that needs quotes but contains a closing quote cannot be
 * written as one word; it is returned quoted anyway (and the parser will point at it).
 */
export function formatToken(value: string, keywords: ReadonlySet<string> = new Set()): string {
  const first = value.charAt(0);
  const needsQuotes =
    value === '' || /\s/.test(value) || CLOSING_QUOTE.get(first) !== undefined || keywords.has(value.toLowerCase());
  return needsQuotes ? `"${value}"` : value;
}

/**
 * Joins command-line arguments into query text, quoting an argument that holds whitespace (the shell already
 * removed the user's quotes): `['who', 'my bucket', 'since', '2d']` → `who "my bucket" since 2d`.
 */
export function joinArgs(args: readonly string[]): string {
  return args.map((arg) => (arg === '' || /\s/.test(arg) ? `"${arg}"` : arg)).join(' ');
}

/** The quote that closes a word opened by `raw`'s first character (`"` for a straight quote, `”` for `“`). */
export function closingQuoteFor(raw: string): string {
  return CLOSING_QUOTE.get(raw.charAt(0)) ?? '"';
}

/**
 * How a malformed filter pattern is reported: the 0-based offset of the fault in the pattern text (the text's length
 * when something is missing at the end) and one line saying what is wrong and what was expected, led by the 1-based
 * column a reader counts in an editor. Offsets and columns count UTF-16 code units, as `String.prototype.length` does.
 * Pure.
 */

export interface PatternError {
  /** 0-based offset into the pattern text where the fault is (pattern.length when something is missing at the end). */
  offset: number;
  /** One line: what is wrong and what was expected, e.g. `at column 14: expected a value after "=", found "}"`. Columns are 1-based in the message. */
  message: string;
}

export function patternError(offset: number, what: string): PatternError {
  return { offset, message: `at column ${offset + 1}: ${what}` };
}

/** Characters shown on their own in a "found …" description: the pattern's punctuation. */
const PUNCTUATION = new Set(['{', '}', '(', ')', '[', ']', ',']);
/** Long enough to recognise a word, short enough to keep the message on one line. */
const MAX_SHOWN = 24;

/** What a reader finds at `offset`, for "found …": `"}"`, `"&&"`, `"nonmatch"`, `a space` or `the end of the pattern`. */
export function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the pattern';
  const pair = text.slice(offset, offset + 2);
  if (pair === '&&' || pair === '||') return JSON.stringify(pair);
  const first = text.charAt(offset);
  if (first === ' ') return 'a space';
  if (PUNCTUATION.has(first) || isSpace(first)) return JSON.stringify(first);
  let end = offset;
  while (
    end < text.length &&
    end - offset < MAX_SHOWN &&
    !isSpace(text.charAt(end)) &&
    !PUNCTUATION.has(text.charAt(end))
  )
    end += 1;
  const cut = end < text.length && end - offset === MAX_SHOWN && !isSpace(text.charAt(end));
  return `${JSON.stringify(text.slice(offset, end))}${cut ? ' (cut short)' : ''}`;
}

/**
 * The whitespace a pattern's grammar skips: ASCII space, tab and line breaks. Other Unicode spaces (no-break space…)
 * are ordinary characters, so a pasted U+00A0 shows up in an error instead of silently separating words.
 */
export function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

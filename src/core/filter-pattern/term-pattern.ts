/**
 * Term patterns for unstructured log text (CloudWatch Logs "Matching terms in unstructured log events"):
 * - `ERROR`: the message contains ERROR, anywhere, case sensitive (`ERROR` matches `Exiting with ERRORCODE: -1`);
 * - `"Failed to process"`: a phrase, spaces included (escapes `\"` and `\\`);
 * - `%regex%`: a regex, tested unanchored against the message;
 * - `-term` / `-"phrase"` / `-%regex%`: the message must not contain it;
 * - `?term`: OR. Each `?term` starts a new group, terms after it without `?` join that group, terms before the first
 *   `?` form their own group (how aws-cdk's anyTermGroup writes `?"ERROR" "MainThread" ?"WARN" "Deadlock"`), and a
 *   message matches when any group matches: all its terms present and none of its `-` terms.
 *
 * Choices where AWS is silent: `*` is an ordinary character here (AWS documents wildcards for JSON and delimited
 * values only); a `-` or `?` standing alone applies to the next term (the older AWS doc writes `"ERROR" - "Exiting"`);
 * a quoted phrase or regex must be followed by whitespace or the end. Pure.
 */
import type { PatternCursor } from './pattern-cursor.js';
import { isSpace } from './pattern-error.js';
import { readQuoted } from './read-string.js';
import { readRegex } from './regex-value.js';

type Probe = (message: string) => boolean;

interface TermGroup {
  includes: Probe[];
  excludes: Probe[];
}

/** Reads the terms from the cursor to the end; the compiled test, or null (fault recorded). */
export function parseTermPattern(cursor: PatternCursor): ((message: string) => boolean) | null {
  const groups: TermGroup[] = [];
  let current: TermGroup | null = null;
  for (;;) {
    cursor.skipSpaces();
    if (cursor.atEnd()) break;
    const sign = cursor.peek();
    let excluded = false;
    let alternative = false;
    if (sign === '-' || sign === '?') {
      const signAt = cursor.pos;
      cursor.pos += 1;
      cursor.skipSpaces();
      if (cursor.atEnd()) return cursor.fail(cursor.pos, `expected a term after "${sign}" at column ${signAt + 1}`);
      excluded = sign === '-';
      alternative = sign === '?';
    }
    const probe = readTerm(cursor);
    if (probe === null) return null;
    if (alternative || current === null) {
      current = { includes: [], excludes: [] };
      groups.push(current);
    }
    (excluded ? current.excludes : current.includes).push(probe);
  }
  return (message) => groups.some((group) => matchesGroup(group, message));
}

function matchesGroup(group: TermGroup, message: string): boolean {
  for (const probe of group.includes) if (!probe(message)) return false;
  for (const probe of group.excludes) if (probe(message)) return false;
  return true;
}

function readTerm(cursor: PatternCursor): Probe | null {
  const ch = cursor.peek();
  if (ch === '"' || ch === '%') {
    const start = cursor.pos;
    let probe: Probe;
    if (ch === '"') {
      const phrase = readQuoted(cursor);
      if (phrase === null) return null;
      probe = (message) => message.includes(phrase);
    } else {
      const regex = readRegex(cursor);
      if (regex === null) return null;
      probe = regex.test;
    }
    if (!cursor.atEnd() && !isSpace(cursor.peek())) {
      const what = ch === '"' ? `the phrase opened at column ${start + 1}` : `the regex at column ${start + 1}`;
      return cursor.fail(cursor.pos, `expected a space after ${what}, found ${cursor.found()}`);
    }
    return probe;
  }
  const start = cursor.pos;
  while (!cursor.atEnd() && !isSpace(cursor.peek())) cursor.pos += 1;
  const word = cursor.text.slice(start, cursor.pos);
  return (message) => message.includes(word);
}

/**
 * The reading position shared by the pattern parsers, and the first fault they met. Parsers return null after calling
 * `fail`, so every caller up the chain returns null too and `parseFilterPattern` hands back the recorded error: no
 * exceptions for control flow, and the first fault (the one nearest the reader's mistake) wins. Pure.
 */
import { describeAt, isSpace, type PatternError, patternError } from './pattern-error.js';

export class PatternCursor {
  pos = 0;
  error: PatternError | null = null;
  /** `%regex%` values read so far: AWS allows 2 a pattern. */
  regexCount = 0;

  constructor(readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character `ahead` places on, or '' past the end. */
  peek(ahead = 0): string {
    return this.text.charAt(this.pos + ahead);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  skipSpaces(): void {
    while (isSpace(this.text.charAt(this.pos))) this.pos += 1;
  }

  /** Records the fault (unless one is recorded already) and returns null for the caller to pass up. */
  fail(offset: number, what: string): null {
    this.error ??= patternError(offset, what);
    return null;
  }

  /** What is at `offset` (the cursor by default), for "found …" in messages. */
  found(offset: number = this.pos): string {
    return describeAt(this.text, offset);
  }
}

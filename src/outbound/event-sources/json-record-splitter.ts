/**
 * An incremental splitter that finds the text of each CloudTrail record in a stream of JSON text without parsing
 * it: the caller hands each record's substring to JSON.parse. Pure: text in, record texts out.
 *
 * What counts as a record, at the top level of the text:
 * - the elements of a top-level array (`[{…},{…}]`, the Stratus / `--query 'Events[]'` shape);
 * - the elements of the `Records` or `Events` array of a top-level object (`{"Records":[…]}` as a trail writes to
 *   S3, `{"Events":[…],"NextToken":…}` as `aws cloudtrail lookup-events` prints); the wrapper's other members are
 *   skipped;
 * - any other top-level object, whole (JSON lines, or records written one after another).
 * Any number of top-level values may follow one another (JSON lines, concatenated files or CLI pages).
 *
 * It checks only the structure it needs (brackets, quotes, and the top levels); JSON.parse validates each record.
 * Speed comes from skipping string contents with indexOf('"') and a backslash look-back, from a charCodeAt loop
 * that only looks at brackets inside a record, and, where the caller offers to check candidates, from guessing
 * each record's end from the way records start (see SplitterOptions.tryCandidate), which skips the scan entirely.
 */

/** Why the text cannot be split further. Offsets count UTF-16 code units from the start of the whole text. */
export type SplitErrorCode =
  /** The first value is not JSON at all (the text does not start with `{` or `[`). */
  | 'not-json'
  /** A structural mistake between or around records. */
  | 'syntax'
  /** The text ends inside a value. */
  | 'truncated'
  /** One value is larger than `maxValueChars`. */
  | 'too-large';

export class JsonSplitError extends Error {
  override readonly name = 'JsonSplitError';
  readonly code: SplitErrorCode;
  /** Where the problem is (for `truncated` and `too-large`: where the unfinished value starts). */
  readonly offset: number;

  constructor(code: SplitErrorCode, message: string, offset: number) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

/** Receives each record's text and the offset of its first character in the whole text. */
export type RecordSink = (text: string, offset: number) => void;

/**
 * The optional fast path. Offered a candidate text that may be exactly the next record (or top-level value), it
 * returns true if the text is one complete JSON value (and it has taken it, like a RecordSink), false if not
 * (nothing is reported: the splitter then finds the record's end exactly and hands it to the RecordSink).
 */
export type CandidateSink = (text: string, offset: number) => boolean;

export interface SplitterOptions {
  /** The largest value held while looking for its end; larger ones stop the split. Default 64 Mi characters. */
  maxValueChars?: number;
  /**
   * Finding a record's end exactly costs a look at every string in it. Records written by one program all start the
   * same way (`{"eventVersion":`), so the next record most likely starts at the next occurrence of this one's
   * opening: the splitter offers the text up to there to `tryCandidate`, which checks it with the JSON.parse it
   * needs anyway. This is safe: a candidate always starts with `{` and ends with `}`, and if it parses as one value,
   * that value is exactly the next record, because a JSON parser reads a text's beginning the same way whatever
   * follows it, so the `{` closes at the same `}` in the whole text. Where guesses keep failing (records that start
   * differently), the splitter stops guessing.
   */
  tryCandidate?: CandidateSink;
}

const DEFAULT_MAX_VALUE_CHARS = 64 * 1024 * 1024;

// Character codes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON_CHAR = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
const RS = 0x1e;

// States: what the scanner expects next.
/** Depth 0, between top-level values. */
const TOP = 0;
/** In an array of records, expecting an element or `]`. */
const ELEM_START = 1;
/** After an element, expecting `,` or `]`. */
const ELEM_NEXT = 2;
/** Inside a record or a skipped value: only brackets and strings matter. */
const VALUE = 3;
/** Inside a string; `afterToken` says what it was. */
const STRING = 4;
/** Inside a bare scalar (number, true, false, null) at a structural level. */
const SCALAR = 5;
/** In a top-level object, expecting a member name or `}`. */
const KEY = 6;
/** After a member name, expecting `:`. */
const COLON = 7;
/** After `:`, expecting the member's value. */
const MEMBER = 8;
/** After a member's value, expecting `,` or `}`. */
const MEMBER_NEXT = 9;
/** After an error: nothing more is accepted. */
const FAILED = 10;

// What a string or scalar scanned at a structural level was.
const AS_VALUE = 0;
const AS_KEY = 1;
const AS_MEMBER = 2;
const AS_ELEMENT = 3;

/**
 * Top-level member names that only a CloudTrail record has: seeing one decides that a top-level object is a record
 * (not a `Records`/`Events` wrapper), so the rest of it is scanned as a value, brackets and strings only.
 */
const RECORD_KEYS: ReadonlySet<string> = new Set([
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'requestParameters',
  'responseElements',
  'requestID',
  'eventID',
  'eventType',
  'eventCategory',
  'recipientAccountId',
  'readOnly',
  'managementEvent',
  'errorCode',
  'errorMessage',
]);

function isStructuralSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/** True when the quote at `q` is escaped: an odd run of backslashes precedes it. The string's start is in `s`. */
function isEscaped(s: string, q: number): boolean {
  let k = q - 1;
  while (k >= 0 && s.charCodeAt(k) === BACKSLASH) k--;
  return (q - 1 - k) % 2 === 1;
}

/** Index of the quote that closes a string whose contents continue at `from`, or -1 if `s` ends first. */
function findStringEnd(s: string, from: number): number {
  let q = s.indexOf('"', from);
  while (q > 0 && s.charCodeAt(q - 1) === BACKSLASH && isEscaped(s, q)) q = s.indexOf('"', q + 1);
  return q;
}

function describeChar(c: number): string {
  return c < 0x20 || c === 0x7f
    ? `control character U+${c.toString(16).padStart(4, '0')}`
    : `'${String.fromCharCode(c)}'`;
}

export class JsonRecordSplitter {
  private readonly onRecord: RecordSink;
  private readonly maxValueChars: number;

  /** Unconsumed text; `base` is the offset of its first character in the whole text. */
  private buf = '';
  private base = 0;
  /** Scan position in `buf`. */
  private pos = 0;
  /** Text pushed while a large value was held, not yet appended to `buf` (see push). */
  private pending: string[] = [];
  private pendingChars = 0;

  private state = TOP;
  private depth = 0;
  /** Whether anything but white space has been seen (for `not-json`). */
  private started = false;

  /** Start of the record being collected, or -1. */
  private recStart = -1;
  /** VALUE ends when `depth` comes back to this. */
  private valueEnd = 0;
  /** Whether the value VALUE is in is a record (emitted when it ends) or a skipped member value. */
  private valueIsRecord = false;

  /** Start of the top-level object while it may still turn out to be a record, or -1. */
  private objStart = -1;
  /** The top-level object is a `Records`/`Events` wrapper. */
  private objIsWrapper = false;
  /** The last member name of the top-level object was `Records` or `Events`. */
  private wrapKey = false;

  /** Start of the string or scalar being scanned at a structural level, or -1. */
  private tokStart = -1;
  private afterToken = AS_VALUE;

  /** The fast path, while guesses pay off; null when there is none or it was given up. */
  private tryCandidate: CandidateSink | null;
  private guessHits = 0;
  private guessMisses = 0;

  constructor(onRecord: RecordSink, options: SplitterOptions = {}) {
    this.onRecord = onRecord;
    this.maxValueChars = options.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
    this.tryCandidate = options.tryCandidate ?? null;
  }

  /** Characters consumed so far (the offset just past the text pushed, once it is scanned). */
  get offset(): number {
    return this.base + this.buf.length + this.pendingChars;
  }

  /** Feeds the next piece of text. Records found are handed to the sink before it returns (or at a later push). */
  push(chunk: string): void {
    if (this.state === FAILED) throw new Error('JsonRecordSplitter: push after an error');
    if (chunk.length === 0) return;
    if (this.buf.length === 0) {
      // Nothing held: scan the chunk itself, no copy.
      this.buf = chunk;
      this.pos = 0;
      this.run();
      return;
    }
    // An unfinished value is held. Appending to it copies it, so wait until the new text is at least as long as
    // what is held: each character is then copied a bounded number of times, however large the value.
    this.pending.push(chunk);
    this.pendingChars += chunk.length;
    if (this.buf.length + this.pendingChars > this.maxValueChars) this.failTooLarge();
    if (this.pendingChars < this.buf.length) return;
    this.flushPending();
    this.run();
  }

  /** Marks the end of the text: throws if it ends inside a value. */
  end(): void {
    if (this.state === FAILED) throw new Error('JsonRecordSplitter: end after an error');
    if (this.pending.length > 0) {
      this.flushPending();
      this.run();
    }
    if (this.state !== TOP) {
      const start = this.unfinishedStart();
      this.state = FAILED;
      throw new JsonSplitError('truncated', `the data ends inside ${start.what}`, start.offset);
    }
  }

  /** What is unfinished, and where it starts. */
  private unfinishedStart(): { what: string; offset: number } {
    if (this.recStart >= 0) return { what: 'a record', offset: this.base + this.recStart };
    if (this.objStart >= 0) return { what: 'a record', offset: this.base + this.objStart };
    if (this.tokStart >= 0) return { what: 'a value', offset: this.base + this.tokStart };
    return { what: 'the array of records (it is not closed)', offset: this.offset };
  }

  private flushPending(): void {
    this.buf += this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
  }

  /** The first index of `buf` still needed: the start of an unfinished record, object or token, else `pos`. */
  private keepFrom(): number {
    let k = this.pos;
    if (this.recStart >= 0 && this.recStart < k) k = this.recStart;
    if (this.objStart >= 0 && this.objStart < k) k = this.objStart;
    if (this.tokStart >= 0 && this.tokStart < k) k = this.tokStart;
    return k;
  }

  private shiftIndexes(by: number): void {
    if (this.recStart >= 0) this.recStart -= by;
    if (this.objStart >= 0) this.objStart -= by;
    if (this.tokStart >= 0) this.tokStart -= by;
  }

  private failTooLarge(): never {
    const start = this.unfinishedStart();
    this.state = FAILED;
    const mib = Math.round(this.maxValueChars / (1024 * 1024));
    throw new JsonSplitError('too-large', `a single value is larger than ${mib} Mi characters`, start.offset);
  }

  private fail(code: SplitErrorCode, message: string, at: number): never {
    this.state = FAILED;
    throw new JsonSplitError(code, message, this.base + at);
  }

  /** Scans `buf` from `pos` as far as it goes, then drops what is no longer needed. */
  private run(): void {
    const s = this.buf;
    const n = s.length;
    let i = this.pos;
    let depth = this.depth;
    let state = this.state;

    scan: while (i < n) {
      switch (state) {
        case VALUE: {
          // Inside a value only strings and brackets matter.
          const valueEnd = this.valueEnd;
          for (;;) {
            if (i >= n) break scan;
            const c = s.charCodeAt(i);
            if (c === QUOTE) {
              const q = findStringEnd(s, i + 1);
              if (q < 0) {
                // Keep the string from its opening quote: the backslash look-back may need it.
                this.tokStart = i;
                this.afterToken = AS_VALUE;
                state = STRING;
                i = n;
                break scan;
              }
              i = q + 1;
            } else if (c === LBRACE || c === LBRACKET) {
              depth++;
              i++;
            } else if (c === RBRACE || c === RBRACKET) {
              depth--;
              i++;
              if (depth === valueEnd) break;
            } else {
              i++;
            }
          }
          if (this.valueIsRecord) {
            const start = this.recStart;
            this.recStart = -1;
            this.onRecord(s.slice(start, i), this.base + start);
            state = depth === 0 ? TOP : ELEM_NEXT;
          } else {
            state = MEMBER_NEXT;
          }
          break;
        }

        case STRING: {
          const q = findStringEnd(s, i);
          if (q < 0) {
            i = n;
            break scan;
          }
          i = q + 1;
          state = this.endString(s, q);
          break;
        }

        case TOP: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c) || c === BOM || c === RS) {
            i++;
          } else if (c === LBRACE) {
            this.started = true;
            const guessed = this.tryCandidate === null ? -1 : this.guess(s, i, false);
            if (guessed > 0) {
              i = guessed;
            } else {
              this.objStart = i;
              this.objIsWrapper = false;
              depth = 1;
              i++;
              state = KEY;
            }
          } else if (c === LBRACKET) {
            this.started = true;
            depth = 1;
            i++;
            state = ELEM_START;
          } else {
            this.depth = depth;
            this.fail(
              this.started ? 'syntax' : 'not-json',
              this.started
                ? `expected '{' or '[' to start the next value, found ${describeChar(c)}`
                : `not JSON: it starts with ${describeChar(c)}, not '{' or '['`,
              i,
            );
          }
          break;
        }

        case ELEM_START:
        case ELEM_NEXT: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c)) {
            i++;
          } else if (c === RBRACKET) {
            depth--;
            i++;
            state = depth === 0 ? TOP : MEMBER_NEXT;
          } else if (state === ELEM_NEXT) {
            if (c !== COMMA) this.fail('syntax', `expected ',' or ']' after a record, found ${describeChar(c)}`, i);
            i++;
            state = ELEM_START;
          } else if (c === LBRACE || c === LBRACKET) {
            const guessed = c === LBRACE && this.tryCandidate !== null ? this.guess(s, i, true) : -1;
            if (guessed > 0) {
              i = guessed;
              state = ELEM_NEXT;
            } else {
              this.recStart = i;
              this.valueEnd = depth;
              this.valueIsRecord = true;
              depth++;
              i++;
              state = VALUE;
            }
          } else if (c === QUOTE) {
            this.tokStart = i;
            this.afterToken = AS_ELEMENT;
            i++;
            state = STRING;
          } else if (c === COMMA || c === COLON_CHAR || c === RBRACE) {
            this.fail('syntax', `expected a record, found ${describeChar(c)}`, i);
          } else {
            this.tokStart = i;
            this.afterToken = AS_ELEMENT;
            state = SCALAR;
          }
          break;
        }

        case SCALAR: {
          // A number or literal at a structural level: it ends at a delimiter.
          while (i < n) {
            const c = s.charCodeAt(i);
            if (isStructuralSpace(c) || c === COMMA || c === RBRACKET || c === RBRACE) break;
            i++;
          }
          if (i >= n) break scan;
          const start = this.tokStart;
          this.tokStart = -1;
          if (this.afterToken === AS_ELEMENT) {
            this.onRecord(s.slice(start, i), this.base + start);
            state = ELEM_NEXT;
          } else {
            state = MEMBER_NEXT;
          }
          break;
        }

        case KEY: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c)) {
            i++;
          } else if (c === QUOTE) {
            this.tokStart = i;
            this.afterToken = AS_KEY;
            i++;
            state = STRING;
          } else if (c === RBRACE) {
            i++;
            depth = 0;
            state = this.endObject(s, i);
          } else {
            this.fail('syntax', `expected a member name in quotes, found ${describeChar(c)}`, i);
          }
          break;
        }

        case COLON: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c)) {
            i++;
          } else if (c === COLON_CHAR) {
            i++;
            state = MEMBER;
          } else {
            this.fail('syntax', `expected ':' after a member name, found ${describeChar(c)}`, i);
          }
          break;
        }

        case MEMBER: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c)) {
            i++;
          } else if (c === LBRACKET && this.wrapKey) {
            // `{"Records":[` or `{"Events":[`: the elements are the records; the wrapper itself is not kept.
            this.objIsWrapper = true;
            this.objStart = -1;
            depth = 2;
            i++;
            state = ELEM_START;
          } else if (c === LBRACE || c === LBRACKET) {
            this.valueEnd = depth;
            this.valueIsRecord = false;
            depth++;
            i++;
            state = VALUE;
          } else if (c === QUOTE) {
            this.tokStart = i;
            this.afterToken = AS_MEMBER;
            i++;
            state = STRING;
          } else if (c === COMMA || c === RBRACE || c === RBRACKET || c === COLON_CHAR) {
            this.fail('syntax', `expected a value after ':', found ${describeChar(c)}`, i);
          } else {
            this.tokStart = i;
            this.afterToken = AS_MEMBER;
            state = SCALAR;
          }
          break;
        }

        case MEMBER_NEXT: {
          const c = s.charCodeAt(i);
          if (isStructuralSpace(c)) {
            i++;
          } else if (c === COMMA) {
            i++;
            state = KEY;
          } else if (c === RBRACE) {
            i++;
            depth = 0;
            state = this.endObject(s, i);
          } else {
            this.fail('syntax', `expected ',' or '}' after a member, found ${describeChar(c)}`, i);
          }
          break;
        }

        default:
          throw new Error('JsonRecordSplitter: scan after an error');
      }
    }

    this.depth = depth;
    this.state = state;
    // Keep only what is still needed: the unfinished record, object or token.
    this.pos = i;
    const keep = this.keepFrom();
    if (keep > 0) {
      this.buf = keep >= n ? '' : s.slice(keep);
      this.base += keep;
      this.pos -= keep;
      this.shiftIndexes(keep);
    }
    if (this.buf.length > this.maxValueChars) this.failTooLarge();
  }

  /**
   * The fast path (see SplitterOptions.tryCandidate) for the object that opens at `i`: the text up to the next
   * occurrence of its opening (`{`, its first member name and `:`), if that is preceded by `}` and, in an array, `,`.
   * Returns the end of the record the sink took, or -1 to find it exactly.
   */
  private guess(s: string, i: number, inArray: boolean): number {
    const n = s.length;
    let k = i + 1;
    while (k < n && isStructuralSpace(s.charCodeAt(k))) k++;
    if (k >= n || s.charCodeAt(k) !== QUOTE) return -1;
    const q = findStringEnd(s, k + 1);
    if (q < 0 || q - i > 100) return -1;
    // A `{"Records":[…]}` or `{"Events":[…]}` wrapper: its elements are the records, guessed one by one.
    if (!inArray && (s.startsWith('"Records"', k) || s.startsWith('"Events"', k))) return -1;
    let colon = q + 1;
    while (colon < n && isStructuralSpace(s.charCodeAt(colon))) colon++;
    if (colon >= n || s.charCodeAt(colon) !== COLON_CHAR) return -1;
    const next = s.indexOf(s.slice(i, colon + 1), colon + 1);
    let e = next - 1;
    while (e > colon && isStructuralSpace(s.charCodeAt(e))) e--;
    if (inArray && e > colon && s.charCodeAt(e) === COMMA) {
      e--;
      while (e > colon && isStructuralSpace(s.charCodeAt(e))) e--;
    } else if (inArray) {
      e = -1;
    }
    if (next > 0 && e > colon && s.charCodeAt(e) === RBRACE && this.tryCandidate?.(s.slice(i, e + 1), this.base + i)) {
      this.guessHits++;
      return e + 1;
    }
    // Not found (the last record in the text so far), or not one value: guessing costs a search and maybe a parse,
    // so give it up where it does not pay.
    this.guessMisses++;
    if (this.guessMisses >= 16 && this.guessMisses > this.guessHits) this.tryCandidate = null;
    return -1;
  }

  /** A string at a structural level closed at `q`: returns the next state. */
  private endString(s: string, q: number): number {
    const start = this.tokStart;
    this.tokStart = -1;
    switch (this.afterToken) {
      case AS_VALUE:
        return VALUE;
      case AS_ELEMENT:
        this.onRecord(s.slice(start, q + 1), this.base + start);
        return ELEM_NEXT;
      case AS_MEMBER:
        return MEMBER_NEXT;
      default: {
        // A member name of the top-level object.
        const length = q - start - 1;
        this.wrapKey =
          (length === 7 && s.startsWith('Records', start + 1)) || (length === 6 && s.startsWith('Events', start + 1));
        if (!this.wrapKey && !this.objIsWrapper && length <= 20 && RECORD_KEYS.has(s.slice(start + 1, q))) {
          // A CloudTrail record: take the fast path to its end.
          this.recStart = this.objStart;
          this.objStart = -1;
          this.valueEnd = 0;
          this.valueIsRecord = true;
          return VALUE;
        }
        return COLON;
      }
    }
  }

  /** The top-level object closed just before `end`: emits it if it is a record. Returns the next state. */
  private endObject(s: string, end: number): number {
    if (!this.objIsWrapper && this.objStart >= 0) {
      const start = this.objStart;
      this.objStart = -1;
      this.onRecord(s.slice(start, end), this.base + start);
    }
    this.objIsWrapper = false;
    this.wrapKey = false;
    return TOP;
  }
}

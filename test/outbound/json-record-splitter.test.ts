import { StringDecoder } from 'node:string_decoder';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { JsonRecordSplitter, JsonSplitError } from '../../src/outbound/event-sources/json-record-splitter.js';

interface Found {
  text: string;
  offset: number;
}

/** Splits `chunks` (pushed one by one) and returns the records found. Throws what the splitter throws. */
function split(chunks: readonly string[], maxValueChars?: number): Found[] {
  const found: Found[] = [];
  const splitter = new JsonRecordSplitter(
    (text, offset) => found.push({ text, offset }),
    maxValueChars === undefined ? {} : { maxValueChars },
  );
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return found;
}

/** As split, with the fast path on: candidates are checked with JSON.parse, as the files source does. */
function splitGuessing(chunks: readonly string[]): { found: Found[]; guessed: number; offered: number } {
  const found: Found[] = [];
  let guessed = 0;
  let offered = 0;
  const splitter = new JsonRecordSplitter((text, offset) => found.push({ text, offset }), {
    tryCandidate: (text, offset) => {
      offered++;
      try {
        JSON.parse(text);
      } catch {
        return false;
      }
      guessed++;
      found.push({ text, offset });
      return true;
    },
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { found, guessed, offered };
}

function texts(doc: string): string[] {
  return split([doc]).map((f) => f.text);
}

function splitError(chunks: readonly string[], maxValueChars?: number): JsonSplitError {
  try {
    split(chunks, maxValueChars);
  } catch (error) {
    if (error instanceof JsonSplitError) return error;
    throw error;
  }
  throw new Error('expected a JsonSplitError');
}

/** Every way of cutting `doc` in two, and cutting it into pieces of 1 to 7 characters. */
function chunkings(doc: string): string[][] {
  const out: string[][] = [];
  for (let p = 0; p <= doc.length; p++) out.push([doc.slice(0, p), doc.slice(p)]);
  for (let size = 1; size <= 7; size++) {
    const pieces: string[] = [];
    for (let i = 0; i < doc.length; i += size) pieces.push(doc.slice(i, i + size));
    out.push(pieces);
  }
  return out;
}

const r1 = '{"eventVersion":"1.08","eventName":"RunInstances","requestParameters":{"items":[{"a":1},{"b":[2,3]}]}}';
const r2 = '{"eventName":"Put\\"Object}","userAgent":"[aws-cli/2.13 {x}]","path":"C:\\\\dir\\\\","n":-1.5e3}';
const r3 = '{"eventID":"é日本語 🚀 \\u005c\\"","tags":{"名前":"値"},"list":[],"obj":{},"t":true,"f":false,"z":null}';

describe('what counts as a record', () => {
  test('the elements of a top-level array', () => {
    expect(texts(`[${r1},${r2}, ${r3}\n]`)).toEqual([r1, r2, r3]);
  });

  test('the elements of Records in a {"Records":[…]} delivery file', () => {
    expect(texts(`{"Records":[${r1},${r2},${r3}]}`)).toEqual([r1, r2, r3]);
  });

  test('the elements of Events in lookup-events output, whatever comes before or after them', () => {
    const e1 = `{"EventId":"1","CloudTrailEvent":${JSON.stringify(r1)}}`;
    const e2 = `{"EventId":"2","Resources":[{"ResourceType":"x"}],"CloudTrailEvent":${JSON.stringify(r2)}}`;
    expect(texts(`{"Events":[${e1},${e2}],"NextToken":"abc\\"}"}`)).toEqual([e1, e2]);
    expect(texts(`{"$metadata":{"httpStatusCode":200,"x":["Records"]},"NextToken":"t","Events":[${e1}]}`)).toEqual([
      e1,
    ]);
  });

  test('top-level values one after another: JSON lines, concatenated files and pages', () => {
    expect(texts(`${r1}\n${r2}\r\n\n${r3}`)).toEqual([r1, r2, r3]);
    expect(texts(`${r1}${r2}`)).toEqual([r1, r2]);
    expect(texts(`{"Records":[${r1}]}\n{"Records":[${r2},${r3}]}`)).toEqual([r1, r2, r3]);
    expect(texts(`{"Events":[${r1}],"NextToken":"a"}{"Events":[${r2}]}`)).toEqual([r1, r2]);
    expect(texts(`[${r1}]\n${r2}\n{"Records":[${r3}]}`)).toEqual([r1, r2, r3]);
  });

  test('a top-level object that is not a wrapper is a record, whole', () => {
    expect(texts('{"foo":1,"bar":{"Records":[1,2]}}')).toEqual(['{"foo":1,"bar":{"Records":[1,2]}}']);
    expect(texts('{"Records":null,"eventName":"x"}')).toEqual(['{"Records":null,"eventName":"x"}']);
    expect(texts('{"Recordsx":[1],"Event":[2]}')).toEqual(['{"Recordsx":[1],"Event":[2]}']);
    expect(texts('{}')).toEqual(['{}']);
  });

  test('a record whose first member is not a known CloudTrail field', () => {
    const doc = '{"x-custom":"}","nested":{"Records":["a"]},"eventTime":"2023-07-10T11:45:02Z","q":"\\\\"}';
    expect(texts(doc)).toEqual([doc]);
  });

  test('scalar elements are handed over too (the caller says they are not records)', () => {
    expect(texts('[1, "x,]", true,null , -2.5e-3]')).toEqual(['1', '"x,]"', 'true', 'null', '-2.5e-3']);
  });

  test('empty inputs hold no records', () => {
    expect(texts('')).toEqual([]);
    expect(texts(' \n\t ')).toEqual([]);
    expect(texts('[]')).toEqual([]);
    expect(texts('{"Records":[]}')).toEqual([]);
    expect(texts('[ ]\n{"Records":[ ]}')).toEqual([]);
  });

  test('byte-order marks and record separators between values are white space', () => {
    expect(texts(`\uFEFF{"Records":[${r1}]}`)).toEqual([r1]);
    expect(texts(`\uFEFF${r1}\n\uFEFF${r2}\u001e${r3}`)).toEqual([r1, r2, r3]);
  });

  test('offsets point at each record in the whole text', () => {
    const doc = `\uFEFF  {"Records":[ ${r1} ,\n${r2}]}\n${r3}\n[${r1}]`;
    const found = split([doc]);
    expect(found).toHaveLength(4);
    for (const { text, offset } of found) expect(doc.slice(offset, offset + text.length)).toBe(text);
    expect(found.map((f) => f.offset)).toEqual([
      doc.indexOf(r1),
      doc.indexOf(r2),
      doc.indexOf(r3),
      doc.lastIndexOf(r1),
    ]);
  });
});

describe('chunk boundaries', () => {
  // Every tricky spot: escapes (\" \\ \\\" \u005c), brackets and quotes in strings, multibyte and astral
  // characters, a wrapper key split anywhere, scalars, white space, values after the records array.
  const doc =
    `\uFEFF{"NextToken":"a\\\\\\"b","Records":[${r1},${r2}, ${r3},` +
    '{"eventName":"\\\\","k":"\\\\\\\\\\""}],"More":{"x":"]}"}}\n' +
    `${r3}\n[${r2},${r1}]\n{"x-unknown":"\\"","n":12345,"eventName":"late"}`;
  const expected = split([doc]);

  test('the document has the records it should', () => {
    expect(expected.map((f) => JSON.parse(f.text))).toEqual([
      JSON.parse(r1),
      JSON.parse(r2),
      JSON.parse(r3),
      { eventName: '\\', k: '\\\\"' },
      JSON.parse(r3),
      JSON.parse(r2),
      JSON.parse(r1),
      { 'x-unknown': '"', n: 12345, eventName: 'late' },
    ]);
  });

  test('cutting the text at every position, or into pieces of 1 to 7 characters, changes nothing', () => {
    for (const chunks of chunkings(doc)) expect(split(chunks)).toEqual(expected);
  });

  test('cutting the UTF-8 bytes at every position (inside multibyte characters) changes nothing', () => {
    const bytes = Buffer.from(doc, 'utf8');
    for (let p = 0; p <= bytes.length; p++) {
      const decoder = new StringDecoder('utf8');
      const chunks = [decoder.write(bytes.subarray(0, p)), decoder.write(bytes.subarray(p)), decoder.end()];
      expect(split(chunks)).toEqual(expected);
    }
  });

  test('a string ending in backslashes at a chunk boundary', () => {
    const rec = '{"eventName":"a\\\\","b":"\\\\\\"}"}';
    for (const chunks of chunkings(`[${rec},${rec}]`)) expect(split(chunks).map((f) => f.text)).toEqual([rec, rec]);
    for (const chunks of chunkings(`{"Records":[${rec}],"T":"\\\\"}`)) {
      expect(split(chunks).map((f) => f.text)).toEqual([rec]);
    }
  });

  test('a record far larger than the chunks it arrives in', () => {
    const big = JSON.stringify({ eventName: 'Big', pad: 'x{"]\\'.repeat(200_000), list: Array(5000).fill({ a: '}' }) });
    const doc = `{"Records":[${r1},${big},${r2}]}`;
    const pieces: string[] = [];
    for (let i = 0; i < doc.length; i += 997) pieces.push(doc.slice(i, i + 997));
    expect(split(pieces).map((f) => f.text)).toEqual([r1, big, r2]);
  });
});

describe('the fast path: guessing where the next record starts', () => {
  const ev = (i: number, extra = ''): string =>
    `{"eventVersion":"1.08","eventID":"${i}","userAgent":"[x] \\"},{\\"eventVersion\\":"${extra}}`;
  // Records that start alike, one with a nested object that starts like a record (a wrong guess), strings that
  // hold the opening escaped, pretty-printed and compact layouts, JSON lines and concatenated wrappers.
  const nested = `{"eventVersion":"1.08","eventID":"n","requestParameters":{"list":[{"a":1},{"eventVersion":"x"}]}}`;
  const docs = {
    wrapper: `{"Records":[${[0, 1, 2, 3].map((i) => ev(i)).join(',')},${nested},${ev(5)},${ev(6)}]}`,
    pretty: JSON.stringify(
      [0, 1, 2, 3, 4].map((i) => JSON.parse(ev(i))),
      null,
      3,
    ),
    lines: `${[0, 1, 2].map((i) => ev(i)).join('\n')}\n${nested}\n${ev(4)}\r\n${ev(5)}${ev(6)}`,
    pages: `{"Records":[${ev(0)},${ev(1)}]}\n{"Records":[${ev(2)}]}{"Records":[${nested}]}`,
    lookup: JSON.stringify({ Events: [0, 1, 2].map((i) => ({ EventId: i, CloudTrailEvent: ev(i) })), NextToken: 't' }),
  };

  test.each(Object.entries(docs))('%s: the same records as the exact split, however the text is cut', (_, doc) => {
    const exact = split([doc]);
    expect(splitGuessing([doc]).found).toEqual(exact);
    for (const chunks of chunkings(doc)) expect(splitGuessing(chunks).found).toEqual(exact);
  });

  test('records that start alike are taken by guess, checked by JSON.parse', () => {
    const { found, guessed } = splitGuessing([docs.wrapper]);
    expect(found).toHaveLength(7);
    // All but the record before the nested look-alike (a wrong guess) and the last one (nothing after it).
    expect(guessed).toBe(5);
    expect(splitGuessing([docs.pretty]).guessed).toBe(4);
  });

  test('where guesses keep failing, the splitter stops guessing', () => {
    const lines = Array.from({ length: 100 }, (_, i) => ev(i)).join('\n');
    let offered = 0;
    const found: string[] = [];
    const splitter = new JsonRecordSplitter((text) => found.push(text), {
      tryCandidate: () => {
        offered++;
        return false;
      },
    });
    splitter.push(lines);
    splitter.end();
    expect(found).toHaveLength(100);
    expect(offered).toBe(16);
  });
});

describe('mistakes', () => {
  test('text that is not JSON at all', () => {
    const error = splitError(['  hello']);
    expect(error.code).toBe('not-json');
    expect(error.offset).toBe(2);
    expect(error.message).toContain("'h'");
  });

  test('garbage after a good record stops the split there, after the record was handed over', () => {
    const found: string[] = [];
    const splitter = new JsonRecordSplitter((text) => found.push(text));
    expect(() => splitter.push(`${r1}\nxyz`)).toThrow(JsonSplitError);
    expect(found).toEqual([r1]);
    expect(() => splitter.push('more')).toThrow('push after an error');
  });

  test.each([
    ['{"Records":[{}x]}', 14, "expected ',' or ']'"],
    ['{"a" 1}', 5, "expected ':'"],
    ['{"a":1 "b":2}', 7, "expected ',' or '}'"],
    ['{1:2}', 1, 'expected a member name'],
    ['[{},,{}]', 4, 'expected a record'],
    ['{"a":}', 5, "expected a value after ':'"],
    [`${r1} 7`, r1.length + 1, "expected '{' or '['"],
  ])('%s', (doc, offset, message) => {
    const error = splitError([doc]);
    expect(error.code).toBe('syntax');
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(message);
  });

  test.each([
    [`{"Records":[${r1},{"eventName":"cut`, r1.length + 13, 'a record'],
    [`[${r1}`, r1.length + 1, 'the array of records'],
    [`{"Records":[${r1}, `, r1.length + 14, 'the array of records'],
    ['{"eventName":"x', 0, 'a record'],
    ['{"Records":[{"a":[1,2', 12, 'a record'],
    ['{"NextToken":"abc', 0, 'a record'],
  ])('truncated: %s', (doc, offset, what) => {
    for (const chunks of [[doc], doc.split('')]) {
      const error = splitError(chunks);
      expect(error.code).toBe('truncated');
      expect(error.offset).toBe(offset);
      expect(error.message).toContain(what);
    }
  });

  test('a value held across chunks that grows past the limit', () => {
    const doc = `[${r1},{"eventName":"${'x'.repeat(500)}"}]`;
    expect(split(doc.match(/.{1,10}/gs) ?? [], 1000)).toHaveLength(2);
    // The limit bounds what is held between chunks; a value that arrives whole in one chunk is not held.
    expect(split([doc], 200)).toHaveLength(2);
    const error = splitError(doc.match(/.{1,10}/gs) ?? [], 200);
    expect(error.code).toBe('too-large');
    expect(error.offset).toBe(r1.length + 2);
  });
});

describe('against JSON.parse, on generated documents', () => {
  const key = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => k !== 'Records' && k !== 'Events');
  const value = fc.jsonValue({ maxDepth: 3 });
  const record = fc.oneof(
    fc.dictionary(key, value, { maxKeys: 6 }),
    // Records that start alike, as one program writes them: the fast path guesses on these.
    fc.dictionary(key, value, { maxKeys: 4 }).map((rest) => ({ eventVersion: '1.08', ...rest })),
  );
  const layout = fc.constantFrom('array', 'records', 'events', 'lines', 'concatenated');

  test('every record is found, whole, at its offset, however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 6 }),
        layout,
        fc.constantFrom(undefined, 2, '\t'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (records, shape, indent, cuts) => {
          const json = (v: unknown): string => JSON.stringify(v, null, indent);
          let doc: string;
          if (shape === 'array') doc = json(records);
          else if (shape === 'records') doc = json({ Records: records });
          else if (shape === 'events') doc = json({ Events: records, NextToken: 'n"]}' });
          else if (shape === 'lines') doc = records.map((r) => JSON.stringify(r)).join('\n');
          else doc = records.map((r) => json({ Records: [r] })).join('');
          const positions = [...new Set(cuts.map((c) => c % (doc.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let last = 0;
          for (const p of positions) {
            chunks.push(doc.slice(last, p));
            last = p;
          }
          chunks.push(doc.slice(last));
          const found = split(chunks);
          expect(found.map((f) => JSON.stringify(JSON.parse(f.text)))).toEqual(records.map((r) => JSON.stringify(r)));
          for (const f of found) expect(doc.slice(f.offset, f.offset + f.text.length)).toBe(f.text);
          expect(splitGuessing(chunks).found).toEqual(found);
        },
      ),
      { numRuns: 400 },
    );
  });
});

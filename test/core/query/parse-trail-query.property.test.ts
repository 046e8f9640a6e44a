/**
 * Property-based tests of the query parser: it never throws, every answer is well formed, generated valid queries
 * parse back to what they were built from, and a junk word put into a valid query is the word the error names.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  MODIFIER_WORDS,
  parseTrailQuery,
  UNREADABLE_QUERY_MESSAGE,
} from '../../../src/core/query/parse-trail-query.js';
import { formatToken, stripZeroWidth } from '../../../src/core/query/tokenize.js';
import { HELP_TEXT } from '../../../src/core/query/usage.js';
import {
  NO_FILTERS,
  type ParsedQuery,
  type QueryFilters,
  type TrailQuery,
  type Verb,
  type WindowSpec,
} from '../../../src/core/trail-query.js';

/** The verbs the query generator below writes; match and scan have their own tests (parse-match.test.ts). */
const VERBS: readonly Exclude<Verb, 'match' | 'scan'>[] = ['who', 'user', 'event', 'errors', 'ip', 'key', 'id'];
const ALL_VERBS: readonly Verb[] = [...VERBS, 'match', 'scan'];
const RUNS = { numRuns: 400 };

/** Checks what every answer must satisfy, whatever the input; returns the answer for further checks. */
function checkWellFormed(input: string): ParsedQuery {
  let parsed: ParsedQuery | undefined;
  expect(() => {
    parsed = parseTrailQuery(input);
  }).not.toThrow();
  if (parsed === undefined) throw new Error('unreachable');
  switch (parsed.kind) {
    case 'help':
      expect(parsed.text).toBe(HELP_TEXT);
      break;
    case 'query': {
      expect(ALL_VERBS).toContain(parsed.query.verb);
      expect(parsed.query.text).not.toMatch(/^\s|\s$|\s\s(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      // The collapsed text means the same query.
      expect(parseTrailQuery(parsed.query.text)).toEqual(parsed);
      break;
    }
    case 'error': {
      const { word, message, example } = parsed.error;
      expect(message).not.toBe(UNREADABLE_QUERY_MESSAGE);
      expect(message.trim().length).toBeGreaterThan(0);
      expect(message).not.toMatch(/\n|\bat .*:\d+|TypeError|RangeError|undefined|NaN|\[object/);
      expect(example.trim().length).toBeGreaterThan(0);
      const exampleParsed = parseTrailQuery(example);
      expect(exampleParsed.kind).toBe('query');
      if (word !== null) expect(stripZeroWidth(input)).toContain(word);
      break;
    }
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------------------------
// Word generators.

const caseOf = (word: string): fc.Arbitrary<string> =>
  fc.constantFrom(word, word.toUpperCase(), `${word.charAt(0).toUpperCase()}${word.slice(1)}`);

/** Never valid in any position that checks its word: contains a character no value, keyword or id allows. */
const junkWord = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{0,3}$/),
    fc.constantFrom('!', '#', '%', '^', '*', '~', '!!', '$', '&'),
    fc.stringMatching(/^[a-z0-9]{0,3}$/),
  )
  .map(([a, b, c]) => `${a}${b}${c}`);

const grammarWord = fc.oneof(
  fc.constantFrom(...ALL_VERBS, 'help', ...MODIFIER_WORDS, 'all', 'now').chain(caseOf),
  fc.constantFrom(
    '2d',
    '0d',
    '30m',
    '1.5h',
    '3M',
    '2',
    'days',
    '2015-03-29',
    '2015-03-29T10:00Z',
    '2015-03-29T10:00',
    '2015-03-29T10:00+09:00',
    '2015-02-30',
    '10:00Z',
    'us-east-1',
    'us-east-1,',
    ',ap-northeast-1',
    'tokyo',
    '123456789012',
    '1234-5678-9012',
    '5',
    '10001',
    'i-0abc',
    'alice',
    'StopInstances',
    '203.0.113.7',
    '10.0.0.0/8',
    '::1',
    'AKIAIOSFODNN7EXAMPLE',
    '3038ebd2-c98a-4c65-9b6e-e22506292313',
    '"my bucket"',
    '"',
    '“',
    '""',
    '"since"',
    ',',
    '--since',
    'sinc',
    '\u0000',
    '\u200B',
    '&lt;b&gt;',
    '<http://example.com|example.com>',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
  ),
  junkWord,
  fc.string({ maxLength: 6 }),
);

// ---------------------------------------------------------------------------------------------------------------
// Valid queries, built from a spec with the parse result each must give.

type ScopeVerb = 'who' | 'user' | 'event' | 'ip' | 'key';
interface Slot {
  word: string;
  /** True when any junk word here must be the word an error names. */
  checked: boolean;
}
interface Built {
  slots: Slot[];
  expected: Omit<TrailQuery, 'text'>;
}

const freeTarget = fc
  .string({
    unit: fc.constantFrom(...'abcXYZ019-_:/.@+=,* éü東京'.split(''), 'since', 'public', 'to', '2d'),
    minLength: 1,
    maxLength: 12,
  })
  .filter((value) => !/^["“”]/.test(value));
const eventName = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,15}$/);
const ipSpec = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, bits]) => `${ip}/${bits}`),
);
const accessKey = fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{16}$/);
const eventId = fc.uuid();

const targetFor = (
  verb: Exclude<Verb, 'errors' | 'match' | 'scan'>,
): fc.Arbitrary<{ value: string; checked: boolean }> => {
  switch (verb) {
    case 'who':
    case 'user':
      return freeTarget.map((value) => ({ value, checked: false }));
    case 'event':
      return eventName.map((value) => ({ value, checked: true }));
    case 'ip':
      return ipSpec.map((value) => ({ value, checked: true }));
    case 'key':
      return accessKey.map((value) => ({ value, checked: true }));
    case 'id':
      return eventId.map((value) => ({ value, checked: true }));
  }
};

const FILTER_OF: Readonly<Record<Exclude<Verb, 'errors' | 'match' | 'scan'>, keyof QueryFilters>> = {
  who: 'resource',
  user: 'user',
  event: 'eventName',
  ip: 'ip',
  key: 'accessKeyId',
  id: 'eventId',
};

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const sinceGroup = fc
  .tuple(fc.constantFrom('m', 'h', 'd', 'w') as fc.Arbitrary<keyof typeof UNIT_MS>, fc.integer({ min: 1, max: 500 }))
  .chain(([unit, n]) =>
    // `M` is refused as ambiguous (months?), so minutes stay lower-case.
    fc.tuple(caseOf('since'), unit === 'm' ? fc.constant('m') : caseOf(unit)).map(([since, unitText]) => ({
      words: [since, `${n}${unitText}`],
      window: { kind: 'since', ms: n * UNIT_MS[unit], text: `${n}${unit}` } as WindowSpec,
    })),
  );

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
/** An instant written in a random zone, and the UTC ISO string it means. */
const zonedInstant = fc
  .tuple(
    fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }),
    fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => quarters * 15),
    fc.boolean(),
  )
  .map(([ms, offsetMinutes, useZ]) => {
    const offset = useZ ? 0 : offsetMinutes;
    const local = new Date(ms + offset * 60_000);
    const zone =
      useZ || offset === 0
        ? 'Z'
        : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    const text = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${zone}`;
    return { text, ms, iso: new Date(ms).toISOString() };
  });
const plainDate = fc.integer({ min: 10_957, max: 21_914 }).map((days) => {
  const iso = new Date(days * 86_400_000).toISOString().slice(0, 10);
  return { text: iso, ms: days * 86_400_000, iso: `${iso}T00:00:00.000Z`, endIso: `${iso}T23:59:59.999Z` };
});
const rangeGroup = fc
  .tuple(
    fc.oneof(zonedInstant, plainDate),
    fc.option(fc.oneof(zonedInstant, plainDate, fc.constant('now' as const))),
    caseOf('from'),
    caseOf('to'),
  )
  .map(([start, end, fromWord, toWord]) => {
    if (end === null) {
      return { words: [fromWord, start.text], window: { kind: 'range', from: start.iso, to: null } as WindowSpec };
    }
    if (end === 'now') {
      return {
        words: [fromWord, start.text, toWord, 'now'],
        window: { kind: 'range', from: start.iso, to: null } as WindowSpec,
      };
    }
    const endIso = 'endIso' in end ? end.endIso : end.iso;
    // Order the two so the range never ends before it starts.
    const [first, second] = Date.parse(endIso) >= Date.parse(start.iso) ? [start, end] : [end, start];
    const secondIso = 'endIso' in second ? second.endIso : second.iso;
    if (Date.parse(secondIso) < Date.parse(first.iso)) {
      return { words: [fromWord, first.text], window: { kind: 'range', from: first.iso, to: null } as WindowSpec };
    }
    return {
      words: [fromWord, first.text, toWord, second.text],
      window: { kind: 'range', from: first.iso, to: secondIso } as WindowSpec,
    };
  });

const KNOWN_REGIONS = ['us-east-1', 'us-west-2', 'ap-northeast-1', 'eu-central-1', 'us-gov-west-1', 'cn-north-1'];
const regionsGroup = fc.oneof(
  caseOf('all').map((all) => ({ words: [all], regions: 'all' as const })),
  fc.uniqueArray(fc.constantFrom(...KNOWN_REGIONS), { minLength: 1, maxLength: 4 }).chain((regions) =>
    fc.constantFrom(',', ', ').chain((separator) =>
      fc.boolean().map((upper) => ({
        words: (upper ? regions.join(separator).toUpperCase() : regions.join(separator)).split(' '),
        regions,
      })),
    ),
  ),
);
const accountValue = fc.oneof(
  fc.stringMatching(/^[1-9]\d{11}$/).map((id) => ({ text: id, value: id })),
  fc
    .stringMatching(/^[a-z][a-z0-9-]{2,10}$/)
    .map((alias) => ({ text: formatToken(alias, MODIFIER_WORDS), value: alias })),
);

interface Spec {
  verb: Exclude<Verb, 'match' | 'scan'>;
  target: { value: string; checked: boolean } | null;
  scope: { verb: ScopeVerb; value: string; checked: boolean } | null;
  window: { words: string[]; window: WindowSpec } | null;
  regions: { words: string[]; regions: string[] | 'all' } | null;
  account: { text: string; value: string } | null;
  access: 'writes' | 'reads' | null;
  limit: number | null;
  public: boolean;
  order: number[];
  verbWord: string;
  keywordCase: string[];
}

const specArb: fc.Arbitrary<Spec> = fc.constantFrom(...VERBS).chain((verb) => {
  const scopes: readonly ScopeVerb[] =
    verb === 'errors' ? ['who', 'user', 'event', 'ip', 'key'] : verb === 'ip' ? ['who', 'user', 'event'] : [];
  return fc.record({
    verb: fc.constant(verb),
    target: verb === 'errors' ? fc.constant(null) : targetFor(verb).map((t) => t),
    scope:
      scopes.length === 0
        ? fc.constant(null)
        : fc.option(fc.constantFrom(...scopes).chain((scope) => targetFor(scope).map((t) => ({ verb: scope, ...t })))),
    window: fc.option(fc.oneof(sinceGroup, rangeGroup)),
    regions: fc.option(regionsGroup),
    account: fc.option(accountValue),
    access: fc.constantFrom(null, 'writes' as const, 'reads' as const),
    limit: fc.option(fc.integer({ min: 1, max: 10_000 })),
    public: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    verbWord: caseOf(verb),
    keywordCase: fc.array(fc.constantFrom('lower', 'upper', 'title'), { minLength: 8, maxLength: 8 }),
  });
});

function build(spec: Spec): Built {
  const kw = (word: string, i: number): string => {
    const style = spec.keywordCase[i % spec.keywordCase.length];
    if (style === 'upper') return word.toUpperCase();
    if (style === 'title') return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
    return word;
  };
  const filters: QueryFilters = { ...NO_FILTERS, errorsOnly: spec.verb === 'errors' };
  const head: Slot[] = [{ word: spec.verbWord, checked: true }];
  if (spec.verb !== 'errors' && spec.target !== null) {
    head.push({ word: formatToken(spec.target.value, MODIFIER_WORDS), checked: spec.target.checked });
    filters[FILTER_OF[spec.verb]] = spec.target.value as never;
  }
  const groups: Slot[][] = [];
  if (spec.scope !== null) {
    groups.push([
      { word: kw(spec.scope.verb, 0), checked: true },
      { word: formatToken(spec.scope.value, MODIFIER_WORDS), checked: spec.scope.checked },
    ]);
    filters[FILTER_OF[spec.scope.verb]] = spec.scope.value as never;
  }
  if (spec.window !== null) groups.push(spec.window.words.map((word) => ({ word, checked: true })));
  if (spec.regions !== null) {
    groups.push([{ word: kw('in', 1), checked: true }, ...spec.regions.words.map((word) => ({ word, checked: true }))]);
  }
  if (spec.account !== null) {
    groups.push([
      { word: kw('account', 2), checked: true },
      { word: spec.account.text, checked: true },
    ]);
  }
  if (spec.access !== null) groups.push([{ word: kw(spec.access, 3), checked: true }]);
  if (spec.limit !== null) {
    groups.push([
      { word: kw('limit', 4), checked: true },
      { word: String(spec.limit), checked: true },
    ]);
  }
  if (spec.public) groups.push([{ word: kw('public', 5), checked: true }]);
  const ordered = groups
    .map((group, i) => ({ group, key: spec.order[i] ?? i }))
    .sort((a, b) => a.key - b.key)
    .flatMap(({ group }) => group);
  return {
    slots: [...head, ...ordered],
    expected: {
      verb: spec.verb,
      filters,
      window: spec.window?.window ?? { kind: 'default' },
      regions: spec.regions?.regions ?? null,
      account: spec.account?.value ?? null,
      access: spec.access,
      limit: spec.limit,
      public: spec.public,
    },
  };
}

const builtArb = specArb.map(build);
const textOf = (slots: readonly Slot[]): string => slots.map((slot) => slot.word).join(' ');

// ---------------------------------------------------------------------------------------------------------------

describe('parseTrailQuery never throws and always answers in shape', () => {
  test('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        checkWellFormed(text);
      }),
      { numRuns: 1000 },
    );
  });

  test('long strings around the length cap', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1900, maxLength: 2100, unit: fc.constantFrom('a', ' ', '"', '1', 'd') }),
        (text) => {
          checkWellFormed(`who ${text}`);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('huge, control-character and Slack-escaped inputs', () => {
    const inputs = [
      'who '.repeat(25_000),
      `who ${'x'.repeat(100_000)}`,
      '"'.repeat(100_000),
      '\u0000\u0001\u0002\u001b[31m who',
      'who \uD800 since 2d',
      'who i-0abc since 2d \uDFFF',
      '<@U123ABC> who i-0abc',
      'who &lt;script&gt; since 2d',
      'who <http://my-bucket.s3.amazonaws.com|my-bucket.s3.amazonaws.com>',
      'who i-0abc in us-east-1,,,,',
      'who i-0abc in ,,,',
      '\u202Ewho i-0abc',
      'who\u00A0i-0abc\u3000since\u20292d',
      '🙂 🙂',
      'who 🙂',
      'errors'.repeat(400),
    ];
    for (const input of inputs) checkWellFormed(input);
    expect(parseTrailQuery('who\u00A0i-0abc\u3000since\u20292d')).toMatchObject({
      kind: 'query',
      query: { filters: { resource: 'i-0abc' }, window: { kind: 'since', text: '2d' } },
    });
  });

  test('token sequences from the grammar plus junk', () => {
    fc.assert(
      fc.property(fc.array(grammarWord, { maxLength: 12 }), fc.constantFrom(' ', '  ', '\t'), (words, gap) => {
        checkWellFormed(words.join(gap));
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid queries', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), word: grammarWord }),
      fc.record({ kind: fc.constant('upper' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(builtArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (built, mutations) => {
        let words = built.slots.map((slot) => slot.word);
        for (const m of mutations) {
          const at = words.length === 0 ? 0 : m.at % words.length;
          const word = words[at] ?? '';
          switch (m.kind) {
            case 'delete':
              words = words.filter((_, i) => i !== at);
              break;
            case 'duplicate':
              words = [...words.slice(0, at + 1), word, ...words.slice(at + 1)];
              break;
            case 'swap': {
              const next = words[at + 1];
              if (next !== undefined) words = [...words.slice(0, at), next, word, ...words.slice(at + 2)];
              break;
            }
            case 'insert':
              words = [...words.slice(0, at), m.word, ...words.slice(at)];
              break;
            case 'upper':
              words = words.map((w, i) => (i === at ? w.toUpperCase() : w));
              break;
            case 'cut': {
              const text = words.join(' ');
              words = [text.slice(0, m.at % (text.length + 1))];
              break;
            }
          }
        }
        checkWellFormed(words.join(' '));
      }),
      RUNS,
    );
  });
});

describe('round trips', () => {
  test('a generated valid query parses to what it was built from', () => {
    fc.assert(
      fc.property(builtArb, (built) => {
        const text = textOf(built.slots);
        const parsed = checkWellFormed(text);
        expect(parsed).toEqual({ kind: 'query', query: { text, ...built.expected } });
      }),
      { numRuns: 1000 },
    );
  });

  test('a checked word replaced by junk is the word the error names', () => {
    fc.assert(
      fc.property(builtArb, fc.nat(), junkWord, (built, pick, junk) => {
        const checked = built.slots.flatMap((slot, i) => (slot.checked ? [i] : []));
        const at = checked[pick % checked.length] ?? 0;
        const slots = built.slots.map((slot, i) => (i === at ? { word: junk, checked: true } : slot));
        const parsed = checkWellFormed(textOf(slots));
        expect(parsed.kind).toBe('error');
        if (parsed.kind === 'error') expect(parsed.error.word).toBe(junk);
      }),
      { numRuns: 1000 },
    );
  });

  test('a keyword whose letters are swapped or dropped is named, with a did-you-mean example', () => {
    const keywordSlot = (word: string): boolean => /^[a-z]{5,}$/i.test(word) && MODIFIER_WORDS.has(word.toLowerCase());
    fc.assert(
      fc.property(builtArb, fc.nat(), fc.boolean(), (built, pick, swap) => {
        const candidates = built.slots.flatMap((slot, i) => (keywordSlot(slot.word) ? [i] : []));
        fc.pre(candidates.length > 0);
        const at = candidates[pick % candidates.length] ?? 0;
        const original = built.slots[at]?.word ?? '';
        const typo = swap ? `${original.charAt(1)}${original.charAt(0)}${original.slice(2)}` : original.slice(0, -1);
        const slots = built.slots.map((slot, i) => (i === at ? { word: typo, checked: true } : slot));
        const parsed = checkWellFormed(textOf(slots));
        expect(parsed.kind).toBe('error');
        if (parsed.kind !== 'error') return;
        expect(parsed.error.word).toBe(typo);
        expect(parsed.error.message).toContain(`\`${original.toLowerCase()}\``);
        const fixed = parseTrailQuery(parsed.error.example);
        expect(fixed).toMatchObject({ kind: 'query', query: built.expected });
      }),
      RUNS,
    );
  });

  test('changing the case of verbs and keywords changes nothing but the text', () => {
    fc.assert(
      fc.property(builtArb, (built) => {
        const lower = parseTrailQuery(textOf(built.slots));
        const upper = parseTrailQuery(
          textOf(
            built.slots.map((slot, i) =>
              i === 0 || MODIFIER_WORDS.has(slot.word.toLowerCase())
                ? { ...slot, word: slot.word.toUpperCase() }
                : slot,
            ),
          ),
        );
        expect(lower.kind).toBe('query');
        if (lower.kind === 'query' && upper.kind === 'query') {
          expect({ ...upper.query, text: '' }).toEqual({ ...lower.query, text: '' });
        }
      }),
      RUNS,
    );
  });
});

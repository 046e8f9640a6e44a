/**
 * Properties, checked with fast-check: parseFilterPattern never throws and reports offsets inside the text; a
 * parsed event and its JSON text get the same verdict; `&&`, `||` and parentheses combine verdicts as boolean logic
 * with `&&` binding tighter; pinnedValues never excludes a value a matching event holds; space-delimited layouts
 * account for every log field.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type FilterPattern, parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';
import { splitLogFields } from '../../../src/core/filter-pattern/split-log-fields.js';

const RUNS = { numRuns: 600 };

/** Pieces of every grammar the engine reads, glued at random so the parsers meet their own syntax out of order. */
const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '$',
  '$.a',
  '$.b',
  '.c',
  '[0]',
  '["k"]',
  "['k']",
  '=',
  '!=',
  '<',
  '>=',
  '<=',
  '>',
  '&&',
  '||',
  '&',
  '|',
  '"x"',
  '"',
  '\\',
  '*',
  'x*',
  '*x',
  '%a%',
  '%',
  '%(%',
  'IS NULL',
  'IS TRUE',
  'IS FALSE',
  'NOT EXISTS',
  'EXISTS',
  'IS',
  'NOT',
  '1',
  '-2.5e3',
  '+7',
  '10e-3',
  ' ',
  '  ',
  '\t',
  ',',
  '...',
  '-',
  '?',
  'ERROR',
  'é',
  '\u00a0',
  '😀',
];
const grammarSoup = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 40 })
  .chain((parts) => fc.constantFrom(parts.join(''), parts.join(' ')));

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 1100 }),
  grammarSoup,
  grammarSoup.map((soup) => `{ ${soup} }`),
  grammarSoup.map((soup) => `[${soup}]`),
);

/** JSON events over a few keys, so selectors resolve often; values cover every JSON type, NaN and -0 included. */
const key = fc.constantFrom('a', 'b', 'c', 'k', '0', 'constructor');
const leaf = fc.oneof(
  fc.constantFrom('x', 'x y', 'ERROR', '1', '400', '*', '', 'xy', 'yx', '-2.5'),
  fc.integer({ min: -5, max: 500 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const { node: jsonValue } = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));
const jsonEvent = fc.dictionary(key, jsonValue, { maxKeys: 4, noNullPrototype: true });

/** Well-formed JSON conditions. */
const selector = fc.constantFrom('$.a', '$.b', '$.a.b', '$.a[0]', '$.k', '$["a"]', '$.c[1].a', '$.constructor', '$.0');
const comparison = fc.oneof(
  fc
    .tuple(
      selector,
      fc.constantFrom('=', '!='),
      fc.constantFrom('x', '"x"', '1', '400', '*', 'x*', '*y', '"x y"', '%x%', '-2.5', '""', 'Ev*ent'),
    )
    .map(([s, op, v]) => `${s} ${op} ${v}`),
  fc
    .tuple(selector, fc.constantFrom('<', '>', '<=', '>='), fc.constantFrom('1', '400', '-2.5', '1e2', '+0'))
    .map(([s, op, v]) => `${s}${op}${v}`),
  fc
    .tuple(selector, fc.constantFrom('IS NULL', 'IS TRUE', 'IS FALSE', 'NOT EXISTS', 'EXISTS'))
    .map(([s, k]) => `${s} ${k}`),
);

/** Unlike compile-pattern.ts's `compile`, null rather than a throw: generated texts need not parse. */
function compile(text: string): FilterPattern | null {
  const parsed = parseFilterPattern(text);
  return parsed.ok ? parsed.pattern : null;
}

describe('parseFilterPattern never throws', () => {
  test('for any text: ok, or an error inside the text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const parsed = parseFilterPattern(text);
        if (parsed.ok) {
          expect(parsed.pattern.text).toBe(text);
          return;
        }
        expect(parsed.error.offset).toBeGreaterThanOrEqual(0);
        expect(parsed.error.offset).toBeLessThanOrEqual(text.length);
        expect(Number.isInteger(parsed.error.offset)).toBe(true);
        expect(parsed.error.message).toMatch(new RegExp(`^at column ${parsed.error.offset + 1}: [^\\n]+$`));
      }),
      { numRuns: 3000 },
    );
  });

  test('parsed patterns never throw on messages or events, and agree between the two', () => {
    fc.assert(
      fc.property(anyText, fc.array(jsonEvent, { maxLength: 3 }), fc.string(), (text, events, message) => {
        const pattern = compile(text);
        if (pattern === null) return;
        pattern.matchMessage(message);
        pattern.pinnedValues('a');
        for (const event of events)
          expect(pattern.matchEvent(event)).toBe(pattern.matchMessage(JSON.stringify(event)) !== null);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('JSON patterns', () => {
  test('matchEvent(event) === (matchMessage(JSON.stringify(event)) !== null)', () => {
    const pattern = fc
      .array(fc.tuple(comparison, fc.constantFrom('&&', '||')), { minLength: 1, maxLength: 5 })
      .map((parts) => `{ ${parts.map(([c, join], i) => (i === 0 ? c : `${join} ${c}`)).join(' ')} }`);
    fc.assert(
      fc.property(pattern, fc.array(jsonEvent, { minLength: 1, maxLength: 5 }), (text, events) => {
        const compiled = compile(text);
        fc.pre(compiled !== null); // only the regex limit can reject these
        for (const event of events)
          expect(compiled?.matchEvent(event)).toBe(compiled?.matchMessage(JSON.stringify(event)) !== null);
      }),
      RUNS,
    );
  });

  test('&& binds tighter than ||, parentheses override, and spacing does not matter', () => {
    fc.assert(
      fc.property(comparison, comparison, comparison, jsonEvent, (c1, c2, c3, event) => {
        const [p1, p2, p3] = [c1, c2, c3].map((c) => compile(`{ ${c} }`));
        const or = compile(`{ ${c1} || ${c2} && ${c3} }`);
        const and = compile(`{${c1}&&${c2}||${c3}}`);
        const grouped = compile(`{ ( ${c1} || ${c2} ) && ( ${c3} ) }`);
        fc.pre(p1 != null && p2 != null && p3 != null && or !== null && and !== null && grouped !== null);
        const [v1, v2, v3] = [p1, p2, p3].map((p) => p?.matchEvent(event) === true);
        expect(or?.matchEvent(event)).toBe(v1 || (v2 && v3));
        expect(and?.matchEvent(event)).toBe((v1 && v2) || v3);
        expect(grouped?.matchEvent(event)).toBe((v1 || v2) && v3);
      }),
      RUNS,
    );
  });

  test('a comparison on a path an event lacks is false, whatever the operator', () => {
    fc.assert(
      fc.property(comparison, jsonEvent, (c, event) => {
        const pattern = compile(`{ ${c.replace(/^\$[^ <>=!]*/, '$.absent.path')} }`);
        fc.pre(pattern !== null);
        const verdict = pattern?.matchEvent(event);
        expect(verdict).toBe(c.includes('NOT EXISTS'));
      }),
      RUNS,
    );
  });

  test('pinnedValues never excludes a value a matching event holds', () => {
    const eq = fc
      .tuple(fc.constantFrom('$.a', '$.b'), fc.constantFrom('=', '!='), fc.constantFrom('p', 'q', 'r', 'p*', '1'))
      .map(([s, op, v]) => `${s} ${op} ${v}`);
    const { expr } = fc.letrec((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        eq,
        fc.tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
      ),
    }));
    const event = fc.record({ a: fc.constantFrom('p', 'q', 'r', 1, 'pp'), b: fc.constantFrom('p', 'q', 'r') });
    fc.assert(
      fc.property(expr, fc.array(event, { minLength: 1, maxLength: 8 }), (body, events) => {
        const pattern = compile(`{ ${body} }`);
        if (pattern === null) throw new Error(`does not parse: ${body}`);
        const pinned = pattern.pinnedValues('a');
        if (pinned === null) return;
        for (const e of events) if (pattern.matchEvent(e)) expect(pinned.has(String(e.a))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('space-delimited patterns', () => {
  test('without conditions, a pattern matches when the field counts allow it, and every log field gets one key', () => {
    const field = fc.constantFrom('name', '...', '');
    const words = fc.array(fc.constantFrom('a', 'b c', '[x y]', '"q r"', '-', '[', '"'), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), words, (fields, parts) => {
        const text = `[${fields.map((f, i) => (f === 'name' ? `n${i}` : f)).join(', ')}]`;
        const pattern = compile(text);
        if (pattern === null) throw new Error(`does not parse: ${text}`);
        const message = parts.join(' ');
        const count = splitLogFields(message).length;
        const fixed = fields.filter((f) => f !== '...').length;
        const fits = fields.includes('...') ? count >= fixed : count === fixed;
        const extracted = pattern.matchMessage(message);
        expect(extracted !== null).toBe(fits);
        if (extracted !== null) expect(Object.keys(extracted)).toHaveLength(count);
      }),
      RUNS,
    );
  });

  test('with conditions, a pattern matches exactly when some layout of its fields satisfies them all', () => {
    type Cmp = { name: string; op: '=' | '!='; value: string };
    const cmp = fc.record({
      name: fc.constantFrom('n0', 'n1', 'n2', 'n3', 'missing'),
      op: fc.constantFrom<'=' | '!='>('=', '!='),
      value: fc.constantFrom('a', 'b'),
    });
    /** `||` of `&&` groups. */
    const condition = fc.array(fc.array(cmp, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 });
    const field = fc.oneof(
      fc.constant({ kind: 'ellipsis' as const }),
      fc.constant({ kind: 'empty' as const }),
      fc.record({ kind: fc.constant<'named'>('named'), condition: fc.option(condition, { nil: null }) }),
    );
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 6 }),
        (fields, tokens) => {
          let named = 0;
          const spec = fields.map((f) => {
            if (f.kind !== 'named') return f;
            const name = `n${named++}`;
            // The first comparison is written on the field's own name.
            const condition: Cmp[][] | null =
              f.condition?.map((group, g) => group.map((c, i) => (g === 0 && i === 0 ? { ...c, name } : c))) ?? null;
            return { kind: 'named' as const, name, condition };
          });
          const written = (condition: Cmp[][]): string =>
            condition.map((group) => group.map((c) => `${c.name} ${c.op} ${c.value}`).join(' && ')).join(' || ');
          const text = `[${spec
            .map((f) =>
              f.kind === 'ellipsis'
                ? '...'
                : f.kind === 'empty'
                  ? ''
                  : f.condition === null
                    ? f.name
                    : written(f.condition),
            )
            .join(', ')}]`;
          const pattern = compile(text);
          if (pattern === null) throw new Error(`does not parse: ${text}`);

          // Brute force: every way to give each ellipsis a number of tokens.
          const satisfied = (values: Map<string, string>): boolean =>
            spec.every(
              (f) =>
                f.kind !== 'named' ||
                f.condition === null ||
                f.condition.some((group) =>
                  group.every((c) => {
                    const v = values.get(c.name);
                    return v !== undefined && (c.op === '=' ? v === c.value : v !== c.value);
                  }),
                ),
            );
          const layouts = (i: number, t: number, values: Map<string, string>): boolean => {
            const f = spec[i];
            if (f === undefined) return t === tokens.length && satisfied(values);
            if (f.kind === 'ellipsis') {
              for (let n = 0; t + n <= tokens.length; n += 1) if (layouts(i + 1, t + n, values)) return true;
              return false;
            }
            const token = tokens[t];
            if (token === undefined) return false;
            const next = new Map(values);
            if (f.kind === 'named') next.set(f.name, token);
            return layouts(i + 1, t + 1, next);
          };
          expect(pattern.matchMessage(tokens.join(' ')) !== null).toBe(layouts(0, 0, new Map()));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

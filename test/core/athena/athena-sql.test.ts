/**
 * The Athena statement: partition pruning on every question, the question's values only ever as parameters (hostile
 * ones included), and narrowing that is never stricter than the record matcher (checked over the real corpora).
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { recordFromRow } from '../../../src/core/athena/athena-row.js';
import {
  type AthenaSqlInput,
  buildAthenaQuery,
  canQuote,
  ipNarrowing,
  MAX_PARAMETER_LENGTH,
  partitionDay,
  quoteIdentifier,
  resourceNeedle,
  SELECTED_COLUMNS,
  sqlString,
  userWords,
} from '../../../src/core/athena/athena-sql.js';
import { TrailbotError } from '../../../src/core/errors.js';
import { namesResource } from '../../../src/core/match-record.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { ipMatcher } from '../../../src/core/query/match-ip.js';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import type { QueryFilters, TrailQuery } from '../../../src/core/trail-query.js';
import { loadCorpus } from '../../helpers/corpora.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';
import { aQuery } from '../../helpers/records.js';
import { athenaValuesOf, countPlaceholders } from '../../loopback/athena-server.js';

const TABLE = { database: 'cloudtrail', table: 'org_trail' };
const FROM = new Date('2026-01-01T10:15:30.250Z');
const TO = new Date('2026-01-08T09:00:00.999Z');

function build(query: TrailQuery, overrides: Partial<AthenaSqlInput> = {}) {
  return buildAthenaQuery({ table: TABLE, query, from: FROM, to: TO, regions: null, maxRows: 10_000, ...overrides });
}

function parsed(text: string): TrailQuery {
  const result = parseTrailQuery(text);
  if (result.kind !== 'query') throw new Error(`not a query: ${text}`);
  return result.query;
}

/** The value a string literal stands for. */
function unquote(literal: string): string {
  expect(literal).toMatch(/^'(?:[^']|'')*'$/);
  return literal.slice(1, -1).replaceAll("''", "'");
}

/** Every parameter is one literal, as many as the placeholders; their values. */
function checkedParameters(statement: { sql: string; parameters: string[] }): string[] {
  expect(countPlaceholders(statement.sql)).toBe(statement.parameters.length);
  return statement.parameters.map(unquote);
}

function usage(run: () => unknown): TrailbotError {
  try {
    run();
  } catch (error) {
    if (error instanceof TrailbotError) return error;
    throw error;
  }
  throw new Error('expected a TrailbotError');
}

describe('sqlString: the one way a value becomes SQL text', () => {
  test.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["'; DROP TABLE x; --", "'''; DROP TABLE x; --'"],
    ["''", "''''''"],
    ['back\\slash\\', "'back\\slash\\'"],
    ['"double"', '\'"double"\''],
    ['日本語 ✓ 🚀', "'日本語 ✓ 🚀'"],
    ['', "''"],
  ])('%j → %s', (value, literal) => {
    expect(sqlString(value)).toBe(literal);
  });

  test.each(['new\nline', 'carriage\r', 'nul\u0000', 'escape\u001b[2J', 'del\u007f', 'next-line\u0085', 'tab\t'])(
    'refuses a control character: %j',
    (value) => {
      expect(canQuote(value)).toBe(false);
      expect(usage(() => sqlString(value)).code).toBe('usage');
    },
  );

  test('refuses broken Unicode (a lone surrogate), takes a whole pair', () => {
    expect(canQuote('a\ud800b')).toBe(false);
    expect(canQuote('a\udc00')).toBe(false);
    expect(canQuote('a\ud83d\ude80')).toBe(true);
  });

  test('any quotable string is one literal whose value is the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        if (!canQuote(value)) return;
        const literal = sqlString(value);
        expect(literal).toMatch(/^'(?:[^']|'')*'$/);
        expect(unquote(literal)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});

describe('identifiers and days', () => {
  test('database and table names are plain identifiers, double-quoted', () => {
    expect(quoteIdentifier('org_trail')).toBe('"org_trail"');
    for (const bad of ['', '1abc', 'a.b', 'a-b', 'x"; DROP TABLE y; --', 'tâble', 'a b', '"quoted"'])
      expect(usage(() => quoteIdentifier(bad)).code).toBe('usage');
    expect(usage(() => build(aQuery(), { table: { database: 'db', table: 't"--' } })).fault).toBe('user');
  });

  test('the partition day is the UTC day, yyyy/MM/dd', () => {
    expect(partitionDay(new Date('2026-01-01T00:00:00Z'))).toBe('2026/01/01');
    expect(partitionDay(new Date('2025-12-31T23:59:59.999Z'))).toBe('2025/12/31');
    expect(partitionDay(new Date('2019-03-04T12:00:00+09:00'))).toBe('2019/03/04');
  });
});

describe('the statement', () => {
  test('who: the SELECT list, the table, partitions, the window to the second, the resource, newest first', () => {
    const statement = build(parsed('who sg-04cfb7a4712d75b00'), { regions: ['eu-west-1', 'us-east-1'] });
    const columns = SELECTED_COLUMNS.map((c) =>
      c.struct ? `json_format(CAST(${c.name} AS JSON)) AS ${c.name}` : c.name,
    );
    expect(statement.sql).toBe(
      [
        `SELECT ${columns.join(', ')}`,
        'FROM "cloudtrail"."org_trail"',
        `WHERE "timestamp" BETWEEN '2026/01/01' AND '2026/01/09'`,
        `  AND region IN ('eu-west-1', 'us-east-1')`,
        '  AND eventtime >= ?',
        '  AND eventtime < ?',
        '  AND (strpos(requestparameters, ?) > 0 OR strpos(responseelements, ?) > 0 OR strpos(json_format(CAST(resources AS JSON)), ?) > 0)',
        'ORDER BY eventtime DESC',
        'LIMIT 10001',
      ].join('\n'),
    );
    expect(checkedParameters(statement)).toEqual([
      '2026-01-01T10:15:30',
      '2026-01-08T09:00:01',
      'sg-04cfb7a4712d75b00',
      'sg-04cfb7a4712d75b00',
      'sg-04cfb7a4712d75b00',
    ]);
  });

  test.each([
    'who i-0abc',
    'user alice',
    'event StopInstances',
    'errors',
    'errors user bob',
    'ip 203.0.113.0/24',
    'key AKIAIOSFODNN7EXAMPLE',
    'id 6f1a2b3c-0000-4000-8000-000000000000',
    'match { $.eventName = "ConsoleLogin" }',
    'match { $.errorCode = "AccessDenied*" }',
    'scan',
    'who i-0abc writes account 123456789012 in eu-west-1',
  ])('every question names its days: %s', (text) => {
    for (const to of [TO, null]) {
      const statement = build(parsed(text), { to });
      expect(statement.sql).toMatch(
        to === null
          ? /\nWHERE "timestamp" >= '2026\/01\/01'\n/
          : /\nWHERE "timestamp" BETWEEN '2026\/01\/01' AND '2026\/01\/09'\n/,
      );
      checkedParameters(statement);
    }
  });

  test('an open end reads up to the newest day and has no upper bound on eventtime', () => {
    const statement = build(parsed('errors'), { to: null });
    expect(statement.sql).not.toContain('eventtime <');
    expect(checkedParameters(statement)).toEqual(['2026-01-01T10:15:30']);
  });

  test('a window past LookupEvents’ 90 days is read as asked: no clip', () => {
    const statement = build(parsed('who i-0abc'), {
      from: new Date('2019-06-01T00:00:00Z'),
      to: new Date('2019-06-30T23:59:59Z'),
    });
    expect(statement.sql).toContain(`"timestamp" BETWEEN '2019/06/01' AND '2019/07/01'`);
    expect(checkedParameters(statement).slice(0, 2)).toEqual(['2019-06-01T00:00:00', '2019-07-01T00:00:00']);
  });

  test('account and regions prune partitions; invalid ones are usage errors, not SQL', () => {
    const statement = build(parsed('errors account 123456789012'), { regions: ['ap-northeast-1'] });
    expect(statement.sql).toContain(`AND region IN ('ap-northeast-1')\n  AND account = '123456789012'`);
    expect(usage(() => build(aQuery({ account: "1' OR '1'='1" }))).code).toBe('usage');
    expect(usage(() => build(aQuery(), { regions: ["eu-west-1') OR ('1'='1"] })).code).toBe('usage');
    expect(() => build(aQuery(), { regions: [] })).toThrow(TrailbotError);
  });

  test.each<[string, string, string[]]>([
    ['event StopInstances', 'lower(eventname) = ?', ['stopinstances']],
    ['key AKIAIOSFODNN7EXAMPLE', 'useridentity.accesskeyid = ?', ['AKIAIOSFODNN7EXAMPLE']],
    ['id e-1', 'eventid = ?', ['e-1']],
    [
      'user AWSReservedSSO_Admin_0123/alice@example.com',
      'strpos(lower(json_format(CAST(useridentity AS JSON))), ?) > 0 AND strpos(lower(json_format(CAST(useridentity AS JSON))), ?) > 0',
      ['awsreservedsso_admin_0123', 'alice@example.com'],
    ],
    ['ip 203.0.113.7', "(trim(sourceipaddress) = ? OR strpos(sourceipaddress, ':') > 0)", ['203.0.113.7']],
    ['ip 10.1.16.0/20', "(trim(sourceipaddress) LIKE ? OR strpos(sourceipaddress, ':') > 0)", ['10.1.%']],
    ['ip 2001:db8::/32', "strpos(sourceipaddress, ':') > 0", []],
    ['errors', "(errorcode IS NOT NULL OR errormessage IS NOT NULL OR strpos(responseelements, 'Failure') > 0)", []],
    [
      'match { ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }',
      'eventname IN (?, ?)',
      ['DeleteTrail', 'StopLogging'],
    ],
    ['match { $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }', 'eventsource IN (?)', ['kms.amazonaws.com']],
    ['errors reads', "(readonly IS NULL OR lower(readonly) <> 'false')", []],
    ['errors writes', "(readonly IS NULL OR lower(readonly) <> 'true')", []],
  ])('%s narrows with %s', (text, predicate, values) => {
    const statement = build(parsed(text));
    expect(statement.sql).toContain(`\n  AND ${predicate}\n`);
    expect(checkedParameters(statement).slice(2)).toEqual(values);
  });

  test.each(['ip 0.0.0.0/0', 'ip 10.0.0.0/7', 'user unknown', 'user idc:x', 'match { $.errorCode = "AccessDenied*" }'])(
    '%s cannot be narrowed in SQL: the matcher alone decides',
    (text) => {
      const statement = build(parsed(text));
      expect(checkedParameters(statement)).toHaveLength(2);
    },
  );

  test('LookupEvents attributes (scan’s series) narrow to any one of them', () => {
    const statement = build(parsed('scan'), {
      attributes: [
        { key: 'EventName', value: 'ConsoleLogin' },
        { key: 'EventSource', value: 'kms.amazonaws.com' },
      ],
    });
    expect(statement.sql).toContain('\n  AND (eventname = ? OR eventsource = ?)\n');
    expect(checkedParameters(statement).slice(2)).toEqual(['ConsoleLogin', 'kms.amazonaws.com']);
    // One attribute SQL cannot narrow: none of them narrows, and no parameter is left behind.
    const loose = build(parsed('scan'), {
      attributes: [
        { key: 'EventName', value: 'ConsoleLogin' },
        { key: 'ResourceName', value: 'ends-with-a-slash/' },
      ],
    });
    expect(checkedParameters(loose)).toHaveLength(2);
  });

  test('maxRows + 1 rows at most: the extra one tells a cut answer from a whole one', () => {
    expect(build(parsed('errors'), { maxRows: 5 }).sql).toMatch(/\nLIMIT 6$/);
  });
});

describe('hostile values never change the statement', () => {
  const HOSTILE = [
    ...HOSTILE_STRINGS,
    "'; DROP TABLE x; --",
    "' OR '1'='1",
    "'' OR ''=''",
    "\\'; SELECT 1; --",
    '"; DROP TABLE "x',
    '?',
    "?' , ?",
    '/* comment */',
    '%_%',
    'ünïcödé ✓ 日本語 🚀',
    'x'.repeat(10_000),
    "'".repeat(600),
  ];
  /** The statements the same question can have with a benign value: with the predicate, or without it. */
  const shapes = (filter: keyof QueryFilters, benign: readonly string[]): string[] => [
    build(aQuery()).sql,
    ...benign.map((v) => build(aQuery({ filters: { [filter]: v } })).sql),
  ];

  test.each<[keyof QueryFilters, string[]]>([
    ['resource', ['benign-1']],
    ['eventId', ['benign-1']],
    ['accessKeyId', ['benign-1']],
    ['eventName', ['benign-1']],
    ['ip', ['203.0.113.7']],
    // A user narrows by up to four of its words: one statement per count of words.
    ['user', ['aa', 'aa bb', 'aa bb cc', 'aa bb cc dd']],
  ])('%s', (filter, benign) => {
    const allowed = shapes(filter, benign);
    for (const value of HOSTILE) {
      const statement = build(aQuery({ filters: { [filter]: value } }));
      expect(allowed).toContain(statement.sql);
      for (const parameter of checkedParameters(statement)) {
        expect(canQuote(parameter)).toBe(true);
        expect(sqlString(parameter).length).toBeLessThanOrEqual(MAX_PARAMETER_LENGTH);
      }
    }
  });

  test('in a filter pattern’s event names', () => {
    const allowed = build(parsed('match { $.eventName = "benign" }')).sql;
    for (const value of HOSTILE.filter((v) => canQuote(v) && v.length < 200 && !/["\\]/.test(v))) {
      const statement = build(aQuery({ verb: 'match', filters: { pattern: `{ $.eventName = "${value}" }` } }));
      const shape = statement.parameters.length === 2 ? build(aQuery()).sql : allowed;
      expect(statement.sql).toBe(shape);
      checkedParameters(statement);
    }
  });

  test('random strings, every filter at once', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
        const statement = build(
          aQuery({ filters: { resource: value, user: value, eventName: value, eventId: value, accessKeyId: value } }),
        );
        expect(statement.sql).not.toContain(';');
        expect(statement.sql).not.toContain('--');
        checkedParameters(statement);
      }),
      { numRuns: 300 },
    );
  });
});

describe('never stricter than the matcher, over the real corpora', () => {
  const records = [...loadCorpus('invictus'), ...loadCorpus('stratus'), ...loadCorpus('otrf')]
    .map((entry) => entry.record)
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r))
    .map((r) => {
      const [identity, resources, request, response] = athenaValuesOf(r, [
        'useridentity',
        'resources',
        'requestparameters',
        'responseelements',
      ]);
      // What the matcher sees: the record as it comes back from Athena.
      const row = recordFromRow(
        ['useridentity', 'resources', 'requestparameters', 'responseelements'],
        [identity ?? null, resources ?? null, request ?? null, response ?? null],
      ).record;
      return { normalized: normalizeRecord({ ...r, ...row }), identity, resources, request, response };
    });

  test('who: the needle of every resource a record names is in its request, response or resources text', () => {
    let checked = 0;
    for (const { normalized, resources, request, response } of records) {
      for (const { name } of normalized.resources) {
        // The name itself and every suffix the matcher accepts (`…/X`, `…:X`).
        const targets = [name, ...[...name.matchAll(/[/:]/g)].map((m) => name.slice((m.index ?? 0) + 1))];
        for (const target of targets) {
          if (target === '' || !namesResource(name, target)) continue;
          const needle = resourceNeedle(target);
          if (needle === null) continue;
          checked += 1;
          const found = [request, response, resources].some((text) => text?.includes(needle) === true);
          if (!found) throw new Error(`${target} (${needle}) is not in the texts of ${normalized.eventId}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('user: every word of every name the matcher accepts is in the identity’s JSON', () => {
    let checked = 0;
    for (const { normalized, identity } of records) {
      const { actor } = normalized;
      const names = [actor.display, actor.session ?? ''];
      if (actor.arn !== null)
        names.push(
          ...actor.arn
            .slice(actor.arn.lastIndexOf(':') + 1)
            .split('/')
            .slice(1),
        );
      const text = identity?.toLowerCase() ?? '';
      for (const name of names.filter((n) => n !== '')) {
        for (const word of userWords(name)) {
          checked += 1;
          if (!text.includes(word))
            throw new Error(`${word} of ${name} is not in the identity of ${normalized.eventId}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('ip: every address in a range passes its narrowing', () => {
    const addresses = [
      ...new Set(records.map((r) => r.normalized.sourceIp)),
      '::ffff:203.0.113.7',
      '::FFFF:203.0.113.7',
      ' 203.0.113.7 ',
      '2001:db8::1',
    ];
    let checked = 0;
    for (const address of addresses) {
      for (const bits of [0, 7, 8, 12, 16, 20, 24, 31, 32]) {
        for (const base of ['203.0.113.7', address.trim()]) {
          const spec = `${base}/${bits}`;
          if (!ipMatcher(spec)(address)) continue;
          checked += 1;
          const narrowing = ipNarrowing(spec);
          const passes =
            narrowing === null ||
            (narrowing.kind === 'colon'
              ? address.includes(':')
              : address.includes(':') ||
                (narrowing.kind === 'equals'
                  ? address.trim() === narrowing.text
                  : address.trim().startsWith(narrowing.text)));
          if (!passes) throw new Error(`${address} is in ${spec} but its narrowing refuses it`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

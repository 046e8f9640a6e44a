/**
 * The CIS / Security Hub CloudTrail patterns of CIS_PACK (aws-slack-facts §5.2): they all parse, pin what they should, keep the
 * later unauthorized-calls variant's precedence, and agree with hand-written predicates on every record of the four
 * public CloudTrail corpora.
 */
import { describe, expect, test } from '@jest/globals';
import { type FilterPattern, parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';
import { CIS_PACK, unauthorizedLaterCis } from '../../../src/core/rules/cis-pack.js';
import { loadAllCorpora } from '../../helpers/corpora.js';
import { compile } from './compile-pattern.js';

function cis(id: string): FilterPattern {
  const found = CIS_PACK.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no CIS pattern ${id}`);
  return compile(found.pattern);
}

const sorted = (values: ReadonlySet<string> | null): string[] | null => (values === null ? null : [...values].sort());

describe('the 15 CIS patterns', () => {
  test('there are 15, copied with || unescaped', () => {
    expect(CIS_PACK).toHaveLength(15);
    for (const { pattern } of CIS_PACK) expect(pattern).not.toContain('\\|');
  });

  test.each(CIS_PACK.map((entry) => [entry.id, entry.pattern]))('%s parses as a JSON pattern', (_, text) => {
    const parsed = parseFilterPattern(text);
    expect(parsed.ok ? parsed.pattern.kind : parsed.error.message).toBe('json');
  });

  test('the later unauthorized-calls variant parses too', () => {
    expect(compile(unauthorizedLaterCis).kind).toBe('json');
  });
});

describe('pinnedValues', () => {
  test('security group changes pin eventName to exactly its 6 names', () => {
    const pattern = cis('CloudWatch.10');
    expect(sorted(pattern.pinnedValues('eventName'))).toEqual([
      'AuthorizeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
      'RevokeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
    ]);
    expect(pattern.pinnedValues('eventSource')).toBeNull();
    expect(sorted(pattern.pinnedValues('$.eventName'))).toHaveLength(6);
  });

  test('KMS pins eventSource and eventName', () => {
    const pattern = cis('CloudWatch.7');
    expect(sorted(pattern.pinnedValues('eventSource'))).toEqual(['kms.amazonaws.com']);
    expect(sorted(pattern.pinnedValues('eventName'))).toEqual(['DisableKey', 'ScheduleKeyDeletion']);
  });

  test('root usage pins the identity type and nothing for eventName', () => {
    const pattern = cis('CloudWatch.1');
    expect(pattern.pinnedValues('eventName')).toBeNull();
    expect(sorted(pattern.pinnedValues('userIdentity.type'))).toEqual(['Root']);
    expect(pattern.pinnedValues('userIdentity.invokedBy')).toBeNull();
    expect(pattern.pinnedValues('eventType')).toBeNull();
  });

  test('console sign-in without MFA pins every = path but not the != one', () => {
    const pattern = cis('CloudWatch.3');
    expect(sorted(pattern.pinnedValues('eventName'))).toEqual(['ConsoleLogin']);
    expect(sorted(pattern.pinnedValues('userIdentity.type'))).toEqual(['IAMUser']);
    expect(sorted(pattern.pinnedValues('responseElements.ConsoleLogin'))).toEqual(['Success']);
    expect(pattern.pinnedValues('additionalEventData.MFAUsed')).toBeNull();
  });

  test('S3 and Organizations list their names; quoted and bare values pin alike', () => {
    expect(cis('CloudWatch.8').pinnedValues('eventName')?.size).toBe(9);
    expect(sorted(cis('CloudWatch.8').pinnedValues('eventSource'))).toEqual(['s3.amazonaws.com']);
    expect(cis('CIS.4.15').pinnedValues('eventName')?.size).toBe(18);
    expect(cis('CloudWatch.4').pinnedValues('eventName')?.size).toBe(16);
    expect(cis('CloudWatch.14').pinnedValues('eventName')?.size).toBe(11);
  });

  test('wildcards pin nothing: both unauthorized-calls variants', () => {
    expect(cis('CloudWatch.2').pinnedValues('errorCode')).toBeNull();
    const later = compile(unauthorizedLaterCis);
    expect(later.pinnedValues('eventName')).toBeNull();
    expect(later.pinnedValues('errorCode')).toBeNull();
    expect(later.pinnedValues('sourceIPAddress')).toBeNull();
  });

  test.each<[string, string, string[] | null]>([
    ['{ $.eventName = A && $.eventName = B }', 'eventName', []],
    ['{ ($.eventName = A || $.eventName = B) && $.eventName = A }', 'eventName', ['A']],
    ['{ ($.eventName = A || $.eventName = B) && ($.eventName = B || $.eventName = C) }', 'eventName', ['B']],
    ['{ $.eventName = A || $.eventSource = s }', 'eventName', null],
    ['{ $.eventName = A || ($.eventName = B && $.x = 1) }', 'eventName', ['A', 'B']],
    ['{ $.eventName = "400" }', 'eventName', null],
    ['{ $.eventName = 400 }', 'eventName', null],
    ['{ $.eventName = Ev* }', 'eventName', null],
    ['{ $.eventName = Ev*ent }', 'eventName', ['Ev*ent']],
    ['{ $.eventName = %A% }', 'eventName', null],
    ['{ $.eventName != A }', 'eventName', null],
    ['{ $.eventName IS NULL }', 'eventName', null],
    ['{ $.eventName NOT EXISTS || $.eventName = A }', 'eventName', null],
    ['{ $.a.b[0].c = x }', 'a.b[0].c', ['x']],
    ['{ $["a.b"] = x }', '["a.b"]', ['x']],
    ['{ $["a.b"] = x }', '$["a.b"]', ['x']],
    ['{ $.["plain"] = x }', 'plain', ['x']],
  ])('%s pins %s to %j', (text, path, expected) => {
    expect(sorted(compile(text).pinnedValues(path))).toEqual(expected);
  });

  test('non-JSON patterns pin nothing', () => {
    expect(compile('eventName').pinnedValues('eventName')).toBeNull();
    expect(compile('[eventName = x]').pinnedValues('eventName')).toBeNull();
  });
});

describe('the later CIS unauthorized-calls variant is A || (B && C && D)', () => {
  const pattern = compile(unauthorizedLaterCis);
  test.each<[string, Record<string, string>, boolean]>([
    [
      'A alone suffices, whatever C and D say',
      {
        errorCode: 'Client.UnauthorizedOperation',
        sourceIPAddress: 'delivery.logs.amazonaws.com',
        eventName: 'HeadBucket',
      },
      true,
    ],
    [
      'B needs C and D',
      { errorCode: 'AccessDenied', sourceIPAddress: 'delivery.logs.amazonaws.com', eventName: 'GetObject' },
      false,
    ],
    ['B needs D', { errorCode: 'AccessDenied', sourceIPAddress: '198.51.100.7', eventName: 'HeadBucket' }, false],
    [
      'B with C and D',
      { errorCode: 'AccessDeniedException', sourceIPAddress: '198.51.100.7', eventName: 'GetObject' },
      true,
    ],
    ['no error at all', { sourceIPAddress: '198.51.100.7', eventName: 'GetObject' }, false],
  ])('%s', (_, event, expected) => {
    expect(pattern.matchEvent(event)).toBe(expected);
    expect(pattern.matchMessage(JSON.stringify(event)) !== null).toBe(expected);
  });
});

describe('agreement with hand-written predicates over the public CloudTrail corpora', () => {
  const records = loadAllCorpora().map((entry) => entry.record);

  const at = (record: unknown, ...path: string[]): unknown => {
    let value = record;
    for (const key of path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key))
        return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
  const present = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number';

  /** eventName lists and the eventSource, read from the pattern text with a regex (independently of the parser). */
  const listOracle = (text: string) => {
    const names = new Set([...text.matchAll(/\$\.eventName ?= ?"?([A-Za-z]+)"?\)/g)].map((m) => m[1]));
    const source = /\$\.eventSource ?= ?([a-z0-9.]+)\)/.exec(text)?.[1];
    return (record: unknown) =>
      (source === undefined || at(record, 'eventSource') === source) && names.has(at(record, 'eventName') as string);
  };

  const oracles: Record<string, (record: unknown) => boolean> = {
    'CloudWatch.1': (r) =>
      at(r, 'userIdentity', 'type') === 'Root' &&
      at(r, 'userIdentity', 'invokedBy') === undefined &&
      present(at(r, 'eventType')) &&
      at(r, 'eventType') !== 'AwsServiceEvent',
    'CloudWatch.2': (r) => {
      const code = at(r, 'errorCode');
      return typeof code === 'string' && (code.endsWith('UnauthorizedOperation') || code.startsWith('AccessDenied'));
    },
    'CloudWatch.3': (r) =>
      at(r, 'eventName') === 'ConsoleLogin' &&
      present(at(r, 'additionalEventData', 'MFAUsed')) &&
      at(r, 'additionalEventData', 'MFAUsed') !== 'Yes' &&
      at(r, 'userIdentity', 'type') === 'IAMUser' &&
      at(r, 'responseElements', 'ConsoleLogin') === 'Success',
    'CloudWatch.6': (r) => at(r, 'eventName') === 'ConsoleLogin' && at(r, 'errorMessage') === 'Failed authentication',
  };

  test('the corpora are there', () => {
    expect(records.length).toBeGreaterThan(3000);
  });

  test.each(CIS_PACK.map((entry) => [entry.id, entry.pattern]))('%s', (id, text) => {
    const pattern = compile(text);
    const oracle = oracles[id] ?? listOracle(text);
    let hits = 0;
    for (const record of records) {
      const expected = oracle(record);
      if (
        pattern.matchEvent(record) !== expected ||
        (pattern.matchMessage(JSON.stringify(record)) !== null) !== expected
      )
        throw new Error(`${id} disagrees on ${JSON.stringify(record).slice(0, 300)}`);
      if (expected) hits += 1;
    }
    // Every pattern finds something in these corpora, so agreement is not just "nothing matches".
    expect(hits).toBeGreaterThan(0);
  });
});

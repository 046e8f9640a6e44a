import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { COMMERCIAL_REGIONS, isKnownRegion, isOptInRegion, looksLikeRegion } from '../../src/core/aws-regions.js';
import {
  asksGlobalEvents,
  chooseAttribute,
  clipToRetention,
  fitsAttributeValue,
  LOOKUP_RETENTION_MS,
  MAX_PATTERN_LOOKUPS,
  planLookup,
} from '../../src/core/lookup-plan.js';
import { NO_FILTERS, type QueryFilters } from '../../src/core/trail-query.js';
import { aQuery } from '../helpers/records.js';

const filters = (overrides: Partial<QueryFilters>): QueryFilters => ({ ...NO_FILTERS, ...overrides });

describe('chooseAttribute: the most selective attribute the query pins', () => {
  test.each<[string, Partial<QueryFilters>, string | null, string | null]>([
    ['id', { eventId: 'e-1' }, 'EventId', 'e-1'],
    ['key', { accessKeyId: 'AKIAEXAMPLE' }, 'AccessKeyId', 'AKIAEXAMPLE'],
    ['who', { resource: 'i-0abc' }, 'ResourceName', 'i-0abc'],
    ['user', { user: 'alice' }, 'Username', 'alice'],
    ['event', { eventName: 'StopInstances' }, 'EventName', 'StopInstances'],
    [
      'id beats everything',
      { eventId: 'e-1', accessKeyId: 'AKIA1', resource: 'i-1', user: 'u', eventName: 'E' },
      'EventId',
      'e-1',
    ],
    ['key beats resource', { accessKeyId: 'AKIA1', resource: 'i-1' }, 'AccessKeyId', 'AKIA1'],
    ['resource beats user', { resource: 'i-1', user: 'alice' }, 'ResourceName', 'i-1'],
    ['user beats event', { user: 'alice', eventName: 'StopInstances' }, 'Username', 'alice'],
    ['errors scoped to a user', { errorsOnly: true, user: 'alice' }, 'Username', 'alice'],
    ['ip with a resource scope', { ip: '203.0.113.0/24', resource: 'sg-1' }, 'ResourceName', 'sg-1'],
    ['ip alone: the whole window', { ip: '203.0.113.7' }, null, null],
    ['bare errors: the whole window', { errorsOnly: true }, null, null],
    ['nothing', {}, null, null],
    [
      'values are kept as typed (LookupEvents is case-sensitive)',
      { eventName: 'stopinstances' },
      'EventName',
      'stopinstances',
    ],
  ])('%s', (_, given, key, value) => {
    const attribute = chooseAttribute(filters(given));
    expect(attribute === null ? [null, null] : [attribute.key, attribute.value]).toEqual([key, value]);
  });

  test('a value too long for LookupEvents falls through to the next attribute', () => {
    const long = 'a'.repeat(2001);
    expect(chooseAttribute(filters({ resource: long, user: 'alice' }))).toEqual({ key: 'Username', value: 'alice' });
    expect(chooseAttribute(filters({ resource: long }))).toBeNull();
  });

  test.each<[string, boolean]>([
    ['a'.repeat(2000), true],
    ['a'.repeat(2001), false],
    ['_'.repeat(1000), true],
    ['_'.repeat(1001), false],
    [`${' '.repeat(500)}${','.repeat(500)}`, true],
    ['', false],
  ])('fitsAttributeValue(%#)', (value, fits) => {
    expect(fitsAttributeValue(value)).toBe(fits);
  });
});

describe('planLookup: which regions', () => {
  const regions = ['eu-west-1', 'ap-northeast-1'];
  test.each<{ name: string; given: Partial<QueryFilters>; added: boolean }>([
    { name: 'user', given: { user: 'alice' }, added: true },
    { name: 'key', given: { accessKeyId: 'ASIAEXAMPLE123456789' }, added: true },
    { name: 'ConsoleLogin', given: { eventName: 'ConsoleLogin' }, added: true },
    { name: 'consolelogin, as typed in lower case', given: { eventName: 'consolelogin' }, added: true },
    { name: 'AssumeRole', given: { eventName: 'AssumeRole' }, added: true },
    { name: 'AssumeRoleWithWebIdentity', given: { eventName: 'AssumeRoleWithWebIdentity' }, added: true },
    { name: 'GetCallerIdentity', given: { eventName: 'GetCallerIdentity' }, added: true },
    { name: 'CreateUser', given: { eventName: 'CreateUser' }, added: true },
    { name: 'CreateAccessKey', given: { eventName: 'CreateAccessKey' }, added: true },
    { name: 'AttachRolePolicy', given: { eventName: 'AttachRolePolicy' }, added: true },
    { name: 'PutUserPolicy', given: { eventName: 'PutUserPolicy' }, added: true },
    { name: 'DeleteLoginProfile', given: { eventName: 'DeleteLoginProfile' }, added: true },
    { name: 'DeactivateMFADevice', given: { eventName: 'DeactivateMFADevice' }, added: true },
    { name: 'AddUserToGroup', given: { eventName: 'AddUserToGroup' }, added: true },
    { name: 'UpdateDistribution (CloudFront)', given: { eventName: 'UpdateDistribution' }, added: true },
    { name: 'an IAM role ARN', given: { resource: 'arn:aws:iam::123456789012:role/Deploy' }, added: true },
    { name: 'an access key as the resource', given: { resource: 'AKIAIOSFODNN7EXAMPLE' }, added: true },
    { name: 'StopInstances', given: { eventName: 'StopInstances' }, added: false },
    { name: 'PutBucketPolicy', given: { eventName: 'PutBucketPolicy' }, added: false },
    { name: 'an instance', given: { resource: 'i-0abc' }, added: false },
    { name: 'an S3 ARN', given: { resource: 'arn:aws:s3:::bucket' }, added: false },
    { name: 'ip', given: { ip: '203.0.113.7' }, added: false },
    { name: 'bare errors', given: { errorsOnly: true }, added: false },
  ])('$name → us-east-1 added: $added', ({ given, added }) => {
    expect(asksGlobalEvents(filters(given))).toBe(added);
    const plan = planLookup(aQuery({ filters: given }), regions);
    expect(plan.addedGlobalRegion).toBe(added);
    expect(plan.regions).toEqual(added ? [...regions, 'us-east-1'] : regions);
  });

  test('us-east-1 already there: kept where it was, not added twice', () => {
    const plan = planLookup(aQuery({ verb: 'user', filters: { user: 'alice' } }), ['us-east-1', 'eu-west-1']);
    expect(plan).toEqual({
      attributes: [{ key: 'Username', value: 'alice' }],
      regions: ['us-east-1', 'eu-west-1'],
      addedGlobalRegion: false,
    });
  });

  test('regions named with `in` are the reader’s choice: nothing added', () => {
    const plan = planLookup(aQuery({ verb: 'user', filters: { user: 'alice' }, regions: ['eu-west-1'] }), [
      'eu-west-1',
    ]);
    expect(plan.regions).toEqual(['eu-west-1']);
    expect(plan.addedGlobalRegion).toBe(false);
  });

  test('duplicates are dropped, order kept', () => {
    expect(planLookup(aQuery(), ['eu-west-1', 'eu-west-1', 'us-west-2']).regions).toEqual(['eu-west-1', 'us-west-2']);
  });

  test('no regions: none added either (the source reports the missing setting)', () => {
    expect(planLookup(aQuery({ filters: { user: 'alice' } }), []).regions).toEqual([]);
  });
});

describe('clipToRetention: LookupEvents reaches back 90 days', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  const earliest = new Date('2026-08-23T12:00:00Z');
  const at = (iso: string): Date => new Date(iso);

  test('the reach is 90 days', () => {
    expect(now.getTime() - LOOKUP_RETENTION_MS).toBe(earliest.getTime());
  });

  test.each<[string, Date | null, Date | null, Date | null, boolean, boolean]>([
    ['inside: unchanged', at('2026-11-20T00:00:00Z'), now, at('2026-11-20T00:00:00Z'), false, false],
    ['exactly 90 days: unchanged', earliest, now, earliest, false, false],
    ['older start: clipped', at('2026-01-01T00:00:00Z'), now, earliest, true, false],
    ['no start: as far as it reaches, not a clip', null, now, null, false, false],
    ['no end', at('2026-01-01T00:00:00Z'), null, earliest, true, false],
    [
      'all older: out of reach',
      at('2026-01-01T00:00:00Z'),
      at('2026-02-01T00:00:00Z'),
      at('2026-01-01T00:00:00Z'),
      true,
      true,
    ],
  ])('%s', (_, from, to, expectedFrom, clipped, outOfReach) => {
    expect(clipToRetention(from, to, now)).toEqual({ from: expectedFrom, to, clipped, outOfReach, earliest });
  });
});

describe('aws-regions', () => {
  test('the commercial regions: unique, well formed, us-east-1 first, opt-in ones known', () => {
    expect(new Set(COMMERCIAL_REGIONS).size).toBe(COMMERCIAL_REGIONS.length);
    expect(COMMERCIAL_REGIONS[0]).toBe('us-east-1');
    for (const region of COMMERCIAL_REGIONS) {
      expect(looksLikeRegion(region)).toBe(true);
      expect(isKnownRegion(region)).toBe(true);
    }
    expect(COMMERCIAL_REGIONS.filter(isOptInRegion)).toContain('af-south-1');
    expect(isOptInRegion('eu-west-1')).toBe(false);
  });

  test.each<[string, boolean, boolean]>([
    ['eu-west-1', true, true],
    ['ap-southeast-7', true, true],
    ['us-gov-west-1', false, true],
    ['cn-north-1', false, true],
    ['eusc-de-east-1', false, true],
    ['us-isob-east-1', false, true],
    // A typo is not a region AWS opened later: the direction word must be one AWS uses.
    ['us-esat-1', false, false],
    ['tokyo', false, false],
    ['EU-WEST-1', false, false],
    ['eu-west', false, false],
  ])('%s: known %s, region-shaped %s', (region, known, shaped) => {
    expect(isKnownRegion(region)).toBe(known);
    expect(looksLikeRegion(region)).toBe(shaped);
  });

  test('core stays pure: no clock, env, I/O', () => {
    for (const name of ['lookup-plan.ts', 'aws-regions.ts']) {
      const source = readFileSync(new URL(`../../src/core/${name}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/from 'node:|require\(|process\.|Date\.now\(|new Date\(\)|Math\.random\(/);
    }
  });
});

describe('match: the lookups a filter pattern allows', () => {
  const match = (pattern: string, regions: string[] | null = null) =>
    aQuery({ verb: 'match', filters: { pattern }, regions });

  test.each<[string, { key: string; value: string }[]]>([
    ['{ $.eventName = "StopInstances" }', [{ key: 'EventName', value: 'StopInstances' }]],
    [
      '{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }',
      [
        { key: 'EventName', value: 'DeleteTrail' },
        { key: 'EventName', value: 'StopLogging' },
      ],
    ],
    [
      '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
      [
        { key: 'EventName', value: 'DisableKey' },
        { key: 'EventName', value: 'ScheduleKeyDeletion' },
      ],
    ],
    [
      '{ $.eventSource = "s3.amazonaws.com" && $.errorCode = "AccessDenied" }',
      [{ key: 'EventSource', value: 's3.amazonaws.com' }],
    ],
    ['{ $.eventName = "Stop*" }', []],
    ['{ $.eventName != "StopInstances" }', []],
    ['{ $.eventName = StopInstances || $.errorCode = "AccessDenied" }', []],
    ['{ $.userIdentity.type = "Root" }', []],
    ['ConsoleLogin', []],
  ])('%s → %j', (pattern, attributes) => {
    expect(planLookup(match(pattern), ['eu-west-1']).attributes).toEqual(attributes);
  });

  test('more names than a whole-window read is worth: the whole window', () => {
    const names = Array.from({ length: MAX_PATTERN_LOOKUPS + 1 }, (_, i) => `($.eventName = Call${i})`);
    expect(planLookup(match(`{ ${names.join(' || ')} }`), ['eu-west-1']).attributes).toEqual([]);
  });

  test('us-east-1 joins when the pattern reaches global events, or could', () => {
    expect(planLookup(match('{ $.eventName = ConsoleLogin }'), ['eu-west-1']).regions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(planLookup(match('{ $.eventSource = iam.amazonaws.com }'), ['eu-west-1']).regions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(planLookup(match('{ $.errorCode = "AccessDenied*" }'), ['eu-west-1']).regions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(planLookup(match('{ $.eventName = StopInstances }'), ['eu-west-1']).regions).toEqual(['eu-west-1']);
    expect(planLookup(match('{ $.errorCode = "x" }', ['eu-west-1']), ['eu-west-1']).regions).toEqual(['eu-west-1']);
  });

  test('scan reads us-east-1 too: its pack watches root, sign-in and IAM', () => {
    expect(planLookup(aQuery({ verb: 'scan' }), ['eu-west-1']).regions).toEqual(['eu-west-1', 'us-east-1']);
  });
});

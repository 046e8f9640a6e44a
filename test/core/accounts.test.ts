import { describe, expect, test } from '@jest/globals';
import {
  type AccountRef,
  accountLabel,
  questionRegions,
  regionsOfAccount,
  resolveAccount,
} from '../../src/core/accounts.js';
import { NO_FILTERS } from '../../src/core/trail-query.js';
import { aQuery } from '../helpers/records.js';

const MAP: AccountRef[] = [
  { id: '111111111111', alias: 'prod', regions: null },
  { id: '222222222222', alias: 'Staging', regions: ['ap-northeast-1'] },
  { id: '333333333333', alias: null, regions: null },
];

describe('resolveAccount: `account <id|alias>` through the accounts map', () => {
  test('no `account`: every account of the map; without a map, the credentials’ own account', () => {
    expect(resolveAccount(null, MAP)).toEqual({ ok: true, id: null, accounts: MAP });
    expect(resolveAccount(null, null)).toEqual({ ok: true, id: null, accounts: null });
    expect(resolveAccount(null, [])).toEqual({ ok: true, id: null, accounts: null });
  });

  test.each([
    ['prod', '111111111111'],
    ['PROD', '111111111111'],
    ['staging', '222222222222'],
    ['STAGING', '222222222222'],
    ['333333333333', '333333333333'],
  ])('%s → %s, that account alone', (typed, id) => {
    const resolved = resolveAccount(typed, MAP);
    expect(resolved).toEqual({ ok: true, id, accounts: [MAP.find((a) => a.id === id)] });
  });

  test('without a map an id filters records as before, and an alias says how to configure the map', () => {
    expect(resolveAccount('123456789012', null)).toEqual({ ok: true, id: '123456789012', accounts: null });
    expect(resolveAccount('prod', null)).toEqual({
      ok: false,
      message:
        'account "prod": an alias needs an accounts map; add `accounts:` to TRAILBOT_CONFIG, each with its 12-digit id and alias (see config.example.yml), or use the 12-digit account id',
    });
  });

  test('an unknown alias lists the known ones and suggests the closest', () => {
    expect(resolveAccount('prdo', MAP)).toEqual({
      ok: false,
      message: 'account "prdo" is not an alias in the accounts map; did you mean prod? the aliases are prod, Staging',
    });
    expect(resolveAccount('sandbox', MAP)).toEqual({
      ok: false,
      message: 'account "sandbox" is not an alias in the accounts map; the aliases are prod, Staging',
    });
  });

  test('an id not in the map names the map; a map without aliases lists its ids', () => {
    const unknown = resolveAccount('999999999999', MAP);
    expect(unknown).toEqual({
      ok: false,
      message:
        'account 999999999999 is not in the accounts map (prod (111111111111), Staging (222222222222), 333333333333); add it to `accounts:` in TRAILBOT_CONFIG, or ask without `account` to read them all',
    });
    const bare = [{ id: '444444444444', alias: null, regions: null }];
    expect(resolveAccount('prod', bare)).toEqual({
      ok: false,
      message:
        'account "prod": the accounts map gives no aliases; use an id (444444444444), or add `alias:` to the account in TRAILBOT_CONFIG',
    });
  });

  test('a long map is cut in the message', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      id: String(100000000000 + i),
      alias: `acct-${String(i).padStart(2, '0')}`,
      regions: null,
    }));
    const resolved = resolveAccount('nope', many);
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.message).toMatch(/acct-09 and 4 more$/);
  });

  test('labels: alias and id, or the id alone', () => {
    expect(MAP.map(accountLabel)).toEqual(['prod (111111111111)', 'Staging (222222222222)', '333333333333']);
  });
});

describe('regions per account', () => {
  const staging = MAP[1] as AccountRef;
  const prod = MAP[0] as AccountRef;

  test('an account’s own regions when the question has no `in`; `in` wins; no list of its own: the request’s', () => {
    expect(regionsOfAccount(staging, { regions: null }, ['eu-west-1'])).toEqual(['ap-northeast-1']);
    expect(regionsOfAccount(staging, { regions: ['us-west-2'] }, ['us-west-2'])).toEqual(['us-west-2']);
    expect(regionsOfAccount(staging, { regions: 'all' }, null)).toBeNull();
    expect(regionsOfAccount(prod, { regions: null }, ['eu-west-1'])).toEqual(['eu-west-1']);
  });

  test('questionRegions: read the defaults (us-east-1 joins for global events), match every account’s regions', () => {
    const who = aQuery({ verb: 'who', filters: { ...NO_FILTERS, resource: 'i-0abc' } });
    expect(questionRegions('live', who, ['eu-west-1'], MAP)).toEqual({
      read: ['eu-west-1'],
      match: ['eu-west-1', 'ap-northeast-1'],
    });
    const user = aQuery({ verb: 'user', filters: { ...NO_FILTERS, user: 'alice' } });
    expect(questionRegions('live', user, ['eu-west-1'], MAP)).toEqual({
      read: ['eu-west-1', 'us-east-1'],
      match: ['eu-west-1', 'us-east-1', 'ap-northeast-1'],
    });
    // `in` names the regions for every account; no map: as before.
    expect(questionRegions('live', { ...who, regions: ['sa-east-1'] }, ['eu-west-1'], MAP)).toEqual({
      read: ['sa-east-1'],
      match: ['sa-east-1'],
    });
    expect(questionRegions('live', who, ['eu-west-1'], null)).toEqual({ read: ['eu-west-1'], match: ['eu-west-1'] });
    // No defaults and an account without regions of its own: the source's default, any region matches.
    expect(questionRegions('live', who, null, MAP)).toEqual({ read: null, match: null });
    expect(questionRegions('files', who, null, null)).toEqual({ read: null, match: null });
  });
});

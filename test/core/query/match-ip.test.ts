import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ipMatcher, isIpSpec } from '../../../src/core/query/match-ip.js';

describe('ipMatcher', () => {
  test.each<[string, string, boolean]>([
    ['203.0.113.7', '203.0.113.7', true],
    ['203.0.113.7', '203.0.113.8', false],
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['203.0.113.77/24', '203.0.113.1', true],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['10.0.0.0/8', ' 10.1.2.3 ', true],
    ['203.0.113.7', '::ffff:203.0.113.7', true],
    ['::ffff:203.0.113.0/120', '203.0.113.9', true],
    ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '2600:1f18::1', true],
    ['::/0', '203.0.113.7', false],
    ['fe80::1', 'fe80::1%eth0', true],
    ['0.0.0.0/0', '::0.0.0.0', true],
    ['::/0', '::', true],
    ['0.0.0.0/0', '0:0:0:0:0:ffff:0a00:0001', true],
  ])('%s matches %s: %s', (spec, ip, expected) => {
    expect(ipMatcher(spec)(ip)).toBe(expected);
  });

  test.each([
    'cloudformation.amazonaws.com',
    'AWS Internal',
    '035.249.253.232',
    '201.252.42.03',
    '08.1.250.216',
    '0x7f.0.0.1',
    '127.1',
    '1.2.3.4.5',
    '256.1.1.1',
    '::ffff:035.1.1.1',
    '',
    ' ',
    '1::2::3',
  ])('a source that is not an address never matches: %j', (ip) => {
    expect(ipMatcher('0.0.0.0/0')(ip)).toBe(false);
    expect(ipMatcher('::/0')(ip)).toBe(false);
  });

  test.each([
    'cloudformation.amazonaws.com',
    '035.249.253.232',
    '10.0.0.0/33',
    '10.0.0.0/033',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '2001:db8::/129',
    '10.0.0.0/8/8',
    'AWS Internal',
    '',
  ])('an invalid spec matches nothing and is not an ip target: %j', (spec) => {
    expect(isIpSpec(spec)).toBe(false);
    expect(ipMatcher(spec)('10.0.0.1')).toBe(false);
    expect(ipMatcher(spec)(spec)).toBe(false);
  });

  test('never throws, whatever the spec and the candidate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 }), (spec, ip) => {
        const match = ipMatcher(spec);
        expect(typeof match(ip)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  test('every address is in its own /32 or /128, and in exactly one of the two whole spaces', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        expect(isIpSpec(ip)).toBe(true);
        expect(ipMatcher(ip)(ip)).toBe(true);
        expect(ipMatcher('0.0.0.0/0')(ip)).not.toBe(ipMatcher('::/0')(ip));
      }),
      { numRuns: 500 },
    );
  });

  test('an IPv4 CIDR block holds exactly the addresses sharing its first bits', () => {
    const toInt = (ip: string): number => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (network, ip, bits) => {
        const same = Math.floor(toInt(network) / 2 ** (32 - bits)) === Math.floor(toInt(ip) / 2 ** (32 - bits));
        expect(ipMatcher(`${network}/${bits}`)(ip)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });
});

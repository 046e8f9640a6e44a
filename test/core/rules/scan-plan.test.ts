import { describe, expect, test } from '@jest/globals';
import { CIS_PACK, type PackRule } from '../../../src/core/rules/cis-pack.js';
import { planScan, seriesAtMost, seriesPerRule } from '../../../src/core/rules/scan-plan.js';

const rule = (id: string, pattern: string): PackRule => ({
  id,
  cis: '-',
  title: id,
  severity: 'low',
  description: '',
  pattern,
  metricNames: [],
});

describe('planScan: as few LookupEvents series as the patterns allow', () => {
  test('a name shared by two rules is read once', () => {
    const plan = planScan([
      rule('a', '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
      rule('b', '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
      rule('c', '{ ($.eventName = StopLogging) || ($.eventName = ConsoleLogin) }'),
    ]);
    expect(plan.wholeWindow).toBe(false);
    expect(plan.attributes).toEqual([
      { key: 'EventName', value: 'ConsoleLogin' },
      { key: 'EventName', value: 'StopLogging' },
    ]);
    expect(seriesPerRule(plan)).toBe(4);
    expect(seriesAtMost(plan)).toBe(2);
  });

  test('a rule that pins nothing needs the whole window; a source-only rule reads by source', () => {
    const plan = planScan([
      rule('root', '{ $.userIdentity.type = "Root" }'),
      rule('kms', '{ $.eventSource = kms.amazonaws.com }'),
    ]);
    expect(plan.wholeWindow).toBe(true);
    expect(plan.attributes).toEqual([{ key: 'EventSource', value: 'kms.amazonaws.com' }]);
  });

  test('a pattern that does not parse is listed, not run', () => {
    const plan = planScan([rule('bad', '{ $.a = }'), rule('ok', '{ $.eventName = X }')]);
    expect(plan.broken.map((b) => b.rule.id)).toEqual(['bad']);
    expect(plan.rules.map((p) => p.rule.id)).toEqual(['ok']);
  });

  test('the CIS pack: root use and denied calls need the whole window; the other 13 share their names', () => {
    const plan = planScan(CIS_PACK);
    expect(plan.broken).toEqual([]);
    expect(plan.wholeWindow).toBe(true);
    const unpinned = plan.rules.filter((p) => p.attributes.length === 0).map((p) => p.rule.id);
    expect(unpinned).toEqual(['CloudWatch.1', 'CloudWatch.2']);
    const names = plan.attributes.filter((a) => a.key === 'EventName').map((a) => a.value);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('ConsoleLogin');
    expect(names).toContain('AuthorizeSecurityGroupIngress');
    // CreatePolicy / DeletePolicy belong to both IAM (CloudWatch.4) and Organizations (4.15): read once.
    expect(names.filter((n) => n === 'CreatePolicy')).toHaveLength(1);
    expect(plan.attributes.some((a) => a.key === 'EventSource')).toBe(false);
    expect(seriesAtMost(plan)).toBeLessThan(seriesPerRule(plan));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  alarmMetrics,
  assumedPattern,
  combineParts,
  type FilterMapping,
  isVendedMetric,
  looksLikeCloudTrailMetric,
  type MetricFilterInfo,
  orPatterns,
  patternForAlarm,
  patternForMetric,
  patternFromMetricFilters,
  patternProblem,
  readsCloudTrail,
} from '../../../src/core/alerts/alarm-filter.js';
import type { CloudWatchAlarm } from '../../../src/core/alerts/alert.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import { packRule } from '../../../src/core/rules/cis-pack.js';

function fixtureAlarm(name: string, patch: Record<string, unknown> = {}): CloudWatchAlarm {
  const { Message } = JSON.parse(readFileSync(new URL(`../../fixtures/sns/${name}`, import.meta.url), 'utf8')) as {
    Message: string;
  };
  const alert = parseAlert(JSON.stringify({ ...(JSON.parse(Message) as object), ...patch }), null);
  if (alert.kind !== 'alarm') throw new Error(`${name} is not an alarm`);
  return alert.alarm;
}

const SG_ALARM = fixtureAlarm('alarm-metric-alarm.json');
const SG = { namespace: 'CloudTrailMetrics', metricName: 'SecurityGroupEventCount' };
const CIS10 = packRule('CloudWatch.10')?.pattern ?? '';

const mapping = (m: Partial<FilterMapping>): FilterMapping => ({
  alarm: null,
  metric: null,
  pattern: '{ $.eventName = "X" }',
  rule: null,
  ...m,
});

function mf(name: string, pattern: string, extra: Partial<MetricFilterInfo> = {}): MetricFilterInfo {
  return {
    filterName: name,
    logGroupName: 'aws-cloudtrail-logs-111122223333-abcd',
    pattern,
    metrics: [SG],
    ...extra,
  };
}

describe('the metrics an alarm compares', () => {
  test('a metric alarm: its one metric', () => {
    expect(alarmMetrics(SG_ALARM)).toEqual([SG]);
  });

  test('a metric-math alarm: the MetricStat metrics of its queries, in order; expressions have none', () => {
    expect(alarmMetrics(fixtureAlarm('alarm-metric-math.json'))).toEqual([
      { namespace: 'AWS/NetworkELB', metricName: 'HealthyHostCount' },
      { namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity' },
    ]);
  });

  test('a composite alarm has none: it is never enriched', () => {
    expect(alarmMetrics(fixtureAlarm('alarm-composite.json'))).toBeNull();
  });

  test("AWS's own metrics are never a metric filter's; a CloudTrail namespace says it counts CloudTrail", () => {
    expect(isVendedMetric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization' })).toBe(true);
    expect(isVendedMetric(SG)).toBe(false);
    expect(looksLikeCloudTrailMetric(SG)).toBe(true);
    expect(looksLikeCloudTrailMetric({ namespace: 'LogMetrics', metricName: 'SecurityGroupEventCount' })).toBe(false);
  });
});

describe('TRAILBOT_CONFIG enrichment.filters', () => {
  const filters = [
    mapping({ metric: 'SecurityGroupEventCount', pattern: '{ $.eventName = "ByBareMetric" }' }),
    mapping({ metric: 'CloudTrailMetrics/SecurityGroupEventCount', pattern: '{ $.eventName = "ByFullMetric" }' }),
    mapping({ alarm: 'SecurityGroupChanges', pattern: CIS10, rule: 'CloudWatch.10' }),
    mapping({ alarm: 'Other', metric: 'SecurityGroupEventCount', pattern: '{ $.eventName = "OtherAlarm" }' }),
  ];

  test('an entry naming the alarm wins, wherever it is in the list', () => {
    expect(patternForAlarm(filters, SG_ALARM)).toEqual({
      pattern: CIS10,
      provenance: { kind: 'config-alarm', alarm: 'SecurityGroupChanges', rule: 'CloudWatch.10' },
    });
  });

  test('an entry naming an alarm and a metric needs both', () => {
    const both = [mapping({ alarm: 'SecurityGroupChanges', metric: 'OtherMetric' })];
    expect(patternForAlarm(both, SG_ALARM)).toBeNull();
    const right = [mapping({ alarm: 'SecurityGroupChanges', metric: 'CloudTrailMetrics/SecurityGroupEventCount' })];
    expect(patternForAlarm(right, SG_ALARM)?.provenance.kind).toBe('config-alarm');
  });

  test('else the first metric-only entry naming the metric, as MetricName or Namespace/MetricName', () => {
    expect(patternForMetric(filters, SG)).toEqual({
      pattern: '{ $.eventName = "ByBareMetric" }',
      provenance: { kind: 'config-metric', metric: 'SecurityGroupEventCount', rule: null },
    });
    expect(patternForMetric(filters.slice(1), SG)?.pattern).toBe('{ $.eventName = "ByFullMetric" }');
    expect(patternForMetric(filters, { namespace: 'Elsewhere', metricName: 'SecurityGroupEventCount' })?.pattern).toBe(
      '{ $.eventName = "ByBareMetric" }',
    );
    expect(
      patternForMetric(filters.slice(1), { namespace: 'Elsewhere', metricName: 'SecurityGroupEventCount' }),
    ).toBeNull();
  });
});

describe('DescribeMetricFilters answers', () => {
  test('one filter: its pattern, and which filter it was', () => {
    const out = patternFromMetricFilters(SG, [mf('sg-changes', CIS10)]);
    expect(out.resolved).toEqual({
      pattern: CIS10,
      provenance: {
        kind: 'metric-filter',
        metric: SG,
        filterName: 'sg-changes',
        logGroupName: 'aws-cloudtrail-logs-111122223333-abcd',
        count: 1,
      },
    });
    expect(out.notes).toEqual([]);
  });

  test('several JSON filters: ORed; the same pattern twice counts once', () => {
    const out = patternFromMetricFilters(SG, [
      mf('a', '{ $.eventName = "A" }'),
      mf('b', '{($.eventName = "B") && ($.errorCode NOT EXISTS)}'),
      mf('c', '{ $.eventName = "A" }'),
    ]);
    expect(out.resolved?.pattern).toBe('{ ($.eventName = "A") || (($.eventName = "B") && ($.errorCode NOT EXISTS)) }');
    expect(patternProblem(out.resolved?.pattern ?? '')).toBeNull();
    expect(out.resolved?.provenance).toMatchObject({ kind: 'metric-filter', count: 3 });
  });

  test('a term pattern among them: the first is used, and the reply says so', () => {
    const out = patternFromMetricFilters(SG, [
      mf('a', '{ $.eventName = "A" }'),
      mf('b', 'AuthorizeSecurityGroupIngress', { logGroupName: 'CloudTrail/DefaultLogGroup' }),
    ]);
    expect(out.resolved?.pattern).toBe('{ $.eventName = "A" }');
    expect(out.notes).toEqual([expect.stringMatching(/^2 metric filters .* the first \(a\) is used$/)]);
  });

  test('filters of another metric, other logs, or unreadable patterns are left out', () => {
    const out = patternFromMetricFilters(SG, [
      mf('other-metric', '{ $.eventName = "Z" }', { metrics: [{ namespace: 'CloudTrailMetrics', metricName: 'Z' }] }),
      mf('other-ns', '{ $.eventName = "Y" }', { metrics: [{ namespace: 'Elsewhere', metricName: SG.metricName }] }),
      mf('app', 'ERROR', { logGroupName: '/app/prod' }),
      mf('broken', '{ $.eventName = ', {}),
    ]);
    expect(out.resolved).toBeNull();
    expect(out.emitting).toBe(2);
    expect(out.notes).toEqual([
      'metric filter app on /app/prod does not read CloudTrail',
      expect.stringMatching(/^the pattern of metric filter broken cannot be read: /),
    ]);
  });

  test('reads CloudTrail: by log group name, or by a JSON pattern over CloudTrail fields', () => {
    expect(readsCloudTrail(mf('x', 'ERROR', { logGroupName: 'CloudTrail/DefaultLogGroup' }))).toBe(true);
    expect(readsCloudTrail(mf('x', '{ $.userIdentity.type = "Root" }', { logGroupName: 'security' }))).toBe(true);
    expect(readsCloudTrail(mf('x', '{ $.level = "error" }', { logGroupName: '/app/prod' }))).toBe(false);
    expect(readsCloudTrail(mf('x', 'ERROR', { logGroupName: null }))).toBe(false);
  });
});

describe('the CIS pack by metric name', () => {
  test('a template metric name: the rule, said to be assumed', () => {
    expect(assumedPattern(SG)).toEqual({
      pattern: CIS10,
      provenance: { kind: 'assumed', metric: SG, rule: 'CloudWatch.10' },
    });
    expect(assumedPattern({ namespace: 'CloudTrailMetrics', metricName: 'securitygroupchangecount' })?.pattern).toBe(
      CIS10,
    );
  });

  test('any other name: nothing', () => {
    expect(assumedPattern({ namespace: 'CloudTrailMetrics', metricName: 'Foo' })).toBeNull();
  });
});

describe('combining', () => {
  test('one part: itself; JSON parts: ORed; otherwise the first, with a note', () => {
    const a = assumedPattern(SG);
    if (a === null) throw new Error('no CIS 10');
    expect(combineParts([a])).toEqual({ pattern: CIS10, sources: [a], notes: [] });
    const b = { pattern: '{ $.eventName = "B" }', provenance: a.provenance };
    expect(combineParts([a, b], ['n'])?.pattern).toBe(`{ (${CIS10.slice(1, -1).trim()}) || ($.eventName = "B") }`);
    const t = { pattern: 'ERROR', provenance: a.provenance };
    const mixed = combineParts([a, t]);
    expect(mixed?.pattern).toBe(CIS10);
    expect(mixed?.sources).toEqual([a]);
    expect(mixed?.notes).toEqual([expect.stringMatching(/cannot be ORed/)]);
    expect(combineParts([])).toBeNull();
  });

  test('an OR past AWS’s 1024 characters is not made', () => {
    const long = (n: string) => `{ $.eventName = "${n.repeat(600)}" }`;
    expect(orPatterns([long('a'), long('b')])).toBeNull();
    expect(orPatterns(['{ $.a = 1 }', ' { $.a = 1 } '])).toBe('{ $.a = 1 }');
  });
});

/**
 * Which CloudWatch Logs filter pattern feeds an alarm's metric: what "the events that tripped this alarm" means.
 * An ordered resolution, each answer keeping where it came from (shown in the thread reply):
 * 1. TRAILBOT_CONFIG `enrichment.filters`: an entry naming the alarm, else one naming its metric
 *    (`Namespace/MetricName` or `MetricName`); the pattern verbatim or a CIS pack rule (`cis:CloudWatch.10`).
 * 2. DescribeMetricFilters (the flow asks; this module reads the answer): the filters whose metric transformations
 *    emit the alarm's metric. Several distinct patterns are ORed when all are JSON patterns (`{ (A) || (B) }`);
 *    otherwise the first is used and the reply says so.
 * 3. The CIS pack: a metric named as the CIS templates name theirs is assumed to count that rule's pattern.
 * Metric-math alarms resolve each metric of their queries and OR the results; composite alarms have no metric of
 * their own and get no enrichment.
 *
 * Pure: no I/O (DescribeMetricFilters' answer comes in as data), no clock, no env.
 */
import { parseFilterPattern } from '../filter-pattern/filter-pattern.js';
import { CIS_PACK, type PackRule, packRule, packRuleForMetric } from '../rules/cis-pack.js';
import type { CloudWatchAlarm } from './alert.js';

/** One `enrichment.filters` entry, as loadConfig checked it: the pattern parses, a `cis:` rule exists. */
export interface FilterMapping {
  /** The alarm name it applies to (exact), or null. */
  alarm: string | null;
  /** `Namespace/MetricName` or `MetricName` (exact), or null. At least one of `alarm` and `metric` is set. */
  metric: string | null;
  /** The pattern to match: as written, or the pack rule's. */
  pattern: string;
  /** The pack rule's id when the entry said `cis:<id>`. */
  rule: string | null;
}

/** TRAILBOT_CONFIG `enrichment`. */
export interface EnrichmentSettings {
  /** `enrichment.enabled` (default true): post "Events matching this alarm's filter" under ALARM cards. */
  enabled: boolean;
  filters: readonly FilterMapping[];
  /** `enrichment.describeMetricFilters` (default true): ask CloudWatch Logs which filter feeds the metric. */
  describeMetricFilters: boolean;
  /** `enrichment.deliveryDelayMinutes` (default 15), in ms: how late CloudTrail reaches CloudWatch Logs. */
  deliveryDelayMs: number;
}

export const DEFAULT_ENRICHMENT: EnrichmentSettings = Object.freeze({
  enabled: true,
  filters: Object.freeze([]) as readonly FilterMapping[],
  describeMetricFilters: true,
  deliveryDelayMs: 15 * 60_000,
});

/** An alarm's metric: what a metric filter's transformation must emit. */
export interface MetricRef {
  namespace: string | null;
  metricName: string;
}

/** A metric filter as DescribeMetricFilters describes it (untrusted: names and patterns are the account's). */
export interface MetricFilterInfo {
  filterName: string | null;
  logGroupName: string | null;
  pattern: string;
  /** What the filter emits: its metric transformations' namespaces and names. */
  metrics: readonly { namespace: string | null; metricName: string | null }[];
}

/** Where a pattern came from. */
export type PatternProvenance =
  | { kind: 'config-alarm'; alarm: string; rule: string | null }
  | { kind: 'config-metric'; metric: string; rule: string | null }
  | { kind: 'metric-filter'; metric: MetricRef; filterName: string | null; logGroupName: string | null; count: number }
  | { kind: 'assumed'; metric: MetricRef; rule: string };

export interface ResolvedPattern {
  pattern: string;
  provenance: PatternProvenance;
}

/** What the resolution settled on for the whole alarm. */
export interface AlarmPattern {
  /** The pattern to match (several ORed into one). */
  pattern: string;
  /** Where each part came from, in order. */
  sources: ResolvedPattern[];
  /** One line each: what was assumed or left out (shown under the reply). */
  notes: string[];
}

/** A filter pattern's parse error as one line, or null when it parses. */
export function patternProblem(pattern: string): string | null {
  const parsed = parseFilterPattern(pattern);
  return parsed.ok ? null : `${parsed.error.message} (at character ${parsed.error.offset + 1})`;
}

/** `cis:CloudWatch.10` → the pack rule; undefined for another text (or an unknown id: loadConfig refuses those). */
export function packRuleOfReference(text: string): PackRule | undefined {
  const match = /^cis:(.+)$/i.exec(text.trim());
  return match?.[1] === undefined ? undefined : packRule(match[1].trim());
}

/** The pack's rule ids, for error messages. */
export function packRuleIds(): string[] {
  return CIS_PACK.map((rule) => rule.id);
}

/** `CloudTrailMetrics/SecurityGroupEventCount`, or the bare name when there is no namespace. */
export function metricLabel(metric: MetricRef): string {
  return metric.namespace === null ? metric.metricName : `${metric.namespace}/${metric.metricName}`;
}

/**
 * The metrics an alarm compares: a metric alarm's one, a metric-math alarm's MetricStat metrics (deduplicated, in
 * order). Null for an alarm that has none to resolve (composite, unknown trigger): no enrichment.
 */
export function alarmMetrics(alarm: CloudWatchAlarm): MetricRef[] | null {
  const t = alarm.trigger;
  switch (t.kind) {
    case 'metric':
      return t.metricName === null ? null : [{ namespace: t.namespace, metricName: t.metricName }];
    case 'metric-math': {
      const seen = new Set<string>();
      const out: MetricRef[] = [];
      for (const q of t.metrics) {
        const name = q.metricStat?.metricName ?? null;
        if (q.metricStat === null || name === null) continue;
        const ref = { namespace: q.metricStat.namespace, metricName: name };
        const key = metricLabel(ref);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(ref);
      }
      return out.length === 0 ? null : out;
    }
    case 'composite':
    case 'unknown':
      return null;
  }
}

/** AWS's own metrics (`AWS/EC2`, `AWS/Lambda`): never a metric filter's, so never asked about. */
export function isVendedMetric(metric: MetricRef): boolean {
  return metric.namespace !== null && /^AWS\//.test(metric.namespace);
}

/** A namespace that says it counts CloudTrail events (`CloudTrailMetrics`, as every AWS guide and CIS template). */
export function looksLikeCloudTrailMetric(metric: MetricRef): boolean {
  return metric.namespace !== null && /cloudtrail/i.test(metric.namespace);
}

/** The config entry for the alarm itself (alarm names beat metrics): the first entry naming it. */
export function patternForAlarm(filters: readonly FilterMapping[], alarm: CloudWatchAlarm): ResolvedPattern | null {
  const entry = filters.find(
    (f) => f.alarm === alarm.name && (f.metric === null || (alarmMetrics(alarm) ?? []).some((m) => names(f.metric, m))),
  );
  return entry === undefined
    ? null
    : { pattern: entry.pattern, provenance: { kind: 'config-alarm', alarm: alarm.name, rule: entry.rule } };
}

function names(wanted: string | null, metric: MetricRef): boolean {
  return wanted !== null && (wanted === metric.metricName || wanted === metricLabel(metric));
}

/** The config entry for one metric: the first entry naming it and no alarm. */
export function patternForMetric(filters: readonly FilterMapping[], metric: MetricRef): ResolvedPattern | null {
  const entry = filters.find((f) => f.alarm === null && names(f.metric, metric));
  return entry === undefined || entry.metric === null
    ? null
    : { pattern: entry.pattern, provenance: { kind: 'config-metric', metric: entry.metric, rule: entry.rule } };
}

/** The pack rule a CIS-style metric name suggests. */
export function assumedPattern(metric: MetricRef): ResolvedPattern | null {
  const rule = packRuleForMetric(metric.metricName);
  return rule === undefined ? null : { pattern: rule.pattern, provenance: { kind: 'assumed', metric, rule: rule.id } };
}

/** CloudTrail's top-level fields, as a JSON pattern names them: a filter over them reads CloudTrail. */
const CLOUDTRAIL_FIELD =
  /\$\.(?:eventName|eventSource|eventType|eventCategory|userIdentity|errorCode|errorMessage|sourceIPAddress|userAgent|requestParameters|responseElements|additionalEventData|recipientAccountId|awsRegion|readOnly|managementEvent|resources)\b/;

/**
 * Does a metric filter read CloudTrail? Its log group says so (`aws-cloudtrail-logs-…`, `CloudTrail/DefaultLogGroup`),
 * or its JSON pattern names CloudTrail's fields. An application log's `ERROR` counter is not run over CloudTrail.
 */
export function readsCloudTrail(filter: MetricFilterInfo): boolean {
  if (filter.logGroupName !== null && /cloudtrail/i.test(filter.logGroupName)) return true;
  return isJsonPattern(filter.pattern) && CLOUDTRAIL_FIELD.test(filter.pattern);
}

export function isJsonPattern(pattern: string): boolean {
  const p = pattern.trim();
  return p.startsWith('{') && p.endsWith('}');
}

/** `{ A }` → `A`, for ORing. */
function jsonBody(pattern: string): string {
  return pattern.trim().slice(1, -1).trim();
}

/**
 * One pattern for several: the one, or `{ (A) || (B) }` when all are JSON; null when they cannot be combined (not
 * all JSON, or the result would not be a valid pattern: longer than AWS's 1024 characters).
 */
export function orPatterns(patterns: readonly string[]): string | null {
  const distinct = [...new Set(patterns.map((p) => p.trim()))];
  if (distinct.length === 0) return null;
  if (distinct.length === 1) return distinct[0] ?? null;
  if (!distinct.every(isJsonPattern)) return null;
  const combined = `{ ${distinct.map((p) => `(${jsonBody(p)})`).join(' || ')} }`;
  return patternProblem(combined) === null ? combined : null;
}

export interface FromMetricFilters {
  /** The pattern, or null when no usable filter emits the metric. */
  resolved: ResolvedPattern | null;
  /** What was left out and why. */
  notes: string[];
  /** Filters that emit the metric (before the CloudTrail and parse checks). */
  emitting: number;
}

/**
 * DescribeMetricFilters' answer for one metric → its pattern. Only filters whose transformations emit this very
 * metric count (the call filters by name and namespace; this checks again). Filters over other logs, and patterns
 * Trailbot cannot read, are left out with a note.
 */
export function patternFromMetricFilters(metric: MetricRef, filters: readonly MetricFilterInfo[]): FromMetricFilters {
  const emitting = filters.filter((f) =>
    f.metrics.some(
      (m) => m.metricName === metric.metricName && (metric.namespace === null || m.namespace === metric.namespace),
    ),
  );
  const notes: string[] = [];
  const usable: MetricFilterInfo[] = [];
  for (const f of emitting) {
    const name = f.filterName ?? '(unnamed)';
    if (!readsCloudTrail(f)) {
      notes.push(`metric filter ${name} on ${f.logGroupName ?? 'an unnamed log group'} does not read CloudTrail`);
      continue;
    }
    const problem = patternProblem(f.pattern);
    if (problem !== null) {
      notes.push(`the pattern of metric filter ${name} cannot be read: ${problem}`);
      continue;
    }
    usable.push(f);
  }
  const first = usable[0];
  if (first === undefined) return { resolved: null, notes, emitting: emitting.length };
  const distinct = [...new Set(usable.map((f) => f.pattern.trim()))];
  const combined = orPatterns(distinct);
  const provenance: PatternProvenance = {
    kind: 'metric-filter',
    metric,
    filterName: first.filterName,
    logGroupName: first.logGroupName,
    count: combined === null ? 1 : usable.length,
  };
  if (combined === null) {
    notes.push(
      `${distinct.length} metric filters with different patterns feed ${metricLabel(metric)} and they cannot be ORed into one (only JSON patterns can, within 1024 characters): the first (${first.filterName ?? 'unnamed'}) is used`,
    );
    return { resolved: { pattern: first.pattern.trim(), provenance }, notes, emitting: emitting.length };
  }
  return { resolved: { pattern: combined, provenance }, notes, emitting: emitting.length };
}

/**
 * The alarm's pattern from the parts each metric resolved to (a metric alarm has one): ORed when all are JSON,
 * else the first, said in a note. Null when no metric resolved.
 */
export function combineParts(parts: readonly ResolvedPattern[], notes: readonly string[] = []): AlarmPattern | null {
  const first = parts[0];
  if (first === undefined) return null;
  const combined = orPatterns(parts.map((p) => p.pattern));
  if (combined !== null) return { pattern: combined, sources: [...parts], notes: [...notes] };
  return {
    pattern: first.pattern,
    sources: [first],
    notes: [
      ...notes,
      "the alarm's metrics have patterns that cannot be ORed into one (only JSON patterns can, within 1024 characters): only the first is used",
    ],
  };
}

/**
 * An SNS `Message` (and its `Subject`) → a typed Alert, by shape (aws-slack-facts §4):
 * - `AlarmName` + `NewStateValue` (one of ALARM, OK, INSUFFICIENT_DATA): a CloudWatch alarm. Its trigger is a
 *   metric (`Trigger.MetricName`), metric math (`Trigger.Metrics[]`) or a composite rule (`AlarmRule`). The region
 *   comes from `AlarmArn`, since `Region` is a display name (`US East (N. Virginia)`).
 * - `detail-type` + `detail` (an object): an EventBridge event. `AWS API Call via CloudTrail` and
 *   `AWS Console Sign In via CloudTrail` carry a CloudTrail record, normalized by the foundation's core;
 *   any other is a generic event.
 * - `s3Bucket` + `s3ObjectKey[]`: a trail's log-delivery notice, summarized as text.
 * - Anything else (plain text, other JSON, broken or hostile input): text.
 *
 * Pure and total: it never throws, and every string it keeps is capped. It escapes nothing: renderers do.
 */

import { looksLikeRegion } from '../aws-regions.js';
import { arr, bool, cap, MAX_SCAN, type Obj, obj, str } from '../normalize/accessors.js';
import { canonicalTime } from '../normalize/event-time.js';
import { normalizeRecord } from '../normalize/normalize-record.js';
import {
  ALARM_STATES,
  type AlarmState,
  type AlarmTrigger,
  type Alert,
  type CloudWatchAlarm,
  type EventBridgeEnvelope,
  type MetricDimension,
  type MetricMathQuery,
  type TextAlert,
  type TriggeringChild,
} from './alert.js';

/** EventBridge detail-types whose `detail` is a CloudTrail record. */
export const CLOUDTRAIL_DETAIL_TYPES: readonly string[] = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
];

/** SNS caps a message at 256 KB; anything much longer is not from SNS and is not parsed. */
const MAX_MESSAGE = 512 * 1024;
/** What a text alert keeps of its message. */
export const MAX_ALERT_TEXT = 8000;
const MAX_NAME = 1024;
const MAX_ARN = 2048;
const MAX_METRICS = 20;
const MAX_DIMENSIONS = 30;
const MAX_CHILDREN = 20;
const MAX_RESOURCES = 50;

export function parseAlert(message: string, subject: string | null): Alert {
  try {
    return parse(typeof message === 'string' ? message : '', typeof subject === 'string' ? subject : null);
  } catch {
    // Nothing below should throw; this is the promise that a hostile message never takes the caller down.
    return textAlert(subject, typeof message === 'string' ? message : '', null);
  }
}

function parse(message: string, subject: string | null): Alert {
  const trimmed = message.trimStart();
  if (!trimmed.startsWith('{') || message.length > MAX_MESSAGE) return textAlert(subject, message, null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return textAlert(subject, message, null);
  }
  const o = obj(parsed);
  if (o === null) return textAlert(subject, message, null);

  const alarm = parseAlarm(o);
  if (alarm !== null) return { kind: 'alarm', alarm, raw: parsed };

  const detailType = str(o['detail-type'], MAX_NAME);
  const detail = obj(o.detail);
  if (detailType !== null && detail !== null) {
    const envelope = envelopeOf(o);
    if (CLOUDTRAIL_DETAIL_TYPES.includes(detailType)) {
      return { kind: 'cloudtrail', detailType, record: normalizeRecord(detail), raw: detail, eventBridge: envelope };
    }
    return {
      kind: 'event',
      detailType,
      source: envelope.source ?? 'unknown source',
      account: envelope.account,
      region: envelope.region,
      time: envelope.time,
      id: envelope.id,
      resources: envelope.resources,
      detail,
      raw: parsed,
    };
  }

  const delivery = deliveryNotice(o);
  if (delivery !== null) return textAlert(subject ?? 'CloudTrail log delivery', delivery, null);

  return textAlert(subject, message, o);
}

function textAlert(subject: string | null, text: string, json: Obj | null): TextAlert {
  return {
    kind: 'text',
    subject: str(subject, 300),
    text: text.length === 0 ? '(empty message)' : cap(text, MAX_ALERT_TEXT),
    json,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CloudWatch alarms

function stateOf(value: unknown): AlarmState | null {
  return typeof value === 'string' && (ALARM_STATES as readonly string[]).includes(value)
    ? (value as AlarmState)
    : null;
}

/** `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name` → `us-east-1`; null unless shaped like a region. */
export function regionFromArn(arn: string | null): string | null {
  if (arn === null || !arn.startsWith('arn:')) return null;
  const region = arn.split(':', 5)[3] ?? '';
  return looksLikeRegion(region) ? region : null;
}

/** `…:alarm:Name` → `Name` (names may hold `:`), else the whole ARN. */
export function alarmNameFromArn(arn: string): string {
  const at = arn.indexOf(':alarm:');
  return at < 0 ? arn : arn.slice(at + ':alarm:'.length) || arn;
}

/** A finite number, from a number or a numeric string (`"300"`); else null. */
function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.length > 0 && value.length <= 40) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function timeOf(value: unknown): string | null {
  const t = canonicalTime(value);
  return t === '' ? null : t;
}

/** `- TreatMissingData:                    missing` (as some senders write it) → `missing`. */
function treatMissingOf(value: unknown): string | null {
  const s = str(value, 200);
  if (s === null) return null;
  const word = (s.includes(':') ? s.slice(s.lastIndexOf(':') + 1) : s).trim();
  return word.length === 0 ? null : word;
}

/** `[{name, value}]` as the notification writes it, or `[{Name, Value}]`; at most 30. */
function dimensionsOf(value: unknown): MetricDimension[] {
  const out: MetricDimension[] = [];
  for (const item of (arr(value) ?? []).slice(0, MAX_DIMENSIONS)) {
    const d = obj(item);
    const name = str(d?.name ?? d?.Name, 256);
    const val = str(d?.value ?? d?.Value, 1024);
    if (name !== null) out.push({ name, value: val ?? '' });
  }
  return out;
}

function metricQueryOf(value: unknown): MetricMathQuery | null {
  const q = obj(value);
  if (q === null) return null;
  const stat = obj(q.MetricStat);
  const metric = obj(stat?.Metric);
  return {
    id: str(q.Id, 255) ?? '?',
    expression: str(q.Expression, 1024),
    label: str(q.Label, 255),
    returnData: bool(q.ReturnData),
    metricStat:
      stat === null
        ? null
        : {
            namespace: str(metric?.Namespace, 255),
            metricName: str(metric?.MetricName, 255),
            dimensions: dimensionsOf(metric?.Dimensions),
            period: num(stat.Period),
            stat: str(stat.Stat, 100),
            unit: str(stat.Unit, 100),
          },
  };
}

function childOf(value: unknown): TriggeringChild | null {
  // Documented as [String]; observed as {Arn, State: {Value, Timestamp}}. Both are read.
  if (typeof value === 'string') {
    const arn = cap(value, MAX_ARN);
    return arn.length === 0 ? null : { arn, name: alarmNameFromArn(arn), state: null, timestamp: null };
  }
  const c = obj(value);
  const arn = str(c?.Arn, MAX_ARN);
  if (c === null || arn === null) return null;
  const state = obj(c.State);
  return { arn, name: alarmNameFromArn(arn), state: str(state?.Value, 40), timestamp: timeOf(state?.Timestamp) };
}

function triggerOf(o: Obj): AlarmTrigger {
  const rule = str(o.AlarmRule, 10_240);
  if (rule !== null) {
    const children = (arr(o.TriggeringChildren) ?? [])
      .slice(0, MAX_CHILDREN)
      .map(childOf)
      .filter((c): c is TriggeringChild => c !== null);
    return { kind: 'composite', alarmRule: rule, triggeringChildren: children };
  }
  const t = obj(o.Trigger);
  if (t === null) return { kind: 'unknown' };
  const common = {
    period: num(t.Period),
    evaluationPeriods: num(t.EvaluationPeriods),
    datapointsToAlarm: num(t.DatapointsToAlarm),
    comparisonOperator: str(t.ComparisonOperator, 100),
    threshold: num(t.Threshold),
    treatMissingData: treatMissingOf(t.TreatMissingData),
  };
  const metrics = arr(t.Metrics);
  if (metrics !== null && metrics.length > 0 && str(t.MetricName) === null) {
    return {
      kind: 'metric-math',
      metrics: metrics
        .slice(0, MAX_METRICS)
        .map(metricQueryOf)
        .filter((q): q is MetricMathQuery => q !== null),
      metricCount: Math.min(metrics.length, MAX_SCAN),
      thresholdMetricId: str(t.ThresholdMetricId, 255),
      ...common,
    };
  }
  return {
    kind: 'metric',
    namespace: str(t.Namespace, 255),
    metricName: str(t.MetricName, 255),
    dimensions: dimensionsOf(t.Dimensions),
    statistic: str(t.Statistic, 100) ?? str(t.ExtendedStatistic, 100),
    unit: str(t.Unit, 100),
    ...common,
  };
}

function parseAlarm(o: Obj): CloudWatchAlarm | null {
  const name = str(o.AlarmName, MAX_NAME);
  const state = stateOf(o.NewStateValue);
  if (name === null || state === null) return null;
  const arn = str(o.AlarmArn, MAX_ARN);
  return {
    name,
    description: str(o.AlarmDescription, MAX_NAME),
    accountId: str(o.AWSAccountId, 64),
    region: regionFromArn(arn),
    regionName: str(o.Region, 100),
    arn,
    state,
    previousState: stateOf(o.OldStateValue),
    reason: str(o.NewStateReason, 4096),
    stateChangeTime: timeOf(o.StateChangeTime),
    trigger: triggerOf(o),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// EventBridge and CloudTrail notices

function envelopeOf(o: Obj): EventBridgeEnvelope {
  return {
    id: str(o.id, 255),
    account: str(o.account, 64),
    region: str(o.region, 64),
    time: timeOf(o.time),
    source: str(o.source, 255),
    resources: (arr(o.resources) ?? [])
      .slice(0, MAX_RESOURCES)
      .map((r) => str(r, MAX_ARN))
      .filter((r): r is string => r !== null),
  };
}

/** `{s3Bucket, s3ObjectKey: [...]}`, a trail's delivery notice (aws-slack-facts §2.5), in words; else null. */
function deliveryNotice(o: Obj): string | null {
  const bucket = str(o.s3Bucket, 255);
  const keys = arr(o.s3ObjectKey);
  if (bucket === null || keys === null) return null;
  const names = keys.map((k) => str(k, 1024)).filter((k): k is string => k !== null);
  const shown = names.slice(0, 5).map((k) => `• ${k}`);
  const more = names.length > shown.length ? [`• … and ${names.length - shown.length} more`] : [];
  const files = names.length === 1 ? '1 log file' : `${names.length} log files`;
  return [`CloudTrail delivered ${files} to S3 bucket ${bucket}:`, ...shown, ...more].join('\n');
}

/**
 * What an SNS `Message` says, typed (aws-slack-facts §4): a CloudWatch alarm state change, a CloudTrail event
 * delivered by EventBridge, any other EventBridge event, or plain text (also unknown JSON and broken input).
 * `parseAlert` (parse-alert.ts) makes one; every string in it is untrusted and capped, never escaped:
 * renderers escape.
 */
import type { TrailRecord } from '../trail-record.js';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export interface MetricDimension {
  name: string;
  value: string;
}

/** A metric alarm's `Trigger`: one metric, one statistic, one threshold. */
export interface MetricTrigger {
  kind: 'metric';
  namespace: string | null;
  metricName: string | null;
  dimensions: MetricDimension[];
  /** `Sum`, `Average`, … or an extended statistic (`p99`); `SUM` as some notifications write it. */
  statistic: string | null;
  unit: string | null;
  /** Seconds. */
  period: number | null;
  evaluationPeriods: number | null;
  /** M of "M out of N"; null where the notification does not say (then M = N). */
  datapointsToAlarm: number | null;
  /** `GreaterThanOrEqualToThreshold`, `LessThanThreshold`, … verbatim. */
  comparisonOperator: string | null;
  threshold: number | null;
  /** `missing`, `notBreaching`, `breaching`, `ignore` (the `- TreatMissingData: ` prefix some senders add is cut). */
  treatMissingData: string | null;
}

/** One metric-data query of a metric-math alarm (`Trigger.Metrics[]`, the PutMetricAlarm `Metrics` shape). */
export interface MetricMathQuery {
  id: string;
  expression: string | null;
  label: string | null;
  /** True for the query whose result the alarm compares (CloudWatch: exactly one returns data). */
  returnData: boolean | null;
  metricStat: {
    namespace: string | null;
    metricName: string | null;
    dimensions: MetricDimension[];
    period: number | null;
    stat: string | null;
    unit: string | null;
  } | null;
}

/** A metric-math (expression) or anomaly-detection alarm: `Trigger.Metrics[]` instead of `Trigger.MetricName`. */
export interface MetricMathTrigger {
  kind: 'metric-math';
  metrics: MetricMathQuery[];
  /** How many queries the notification had (`metrics` holds at most the first 20). */
  metricCount: number;
  period: number | null;
  evaluationPeriods: number | null;
  datapointsToAlarm: number | null;
  comparisonOperator: string | null;
  /** Null for an anomaly-detection alarm, which compares against a band (`thresholdMetricId`) instead. */
  threshold: number | null;
  thresholdMetricId: string | null;
  treatMissingData: string | null;
}

export interface TriggeringChild {
  arn: string;
  /** The alarm name: the ARN's last `alarm:` segment. */
  name: string;
  state: string | null;
  timestamp: string | null;
}

/** A composite alarm: a rule over other alarms, and the children whose change set it off (when listed). */
export interface CompositeTrigger {
  kind: 'composite';
  alarmRule: string;
  triggeringChildren: TriggeringChild[];
}

/** An alarm the notification gives no trigger for (a Logs Insights query alarm, a future shape). */
export interface UnknownTrigger {
  kind: 'unknown';
}

export type AlarmTrigger = MetricTrigger | MetricMathTrigger | CompositeTrigger | UnknownTrigger;

export interface CloudWatchAlarm {
  name: string;
  description: string | null;
  accountId: string | null;
  /** The region code, from `AlarmArn` (`arn:aws:cloudwatch:<region>:…`); null where the ARN has none. */
  region: string | null;
  /** `Region` as sent: a display name (`US East (N. Virginia)`), not a code. */
  regionName: string | null;
  arn: string | null;
  state: AlarmState;
  previousState: AlarmState | null;
  reason: string | null;
  /** ISO 8601 (`2019-02-12T15:45:24.006Z`), or null where the notification's time is unreadable. */
  stateChangeTime: string | null;
  trigger: AlarmTrigger;
}

/** The EventBridge envelope around an event (aws-slack-facts §4.2). */
export interface EventBridgeEnvelope {
  id: string | null;
  account: string | null;
  region: string | null;
  /** ISO 8601 as sent (EventBridge writes `2023-07-10T12:10:05Z`). */
  time: string | null;
  source: string | null;
  /** ARNs; `[]` for CloudTrail events (EventBridge does not fill them in). */
  resources: string[];
}

export interface AlarmAlert {
  kind: 'alarm';
  alarm: CloudWatchAlarm;
  /** The parsed notification, for "Show event". */
  raw: unknown;
}

export interface CloudTrailAlert {
  kind: 'cloudtrail';
  /** `AWS API Call via CloudTrail` or `AWS Console Sign In via CloudTrail`. */
  detailType: string;
  record: TrailRecord;
  /** The CloudTrail record (the event's `detail`), for "Show event". */
  raw: unknown;
  eventBridge: EventBridgeEnvelope;
}

/** Any other EventBridge event (EC2 state change, GuardDuty finding, …). */
export interface EventAlert {
  kind: 'event';
  detailType: string;
  source: string;
  account: string | null;
  region: string | null;
  time: string | null;
  id: string | null;
  resources: string[];
  detail: unknown;
  /** The whole event, for "Show event". */
  raw: unknown;
}

/** Plain text, a CloudTrail log-delivery notice, unknown JSON, or input that could not be read. */
export interface TextAlert {
  kind: 'text';
  subject: string | null;
  /** What to show: the message itself, or a readable summary of it. Capped, not escaped. */
  text: string;
  /** The JSON object the message held, when it was one of no known kind (the card lists its fields). */
  json: { readonly [key: string]: unknown } | null;
}

export type Alert = AlarmAlert | CloudTrailAlert | EventAlert | TextAlert;

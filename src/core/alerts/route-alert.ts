/**
 * Which channel an alert goes to: the first routing rule (TRAILBOT_CONFIG `routes`, in order) whose every
 * condition holds, else the default channel (TRAILBOT_ALERT_CHANNEL), else null (nowhere to post).
 *
 * Conditions: `topic`, `account`, `region`, `alarmName`, `eventName` are globs where `*` matches any run of
 * characters (`prod-*`, `Delete*`, `arn:aws:sns:*:123456789012:security`); everything else is literal and
 * case-sensitive. A condition on a fact the alert does not have (`alarmName` on a CloudTrail event) does not hold.
 * `severity` holds for alerts of that severity or worse.
 *
 * Severity, from the first of:
 * 1. a tag in the alarm's name or description, or the message subject: `[critical]`, `[high]`, `[medium]`,
 *    `[low]`, `[info]` (any case), the way teams already mark alarms;
 * 2. a finding's documented severity: GuardDuty `detail.severity` (1–3.9 low, 4–6.9 medium, 7–8.9 high, 9+
 *    critical), Security Hub `detail.findings[0].Severity.Label`;
 * 3. otherwise by kind: alarms and CloudTrail events `medium`, other events and text `low`.
 * Severity never depends on the alarm's state, so an alarm's OK goes where its ALARM went.
 */
import type { Alert } from './alert.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRoute {
  /** Slack channel id (or name) to post in. */
  channel: string;
  /** SNS TopicArn the message came through (glob). */
  topic?: string;
  /** AWS account id (glob). */
  account?: string;
  /** Region code (glob): `us-east-1`, `eu-*`. */
  region?: string;
  /** CloudWatch alarm name (glob). */
  alarmName?: string;
  /** CloudTrail eventName, or the detail-type of another EventBridge event (glob). */
  eventName?: string;
  /** This severity or worse. */
  severity?: Severity;
}

/** What routing looks at, from `alertFacts`. */
export interface AlertFacts {
  topic: string | null;
  account: string | null;
  region: string | null;
  alarmName: string | null;
  eventName: string | null;
  severity: Severity;
}

export function routeAlert(
  rules: readonly AlertRoute[],
  facts: AlertFacts,
  defaultChannel: string | null,
): string | null {
  for (const rule of rules) if (matches(rule, facts)) return rule.channel;
  return defaultChannel;
}

export function alertFacts(alert: Alert, topic: string | null): AlertFacts {
  const severity = severityOf(alert);
  switch (alert.kind) {
    case 'alarm':
      return {
        topic,
        account: alert.alarm.accountId,
        region: alert.alarm.region,
        alarmName: alert.alarm.name,
        eventName: null,
        severity,
      };
    case 'cloudtrail':
      return {
        topic,
        account: alert.record.accountId ?? alert.eventBridge.account,
        region: alert.record.region || alert.eventBridge.region,
        alarmName: null,
        eventName: alert.record.eventName || null,
        severity,
      };
    case 'event':
      return {
        topic,
        account: alert.account,
        region: alert.region,
        alarmName: null,
        eventName: alert.detailType,
        severity,
      };
    case 'text':
      return { topic, account: null, region: null, alarmName: null, eventName: null, severity };
  }
}

const TAG = /\[(critical|high|medium|low|info)\]/i;

export function severityOf(alert: Alert): Severity {
  const tagged = tagIn(...tagSources(alert));
  if (tagged !== null) return tagged;
  switch (alert.kind) {
    case 'alarm':
    case 'cloudtrail':
      return 'medium';
    case 'event':
      return findingSeverity(alert.source, alert.detail) ?? 'low';
    case 'text':
      return 'low';
  }
}

function tagSources(alert: Alert): (string | null)[] {
  switch (alert.kind) {
    case 'alarm':
      return [alert.alarm.name, alert.alarm.description];
    case 'text':
      return [alert.subject];
    default:
      return [];
  }
}

function tagIn(...texts: (string | null)[]): Severity | null {
  for (const text of texts) {
    const m = text === null ? null : TAG.exec(text.slice(0, 2048));
    if (m?.[1] !== undefined) return m[1].toLowerCase() as Severity;
  }
  return null;
}

function findingSeverity(source: string, detail: unknown): Severity | null {
  const d = detail as { severity?: unknown; findings?: unknown } | null;
  if (source === 'aws.guardduty' && typeof d?.severity === 'number' && Number.isFinite(d.severity)) {
    const s = d.severity;
    return s >= 9 ? 'critical' : s >= 7 ? 'high' : s >= 4 ? 'medium' : 'low';
  }
  if (source === 'aws.securityhub' && Array.isArray(d?.findings)) {
    const label = (d.findings[0] as { Severity?: { Label?: unknown } } | undefined)?.Severity?.Label;
    if (typeof label === 'string') {
      const lower = label.toLowerCase();
      if (lower === 'informational') return 'info';
      if ((SEVERITIES as readonly string[]).includes(lower)) return lower as Severity;
    }
  }
  return null;
}

function matches(rule: AlertRoute, facts: AlertFacts): boolean {
  return (
    holds(rule.topic, facts.topic) &&
    holds(rule.account, facts.account) &&
    holds(rule.region, facts.region) &&
    holds(rule.alarmName, facts.alarmName) &&
    holds(rule.eventName, facts.eventName) &&
    (rule.severity === undefined || rank(facts.severity) >= rank(rule.severity))
  );
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function holds(pattern: string | undefined, value: string | null): boolean {
  if (pattern === undefined) return true;
  return value !== null && globMatch(pattern, value);
}

/** `*` matches any run of characters (also none); everything else literally. Linear, no regular expression. */
export function globMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

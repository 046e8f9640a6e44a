/**
 * The CloudWatch alarm notification the storm tests and benches send: the `n`th of alarm `name` (even n: ALARM,
 * odd: OK, so each one changes the card), its reason carrying `reason` so the thread replies can be told apart.
 */
export interface StormAlarm {
  name: string;
  n: number;
  /** NewStateReason: what the reply shows (default `notification <n>`). */
  reason?: string;
  /** StateChangeTime (default 2026-11-21T10:00:00.000+0000). */
  at?: string;
  /** Trigger.Namespace (default Test). */
  namespace?: string;
  description?: string;
}

export function stormAlarm(alarm: StormAlarm): string {
  const state = alarm.n % 2 === 0 ? 'ALARM' : 'OK';
  return JSON.stringify({
    AlarmName: alarm.name,
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AWSAccountId: '111122223333',
    NewStateValue: state,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    NewStateReason: alarm.reason ?? `notification ${alarm.n}`,
    StateChangeTime: alarm.at ?? '2026-11-21T10:00:00.000+0000',
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${alarm.name}`,
    Trigger: {
      MetricName: 'Errors',
      Namespace: alarm.namespace ?? 'Test',
      Statistic: 'SUM',
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      Dimensions: [],
    },
  });
}

/** A StateChangeTime of now, in the `+0000` form CloudWatch writes. */
export function nowAsAlarmTime(): string {
  return new Date().toISOString().replace('Z', '+0000');
}

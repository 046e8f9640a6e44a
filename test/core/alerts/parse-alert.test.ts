/**
 * parseAlert over every fixture in test/fixtures/sns (real-shaped SNS notifications): the right kind and
 * fields, the region from the AlarmArn, the CloudTrail details verbatim from the corpora; broken input as text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { Alert } from '../../../src/core/alerts/alert.js';
import { alarmNameFromArn, parseAlert, regionFromArn } from '../../../src/core/alerts/parse-alert.js';
import { findRecord } from '../../helpers/corpora.js';

const FIXTURES = new URL('../../fixtures/sns/', import.meta.url);

interface SnsNotification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
}

function notification(name: string): SnsNotification {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as SnsNotification;
}

function fixture(name: string): Alert {
  const n = notification(name);
  return parseAlert(n.Message, n.Subject ?? null);
}

function as<K extends Alert['kind']>(alert: Alert, kind: K): Extract<Alert, { kind: K }> {
  expect(alert.kind).toBe(kind);
  return alert as Extract<Alert, { kind: K }>;
}

const KINDS: Record<string, Alert['kind']> = {
  'alarm-metric-alarm': 'alarm',
  'alarm-metric-ok': 'alarm',
  'alarm-insufficient-data': 'alarm',
  'alarm-metric-math': 'alarm',
  'alarm-anomaly-band': 'alarm',
  'alarm-composite': 'alarm',
  'eventbridge-authorize-security-group-ingress': 'cloudtrail',
  'eventbridge-stop-logging': 'cloudtrail',
  'eventbridge-terminate-instances': 'cloudtrail',
  'eventbridge-console-login-no-mfa': 'cloudtrail',
  'eventbridge-ec2-state-change': 'event',
  'eventbridge-guardduty-finding': 'event',
  'cloudtrail-log-delivery': 'text',
  'plain-text': 'text',
  'unknown-json': 'text',
};

describe('fixtures', () => {
  test('every fixture is listed here, and is an SNS Notification body', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(KINDS).sort());
    for (const name of files) {
      const n = notification(name);
      expect(n.Type).toBe('Notification');
      expect(typeof n.Message).toBe('string');
      expect(n.TopicArn).toMatch(/^arn:aws:sns:/);
    }
  });

  test.each(Object.entries(KINDS))('%s parses as %s', (name, kind) => {
    expect(fixture(name).kind).toBe(kind);
  });

  test.each([
    ['eventbridge-authorize-security-group-ingress', 'invictus', '7e96f0e7-4d78-423d-b3f5-391370685b30'],
    ['eventbridge-stop-logging', 'stratus', '10163ed2-2253-469d-a5ee-cbc6651f8934'],
    ['eventbridge-terminate-instances', 'invictus', 'cb45d9ea-ee4a-4e63-bb8e-c658cd2203f9'],
    ['eventbridge-console-login-no-mfa', 'stratus', '865d9377-9c6b-4fd7-8aad-725e95f6a140'],
  ] as const)('%s carries the real %s record %s verbatim', (name, corpus, eventId) => {
    const alert = as(fixture(name), 'cloudtrail');
    expect(alert.raw).toEqual(findRecord(corpus, eventId));
  });
});

describe('CloudWatch alarms', () => {
  test('metric alarm, OK → ALARM: every field, the region from the ARN', () => {
    const { alarm } = as(fixture('alarm-metric-alarm'), 'alarm');
    expect(alarm).toEqual({
      name: 'SecurityGroupChanges',
      description: '[high] CIS 4.10: a security group was created, changed or deleted (CloudTrail metric filter).',
      accountId: '111122223333',
      region: 'us-east-1',
      regionName: 'US East (N. Virginia)',
      arn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges',
      state: 'ALARM',
      previousState: 'OK',
      reason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1 datapoints/),
      stateChangeTime: '2023-07-10T12:10:42Z',
      trigger: {
        kind: 'metric',
        namespace: 'CloudTrailMetrics',
        metricName: 'SecurityGroupEventCount',
        dimensions: [],
        statistic: 'SUM',
        unit: null,
        period: 300,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        treatMissingData: 'notBreaching',
      },
    });
  });

  test('the same alarm back to OK', () => {
    const { alarm } = as(fixture('alarm-metric-ok'), 'alarm');
    expect([alarm.previousState, alarm.state]).toEqual(['ALARM', 'OK']);
    expect(alarm.arn).toBe('arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges');
  });

  test('INSUFFICIENT_DATA in "EU (Ireland)": eu-west-1, dimensions, M of N, TreatMissingData cleaned', () => {
    const { alarm } = as(fixture('alarm-insufficient-data'), 'alarm');
    expect(alarm.state).toBe('INSUFFICIENT_DATA');
    expect(alarm.region).toBe('eu-west-1');
    expect(alarm.regionName).toBe('EU (Ireland)');
    expect(alarm.trigger).toMatchObject({
      kind: 'metric',
      dimensions: [{ name: 'InstanceId', value: 'i-05c30218156bcc246' }],
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'missing',
    });
  });

  test('metric math: queries with expression, label, metric stat and returnData', () => {
    const { alarm } = as(fixture('alarm-metric-math'), 'alarm');
    expect(alarm.region).toBe('us-west-2');
    expect(alarm.description).toBeNull();
    const t = alarm.trigger;
    if (t.kind !== 'metric-math') throw new Error(t.kind);
    expect(t).toMatchObject({ threshold: 65, comparisonOperator: 'LessThanThreshold', period: 60, metricCount: 3 });
    expect(t.metrics[0]).toEqual({
      id: 'expr_1',
      expression: '100*(healthyHostCount/fleetCapacity)',
      label: null,
      returnData: true,
      metricStat: null,
    });
    expect(t.metrics[1]?.metricStat).toEqual({
      namespace: 'AWS/NetworkELB',
      metricName: 'HealthyHostCount',
      dimensions: [
        { name: 'TargetGroup', value: 'net/tg-web/6d0ecf831eec9f09' },
        { name: 'LoadBalancer', value: 'net/nlb-web/50dc6c495c0c9188' },
      ],
      period: 60,
      stat: 'Average',
      unit: null,
    });
  });

  test('anomaly band: ThresholdMetricId, no threshold', () => {
    const t = as(fixture('alarm-anomaly-band'), 'alarm').alarm.trigger;
    if (t.kind !== 'metric-math') throw new Error(t.kind);
    expect(t.thresholdMetricId).toBe('ad1');
    expect(t.threshold).toBeNull();
  });

  test('composite: rule and triggering children (objects as observed)', () => {
    const { alarm } = as(fixture('alarm-composite'), 'alarm');
    expect(alarm.trigger).toEqual({
      kind: 'composite',
      alarmRule: expect.stringContaining('ALARM(arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges)'),
      triggeringChildren: [
        {
          arn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges',
          name: 'SecurityGroupChanges',
          state: 'ALARM',
          timestamp: '2023-07-10T12:10:42Z',
        },
      ],
    });
  });

  test('composite children as documented ([String])', () => {
    const message = JSON.stringify({
      AlarmName: 'c',
      NewStateValue: 'ALARM',
      AlarmRule: 'ALARM(a)',
      TriggeringChildren: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a:b', ''],
    });
    const t = as(parseAlert(message, null), 'alarm').alarm.trigger;
    expect(t).toEqual({
      kind: 'composite',
      alarmRule: 'ALARM(a)',
      triggeringChildren: [
        { arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a:b', name: 'a:b', state: null, timestamp: null },
      ],
    });
  });

  test('an unknown state value, or no AlarmName, is not an alarm', () => {
    expect(parseAlert('{"AlarmName":"x","NewStateValue":"PANIC"}', null).kind).toBe('text');
    expect(parseAlert('{"NewStateValue":"ALARM"}', null).kind).toBe('text');
  });

  test('an alarm without a Trigger (Logs Insights query alarm) has an unknown trigger', () => {
    const message = JSON.stringify({ AlarmName: 'q', NewStateValue: 'OK', QueryString: 'fields @x' });
    expect(as(parseAlert(message, null), 'alarm').alarm.trigger).toEqual({ kind: 'unknown' });
  });

  test('regionFromArn and alarmNameFromArn', () => {
    expect(regionFromArn('arn:aws:cloudwatch:ap-northeast-1:111122223333:alarm:x')).toBe('ap-northeast-1');
    expect(regionFromArn('arn:aws-us-gov:cloudwatch:us-gov-west-1:111122223333:alarm:x')).toBe('us-gov-west-1');
    expect(regionFromArn('arn:aws:cloudwatch:US East (N. Virginia):1:alarm:x')).toBeNull();
    expect(regionFromArn('not an arn')).toBeNull();
    expect(regionFromArn(null)).toBeNull();
    expect(alarmNameFromArn('arn:aws:cloudwatch:us-east-1:1:alarm:name: with colon')).toBe('name: with colon');
  });
});

describe('EventBridge', () => {
  test('AWS API Call via CloudTrail: the normalized record and the envelope', () => {
    const alert = as(fixture('eventbridge-authorize-security-group-ingress'), 'cloudtrail');
    expect(alert.detailType).toBe('AWS API Call via CloudTrail');
    expect(alert.eventBridge).toEqual({
      id: '6f1c2a4e-8b1d-4f3e-9c0a-2d7e5b3a1c01',
      account: '123837392027',
      region: 'us-east-1',
      time: '2023-07-10T12:10:05Z',
      source: 'aws.ec2',
      resources: [],
    });
    const r = alert.record;
    expect(r.eventName).toBe('AuthorizeSecurityGroupIngress');
    expect(r.actor.display).toBe('bert-jan');
    expect(r.sourceIp).toBe('192.168.10.20');
    expect(r.client.kind).toBe('terraform');
    expect(r.resources.map((x) => x.name)).toContain('sg-04cfb7a4712d75b00');
  });

  test('StopLogging and TerminateInstances carry their transitions', () => {
    const stop = as(fixture('eventbridge-stop-logging'), 'cloudtrail').record;
    expect(stop.eventName).toBe('StopLogging');
    expect(stop.transitions).toHaveLength(1);
    const term = as(fixture('eventbridge-terminate-instances'), 'cloudtrail').record;
    expect(term.transitions).toEqual([{ resource: 'i-05c30218156bcc246', from: 'running', to: 'shutting-down' }]);
  });

  test('AWS Console Sign In via CloudTrail: a ConsoleLogin without MFA', () => {
    const alert = as(fixture('eventbridge-console-login-no-mfa'), 'cloudtrail');
    expect(alert.detailType).toBe('AWS Console Sign In via CloudTrail');
    expect(alert.eventBridge.source).toBe('aws.signin');
    expect(alert.record.eventName).toBe('ConsoleLogin');
    expect(alert.record.mfa).toBe(false);
    expect(alert.record.errorCode).toBeNull();
  });

  test('EC2 Instance State-change Notification: a generic event with its resources', () => {
    const alert = as(fixture('eventbridge-ec2-state-change'), 'event');
    expect(alert).toMatchObject({
      detailType: 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123837392027',
      region: 'us-east-1',
      time: '2023-07-10T12:08:51Z',
      resources: ['arn:aws:ec2:us-east-1:123837392027:instance/i-05c30218156bcc246'],
      detail: { 'instance-id': 'i-05c30218156bcc246', state: 'terminated' },
    });
  });

  test('GuardDuty Finding: a generic event', () => {
    const alert = as(fixture('eventbridge-guardduty-finding'), 'event');
    expect(alert.source).toBe('aws.guardduty');
    expect((alert.detail as { severity: number }).severity).toBe(8);
  });

  test('detail-type without an object detail is not an event', () => {
    expect(parseAlert('{"detail-type":"X","detail":"no"}', null).kind).toBe('text');
  });
});

describe('text', () => {
  test('plain text keeps its subject and its lines', () => {
    const alert = as(fixture('plain-text'), 'text');
    expect(alert.subject).toBe('Test message');
    expect(alert.text.split('\n')).toHaveLength(3);
    expect(alert.json).toBeNull();
  });

  test('a CloudTrail delivery notice becomes a readable summary', () => {
    const alert = as(fixture('cloudtrail-log-delivery'), 'text');
    expect(alert.subject).toBe('CloudTrail log delivery');
    expect(alert.text).toMatch(
      /^CloudTrail delivered 1 log file to S3 bucket org-trail-logs-111122223333:\n• AWSLogs\//,
    );
    expect(alert.json).toBeNull();
  });

  test('a delivery notice with many keys lists five and counts the rest', () => {
    const keys = Array.from({ length: 12 }, (_, i) => `AWSLogs/1/CloudTrail/us-east-1/f${i}.json.gz`);
    const alert = as(parseAlert(JSON.stringify({ s3Bucket: 'b', s3ObjectKey: keys }), null), 'text');
    expect(alert.text).toContain('12 log files');
    expect(alert.text).toContain('… and 7 more');
  });

  test('unknown JSON keeps the object for the card to list', () => {
    const alert = as(fixture('unknown-json'), 'text');
    expect(alert.json).toMatchObject({ service: 'backup-job', status: 'FAILED' });
  });

  test.each([
    ['empty', ''],
    ['broken JSON', '{"AlarmName": "x", '],
    ['a JSON string', '"hello"'],
    ['a JSON array', '[1,2,3]'],
    ['null', 'null'],
    ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['deep object nesting', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`],
    ['a 1 MB message', `{"x":"${'y'.repeat(1_000_000)}"}`],
  ])('%s becomes text, never an exception', (_name, message) => {
    const alert = parseAlert(message, null);
    expect(alert.kind).toBe('text');
    if (alert.kind === 'text') expect(alert.text.length).toBeLessThanOrEqual(8000);
  });

  test('inputs of the wrong type (from untyped callers) become text', () => {
    expect(parseAlert(42 as unknown as string, 7 as unknown as string).kind).toBe('text');
    expect(parseAlert(undefined as unknown as string, null).kind).toBe('text');
  });
});

describe('src/core/alerts is pure', () => {
  const dir = new URL('../../../src/core/alerts/', import.meta.url);
  test.each(readdirSync(dir).filter((name) => name.endsWith('.ts')))('%s', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    expect(source).not.toMatch(/from 'node:|require\(|process\.|Date\.now\(|new Date\(\)|Math\.random\(/);
  });
});

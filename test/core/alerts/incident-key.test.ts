/** Incident keys: one per alarm across its states; CloudTrail events grouped by actor, action, resource and window. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { Alert, CloudTrailAlert, EventAlert } from '../../../src/core/alerts/alert.js';
import { incidentKeyOf, MAX_KEY } from '../../../src/core/alerts/incident-key.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import { aRecord } from '../../helpers/records.js';

const HOUR = 3_600_000;
const options = { groupingWindowMs: HOUR };

function fixture(name: string): Alert {
  const n = JSON.parse(readFileSync(new URL(`../../fixtures/sns/${name}.json`, import.meta.url), 'utf8')) as {
    Message: string;
    Subject?: string;
  };
  return parseAlert(n.Message, n.Subject ?? null);
}

function cloudTrail(overrides: Parameters<typeof aRecord>[0] = {}): CloudTrailAlert {
  return {
    kind: 'cloudtrail',
    detailType: 'AWS API Call via CloudTrail',
    record: aRecord({
      eventName: 'StopInstances',
      readOnly: false,
      resources: [{ type: 'AWS::EC2::Instance', name: 'i-0abc' }],
      ...overrides,
    }),
    raw: {},
    eventBridge: {
      id: null,
      account: '123456789012',
      region: 'us-east-1',
      time: null,
      source: 'aws.ec2',
      resources: [],
    },
  };
}

function event(overrides: Partial<EventAlert> = {}): EventAlert {
  return {
    kind: 'event',
    detailType: 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    region: 'us-east-1',
    time: '2023-07-10T12:00:00Z',
    id: 'e1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
    detail: { 'instance-id': 'i-0abc', state: 'stopped' },
    raw: {},
    ...overrides,
  };
}

describe('alarms', () => {
  test('the AlarmArn, the same for ALARM and OK', () => {
    const alarm = incidentKeyOf(fixture('alarm-metric-alarm'), options);
    expect(alarm).toBe('arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges');
    expect(incidentKeyOf(fixture('alarm-metric-ok'), options)).toBe(alarm);
  });

  test('each alarm its own key', () => {
    const keys = ['alarm-metric-alarm', 'alarm-insufficient-data', 'alarm-metric-math', 'alarm-composite'].map((n) =>
      incidentKeyOf(fixture(n), options),
    );
    expect(new Set(keys).size).toBe(4);
  });

  test('without an ARN: account, region and name', () => {
    const alert = parseAlert('{"AlarmName":"x","NewStateValue":"ALARM","AWSAccountId":"1"}', null);
    expect(incidentKeyOf(alert, options)).toBe('alarm:1:?:x');
  });

  test('the grouping window does not split an alarm', () => {
    expect(incidentKeyOf(fixture('alarm-metric-alarm'), { groupingWindowMs: 1 })).toBe(
      incidentKeyOf(fixture('alarm-metric-ok'), { groupingWindowMs: 1 }),
    );
  });
});

describe('CloudTrail events', () => {
  test('same actor, event and resource within the window: one key', () => {
    const a = incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T12:00:05Z' }), options);
    const b = incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T12:59:59Z' }), options);
    expect(a).not.toBeNull();
    expect(b).toBe(a);
  });

  test('outside the window: another key', () => {
    const a = incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T12:00:05Z' }), options);
    expect(incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T13:00:05Z' }), options)).not.toBe(a);
  });

  test('the window is fixed buckets: one second apart across a boundary is two incidents', () => {
    const a = incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T12:59:59Z' }), options);
    expect(incidentKeyOf(cloudTrail({ eventTime: '2023-07-10T13:00:00Z' }), options)).not.toBe(a);
  });

  test('another actor, event or resource: another key', () => {
    const base = incidentKeyOf(cloudTrail(), options);
    const others = [
      cloudTrail({
        actor: { display: 'bob', type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob', session: null, via: null },
      }),
      cloudTrail({ eventName: 'TerminateInstances' }),
      cloudTrail({ resources: [{ type: 'AWS::EC2::Instance', name: 'i-0def' }] }),
      cloudTrail({ resources: [] }),
      cloudTrail({ accountId: '210987654321' }),
    ].map((a) => incidentKeyOf(a, options));
    for (const key of others) expect(key).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });

  test('the real fixtures: two events of one actor at 12:08 and 12:10 on different resources differ', () => {
    const sg = incidentKeyOf(fixture('eventbridge-authorize-security-group-ingress'), options);
    const term = incidentKeyOf(fixture('eventbridge-terminate-instances'), options);
    expect(sg).toMatch(/^ct:123837392027:arn:aws:iam::123837392027:user\/bert-jan:ec2\.amazonaws\.com:/);
    expect(sg).not.toBe(term);
  });

  test("without eventTime, EventBridge's time; with neither, no key", () => {
    const withEnvelope = cloudTrail({ eventTime: '' });
    withEnvelope.eventBridge.time = '2023-07-10T12:00:00Z';
    expect(incidentKeyOf(withEnvelope, options)).toMatch(/:\d+$/);
    expect(incidentKeyOf(cloudTrail({ eventTime: '' }), options)).toBeNull();
  });

  test('a window that is not positive groups nothing', () => {
    expect(incidentKeyOf(cloudTrail(), { groupingWindowMs: 0 })).toBeNull();
    expect(incidentKeyOf(cloudTrail(), { groupingWindowMs: Number.NaN })).toBeNull();
  });

  test('keys are bounded, and long keys stay distinct', () => {
    const long = (s: string) =>
      incidentKeyOf(cloudTrail({ resources: [{ type: null, name: `${'r'.repeat(3000)}${s}` }] }), options);
    const a = long('a');
    const b = long('b');
    expect(a?.length).toBeLessThanOrEqual(MAX_KEY);
    expect(a).not.toBe(b);
    expect(long('a')).toBe(a);
  });
});

describe('other events and text', () => {
  test('a resource event: source, detail-type, resources and window', () => {
    const a = incidentKeyOf(event(), options);
    expect(a).toMatch(/^ev:123456789012:aws\.ec2:EC2 Instance State-change Notification:arn:aws:ec2:/);
    expect(incidentKeyOf(event({ time: '2023-07-10T12:30:00Z' }), options)).toBe(a);
    expect(incidentKeyOf(event({ time: '2023-07-10T14:00:00Z' }), options)).not.toBe(a);
  });

  test('resources in any order are the same incident', () => {
    const x = 'arn:aws:ec2:us-east-1:1:instance/i-1';
    const y = 'arn:aws:ec2:us-east-1:1:instance/i-2';
    expect(incidentKeyOf(event({ resources: [x, y] }), options)).toBe(
      incidentKeyOf(event({ resources: [y, x] }), options),
    );
  });

  test('an event with no resources: its own card', () => {
    expect(incidentKeyOf(event({ resources: [] }), options)).toBeNull();
  });

  test('a GuardDuty finding: its finding id, across updates', () => {
    const key = incidentKeyOf(fixture('eventbridge-guardduty-finding'), options);
    expect(key).toBe('ev:111122223333:aws.guardduty:finding:16afba5c5c43e07c9e3e5e2e544e95df');
    const later = event({
      source: 'aws.guardduty',
      detailType: 'GuardDuty Finding',
      resources: [],
      time: '2024-01-01T00:00:00Z',
      account: '111122223333',
      detail: { id: '16afba5c5c43e07c9e3e5e2e544e95df' },
    });
    expect(incidentKeyOf(later, options)).toBe(key);
  });

  test('text: no key', () => {
    for (const name of ['plain-text', 'cloudtrail-log-delivery', 'unknown-json']) {
      expect(incidentKeyOf(fixture(name), options)).toBeNull();
    }
  });
});

/**
 * enrichAlarm against fakes: an in-memory outbox and event source, a scripted DescribeMetricFilters, a log that
 * keeps its lines. What is posted (and not), in which order the pattern is resolved, how failures read.
 */
import { describe, expect, test } from '@jest/globals';
import type { EnrichmentSettings, FilterMapping } from '../../src/core/alerts/alarm-filter.js';
import { DEFAULT_ENRICHMENT } from '../../src/core/alerts/alarm-filter.js';
import { decodeInvestigateValue } from '../../src/core/alerts/render-enrichment.js';
import { TrailbotError } from '../../src/core/errors.js';
import { createGate } from '../../src/core/gate.js';
import { packRule } from '../../src/core/rules/cis-pack.js';
import type { SnsNotification } from '../../src/core/sns/sns-message.js';
import { type AlarmEnricher, createAlarmEnricher, type EnrichAlarmDeps } from '../../src/flows/enrich-alarm.js';
import type {
  AuditEntry,
  EventSource,
  Incident,
  Logger,
  MetricFilterLookup,
  MetricFilterReader,
  OutboxWrite,
} from '../../src/ports.js';
import { loadCorpus } from '../helpers/corpora.js';
import { SECURITY_GROUP_CHANGES } from '../helpers/event-names.js';

const NOW = new Date('2026-03-02T10:30:00Z');
const STATE_CHANGE = new Date(NOW.getTime() - 20 * 60_000);
const REGION = 'eu-west-1';
const CHANNEL = 'C0ALERTS';
const arnOf = (name: string, region = REGION) => `arn:aws:cloudwatch:${region}:111122223333:alarm:${name}`;
const SG = { namespace: 'CloudTrailMetrics', metricName: 'SecurityGroupEventCount' };
const SG_CHANGES = new Set(SECURITY_GROUP_CHANGES);

/** Invictus' security-group changes and some of its other calls, moved into the window, in `REGION`. */
function records(): Record<string, unknown>[] {
  const all = loadCorpus('invictus').map((c) => c.record as Record<string, unknown>);
  const changes = all.filter((r) => SG_CHANGES.has(String(r.eventName)));
  const noise = all
    .filter((r) => r.eventName === 'DescribeSecurityGroups' || r.eventName === 'RunInstances')
    .slice(0, 20);
  return [...changes, ...noise].map((r, i) => ({
    ...r,
    awsRegion: REGION,
    eventID: `flow-${i}`,
    eventTime: new Date(STATE_CHANGE.getTime() - (i + 1) * 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

function memorySource(raws: readonly unknown[], fail?: Error): EventSource {
  return {
    kind: 'files',
    label: 'memory',
    async *scan() {
      if (fail !== undefined) throw fail;
      yield raws;
    },
  };
}

interface Rig {
  enricher: AlarmEnricher;
  writes: OutboxWrite[];
  logs: { level: string; fields: object; message: string }[];
  describeCalls: { region: string; namespace: string; metricName: string }[];
  audits: AuditEntry[];
}

function rig(options: {
  settings?: Partial<EnrichmentSettings>;
  describe?: (region: string) => MetricFilterLookup;
  source?: EventSource;
  incidents?: string[];
}): Rig {
  const writes: OutboxWrite[] = [];
  const logs: Rig['logs'] = [];
  const describeCalls: Rig['describeCalls'] = [];
  const audits: AuditEntry[] = [];
  const log =
    (level: string) =>
    (fields: object, message: string): void => {
      logs.push({ level, fields, message });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const incidents = new Map<string, Incident>(
    (options.incidents ?? []).map((key) => [
      key,
      {
        key,
        channel: CHANNEL,
        state: 'open',
        notifications: 1,
        lastChangeAt: NOW.toISOString(),
        rootTs: '1.000001',
        alert: JSON.stringify({ message: alarmMessage(key.slice(key.lastIndexOf(':') + 1)), subject: null }),
      } as unknown as Incident,
    ]),
  );
  const reader: MetricFilterReader | null =
    options.describe === undefined
      ? null
      : {
          describe: async (region, metric) => {
            describeCalls.push({ region, ...metric });
            return (options.describe as (region: string) => MetricFilterLookup)(region);
          },
        };
  const deps: EnrichAlarmDeps = {
    outbox: {
      incident: async (key) => incidents.get(key),
      enqueue: async (w) => {
        writes.push(...w);
        return w.map((_, i) => writes.length - w.length + i + 1);
      },
    },
    source: options.source ?? memorySource(records()),
    metricFilters: reader,
    settings: { ...DEFAULT_ENRICHMENT, ...options.settings },
    defaultRegions: null,
    clock: () => NOW,
    logger,
    gate: createGate(2),
    wake: () => undefined,
    audit: async (entry) => {
      audits.push(entry);
    },
  };
  return { enricher: createAlarmEnricher(deps), writes, logs, describeCalls, audits };
}

function alarmMessage(name: string, patch: Record<string, unknown> = {}): string {
  return JSON.stringify({
    AlarmName: name,
    AWSAccountId: '111122223333',
    NewStateValue: 'ALARM',
    OldStateValue: 'OK',
    NewStateReason: 'Threshold Crossed',
    StateChangeTime: STATE_CHANGE.toISOString().replace('Z', '+0000'),
    Region: 'EU (Ireland)',
    AlarmArn: arnOf(name),
    Trigger: {
      MetricName: SG.metricName,
      Namespace: SG.namespace,
      Statistic: 'SUM',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      Dimensions: [],
    },
    ...patch,
  });
}

let counter = 0;
function notification(message: string): SnsNotification {
  counter += 1;
  return {
    Type: 'Notification',
    MessageId: `m-${counter}`,
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
    Message: message,
    Timestamp: NOW.toISOString(),
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: '',
  };
}

async function fire(r: Rig, message: string): Promise<string> {
  r.enricher.afterAccepted(notification(message));
  await r.enricher.settled();
  return JSON.stringify(r.writes.map((w) => w.message));
}

const CIS10 = packRule('CloudWatch.10')?.pattern ?? '';
const found = (pattern: string, group = 'aws-cloudtrail-logs-111122223333-1'): MetricFilterLookup => ({
  kind: 'found',
  filters: [{ filterName: 'sg-filter', logGroupName: group, pattern, metrics: [SG] }],
});
const mapping = (m: Partial<FilterMapping>): FilterMapping => ({
  alarm: null,
  metric: null,
  pattern: '{ $.eventName = "CreateSecurityGroup" }',
  rule: null,
  ...m,
});

describe('which pattern: config alarm → config metric → DescribeMetricFilters → the CIS pack', () => {
  test('the metric filter: only matching events, as a reply in the incident thread', async () => {
    const r = rig({ incidents: [arnOf('sg')], describe: () => found(CIS10) });
    const posted = await fire(r, alarmMessage('sg'));
    expect(r.writes).toHaveLength(1);
    expect(r.writes[0]).toMatchObject({ kind: 'reply', channel: CHANNEL, incidentKey: arnOf('sg') });
    expect(posted).toContain('metric filter `sg-filter`');
    expect(posted).toContain('AuthorizeSecurityGroupIngress');
    expect(posted).toContain('8 events* by 1 actor');
    expect(posted).not.toContain('*DescribeSecurityGroups*');
    expect(posted).not.toContain('*RunInstances*');
    expect(r.describeCalls).toEqual([{ region: REGION, ...SG }]);
  });

  test('an entry for the alarm beats one for its metric, and DescribeMetricFilters is not asked', async () => {
    const r = rig({
      incidents: [arnOf('sg')],
      describe: () => found(CIS10),
      settings: {
        filters: [
          mapping({
            metric: 'CloudTrailMetrics/SecurityGroupEventCount',
            pattern: '{ $.eventName = "DeleteSecurityGroup" }',
          }),
          mapping({ alarm: 'sg' }),
        ],
      },
    });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain('mapped to this alarm in TRAILBOT_CONFIG');
    expect(posted).toContain('1 event* by 1 actor');
    expect(posted).toContain('*CreateSecurityGroup*');
    expect(r.describeCalls).toEqual([]);
  });

  test('an entry for the metric beats DescribeMetricFilters', async () => {
    const r = rig({
      incidents: [arnOf('sg')],
      describe: () => found(CIS10),
      settings: {
        filters: [mapping({ metric: 'SecurityGroupEventCount', pattern: '{ $.eventName = "DeleteSecurityGroup" }' })],
      },
    });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain('mapped to `SecurityGroupEventCount` in TRAILBOT_CONFIG');
    expect(posted).toContain('*DeleteSecurityGroup*');
    expect(posted).not.toContain('*CreateSecurityGroup*');
    expect(r.describeCalls).toEqual([]);
  });

  test('no filter emits the metric: assumed from the metric name (CIS CloudWatch.10)', async () => {
    const r = rig({ incidents: [arnOf('sg')], describe: () => ({ kind: 'found', filters: [] }) });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain('assumed from the metric name (CIS CloudWatch.10)');
    expect(posted).toContain('8 events* by 1 actor');
  });

  test('describeMetricFilters off: straight to the pack', async () => {
    const r = rig({ incidents: [arnOf('sg')] });
    expect(await fire(r, alarmMessage('sg'))).toContain('assumed from the metric name (CIS CloudWatch.10)');
  });

  test('a filter emits the metric but reads other logs: no assumption, one line naming the metric', async () => {
    const r = rig({ incidents: [arnOf('sg')], describe: () => found('ERROR', '/app/prod') });
    const posted = await fire(r, alarmMessage('sg'));
    expect(r.writes).toHaveLength(1);
    expect(posted).toContain('No metric filter found for `CloudTrailMetrics/SecurityGroupEventCount`');
    expect(posted).toContain('does not read CloudTrail');
  });

  test('denied: the CIS assumption, the line in the reply, and the log says it once per region', async () => {
    const r = rig({
      incidents: [arnOf('sg'), arnOf('sg2'), arnOf('sg3', 'us-west-2')],
      describe: (region) => ({ kind: 'denied', message: `DescribeMetricFilters was denied in ${region}: …` }),
    });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain(
      'DescribeMetricFilters was denied; add logs:DescribeMetricFilters or map the alarm in TRAILBOT_CONFIG',
    );
    expect(posted).toContain('assumed from the metric name (CIS CloudWatch.10)');
    await fire(r, alarmMessage('sg2', { AlarmArn: arnOf('sg2') }));
    await fire(r, alarmMessage('sg3', { AlarmArn: arnOf('sg3', 'us-west-2') }));
    expect(r.writes).toHaveLength(3);
    const denials = r.logs.filter(
      (l) => l.level === 'warn' && l.message.startsWith('DescribeMetricFilters was denied'),
    );
    expect(denials.map((l) => (l.fields as { region: string }).region)).toEqual([REGION, 'us-west-2']);
  });
});

describe('what is enriched', () => {
  test('OK and INSUFFICIENT_DATA: nothing', async () => {
    const r = rig({ incidents: [arnOf('sg')] });
    await fire(r, alarmMessage('sg', { NewStateValue: 'OK', OldStateValue: 'ALARM' }));
    await fire(r, alarmMessage('sg', { NewStateValue: 'INSUFFICIENT_DATA' }));
    expect(r.writes).toEqual([]);
  });

  test('a composite alarm: nothing said', async () => {
    const r = rig({ incidents: [arnOf('both')] });
    await fire(r, alarmMessage('both', { Trigger: undefined, AlarmRule: 'ALARM(a) AND ALARM(b)' }));
    expect(r.writes).toEqual([]);
  });

  test("an alarm on AWS's own metrics: nothing in Slack, a line in the log", async () => {
    const r = rig({ incidents: [arnOf('cpu')], describe: () => found(CIS10) });
    await fire(
      r,
      alarmMessage('cpu', {
        Trigger: { MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Period: 60, EvaluationPeriods: 3 },
      }),
    );
    expect(r.writes).toEqual([]);
    expect(r.describeCalls).toEqual([]);
    expect(r.logs.some((l) => l.level === 'info' && l.message.includes('no filter pattern'))).toBe(true);
  });

  test('a metric-math alarm: its metrics resolve one by one and are ORed', async () => {
    const r = rig({ incidents: [arnOf('math')] });
    const stat = (id: string, metricName: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'CloudTrailMetrics', MetricName: metricName, Dimensions: [] },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    const posted = await fire(
      r,
      alarmMessage('math', {
        Trigger: {
          Period: 300,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          Metrics: [
            { Id: 'e1', Expression: 'm1 + m2', ReturnData: true },
            stat('m1', 'SecurityGroupEventCount'),
            stat('m2', 'RootAccountUsageCount'),
          ],
        },
      }),
    );
    expect(posted).toContain(
      '`CloudTrailMetrics/SecurityGroupEventCount`: assumed from the metric name (CIS CloudWatch.10)',
    );
    expect(posted).toContain(
      '`CloudTrailMetrics/RootAccountUsageCount`: assumed from the metric name (CIS CloudWatch.1)',
    );
    expect(posted).toContain('8 events* by 1 actor');
  });

  test('an alarm with no incident (no channel) is skipped', async () => {
    const r = rig({ incidents: [] });
    await fire(r, alarmMessage('sg'));
    expect(r.writes).toEqual([]);
  });

  test('enrichment off: nothing', async () => {
    const r = rig({ incidents: [arnOf('sg')], settings: { enabled: false } });
    await fire(r, alarmMessage('sg'));
    expect(r.writes).toEqual([]);
  });
});

describe('failures and Investigate', () => {
  test('a failed lookup: one line in the thread and one in the log, never a stack', async () => {
    const error = new TrailbotError(
      'source_failed',
      'LookupEvents kept answering ThrottlingException in eu-west-1 (its quota, 2 requests/s per account and region, is shared with every other caller): ask again in a minute',
      'upstream',
    );
    const r = rig({ incidents: [arnOf('sg')], source: memorySource([], error) });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain('Could not look up events: LookupEvents kept answering ThrottlingException in eu-west-1');
    expect(posted).toContain('Press *Investigate* to try again.');
    expect(r.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'alarm enrichment: the event lookup failed',
    ]);
  });

  test('a bug in the source: the thread says an internal error, not its message or stack', async () => {
    const r = rig({ incidents: [arnOf('sg')], source: memorySource([], new TypeError('x is undefined')) });
    const posted = await fire(r, alarmMessage('sg'));
    expect(posted).toContain('Could not look up events:');
    expect(posted).not.toContain('    at ');
  });

  test('Investigate: the wider window, who pressed it, the same thread; audited', async () => {
    const r = rig({ incidents: [arnOf('sg')] });
    const posted = await fire(r, alarmMessage('sg'));
    const button = /"value":"((?:[^"\\]|\\.)*)"/.exec(posted)?.[1] ?? '';
    const value = decodeInvestigateValue(JSON.parse(`"${button}"`) as string);
    expect(value).toEqual({ k: arnOf('sg'), t: STATE_CHANGE.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    if (value === null) return;
    expect(await r.enricher.investigate({ value, userId: 'U0ONCALL', teamId: 'T0' })).toBe('posted');
    expect(r.writes).toHaveLength(2);
    expect(r.writes[1]).toMatchObject({ kind: 'reply', channel: CHANNEL, incidentKey: arnOf('sg') });
    const second = JSON.stringify(r.writes[1]?.message);
    expect(second).toContain('Investigated by <@U0ONCALL>');
    expect(second).toContain('24 hours before the alarm changed state');
    expect(r.audits).toEqual([
      expect.objectContaining({ surface: 'button', userId: 'U0ONCALL', outcome: 'answered', events: 8 }),
    ]);
  });

  test('Investigate on an incident the store does not hold: unknown, nothing posted', async () => {
    const r = rig({ incidents: [] });
    expect(await r.enricher.investigate({ value: { k: 'nope', t: null }, userId: 'U0', teamId: null })).toBe('unknown');
    expect(r.writes).toEqual([]);
  });

  test('drain: nothing new starts, what waits is dropped', async () => {
    const r = rig({ incidents: [arnOf('sg')] });
    r.enricher.afterAccepted(notification(alarmMessage('sg')));
    await r.enricher.drain(1000);
    r.enricher.afterAccepted(notification(alarmMessage('sg')));
    await r.enricher.settled();
    expect(r.writes).toEqual([]);
  });
});

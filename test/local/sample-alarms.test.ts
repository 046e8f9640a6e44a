/**
 * The bundled sample alarms (samples/alarms/): each parses with Trailbot's own alert parsing into an ALARM or a
 * CloudTrail event, and each CloudWatch one, sent through the real enrichment flow over the bundled sample trail,
 * finds the events that tripped it (the point of local mode's demo: a wrong StateChangeTime or metric name fails
 * here). The EventBridge one carries a record that is in the sample trail, verbatim. Plus the loader's refusals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { alarmMetrics, assumedPattern, DEFAULT_ENRICHMENT } from '../../src/core/alerts/alarm-filter.js';
import type { Alert, CloudWatchAlarm } from '../../src/core/alerts/alert.js';
import { evaluationWindow, timingOf } from '../../src/core/alerts/evaluation-window.js';
import { parseAlert } from '../../src/core/alerts/parse-alert.js';
import { createGate } from '../../src/core/gate.js';
import type { SnsNotification } from '../../src/core/sns/sns-message.js';
import { NO_FILTERS } from '../../src/core/trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import { createAlarmEnricher } from '../../src/flows/enrich-alarm.js';
import { loadSampleAlarms, type SampleAlarm } from '../../src/local/sample-alarms.js';
import { LOCAL_TOPIC_ARN } from '../../src/local/sns-signer.js';
import { openSource } from '../../src/outbound/event-sources/open-source.js';
import type { EventSource, Incident, Logger, OutboxWrite } from '../../src/ports.js';
import { scanSource } from '../helpers/scan-source.js';

const NOW = new Date('2026-03-02T10:30:00Z');
const MINUTE = 60_000;

let samples: SampleAlarm[];
let source: EventSource;

beforeAll(async () => {
  samples = await loadSampleAlarms();
  source = await openSource('samples');
});

const alertOf = (sample: SampleAlarm): Alert => parseAlert(sample.message, sample.subject ?? null);
const cloudWatch = (): { sample: SampleAlarm; alarm: CloudWatchAlarm }[] =>
  samples.flatMap((sample) => {
    const alert = alertOf(sample);
    return alert.kind === 'alarm' ? [{ sample, alarm: alert.alarm }] : [];
  });

interface Enrichment {
  /** What the flow logged it matched, or null when it posted no enrichment. */
  matched: number | null;
  writes: OutboxWrite[];
}

/** The real enrichment flow over the bundled samples, as local mode runs it (no DescribeMetricFilters, no regions). */
async function enrich(message: string, subject: string | null): Promise<Enrichment> {
  const writes: OutboxWrite[] = [];
  let matched: number | null = null;
  const log = (fields: object, text: string): void => {
    if (text === 'alarm enrichment posted') matched = (fields as { matched: number | null }).matched;
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const enricher = createAlarmEnricher({
    outbox: {
      incident: async (key) => ({ key, channel: 'C0LOCAL', state: 'open' }) as unknown as Incident,
      enqueue: async (w) => {
        writes.push(...w);
        return w.map((_, i) => i + 1);
      },
    },
    source,
    metricFilters: null,
    settings: DEFAULT_ENRICHMENT,
    defaultRegions: null,
    clock: () => NOW,
    logger,
    gate: createGate(1),
    wake: () => undefined,
  });
  const notification: SnsNotification = {
    Type: 'Notification',
    MessageId: `sample-${Math.random()}`,
    TopicArn: LOCAL_TOPIC_ARN,
    Message: message,
    ...(subject === null ? {} : { Subject: subject }),
    Timestamp: NOW.toISOString(),
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: '',
  };
  enricher.afterAccepted(notification);
  await enricher.settled();
  return { matched, writes };
}

/** Every raw record of the sample trail (no problem reported). */
async function allRecords(): Promise<Record<string, unknown>[]> {
  const scanned = await scanSource(source, { from: null, to: null });
  expect(scanned.problems).toEqual([]);
  return scanned.records;
}

describe('the bundled sample alarms', () => {
  test('4 or 5 of them, sorted by id, each with a title, a one-line description and a JSON Message', () => {
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(samples.length).toBeLessThanOrEqual(5);
    const ids = samples.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of samples) {
      expect(s.id).toMatch(/^[a-z0-9-]+$/);
      expect(s.title.length).toBeGreaterThan(0);
      expect(s.description).not.toMatch(/\n/);
      expect(typeof JSON.parse(s.message)).toBe('object');
    }
  });

  test('each parses with Trailbot’s alert parsing into an ALARM or a CloudTrail event, in the samples’ account', () => {
    for (const s of samples) {
      const alert = alertOf(s);
      if (alert.kind === 'alarm') {
        expect({ id: s.id, state: alert.alarm.state }).toEqual({ id: s.id, state: 'ALARM' });
        expect(alert.alarm.region).toBe('us-east-1');
        expect(alert.alarm.accountId).toBe('123837392027');
        expect(alert.alarm.trigger.kind).toBe('metric');
        expect(s.subject).toBe(`ALARM: "${alert.alarm.name}" in ${alert.alarm.regionName}`);
      } else {
        expect({ id: s.id, kind: alert.kind }).toEqual({ id: s.id, kind: 'cloudtrail' });
        if (alert.kind !== 'cloudtrail') continue;
        expect(alert.record.accountId).toBe('123837392027');
        expect(s.subject).toBeUndefined(); // EventBridge sets no Subject
      }
    }
    const kinds = samples.map((s) => alertOf(s).kind);
    expect(kinds.filter((k) => k === 'alarm').length).toBeGreaterThanOrEqual(4);
    expect(kinds).toContain('cloudtrail');
  });

  test('the CloudWatch ones are on CIS metrics: security groups, CloudTrail, IAM policies, sign-in without MFA', () => {
    const rules = cloudWatch().map(({ alarm }) => {
      const metrics = alarmMetrics(alarm) ?? [];
      expect(metrics).toHaveLength(1);
      expect(metrics[0]?.namespace).toBe('CloudTrailMetrics');
      const assumed = metrics[0] === undefined ? null : assumedPattern(metrics[0]);
      return assumed?.provenance.kind === 'assumed' ? assumed.provenance.rule : null;
    });
    expect([...rules].sort()).toEqual(['CloudWatch.10', 'CloudWatch.3', 'CloudWatch.4', 'CloudWatch.5']);
  });
});

describe('enrichment finds what tripped each CloudWatch sample alarm in the sample trail', () => {
  test('the real flow posts a reply in the alarm’s thread with at least one matching event', async () => {
    const found = cloudWatch();
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const { sample, alarm } of found) {
      const result = await enrich(sample.message, sample.subject ?? null);
      expect({ id: sample.id, matched: (result.matched ?? 0) >= 1 }).toEqual({ id: sample.id, matched: true });
      expect(result.writes).toHaveLength(1);
      expect(result.writes[0]).toMatchObject({ kind: 'reply', channel: 'C0LOCAL', incidentKey: alarm.arn });
    }
  });

  test('the matches are the alarm’s own account and region, inside the window, a minute or two before the alarm', async () => {
    for (const { sample, alarm } of cloudWatch()) {
      const window = evaluationWindow(timingOf(alarm), {
        now: NOW,
        deliveryDelayMs: DEFAULT_ENRICHMENT.deliveryDelayMs,
      });
      expect(window.assumed).toEqual({ period: false, evaluationPeriods: false, stateChangeTime: false });
      const metric = alarmMetrics(alarm)?.[0];
      const pattern = metric === undefined ? null : assumedPattern(metric);
      if (pattern === null) throw new Error(`${sample.id}: no CIS rule for its metric`);
      const answer = await answerQuery(
        { source, now: NOW },
        {
          text: `match ${pattern.pattern}`,
          verb: 'match',
          filters: { ...NO_FILTERS, pattern: pattern.pattern },
          window: { kind: 'range', from: window.from.toISOString(), to: window.to.toISOString() },
          regions: null,
          account: null,
          access: null,
          limit: null,
          public: false,
        },
        { events: Number.POSITIVE_INFINITY, defaultRegions: alarm.region === null ? null : [alarm.region] },
      );
      expect({ id: sample.id, matched: answer.matched >= 1 }).toEqual({ id: sample.id, matched: true });
      for (const event of answer.events) {
        expect(event.accountId).toBe(alarm.accountId);
        expect(event.region).toBe(alarm.region);
        const at = Date.parse(event.eventTime);
        expect(at).toBeGreaterThanOrEqual(window.from.getTime());
        expect(at).toBeLessThanOrEqual(window.to.getTime());
      }
      // The newest match came shortly before StateChangeTime, as a metric-filter alarm fires.
      const newest = Math.max(...answer.events.map((e) => Date.parse(e.eventTime)));
      const lag = window.anchor.getTime() - newest;
      expect({ id: sample.id, lagOk: lag > 0 && lag <= 5 * MINUTE }).toEqual({ id: sample.id, lagOk: true });
      // NewStateReason's datapoint is the count of matches in its period, up to StateChangeTime.
      const datapoint = /\[(\d+)\.0 \((\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):00\)\]/.exec(alarm.reason ?? '');
      if (datapoint === null) throw new Error(`${sample.id}: no datapoint in NewStateReason`);
      const [, value, day, month, year, hour, minute] = datapoint.map(Number) as number[];
      const start = Date.UTC(2000 + (year ?? 0), (month ?? 1) - 1, day, hour, minute);
      const end = Math.min(start + window.periodSeconds * 1000, window.anchor.getTime() + 1);
      const inPeriod = answer.events.filter((e) => Date.parse(e.eventTime) >= start && Date.parse(e.eventTime) < end);
      expect({ id: sample.id, datapoint: value }).toEqual({ id: sample.id, datapoint: inPeriod.length });
    }
  });

  test('the check can fail: a day later, or on a metric no CIS rule names, nothing is found', async () => {
    const first = cloudWatch()[0];
    if (first === undefined) throw new Error('no CloudWatch sample alarm');
    const message = JSON.parse(first.sample.message) as { StateChangeTime: string; Trigger: Record<string, unknown> };
    const later = new Date(Date.parse(message.StateChangeTime) + 24 * 60 * MINUTE).toISOString().replace('Z', '+0000');
    const shifted = await enrich(JSON.stringify({ ...message, StateChangeTime: later }), null);
    expect(shifted.matched).toBe(0);
    const renamed = await enrich(
      JSON.stringify({ ...message, Trigger: { ...message.Trigger, MetricName: 'SomethingElseCount' } }),
      null,
    );
    expect(renamed.matched).toBeNull();
  });
});

describe('the EventBridge sample', () => {
  test('wraps a record of the sample trail verbatim, in an envelope that agrees with it', async () => {
    const records = await allRecords();
    const eventBridge = samples.filter((s) => alertOf(s).kind === 'cloudtrail');
    expect(eventBridge.length).toBeGreaterThanOrEqual(1);
    for (const sample of eventBridge) {
      const envelope = JSON.parse(sample.message) as Record<string, unknown> & { detail: Record<string, unknown> };
      expect(envelope['detail-type']).toBe('AWS API Call via CloudTrail');
      const twin = records.find((r) => r.eventID === envelope.detail.eventID);
      expect(twin).toBeDefined();
      expect(envelope.detail).toEqual(twin);
      expect(envelope.account).toBe(twin?.recipientAccountId);
      expect(envelope.region).toBe(twin?.awsRegion);
      expect(envelope.time).toBe(twin?.eventTime);
      expect(envelope.source).toBe(`aws.${String(twin?.eventSource).split('.')[0]}`);
    }
  });
});

describe('the sample trail does not read the alarms', () => {
  test('scanning --source samples meets no file that is not trail data', async () => {
    const records = await allRecords(); // asserts no problem was reported
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => typeof r.eventName === 'string')).toBe(true);
  });
});

describe('loadSampleAlarms from a folder', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'trailbot-sample-alarms-'));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  const fresh = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(folder, 'case-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const good = (title: string) =>
    JSON.stringify({ title, description: 'one line', subject: 'ALARM: "x"', message: { AlarmName: title } });

  test('reads the .json files only, sorted by id, the message serialized', async () => {
    const dir = fresh({ 'b-alarm.json': good('B'), 'a.json': good('A'), 'a-b.json': good('AB'), 'notes.md': '# no' });
    const alarms = await loadSampleAlarms(dir);
    expect(alarms.map((a) => a.id)).toEqual(['a', 'a-b', 'b-alarm']);
    expect(alarms[0]).toEqual({
      id: 'a',
      title: 'A',
      description: 'one line',
      subject: 'ALARM: "x"',
      message: '{"AlarmName":"A"}',
    });
  });

  test.each([
    ['not JSON', '{ "title": '],
    ['no title', JSON.stringify({ description: 'd', message: {} })],
    ['a message that is a string', JSON.stringify({ title: 't', description: 'd', message: '{}' })],
    ['a description over two lines', JSON.stringify({ title: 't', description: 'a\nb', message: {} })],
    ['an unknown key', JSON.stringify({ title: 't', description: 'd', message: {}, Subject: 's' })],
  ])('a file with %s is an error naming the file', async (_, text) => {
    const dir = fresh({ 'fine.json': good('F'), 'broken-one.json': text });
    await expect(loadSampleAlarms(dir)).rejects.toThrow(/broken-one\.json/);
  });
});

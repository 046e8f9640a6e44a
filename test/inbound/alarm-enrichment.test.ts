/**
 * Alarm enrichment end to end on loopback: `trailbot serve` started from the environment with AWS credentials, so its
 * event source is LookupEvents (the loopback CloudTrail, through AWS_ENDPOINT_URL_CLOUDTRAIL, holding real
 * security-group changes from the invictus and stratus corpora moved into the alarm's window, and noise) and
 * DescribeMetricFilters goes to the loopback CloudWatch Logs (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS). A signed SNS alarm
 * for SecurityGroupEventCount posts its card, then the reply "Events matching this alarm's filter" in its thread;
 * Investigate posts a second reply over the wider window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/outbound/logger.js';
import { alertServerEnv } from '../helpers/alert-server-env.js';
import { findRecord, loadCorpus } from '../helpers/corpora.js';
import { SECURITY_GROUP_CHANGES } from '../helpers/event-names.js';
import { blockActionBody, postToApp } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { type CloudTrailServer, startCloudTrailServer } from '../loopback/cloudtrail-server.js';
import { type CloudWatchLogsServer, startCloudWatchLogsServer } from '../loopback/cloudwatch-logs-server.js';
import { type SlackServer, type StoredMessage, startSlackServer } from '../loopback/slack-server.js';
import { type SnsSigner, snsHeaders, startSnsSigner } from '../loopback/sns-signer.js';

const SECRET = 'enrichment-signing-secret-0123456789';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:trailbot-alerts';
const CHANNEL = 'C0ENRICH';
/** The alarm changed state a minute ago. */
const STATE_CHANGE = new Date(Date.now() - 60_000);

let slack: SlackServer;
let signer: SnsSigner;
let cloudtrail: CloudTrailServer;
let logs: CloudWatchLogsServer;
let server: RunningServer;
let dir: string;
let base: string;
const savedEnv = { ...process.env };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Real records for `region`: invictus' eight security-group changes (bert-jan from 192.168.10.20) moved to end two
 * minutes before the state change; its DescribeSecurityGroups calls (some from 10.8.8.10) in the same minutes, as
 * noise; and the stratus AuthorizeSecurityGroupIngress (christophe from 253.243.215.253) three hours earlier,
 * outside the evaluation window but inside Investigate's.
 */
function recordsFor(region: string): Record<string, unknown>[] {
  const invictus = loadCorpus('invictus').map((c) => c.record as Record<string, unknown>);
  const changes = invictus.filter((r) => SECURITY_GROUP_CHANGES.includes(String(r.eventName)));
  const noise = invictus.filter((r) => r.eventName === 'DescribeSecurityGroups');
  const newest = Math.max(...changes.map((r) => Date.parse(String(r.eventTime))));
  const shift = STATE_CHANGE.getTime() - 2 * 60_000 - newest;
  const moved = [...changes, ...noise].map((r) => ({
    ...r,
    awsRegion: region,
    eventID: `${region}-${String(r.eventID)}`,
    eventTime: iso(Date.parse(String(r.eventTime)) + shift),
  }));
  const early = findRecord('stratus', '9fd68588-ecbf-4528-a345-199fa6bb0821');
  return [
    ...moved,
    { ...early, awsRegion: region, eventID: `${region}-early`, eventTime: iso(STATE_CHANGE.getTime() - 3 * 3600_000) },
  ];
}

function alarmMessage(name: string, region: string, state: 'ALARM' | 'OK' = 'ALARM'): string {
  return JSON.stringify({
    AlarmName: name,
    AlarmDescription: 'CIS 4.10: a security group was changed',
    AWSAccountId: '111122223333',
    NewStateValue: state,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    NewStateReason:
      'Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (1.0)',
    StateChangeTime: STATE_CHANGE.toISOString().replace('Z', '+0000'),
    Region: region,
    AlarmArn: `arn:aws:cloudwatch:${region}:111122223333:alarm:${name}`,
    Trigger: {
      MetricName: 'SecurityGroupEventCount',
      Namespace: 'CloudTrailMetrics',
      StatisticType: 'Statistic',
      Statistic: 'SUM',
      Unit: null,
      Dimensions: [],
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    },
  });
}

let counter = 0;
async function publish(message: string, messageId?: string) {
  counter += 1;
  const body = signer.signSnsMessage(
    {
      Type: 'Notification',
      TopicArn: TOPIC,
      MessageId: messageId ?? `00000000-0000-4000-9000-${String(counter).padStart(12, '0')}`,
      Message: message,
      Timestamp: new Date().toISOString(),
    },
    { version: '2' },
  );
  return fetch(`${base}/sns`, { method: 'POST', headers: snsHeaders(body), body });
}

function cardOf(name: string): StoredMessage | undefined {
  return slack
    .messagesIn(CHANNEL)
    .find((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && JSON.stringify(m.blocks).includes(name));
}

const enrichments = (ts: string) =>
  slack
    .threadReplies(CHANNEL, ts)
    .filter((m) => JSON.stringify(m.blocks).includes("Events matching this alarm's filter"));

/** The listed events' lines: what the reply says about events, without the filter text or the notes. */
function eventText(message: StoredMessage | undefined): string {
  return JSON.stringify(message?.blocks ?? [])
    .split('\\n')
    .filter((line) => line.startsWith('• ') || line.startsWith('    '))
    .join('\n');
}

function investigateValue(message: StoredMessage | undefined): string {
  for (const block of (message?.blocks ?? []) as {
    type: string;
    elements?: { action_id?: string; value?: string }[];
  }[]) {
    for (const e of block.elements ?? []) if (e.action_id === 'alert_investigate') return e.value ?? '';
  }
  throw new Error('no Investigate button');
}

beforeAll(async () => {
  slack = await startSlackServer();
  signer = await startSnsSigner();
  cloudtrail = await startCloudTrailServer({
    records: { 'eu-west-1': recordsFor('eu-west-1'), 'ap-northeast-1': recordsFor('ap-northeast-1') },
  });
  const filter = (name: string, names: string[]) => ({
    filterName: name,
    logGroupName: 'aws-cloudtrail-logs-111122223333-2f3d',
    filterPattern: `{ ${names.map((n) => `($.eventName = ${n})`).join(' || ')} }`,
    metricTransformations: [
      { metricName: 'SecurityGroupEventCount', metricNamespace: 'CloudTrailMetrics', metricValue: '1' },
    ],
  });
  logs = await startCloudWatchLogsServer({
    // Two filters feed the metric, one page each: paging, and an OR of their patterns.
    pageSize: 1,
    denied: ['ap-northeast-1'],
    filters: {
      'eu-west-1': [
        filter('sg-rules', SECURITY_GROUP_CHANGES.slice(0, 4)),
        filter('sg-lifecycle', SECURITY_GROUP_CHANGES.slice(4)),
      ],
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'trailbot-enrichment-'));
  writeFileSync(join(dir, 'trailbot.yml'), 'enrichment:\n  deliveryDelayMinutes: 15\n');
  // The SDK reads its settings from the process environment (endpoints, credentials): only these.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  const aws = {
    AWS_ACCESS_KEY_ID: 'AKIALOOPBACKEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret-key-not-real',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudtrail.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
  };
  Object.assign(process.env, aws);
  server = await startServer(
    alertServerEnv({
      dir,
      slack,
      secret: SECRET,
      channel: CHANNEL,
      topic: TOPIC,
      extra: { ...aws, TRAILBOT_REGIONS: 'eu-west-1' },
    }),
    createLogger('silent'),
  );
  base = `http://127.0.0.1:${server.port}`;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await signer?.close();
  await slack?.close();
  await cloudtrail?.close();
  await logs?.close();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  rmSync(dir, { recursive: true, force: true });
});

describe('what tripped this alarm', () => {
  let ts = '';

  test('the card, then the matching events in its thread: their actor and IP, not the noise; EventName lookups', async () => {
    const lookupsBefore = cloudtrail.calls.length;
    const started = Date.now();
    const message = alarmMessage('SecurityGroupChanges-eu', 'eu-west-1');
    const res = await publish(message, '00000000-0000-4000-9000-0000000000e1');
    expect(res.status).toBe(200);
    // The 200 never waits for the lookup: six LookupEvents calls at 2 a second take longer than this.
    expect(Date.now() - started).toBeLessThan(2000);

    const card = await waitFor(() => cardOf('SecurityGroupChanges-eu'), 'the card');
    ts = card.ts;
    const [reply] = await waitFor(
      () => enrichments(ts).length === 1 && enrichments(ts),
      'the enrichment reply',
      20_000,
    );
    const all = JSON.stringify(reply?.blocks);
    const events = eventText(reply);

    expect(all).toContain('metric filter `sg-lifecycle`');
    expect(all).toContain('and 1 more filter for the same metric, ORed');
    expect(all).toContain('8 events* by 1 actor');
    expect(events).toContain('bert-jan');
    expect(events).toContain('192.168.10.20');
    for (const name of SECURITY_GROUP_CHANGES) expect(events).toContain(`*${name}*`);
    expect(events).toContain('tcp 22 from 0.0.0.0/0 (the internet)');
    // Not the noise (DescribeSecurityGroups, some from 10.8.8.10), and not the change three hours before.
    expect(all).not.toContain('*DescribeSecurityGroups*');
    expect(all).not.toContain('10.8.8.10');
    expect(all).not.toContain('christophe');
    expect(all).toContain('late ones may still arrive');

    // DescribeMetricFilters: by metric, both pages.
    expect(logs.calls.map((c) => [c.region, c.metricName, c.metricNamespace, c.nextToken, c.status])).toEqual([
      ['eu-west-1', 'SecurityGroupEventCount', 'CloudTrailMetrics', false, 200],
      ['eu-west-1', 'SecurityGroupEventCount', 'CloudTrailMetrics', true, 200],
    ]);
    // LookupEvents: one EventName lookup per name the pattern pins, never the whole window.
    const lookups = cloudtrail.calls.slice(lookupsBefore).filter((c) => c.outcome === 'ok');
    expect(lookups.every((c) => c.region === 'eu-west-1' && c.attribute?.key === 'EventName')).toBe(true);
    expect([...new Set(lookups.map((c) => c.attribute?.value))].sort()).toEqual([...SECURITY_GROUP_CHANGES].sort());
    // Within the evaluation window: 5 minutes and 15 of delivery delay before the state change, a minute after.
    for (const c of lookups) {
      expect(c.startTime?.getTime()).toBe(STATE_CHANGE.getTime() - 20 * 60_000 - (STATE_CHANGE.getTime() % 1000));
      expect(c.endTime?.getTime()).toBe(STATE_CHANGE.getTime() + 60_000 - (STATE_CHANGE.getTime() % 1000));
    }
  }, 30_000);

  test('SNS redelivers the same MessageId, and the alarm goes OK: no second enrichment', async () => {
    expect(
      (await publish(alarmMessage('SecurityGroupChanges-eu', 'eu-west-1'), '00000000-0000-4000-9000-0000000000e1'))
        .status,
    ).toBe(200);
    expect((await publish(alarmMessage('SecurityGroupChanges-eu', 'eu-west-1', 'OK'))).status).toBe(200);
    await waitFor(() => slack.threadReplies(CHANNEL, ts).some((m) => /ALARM → OK/.test(m.text)), 'the OK reply');
    await new Promise((r) => setTimeout(r, 2000));
    expect(enrichments(ts)).toHaveLength(1);
  }, 20_000);

  test('Investigate posts a second reply over the wider window, saying who pressed it', async () => {
    const [first] = enrichments(ts);
    const res = await postToApp(
      `${base}/slack/events`,
      blockActionBody({
        action_id: 'alert_investigate',
        value: investigateValue(first),
        response_url: slack.responseUrl({ channel: CHANNEL }),
        channel: CHANNEL,
        user: 'U0ONCALL',
        message_ts: first?.ts ?? '',
        thread_ts: ts,
        message: { text: 'enrichment' },
      }),
      { signingSecret: SECRET },
    );
    expect(res.status).toBe(200);
    const replies = await waitFor(() => enrichments(ts).length === 2 && enrichments(ts), 'the investigation', 20_000);
    const second = replies[1];
    const all = JSON.stringify(second?.blocks);
    const events = eventText(second);
    expect(all).toContain('Investigated by <@U0ONCALL>');
    expect(all).toContain('24 hours before the alarm changed state');
    expect(all).toContain('9 events* by 2 actors');
    expect(events).toContain('christophe');
    expect(events).toContain('253.243.215.253');
    expect(events).toContain('bert-jan');
    expect(all).not.toContain('10.8.8.10');
    // In the same thread, after the first reply.
    expect(second?.thread_ts).toBe(ts);
  }, 30_000);

  test('DescribeMetricFilters denied: the CIS pattern by the metric name, and one line saying what to grant', async () => {
    expect((await publish(alarmMessage('SecurityGroupChanges-tokyo', 'ap-northeast-1'))).status).toBe(200);
    const card = await waitFor(() => cardOf('SecurityGroupChanges-tokyo'), 'the Tokyo card');
    const [reply] = await waitFor(
      () => enrichments(card.ts).length === 1 && enrichments(card.ts),
      'the Tokyo enrichment',
      20_000,
    );
    const all = JSON.stringify(reply?.blocks);
    expect(all).toContain('assumed from the metric name (CIS CloudWatch.10)');
    expect(all).toContain(
      'DescribeMetricFilters was denied; add logs:DescribeMetricFilters or map the alarm in TRAILBOT_CONFIG',
    );
    expect(eventText(reply)).toContain('bert-jan');
    expect(all).not.toContain('*DescribeSecurityGroups*');
    expect(logs.calls.filter((c) => c.region === 'ap-northeast-1').map((c) => c.error)).toEqual([
      'AccessDeniedException',
    ]);
  }, 30_000);
});

/**
 * The LookupEvents source driving the real AWS SDK against the loopback CloudTrail (test/loopback), which enforces
 * AWS's limits. Pacing is checked through the server's throttle counts, never through timings.
 */
import { createServer } from 'node:net';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { COMMERCIAL_REGIONS } from '../../src/core/aws-regions.js';
import type { TrailQuery } from '../../src/core/trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import {
  classifyFailure,
  createLookupSource,
  type LookupSourceOptions,
  summarizeFailures,
} from '../../src/outbound/event-sources/lookup-source.js';
import { openSource } from '../../src/outbound/event-sources/open-source.js';
import { createTokenBucket } from '../../src/outbound/pacing/token-bucket.js';
import type { EventSource, ScanRequest } from '../../src/ports.js';
import { loadCorpus } from '../helpers/corpora.js';
import { aQuery } from '../helpers/records.js';
import { failureOf, placedCopies, type Rec, type Scanned, scanSource } from '../helpers/scan-source.js';
import {
  type CloudTrailServer,
  type CloudTrailServerOptions,
  startCloudTrailServer,
} from '../loopback/cloudtrail-server.js';

const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const NOW = new Date();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const REGIONS = ['eu-west-1', 'us-west-2', 'ap-northeast-1'];
/** A rate for tests where pacing is not what is tested: the calls still go through the buckets. */
const FAST = { ratePerSecond: 200, burst: 1 };

const corpus = loadCorpus('invictus').map((entry) => entry.record as Rec);

/** `n` corpus records (copies) placed in `region`, `stepMs` apart going back from `newest`, ids unique. */
function placed(region: string, n: number, newest: number = NOW.getTime() - HOUR, stepMs = 60_000): Rec[] {
  return placedCopies(corpus, n, { region, newest, stepMs, id: (i) => `${region}-${String(i).padStart(4, '0')}` });
}

const servers: CloudTrailServer[] = [];
const clients: CloudTrailClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: CloudTrailServerOptions): Promise<CloudTrailServer> {
  const s = await startCloudTrailServer(options);
  servers.push(s);
  return s;
}

function clientTo(url: string, region: string): CloudTrailClient {
  const client = new CloudTrailClient({ region, endpoint: url, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

function lookupSource(s: CloudTrailServer, options: Partial<LookupSourceOptions> = {}): EventSource {
  return createLookupSource({
    regions: ['eu-west-1'],
    clientFor: (region) => clientTo(s.url, region),
    backoff: { baseMs: 5, maxMs: 40 },
    ...FAST,
    ...options,
  });
}

const scan = (source: EventSource, request: Partial<Omit<ScanRequest, 'onProblem'>> = {}): Promise<Scanned> =>
  scanSource(source, { from: new Date(NOW.getTime() - 30 * DAY), to: NOW, ...request });

const sinceDays = (days: number): TrailQuery['window'] => ({ kind: 'since', ms: days * DAY, text: `${days}d` });
const ids = (records: readonly Rec[]): string[] => records.map((r) => String(r.eventID)).sort();

describe('reading LookupEvents', () => {
  test('pages through every region at once; the answer is every event, newest first, across 3 regions', async () => {
    const records = Object.fromEntries(REGIONS.map((r, i) => [r, placed(r, 120, NOW.getTime() - HOUR - i * 20_000)]));
    const s = await server({ records, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, { regions: REGIONS });

    const scanned = await scan(source);
    expect(scanned.problems).toEqual([]);
    expect(scanned.batches.sort((a, b) => a - b)).toEqual([20, 20, 20, 50, 50, 50, 50, 50, 50]);
    expect(ids(scanned.records)).toEqual(ids(Object.values(records).flat()));
    for (const region of REGIONS) {
      const calls = s.calls.filter((c) => c.region === region);
      expect(calls.map((c) => [c.nextToken, c.maxResults, c.outcome])).toEqual([
        [false, 50, 'ok'],
        [true, 50, 'ok'],
        [true, 50, 'ok'],
      ]);
    }

    const answer = await answerQuery({ source, now: NOW }, aQuery({ window: sinceDays(7) }), {
      events: Number.POSITIVE_INFINITY,
      defaultRegions: REGIONS,
    });
    expect(answer.complete).toBe(true);
    expect(answer.matched).toBe(360);
    const times = answer.events.map((e) => Date.parse(e.eventTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(answer.events.slice(0, 3).map((e) => e.region))).toEqual(new Set(REGIONS));
    expect(answer.source).toBe('lookup');
  });

  test('the window goes to LookupEvents as StartTime and EndTime', async () => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 10) }, ratePerSecond: 1000, burst: 1000 });
    const from = new Date(NOW.getTime() - 2 * DAY);
    await scan(lookupSource(s), { from, to: NOW });
    expect(s.calls[0]).toMatchObject({ startTime: from, endTime: NOW, attribute: null });
  });

  test.each<[string, Partial<TrailQuery>, { key: string; value: string } | null, string[]]>([
    [
      'who',
      { verb: 'who', filters: { ...aQuery().filters, resource: 'arn:aws:s3:::config-bucket-123837392027' } },
      { key: 'ResourceName', value: 'arn:aws:s3:::config-bucket-123837392027' },
      ['eu-west-1'],
    ],
    [
      'user (us-east-1 joins)',
      { verb: 'user', filters: { ...aQuery().filters, user: 'bert-jan' } },
      { key: 'Username', value: 'bert-jan' },
      ['eu-west-1', 'us-east-1'],
    ],
    [
      'event ConsoleLogin (us-east-1 joins)',
      { verb: 'event', filters: { ...aQuery().filters, eventName: 'ConsoleLogin' } },
      { key: 'EventName', value: 'ConsoleLogin' },
      ['eu-west-1', 'us-east-1'],
    ],
    [
      'id',
      { verb: 'id', filters: { ...aQuery().filters, eventId: 'eu-west-1-0003' } },
      { key: 'EventId', value: 'eu-west-1-0003' },
      ['eu-west-1'],
    ],
    ['ip: the whole window', { verb: 'ip', filters: { ...aQuery().filters, ip: '203.0.113.7' } }, null, ['eu-west-1']],
  ])('%s: the plan’s attribute is what the server saw', async (_, query, attribute, regions) => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 40) }, ratePerSecond: 1000, burst: 1000 });
    const scanned = await scan(lookupSource(s), { query: aQuery(query) });
    expect(s.calls.map((c) => c.attribute)).toEqual(regions.map(() => attribute));
    expect(s.calls.map((c) => c.region).sort()).toEqual([...regions].sort());
    expect(scanned.problems).toEqual([]);
  });

  test('the server filters by the attribute, the records come back whole', async () => {
    const data = placed('eu-west-1', 100);
    const s = await server({ records: { 'eu-west-1': data }, ratePerSecond: 1000, burst: 1000 });
    const scanned = await scan(lookupSource(s), {
      query: aQuery({ verb: 'user', filters: { ...aQuery().filters, user: 'bert-jan' } }),
      regions: ['eu-west-1'],
    });
    const expected = data.filter((r) => (r.userIdentity as Rec | undefined)?.userName === 'bert-jan');
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(scanned.records)).toEqual(ids(expected));
    expect(scanned.records[0]).toEqual(expected[0]);
  });

  test('request regions win; `in all` reads allRegions; none at all is a usage error naming the settings', async () => {
    const s = await server({ ratePerSecond: 1000, burst: 1000 });
    await scan(lookupSource(s, { regions: ['eu-west-1'] }), { regions: ['us-west-2'] });
    expect(s.calls.map((c) => c.region)).toEqual(['us-west-2']);

    const all = lookupSource(s, { regions: ['eu-west-1'], allRegions: ['sa-east-1', 'ca-central-1'] });
    await scan(all, { query: aQuery({ regions: 'all' }) });
    expect(
      s.calls
        .slice(1)
        .map((c) => c.region)
        .sort(),
    ).toEqual(['ca-central-1', 'sa-east-1']);

    const none = await failureOf(scan(lookupSource(s, { regions: [] })));
    expect(none).toMatchObject({ code: 'source_invalid', fault: 'user' });
    expect(none.message).toMatch(/TRAILBOT_REGIONS.*AWS_REGION.*--regions/);
  });
});

describe('pacing', () => {
  test('a burst of concurrent scans stays under the server’s quota: throttles ≤ 1 per 100 calls', async () => {
    // AWS's own quota and the source's pacing (2 requests/s, one bucket per region shared by every scan of the
    // source), over every commercial region as `in all` reads them, so ~150 calls take two seconds. A first question
    // sets up the 36 clients (the SDK's first call in a region is slow on a busy machine, and the loopback server
    // shares this process's event loop, so setup stalls would read as bursts); then two questions at once, two
    // pages each per region.
    const regions = COMMERCIAL_REGIONS;
    const records = Object.fromEntries(regions.map((r) => [r, placed(r, 60)]));
    const s = await server({ records });
    const source = lookupSource(s, { regions, ratePerSecond: 2, burst: 1 });
    await scan(source, { query: aQuery({ verb: 'id', filters: { ...aQuery().filters, eventId: 'warm-up' } }) });
    const warmUp = s.calls.length;

    const results = await Promise.all(Array.from({ length: 2 }, () => scan(source)));
    for (const r of results) {
      expect(r.problems).toEqual([]);
      expect(r.records).toHaveLength(60 * regions.length);
    }
    const calls = s.calls.slice(warmUp);
    const throttled = calls.filter((c) => c.outcome === 'throttled').length;
    expect(calls.length).toBeGreaterThanOrEqual(144);
    expect(throttled * 100).toBeLessThanOrEqual(calls.length);
  });

  test('without the bucket the same server throttles: the quota is real', async () => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 10) }, ratePerSecond: 10, burst: 2 });
    const source = lookupSource(s, { ratePerSecond: 10_000, burst: 10_000, backoff: { baseMs: 100, maxMs: 100 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => scan(source)));
    expect(results.every((r) => r.records.length === 10)).toBe(true);
    expect(s.calls.filter((c) => c.outcome === 'throttled').length).toBeGreaterThan(0);
  });

  test('a ThrottlingException is retried through the bucket and nothing is lost', async () => {
    const data = placed('eu-west-1', 120);
    const s = await server({ records: { 'eu-west-1': data }, ratePerSecond: 1000, burst: 1000 });
    s.throttleNext('eu-west-1', 3);
    const scanned = await scan(lookupSource(s));
    expect(scanned.problems).toEqual([]);
    expect(ids(scanned.records)).toEqual(ids(data));
    expect(s.calls.map((c) => c.outcome)).toEqual(['throttled', 'throttled', 'throttled', 'ok', 'ok', 'ok']);
  });

  test('throttled past the retries: the region is reported, with what to do', async () => {
    const s = await server({ ratePerSecond: 1000, burst: 1000 });
    s.throttleNext('eu-west-1', 10);
    const source = lookupSource(s, {
      regions: ['eu-west-1', 'us-west-2'],
      backoff: { baseMs: 1, maxMs: 2, retries: 2 },
    });
    const scanned = await scan(source);
    expect(scanned.problems).toEqual([
      {
        where: 'eu-west-1',
        message: expect.stringMatching(
          /^LookupEvents kept answering ThrottlingException in eu-west-1 .*ask again in a minute$/,
        ),
      },
    ]);
    expect(s.calls.filter((c) => c.region === 'eu-west-1')).toHaveLength(3);
  });
});

describe('the token bucket', () => {
  test('callers go through first come, first served; an aborted wait leaves the queue', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 200, burst: 1 });
    const order: number[] = [];
    const abort = new AbortController();
    const waits = [0, 1, 2, 3, 4].map((i) =>
      bucket.take(i === 2 ? abort.signal : undefined).then(
        () => order.push(i),
        (reason: unknown) => order.push(reason === 'gone' ? -i : 99),
      ),
    );
    expect(bucket.waiting).toBe(4);
    abort.abort('gone');
    expect(bucket.waiting).toBe(3);
    await Promise.all(waits);
    expect(order).toEqual([0, -2, 1, 3, 4]);
  });

  test('an already aborted signal is refused at once', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, burst: 1 });
    await expect(bucket.take(AbortSignal.abort('late'))).rejects.toBe('late');
    expect(bucket.waiting).toBe(0);
  });
});

describe('several lookup attributes: one series each', () => {
  test('a pattern pinning two event names reads each name, page by page, and nothing else', async () => {
    const records = placed('eu-west-1', 120).map((r, i) => ({
      ...r,
      eventName: i % 3 === 0 ? 'StopLogging' : i % 3 === 1 ? 'DeleteTrail' : 'DescribeInstances',
    }));
    const s = await server({ records: { 'eu-west-1': records }, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s);
    const query = aQuery({
      verb: 'match',
      filters: { pattern: '{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }' },
      regions: ['eu-west-1'],
      window: sinceDays(7),
    });
    const answer = await answerQuery({ source, now: NOW }, query, { events: 0, defaultRegions: null });
    expect(answer.matched).toBe(80);
    const attributes = s.calls.map((c) => `${c.attribute?.key}=${c.attribute?.value}${c.nextToken ? ' (next)' : ''}`);
    expect(attributes).toEqual(['EventName=DeleteTrail', 'EventName=StopLogging']);
  });

  test('the page budget holds per series, and its note names the series', async () => {
    const records = placed('eu-west-1', 130).map((r, i) => ({
      ...r,
      eventName: i < 110 ? 'StopLogging' : 'DeleteTrail',
    }));
    const s = await server({ records: { 'eu-west-1': records }, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, { pageBudget: 1 });
    const scanned = await scan(source, {
      attributes: [
        { key: 'EventName', value: 'DeleteTrail' },
        { key: 'EventName', value: 'StopLogging' },
      ],
    });
    expect(scanned.records).toHaveLength(20 + 50);
    expect(scanned.problems).toEqual([
      expect.objectContaining({
        where: 'eu-west-1',
        budgetSpent: true,
        message: expect.stringMatching(/^EventName StopLogging: stopped after 1 page /),
      }),
    ]);
  });
});

describe('partial answers', () => {
  test('past the page budget: stop, and say how to narrow', async () => {
    const s = await server({
      records: { 'eu-west-1': placed('eu-west-1', 150), 'us-west-2': placed('us-west-2', 30) },
      ratePerSecond: 1000,
      burst: 1000,
    });
    const source = lookupSource(s, { regions: ['eu-west-1', 'us-west-2'], pageBudget: 2 });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(130);
    expect(scanned.problems).toEqual([
      {
        where: 'eu-west-1',
        message: expect.stringMatching(
          /^stopped after 2 pages \(100 events, back to \d{4}-\d\d-\d\d \d\d:\d\d UTC\); narrow the query with since, from … to, who, user or event, or in eu-west-1$/,
        ),
        budgetSpent: true,
      },
    ]);
    expect(s.calls.filter((c) => c.region === 'eu-west-1')).toHaveLength(2);

    const answer = await answerQuery({ source, now: NOW }, aQuery({ window: sinceDays(7) }), {
      events: 0,
      defaultRegions: ['eu-west-1', 'us-west-2'],
    });
    expect(answer.complete).toBe(false);
    expect(answer.notes).toEqual([expect.stringMatching(/^eu-west-1: stopped after 2 pages \(100 events/)]);
  });

  test('a budget met exactly by the last page is a complete answer', async () => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 100) }, ratePerSecond: 1000, burst: 1000 });
    const scanned = await scan(lookupSource(s, { pageBudget: 2 }));
    expect(scanned.records).toHaveLength(100);
    expect(scanned.problems).toEqual([]);
  });

  test('older than 90 days: clipped, with a plain note; the server is asked from the 90-day mark', async () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 5, now.getTime() - HOUR) }, now: () => now });
    const scanned = await scan(lookupSource(s, { now: () => now }), {
      from: new Date('2026-06-01T00:00:00Z'),
      to: now,
    });
    expect(scanned.records).toHaveLength(5);
    expect(scanned.problems).toEqual([
      {
        where: 'lookup',
        message: 'LookupEvents reaches back 90 days; the window was clipped to start 2026-08-23 12:00 UTC',
      },
    ]);
    expect(s.calls[0]?.startTime).toEqual(new Date('2026-08-23T12:00:00Z'));
  });

  test('a window wholly older than 90 days: no calls, a note that says where older events are', async () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const s = await server({ now: () => now });
    const scanned = await scan(lookupSource(s, { now: () => now }), {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-02-01T00:00:00Z'),
    });
    expect(s.calls).toHaveLength(0);
    expect(scanned.problems).toEqual([
      {
        where: 'lookup',
        message: expect.stringMatching(/^LookupEvents reaches back 90 days, to 2026-08-23 12:00 UTC.*files/),
      },
    ]);
  });

  test('a CloudTrailEvent that is not JSON is skipped with a note; the rest of the page is kept', async () => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 5) }, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, {
      clientFor: (region) => {
        const client = clientTo(s.url, region);
        client.middlewareStack.add(
          (next) => async (args) => {
            const result = await next(args);
            const events = (result.output as { Events?: { CloudTrailEvent?: string }[] }).Events ?? [];
            if (events[1] !== undefined) events[1].CloudTrailEvent = '{"eventID": "cut off';
            if (events[2] !== undefined) delete events[2].CloudTrailEvent;
            return result;
          },
          { step: 'initialize', name: 'corruptTwoEvents' },
        );
        return client;
      },
    });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(3);
    expect(scanned.problems).toEqual([
      { where: 'eu-west-1', message: 'skipped 2 events whose CloudTrailEvent was not a JSON record' },
    ]);
  });

  test('a consumer that stops early ends the scan; no further calls are made', async () => {
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 500) }, ratePerSecond: 20, burst: 1 });
    const source = lookupSource(s, { ratePerSecond: 20 });
    const request: ScanRequest = { query: aQuery(), from: null, to: null, regions: null, onProblem: () => {} };
    for await (const batch of source.scan(request)) {
      expect(batch).toHaveLength(50);
      break;
    }
    const calls = s.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(s.calls.length).toBeLessThanOrEqual(calls + 1);
  });
});

describe('failures: one line naming what to fix', () => {
  const DENIED =
    'cloudtrail:LookupEvents is not allowed for arn:aws:iam::123456789012:user/x in ap-northeast-1: grant it (see iam-policy.json)';

  test('AccessDenied in one region of three: the other two answer, the failure is reported', async () => {
    const records = Object.fromEntries(REGIONS.map((r) => [r, placed(r, 10)]));
    const s = await server({ records, denied: ['ap-northeast-1'], ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, { regions: REGIONS });
    const scanned = await scan(source);
    expect(ids(scanned.records)).toEqual(ids([...(records['eu-west-1'] ?? []), ...(records['us-west-2'] ?? [])]));
    expect(scanned.problems).toEqual([{ where: 'ap-northeast-1', message: DENIED }]);

    const answer = await answerQuery({ source, now: NOW }, aQuery({ window: sinceDays(7) }), {
      events: 0,
      defaultRegions: REGIONS,
    });
    expect(answer).toMatchObject({ complete: false, matched: 20, notes: [`ap-northeast-1: ${DENIED}`] });
  });

  test('every region denied: a TrailbotError (upstream) with one line naming the action, principal and regions', async () => {
    const s = await server({ denied: REGIONS, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, { regions: REGIONS });
    const error = await failureOf(scan(source));
    expect(error).toMatchObject({ code: 'source_failed', fault: 'upstream' });
    expect(error.message).toBe(
      'cloudtrail:LookupEvents is not allowed for arn:aws:iam::123456789012:user/x in eu-west-1, us-west-2, ap-northeast-1: grant it (see iam-policy.json)',
    );
    expect(error.message).not.toMatch(/\n/);
  });

  test('missing credentials: the message says where credentials come from', async () => {
    const s = await server({ ratePerSecond: 1000, burst: 1000 });
    const noCredentials = async () => {
      // What the SDK's default chain throws when it finds nothing (see the env test below for the real chain).
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    const source = lookupSource(s, {
      regions: REGIONS,
      clientFor: (region) => {
        const client = new CloudTrailClient({ region, endpoint: s.url, credentials: noCredentials, maxAttempts: 1 });
        clients.push(client);
        return client;
      },
    });
    const error = await failureOf(scan(source));
    expect(error).toMatchObject({ code: 'source_failed', fault: 'upstream' });
    expect(error.message).toBe(
      'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached',
    );
    expect(s.calls).toHaveLength(0);
  });

  test('an expired session in one region of two', async () => {
    const s = await server({ expired: ['us-west-2'], ratePerSecond: 1000, burst: 1000 });
    const scanned = await scan(lookupSource(s, { regions: ['eu-west-1', 'us-west-2'] }));
    expect(scanned.problems).toEqual([
      {
        where: 'us-west-2',
        message:
          'the AWS session has expired: refresh it (aws sso login, or fresh temporary credentials) and ask again',
      },
    ]);
  });

  test('an opt-in region not enabled: named with the settings; quiet under `in all`', async () => {
    const s = await server({ notEnabled: ['af-south-1'], ratePerSecond: 1000, burst: 1000 });
    const named = await scan(lookupSource(s, { regions: ['eu-west-1', 'af-south-1'] }));
    expect(named.problems).toEqual([
      {
        where: 'af-south-1',
        message:
          'af-south-1: opt-in region not enabled for this account (the credentials are not recognized there): enable it, or leave af-south-1 out of TRAILBOT_REGIONS, --regions or `in`',
      },
    ]);
    const all = await scan(lookupSource(s, { allRegions: ['eu-west-1', 'af-south-1'] }), {
      query: aQuery({ regions: 'all' }),
    });
    expect(all.problems).toEqual([]);
  });

  test('an endpoint that refuses connections: the region is named with what to check', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const s = await server({ records: { 'eu-west-1': placed('eu-west-1', 3) }, ratePerSecond: 1000, burst: 1000 });
    const source = lookupSource(s, {
      regions: ['eu-west-1', 'us-west-2'],
      clientFor: (region) => clientTo(region === 'us-west-2' ? `http://127.0.0.1:${closedPort}` : s.url, region),
    });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(3);
    expect(scanned.problems).toEqual([
      {
        where: 'us-west-2',
        message:
          'cannot reach CloudTrail in us-west-2 (ECONNREFUSED): check the network, the proxy or AWS_ENDPOINT_URL_CLOUDTRAIL',
      },
    ]);
  });

  test.each<[string, unknown, string, string]>([
    [
      'unknown region, DNS failure',
      Object.assign(new Error('getaddrinfo ENOTFOUND cloudtrail.us-esat-1.amazonaws.com'), {
        code: 'ENOTFOUND',
        hostname: 'cloudtrail.us-esat-1.amazonaws.com',
      }),
      'us-esat-1',
      '"us-esat-1" is not an AWS region: fix TRAILBOT_REGIONS, --regions or `in`',
    ],
    [
      'known region, DNS failure',
      Object.assign(new Error('getaddrinfo EAI_AGAIN cloudtrail.eu-west-1.amazonaws.com'), {
        code: 'EAI_AGAIN',
        hostname: 'cloudtrail.eu-west-1.amazonaws.com',
      }),
      'eu-west-1',
      'cannot resolve the CloudTrail endpoint for eu-west-1 (cloudtrail.eu-west-1.amazonaws.com): check DNS and network access, AWS_ENDPOINT_URL_CLOUDTRAIL, or TRAILBOT_REGIONS, --regions or `in`',
    ],
    [
      'a network error the SDK flattened into text',
      new Error('AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND cloudtrail.eu-west-1.amazonaws.com'),
      'eu-west-1',
      'cannot resolve the CloudTrail endpoint for eu-west-1 (cloudtrail.eu-west-1.amazonaws.com): check DNS and network access, AWS_ENDPOINT_URL_CLOUDTRAIL, or TRAILBOT_REGIONS, --regions or `in`',
    ],
    [
      'region rejected by the SDK',
      new Error('Region not accepted: region="eu west" is not a valid hostname component.'),
      'eu west',
      '"eu west" is not an AWS region: fix TRAILBOT_REGIONS, --regions or `in`',
    ],
    [
      'UnrecognizedClientException in a default region',
      { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
      'eu-west-1',
      'the AWS access key is not recognized in eu-west-1: check AWS_ACCESS_KEY_ID or the profile, or leave eu-west-1 out of TRAILBOT_REGIONS, --regions or `in` if it is not enabled',
    ],
    [
      'UnauthorizedOperation without a principal',
      { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' },
      'eu-west-1',
      'cloudtrail:LookupEvents is not allowed in eu-west-1: grant it (see iam-policy.json)',
    ],
    [
      'an explicit deny in an SCP',
      {
        name: 'AccessDeniedException',
        message:
          'User: arn:aws:sts::123456789012:assumed-role/Trailbot/s is not authorized to perform: cloudtrail:LookupEvents with an explicit deny in a service control policy',
      },
      'eu-west-1',
      'cloudtrail:LookupEvents is denied for arn:aws:sts::123456789012:assumed-role/Trailbot/s in eu-west-1 by an explicit deny in a service control policy: lift that deny (an Allow, as in iam-policy.json, cannot override it)',
    ],
    [
      'an expired SSO session, from the credential chain',
      {
        name: 'CredentialsProviderError',
        message: 'The SSO session associated with this profile has expired or is otherwise invalid.',
      },
      'eu-west-1',
      'the AWS session has expired: refresh it (aws sso login, or fresh temporary credentials) and ask again',
    ],
    [
      'a wrong secret key',
      { name: 'InvalidSignatureException', message: 'The request signature we calculated does not match…' },
      'eu-west-1',
      'the AWS secret key does not match the access key: check AWS_SECRET_ACCESS_KEY or the profile’s credentials',
    ],
    [
      'a skewed clock',
      { name: 'InvalidSignatureException', message: 'Signature expired: 20260101T000000Z is now earlier than …' },
      'eu-west-1',
      'AWS rejected the request as signed at the wrong time: set this machine’s clock right (NTP) and ask again',
    ],
    [
      'anything else: named, on one line',
      { name: 'InternalFailure', message: 'We encountered\nan internal error.', $fault: 'server' },
      'eu-west-1',
      'LookupEvents failed in eu-west-1: InternalFailure: We encountered an internal error.',
    ],
  ])('%s', (_, error, region, message) => {
    expect(classifyFailure(error, region).describe(region)).toBe(message);
  });

  test('failures alike read once, regions listed; unlike ones are joined', () => {
    const denied = (region: string) => ({
      region,
      failure: classifyFailure(
        { name: 'AccessDeniedException', message: 'User: arn:aws:iam::1:user/x is not authorized' },
        region,
      ),
    });
    expect(summarizeFailures([denied('eu-west-1'), denied('us-east-1')])).toBe(
      'cloudtrail:LookupEvents is not allowed for arn:aws:iam::1:user/x in eu-west-1, us-east-1: grant it (see iam-policy.json)',
    );
    const expired = { region: 'us-west-2', failure: classifyFailure({ name: 'ExpiredTokenException' }, 'us-west-2') };
    expect(summarizeFailures([denied('eu-west-1'), expired])).toMatch(
      /^no region answered: cloudtrail:LookupEvents is not allowed .* in eu-west-1: .*; the AWS session has expired/,
    );
  });
});

describe('wired as the CLI wires it: openSource, the SDK’s own settings from the environment', () => {
  const saved = { ...process.env };
  let s: CloudTrailServer;
  beforeAll(async () => {
    s = await startCloudTrailServer({
      records: { 'eu-west-1': placed('eu-west-1', 60) },
      ratePerSecond: 1000,
      burst: 1000,
    });
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  /** An environment with only what the test sets: no profile, no credential files, no instance metadata. */
  function isolate(env: Record<string, string>): void {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: '/nonexistent/trailbot-test/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trailbot-test/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_CLOUDTRAIL: s.url,
      ...env,
    });
  }

  test('--source lookup reaches the endpoint in AWS_ENDPOINT_URL_CLOUDTRAIL with the environment’s credentials', async () => {
    isolate({ AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
    const source = await openSource('lookup', { regions: ['eu-west-1'] });
    expect(source).toMatchObject({ kind: 'live', label: 'lookup' });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(60);
    expect(scanned.problems).toEqual([]);
  });

  test('no credentials anywhere: the real credential chain’s failure becomes the credentials line', async () => {
    isolate({});
    const source = await openSource('lookup', { regions: ['eu-west-1', 'us-west-2'] });
    const error = await failureOf(scan(source));
    expect(error.message).toBe(
      'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached',
    );
  });

  test('openSource lookup: no region, or one that is not a region code, is a usage error', async () => {
    await expect(openSource('lookup')).rejects.toMatchObject({ code: 'source_invalid', fault: 'user' });
    await expect(openSource('lookup', { regions: [' '] })).rejects.toThrow(/--regions/);
    await expect(openSource('lookup', { regions: ['tokyo'] })).rejects.toThrow(/"tokyo" is not a region code/);
  });
});

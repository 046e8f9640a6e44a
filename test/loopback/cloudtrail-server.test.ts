/** The loopback CloudTrail answers the real SDK as LookupEvents does, and refuses what AWS would refuse. */
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadCorpus } from '../helpers/corpora.js';
import { type CloudTrailServer, type CloudTrailServerOptions, startCloudTrailServer } from './cloudtrail-server.js';

type Rec = Record<string, unknown>;

const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const NOW = Date.now();
const HOUR = 3600_000;

const corpus = loadCorpus('invictus').map((entry) => entry.record as Rec);

/** `n` corpus records placed in `region`, one a minute going back from `newest`. */
function placed(region: string, n: number, newest: number = NOW - HOUR): Rec[] {
  return Array.from({ length: n }, (_, i) => {
    const source = corpus[i % corpus.length] as Rec;
    return {
      ...source,
      eventID: `${region}-${String(i).padStart(4, '0')}`,
      awsRegion: region,
      eventTime: new Date(newest - i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  });
}

async function withServer(
  options: CloudTrailServerOptions,
  body: (server: CloudTrailServer, client: (region: string) => CloudTrailClient) => Promise<void>,
): Promise<void> {
  const server = await startCloudTrailServer(options);
  const clients: CloudTrailClient[] = [];
  try {
    await body(server, (region) => {
      const c = new CloudTrailClient({ region, endpoint: server.url, credentials, maxAttempts: 1 });
      clients.push(c);
      return c;
    });
  } finally {
    for (const c of clients) c.destroy();
    await server.close();
  }
}

function lookup(client: CloudTrailClient, input: LookupEventsCommandInput = {}): Promise<LookupEventsCommandOutput> {
  return client.send(new LookupEventsCommand(input));
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected a rejection');
}

describe('LookupEvents on loopback, through the real SDK', () => {
  const fast = { ratePerSecond: 1000, burst: 1000 };
  const euRecords = placed('eu-west-1', 120);

  let server: CloudTrailServer;
  let client: CloudTrailClient;
  beforeAll(async () => {
    server = await startCloudTrailServer({
      ...fast,
      records: { 'eu-west-1': euRecords, 'us-east-1': placed('us-east-1', 3) },
    });
    client = new CloudTrailClient({ region: 'eu-west-1', endpoint: server.url, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  test('pages of 50, newest first, with a NextToken until the last page', async () => {
    const first = await lookup(client, { MaxResults: 50 });
    const second = await lookup(client, { MaxResults: 50, NextToken: first.NextToken as string });
    const third = await lookup(client, { MaxResults: 50, NextToken: second.NextToken as string });
    expect([first, second, third].map((p) => p.Events?.length)).toEqual([50, 50, 20]);
    expect(third.NextToken).toBeUndefined();
    const events = [first, second, third].flatMap((p) => p.Events ?? []);
    const times = events.map((e) => (e.EventTime as Date).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(events.map((e) => e.EventId)).toEqual(euRecords.map((r) => r.eventID));
    expect(server.calls.slice(-3).map((c) => [c.region, c.nextToken, c.outcome])).toEqual([
      ['eu-west-1', false, 'ok'],
      ['eu-west-1', true, 'ok'],
      ['eu-west-1', true, 'ok'],
    ]);
  });

  test('MaxResults defaults to 50; more is refused with InvalidMaxResultsException', async () => {
    expect((await lookup(client)).Events).toHaveLength(50);
    expect(await rejection(lookup(client, { MaxResults: 51 }))).toMatchObject({
      name: 'InvalidMaxResultsException',
      status: 400,
    });
  });

  test('the Event shape: strings, a Date for EventTime, the record as JSON text', async () => {
    const page = await lookup(client, { MaxResults: 1 });
    const event = page.Events?.[0];
    const record = euRecords[0] as Rec;
    expect(event?.EventTime).toBeInstanceOf(Date);
    expect(event?.EventTime?.toISOString().replace('.000', '')).toBe(record.eventTime);
    expect(event?.EventId).toBe(record.eventID);
    expect(event?.EventName).toBe(record.eventName);
    expect(event?.EventSource).toBe(record.eventSource);
    if (typeof record.readOnly === 'boolean') expect(event?.ReadOnly).toBe(String(record.readOnly));
    expect(JSON.parse(event?.CloudTrailEvent as string)).toEqual(record);
  });

  test('one lookup attribute filters; two are refused with InvalidLookupAttributesException', async () => {
    const name = String(euRecords[5]?.eventName);
    const page = await lookup(client, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] });
    const expected = euRecords.filter((r) => r.eventName === name).slice(0, 50);
    expect(page.Events?.map((e) => e.EventId)).toEqual(expected.map((r) => r.eventID));
    expect(server.calls.at(-1)?.attribute).toEqual({ key: 'EventName', value: name });

    const byId = await lookup(client, {
      LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: 'eu-west-1-0007' }],
    });
    expect(byId.Events?.map((e) => e.EventId)).toEqual(['eu-west-1-0007']);

    expect(
      await rejection(
        lookup(client, {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: name },
            { AttributeKey: 'Username', AttributeValue: 'alice' },
          ],
        }),
      ),
    ).toMatchObject({ name: 'InvalidLookupAttributesException', status: 400 });
  });

  test('StartTime and EndTime bound the events, inclusive; reversed, they are refused', async () => {
    const newest = Date.parse(String(euRecords[10]?.eventTime));
    const oldest = Date.parse(String(euRecords[19]?.eventTime));
    const page = await lookup(client, { StartTime: new Date(oldest), EndTime: new Date(newest) });
    expect(page.Events?.map((e) => e.EventId)).toEqual(euRecords.slice(10, 20).map((r) => r.eventID));
    expect(await rejection(lookup(client, { StartTime: new Date(newest), EndTime: new Date(oldest) }))).toMatchObject({
      name: 'InvalidTimeRangeException',
    });
  });

  test('a NextToken is good only with the parameters that produced it', async () => {
    const first = await lookup(client, { MaxResults: 10 });
    const token = first.NextToken as string;
    expect(await rejection(lookup(client, { MaxResults: 10, NextToken: token, StartTime: new Date(0) }))).toMatchObject(
      { name: 'InvalidNextTokenException' },
    );
    expect(await rejection(lookup(client, { MaxResults: 20, NextToken: token }))).toMatchObject({
      name: 'InvalidNextTokenException',
    });
    expect(await rejection(lookup(client, { MaxResults: 10, NextToken: 'made-up' }))).toMatchObject({
      name: 'InvalidNextTokenException',
    });
    const usEast = new CloudTrailClient({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 });
    expect(await rejection(lookup(usEast, { MaxResults: 10, NextToken: token }))).toMatchObject({
      name: 'InvalidNextTokenException',
    });
    usEast.destroy();
    expect((await lookup(client, { MaxResults: 10, NextToken: token })).Events?.[0]?.EventId).toBe('eu-west-1-0010');
  });

  test('the region is the signature scope’s: each region has its own history', async () => {
    const usEast = new CloudTrailClient({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 });
    const page = await lookup(usEast);
    usEast.destroy();
    expect(page.Events?.map((e) => e.EventId)).toEqual(['us-east-1-0000', 'us-east-1-0001', 'us-east-1-0002']);
    expect(server.calls.at(-1)?.region).toBe('us-east-1');
  });

  test('the AWS CLI’s full X-Amz-Target is served; other operations, unsigned calls and other content types are not', async () => {
    const call = (headers: Record<string, string>, body = '{"MaxResults":2}') =>
      fetch(server.url, { method: 'POST', headers, body }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    const signed = {
      'content-type': 'application/x-amz-json-1.1',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDLOOPBACKEXAMPLE/20260101/eu-west-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=00',
    };
    const cli = await call({
      ...signed,
      'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
    });
    expect(cli.status).toBe(200);
    expect((cli.body as { Events: unknown[] }).Events).toHaveLength(2);
    expect((cli.body as { Events: { EventTime: unknown }[] }).Events[0]?.EventTime).toEqual(expect.any(Number));

    expect(await call({ ...signed, 'x-amz-target': 'CloudTrail_20131101.DescribeTrails' })).toMatchObject({
      status: 400,
      body: { __type: 'UnknownOperationException' },
    });
    expect(
      await call({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }),
    ).toMatchObject({ status: 400, body: { __type: 'MissingAuthenticationTokenException' } });
    expect(
      await call({ ...signed, 'content-type': 'application/json', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }),
    ).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });
});

describe('limits and failures', () => {
  test('2 requests/s per region: a burst of 5 gets 2 answers and 3 ThrottlingExceptions (HTTP 400); other regions are not affected', async () => {
    await withServer({ records: { 'eu-west-1': placed('eu-west-1', 3) } }, async (server, client) => {
      const eu = client('eu-west-1');
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => lookup(eu)));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      expect(rejected).toHaveLength(3);
      for (const r of rejected) {
        expect((r.reason as Error).name).toBe('ThrottlingException');
        expect((r.reason as Error).message).toBe('Rate exceeded');
        expect((r.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
      }
      expect(server.calls.filter((c) => c.outcome === 'throttled')).toHaveLength(3);
      await expect(lookup(client('us-west-2'))).resolves.toMatchObject({ Events: [] });
    });
  });

  test('throttleNext forces throttles in one region', async () => {
    await withServer({ ratePerSecond: 1000, burst: 1000 }, async (server, client) => {
      server.throttleNext('eu-west-1', 2);
      const eu = client('eu-west-1');
      expect((await rejection(lookup(eu))).name).toBe('ThrottlingException');
      expect((await rejection(lookup(eu))).name).toBe('ThrottlingException');
      await expect(lookup(eu)).resolves.toMatchObject({ Events: [] });
      expect(server.calls.map((c) => c.outcome)).toEqual(['throttled', 'throttled', 'ok']);
    });
  });

  test('AccessDenied, an expired session, a region not enabled: per region, in AWS’s words', async () => {
    await withServer(
      { denied: ['eu-west-1'], expired: ['us-west-2'], notEnabled: ['af-south-1'], ratePerSecond: 1000, burst: 1000 },
      async (server, client) => {
        expect(await rejection(lookup(client('eu-west-1')))).toEqual({
          name: 'AccessDeniedException',
          message: expect.stringContaining(
            'User: arn:aws:iam::123456789012:user/x is not authorized to perform: cloudtrail:LookupEvents',
          ),
          status: 400,
        });
        expect((await rejection(lookup(client('us-west-2')))).name).toBe('ExpiredTokenException');
        expect((await rejection(lookup(client('af-south-1')))).name).toBe('UnrecognizedClientException');
        await expect(lookup(client('us-east-1'))).resolves.toMatchObject({ Events: [] });
        expect(server.calls.map((c) => c.outcome)).toEqual(['denied', 'expired', 'not_enabled', 'ok']);
      },
    );
  });

  test('90 days of history: older records are not served', async () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const recent = placed('eu-west-1', 2, now.getTime() - HOUR);
    const old = placed('eu-west-1', 2, now.getTime() - 91 * 24 * HOUR).map((r, i) => ({ ...r, eventID: `old-${i}` }));
    await withServer({ records: { 'eu-west-1': [...recent, ...old] }, now: () => now }, async (_, client) => {
      const page = await lookup(client('eu-west-1'), { StartTime: new Date(0) });
      expect(page.Events?.map((e) => e.EventId)).toEqual(recent.map((r) => r.eventID));
    });
  });
});

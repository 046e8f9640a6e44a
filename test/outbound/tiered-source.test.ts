/**
 * LookupEvents and Athena side by side (TRAILBOT_CONFIG `athena`): the real SDK against the loopback CloudTrail and
 * the loopback Athena, each holding the same real records; which one a question reaches is read from their calls.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { SELECTED_COLUMNS } from '../../src/core/athena/athena-sql.js';
import { parseTrailQuery } from '../../src/core/query/parse-trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import { createAthenaSource } from '../../src/outbound/event-sources/athena-source.js';
import { createLookupSource } from '../../src/outbound/event-sources/lookup-source.js';
import { createTieredSource } from '../../src/outbound/event-sources/tiered-source.js';
import type { EventSource } from '../../src/ports.js';
import { loadCorpus } from '../helpers/corpora.js';
import { type AthenaServer, athenaRowsOf, startAthenaServer } from '../loopback/athena-server.js';
import { type CloudTrailServer, startCloudTrailServer } from '../loopback/cloudtrail-server.js';

type Rec = Record<string, unknown>;
const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const NOW = new Date();
const SG = 'sg-04cfb7a4712d75b00';

/** The invictus records (a security group's changes among them), re-timed into the last 8 hours of eu-west-1. */
const records: Rec[] = loadCorpus('invictus')
  .map((e) => e.record as Rec)
  .map((r, i) => ({
    ...r,
    awsRegion: 'eu-west-1',
    eventTime: new Date(NOW.getTime() - 10_000 * (i + 1)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));

let cloudtrail: CloudTrailServer;
let athena: AthenaServer;
let source: EventSource;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  cloudtrail = await startCloudTrailServer({ records: { 'eu-west-1': records }, ratePerSecond: 1000, burst: 1000 });
  athena = await startAthenaServer({
    results: () =>
      athenaRowsOf(
        records,
        SELECTED_COLUMNS.map((c) => c.name),
      ),
  });
  const athenaClient = new AthenaClient({ region: 'eu-west-1', endpoint: athena.url, credentials, maxAttempts: 1 });
  clients.push(athenaClient);
  const lookup = createLookupSource({
    regions: ['eu-west-1'],
    ratePerSecond: 1000,
    clientFor: (region) => {
      const client = new CloudTrailClient({ region, endpoint: cloudtrail.url, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
  });
  const athenaSource = createAthenaSource({
    database: 'cloudtrail',
    table: 'org_trail',
    client: athenaClient,
    polling: { firstMs: 1, maxMs: 4 },
  });
  source = createTieredSource(lookup, athenaSource, () => NOW);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all([cloudtrail.close(), athena.close()]);
});

async function ask(text: string): Promise<{ lookups: number; athenaQueries: number; matched: number }> {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  const lookupsBefore = cloudtrail.calls.length;
  const athenaBefore = athena.calls.filter((c) => c.target.endsWith('StartQueryExecution')).length;
  const answer = await answerQuery({ source, now: NOW }, parsed.query, { events: 0, defaultRegions: ['eu-west-1'] });
  return {
    lookups: cloudtrail.calls.length - lookupsBefore,
    athenaQueries: athena.calls.filter((c) => c.target.endsWith('StartQueryExecution')).length - athenaBefore,
    matched: answer.matched,
  };
}

describe('LookupEvents and Athena side by side', () => {
  test('a question with a lookup attribute, inside 90 days, stays on LookupEvents', async () => {
    const asked = await ask(`who ${SG} since 1d in eu-west-1`);
    expect(asked.lookups).toBeGreaterThan(0);
    expect(asked.athenaQueries).toBe(0);
    expect(asked.matched).toBeGreaterThan(0);
  });

  test('a question with nothing to narrow LookupEvents by goes to Athena, and so does one past 90 days', async () => {
    const ip = await ask('ip 192.168.10.0/24 since 1d in eu-west-1');
    expect(ip).toMatchObject({ lookups: 0, athenaQueries: 1 });
    expect(ip.matched).toBeGreaterThan(0);
    const old = await ask(`who ${SG} since 120d in eu-west-1`);
    expect(old).toMatchObject({ lookups: 0, athenaQueries: 1 });
    expect(old.matched).toBe((await ask(`who ${SG} since 1d in eu-west-1`)).matched);
  });
});

/**
 * `scan` end to end below Slack: the CIS pack over the real LookupEvents source (the AWS SDK against the loopback
 * CloudTrail, which enforces paging and the quota) and over the bundled samples. What is checked is the answer by
 * rule and the calls the plan made, never timings.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterEach, describe, expect, test } from '@jest/globals';
import { parseFilterPattern } from '../../src/core/filter-pattern/filter-pattern.js';
import { parseTrailQuery } from '../../src/core/query/parse-trail-query.js';
import { CIS_PACK } from '../../src/core/rules/cis-pack.js';
import type { TrailQuery } from '../../src/core/trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import { createLookupSource } from '../../src/outbound/event-sources/lookup-source.js';
import { openSource } from '../../src/outbound/event-sources/open-source.js';
import { loadCorpus } from '../helpers/corpora.js';
import { type CloudTrailServer, startCloudTrailServer } from '../loopback/cloudtrail-server.js';

type Rec = Record<string, unknown>;
const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const NOW = new Date();
const MINUTE = 60_000;

const invictus = loadCorpus('invictus').map((e) => e.record as Rec);
const panther = loadCorpus('panther').map((e) => e.record as Rec);

function parse(text: string): TrailQuery {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  return parsed.query;
}

/** Copies of real records in eu-west-1, newest first from `newestMs`, a minute apart, ids unique. */
function retimed(records: readonly Rec[], newestMs: number, tag: string): Rec[] {
  return records.map((r, i) => ({
    ...r,
    eventID: `${tag}-${String(i).padStart(5, '0')}`,
    awsRegion: 'eu-west-1',
    eventTime: new Date(newestMs - i * MINUTE).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

const servers: CloudTrailServer[] = [];
const clients: CloudTrailClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function lookupOver(records: Rec[], pageBudget: number) {
  const server = await startCloudTrailServer({ records: { 'eu-west-1': records }, ratePerSecond: 200, burst: 4 });
  servers.push(server);
  const source = createLookupSource({
    regions: ['eu-west-1'],
    pageBudget,
    ratePerSecond: 200,
    clientFor: (region) => {
      const client = new CloudTrailClient({ region, endpoint: server.url, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
  });
  return { server, source };
}

const securityGroupChanges = invictus.filter((r) =>
  ['AuthorizeSecurityGroupIngress', 'CreateSecurityGroup'].includes(String(r.eventName)),
);
const rootUse = panther.filter((r) => {
  const identity = r.userIdentity as Rec | undefined;
  return identity?.type === 'Root' && identity.invokedBy === undefined && r.eventType !== 'AwsServiceEvent';
});
const noise = invictus.filter((r) =>
  ['DescribeInstances', 'ListBuckets', 'GetCallerIdentity'].includes(String(r.eventName)),
);

describe('scan over LookupEvents', () => {
  test('one whole-window read answers every rule when it is not cut short: no per-name calls', async () => {
    const records = retimed(
      [...securityGroupChanges, ...rootUse, ...noise.slice(0, 40)],
      NOW.getTime() - 30 * MINUTE,
      'a',
    );
    const { server, source } = await lookupOver(records, 20);
    const answer = await answerQuery({ source, now: NOW }, parse('scan since 1d in eu-west-1'), {
      events: 0,
      defaultRegions: null,
    });
    expect(server.calls.every((c) => c.attribute === null)).toBe(true);
    expect(server.calls.filter((c) => !c.nextToken)).toHaveLength(1);
    const byId = new Map(answer.rules?.map((r) => [r.id, r]));
    expect(byId.get('CloudWatch.10')?.count).toBe(securityGroupChanges.length);
    expect(byId.get('CloudWatch.1')?.count).toBe(rootUse.length);
    expect(answer.complete).toBe(true);
    // Rules with hits come first, the most severe first.
    const counts = answer.rules?.map((r) => r.count) ?? [];
    const firstQuiet = counts.indexOf(0);
    expect(firstQuiet).toBeGreaterThan(0);
    expect(counts.slice(firstQuiet).every((c) => c === 0)).toBe(true);
    expect(answer.rules?.[0]?.severity).toBe('high');
  });

  test('a cut whole-window read is followed by each shared event name once, in the cut region only', async () => {
    // 120 noise events are newer than the changes: one page of 50 cannot reach the changes.
    const records = [
      ...retimed(noise.concat(noise, noise).slice(0, 120), NOW.getTime() - 10 * MINUTE, 'noise'),
      ...retimed(securityGroupChanges, NOW.getTime() - 300 * MINUTE, 'sg'),
    ];
    const { server, source } = await lookupOver(records, 1);
    const answer = await answerQuery({ source, now: NOW }, parse('scan since 1d in eu-west-1'), {
      events: 0,
      defaultRegions: null,
    });
    const named = server.calls.filter((c) => c.attribute !== null).map((c) => c.attribute?.value ?? '');
    expect(new Set(named).size).toBe(named.length);
    expect(named).toEqual(expect.arrayContaining(['AuthorizeSecurityGroupIngress', 'ConsoleLogin', 'CreatePolicy']));
    const pinnedNames = new Set(
      CIS_PACK.flatMap((rule) => {
        const parsed = parseFilterPattern(rule.pattern);
        return parsed.ok ? [...(parsed.pattern.pinnedValues('eventName') ?? [])] : [];
      }),
    );
    expect(new Set(named)).toEqual(pinnedNames);
    expect(answer.rules?.find((r) => r.id === 'CloudWatch.10')?.count).toBe(securityGroupChanges.length);
    expect(answer.complete).toBe(false);
    expect(answer.notes.join('\n')).toMatch(
      /Root user activity and Unauthorized API calls cover only its newest events/,
    );
  });
});

describe('scan over the bundled samples', () => {
  test('every rule sees every record once; the hits are the records each pattern matches', async () => {
    const source = await openSource('samples', { regions: [] });
    const answer = await answerQuery({ source, now: NOW }, parse('scan'), { events: 0, defaultRegions: null });
    expect(answer.rules).toHaveLength(CIS_PACK.length);
    const hit = answer.rules?.filter((r) => r.count > 0) ?? [];
    expect(hit.length).toBeGreaterThan(0);
    for (const rule of hit) {
      const events = rule.eventIds.map((id) => answer.events.find((e) => e.eventId === id));
      expect(events.every((e) => e !== undefined)).toBe(true);
      expect(rule.eventIds.length).toBe(Math.min(10, rule.count));
    }
    expect(answer.matched).toBeGreaterThanOrEqual(Math.max(...hit.map((r) => r.count)));
  });
});

/**
 * `scan` against LookupEvents: the calls the CIS pack costs with Trailbot's plan, against running each rule as its
 * own query (the one-call-per-rule plan a tool without a shared plan makes: a `match` per rule, each with its own
 * name lookups, and a whole-window read for each rule that pins no event name). Both are run for real against the
 * loopback CloudTrail and their calls counted; the quota is lifted so the figures come quickly (calls, not time,
 * are what is compared: at AWS's 2 requests/s, calls ÷ 2 is the floor in seconds per region).
 *
 * Two accounts, one region, one day:
 * - quiet: 600 events in the day (the whole window fits in the 20-page budget);
 * - busy: 5,000 events (the whole-window read is cut at 20 pages, so the shared name series follow).
 */
import { parseTrailQuery } from '../src/core/query/parse-trail-query.js';
import { CIS_PACK } from '../src/core/rules/cis-pack.js';
import { planScan, seriesAtMost, seriesPerRule } from '../src/core/rules/scan-plan.js';
import type { TrailQuery } from '../src/core/trail-query.js';
import { answerQuery } from '../src/flows/answer-query.js';
import { createLookupSource } from '../src/outbound/event-sources/lookup-source.js';
import { CORPUS_NAMES, loadCorpus } from '../test/helpers/corpora.js';
import { startCloudTrailServer } from '../test/loopback/cloudtrail-server.js';

const REGION = 'eu-west-1';
const HOUR = 3_600_000;

function query(text: string): TrailQuery {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`bench query does not parse: ${text}`);
  return parsed.query;
}

/** `n` real records from every corpus, spread over the last 23 hours in one region, ids unique. */
function account(n: number): unknown[] {
  const pool = CORPUS_NAMES.flatMap((name) => loadCorpus(name).map((e) => e.record as Record<string, unknown>));
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    ...pool[(i * 7919) % pool.length],
    eventID: `bench-${i}`,
    awsRegion: REGION,
    eventTime: new Date(now - HOUR - Math.floor((i * 22 * HOUR) / n)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

async function callsFor(records: unknown[], queries: readonly TrailQuery[]): Promise<{ calls: number; hits: number }> {
  const server = await startCloudTrailServer({ records: { [REGION]: records }, ratePerSecond: 10_000, burst: 10_000 });
  try {
    process.env.AWS_ENDPOINT_URL_CLOUDTRAIL = server.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIABENCH';
    process.env.AWS_SECRET_ACCESS_KEY = 'bench';
    const source = createLookupSource({ regions: [REGION], ratePerSecond: 10_000, burst: 100 });
    let hits = 0;
    for (const q of queries) {
      const answer = await answerQuery({ source, now: new Date() }, q, { events: 0, defaultRegions: [REGION] });
      hits += answer.rules?.reduce((sum, r) => sum + r.count, 0) ?? answer.matched;
    }
    return { calls: server.calls.filter((c) => c.outcome === 'ok').length, hits };
  } finally {
    await server.close();
  }
}

export async function benchScanCalls(): Promise<void> {
  const plan = planScan(CIS_PACK);
  const scan = query(`scan since 1d in ${REGION}`);
  const perRule = CIS_PACK.map((rule) => query(`match ${rule.pattern} since 1d in ${REGION}`));
  console.log('\n## scan: LookupEvents calls for the CIS pack (1 region, 1 day)');
  console.log(
    `series a region needs: this plan ≤ ${seriesAtMost(plan)} (1 whole window + ${plan.attributes.length} shared names), one per rule ${seriesPerRule(plan)}`,
  );
  const rows = [];
  for (const [name, size] of [
    ['quiet (600 events)', 600],
    ['busy (5,000 events)', 5_000],
  ] as const) {
    const records = account(size);
    const ours = await callsFor(records, [scan]);
    const theirs = await callsFor(records, perRule);
    rows.push({
      account: name,
      'trailbot scan calls': ours.calls,
      'one query per rule, calls': theirs.calls,
      ratio: Number((ours.calls / theirs.calls).toFixed(2)),
      'hits (scan / per rule)': `${ours.hits} / ${theirs.hits}`,
      'seconds at 2 req/s (scan / per rule)': `${ours.calls / 2} / ${theirs.calls / 2}`,
    });
  }
  console.table(rows);
}

/**
 * An organization-wide `who <resource>` over 20 accounts × 3 regions, 3 pages (150 events) in each account-region,
 * against the loopback STS (AssumeRole) and CloudTrail at AWS's quota: 2 requests/s per account AND region, HTTP 400
 * ThrottlingException past it. Wired as `trailbot serve` and the CLI wire it (openSource with the accounts map, the
 * SDK's endpoints from AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDTRAIL). Figures, for a first question (roles
 * assumed, clients set up) and a second one (credentials cached):
 * - wall time ÷ the quota floor [≤ 1.25 warm]: an account-region's 3 pages are sequential (each needs the last
 *   NextToken) and 2 requests/s spaces them 0.5 s apart, so the floor is (3 − 1) × 0.5 s = 1.0 s when every
 *   account-region runs at once; accounts one after another would take 20 × that;
 * - LookupEvents calls [180] and throttles [0]; AssumeRole calls [20, then 0];
 * - the same question with no quota at all: what the process itself spends (the loopback servers share it) on
 *   9,000 events through the SDK, normalization and the answer; the quota run cannot beat floor + part of it.
 */
import { parseTrailQuery } from '../src/core/query/parse-trail-query.js';
import type { TrailQuery } from '../src/core/trail-query.js';
import { answerQuery } from '../src/flows/answer-query.js';
import { createAccountsSource } from '../src/outbound/event-sources/accounts-source.js';
import { openSource } from '../src/outbound/event-sources/open-source.js';
import type { EventSource } from '../src/ports.js';
import { loadCorpus } from '../test/helpers/corpora.js';
import { startCloudTrailServer } from '../test/loopback/cloudtrail-server.js';
import { startStsServer } from '../test/loopback/sts-server.js';

const TARGET = 'i-0org00000000000001';
const ACCOUNTS = 20;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const PAGES = 3;
const FLOOR_MS = (PAGES - 1) * 500;

/** 150 real EC2 records for one account-region, re-aimed at one instance, spread over the last hour. */
function records(account: string, region: string, ec2: readonly Record<string, unknown>[]): unknown[] {
  return Array.from({ length: PAGES * 50 }, (_, i) => {
    const r = ec2[i % ec2.length] ?? {};
    return {
      ...r,
      eventID: `${account}-${region}-org-${i}`,
      awsRegion: region,
      recipientAccountId: account,
      eventTime: new Date(Date.now() - (i + 1) * 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      requestParameters: { instancesSet: { items: [{ instanceId: TARGET }] } },
    };
  });
}

interface Row {
  run: string;
  ms: number;
  calls: number;
  throttled: number;
  assumed: number;
  accounts: number;
  events: number;
}

export async function benchOrgWho(): Promise<void> {
  const ec2 = loadCorpus('invictus')
    .map(({ record }) => record as Record<string, unknown>)
    .filter((r) => r.eventSource === 'ec2.amazonaws.com');
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => String(100000000000 + i * 1111));
  const accounts = ids.map((id, i) => ({
    id,
    alias: `acct-${String(i + 1).padStart(2, '0')}`,
    roleArn: `arn:aws:iam::${id}:role/TrailbotReadOnly`,
    regions: null,
    externalId: null,
  }));
  const recordsByAccount = Object.fromEntries(
    ids.map((id) => [id, Object.fromEntries(REGIONS.map((r) => [r, records(id, r, ec2)]))]),
  );
  const sts = await startStsServer();
  // AWS's quota (2 requests/s per account and region); and, for comparison, none: the process's own work.
  const atQuota = await startCloudTrailServer({ recordsByAccount });
  const unlimited = await startCloudTrailServer({ recordsByAccount, ratePerSecond: 1e6, burst: 1e6 });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: sts.url,
  });
  console.log(
    `\n## Organization-wide who: ${ACCOUNTS} accounts × ${REGIONS.length} regions × ${PAGES} pages (quota floor ${FLOOR_MS} ms)\n`,
  );
  const parsed = parseTrailQuery(`who ${TARGET}`);
  if (parsed.kind !== 'query') throw new Error('bench query does not parse');
  const expected = ACCOUNTS * REGIONS.length * PAGES * 50;
  const rows: Row[] = [];
  try {
    for (const [server, runs, pace] of [
      [atQuota, ['first question (assumes the roles)', 'second question (credentials cached)'], undefined],
      [unlimited, ['no quota, warm: the process’s own work (no floor)'], 1e6],
    ] as const) {
      process.env.AWS_ENDPOINT_URL_CLOUDTRAIL = server.url;
      const source =
        pace === undefined
          ? await openSource('lookup', { regions: REGIONS, accounts })
          : createAccountsSource({ regions: REGIONS, accounts, ratePerSecond: pace, burst: 1 });
      if (pace !== undefined) await ask(source); // warm: roles assumed, clients set up.
      for (const run of runs) {
        const calls = server.calls.length;
        const assumed = sts.calls.length;
        const t0 = performance.now();
        const answer = await ask(source);
        const ms = performance.now() - t0;
        if (answer.matched !== expected || !answer.complete)
          throw new Error(`matched ${answer.matched} of ${expected}: ${answer.notes.join('; ')}`);
        const made = server.calls.slice(calls);
        rows.push({
          run,
          ms,
          calls: made.length,
          throttled: made.filter((c) => c.outcome === 'throttled').length,
          assumed: sts.calls.length - assumed,
          accounts: new Set(answer.actors.map((a) => a.accountId)).size,
          events: answer.matched,
        });
      }
    }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await Promise.all([sts.close(), atQuota.close(), unlimited.close()]);
  }
  console.table(
    rows.map((r) => ({
      run: r.run,
      'wall ms': Math.round(r.ms),
      '÷ floor': Number((r.ms / FLOOR_MS).toFixed(2)),
      'LookupEvents calls [180]': r.calls,
      'throttled [0]': r.throttled,
      AssumeRole: r.assumed,
      'accounts answering': r.accounts,
      events: r.events,
    })),
  );
  console.log(
    `account-regions read at once: ${ACCOUNTS * REGIONS.length} · accounts one after another would take ≥ ${((ACCOUNTS * FLOOR_MS) / 1000).toFixed(0)} s at the same quota`,
  );

  function ask(source: EventSource) {
    return answerQuery({ source, now: new Date() }, (parsed as { query: TrailQuery }).query, {
      events: 0,
      defaultRegions: REGIONS,
    });
  }
}

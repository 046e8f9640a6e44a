/**
 * A `who` over LookupEvents in 3 regions, 3 pages (150 events) in each, against the loopback CloudTrail that
 * enforces AWS's 2 requests/s per region (HTTP 400 ThrottlingException past it). Figures:
 * - wall time ÷ the quota floor [≤ 1.25]: a region's 3 pages are sequential (each needs the last NextToken) and
 *   2 requests/s spaces them 0.5 s apart, so the floor is (3 − 1) × 0.5 s = 1.0 s whatever the number of regions;
 * - 3 regions ÷ 1 region [≤ 1.2]: regions run concurrently, each with its own quota;
 * - throttles per 100 calls [≤ 1];
 * - the peer, side by side: Debian's `aws cloudtrail lookup-events --endpoint-url …` (one process per region, in
 *   parallel, auto-paginating) piped into jq for an actor count, and `trailbot … --source lookup` as a process.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTrailQuery } from '../src/core/query/parse-trail-query.js';
import { answerQuery } from '../src/flows/answer-query.js';
import { createLookupSource } from '../src/outbound/event-sources/lookup-source.js';
import { loadCorpus } from '../test/helpers/corpora.js';
import { type CloudTrailServer, startCloudTrailServer } from '../test/loopback/cloudtrail-server.js';

const TARGET = 'i-0bench000000000001';
const PAGES = 3;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const FLOOR_MS = (PAGES - 1) * 500;
const AWS_CLI = '/usr/bin/aws';

/** 150 real records a region (the invictus EC2 calls), re-aimed at one instance and spread over the last hour. */
function records(region: string): unknown[] {
  const ec2 = loadCorpus('invictus')
    .map(({ record }) => record as Record<string, unknown>)
    .filter((r) => r.eventSource === 'ec2.amazonaws.com');
  return Array.from({ length: PAGES * 50 }, (_, i) => {
    const r = ec2[i % ec2.length] ?? {};
    return {
      ...r,
      eventID: `${region}-bench-${i}`,
      awsRegion: region,
      eventTime: new Date(Date.now() - (i + 1) * 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      requestParameters: { instancesSet: { items: [{ instanceId: TARGET }] } },
    };
  });
}

async function withServer<T>(
  work: (server: CloudTrailServer) => Promise<T>,
): Promise<{ result: T; server: CloudTrailServer }> {
  const server = await startCloudTrailServer({ records: Object.fromEntries(REGIONS.map((r) => [r, records(r)])) });
  try {
    return { result: await work(server), server };
  } finally {
    await server.close();
  }
}

async function trailbotInProcess(regions: readonly string[]) {
  return withServer(async (server) => {
    process.env.AWS_ENDPOINT_URL_CLOUDTRAIL = server.url;
    const parsed = parseTrailQuery(`who ${TARGET}`);
    if (parsed.kind !== 'query') throw new Error('bench query does not parse');
    const source = createLookupSource({ regions });
    const t0 = performance.now();
    const answer = await answerQuery({ source, now: new Date() }, parsed.query, { events: 0, defaultRegions: regions });
    const ms = performance.now() - t0;
    if (answer.matched !== regions.length * PAGES * 50)
      throw new Error(`matched ${answer.matched}: ${answer.notes.join('; ')}`);
    return ms;
  });
}

function time(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; out: string; code: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(command, args, { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ ms: performance.now() - t0, out, code }));
  });
}

const JQ = '[.Events[] | .Username] | group_by(.) | map({user: .[0], calls: length})';

async function peer(): Promise<{ ms: number; events: number; calls: readonly { outcome: string }[] }> {
  const { result } = await withServer(async (server) => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIABENCH', AWS_SECRET_ACCESS_KEY: 'bench', AWS_PAGER: '' };
    const script = REGIONS.map(
      (region) =>
        `${AWS_CLI} cloudtrail lookup-events --endpoint-url ${server.url} --region ${region} --output json ` +
        `--lookup-attributes AttributeKey=ResourceName,AttributeValue=${TARGET} | jq -c '${JQ}' &`,
    ).join('\n');
    const run = await time('sh', ['-c', `${script}\nwait`], env);
    const events = run.out
      .trim()
      .split('\n')
      .flatMap((line) => JSON.parse(line) as { calls: number }[])
      .reduce((n, u) => n + u.calls, 0);
    return { ms: run.ms, events, calls: server.calls };
  });
  return result;
}

async function trailbotProcess(): Promise<number> {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const { result } = await withServer(async (server) => {
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_CLOUDTRAIL: server.url,
      AWS_ACCESS_KEY_ID: 'AKIABENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    const run = await time(
      'sh',
      [
        '-c',
        `node ${cli} who ${TARGET} --source lookup --regions ${REGIONS.join(',')} --json | jq -c '.actors | map({user: .display, calls: .count})'`,
      ],
      env,
    );
    return run.ms;
  });
  return result;
}

function hasPeer(): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(AWS_CLI)) return resolve(false);
    execFile('jq', ['--version'], (error) => resolve(error === null));
  });
}

export async function benchLookup(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID = 'AKIABENCH';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log(`\n## LookupEvents: who over ${REGIONS.length} regions × ${PAGES} pages (quota floor ${FLOOR_MS} ms)\n`);
  const one = await trailbotInProcess(REGIONS.slice(0, 1));
  const three = await trailbotInProcess(REGIONS);
  const calls = three.server.calls.concat(one.server.calls);
  const throttled = calls.filter((c) => c.outcome === 'throttled').length;
  const rows: Record<string, string | number>[] = [
    {
      run: 'trailbot, 1 region (in process)',
      'wall ms': Math.round(one.result),
      '÷ floor [≤1.25]': Number((one.result / FLOOR_MS).toFixed(2)),
      calls: one.server.calls.length,
      throttled: one.server.calls.filter((c) => c.outcome === 'throttled').length,
    },
    {
      run: 'trailbot, 3 regions (in process)',
      'wall ms': Math.round(three.result),
      '÷ floor [≤1.25]': Number((three.result / FLOOR_MS).toFixed(2)),
      calls: three.server.calls.length,
      throttled: three.server.calls.filter((c) => c.outcome === 'throttled').length,
    },
  ];
  if (existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    const ms = await trailbotProcess();
    rows.push({
      run: 'trailbot CLI + jq, 3 regions (process)',
      'wall ms': Math.round(ms),
      '÷ floor [≤1.25]': Number((ms / FLOOR_MS).toFixed(2)),
    });
  }
  if (await hasPeer()) {
    const p = await peer();
    const peerCalls = p.calls;
    rows.push({
      run: 'peer: aws cloudtrail lookup-events + jq, 3 regions',
      'wall ms': Math.round(p.ms),
      '÷ floor [≤1.25]': Number((p.ms / FLOOR_MS).toFixed(2)),
      events: p.events,
      calls: peerCalls.length,
      throttled: peerCalls.filter((c) => c.outcome === 'throttled').length,
    });
  } else {
    rows.push({ run: 'peer skipped: apt-get install awscli jq' });
  }
  console.table(rows);
  console.log(
    `3 regions ÷ 1 region [≤1.2]: ${(three.result / one.result).toFixed(2)} · throttles per 100 calls [≤1]: ${((100 * throttled) / calls.length).toFixed(1)}`,
  );
}

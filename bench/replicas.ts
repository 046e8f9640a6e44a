/**
 * Replicas on PostgreSQL (issue 6), two tables, nothing asserted:
 *
 * (a) Outbox deliveries per second: 1,000 Slack writes (200 channels × 1 card + 4 thread replies) delivered by the
 *     real outbox worker to the loopback Slack (1 post/s/channel, a burst of 2, 429 + Retry-After past it), so the
 *     floor is 4 s (5 posts a channel at 1 a second) and the ceiling about 200 deliveries a second. Runs: SQLite with
 *     one worker (reference); PostgreSQL with one worker; PostgreSQL with two workers, each on its own store (its own
 *     pool, as two replicas have), in this one process beside the loopback Slack. Also: 429s, lost and duplicated.
 *     The pace is Slack's, so a second replica adds availability, not speed; the 429s column shows that the two
 *     workers keep one pace per channel between them (the lanes' `paced_until`), not one each.
 * (b) One alert's cost, SQLite vs PostgreSQL: 500 signed notifications (50 alarms × 10) POSTed one at a time to
 *     `trailbot serve` (the built CLI, its own process): POST /sns latency p50/p99 (signature check, the incident
 *     lock, the store, the answer). Then the store's share alone, in this process: the same 500 through acceptAlert
 *     on a store of each kind, timing the incident read + the accept transaction, and the incident lock around them.
 *
 * PostgreSQL comes from TRAILBOT_BENCH_POSTGRES_URL, else TRAILBOT_TEST_POSTGRES_URL (a role that may create
 * databases: every run gets a fresh database, dropped after); without either, only the SQLite figures are printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_OUTBOX_TAKEOVER_MS } from '../src/config.js';
import type { KeyedLock } from '../src/core/keyed-lock.js';
import type { SnsNotification } from '../src/core/sns/sns-message.js';
import { acceptAlert } from '../src/flows/accept-alert.js';
import {
  callTimeoutWithin,
  createOutboxClient,
  OUTBOX_EVENT_TYPE,
  startOutboxWorker,
} from '../src/outbound/slack/outbox-worker.js';
import { openPostgresStore } from '../src/outbound/store/postgres-store.js';
import { openSqliteStore } from '../src/outbound/store/sqlite-store.js';
import type { Coordination, Outbox, Store } from '../src/ports.js';
import { quietLogger, quietSlackLogger } from '../test/helpers/quiet-loggers.js';
import { spawnServe } from '../test/helpers/spawn-serve.js';
import { nowAsAlarmTime, stormAlarm } from '../test/helpers/storm-alarm.js';
import { startSlackServer } from '../test/loopback/slack-server.js';
import { LOOPBACK_CERT_URL_PATTERN, type SnsSigner, snsHeaders, startSnsSigner } from '../test/loopback/sns-signer.js';
import { stormWrites } from './storm-writes.js';

type Place = Store & Outbox & Coordination;

const CHANNELS = 200;
const PER_CHANNEL = 5;
const ALERTS = 500;
const ALARMS = 50;
/** Notifications sent first and not counted (JIT, the certificate fetch, first connections): alarms of their own. */
const WARM_UP = 50;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:bench-replicas';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (x: number): number => Number(x.toFixed(2));

/** A fresh database on the server for one run, dropped by `drop`. */
async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `trailbot_bench_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// ---- (a) deliveries per second ----

interface DeliveryRun {
  run: string;
  writes: number;
  delivered: number;
  lost: number;
  duplicates: number;
  ratelimited: number;
  seconds: number;
}

async function deliveries(run: string, stores: readonly Place[]): Promise<DeliveryRun> {
  const slack = await startSlackServer(); // 1 post/s/channel, a burst of 2
  const [first] = stores;
  if (first === undefined) throw new Error('no store');
  try {
    const { channels, writes } = stormWrites('CREPL', CHANNELS, PER_CHANNEL);
    const ids: number[] = [];
    for (let i = 0; i < writes.length; i += 50) ids.push(...(await first.enqueue(writes.slice(i, i + 50))));
    const started = performance.now();
    const workers = await Promise.all(
      stores.map((store) => {
        // As main.ts wires it: replicas get the takeover time, and a client timeout within it.
        const takeoverAfterMs = store.sharedBy === 'replicas' ? DEFAULT_OUTBOX_TAKEOVER_MS : undefined;
        return startOutboxWorker({
          outbox: store,
          client: createOutboxClient(slack.token, {
            slackApiUrl: slack.apiUrl,
            logger: quietSlackLogger,
            ...(takeoverAfterMs === undefined ? {} : { timeoutMs: callTimeoutWithin(takeoverAfterMs) }),
          }),
          logger: quietLogger,
          ...(takeoverAfterMs === undefined ? {} : { takeoverAfterMs }),
        });
      }),
    );
    await Promise.all(workers.map((w) => w.drain(120_000)));
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(workers.map((w) => w.stop()));
    const seen = new Map<number, number>();
    for (const channel of channels) {
      for (const m of slack.messagesIn(channel)) {
        const id = m.metadata?.event_type === OUTBOX_EVENT_TYPE ? m.metadata.event_payload.id : undefined;
        if (typeof id === 'number') seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    return {
      run,
      writes: writes.length,
      delivered: seen.size,
      lost: ids.filter((id) => !seen.has(id)).length,
      duplicates: [...seen.values()].reduce((sum, n) => sum + (n - 1), 0),
      ratelimited: slack.ratelimitedCount,
      seconds,
    };
  } finally {
    await slack.close();
  }
}

async function benchDeliveries(postgresUrl: string | undefined): Promise<void> {
  const runs: DeliveryRun[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'trailbot-bench-replicas-'));
  try {
    const sqlite = openSqliteStore(join(dir, 'trailbot.db'));
    try {
      runs.push(await deliveries('SQLite, 1 worker (reference)', [sqlite]));
    } finally {
      await sqlite.close();
    }
    if (postgresUrl !== undefined) {
      for (const replicas of [1, 2]) {
        const db = await freshDatabase(postgresUrl);
        const stores: Place[] = [];
        try {
          for (let i = 0; i < replicas; i += 1) stores.push(await openPostgresStore(db.url));
          const label = replicas === 1 ? 'PostgreSQL, 1 worker' : 'PostgreSQL, 2 workers (2 pools, one process)';
          runs.push(await deliveries(label, stores));
        } finally {
          for (const store of stores) await store.close();
          await db.drop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const floor = PER_CHANNEL - 1;
  console.log(
    `\n## Replicas (a): ${CHANNELS * PER_CHANNEL} outbox writes (${CHANNELS} channels × 1 card + ${PER_CHANNEL - 1} replies) to the loopback Slack at 1 post/s/channel (floor ${floor} s, ceiling ≈ ${CHANNELS}/s)\n`,
  );
  console.table(
    runs.map((r) => ({
      run: r.run,
      delivered: r.delivered,
      'lost [0]': r.lost,
      'duplicates [0]': r.duplicates,
      '429s': r.ratelimited,
      seconds: Number(r.seconds.toFixed(2)),
      'deliveries/s': Number((r.delivered / r.seconds).toFixed(1)),
      '÷ floor': Number((r.seconds / floor).toFixed(2)),
    })),
  );
}

// ---- (b) one alert's cost ----

function alarm(name: string, n: number): string {
  return stormAlarm({ name, n, at: nowAsAlarmTime(), namespace: 'Bench' });
}

/** `count` signed notifications over ALARMS alarms named `run-…`: notification n of every alarm before n + 1. */
function signedBodies(signer: SnsSigner, run: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const a = i % ALARMS;
    const n = Math.floor(i / ALARMS);
    return signer.signSnsMessage(
      {
        Type: 'Notification',
        TopicArn: TOPIC,
        MessageId: `${run}-${a}-${n}`,
        Message: alarm(`${run}-${String(a).padStart(2, '0')}`, n),
        Timestamp: new Date().toISOString(),
      },
      { version: '2' },
    );
  });
}

interface AcceptRun {
  store: string;
  postP50: number;
  postP99: number;
  storeP50: number;
  storeP99: number;
  storeMean: number;
  lockP50: number;
  lockP99: number;
}

/** POST /sns through `trailbot serve`, one at a time: the latencies, sorted. */
async function postLatencies(storeSpec: string, signer: SnsSigner, run: string): Promise<number[]> {
  const slack = await startSlackServer();
  const dir = mkdtempSync(join(tmpdir(), 'trailbot-bench-accept-'));
  writeFileSync(join(dir, 'trailbot.yml'), 'alerts:\n  routes: []\n');
  const serve = await spawnServe(
    {
      HOME: dir,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: 'bench-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      TRAILBOT_STORE: storeSpec === 'sqlite' ? `sqlite:${join(dir, 'trailbot.db')}` : storeSpec,
      TRAILBOT_ALERT_CHANNEL: 'C0BENCHALERTS',
      TRAILBOT_SNS_TOPICS: TOPIC,
      TRAILBOT_SNS_CERT_URL_PATTERN: LOOPBACK_CERT_URL_PATTERN.source,
    },
    'dist',
  );
  try {
    const bodies = [...signedBodies(signer, `${run}-warm`, WARM_UP), ...signedBodies(signer, run, ALERTS)];
    const latencies: number[] = [];
    for (const [i, body] of bodies.entries()) {
      const start = performance.now();
      const res = await fetch(`http://127.0.0.1:${serve.port}/sns`, {
        method: 'POST',
        headers: snsHeaders(body),
        body,
      });
      await res.text();
      if (i >= WARM_UP) latencies.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`POST /sns answered ${res.status}`);
    }
    return latencies.sort((x, y) => x - y);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** acceptAlert in this process on `store`: store time (incident read + accept transaction) and lock time, sorted. */
async function storeTimes(store: Place, signer: SnsSigner, run: string): Promise<{ store: number[]; lock: number[] }> {
  let inStore = 0;
  const timed: Outbox = {
    enqueue: (w, i) => store.enqueue(w, i),
    async acceptSnsMessage(m, t, b, w, i) {
      const start = performance.now();
      try {
        return await store.acceptSnsMessage(m, t, b, w, i);
      } finally {
        inStore += performance.now() - start;
      }
    },
    claim: (n, l, e) => store.claim(n, l, e),
    markDelivered: (id, ts, at) => store.markDelivered(id, ts, at),
    retryAt: (id, w, e, o) => store.retryAt(id, w, e, o),
    markDead: (id, e) => store.markDead(id, e),
    inflightOlderThan: (t) => store.inflightOlderThan(t),
    takeOverInflight: (b, a) => store.takeOverInflight(b, a),
    depth: () => store.depth(),
    entry: (id) => store.entry(id),
    async incident(key) {
      const start = performance.now();
      try {
        return await store.incident(key);
      } finally {
        inStore += performance.now() - start;
      }
    },
  };
  const inner = store.keyedLock();
  let lockMs = 0;
  const lock: KeyedLock = {
    async run(key, task) {
      const start = performance.now();
      let taskMs = 0;
      try {
        return await inner.run(key, async () => {
          const t0 = performance.now();
          try {
            return await task();
          } finally {
            taskMs = performance.now() - t0;
          }
        });
      } finally {
        lockMs = performance.now() - start - taskMs;
      }
    },
  };
  const deps = {
    outbox: timed,
    clock: () => new Date(),
    logger: quietLogger,
    routes: [],
    defaultChannel: 'C0BENCHALERTS',
    accountAliases: {},
    groupingWindowMs: 15 * 60_000,
    lock,
    wake: () => undefined,
  };
  const bodies = [...signedBodies(signer, `${run}-warm`, WARM_UP), ...signedBodies(signer, run, ALERTS)];
  const storeMs: number[] = [];
  const locks: number[] = [];
  for (const [i, body] of bodies.entries()) {
    inStore = 0;
    lockMs = 0;
    const result = await acceptAlert(deps, JSON.parse(body) as SnsNotification);
    if (result !== 'accepted') throw new Error(`acceptAlert: ${result}`);
    if (i >= WARM_UP) {
      storeMs.push(inStore);
      locks.push(lockMs);
    }
  }
  return { store: storeMs.sort((x, y) => x - y), lock: locks.sort((x, y) => x - y) };
}

async function benchAcceptCost(postgresUrl: string | undefined): Promise<void> {
  const signer = await startSnsSigner();
  const runs: AcceptRun[] = [];
  const summarize = (label: string, post: number[], times: { store: number[]; lock: number[] }): AcceptRun => ({
    store: label,
    postP50: percentile(post, 50),
    postP99: percentile(post, 99),
    storeP50: percentile(times.store, 50),
    storeP99: percentile(times.store, 99),
    storeMean: times.store.reduce((x, y) => x + y, 0) / times.store.length,
    lockP50: percentile(times.lock, 50),
    lockP99: percentile(times.lock, 99),
  });
  try {
    {
      const post = await postLatencies('sqlite', signer, 'sqlite-serve');
      const dir = mkdtempSync(join(tmpdir(), 'trailbot-bench-accept-'));
      const store = openSqliteStore(join(dir, 'trailbot.db'));
      try {
        runs.push(summarize('SQLite (in-process lock)', post, await storeTimes(store, signer, 'sqlite-direct')));
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (postgresUrl !== undefined) {
      const served = await freshDatabase(postgresUrl);
      let post: number[];
      try {
        post = await postLatencies(served.url, signer, 'pg-serve');
      } finally {
        await served.drop();
      }
      const direct = await freshDatabase(postgresUrl);
      const store = await openPostgresStore(direct.url);
      try {
        runs.push(summarize('PostgreSQL (advisory lock)', post, await storeTimes(store, signer, 'pg-direct')));
      } finally {
        await store.close();
        await direct.drop();
      }
    }
  } finally {
    await signer.close();
  }
  console.log(
    `\n## Replicas (b): one alert's cost, ${ALERTS} signed notifications (${ALARMS} alarms × ${ALERTS / ALARMS}) one at a time: POST /sns through trailbot serve; store and lock time through acceptAlert in process\n`,
  );
  console.table(
    runs.map((r) => ({
      store: r.store,
      'POST p50 ms': ms(r.postP50),
      'POST p99 ms [≤100]': ms(r.postP99),
      'store p50 ms': ms(r.storeP50),
      'store p99 ms': ms(r.storeP99),
      'store mean ms': ms(r.storeMean),
      'lock p50 ms': ms(r.lockP50),
      'lock p99 ms': ms(r.lockP99),
    })),
  );
}

export async function benchReplicas(): Promise<void> {
  const postgresUrl =
    process.env.TRAILBOT_BENCH_POSTGRES_URL?.trim() || process.env.TRAILBOT_TEST_POSTGRES_URL?.trim() || undefined;
  if (postgresUrl === undefined) {
    console.log(
      '\n## Replicas: no TRAILBOT_BENCH_POSTGRES_URL or TRAILBOT_TEST_POSTGRES_URL: the PostgreSQL rows are left out',
    );
  }
  await benchDeliveries(postgresUrl);
  await benchAcceptCost(postgresUrl);
}

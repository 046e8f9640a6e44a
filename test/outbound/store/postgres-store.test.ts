/**
 * The PostgreSQL store against a real server (test/helpers/postgres.ts: a fresh database for this file): both
 * contracts, the migrations, connection failures, and two replicas (two pools) claiming at once.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { TrailbotError } from '../../../src/core/errors.js';
import { openStore } from '../../../src/outbound/store/open-store.js';
import {
  appliedMigrations,
  type Migration,
  migrations,
  openPostgresStore,
} from '../../../src/outbound/store/postgres-store.js';
import type { Coordination, Outbox, OutboxEntry, OutboxWrite, Store } from '../../../src/ports.js';
import { describePostgres, onServer, type TestDatabase, withDatabase } from '../../helpers/postgres.js';
import { describeOutboxContract, incident, post, reply, update } from './outbox-contract.js';
import { describeStoreContract, entry } from './store-contract.js';

type Place = Store & Outbox & Coordination;

describePostgres('PostgreSQL store', (db) => {
  describeStoreContract(
    'PostgreSQL',
    () => openPostgresStore(db.url),
    () => db.reset(),
    {
      versions: migrations.map((m) => m.version),
      prepareAtVersion: async (version) => {
        await db.reset(); // version 0: an empty database
        if (version > 0) await (await openPostgresStore(db.url, { migrations: migrations.slice(0, version) })).close();
      },
      applied: () => appliedMigrations(db.url),
    },
  );

  describeOutboxContract(
    'PostgreSQL',
    () => openPostgresStore(db.url),
    () => db.reset(),
  );

  describeStoreContract(
    'PostgreSQL through openStore(postgres://…)',
    () => openStore(db.url),
    () => db.reset(),
  );

  describe('PostgreSQL store specifics', () => {
    const opened: Place[] = [];
    async function open(options: { migrations?: readonly Migration[]; max?: number } = {}): Promise<Place> {
      const store = await openPostgresStore(db.url, options);
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await db.reset();
    });

    test('native types: BIGINT ids, TIMESTAMPTZ instants, json payload; one lane row per lane', async () => {
      const store = await open();
      await store.enqueue([post('C1', 'a'), update('C1', 'K', 'v'), post('C1', 'b')]);
      const columns = await sql<{ table_name: string; column_name: string; data_type: string }>(
        db,
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE (table_name, column_name) IN (('outbox', 'id'), ('outbox', 'not_before'), ('outbox', 'payload'),
                                             ('audit_log', 'at'), ('audit_log', 'events'), ('incidents', 'alert'))
         ORDER BY table_name, column_name`,
      );
      expect(columns.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}`)).toEqual([
        'audit_log.at timestamp with time zone',
        'audit_log.events bigint',
        'incidents.alert text',
        'outbox.id bigint',
        'outbox.not_before timestamp with time zone',
        'outbox.payload json',
      ]);
      expect(
        (await sql<{ lane: string }>(db, 'SELECT lane FROM outbox_lanes ORDER BY lane')).map((r) => r.lane),
      ).toEqual(['C1', 'C1#update']);
    });

    test('text is stored as is, readable in SQL; NUL and U+FFFE are escaped and come back verbatim', async () => {
      const store = await open();
      await store.recordQuery(entry({ query: 'who i-0abc 日本語 🛑', detail: 'nul \u0000 and \uFFFE0 here' }));
      const [row] = await sql<{ query: string; detail: string }>(db, 'SELECT query, detail FROM audit_log');
      expect(row?.query).toBe('who i-0abc 日本語 🛑');
      expect(row?.detail).toBe('nul \uFFFE0 and \uFFFE10 here');
      expect((await store.recentQueries(1))[0]?.detail).toBe('nul \u0000 and \uFFFE0 here');

      const key = 'actor\u0000|StopInstances|\uFFFE';
      const [id = 0] = await store.enqueue([post('C\u0000', 'card', key)], [incident({ key, channel: 'C\u0000' })]);
      const [claimed] = await store.claim(new Date(), 1, ['C\uFFFE0']);
      expect(claimed).toMatchObject({ id, channel: 'C\u0000', incidentKey: key });
      await store.markDelivered(id, '1.000001');
      expect(await store.incident(key)).toMatchObject({ key, channel: 'C\u0000', rootTs: '1.000001' });
    });

    test('an older database is migrated: only the missing migration runs, and the data stays', async () => {
      const older = await open();
      const kept = entry({ query: 'written by the older version' });
      await older.recordQuery(kept);
      await older.close();
      const before = await appliedMigrations(db.url);
      const extra: Migration = {
        version: migrations.length + 1,
        name: 'test_extra_table',
        sql: 'CREATE TABLE test_extra (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL);',
      };
      const newer = await open({ migrations: [...migrations, extra] });
      expect(await newer.recentQueries(10)).toStrictEqual([kept]);
      const after = await appliedMigrations(db.url);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.map((m) => m.version)).toEqual([...migrations.map((m) => m.version), extra.version]);
      expect(after.at(-1)?.name).toBe('test_extra_table');
      expect(after.at(-1)?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    test('a failing migration rolls back entirely and says which one failed', async () => {
      await (await open()).close();
      const broken: Migration = {
        version: migrations.length + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);',
      };
      await expect(openPostgresStore(db.url, { migrations: [...migrations, broken] })).rejects.toThrow(
        new RegExp(`migration ${broken.version} \\(broken\\) failed in PostgreSQL at .*no_such_table`),
      );
      expect((await appliedMigrations(db.url)).map((m) => m.version)).toEqual(migrations.map((m) => m.version));
      expect(await sql(db, "SELECT 1 FROM pg_tables WHERE tablename = 'half_done'")).toEqual([]);
    });

    test('a database with other tables but no schema_migrations is migrated and left intact', async () => {
      await onServer(db.url, "CREATE TABLE unrelated (x TEXT); INSERT INTO unrelated VALUES ('keep me')");
      await (await open()).recordQuery(entry());
      expect(await sql(db, 'SELECT x FROM unrelated')).toEqual([{ x: 'keep me' }]);
    });

    test('a database from a newer Trailbot is refused, not changed', async () => {
      const future: Migration = {
        version: migrations.length + 1,
        name: 'future',
        sql: 'CREATE TABLE future (x TEXT);',
      };
      await (await open({ migrations: [...migrations, future] })).close();
      const error = await openPostgresStore(db.url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrailbotError);
      expect((error as TrailbotError).code).toBe('store_failed');
      expect((error as TrailbotError).message).toMatch(/newer than this Trailbot knows/);
      expect((await appliedMigrations(db.url)).map((m) => m.version)).toEqual([
        ...migrations.map((m) => m.version),
        future.version,
      ]);
    });

    test('migration versions out of order are a bug, caught before connecting', async () => {
      const gap: Migration[] = [...migrations, { version: migrations.length + 2, name: 'gap', sql: '' }];
      await expect(openPostgresStore('postgres://nobody@127.0.0.1:1/x', { migrations: gap })).rejects.toThrow(
        /expected/,
      );
    });

    test('replicas starting together on an empty database: each migration runs once, every replica works', async () => {
      const stores = await Promise.all(Array.from({ length: 6 }, () => open({ max: 2 })));
      expect((await appliedMigrations(db.url)).map((m) => m.version)).toEqual(migrations.map((m) => m.version));
      await Promise.all(stores.map((s, i) => s.recordQuery(entry({ query: `replica ${i}` }))));
      expect(await stores[0]?.recentQueries(10)).toHaveLength(6);
    });

    test('close() ends the pool: its connections leave the server', async () => {
      const store = await open({ max: 4 });
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.recordQuery(entry({ query: `q${i}` }))));
      // The incident lock's own pool too.
      await Promise.all(['k1', 'k2'].map((k) => store.keyedLock().run(k, () => store.depth())));
      const connections = async (): Promise<number> =>
        (
          await sql<{ n: number }>(
            db,
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          )
        )[0]?.n ?? -1;
      expect(await connections()).toBeGreaterThan(0);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      // A backend leaves pg_stat_activity a moment after its client has closed the connection.
      for (let i = 0; i < 100 && (await connections()) > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(await connections()).toBe(0);
    });

    test('a wrong password: store_failed (upstream) naming host:port and the user, never the password', async () => {
      const url = new URL(db.url);
      url.password = 'hunter2-wrong';
      const error = await openStore(url.toString()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrailbotError);
      expect(error).toMatchObject({ code: 'store_failed', fault: 'upstream' });
      const message = (error as TrailbotError).message;
      expect(message).toContain(`${url.hostname}:${url.port || '5432'}`);
      expect(message).toMatch(/check the user and password in TRAILBOT_STORE/);
      expect(message).not.toContain('hunter2-wrong');
      expect(message).not.toContain('\n');
    });

    test('a database that does not exist: the error says to create it', async () => {
      const url = withDatabase(db.url, 'trailbot_no_such_database');
      await expect(openStore(url)).rejects.toThrow(/"trailbot_no_such_database" does not exist: create it/);
    });

    test('a lane another replica is writing to: claim skips it without waiting; enqueue waits, so ids commit in lane order', async () => {
      const store = await open();
      await store.enqueue([post('A', 'a0'), post('B', 'b0')]);
      // Another replica's transaction holds lane A (as its enqueue or claim would).
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query("SELECT lane FROM outbox_lanes WHERE lane = 'A' FOR UPDATE");
        expect((await store.claim(new Date(), 10)).map((e) => e.message.text)).toEqual(['b0']);
        let done = false;
        const queued = store.enqueue([post('A', 'a1')]).then((ids) => {
          done = true;
          return ids;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(done).toBe(false);
        await other.query('COMMIT');
        expect(await queued).toHaveLength(1);
      } finally {
        await other.end();
      }
      expect((await store.claim(new Date(), 10)).map((e) => e.message.text)).toEqual(['a0']);
    });

    test('laneSpacingMs: a channel claimed by one replica is not claimed by another before the spacing; updates are not spaced', async () => {
      const [a, b] = [await open(), await open()];
      const t = Date.parse('2026-11-21T10:00:00Z');
      await a.enqueue([post('C1', 'p1', 'K'), post('C1', 'p2'), post('C2', 'q1'), post('C2', 'q2')]);
      await a.enqueue([update('C1', 'K', 'u1')]);
      const spaced = { laneSpacingMs: 1000 };
      const first = await a.claim(new Date(t), 10, [], spaced);
      expect(first.map((e) => e.message.text)).toEqual(['p1', 'q1', 'u1']);
      for (const e of first) await a.markDelivered(e.id, `${e.id}.0`, new Date(t));
      await a.enqueue([update('C1', 'K', 'u2')]);
      // Nothing in flight, but both channels were claimed under a second ago (by the other replica): only the update.
      expect((await b.claim(new Date(t + 999), 10, [], spaced)).map((e) => e.message.text)).toEqual(['u2']);
      expect((await b.claim(new Date(t + 1000), 10, [], spaced)).map((e) => e.message.text)).toEqual(['p2', 'q2']);
      // Without the option, no pace is kept or asked for.
      await a.enqueue([post('C3', 'r1'), post('C3', 'r2')]);
      const [r1] = await a.claim(new Date(t + 2000), 10);
      await a.markDelivered(r1?.id ?? 0, '9.0', new Date(t + 2000));
      expect((await b.claim(new Date(t + 2000), 10)).map((e) => e.message.text)).toEqual(['r2']);
    });

    test('a connection the server ends mid-transaction: that call is a store error, the process lives on, the next call works', async () => {
      const store = await open();
      await store.enqueue([post('A', 'a0')]);
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query("SELECT lane FROM outbox_lanes WHERE lane = 'A' FOR UPDATE");
        const stuck = store.enqueue([post('A', 'a1')]).catch((e: unknown) => e);
        const waiting = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
        for (let i = 0; i < 200 && (await sql(db, `SELECT pid ${waiting}`)).length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(await sql(db, `SELECT pg_terminate_backend(pid) AS ended ${waiting}`)).toEqual([{ ended: true }]);
        expect(await stuck).toMatchObject({ code: 'store_failed', fault: 'upstream' });
        expect(String(await stuck)).toMatch(/store: cannot queue Slack writes in PostgreSQL at /);
        await other.query('ROLLBACK');
      } finally {
        await other.end();
      }
      expect(await store.enqueue([post('A', 'a2')])).toHaveLength(1);
      expect((await store.claim(new Date(), 10)).map((e) => e.message.text)).toEqual(['a0']);
      expect(await store.depth()).toEqual({ pending: 1, inflight: 1, dead: 0 });
    });

    test('two replicas (two pools) claiming in a tight loop over many lanes: each row delivered once, lanes in order, never two in flight a lane', async () => {
      const replicas = [await open({ max: 6 }), await open({ max: 6 })];
      const result = await runReplicas(db, replicas, { channels: 30, batchesPerProducer: 100 });
      expect(result.violations).toEqual([]);
      expect(result.doubleInflight).toEqual([]);
      const all = [...result.enqueued.values()].flat();
      expect(all.length).toBeGreaterThan(300);
      expect(result.deliveries).toBe(new Set(all).size);
      expect([...result.delivered.keys()].sort()).toEqual([...result.enqueued.keys()].sort());
      for (const [lane, ids] of result.enqueued) {
        const delivered = result.delivered.get(lane) ?? [];
        // In order: strictly increasing, and exactly the lane's ids (nothing lost, nothing twice).
        expect({ lane, delivered }).toEqual({ lane, delivered: [...new Set(ids)].sort((x, y) => x - y) });
      }
      expect(result.retries).toBeGreaterThan(0);
      expect(await replicas[0]?.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
    }, 120_000);
  });
});

describe('openStore(postgres://…) with no server there', () => {
  test('connection refused: store_failed (upstream), one line naming host:port and what to check, no password', async () => {
    const port = await closedPort();
    const error = await openStore(`postgres://trailbot:hunter2secret@127.0.0.1:${port}/trailbot`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrailbotError);
    expect(error).toMatchObject({ code: 'store_failed', fault: 'upstream' });
    const message = (error as TrailbotError).message;
    expect(message).toBe(
      `TRAILBOT_STORE: cannot connect to PostgreSQL at 127.0.0.1:${port}/trailbot (ECONNREFUSED); ` +
        `nothing answers at 127.0.0.1:${port}: is the server running and listening on that address and port?`,
    );
    expect(message).not.toContain('hunter2secret');
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(
  db: TestDatabase,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const laneOf = (e: { channel: string; kind: string }): string =>
  e.kind === 'update' ? `${e.channel}#update` : e.channel;

interface ReplicaRun {
  /** Per lane, the ids enqueue returned, in the order it returned them. */
  enqueued: Map<string, number[]>;
  /** Per lane, the ids delivered, in delivery order. */
  delivered: Map<string, number[]>;
  deliveries: number;
  retries: number;
  /** What the workers saw go wrong: a lane claimed while in flight, a row claimed while in flight. */
  violations: string[];
  /** Lanes the database showed with two rows in flight at once. */
  doubleInflight: string[];
}

/**
 * Two replicas, each with two producers (enqueue and acceptSnsMessage, to random lanes) and three workers claiming in a
 * tight loop, deliver everything; a tenth of the claims are put back (retryAt now) and must come again, in order.
 * A watcher reads the database the whole time for a lane with two rows in flight.
 */
async function runReplicas(
  db: TestDatabase,
  replicas: readonly Place[],
  { channels, batchesPerProducer }: { channels: number; batchesPerProducer: number },
): Promise<ReplicaRun> {
  const run: ReplicaRun = {
    enqueued: new Map(),
    delivered: new Map(),
    deliveries: 0,
    retries: 0,
    violations: [],
    doubleInflight: [],
  };
  const lanesInFlight = new Set<string>();
  const idsInFlight = new Set<number>();
  let producing = replicas.length * 2;
  let finished = false;
  let seq = 0;

  const produce = async (store: Place, name: string): Promise<void> => {
    for (let b = 0; b < batchesPerProducer; b++) {
      const channel = `C${Math.floor(Math.random() * channels)}`;
      seq += 1;
      const key = `${name}-K${seq}`;
      const writes: OutboxWrite[] =
        b % 3 === 0
          ? [post(channel, `card ${key}`, key), reply(channel, key, `r ${key}`)]
          : b % 3 === 1
            ? [update(channel, key, `v ${key}`), post(channel, `p ${key}`)]
            : [post(channel, `p ${key}`), update(`C${(b * 7) % channels}`, key, `v ${key}`), post(channel, 'p2')];
      const ids =
        b % 3 === 0
          ? await store
              .acceptSnsMessage(`m-${key}`, 'arn:t', '{}', writes, [incident({ key, channel })])
              .then(async (r) => {
                if (r !== 'accepted') throw new Error(`m-${key} was ${r}`);
                // acceptSnsMessage returns no ids: the lane's newest rows of this incident are ours.
                const rows = await sql<{ id: string }>(
                  db,
                  'SELECT id FROM outbox WHERE incident_key = $1 ORDER BY id',
                  [key],
                );
                return rows.map((r) => Number(r.id));
              })
          : await store.enqueue(writes);
      writes.forEach((write, i) => {
        const id = ids[i];
        if (id === undefined) throw new Error('an id is missing');
        const lane = laneOf(write);
        run.enqueued.set(lane, [...(run.enqueued.get(lane) ?? []), id]);
      });
    }
    producing -= 1;
  };

  const work = async (store: Place): Promise<void> => {
    while (!finished) {
      const claimed: OutboxEntry[] = await store.claim(new Date(), 3);
      for (const e of claimed) {
        const lane = laneOf(e);
        if (lanesInFlight.has(lane)) run.violations.push(`lane ${lane} claimed (row ${e.id}) while in flight`);
        if (idsInFlight.has(e.id)) run.violations.push(`row ${e.id} claimed twice`);
        lanesInFlight.add(lane);
        idsInFlight.add(e.id);
      }
      for (const e of claimed) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        // Released here, before the store is told: another replica may take the lane only after that commits.
        lanesInFlight.delete(laneOf(e));
        idsInFlight.delete(e.id);
        if (Math.random() < 0.1) {
          run.retries += 1;
          await store.retryAt(e.id, new Date(), 'test: try again');
        } else {
          run.deliveries += 1;
          run.delivered.set(laneOf(e), [...(run.delivered.get(laneOf(e)) ?? []), e.id]);
          await store.markDelivered(e.id, `${e.id}.000001`);
        }
      }
      if (claimed.length === 0) {
        if (producing === 0) {
          const depth = await store.depth();
          if (depth.pending === 0 && depth.inflight === 0) finished = true;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  };

  const watch = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      while (!finished) {
        const { rows } = await client.query<{ lane: string }>(
          "SELECT lane FROM outbox WHERE state = 'inflight' GROUP BY lane HAVING count(*) > 1",
        );
        run.doubleInflight.push(...rows.map((r) => r.lane));
      }
    } finally {
      await client.end();
    }
  };

  await Promise.all([
    watch(),
    ...replicas.flatMap((store, i) => [produce(store, `r${i}a`), produce(store, `r${i}b`)]),
    ...replicas.flatMap((store) => [work(store), work(store), work(store)]),
  ]);
  return run;
}

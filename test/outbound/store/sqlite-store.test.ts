import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { TrailbotError } from '../../../src/core/errors.js';
import { DEFAULT_STORE_SPEC, openStore, parseStoreSpec } from '../../../src/outbound/store/open-store.js';
import {
  appliedMigrations,
  type Migration,
  migrations,
  openSqliteStore,
} from '../../../src/outbound/store/sqlite-store.js';
import type { Store } from '../../../src/ports.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeStoreContract, entry } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'trailbot-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

const contractPath = join(root, 'contract.db');
describeStoreContract(
  'SQLite file',
  async () => openSqliteStore(contractPath),
  async () => removeDb(contractPath),
  {
    versions: migrations.map((m) => m.version),
    prepareAtVersion: async (version) => {
      const db = new Database(contractPath);
      db.close(); // version 0: an empty database file
      if (version > 0) await openSqliteStore(contractPath, { migrations: migrations.slice(0, version) }).close();
    },
    applied: async () => appliedMigrations(contractPath),
  },
);

const outboxPath = join(root, 'outbox-contract.db');
describeOutboxContract(
  'SQLite file',
  async () => openSqliteStore(outboxPath),
  async () => removeDb(outboxPath),
);

const viaSpecPath = join(root, 'nested', 'deeper', 'via-spec.db');
describeStoreContract(
  'SQLite through openStore(sqlite:PATH)',
  () => openStore(`sqlite:${viaSpecPath}`),
  async () => removeDb(viaSpecPath),
);

describe('SQLite store specifics', () => {
  const opened: Store[] = [];
  let n = 0;
  function freshPath(): string {
    n += 1;
    return join(root, `specific-${n}.db`);
  }
  function open(path: string, ms?: readonly Migration[]): Store {
    const store = openSqliteStore(path, ms === undefined ? {} : { migrations: ms });
    opened.push(store);
    return store;
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  test('WAL journal, a busy timeout, full sync, and an index on at', () => {
    const path = freshPath();
    open(path);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'").all();
      expect(JSON.stringify(indexes)).toMatch(/at_ms/);
    } finally {
      db.close();
    }
  });

  test(':memory: works for quick tests', async () => {
    const store = open(':memory:');
    await store.recordQuery(entry());
    expect(await store.recentQueries(1)).toStrictEqual([entry()]);
  });

  test('migrations are numbered 1, 2, 3… with names', () => {
    migrations.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name).toMatch(/^[a-z_]+$/);
    });
  });

  test('an older file is migrated: only the missing migration runs, and the data stays', async () => {
    const path = freshPath();
    const older = open(path);
    const kept = entry({ query: 'written by the older version' });
    await older.recordQuery(kept);
    await older.close();
    const before = appliedMigrations(path);

    const v2: Migration = {
      version: migrations.length + 1,
      name: 'test_extra_table',
      sql: 'CREATE TABLE test_extra (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;',
    };
    const newer = open(path, [...migrations, v2]);
    expect(await newer.recentQueries(10)).toStrictEqual([kept]);
    const after = appliedMigrations(path);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((m) => m.version)).toEqual([...migrations.map((m) => m.version), v2.version]);
    expect(after.at(-1)?.name).toBe('test_extra_table');
    expect(after.at(-1)?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('a failing migration rolls back entirely and says which one failed', async () => {
    const path = freshPath();
    await open(path).close();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      sql: 'CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    expect(() => openSqliteStore(path, { migrations: [...migrations, broken] })).toThrow(
      new RegExp(`migration ${broken.version} \\(broken\\) failed`),
    );
    expect(appliedMigrations(path).map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  test('a 0-byte file (version 0) is migrated', async () => {
    const path = freshPath();
    writeFileSync(path, '');
    const store = open(path);
    await store.recordQuery(entry());
    expect(await store.recentQueries(1)).toHaveLength(1);
  });

  test('a database with other tables but no schema_migrations (version 0) is migrated and left intact', async () => {
    const path = freshPath();
    const db = new Database(path);
    db.exec("CREATE TABLE unrelated (x TEXT); INSERT INTO unrelated VALUES ('keep me');");
    db.close();
    await open(path).recordQuery(entry());
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare('SELECT x FROM unrelated').get()).toEqual({ x: 'keep me' });
    } finally {
      check.close();
    }
  });

  test('a file from a newer Trailbot is refused, not changed', async () => {
    const path = freshPath();
    const v2: Migration = { version: migrations.length + 1, name: 'future', sql: 'CREATE TABLE future (x TEXT);' };
    await open(path, [...migrations, v2]).close();
    let error: unknown;
    try {
      openSqliteStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrailbotError);
    expect((error as TrailbotError).code).toBe('store_failed');
    expect((error as TrailbotError).message).toMatch(/newer than this Trailbot knows/);
    expect(appliedMigrations(path).map((m) => m.version)).toEqual([...migrations.map((m) => m.version), v2.version]);
  });

  test('a file that is not a database: a store error naming the file', () => {
    const path = freshPath();
    writeFileSync(path, 'this is not SQLite, just some text that is long enough to fill a header page. '.repeat(20));
    expect(() => openSqliteStore(path)).toThrow(TrailbotError);
    expect(() => openSqliteStore(path)).toThrow(path);
  });

  test('migration versions out of order are a bug, caught before touching the file', () => {
    const path = freshPath();
    const gap: Migration[] = [...migrations, { version: migrations.length + 2, name: 'gap', sql: '' }];
    expect(() => openSqliteStore(path, { migrations: gap })).toThrow(/expected/);
  });

  test('another process holding the write lock: a write waits for it (busy timeout) instead of failing', async () => {
    const path = freshPath();
    const store = open(path);
    // A second process takes the write lock, inserts a row, holds the lock for 500 ms, then commits.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3';
         const db = new Database(process.argv[1]);
         db.exec('BEGIN IMMEDIATE');
         db.prepare("INSERT INTO audit_log (at_ms, surface, user_id, query, outcome, events, complete, duration_ms) VALUES (1, 'slash', 'U1', 'other process', 'answered', 0, 1, 0)").run();
         process.stdout.write('locked\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
         db.exec('COMMIT');
         db.close();`,
        path,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => holder.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      holder.on('error', reject);
      holder.on('exit', () => reject(new Error('the lock holder exited before taking the lock')));
    });

    const impatient = openSqliteStore(path, { busyTimeoutMs: 20 });
    opened.push(impatient);
    await expect(impatient.recordQuery(entry({ query: 'impatient' }))).rejects.toThrow(
      /store: cannot write the audit log .*locked/,
    );
    const started = Date.now();
    await store.recordQuery(entry({ query: 'patient' }));
    expect(Date.now() - started).toBeGreaterThan(50);
    expect(await exited).toBe(0);
    expect((await store.recentQueries(10)).map((e) => e.query)).toEqual(['patient', 'other process']);
  });
});

describe('openStore(TRAILBOT_STORE)', () => {
  test('the default spec is sqlite:./trailbot.db', () => {
    expect(DEFAULT_STORE_SPEC).toBe('sqlite:./trailbot.db');
    expect(parseStoreSpec(DEFAULT_STORE_SPEC)).toEqual({ kind: 'sqlite', path: './trailbot.db' });
  });

  test('a relative path is relative to the working folder, and missing folders are created', async () => {
    const target = join(root, 'made', 'for', 'you', 'rel.db');
    const store = await openStore(`sqlite:${relative(process.cwd(), target)}`);
    try {
      await store.recordQuery(entry());
      expect(appliedMigrations(target).length).toBe(migrations.length);
    } finally {
      await store.close();
    }
  });

  test('sqlite::memory: opens an in-memory store', async () => {
    const store = await openStore('sqlite::memory:');
    await store.recordQuery(entry());
    expect(await store.recentQueries(1)).toHaveLength(1);
    await store.close();
  });

  test('a folder that cannot be created: a store error naming it', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(openStore(`sqlite:${join(file, 'sub', 'x.db')}`)).rejects.toThrow(
      /TRAILBOT_STORE: cannot create the folder/,
    );
  });

  test.each([
    ['mysql://u:hunter2secret@h/d', /unknown store kind "mysql"/],
    ['./trailbot.db', /not a store spec/],
    ['sqlite:', /needs a path/],
    ['sqlite://./x.db', /without "\/\/"/],
    ['postgres://u:hunter2secret@[bad', /not a valid PostgreSQL URL/],
    ['', /not a store spec/],
  ])('%p is a config error naming TRAILBOT_STORE and the accepted forms', async (spec, reason) => {
    const error = await openStore(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrailbotError);
    const message = (error as TrailbotError).message;
    expect(message).toMatch(/^TRAILBOT_STORE: /);
    expect(message).toMatch(reason);
    if (!/needs a path|without/.test(message)) expect(message).toContain('use sqlite:PATH');
    expect(message).not.toContain('hunter2secret');
  });
});

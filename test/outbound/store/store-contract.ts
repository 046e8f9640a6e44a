/**
 * The Store contract (src/ports.ts): every implementation (SQLite now, PostgreSQL later) runs this suite
 * against a real store.
 *
 * - `open()` opens the place under test (a file, a database), the same place on every call, creating it when
 *   absent; the suite opens it several times in one test (reopening, two replicas) and closes what it opened.
 * - `cleanup()` removes the place after each test (the suite has closed every store first), so each test
 *   starts from an empty store.
 * - `schema` (optional) lets the suite check versioned migrations.
 *
 * What the suite pins down, beyond the port's types:
 * - every field round-trips exactly: Dates to the millisecond, fractional durationMs, nulls stay null;
 * - text is stored verbatim (quotes, NUL, emoji, RTL marks, 100 000 characters); a lone UTF-16 surrogate,
 *   which no UTF-8 store can hold, comes back as U+FFFD (String.prototype.toWellFormed);
 * - recentQueries: newest `at` first, ties broken by the later recording first; `limit` is a whole number ≥ 0;
 * - concurrent calls all land; two stores open on one place see each other's writes;
 * - an invalid entry (invalid Date, negative or fractional events, non-finite durationMs) is rejected, not stored;
 * - close() may be called twice; calls after it reject.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import type { AuditEntry, Store } from '../../../src/ports.js';

export interface StoreContractSchema {
  /** Every migration version the implementation knows, oldest first. */
  readonly versions: readonly number[];
  /** Leaves the place as an older Trailbot would: only migrations up to `version` applied (0: an empty database). */
  prepareAtVersion(version: number): Promise<void>;
  /** The versions recorded in the place, oldest first, with when each was applied. */
  applied(): Promise<readonly { version: number; appliedAt: string }[]>;
}

export function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: new Date('2025-03-29T01:02:03.456Z'),
    surface: 'slash',
    teamId: 'T0TEAM',
    userId: 'U0ALICE',
    channelId: 'C0OPS',
    query: 'who i-0abc since 2d',
    outcome: 'answered',
    events: 42,
    complete: true,
    durationMs: 1234,
    detail: null,
    ...overrides,
  };
}

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' leading and trailing ',
  "'); DROP TABLE audit_log; --",
  'Robert"); DELETE FROM schema_migrations; --',
  'it\'s "quoted" `back` \\ backslash \\\' \\\\',
  '%_ LIKE wildcards %% __',
  'line one\nline two\r\nline three\ttab',
  'NUL \u0000 inside, and at the end \u0000',
  'control \u0001\u0007\u001b[31m red \u001b[0m \u007f',
  '<!channel> <@U0ALICE> <#C0OPS|ops> &amp; <https://evil.example|click>',
  '日本語のクエリ：誰が i-0abc を停止した？',
  'emoji 🛑🔥👩‍💻 flags 🇯🇵 skin 👍🏽',
  'RTL \u202Egnp.exe\u202C and zero-width \u200B\u200D\uFEFF',
  'combining e\u0301 vs \u00e9 (not normalized)',
  'x'.repeat(100_000),
];

export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  schema?: StoreContractSchema,
): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    async function openStore(): Promise<Store> {
      const store = await open();
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      await cleanup();
    });

    test('a new store is empty', async () => {
      const store = await openStore();
      expect(await store.recentQueries(10)).toEqual([]);
    });

    test('an entry round-trips exactly, every field', async () => {
      const store = await openStore();
      const full = entry({
        at: new Date('2025-12-31T23:59:59.999Z'),
        surface: 'mention',
        outcome: 'failed',
        events: 2 ** 40,
        complete: false,
        durationMs: 12.345,
        detail: 'us-west-2: AccessDenied (cloudtrail:LookupEvents)',
      });
      await store.recordQuery(full);
      const [read] = await store.recentQueries(1);
      expect(read).toStrictEqual(full);
      expect(read?.at).toBeInstanceOf(Date);
      expect(read?.at.getTime()).toBe(full.at.getTime());
    });

    test('nulls stay null (no team, no channel, no detail)', async () => {
      const store = await openStore();
      const sparse = entry({ teamId: null, channelId: null, detail: null, surface: 'button', outcome: 'refused' });
      await store.recordQuery(sparse);
      expect(await store.recentQueries(1)).toStrictEqual([sparse]);
    });

    test('every surface and outcome, and zero values, round-trip', async () => {
      const store = await openStore();
      const surfaces: AuditEntry['surface'][] = ['slash', 'mention', 'button'];
      const outcomes: AuditEntry['outcome'][] = ['answered', 'refused', 'usage', 'failed'];
      const written: AuditEntry[] = [];
      let ms = Date.parse('2025-01-01T00:00:00Z');
      for (const surface of surfaces) {
        for (const outcome of outcomes) {
          ms += 1;
          const e = entry({
            at: new Date(ms),
            surface,
            outcome,
            events: 0,
            durationMs: 0,
            complete: outcome !== 'failed',
          });
          written.push(e);
          await store.recordQuery(e);
        }
      }
      expect(await store.recentQueries(100)).toStrictEqual(written.reverse());
    });

    test('dates keep millisecond precision, far back and far ahead', async () => {
      const store = await openStore();
      const instants = [
        '1970-01-01T00:00:00.000Z',
        '1999-12-31T23:59:59.001Z',
        '2025-06-15T12:00:00.500Z',
        '2038-01-19T03:14:08.123Z',
        '2100-02-28T00:00:00.999Z',
      ];
      for (const [i, iso] of instants.entries()) await store.recordQuery(entry({ at: new Date(iso), query: `q${i}` }));
      const read = await store.recentQueries(10);
      expect(read.map((e) => e.at.toISOString())).toEqual([...instants].reverse());
    });

    test('newest first, whatever the order of recording', async () => {
      const store = await openStore();
      const minutes = [5, 1, 9, 3, 7, 2, 8, 0, 6, 4];
      for (const m of minutes) {
        await store.recordQuery(entry({ at: new Date(Date.UTC(2025, 0, 1, 0, m)), query: `m${m}` }));
      }
      const read = await store.recentQueries(100);
      expect(read.map((e) => e.query)).toEqual(['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    });

    test('entries at the same instant: the later recorded comes first', async () => {
      const store = await openStore();
      const at = new Date('2025-02-02T02:02:02.002Z');
      for (const q of ['first', 'second', 'third']) await store.recordQuery(entry({ at, query: q }));
      expect((await store.recentQueries(3)).map((e) => e.query)).toEqual(['third', 'second', 'first']);
    });

    test('limit: at most that many, the newest', async () => {
      const store = await openStore();
      for (let i = 0; i < 5; i++)
        await store.recordQuery(entry({ at: new Date(Date.UTC(2025, 0, 1, i)), query: `q${i}` }));
      expect(await store.recentQueries(0)).toEqual([]);
      expect((await store.recentQueries(1)).map((e) => e.query)).toEqual(['q4']);
      expect((await store.recentQueries(3)).map((e) => e.query)).toEqual(['q4', 'q3', 'q2']);
      expect(await store.recentQueries(5)).toHaveLength(5);
      expect(await store.recentQueries(1000)).toHaveLength(5);
    });

    test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('limit %p is rejected', async (limit) => {
      const store = await openStore();
      await expect(store.recentQueries(limit)).rejects.toThrow(/limit/);
    });

    test('200 concurrent writes (and reads among them) all land, each once', async () => {
      const store = await openStore();
      const base = Date.parse('2025-04-01T00:00:00Z');
      const writes = Array.from({ length: 200 }, (_, i) =>
        store.recordQuery(entry({ at: new Date(base + i), query: `concurrent ${i}`, events: i })),
      );
      const reads = Array.from({ length: 10 }, () => store.recentQueries(5));
      await Promise.all([...writes, ...reads]);
      const read = await store.recentQueries(1000);
      expect(read).toHaveLength(200);
      expect(read.map((e) => e.query)).toEqual(Array.from({ length: 200 }, (_, i) => `concurrent ${199 - i}`));
      expect(read.map((e) => e.events)).toEqual(Array.from({ length: 200 }, (_, i) => 199 - i));
    });

    test('two stores open on one place (two replicas) see each other’s writes', async () => {
      const a = await openStore();
      const b = await openStore();
      await Promise.all([
        a.recordQuery(entry({ at: new Date(Date.UTC(2025, 0, 1)), query: 'from a' })),
        b.recordQuery(entry({ at: new Date(Date.UTC(2025, 0, 2)), query: 'from b' })),
      ]);
      expect((await a.recentQueries(10)).map((e) => e.query)).toEqual(['from b', 'from a']);
      expect((await b.recentQueries(10)).map((e) => e.query)).toEqual(['from b', 'from a']);
    });

    test('reopening keeps the data', async () => {
      const first = await openStore();
      const e1 = entry({ query: 'before the restart', detail: 'kept' });
      await first.recordQuery(e1);
      await first.close();
      const second = await openStore();
      expect(await second.recentQueries(10)).toStrictEqual([e1]);
      const e2 = entry({ at: new Date(e1.at.getTime() + 1), query: 'after the restart' });
      await second.recordQuery(e2);
      await second.close();
      const third = await openStore();
      expect(await third.recentQueries(10)).toStrictEqual([e2, e1]);
    });

    test.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 60), s]))(
      'text stored verbatim: %s',
      async (_label, text) => {
        const store = await openStore();
        const e = entry({ query: text, detail: text, userId: text, teamId: text, channelId: text });
        await store.recordQuery(e);
        expect(await store.recentQueries(1)).toStrictEqual([e]);
      },
    );

    test('a lone UTF-16 surrogate comes back as U+FFFD', async () => {
      const store = await openStore();
      await store.recordQuery(entry({ query: 'a\uD800b \uDC00c', detail: 'end\uD83D' }));
      const [read] = await store.recentQueries(1);
      expect(read?.query).toBe('a\uFFFDb \uFFFDc');
      expect(read?.detail).toBe('end\uFFFD');
    });

    test('results are fresh objects: changing them changes nothing stored', async () => {
      const store = await openStore();
      const e = entry();
      await store.recordQuery(e);
      const [read] = await store.recentQueries(1);
      if (read === undefined) throw new Error('nothing read');
      read.query = 'changed';
      read.at.setTime(0);
      e.query = 'changed too';
      expect(await store.recentQueries(1)).toStrictEqual([entry()]);
    });

    test.each<[string, Partial<AuditEntry>]>([
      ['an invalid Date', { at: new Date(Number.NaN) }],
      ['negative events', { events: -1 }],
      ['fractional events', { events: 1.5 }],
      ['non-finite durationMs', { durationMs: Number.POSITIVE_INFINITY }],
      ['NaN durationMs', { durationMs: Number.NaN }],
    ])('%s is rejected and nothing is stored', async (_label, bad) => {
      const store = await openStore();
      await expect(store.recordQuery(entry(bad))).rejects.toThrow();
      expect(await store.recentQueries(10)).toEqual([]);
    });

    test('close() twice is fine; calls after close reject', async () => {
      const store = await openStore();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.recordQuery(entry())).rejects.toThrow(/closed/);
      await expect(store.recentQueries(1)).rejects.toThrow(/closed/);
    });

    if (schema !== undefined) {
      describe('migrations', () => {
        const latest = schema.versions.at(-1) ?? 0;

        test('a new store has every migration, each applied once, in order', async () => {
          await openStore();
          expect((await schema.applied()).map((m) => m.version)).toEqual([...schema.versions]);
        });

        test('reopening runs no migration again', async () => {
          await (await openStore()).close();
          const before = await schema.applied();
          await (await openStore()).close();
          await (await openStore()).close();
          expect(await schema.applied()).toEqual(before);
        });

        test.each([0, ...schema.versions.filter((v) => v < latest)])(
          'a store left at version %p is brought to the latest on open, and works',
          async (version) => {
            await schema.prepareAtVersion(version);
            expect((await schema.applied()).map((m) => m.version)).toEqual(schema.versions.filter((v) => v <= version));
            const store = await openStore();
            expect((await schema.applied()).map((m) => m.version)).toEqual([...schema.versions]);
            const e = entry();
            await store.recordQuery(e);
            expect(await store.recentQueries(5)).toStrictEqual([e]);
          },
        );
      });
    }
  });
}

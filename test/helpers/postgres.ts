/**
 * A real PostgreSQL server for the store tests. The server comes from `TRAILBOT_TEST_POSTGRES_URL`
 * (e.g. postgres://trailbot:trailbot@127.0.0.1:5432/trailbot, a role that may CREATE DATABASE; .ci/run sets one up
 * from Debian's packages). `describePostgres` gives its block a fresh database of its own
 * (`trailbot_test_<random>`), created before the block's tests and dropped after them.
 *
 * Without the variable: under CI (`CI` set) the block fails with a test saying what to set, so CI never passes
 * without the PostgreSQL tests; elsewhere it prints one loud warning and skips only the PostgreSQL blocks.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import pg from 'pg';

export const POSTGRES_URL_VARIABLE = 'TRAILBOT_TEST_POSTGRES_URL';

export interface TestDatabase {
  /** The fresh database's URL (read it inside tests and hooks: it exists once the block has started). */
  readonly url: string;
  /** Empties the database (drops and recreates the `public` schema); close every store on it first. */
  reset(): Promise<void>;
}

let warned = false;

/** `describe(name, body)` on a fresh database; skipped (locally) or failing (CI) without a server. */
export function describePostgres(
  name: string,
  body: (db: TestDatabase) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const serverUrl = env[POSTGRES_URL_VARIABLE]?.trim() ?? '';
  if (serverUrl === '') {
    const unavailable: TestDatabase = {
      get url(): string {
        throw new Error(`${POSTGRES_URL_VARIABLE} is not set`);
      },
      reset: async () => undefined,
    };
    if (env.CI !== undefined && env.CI !== '') {
      describe(name, () => {
        test(`needs a PostgreSQL server (${POSTGRES_URL_VARIABLE})`, () => {
          throw new Error(
            `${POSTGRES_URL_VARIABLE} is not set, and CI must run the PostgreSQL store tests: set it to a server ` +
              'where the role may create databases, e.g. postgres://trailbot:trailbot@127.0.0.1:5432/trailbot ' +
              '(.ci/run installs and starts one)',
          );
        });
      });
      return;
    }
    if (!warned) {
      warned = true;
      console.warn(
        `⚠️  PostgreSQL tests SKIPPED: set ${POSTGRES_URL_VARIABLE} (e.g. ` +
          'postgres://trailbot:trailbot@127.0.0.1:5432/trailbot, a role that may create databases) to run them. ' +
          'CI runs them and fails without it.',
      );
    }
    describe.skip(name, () => body(unavailable));
    return;
  }

  describe(name, () => {
    const database = `trailbot_test_${randomBytes(6).toString('hex')}`;
    let url: string | undefined;
    beforeAll(async () => {
      await onServer(serverUrl, `CREATE DATABASE ${database}`);
      url = withDatabase(serverUrl, database);
    });
    afterAll(async () => {
      if (url !== undefined) await onServer(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });
    body({
      get url(): string {
        if (url === undefined) throw new Error('the test database is created in beforeAll: read url inside a test');
        return url;
      },
      async reset(): Promise<void> {
        if (url === undefined) return;
        await onServer(url, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
      },
    });
  });
}

/** The same server and role, another database. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `sql` on its own short connection. */
export async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(url);
    throw new Error(
      `cannot reach the PostgreSQL server of ${POSTGRES_URL_VARIABLE} (${where.hostname}:${where.port || '5432'}): ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL store's connection (node-postgres `Pool`): opening it, one transaction, and how values cross the
 * wire. Shared by postgres-migrations.ts, postgres-store.ts and postgres-outbox.ts.
 *
 * - A URL may hold a password: every message names the server as `PostgreSQL at HOST:PORT/DB` and never repeats
 *   the password (a driver message that did would be scrubbed).
 * - BIGINT (ids, counts) comes back as a JS number (the driver's default is a string); a value past 2^53 is refused.
 * - Text: PostgreSQL's `text` cannot hold U+0000, which the store must keep verbatim. So NUL is stored as
 *   U+FFFE + '0' and U+FFFE itself as U+FFFE + '1' (U+FFFE is a Unicode noncharacter: it never turns up in real
 *   text); every other string is stored as is, readable and searchable with plain SQL. A lone UTF-16 surrogate,
 *   which no UTF-8 store can hold, becomes U+FFFD (String.prototype.toWellFormed), as in the SQLite store.
 */
import pg, { type Pool, type PoolClient } from 'pg';
import { TrailbotError } from '../../core/errors.js';

export interface PostgresTarget {
  /** `PostgreSQL at HOST:PORT/DB`: how messages name the server (never with the password). */
  readonly where: string;
  /** `HOST:PORT` (or the socket folder). */
  readonly hostPort: string;
  /** The database and the user as messages name them: `"name"`, or what the URL leaves to the defaults. */
  readonly database: string;
  readonly user: string;
  /** Strings no message may contain (the password, raw and percent-decoded). */
  readonly secrets: readonly string[];
}

/** Reads the parts of a `postgres://` URL that messages name (parseStoreSpec has checked the form). */
export function describeTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { where: 'PostgreSQL (an unreadable URL)', hostPort: '?', database: '?', user: '?', secrets: [] };
  }
  const socket = parsed.searchParams.get('host');
  const host = socket ?? (parsed.hostname === '' ? 'localhost' : parsed.hostname);
  const hostPort = socket !== null ? socket : `${host}:${parsed.port === '' ? '5432' : parsed.port}`;
  // What the URL leaves out, node-postgres takes from PGUSER / PGDATABASE (else the OS user): said, not looked up.
  const user = decode(parsed.username);
  const database = decode(parsed.pathname.slice(1));
  const secrets = [parsed.password, decode(parsed.password)].filter((s) => s.length >= 2);
  return {
    where: `PostgreSQL at ${hostPort}/${database || '(the default database)'}`,
    hostPort,
    database: database === '' ? 'the default database (PGDATABASE, else the user name)' : `"${database}"`,
    user: user === '' ? 'the default user (PGUSER, else the OS user)' : `"${user}"`,
    secrets,
  };
}

export interface PoolOptions {
  /** Connections in the pool (default 10). */
  readonly max?: number;
  /** How long a new connection may take, in ms (default 10 000). */
  readonly connectionTimeoutMs?: number;
}

/**
 * A pool whose first connection has been made: a server that cannot be reached, or refuses the login, is a
 * `store_failed` error (fault upstream) on one line that says what to check.
 */
export async function openPool(url: string, target: PostgresTarget, options: PoolOptions = {}): Promise<Pool> {
  const timeoutMs = options.connectionTimeoutMs ?? 10_000;
  const pool = createPool(url, options);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(target, error, timeoutMs);
  }
  return pool;
}

/** A pool that has not connected yet (openPool checks the first connection; the lock pool connects on demand). */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  });
  // An idle connection that the server drops (a restart, a failover) is reported here; without a listener Node
  // would end the process. The pool replaces it, and the next query that fails says so.
  pool.on('error', () => undefined);
  return pool;
}

function connectError(target: PostgresTarget, error: unknown, timeoutMs: number): TrailbotError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  let hint: string;
  switch (code) {
    case 'ECONNREFUSED':
      hint = `nothing answers at ${target.hostPort}: is the server running and listening on that address and port?`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      hint = 'the host name does not resolve: check the host in TRAILBOT_STORE';
      break;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      hint = `check the host, the port and any firewall between here and ${target.hostPort}`;
      break;
    case '28P01':
    case '28000':
      hint = `the server refused the login of ${target.user}: check the user and password in TRAILBOT_STORE (and the server's pg_hba.conf)`;
      break;
    case '3D000':
      hint = `the database ${target.database} does not exist: create it (createdb) or fix its name in TRAILBOT_STORE`;
      break;
    default:
      hint = /timeout/i.test(message)
        ? `no answer within ${timeoutMs / 1000} s: check the host, the port and any firewall between here and ${target.hostPort}`
        : /ssl|tls|certificate/i.test(message)
          ? 'check sslmode (and the certificates) in TRAILBOT_STORE'
          : 'check TRAILBOT_STORE (host, port, user, password, database) and that the server is reachable';
  }
  // Only the driver's words are scrubbed: ours never hold the password (and may name a database spelt like it).
  const reason =
    typeof code === 'string' && /^E[A-Z]+$/.test(code)
      ? code
      : code === '28P01'
        ? 'password authentication failed'
        : code === '3D000'
          ? 'no such database'
          : scrub(oneLine(message), target);
  return new TrailbotError(
    'store_failed',
    `TRAILBOT_STORE: cannot connect to ${target.where} (${reason}); ${hint}`,
    'upstream',
    {
      cause: error,
    },
  );
}

/** Runs `work` in one transaction (READ COMMITTED) on one connection; a deadlock is retried twice. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors on idle connections only: one lost while checked out (a server restart, a
    // terminated backend) would otherwise be an unhandled 'error' event, ending the process. The query under way
    // rejects as well, which is what the caller sees.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      if (attempt < 3 && isTransient(error)) continue;
      throw error;
    } finally {
      // A connection that failed (or whose ROLLBACK did) is in an unknown state: the pool closes it.
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

/** deadlock_detected, serialization_failure: the transaction was rolled back and may simply run again. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const INT8_OID = 20;

function typeParser(oid: number, format?: string): unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
}

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`a BIGINT past 2^53 (${text}) cannot be read as a number`);
  return n;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL's text cannot hold.
const NUL_OR_ESCAPE = /[\u0000\uFFFE]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as stored (see the header): NUL and U+FFFE escaped, lone surrogates made U+FFFD. */
export function toDbText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(NUL_OR_ESCAPE, (c) => (c === '\u0000' ? '\uFFFE0' : '\uFFFE1'));
}

export function toDbTextOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : toDbText(text);
}

/** The string stored by toDbText, back. */
export function fromDbText(text: string): string {
  return text.includes('\uFFFE')
    ? text.replace(/\uFFFE([01])/g, (_, d: string) => (d === '0' ? '\u0000' : '\uFFFE'))
    : text;
}

export function fromDbTextOrNull(text: string | null): string | null {
  return text === null ? null : fromDbText(text);
}

export function storeError(target: PostgresTarget, what: string, error: unknown): TrailbotError {
  const reason = error instanceof Error ? error.message : String(error);
  const said = scrub(oneLine(reason), target);
  return new TrailbotError('store_failed', `store: ${what} in ${target.where}: ${said}`, 'upstream', { cause: error });
}

function scrub(message: string, target: PostgresTarget): string {
  return target.secrets.reduce((text, secret) => text.split(secret).join('***'), message);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * `TRAILBOT_STORE` → a Store: `sqlite:PATH` (default `sqlite:./trailbot.db`, relative to the working folder;
 * missing parent folders are created), or `postgres://…` / `postgresql://…` (PostgreSQL, for several replicas).
 * A spec may hold a password (a PostgreSQL URL): messages never repeat one.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TrailbotError } from '../../core/errors.js';
import type { Coordination, Outbox, Store } from '../../ports.js';

export const DEFAULT_STORE_SPEC = 'sqlite:./trailbot.db';

export type StoreSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string }
  /** `problem` says what is wrong and what to set instead, without the variable's name or value. */
  | { kind: 'invalid'; problem: string };

const FORMS = 'use sqlite:PATH (default sqlite:./trailbot.db) or postgres://USER:PASSWORD@HOST/DB';

/** Pure: reads the spec's form only (config.ts reports a bad one with the other problems). */
export function parseStoreSpec(spec: string): StoreSpec {
  const text = spec.trim();
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (path === '') return { kind: 'invalid', problem: 'sqlite: needs a path, e.g. sqlite:./trailbot.db' };
    if (path.startsWith('//')) {
      return {
        kind: 'invalid',
        problem: 'write sqlite:PATH without "//", e.g. sqlite:./trailbot.db or sqlite:/var/lib/trailbot/trailbot.db',
      };
    }
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    if (!URL.canParse(text)) return { kind: 'invalid', problem: `not a valid PostgreSQL URL; ${FORMS}` };
    return { kind: 'postgres', url: text };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]{0,19}):/.exec(text)?.[1];
  const what = scheme === undefined ? 'not a store spec' : `unknown store kind "${scheme}"`;
  return { kind: 'invalid', problem: `${what}; ${FORMS}` };
}

/** The Store, which is also the Outbox (docs/outbox.md) and says who shares it (Coordination). */
export async function openStore(spec: string = DEFAULT_STORE_SPEC): Promise<Store & Outbox & Coordination> {
  const parsed = parseStoreSpec(spec);
  switch (parsed.kind) {
    case 'invalid':
      throw new TrailbotError('config', `TRAILBOT_STORE: ${parsed.problem}`, 'user');
    case 'postgres': {
      // Loaded on demand, like SQLite: a SQLite deployment never loads the PostgreSQL driver.
      const { openPostgresStore } = await import('./postgres-store.js');
      return openPostgresStore(parsed.url);
    }
    case 'sqlite': {
      const path = parsed.path === ':memory:' ? parsed.path : resolve(parsed.path);
      if (path !== ':memory:') {
        try {
          await mkdir(dirname(path), { recursive: true });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          throw new TrailbotError(
            'store_failed',
            `TRAILBOT_STORE: cannot create the folder ${dirname(path)} (${code})`,
            'upstream',
            { cause: error },
          );
        }
      }
      // Loaded on demand, so reading a spec (config.ts) never loads the native SQLite module.
      const { openSqliteStore } = await import('./sqlite-store.js');
      return openSqliteStore(path);
    }
  }
}

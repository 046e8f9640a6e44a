/**
 * The accounts map (TRAILBOT_CONFIG `accounts:`): which accounts a question reads, and what `account <id|alias>`
 * names. With a map, a question without `account` reads every account in it; `account prod` (an alias, any case) or
 * `account 123456789012` reads that one; anything else is a usage error that lists what is known. Without a map,
 * Trailbot reads the credentials' own account, and `account` only filters records by id. Pure.
 */
import { planLookup } from './lookup-plan.js';
import { closestWord } from './query/closest-word.js';
import type { TrailQuery } from './trail-query.js';

/** One account of the map, as the query side needs it. */
export interface AccountRef {
  /** 12 digits. */
  readonly id: string;
  /** Unique in the map regardless of case; null when the account has none. */
  readonly alias: string | null;
  /** Regions read in this account when the question has no `in`; null: the default regions. */
  readonly regions: readonly string[] | null;
}

/** One account of the map with how to reach it (TRAILBOT_CONFIG `accounts:`, read by config.ts). */
export interface AccountSettings extends AccountRef {
  /** The read-only role assumed in the account (default `arn:aws:iam::<id>:role/TrailbotReadOnly`). */
  readonly roleArn: string;
  /** AssumeRole's ExternalId, when the role's trust policy asks for one. */
  readonly externalId: string | null;
}

/** The role name an account's roleArn defaults to (`accountsRoleName` changes it). */
export const DEFAULT_ACCOUNTS_ROLE_NAME = 'TrailbotReadOnly';

export type AccountResolution =
  | {
      ok: true;
      /** The id every record must carry (the query's `account`, resolved), or null for any. */
      id: string | null;
      /** The accounts to read: one, or the whole map; null without a map (the credentials' own account). */
      accounts: readonly AccountRef[] | null;
    }
  | { ok: false; message: string };

/** Aliases and ids named in a message before `+N more`. */
const LISTED = 10;

/** `prod (123456789012)`, or the id alone. */
export function accountLabel(account: Pick<AccountRef, 'id' | 'alias'>): string {
  return account.alias === null ? account.id : `${account.alias} (${account.id})`;
}

/** The alias, or the id when there is none: the short name shown beside each record. */
export function accountShortName(account: Pick<AccountRef, 'id' | 'alias'>): string {
  return account.alias ?? account.id;
}

/** `account X` of a query (null: none) against the accounts map (null or empty: none configured). */
export function resolveAccount(account: string | null, map: readonly AccountRef[] | null): AccountResolution {
  const configured = map !== null && map.length > 0;
  const isId = account !== null && /^\d{12}$/.test(account);
  if (!configured) {
    if (account === null || isId) return { ok: true, id: account, accounts: null };
    return {
      ok: false,
      message:
        `account "${account}": an alias needs an accounts map; add \`accounts:\` to TRAILBOT_CONFIG, each with ` +
        'its 12-digit id and alias (see config.example.yml), or use the 12-digit account id',
    };
  }
  if (account === null) return { ok: true, id: null, accounts: map };
  if (isId) {
    const found = map.find((a) => a.id === account);
    if (found !== undefined) return { ok: true, id: found.id, accounts: [found] };
    return {
      ok: false,
      message: `account ${account} is not in the accounts map (${listOf(map.map(accountLabel))}); add it to \`accounts:\` in TRAILBOT_CONFIG, or ask without \`account\` to read them all`,
    };
  }
  const lower = account.toLowerCase();
  const found = map.find((a) => a.alias?.toLowerCase() === lower);
  if (found !== undefined) return { ok: true, id: found.id, accounts: [found] };
  const aliases = map.flatMap((a) => (a.alias === null ? [] : [a.alias]));
  if (aliases.length === 0) {
    return {
      ok: false,
      message: `account "${account}": the accounts map gives no aliases; use an id (${listOf(map.map((a) => a.id))}), or add \`alias:\` to the account in TRAILBOT_CONFIG`,
    };
  }
  const guess = closestWord(
    account,
    aliases.map((a) => a.toLowerCase()),
  );
  const meant = guess === null ? undefined : aliases.find((a) => a.toLowerCase() === guess);
  const suggestion = meant === undefined ? '' : `did you mean ${meant}? `;
  return {
    ok: false,
    message: `account "${account}" is not an alias in the accounts map; ${suggestion}the aliases are ${listOf([...aliases].sort((a, b) => a.localeCompare(b, 'en')))}`,
  };
}

/**
 * The regions one account reads: its own list when the question has no `in`, else the request's (`in`, or the
 * defaults; null: the source's own default). A source and the answer's record matcher both use this rule.
 */
export function regionsOfAccount(
  account: AccountRef,
  query: Pick<TrailQuery, 'regions'>,
  regions: readonly string[] | null,
): readonly string[] | null {
  return query.regions === null && account.regions !== null ? account.regions : regions;
}

/**
 * The regions a question reads, and those its answer's records may come from. `read` goes to the source: the query's
 * `in`, else the defaults (null: every region the source has, or its own default), with us-east-1 added for a live
 * source's global events as planLookup adds it. `match` is what the record matcher accepts: `read`, widened by the
 * accounts that read regions of their own (null: any region).
 */
export function questionRegions(
  kind: 'files' | 'live',
  query: TrailQuery,
  defaultRegions: readonly string[] | null,
  accounts: readonly AccountRef[] | null,
): { read: string[] | null; match: string[] | null } {
  const asked = query.regions === 'all' ? null : (query.regions ?? defaultRegions);
  const plan = (regions: readonly string[] | null): string[] | null =>
    regions === null ? null : kind === 'live' ? planLookup(query, regions).regions : [...regions];
  const read = plan(asked);
  if (accounts === null || query.regions !== null) return { read, match: read };
  const each = accounts.map((account) => plan(regionsOfAccount(account, query, asked)));
  if (each.some((regions) => regions === null)) return { read, match: null };
  return { read, match: [...new Set(each.flatMap((regions) => regions ?? []))] };
}

function listOf(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

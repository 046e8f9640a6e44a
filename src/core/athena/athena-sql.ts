/**
 * The SQL one question sends to Athena, over the organization trail's table (README, "Athena: the long history":
 * AWS's documented CloudTrail table, partition projection on `account`, `region` and `timestamp` = `yyyy/MM/dd`).
 * Pure: no I/O, no clock, no env.
 *
 * What it selects: the columns a CloudTrail record is rebuilt from (athena-row.ts), struct columns as JSON text.
 * What it filters on, in two kinds:
 * - Partition predicates, for pruning (Athena reads only the S3 prefixes they name, and bills by bytes read): the
 *   days of the window, the regions asked, the account asked. Their values are days we format, and region codes and
 *   account ids whose shape is checked first (`eu-west-1`, 12 digits; anything else is a usage error), written as SQL
 *   string literals by `sqlString` (partition projection needs values it can evaluate before reading data; an
 *   `injected` account column needs literal equalities).
 * - Event predicates: every other value that comes from the question goes in as an Athena execution parameter (a `?`
 *   placeholder in the statement, the value in ExecutionParameters, itself written by `sqlString`, as Athena wants a
 *   string parameter quoted). Beyond those checked codes the statement's text holds nothing of the question, so no
 *   value can change its structure.
 * The caller's record matcher checks every condition again (as it does for LookupEvents), so the SQL narrows
 * generously and is never stricter than the matcher: a condition that SQL cannot express exactly is widened (an IP
 * range to its whole octets, a user to words of the identity, a resource to a substring of the request) or left to
 * the matcher. `ORDER BY eventtime DESC LIMIT maxRows + 1`: a cut answer keeps the newest events, as LookupEvents'
 * does, and the extra row tells a cut answer from a whole one.
 */
import { looksLikeRegion } from '../aws-regions.js';
import { TrailbotError } from '../errors.js';
import { parseFilterPattern } from '../filter-pattern/filter-pattern.js';
import { type LookupAttribute, patternAttributes } from '../lookup-plan.js';
import { parseIpSpec } from '../query/match-ip.js';
import type { QueryFilters, TrailQuery } from '../trail-query.js';

/** A column of the SELECT list: struct columns come back as JSON text (`json_format(CAST(col AS JSON))`). */
export interface SelectedColumn {
  name: string;
  struct: boolean;
}

/**
 * What a record is rebuilt from. Every one is in the documented table (the 2023 and later DDL; the older one lacks
 * only `sessioncredentialfromconsole`). The value of a column is its text, or JSON text for the two structs.
 */
export const SELECTED_COLUMNS: readonly SelectedColumn[] = [
  { name: 'eventversion', struct: false },
  { name: 'useridentity', struct: true },
  { name: 'eventtime', struct: false },
  { name: 'eventsource', struct: false },
  { name: 'eventname', struct: false },
  { name: 'awsregion', struct: false },
  { name: 'sourceipaddress', struct: false },
  { name: 'useragent', struct: false },
  { name: 'errorcode', struct: false },
  { name: 'errormessage', struct: false },
  { name: 'requestparameters', struct: false },
  { name: 'responseelements', struct: false },
  { name: 'additionaleventdata', struct: false },
  { name: 'requestid', struct: false },
  { name: 'eventid', struct: false },
  { name: 'readonly', struct: false },
  { name: 'resources', struct: true },
  { name: 'eventtype', struct: false },
  { name: 'apiversion', struct: false },
  { name: 'recipientaccountid', struct: false },
  { name: 'serviceeventdetails', struct: false },
  { name: 'sharedeventid', struct: false },
  { name: 'vpcendpointid', struct: false },
  { name: 'sessioncredentialfromconsole', struct: false },
];

/** Database and table names: one plain SQL identifier each (Glue's names), double-quoted in the statement. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How late CloudTrail may deliver a file: its S3 day (the delivery day) can follow the event's day by this much. */
export const DELIVERY_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * The longest parameter literal sent (quotes included). Longer values are left to the matcher: a conservative cap
 * (Athena limits execution parameters; the exact figure was not confirmed here), and no CloudTrail id is that long.
 */
export const MAX_PARAMETER_LENGTH = 1024;

/** Words actor names are made of that are not in the identity itself (`idc:<id>`, `account <id>`, `unknown`). */
const MADE_UP_WORDS = new Set(['root', 'account', 'idc', 'unknown']);
/** Characters of IAM, STS and Identity Center names that JSON never escapes: what a word of a user may hold. */
const NAME_WORD = /^[a-z0-9+=,.@_-]{2,}$/;
/** At most this many words of a user are required (the longest ones). */
const MAX_USER_WORDS = 4;

export interface AthenaTableName {
  database: string;
  table: string;
}

export interface AthenaSqlInput {
  table: AthenaTableName;
  query: TrailQuery;
  /** Inclusive; required: Athena bills by the bytes of the days read, so every statement names its days. */
  from: Date;
  /** Inclusive; null: up to now (the newest partitions). */
  to: Date | null;
  /** Regions to read (partition `region`); null: every region. Never empty. */
  regions: readonly string[] | null;
  /** Narrowing in place of a LookupEvents series (`scan` passes its pinned names): any one of them holds. */
  attributes?: readonly LookupAttribute[];
  /** Rows the answer reads at most. */
  maxRows: number;
}

export interface AthenaStatement {
  sql: string;
  /** StartQueryExecution's ExecutionParameters, in placeholder order: each one SQL string literal. */
  parameters: string[];
}

/**
 * `value` as one SQL string literal: single quotes doubled, nothing else changed (Athena's SQL has no backslash
 * escapes in plain literals). Refuses what a literal must not carry: control characters (newlines included) and
 * unpaired surrogates.
 */
export function sqlString(value: string): string {
  if (!canQuote(value))
    throw new TrailbotError(
      'usage',
      'a value with a control character (or broken Unicode) cannot be sent to Athena: ask without it',
      'user',
    );
  return `'${value.replaceAll("'", "''")}'`;
}

/** Whether `sqlString` takes `value`. */
export function canQuote(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return false;
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** A database or table name, double-quoted; anything but a plain identifier is a usage error. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new TrailbotError(
      'usage',
      `"${name.slice(0, 64)}" is not a database or table name Trailbot takes: letters, digits and _ only, e.g. cloudtrail.org_trail`,
      'user',
    );
  return `"${name}"`;
}

/** The S3 day (partition `timestamp`) of an instant: `yyyy/MM/dd`, UTC. */
export function partitionDay(at: Date): string {
  return isoText(at).slice(0, 10).replaceAll('-', '/');
}

/** The statement and its parameters for one question. */
export function buildAthenaQuery(input: AthenaSqlInput): AthenaStatement {
  const { query, from, to } = input;
  const where = new Where();

  // Partitions: days, regions, account.
  const firstDay = partitionDay(from);
  if (to === null) where.add(`"timestamp" >= ${sqlString(firstDay)}`);
  else {
    if (to.getTime() < from.getTime()) throw new TrailbotError('internal', 'the window ends before it starts', 'bug');
    const lastDay = partitionDay(new Date(to.getTime() + DELIVERY_SLACK_MS));
    where.add(`"timestamp" BETWEEN ${sqlString(firstDay)} AND ${sqlString(lastDay)}`);
  }
  if (input.regions !== null) {
    if (input.regions.length === 0) throw new TrailbotError('internal', 'no region to read', 'bug');
    where.add(`region IN (${[...new Set(input.regions)].map(regionLiteral).join(', ')})`);
  }
  if (query.account !== null) where.add(`account = ${accountLiteral(query.account)}`);

  // The window, to the second: [floor(from), floor(to) + 1s). CloudTrail writes `YYYY-MM-DDTHH:MM:SSZ`; the lower
  // bound has no zone letter so that a fraction (`…:00.5Z`) still sorts after it.
  where.add(`eventtime >= ${where.bind(isoText(from).slice(0, 19))}`);
  if (to !== null) where.add(`eventtime < ${where.bind(isoText(new Date(to.getTime() + 1000)).slice(0, 19))}`);

  filterPredicates(query.filters, where);
  if (query.access === 'reads') where.add(`(readonly IS NULL OR lower(readonly) <> 'false')`);
  if (query.access === 'writes') where.add(`(readonly IS NULL OR lower(readonly) <> 'true')`);
  if (input.attributes !== undefined && input.attributes.length > 0) {
    // Any one attribute may hold: if one of them cannot be narrowed, none is.
    const mark = where.parameters.length;
    const any = input.attributes.map((attribute) => attributePredicate(attribute, where));
    if (any.every((p) => p !== null)) where.add(`(${any.join(' OR ')})`);
    else where.rollback(mark);
  }

  const limit = Math.max(1, Math.floor(input.maxRows)) + 1;
  const columns = SELECTED_COLUMNS.map((c) =>
    c.struct ? `json_format(CAST(${c.name} AS JSON)) AS ${c.name}` : c.name,
  );
  const sql = [
    `SELECT ${columns.join(', ')}`,
    `FROM ${quoteIdentifier(input.table.database)}.${quoteIdentifier(input.table.table)}`,
    `WHERE ${where.parts.join('\n  AND ')}`,
    'ORDER BY eventtime DESC',
    `LIMIT ${limit}`,
  ].join('\n');
  return { sql, parameters: where.parameters };
}

/** Predicates and the parameters their placeholders stand for, in order. */
class Where {
  readonly parts: string[] = [];
  readonly parameters: string[] = [];

  add(predicate: string): void {
    this.parts.push(predicate);
  }

  /** A placeholder for `value` (check `bindable` first). */
  bind(value: string): string {
    this.parameters.push(sqlString(value));
    return '?';
  }

  /** Forgets the parameters bound since `mark`, for predicates built and then not added. */
  rollback(mark: number): void {
    this.parameters.length = mark;
  }
}

/** A value that can travel as a parameter: quotable, and not past Athena's parameter length. */
function bindable(value: string): boolean {
  return canQuote(value) && value.length + 2 + countQuotes(value) <= MAX_PARAMETER_LENGTH;
}

function countQuotes(value: string): number {
  let n = 0;
  for (const ch of value) if (ch === "'") n += 1;
  return n;
}

function filterPredicates(filters: QueryFilters, where: Where): void {
  if (filters.eventId !== null && bindable(filters.eventId)) where.add(`eventid = ${where.bind(filters.eventId)}`);
  if (filters.accessKeyId !== null && bindable(filters.accessKeyId))
    where.add(`useridentity.accesskeyid = ${where.bind(filters.accessKeyId)}`);
  // The matcher compares event names case-insensitively; ASCII folds the same in SQL and in JavaScript.
  if (filters.eventName !== null && isAscii(filters.eventName) && bindable(filters.eventName))
    where.add(`lower(eventname) = ${where.bind(filters.eventName.toLowerCase())}`);
  if (filters.user !== null) {
    const predicate = userPredicate(filters.user, where);
    if (predicate !== null) where.add(predicate);
  }
  if (filters.resource !== null) {
    const predicate = resourcePredicate(filters.resource, where);
    if (predicate !== null) where.add(predicate);
  }
  if (filters.ip !== null) {
    const predicate = ipPredicate(filters.ip, where);
    if (predicate !== null) where.add(predicate);
  }
  // A failed call: an errorCode, an errorMessage, or a sign-in whose response says `Failure` (errors.ts).
  if (filters.errorsOnly)
    where.add(`(errorcode IS NOT NULL OR errormessage IS NOT NULL OR strpos(responseelements, 'Failure') > 0)`);
  if (filters.pattern !== null) {
    const parsed = parseFilterPattern(filters.pattern);
    if (parsed.ok) {
      const pinned = patternAttributes(parsed.pattern);
      const column = pinned[0]?.key === 'EventSource' ? 'eventsource' : 'eventname';
      if (pinned.length > 0 && pinned.every((a) => bindable(a.value)))
        where.add(`${column} IN (${pinned.map((a) => where.bind(a.value)).join(', ')})`);
    }
  }
}

/**
 * `user X` matches an actor's name, its session or a part of its ARN (match-record.ts), and every one of those is
 * made of the identity's own values (actor.ts), joined by `/`, `:`, spaces or parentheses, plus a few words of ours.
 * So each word of X (those JSON never escapes) is in the identity's JSON, lower-cased: these words, longest first.
 */
export function userWords(user: string): string[] {
  return [...new Set(user.toLowerCase().split(/[/:\s()]+/))]
    .filter((w) => NAME_WORD.test(w) && !MADE_UP_WORDS.has(w) && bindable(w))
    .sort((a, b) => b.length - a.length)
    .slice(0, MAX_USER_WORDS);
}

function userPredicate(user: string, where: Where): string | null {
  const words = userWords(user);
  if (words.length === 0) return null;
  const identity = 'lower(json_format(CAST(useridentity AS JSON)))';
  return words.map((w) => `strpos(${identity}, ${where.bind(w)}) > 0`).join(' AND ');
}

/**
 * `who X` matches a resource named X, or whose name ends in `/X` or `:X` (match-record.ts). Names are values of the
 * record's resources block, request or response (resources.ts), or `<bucket>/<key>` for an S3 object: in every case
 * the part of X after its last `/` is inside one of those three, as written, unless JSON escaped it. That part, or
 * null where it is empty or holds what JSON may escape.
 */
export function resourceNeedle(resource: string): string | null {
  const needle = resource.slice(resource.lastIndexOf('/') + 1);
  if (needle === '' || !/^[\x20-\x7e]+$/.test(needle) || /["\\]/.test(needle) || !bindable(needle)) return null;
  return needle;
}

function resourcePredicate(resource: string, where: Where): string | null {
  const needle = resourceNeedle(resource);
  if (needle === null) return null;
  const inRequest = `strpos(requestparameters, ${where.bind(needle)}) > 0`;
  const inResponse = `strpos(responseelements, ${where.bind(needle)}) > 0`;
  const inResources = `strpos(json_format(CAST(resources AS JSON)), ${where.bind(needle)}) > 0`;
  return `(${inRequest} OR ${inResponse} OR ${inResources})`;
}

/** How `ip X` narrows sourceIPAddress: the text equals or starts with `text`, or has a colon; null: not at all. */
export type IpNarrowing = { kind: 'equals' | 'startsWith'; text: string; orColon: true } | { kind: 'colon' } | null;

/**
 * `ip X`: an IPv4 address or range is narrowed to the whole octets it fixes (`10.1.16.0/20` → starts with `10.1.`),
 * and keeps every source with a colon (an IPv4-mapped `::ffff:10.1.2.3` is that IPv4 address to the matcher); an
 * IPv6 range keeps the sources with a colon. The matcher decides the rest.
 */
export function ipNarrowing(spec: string): IpNarrowing {
  const range = parseIpSpec(spec.trim());
  if (range === null) return null;
  if (range.address.kind() === 'ipv6') return { kind: 'colon' };
  const octets = range.address.toByteArray();
  const whole = Math.floor(range.bits / 8);
  if (whole === 0) return null;
  if (whole === 4) return { kind: 'equals', text: octets.join('.'), orColon: true };
  return { kind: 'startsWith', text: `${octets.slice(0, whole).join('.')}.`, orColon: true };
}

function ipPredicate(spec: string, where: Where): string | null {
  const narrowing = ipNarrowing(spec);
  if (narrowing === null) return null;
  const colon = "strpos(sourceipaddress, ':') > 0";
  if (narrowing.kind === 'colon') return colon;
  // The matcher trims the address; digits and dots need no LIKE escaping.
  const test =
    narrowing.kind === 'equals'
      ? `trim(sourceipaddress) = ${where.bind(narrowing.text)}`
      : `trim(sourceipaddress) LIKE ${where.bind(`${narrowing.text}%`)}`;
  return `(${test} OR ${colon})`;
}

/** One attribute of a LookupEvents series, as a predicate; null when SQL cannot narrow it. */
function attributePredicate(attribute: LookupAttribute, where: Where): string | null {
  const { key, value } = attribute;
  if (!bindable(value)) return null;
  switch (key) {
    case 'EventId':
      return `eventid = ${where.bind(value)}`;
    case 'AccessKeyId':
      return `useridentity.accesskeyid = ${where.bind(value)}`;
    case 'EventName':
      return `eventname = ${where.bind(value)}`;
    case 'EventSource':
      return `eventsource = ${where.bind(value)}`;
    case 'ResourceName':
      return resourcePredicate(value, where);
    case 'Username': {
      const predicate = userPredicate(value, where);
      return predicate === null ? null : `(${predicate})`;
    }
  }
}

function regionLiteral(region: string): string {
  if (!looksLikeRegion(region))
    throw new TrailbotError('usage', `"${region.slice(0, 40)}" is not a region code such as eu-west-1`, 'user');
  return sqlString(region);
}

function accountLiteral(account: string): string {
  if (!/^\d{12}$/.test(account))
    throw new TrailbotError(
      'usage',
      `account "${account.slice(0, 40)}": Athena questions take a 12-digit account id`,
      'user',
    );
  return sqlString(account);
}

function isAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

function isoText(at: Date): string {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new TrailbotError('internal', 'an invalid date reached the Athena query', 'bug');
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/**
 * The `/trail` query language (DESIGN.md, "The query language"): text from `/trail`, an @mention or the CLI →
 * ParsedQuery. Pure: no clock, no I/O; never throws.
 *
 * Grammar: `<verb> <target> [modifiers]`. Verbs, modifier words and units are case-insensitive; targets and
 * account aliases are kept as typed. Decisions beyond DESIGN.md:
 * - An empty query is a usage error pointing to `help` (not the help text itself): an empty `/trail` is more often
 *   a slip than a question, and the error still shows a complete example.
 * - `help`, `--help`, `-h` and `?` as the first word give the help text, whatever follows.
 * - `match` is a later feature: a usage error suggests `event` or `errors` instead.
 * - A word in double quotes is never a keyword: `who "public"` looks for a resource named public. An unquoted
 *   modifier word where a target or value belongs counts as a missing target or value.
 * - The second filter of `errors` (who, user, event, ip, key) and of `ip` (who, user, event) may stand anywhere
 *   after the verb's target; at most one.
 * - `since N<unit>` takes m, h, d or w (`M` alone is refused as ambiguous), 1 unit up to 10 years.
 * - `from`/`to` take `YYYY-MM-DD` (a UTC day: as `from` its first millisecond, as `to` its last, so
 *   `from 2015-03-29 to 2015-03-29` is that whole day) or an ISO 8601 date-time with `Z` or an offset
 *   (`2015-03-29T10:00+09:00`). A time without a zone is refused: readers work in JST, CloudTrail writes UTC, so a
 *   guess would be wrong for someone. `to` must directly follow `from <start>`; `to now` means up to now; `to` equal
 *   to `from` is allowed, before it is an error.
 * - Errors are reported for the first fault from left to right; lexical faults (an unclosed quote, an invisible
 *   character) come before the rest. The example in an error is the user's own query with that fault (and any
 *   later ones) repaired where a repair is clear, else a shorter query built from their verb and target, else a
 *   stock example for the verb; it always parses.
 */
import { isValid, parseISO } from 'date-fns';
import {
  NO_FILTERS,
  type ParsedQuery,
  type QueryFilters,
  type TrailQuery,
  type Verb,
  type WindowSpec,
} from '../trail-query.js';
import { isIpSpec } from './match-ip.js';
import { closingQuoteFor, formatToken, hasInvisibleCharacter, type Token, tokenize } from './tokenize.js';
import { HELP_TEXT } from './usage.js';

/** Longer input is refused before it is read. */
export const MAX_QUERY_LENGTH = 2000;
/** `limit N`: 1 ≤ N ≤ MAX_LIMIT. */
export const MAX_LIMIT = 10_000;
/** `since` reaches back at most 10 years. */
export const MAX_SINCE_MS = 3650 * 24 * 60 * 60 * 1000;
/** The message of the last-resort error, returned only if the parser itself fails (tests assert it never does). */
export const UNREADABLE_QUERY_MESSAGE = 'Trailbot could not read this query; type help to see how queries are written.';

const VERBS: readonly Verb[] = ['who', 'user', 'event', 'errors', 'ip', 'key', 'id'];
const HELP_WORDS: ReadonlySet<string> = new Set(['help', '--help', '-h', '?']);
type Modifier = 'since' | 'from' | 'to' | 'in' | 'account' | 'writes' | 'reads' | 'limit' | 'public';
const MODIFIERS: readonly Modifier[] = ['since', 'from', 'to', 'in', 'account', 'writes', 'reads', 'limit', 'public'];
/** Words that are never read as a target or a modifier's value unless quoted. */
export const MODIFIER_WORDS: ReadonlySet<string> = new Set<string>(MODIFIERS);

type ScopeVerb = 'who' | 'user' | 'event' | 'ip' | 'key';
const SCOPES_BY_VERB: Readonly<Record<Verb, readonly ScopeVerb[]>> = {
  errors: ['who', 'user', 'event', 'ip', 'key'],
  ip: ['who', 'user', 'event'],
  who: [],
  user: [],
  event: [],
  key: [],
  id: [],
};

/** A stock query for each verb: valid by construction (tested), the example of last resort. */
const STOCK_EXAMPLE: Readonly<Record<Verb, string>> = {
  who: 'who i-0abc since 2d',
  user: 'user alice since 1d',
  event: 'event StopInstances since 3d',
  errors: 'errors user alice since 1d',
  ip: 'ip 203.0.113.7 since 1d',
  key: 'key AKIAIOSFODNN7EXAMPLE since 1w',
  id: 'id 3038ebd2-c98a-4c65-9b6e-e22506292313',
};
const PLACEHOLDER_TARGET: Readonly<Record<Verb, string>> = {
  who: 'i-0abc',
  user: 'alice',
  event: 'StopInstances',
  errors: 'alice',
  ip: '203.0.113.7',
  key: 'AKIAIOSFODNN7EXAMPLE',
  id: '3038ebd2-c98a-4c65-9b6e-e22506292313',
};
const TARGET_NOUN: Readonly<Record<Verb, string>> = {
  who: 'a resource such as an instance id, bucket name or ARN',
  user: 'an IAM user, role or session name',
  event: 'an API event name such as StopInstances',
  errors: 'a target',
  ip: 'an IP address or CIDR block such as 203.0.113.7 or 203.0.113.0/24',
  key: 'an access key id such as AKIAIOSFODNN7EXAMPLE',
  id: 'an event id',
};

/** Other words people type for a verb or modifier, mapped to ours. */
const VERB_ALIASES: Readonly<Record<string, Verb>> = {
  resource: 'who',
  whom: 'who',
  username: 'user',
  users: 'user',
  role: 'user',
  events: 'event',
  eventname: 'event',
  api: 'event',
  call: 'event',
  error: 'errors',
  failed: 'errors',
  failures: 'errors',
  failure: 'errors',
  denied: 'errors',
  addr: 'ip',
  address: 'ip',
  sourceip: 'ip',
  ips: 'ip',
  accesskey: 'key',
  'access-key': 'key',
  akid: 'key',
  keys: 'key',
  eventid: 'id',
  'event-id': 'id',
};
const MODIFIER_ALIASES: Readonly<Record<string, Modifier>> = {
  last: 'since',
  past: 'since',
  within: 'since',
  after: 'from',
  between: 'from',
  start: 'from',
  until: 'to',
  till: 'to',
  through: 'to',
  end: 'to',
  region: 'in',
  regions: 'in',
  acct: 'account',
  accounts: 'account',
  write: 'writes',
  mutating: 'writes',
  changes: 'writes',
  read: 'reads',
  readonly: 'reads',
  'read-only': 'reads',
  top: 'limit',
  max: 'limit',
  first: 'limit',
  head: 'limit',
  count: 'limit',
  channel: 'public',
  share: 'public',
};

const REGION_SHAPE =
  /^[a-z]{2,4}(-[a-z]{2,4})?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}$/;
/** Region codes offered as did-you-mean suggestions (any code of the right shape is accepted). */
const KNOWN_REGIONS: readonly string[] = [
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'us-gov-east-1', 'us-gov-west-1', 'ca-central-1'],
  ...['ca-west-1', 'mx-central-1', 'sa-east-1', 'af-south-1', 'il-central-1', 'me-south-1', 'me-central-1'],
  ...['eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2'],
  ...['eu-north-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2'],
  ...['ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4'],
  ...['ap-southeast-5', 'ap-southeast-7', 'cn-north-1', 'cn-northwest-1'],
];
/** Place names people type for a region. */
const REGION_BY_PLACE: Readonly<Record<string, string>> = {
  tokyo: 'ap-northeast-1',
  seoul: 'ap-northeast-2',
  osaka: 'ap-northeast-3',
  singapore: 'ap-southeast-1',
  sydney: 'ap-southeast-2',
  mumbai: 'ap-south-1',
  'hong-kong': 'ap-east-1',
  hongkong: 'ap-east-1',
  virginia: 'us-east-1',
  global: 'us-east-1',
  ohio: 'us-east-2',
  california: 'us-west-1',
  oregon: 'us-west-2',
  canada: 'ca-central-1',
  ireland: 'eu-west-1',
  london: 'eu-west-2',
  paris: 'eu-west-3',
  frankfurt: 'eu-central-1',
  stockholm: 'eu-north-1',
  'sao-paulo': 'sa-east-1',
  saopaulo: 'sa-east-1',
};

const DURATION = /^(\d+)([a-zA-Z]+)$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_]{1,128}$/;
const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ACCOUNT_ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MINUTE_MS = 60 * 1000;
const UNIT_MS: Readonly<Record<'m' | 'h' | 'd' | 'w', number>> = {
  m: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: 24 * 60 * MINUTE_MS,
  w: 7 * 24 * 60 * MINUTE_MS,
};
const UNIT_ALIASES: Readonly<Record<string, 'm' | 'h' | 'd' | 'w'>> = {
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  wk: 'w',
  wks: 'w',
  week: 'w',
  weeks: 'w',
};

// ---------------------------------------------------------------------------------------------------------------
// Results inside the parser: a failure carries the repairs to try for the example, computed only when needed.

interface Failure {
  kind: 'error';
  word: string | null;
  message: string;
  /** Repaired word lists to try, best first. */
  fixes: () => string[][];
}
type Inner = { kind: 'query'; query: TrailQuery } | { kind: 'help'; text: string } | Failure;

interface Step {
  kind: 'step';
  next: number;
}
type StepResult = Step | Failure;

/** `table[key]` for the table's own keys only: typed words such as `__proto__` or `constructor` find nothing. */
function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function fail(word: string | null, message: string, fixes: () => string[][] = () => []): Failure {
  return { kind: 'error', word, message, fixes };
}

/** `words` with `count` words at `index` replaced by `insert`. */
function splice(words: readonly string[], index: number, count: number, insert: readonly string[]): string[] {
  return [...words.slice(0, index), ...insert, ...words.slice(index + count)];
}

/** A word quoted for a message: backticks, and long words shortened. */
function q(word: string): string {
  const chars = Array.from(word);
  const short = chars.length > 40 ? `${chars.slice(0, 37).join('')}…` : word;
  return `\`${short}\``;
}

function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Did you mean: optimal string alignment distance (edits, with adjacent swaps counting as one).

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) && a.charAt(i - 2) === b.charAt(j - 1)) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** The one candidate within a small edit distance of `word` (case-insensitive), or null when none or a tie. */
function closest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 2 || lower.length > 30) return null;
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - lower.length) > limit) continue;
    const distance = editDistance(lower, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && candidate !== best) {
      tie = true;
    }
  }
  return best !== null && !tie && bestDistance <= limit ? best : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point.

/** Parses `/trail` query text. Never throws: a mistake is a usage error naming the word at fault. */
export function parseTrailQuery(text: string): ParsedQuery {
  try {
    const input = typeof text === 'string' ? text : '';
    const inner = parseInner(input);
    if (inner.kind !== 'error') return inner;
    return { kind: 'error', error: { word: inner.word, message: inner.message, example: buildExample(inner, input) } };
  } catch {
    return { kind: 'error', error: { word: null, message: UNREADABLE_QUERY_MESSAGE, example: STOCK_EXAMPLE.who } };
  }
}

/** Tries the failure's repairs (and the repairs of what they still get wrong) until one parses. */
function buildExample(failure: Failure, text: string): string {
  let budget = 30;
  const tried = new Set<string>();
  const attempt = (words: readonly string[], depth: number): string | null => {
    const candidate = words.join(' ');
    if (budget <= 0 || tried.has(candidate) || candidate.length > MAX_QUERY_LENGTH) return null;
    tried.add(candidate);
    budget -= 1;
    const inner = parseInner(candidate);
    if (inner.kind === 'query') return inner.query.text;
    if (inner.kind === 'help' || depth >= 5) return null;
    for (const next of inner.fixes()) {
      const found = attempt(next, depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  for (const words of failure.fixes()) {
    const found = attempt(words, 0);
    if (found !== null) return found;
  }
  // Fall back to the user's verb and target alone, then to the verb's stock example.
  const tokens = text.length <= MAX_QUERY_LENGTH ? tokenize(text) : [];
  const verb = verbOf(tokens[0]);
  if (verb !== null) {
    const target = tokens[1];
    if (verb !== 'errors' && target !== undefined && !target.unclosed) {
      const inner = parseInner(`${verb} ${target.raw}`);
      if (inner.kind === 'query') return inner.query.text;
    }
    return STOCK_EXAMPLE[verb];
  }
  return STOCK_EXAMPLE.who;
}

function verbOf(token: Token | undefined): Verb | null {
  if (token === undefined || token.quoted) return null;
  const word = token.value.toLowerCase();
  return VERBS.find((verb) => verb === word) ?? null;
}

/** The lower-cased word when `token` is an unquoted modifier word, else null. */
function modifierOf(token: Token | undefined): Modifier | null {
  if (token === undefined || token.quoted) return null;
  const word = token.value.toLowerCase();
  return MODIFIERS.find((modifier) => modifier === word) ?? null;
}

function parseInner(text: string): Inner {
  if (text.length > MAX_QUERY_LENGTH) {
    return fail(
      null,
      `The query is ${text.length} characters long and the limit is ${MAX_QUERY_LENGTH}; ask something shorter, as in ${q(STOCK_EXAMPLE.who)}.`,
    );
  }
  const tokens = tokenize(text);
  const raws = tokens.map((token) => token.raw);
  const first = tokens[0];
  if (first === undefined) {
    return fail(
      null,
      `The query is empty; type a verb and a target, such as ${q(STOCK_EXAMPLE.who)}, or type help to see every verb.`,
    );
  }
  const firstWord = first.quoted ? '' : first.value.toLowerCase();
  if (HELP_WORDS.has(firstWord)) return { kind: 'help', text: HELP_TEXT };
  if (firstWord === 'match') return matchNotAvailable(first, text);

  const lexical = checkLexical(tokens, raws);
  if (lexical !== null) return lexical;

  const verb = verbOf(first);
  if (verb === null) return unknownVerb(first, raws);
  return parseBody(verb, tokens, raws);
}

function matchNotAvailable(first: Token, text: string): Failure {
  const eventName = /\$\.eventName\s*=\s*"?([A-Za-z][A-Za-z0-9_]*)/.exec(text)?.[1];
  const errors = /\$\.errorCode/.test(text);
  const suggestion = eventName !== undefined ? `${errors ? 'errors event' : 'event'} ${eventName}` : 'errors';
  return fail(
    first.raw,
    `Pattern matching (match) is not available yet; ask with event <EventName> or errors instead, as in ${q(`${suggestion} since 1d`)}.`,
    () => [[...suggestion.split(' '), 'since', '1d']],
  );
}

function checkLexical(tokens: readonly Token[], raws: readonly string[]): Failure | null {
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token === undefined) continue;
    if (token.unclosed) {
      return fail(
        token.raw,
        `The quote that opens ${q(token.raw)} is never closed; end the name with ${closingQuoteFor(token.raw)}.`,
        () => [splice(raws, i, 1, [`${token.raw}${closingQuoteFor(token.raw)}`])],
      );
    }
    if (hasInvisibleCharacter(token.raw)) {
      const visible = token.raw.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '');
      return fail(
        token.raw,
        `The word ${q(visible === '' ? '?' : visible)} contains an invisible or control character; retype it.`,
        () => [splice(raws, i, 1, visible === '' || visible === '""' ? [] : [visible])],
      );
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// The first word.

/** Guesses the verb for a query that starts with its target, from the target's shape. */
function guessVerb(value: string): Verb {
  if (isIpSpec(value)) return 'ip';
  if (/^(AKIA|ASIA)[A-Z0-9]{12,}$/.test(value)) return 'key';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return 'id';
  if (/^[A-Z][a-z]+[A-Z][A-Za-z0-9]*$/.test(value)) return 'event';
  return 'who';
}

function unknownVerb(first: Token, raws: readonly string[]): Failure {
  const lower = first.value.toLowerCase();
  const verbList = `${listWords(VERBS)}, or type help`;
  if (first.quoted && VERBS.some((verb) => verb === lower)) {
    return fail(first.raw, `Write the verb ${q(lower)} without quotes.`, () => [splice(raws, 0, 1, [lower])]);
  }
  const bare = lower.replace(/^-+/, '');
  const suggestion = first.quoted
    ? null
    : (lookup(VERB_ALIASES, bare) ?? VERBS.find((verb) => verb === bare) ?? closest(bare, [...VERBS, 'help']));
  if (suggestion === 'help') return fail(first.raw, `Unknown verb ${q(first.raw)}; did you mean help?`, () => []);
  if (suggestion !== null && suggestion !== undefined) {
    return fail(first.raw, `Unknown verb ${q(first.raw)}; did you mean ${q(suggestion)}?`, () => [
      splice(raws, 0, 1, [suggestion]),
    ]);
  }
  const modifier = modifierOf(first);
  if (modifier !== null) {
    return fail(
      first.raw,
      `A query starts with a verb and a target such as ${q('who i-0abc')}; ${q(first.raw)} and the other modifiers come after them.`,
      () => [['who', 'i-0abc', ...raws]],
    );
  }
  const guess = guessVerb(first.value);
  return fail(first.raw, `${q(first.raw)} is not a verb; start with ${verbList}.`, () => [[guess, ...raws]]);
}

// ---------------------------------------------------------------------------------------------------------------
// Targets.

/**
 * Reads the target of `verb` (or of a scope word) at `index`. A missing target, or an unquoted modifier word in its
 * place, is reported with `word` null.
 */
function readTarget(
  verb: Exclude<Verb, 'errors'>,
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
): { value: string } | Failure {
  const token = tokens[index];
  const before = raws.slice(0, index).join(' ');
  const placeholder = PLACEHOLDER_TARGET[verb];
  const insertPlaceholder = (): string[][] => [splice(raws, index, 0, [placeholder])];
  if (token === undefined) {
    return fail(
      null,
      `${q(before)} needs ${TARGET_NOUN[verb]}, as in ${q(`${before} ${placeholder}`)}.`,
      insertPlaceholder,
    );
  }
  const modifier = modifierOf(token);
  if (modifier !== null) {
    return fail(
      null,
      `${q(before)} needs ${TARGET_NOUN[verb]} before ${q(token.raw)}; to look for one named ${token.value}, quote it: ${q(`${before} "${token.value}"`)}.`,
      insertPlaceholder,
    );
  }
  const value = token.value;
  const replaceWith =
    (words: string[]): (() => string[][]) =>
    () => [splice(raws, index, 1, words)];
  if (value === '') {
    return fail(token.raw, `The quotes after ${q(before)} are empty; put ${TARGET_NOUN[verb]} in them.`, () => [
      splice(raws, index, 1, [placeholder]),
    ]);
  }
  switch (verb) {
    case 'who':
    case 'user':
      return { value };
    case 'event': {
      if (EVENT_NAME.test(value)) return { value };
      const unprefixed = /^[A-Za-z0-9-]+:([A-Za-z][A-Za-z0-9_]*)$/.exec(value)?.[1];
      if (unprefixed !== undefined) {
        return fail(
          token.raw,
          `Event names have no service prefix; type ${q(`event ${unprefixed}`)}.`,
          replaceWith([unprefixed]),
        );
      }
      return fail(
        token.raw,
        `${q(token.raw)} is not an API event name; names look like StopInstances or ConsoleLogin.`,
        replaceWith([placeholder]),
      );
    }
    case 'ip':
      if (isIpSpec(value)) return { value };
      return fail(
        token.raw,
        `${q(token.raw)} is not an IP address or CIDR block; type one such as 203.0.113.7 or 203.0.113.0/24.`,
        replaceWith([placeholder]),
      );
    case 'key':
      if (ACCESS_KEY_ID.test(value)) return { value };
      return fail(
        token.raw,
        `${q(token.raw)} is not an access key id; they look like AKIAIOSFODNN7EXAMPLE.`,
        replaceWith([placeholder]),
      );
    case 'id':
      if (EVENT_ID.test(value)) return { value };
      return fail(
        token.raw,
        `${q(token.raw)} is not an event id; they look like 3038ebd2-c98a-4c65-9b6e-e22506292313.`,
        replaceWith([placeholder]),
      );
  }
}

function setFilter(filters: QueryFilters, verb: Exclude<Verb, 'errors'>, value: string): void {
  switch (verb) {
    case 'who':
      filters.resource = value;
      return;
    case 'user':
      filters.user = value;
      return;
    case 'event':
      filters.eventName = value;
      return;
    case 'ip':
      filters.ip = value;
      return;
    case 'key':
      filters.accessKeyId = value;
      return;
    case 'id':
      filters.eventId = value;
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The body: target, then modifiers (and a scope) in any order.

interface State {
  verb: Verb;
  tokens: readonly Token[];
  raws: readonly string[];
  /** Index of the verb's target (-1 for errors). */
  targetIndex: number;
  filters: QueryFilters;
  /** Index of the scope word, once seen. */
  scopeIndex: number | null;
  /** Index of the first occurrence of each modifier. */
  seen: Map<Modifier, number>;
  window: WindowSpec;
  regions: string[] | 'all' | null;
  /** Index just past the words of `in`. */
  regionsEnd: number;
  /** Index of the `from` value, when it is a plain date. */
  plainDateIndex: number | null;
  account: string | null;
  access: 'writes' | 'reads' | null;
  limit: number | null;
  public: boolean;
}

function parseBody(verb: Verb, tokens: readonly Token[], raws: readonly string[]): Inner {
  const state: State = {
    verb,
    tokens,
    raws,
    targetIndex: -1,
    filters: { ...NO_FILTERS, errorsOnly: verb === 'errors' },
    scopeIndex: null,
    seen: new Map(),
    window: { kind: 'default' },
    regions: null,
    regionsEnd: -1,
    plainDateIndex: null,
    account: null,
    access: null,
    limit: null,
    public: false,
  };
  let index = 1;
  if (verb !== 'errors') {
    const target = readTarget(verb, tokens, raws, 1);
    if ('kind' in target) return target;
    setFilter(state.filters, verb, target.value);
    state.targetIndex = 1;
    index = 2;
  }
  while (index < tokens.length) {
    const step = readWord(state, index);
    if (step.kind === 'error') return step;
    index = step.next;
  }
  return {
    kind: 'query',
    query: {
      text: raws.join(' '),
      verb,
      filters: state.filters,
      window: state.window,
      regions: state.regions,
      account: state.account,
      access: state.access,
      limit: state.limit,
      public: state.public,
    },
  };
}

/** How many words the modifier or scope word at `index` takes with it (itself included). */
function wordsTaken(state: State, index: number): number {
  const { tokens } = state;
  const token = tokens[index];
  const hasValue = (i: number): boolean => tokens[i] !== undefined && modifierOf(tokens[i]) === null;
  const modifier = modifierOf(token);
  switch (modifier) {
    case 'writes':
    case 'reads':
    case 'public':
      return 1;
    case 'from': {
      if (!hasValue(index + 1)) return 1;
      if (modifierOf(tokens[index + 2]) === 'to') return hasValue(index + 3) ? 4 : 3;
      return 2;
    }
    case 'in':
      return hasValue(index + 1) ? regionRunEnd(tokens, index + 1) - index : 1;
    default:
      return hasValue(index + 1) ? 2 : 1;
  }
}

/** Index just past the region words starting at `start`: words joined by commas, `a,b` or `a, b` or `a ,b`. */
function regionRunEnd(tokens: readonly Token[], start: number): number {
  let end = start + 1;
  while (end < tokens.length) {
    const previous = tokens[end - 1];
    const next = tokens[end];
    if (previous === undefined || next === undefined || modifierOf(next) !== null) break;
    if (!previous.value.endsWith(',') && !next.value.startsWith(',')) break;
    end += 1;
  }
  return end;
}

function readWord(state: State, index: number): StepResult {
  const { tokens, raws, verb } = state;
  const token = tokens[index];
  if (token === undefined) return { kind: 'step', next: index + 1 };
  const modifier = modifierOf(token);
  if (modifier !== null) return readModifier(state, modifier, index);
  const word = token.quoted ? null : token.value.toLowerCase();
  const scope = SCOPES_BY_VERB[verb].find((candidate) => candidate === word);
  if (scope !== undefined) return readScope(state, scope, index);
  const remove = (): string[][] => [splice(raws, index, wordsAfterScopeWord(state, index), [])];
  if (word !== null && (VERBS as readonly string[]).includes(word)) {
    if (word === verb) {
      const taken = verb === 'errors' ? 1 : wordsAfterScopeWord(state, index);
      return fail(token.raw, `${q(verb)} is given twice; keep the first.`, () => [splice(raws, index, taken, [])]);
    }
    if (word === 'errors' && verb !== 'id' && verb !== 'errors') {
      return fail(
        token.raw,
        `To see only failed calls, start the query with errors, as in ${q(`errors ${verb} ${raws[1] ?? ''}`)}.`,
        () => [['errors', ...splice(raws, index, 1, [])]],
      );
    }
    const allowed = SCOPES_BY_VERB[verb];
    const message =
      allowed.length === 0
        ? `${q(`${verb}${state.targetIndex > 0 ? ` ${raws[state.targetIndex]}` : ''}`)} takes no second filter such as ${q(token.raw)}; only errors and ip queries do.`
        : `${q(verb)} can be narrowed by ${listWords(allowed)} only, not by ${q(token.raw)}.`;
    return fail(token.raw, message, remove);
  }
  return unknownWord(state, index);
}

/** Words taken by a verb word used as a scope (itself and its target, when one follows). */
function wordsAfterScopeWord(state: State, index: number): number {
  const next = state.tokens[index + 1];
  return next !== undefined && modifierOf(next) === null ? 2 : 1;
}

function readScope(state: State, scope: ScopeVerb, index: number): StepResult {
  const { tokens, raws, verb } = state;
  const token = tokens[index];
  if (token === undefined) return { kind: 'step', next: index + 1 };
  if (state.scopeIndex !== null) {
    const first = raws.slice(state.scopeIndex, state.scopeIndex + 2).join(' ');
    return fail(
      token.raw,
      `${q(verb)} takes one more filter and already has ${q(first)}; drop ${q(token.raw)} or ask about it separately.`,
      () => [splice(raws, index, wordsAfterScopeWord(state, index), [])],
    );
  }
  const target = readTarget(scope, tokens, raws, index + 1);
  if ('kind' in target) return target;
  setFilter(state.filters, scope, target.value);
  state.scopeIndex = index;
  return { kind: 'step', next: index + 2 };
}

// ---------------------------------------------------------------------------------------------------------------
// Modifiers.

function readModifier(state: State, modifier: Modifier, index: number): StepResult {
  const { tokens, raws, seen } = state;
  const token = tokens[index];
  if (token === undefined) return { kind: 'step', next: index + 1 };
  const removeThis = (): string[][] => [splice(raws, index, wordsTaken(state, index), [])];
  if (modifier === 'to') return misplacedTo(state, index);
  if (seen.has(modifier)) {
    return fail(token.raw, `${q(modifier)} is given twice; keep one.`, removeThis);
  }
  const rival = modifier === 'since' ? 'from' : modifier === 'from' ? 'since' : null;
  if (rival !== null && seen.has(rival)) {
    return fail(
      token.raw,
      `Use either since or from, not both: since counts back from now, from starts at a date.`,
      removeThis,
    );
  }
  const opposite = modifier === 'writes' ? 'reads' : modifier === 'reads' ? 'writes' : null;
  if (opposite !== null && seen.has(opposite)) {
    return fail(token.raw, `Use either writes or reads, not both; leave both out to see every call.`, removeThis);
  }
  seen.set(modifier, index);
  switch (modifier) {
    case 'since':
      return readSince(state, index);
    case 'from':
      return readFrom(state, index);
    case 'in':
      return readRegions(state, index);
    case 'account':
      return readAccount(state, index);
    case 'limit':
      return readLimit(state, index);
    case 'writes':
    case 'reads':
      state.access = modifier;
      return { kind: 'step', next: index + 1 };
    case 'public':
      state.public = true;
      return { kind: 'step', next: index + 1 };
  }
}

/** The value word after the modifier at `index`, or a failure saying it is missing. */
function valueAfter(state: State, index: number, needs: string, fill: string): Token | Failure {
  const { tokens, raws } = state;
  const value = tokens[index + 1];
  const keyword = raws[index] ?? '';
  if (value === undefined || modifierOf(value) !== null) {
    const where = value === undefined ? '' : ` before ${q(value.raw)}`;
    return fail(null, `${q(keyword)} needs ${needs}${where}, as in ${q(`${keyword} ${fill}`)}.`, () => [
      splice(raws, index + 1, 0, [fill]),
    ]);
  }
  return value;
}

function misplacedTo(state: State, index: number): Failure {
  const { tokens, raws } = state;
  const token = tokens[index];
  const taken = tokens[index + 1] !== undefined && modifierOf(tokens[index + 1]) === null ? 2 : 1;
  const laterFrom = tokens.findIndex((t, i) => i > index && modifierOf(t) === 'from');
  return fail(
    token?.raw ?? 'to',
    `to ends a range and goes right after from and its start, as in ${q('from 2015-03-29 to 2015-03-30')}.`,
    () => {
      const without = splice(raws, index, taken, []);
      const fixes: string[][] = [];
      if (laterFrom !== -1 && taken === 2) {
        const fromAt = laterFrom - taken;
        fixes.push(splice(without, fromAt + 2, 0, raws.slice(index, index + 2)));
      }
      if (!state.seen.has('since') && !state.seen.has('from') && laterFrom === -1) {
        fixes.push(splice(raws, index, 1, ['from']));
      }
      fixes.push(without);
      return fixes;
    },
  );
}

function readSince(state: State, index: number): StepResult {
  const { tokens, raws } = state;
  const value = valueAfter(state, index, 'a span such as 30m, 2h, 3d or 1w', '2d');
  if ('kind' in value) return value;
  const valueIndex = index + 1;
  const replaceValue = (words: string[], count = 1): (() => string[][]) => {
    return () => [splice(raws, valueIndex, count, words)];
  };
  const text = value.value;
  const match = DURATION.exec(text);
  if (match === null) {
    if (/^\d+$/.test(text)) {
      const next = tokens[valueIndex + 1];
      const unit = next !== undefined && !next.quoted ? lookup(UNIT_ALIASES, next.value.toLowerCase()) : undefined;
      const n = String(Number(text));
      if (unit !== undefined && next !== undefined) {
        return fail(
          value.raw,
          `Write the number and its unit together, as in ${q(`since ${n}${unit}`)}.`,
          replaceValue([`${n}${unit}`], 2),
        );
      }
      return fail(
        value.raw,
        `Add a unit to ${q(value.raw)}: m (minutes), h (hours), d (days) or w (weeks), as in ${q(`since ${n}h`)}.`,
        replaceValue([`${n}h`]),
      );
    }
    if (/^-\d/.test(text)) {
      const positive = text.slice(1);
      return fail(
        value.raw,
        `since already counts back from now; drop the minus, as in ${q(`since ${positive}`)}.`,
        replaceValue([positive]),
      );
    }
    const fraction = /^(\d*\.\d+|\d+\.\d*)([mhdwMHDW])$/.exec(text);
    if (fraction !== null) {
      const amount = Number(fraction[1]);
      const unit = (fraction[2] ?? 'h').toLowerCase() as keyof typeof UNIT_MS;
      const smaller = (['w', 'd', 'h', 'm'] as const).filter((u) => UNIT_MS[u] < UNIT_MS[unit]);
      const exact = smaller.find((u) => Number.isInteger((amount * UNIT_MS[unit]) / UNIT_MS[u]));
      const fixed = exact !== undefined ? `${(amount * UNIT_MS[unit]) / UNIT_MS[exact]}${exact}` : '1h';
      return fail(value.raw, `since takes whole numbers; write ${q(`since ${fixed}`)}.`, replaceValue([fixed]));
    }
    if (DATE_TIME.test(text) || /^\d{4}[-/]\d{1,2}[-/]\d{1,2}/.test(text)) {
      return fail(value.raw, `since takes a span such as 2d; for a date, write ${q(`from ${text}`)}.`, () => [
        splice(raws, index, 1, ['from']),
      ]);
    }
    const lower = text.toLowerCase();
    if (lower === 'yesterday' || lower === 'today') {
      return fail(value.raw, `since takes a span; for ${lower}, write ${q('since 1d')}.`, replaceValue(['1d']));
    }
    return fail(
      value.raw,
      `since takes a number and a unit, such as 30m, 2h, 3d or 1w, not ${q(value.raw)}.`,
      replaceValue(['2d']),
    );
  }
  const digits = match[1] ?? '';
  const unitText = match[2] ?? '';
  const n = Number(digits);
  const lowerUnit = unitText.toLowerCase();
  if (unitText === 'M') {
    return fail(
      value.raw,
      `${q(value.raw)} is ambiguous; write m for minutes, or d or w for longer spans, as in ${q(`since ${n}m`)}.`,
      replaceValue([`${n}m`]),
    );
  }
  const unit: keyof typeof UNIT_MS | undefined = lowerUnit === 'm' ? 'm' : lookup(UNIT_ALIASES, lowerUnit);
  if (['mo', 'mon', 'month', 'months', 'y', 'yr', 'yrs', 'year', 'years'].includes(lowerUnit)) {
    const days = lowerUnit.startsWith('m') ? n * 30 : n * 365;
    return fail(
      value.raw,
      `since counts in minutes, hours, days or weeks; write ${q(`since ${days}d`)}.`,
      replaceValue([`${days}d`]),
    );
  }
  if (['s', 'sec', 'secs', 'second', 'seconds'].includes(lowerUnit)) {
    return fail(
      value.raw,
      `since counts in whole minutes at the finest; write ${q('since 1m')}.`,
      replaceValue(['1m']),
    );
  }
  if (unit === undefined) {
    return fail(
      value.raw,
      `${q(unitText)} is not a unit; use m (minutes), h (hours), d (days) or w (weeks), as in ${q(`since ${n}d`)}.`,
      replaceValue([`${n}d`]),
    );
  }
  const normalized = `${n}${unit}`;
  if (lowerUnit.length > 1) {
    return fail(value.raw, `Write the unit as one letter: ${q(`since ${normalized}`)}.`, replaceValue([normalized]));
  }
  if (n === 0) {
    return fail(
      value.raw,
      `since needs at least 1 ${unitName(unit)}, as in ${q(`since 1${unit}`)}.`,
      replaceValue([`1${unit}`]),
    );
  }
  const ms = n * UNIT_MS[unit];
  if (digits.length > 9 || ms > MAX_SINCE_MS) {
    return fail(
      value.raw,
      `since ${q(value.raw)} reaches back more than 10 years; use a shorter span such as 52w or a from date.`,
      replaceValue(['52w']),
    );
  }
  state.window = { kind: 'since', ms, text: normalized };
  return { kind: 'step', next: valueIndex + 1 };
}

function unitName(unit: keyof typeof UNIT_MS): string {
  return { m: 'minute', h: 'hour', d: 'day', w: 'week' }[unit];
}

interface Instant {
  /** ISO 8601 in UTC. */
  iso: string;
  /** True for `YYYY-MM-DD` with no time. */
  plainDate: boolean;
}

/** Reads a `from`/`to` value: a plain date, or a date-time with a zone. */
function readInstant(state: State, valueIndex: number, role: 'from' | 'to'): Instant | { now: true } | Failure {
  const { tokens, raws } = state;
  const token = tokens[valueIndex];
  if (token === undefined) return fail(null, `${role} needs a date.`);
  const text = token.value;
  const replaceValue =
    (words: string[]): (() => string[][]) =>
    () => [splice(raws, valueIndex, 1, words)];
  const lower = text.toLowerCase();
  if (lower === 'now') {
    if (role === 'to') return { now: true };
    return fail(
      token.raw,
      `from needs a start in the past such as 2015-03-29; for recent activity write ${q('since 1h')}.`,
      () => [splice(raws, valueIndex - 1, 2, ['since', '1h'])],
    );
  }
  if (lower === 'yesterday' || lower === 'today') {
    return fail(token.raw, `${role} needs a date such as 2015-03-29; for ${lower}, write ${q('since 1d')}.`, () => [
      splice(raws, valueIndex - 1, role === 'from' ? wordsTaken(state, valueIndex - 1) : 2, ['since', '1d']),
    ]);
  }
  if (role === 'from' && /^\d+[mhdwMHDW]$/.test(text)) {
    return fail(token.raw, `For a span back from now, write ${q(`since ${text}`)}.`, () => [
      splice(raws, valueIndex - 1, wordsTaken(state, valueIndex - 1), ['since', text]),
    ]);
  }
  const match = DATE_TIME.exec(text);
  if (match === null) {
    const loose = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
    if (loose !== null) {
      const fixed = `${loose[1]}-${(loose[2] ?? '').padStart(2, '0')}-${(loose[3] ?? '').padStart(2, '0')}`;
      return fail(token.raw, `Write dates as year-month-day with dashes, as in ${q(fixed)}.`, replaceValue([fixed]));
    }
    return fail(
      token.raw,
      `${q(token.raw)} is not a date; write a day such as 2015-03-29 or a time such as 2015-03-29T10:00Z.`,
      replaceValue(['2015-03-29']),
    );
  }
  const [, year = '', month = '', day = '', hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1970) {
    return fail(
      token.raw,
      `${q(token.raw)} is before any CloudTrail record (they start in 2013); check the year.`,
      replaceValue(['2015-03-29']),
    );
  }
  const calendarDay = new Date(Date.UTC(y, mo - 1, d));
  if (
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    calendarDay.getUTCDate() !== d ||
    calendarDay.getUTCMonth() !== mo - 1 ||
    !isValid(parseISO(`${year}-${month}-${day}`))
  ) {
    return fail(
      token.raw,
      `${q(token.raw)} is not a day on the calendar; check the month and day.`,
      replaceValue(['2015-03-29']),
    );
  }
  if (hour === undefined || minute === undefined) {
    const iso = role === 'from' ? `${year}-${month}-${day}T00:00:00.000Z` : `${year}-${month}-${day}T23:59:59.999Z`;
    return { iso, plainDate: true };
  }
  if (Number(hour) > 23 || Number(minute) > 59 || (second !== undefined && Number(second) > 59)) {
    return fail(
      token.raw,
      `${q(token.raw)} is not a time of day; hours run 00 to 23, minutes and seconds 00 to 59.`,
      replaceValue([`${year}-${month}-${day}`]),
    );
  }
  if (zone === undefined) {
    return fail(
      token.raw,
      `${q(token.raw)} has no time zone; add Z for UTC or an offset such as +09:00, as in ${q(`${token.raw}Z`)}.`,
      replaceValue([`${text}Z`]),
    );
  }
  let offset = 'Z';
  if (zone !== 'Z' && zone !== 'z') {
    const zoneMatch = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    const zoneHours = Number(zoneMatch?.[2] ?? '99');
    const zoneMinutes = Number(zoneMatch?.[3] ?? '0');
    if (zoneMatch === null || zoneHours > 23 || zoneMinutes > 59) {
      return fail(
        token.raw,
        `${q(zone)} is not a time zone offset; write one such as +09:00 or Z.`,
        replaceValue([`${text.slice(0, text.length - zone.length)}Z`]),
      );
    }
    offset = `${zoneMatch[1]}${zoneMatch[2]}:${(zoneMatch[3] ?? '00').padStart(2, '0')}`;
  }
  const millis = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  const normalized = `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}.${millis}${offset}`;
  const instant = parseISO(normalized);
  if (!isValid(instant)) {
    return fail(
      token.raw,
      `${q(token.raw)} is not a date and time Trailbot can read; write one such as 2015-03-29T10:00Z.`,
      replaceValue(['2015-03-29T10:00Z']),
    );
  }
  return { iso: instant.toISOString(), plainDate: false };
}

/** A date followed by a separate time word (`2015-03-29 10:00Z`): asks to join them with T. */
function splitDateTime(state: State, dateIndex: number): Failure | null {
  const { tokens, raws } = state;
  const date = tokens[dateIndex];
  const time = tokens[dateIndex + 1];
  if (date === undefined || time === undefined || time.quoted) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value) || !/^\d{1,2}:\d{2}/.test(time.value)) return null;
  const hour = time.value.length >= 5 && time.value.charAt(2) === ':' ? time.value : `0${time.value}`;
  const joined = `${date.value}T${hour}`;
  return fail(time.raw, `Join the date and the time with a T, as in ${q(joined)}.`, () => [
    splice(raws, dateIndex, 2, [joined]),
  ]);
}

function readFrom(state: State, index: number): StepResult {
  const { tokens, raws } = state;
  const fromValue = valueAfter(state, index, 'a date or time such as 2015-03-29 or 2015-03-29T10:00Z', '2015-03-29');
  if ('kind' in fromValue) return fromValue;
  const start = readInstant(state, index + 1, 'from');
  if ('kind' in start) return start;
  if ('now' in start) return fail(fromValue.raw, 'from needs a date.');
  const split = splitDateTime(state, index + 1);
  if (split !== null) return split;
  if (modifierOf(tokens[index + 2]) !== 'to') {
    state.window = { kind: 'range', from: start.iso, to: null };
    return { kind: 'step', next: index + 2 };
  }
  const toIndex = index + 2;
  const toValue = valueAfter(state, toIndex, 'a date or time (or now)', 'now');
  if ('kind' in toValue) return toValue;
  const end = readInstant(state, toIndex + 1, 'to');
  if ('kind' in end) return end;
  if ('now' in end) {
    state.window = { kind: 'range', from: start.iso, to: null };
    return { kind: 'step', next: toIndex + 2 };
  }
  const splitEnd = splitDateTime(state, toIndex + 1);
  if (splitEnd !== null) return splitEnd;
  if (Date.parse(end.iso) < Date.parse(start.iso)) {
    return fail(
      toValue.raw,
      `The range ends at ${q(toValue.raw)} before it starts at ${q(fromValue.raw)}; put the earlier one after from.`,
      () => [splice(splice(raws, index + 1, 1, [toValue.raw]), toIndex + 1, 1, [fromValue.raw])],
    );
  }
  state.window = { kind: 'range', from: start.iso, to: end.iso };
  return { kind: 'step', next: toIndex + 2 };
}

function readRegions(state: State, index: number): StepResult {
  const { tokens, raws } = state;
  const first = valueAfter(
    state,
    index,
    'a region such as us-east-1, a list such as us-east-1,us-west-2, or all',
    'all',
  );
  if ('kind' in first) return first;
  const end = regionRunEnd(tokens, index + 1);
  const parts: { text: string; tokenIndex: number }[] = [];
  for (let i = index + 1; i < end; i += 1) {
    for (const part of (tokens[i]?.value ?? '').split(',')) {
      if (part.trim() !== '') parts.push({ text: part.trim(), tokenIndex: i });
    }
  }
  const replaceRun =
    (words: string[]): (() => string[][]) =>
    () => [splice(raws, index + 1, end - index - 1, words)];
  if (parts.length === 0) {
    return fail(
      first.raw,
      `in needs a region such as us-east-1, a list such as us-east-1,us-west-2, or all.`,
      replaceRun(['all']),
    );
  }
  const regions: string[] = [];
  for (const part of parts) {
    const lower = part.text.toLowerCase();
    if (lower === 'all' || lower === '*') {
      if (parts.length > 1) {
        return fail(part.text, `all already means every region; write ${q('in all')} alone.`, replaceRun(['all']));
      }
      if (lower === '*') return fail(part.text, `Write ${q('in all')} for every region.`, replaceRun(['all']));
      state.regions = 'all';
      state.regionsEnd = end;
      return { kind: 'step', next: end };
    }
    if (REGION_SHAPE.test(lower)) {
      if (!regions.includes(lower)) regions.push(lower);
      continue;
    }
    const suggestion = lookup(REGION_BY_PLACE, lower) ?? closest(lower, KNOWN_REGIONS);
    const fixed = () => {
      const tokenRaw = raws[part.tokenIndex] ?? '';
      return [splice(raws, part.tokenIndex, 1, [tokenRaw.replace(part.text, suggestion ?? 'us-east-1')])];
    };
    const hint =
      lower === 'global'
        ? `events of global services (IAM, STS, CloudFront, sign-in) are recorded in us-east-1, so write ${q('in us-east-1')}.`
        : suggestion !== null && suggestion !== undefined
          ? `did you mean ${q(suggestion)}?`
          : 'write region codes such as us-east-1 or ap-northeast-1, separated by commas.';
    return fail(part.text, `${q(part.text)} is not a region code; ${hint}`, fixed);
  }
  state.regions = regions;
  state.regionsEnd = end;
  return { kind: 'step', next: end };
}

function readAccount(state: State, index: number): StepResult {
  const { raws } = state;
  const value = valueAfter(state, index, 'a 12-digit account id or an account alias', '123456789012');
  if ('kind' in value) return value;
  const text = value.value;
  const replaceValue =
    (word: string): (() => string[][]) =>
    () => [splice(raws, index + 1, 1, [word])];
  if (/^\d{12}$/.test(text)) {
    state.account = text;
  } else if (/^\d{4}-\d{4}-\d{4}$/.test(text)) {
    state.account = text.replaceAll('-', '');
  } else if (/^[\d-]+$/.test(text)) {
    const digits = text.replaceAll('-', '').length;
    return fail(
      value.raw,
      `An account id has 12 digits and ${q(value.raw)} has ${digits}; check it, or use the account's alias.`,
      replaceValue('123456789012'),
    );
  } else if (ACCOUNT_ALIAS.test(text)) {
    state.account = text;
  } else {
    return fail(
      value.raw,
      `${q(value.raw)} is not an account id (12 digits) or alias (letters, digits, dots, dashes, underscores).`,
      replaceValue('123456789012'),
    );
  }
  return { kind: 'step', next: index + 2 };
}

function readLimit(state: State, index: number): StepResult {
  const { raws } = state;
  const value = valueAfter(state, index, `a whole number from 1 to ${MAX_LIMIT}`, '50');
  if ('kind' in value) return value;
  const replaceValue =
    (word: string): (() => string[][]) =>
    () => [splice(raws, index + 1, 1, [word])];
  if (!/^\d+$/.test(value.value)) {
    return fail(
      value.raw,
      `limit takes a whole number from 1 to ${MAX_LIMIT}, as in ${q('limit 50')}, not ${q(value.raw)}.`,
      replaceValue('50'),
    );
  }
  const n = value.value.length > 6 ? Number.POSITIVE_INFINITY : Number(value.value);
  if (n < 1) return fail(value.raw, `limit needs at least 1, as in ${q('limit 50')}.`, replaceValue('1'));
  if (n > MAX_LIMIT) {
    return fail(
      value.raw,
      `limit goes up to ${MAX_LIMIT}; write ${q(`limit ${MAX_LIMIT}`)} or less.`,
      replaceValue(String(MAX_LIMIT)),
    );
  }
  state.limit = n;
  return { kind: 'step', next: index + 2 };
}

// ---------------------------------------------------------------------------------------------------------------
// A word that is none of the above.

function unknownWord(state: State, index: number): Failure {
  const { tokens, raws, verb, seen } = state;
  const token = tokens[index];
  const raw = token?.raw ?? '';
  const value = token?.value ?? '';
  const replaceWith =
    (words: string[]): (() => string[][]) =>
    () => [splice(raws, index, 1, words)];
  const removeIt = (): string[][] => [splice(raws, index, 1, [])];
  const hasWindow = seen.has('since') || seen.has('from');

  if (token !== undefined && !token.quoted) {
    const bare = value.toLowerCase().replace(/^-+/, '');
    const candidates: string[] = [...MODIFIERS.filter((m) => m !== 'to'), ...SCOPES_BY_VERB[verb]];
    const exact = MODIFIERS.find((m) => m === bare);
    if (exact !== undefined && exact !== value.toLowerCase()) {
      return fail(raw, `Write ${q(exact)} without dashes.`, replaceWith([exact]));
    }
    const alias = lookup(MODIFIER_ALIASES, bare);
    if (alias !== undefined) {
      return fail(raw, `Unknown word ${q(raw)}; did you mean ${q(alias)}?`, replaceWith([alias]));
    }
    const near = closest(bare, candidates);
    if (near !== null) {
      return fail(raw, `Unknown word ${q(raw)}; did you mean ${q(near)}?`, replaceWith([near]));
    }
    if (/^\d+[mhdw]$/i.test(value) && !hasWindow) {
      return fail(raw, `Put since before the span, as in ${q(`since ${value}`)}.`, replaceWith(['since', value]));
    }
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && !hasWindow) {
      return fail(raw, `Put from before the date, as in ${q(`from ${value}`)}.`, replaceWith(['from', value]));
    }
    if (REGION_SHAPE.test(bare.replace(/,+$/, ''))) {
      if (index === state.regionsEnd) {
        const previous = raws[index - 1] ?? '';
        return fail(raw, `Separate regions with commas, as in ${q(`in ${previous},${value}`)}.`, () => [
          splice(raws, index - 1, 2, [`${previous},${value}`]),
        ]);
      }
      if (!seen.has('in')) {
        return fail(raw, `Put in before the region, as in ${q(`in ${value}`)}.`, replaceWith(['in', value]));
      }
    }
    if (/^\d{12}$/.test(value) && !seen.has('account')) {
      return fail(
        raw,
        `Put account before the account id, as in ${q(`account ${value}`)}.`,
        replaceWith(['account', value]),
      );
    }
  }
  const target = tokens[state.targetIndex];
  if (index === state.targetIndex + 1 && target !== undefined && (verb === 'who' || verb === 'user')) {
    const joined = formatToken(`${target.value} ${value}`, MODIFIER_WORDS);
    return fail(
      raw,
      `Unexpected word ${q(raw)}; if the name has spaces, put it in quotes, as in ${q(`${verb} ${joined}`)}.`,
      () => [splice(raws, state.targetIndex, 2, [joined]), ...removeIt()],
    );
  }
  const after = raws.slice(0, index).join(' ');
  return fail(
    raw,
    `Unknown word ${q(raw)} after ${q(after)}; the words that can follow are ${listWords([...MODIFIERS.filter((m) => m !== 'to'), ...SCOPES_BY_VERB[verb]])}.`,
    removeIt,
  );
}

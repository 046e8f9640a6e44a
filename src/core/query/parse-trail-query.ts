/**
 * The `/trail` query language (DESIGN.md, "The query language"): text from `/trail`, an @mention or the CLI →
 * ParsedQuery. Pure: no clock, no I/O; never throws.
 *
 * Grammar: `<verb> <target> [modifiers]`. Verbs, modifier words and units are case-insensitive; targets and
 * account aliases are kept as typed. Decisions beyond DESIGN.md:
 * - An empty query is a usage error pointing to `help` (not the help text itself): an empty `/trail` is more often
 *   a slip than a question, and the error still shows a complete example.
 * - `help`, `--help`, `-h` and `?` as the first word give the help text, whatever follows.
 * - `match` takes a CloudWatch Logs filter pattern, cut from the text before the rest is split into words
 *   (read-pattern.ts); `scan` takes no target, like `errors`.
 * - A word in double quotes is never a keyword: `who "public"` looks for a resource named public. An unquoted
 *   modifier word where a target or value belongs counts as a missing target or value.
 * - The second filter of `errors` (who, user, event, ip, key) and of `ip` (who, user, event) may stand anywhere
 *   after the verb's target; at most one.
 * - `since N<unit>` takes m, h, d or w (`M` alone is refused as ambiguous), 1 unit up to 10 years (read-since.ts).
 * - `from`/`to` take a UTC day or an ISO 8601 date-time with `Z` or an offset, never a time without a zone; `to`
 *   must directly follow `from <start>` (read-date-range.ts, read-instant.ts).
 * - Errors are reported for the first fault from left to right; lexical faults (an unclosed quote, an invisible
 *   character) come before the rest. The example in an error is the user's own query with that fault (and any
 *   later ones) repaired where a repair is clear, else a shorter query built from their verb and target, else a
 *   stock example for the verb; it always parses.
 *
 * This file holds the grammar: the verbs, which word may follow which, and the faults only the whole query shows.
 * The readers of targets and modifier values, the modifier words, the did-you-mean and the example search live in
 * the files it imports.
 */
import {
  NO_FILTERS,
  type ParsedQuery,
  type QueryFilters,
  type TrailQuery,
  type Verb,
  type WindowSpec,
} from '../trail-query.js';
import { closestWord } from './closest-word.js';
import { type Failure, fail, replaceWords, splice } from './failure.js';
import { lookup } from './lookup.js';
import { isIpSpec } from './match-ip.js';
import {
  MODIFIER_WORDS,
  MODIFIERS,
  type Modifier,
  modifierOf,
  valueAfter,
  wordsTaken,
  wordsWithValue,
} from './modifiers.js';
import { quoteWord } from './quote-word.js';
import { readDateRange } from './read-date-range.js';
import { EXAMPLE_PATTERN, readPattern } from './read-pattern.js';
import { isRegionCode, readRegions } from './read-regions.js';
import { isSpan, readSince } from './read-since.js';
import { readTarget, setFilter } from './read-target.js';
import { repairExample } from './repair-example.js';
import { closingQuoteFor, formatToken, hasInvisibleCharacter, type Token, tokenize } from './tokenize.js';
import { HELP_TEXT } from './usage.js';

export { MODIFIER_WORDS } from './modifiers.js';
export { MAX_SINCE_MS } from './read-since.js';

/** Longer input is refused before it is read. */
export const MAX_QUERY_LENGTH = 2000;
/** `limit N`: 1 ≤ N ≤ MAX_LIMIT. */
export const MAX_LIMIT = 10_000;
/** The message of the last-resort error, returned only if the parser itself fails (tests assert it never does). */
export const UNREADABLE_QUERY_MESSAGE = 'Trailbot could not read this query; type help to see how queries are written.';

const VERBS: readonly Verb[] = ['who', 'user', 'event', 'errors', 'ip', 'key', 'id', 'match', 'scan'];
const HELP_WORDS: ReadonlySet<string> = new Set(['help', '--help', '-h', '?']);

type ScopeVerb = 'who' | 'user' | 'event' | 'ip' | 'key';
const SCOPES_BY_VERB: Readonly<Record<Verb, readonly ScopeVerb[]>> = {
  errors: ['who', 'user', 'event', 'ip', 'key'],
  ip: ['who', 'user', 'event'],
  who: [],
  user: [],
  event: [],
  key: [],
  id: [],
  match: [],
  scan: [],
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
  match: `match ${EXAMPLE_PATTERN} since 1d`,
  scan: 'scan since 1d',
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
  pattern: 'match',
  filter: 'match',
  grep: 'match',
  cis: 'scan',
  audit: 'scan',
  check: 'scan',
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

const ACCOUNT_ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

// ---------------------------------------------------------------------------------------------------------------
// Results inside the parser: a Failure carries the repairs to try for the example, computed only when needed.

type Inner = { kind: 'query'; query: TrailQuery } | { kind: 'help'; text: string } | Failure;

interface Step {
  kind: 'step';
  next: number;
}
type StepResult = Step | Failure;

/** `a, b or c`. */
function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
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

/** The user's query repaired, else their verb and target alone, else the verb's stock example. */
function buildExample(failure: Failure, text: string): string {
  const repaired = repairExample(failure, parseInner, MAX_QUERY_LENGTH);
  if (repaired !== null) return repaired;
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

function parseInner(text: string): Inner {
  if (text.length > MAX_QUERY_LENGTH) {
    return fail(
      null,
      `The query is ${text.length} characters long and the limit is ${MAX_QUERY_LENGTH}; ask something shorter, as in ${quoteWord(STOCK_EXAMPLE.who)}.`,
    );
  }
  const tokens = tokenize(text);
  const raws = tokens.map((token) => token.raw);
  const first = tokens[0];
  if (first === undefined) {
    return fail(
      null,
      `The query is empty; type a verb and a target, such as ${quoteWord(STOCK_EXAMPLE.who)}, or type help to see every verb.`,
    );
  }
  const firstWord = first.quoted ? '' : first.value.toLowerCase();
  if (HELP_WORDS.has(firstWord)) return { kind: 'help', text: HELP_TEXT };
  if (firstWord === 'match') return parseMatch(first, text);

  const lexical = checkLexical(tokens, raws);
  if (lexical !== null) return lexical;

  const verb = verbOf(first);
  if (verb === null) return unknownVerb(first, raws);
  return parseBody(verb, tokens, raws);
}

/** `match <pattern> [modifiers]`: the pattern is cut from the text first, then the modifiers are read as usual. */
function parseMatch(first: Token, text: string): Inner {
  const afterVerb = text.slice(text.indexOf(first.raw) + first.raw.length);
  const read = readPattern(afterVerb);
  if ('kind' in read) return read;
  const patternToken: Token = { raw: read.pattern, value: read.pattern, quoted: true, unclosed: false };
  const tokens = [{ ...first, raw: 'match', value: 'match' }, patternToken, ...read.rest];
  const lexical = checkLexical(
    read.rest,
    read.rest.map((token) => token.raw),
  );
  if (lexical !== null) return lexical;
  return parseBody(
    'match',
    tokens,
    tokens.map((token) => token.raw),
  );
}

function checkLexical(tokens: readonly Token[], raws: readonly string[]): Failure | null {
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token === undefined) continue;
    if (token.unclosed) {
      return fail(
        token.raw,
        `The quote that opens ${quoteWord(token.raw)} is never closed; end the name with ${closingQuoteFor(token.raw)}.`,
        replaceWords(raws, i, 1, [`${token.raw}${closingQuoteFor(token.raw)}`]),
      );
    }
    if (hasInvisibleCharacter(token.raw)) {
      const visible = token.raw.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '');
      return fail(
        token.raw,
        `The word ${quoteWord(visible === '' ? '?' : visible)} contains an invisible or control character; retype it.`,
        replaceWords(raws, i, 1, visible === '' || visible === '""' ? [] : [visible]),
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
    return fail(first.raw, `Write the verb ${quoteWord(lower)} without quotes.`, replaceWords(raws, 0, 1, [lower]));
  }
  const bare = lower.replace(/^-+/, '');
  const suggestion = first.quoted
    ? null
    : (lookup(VERB_ALIASES, bare) ?? VERBS.find((verb) => verb === bare) ?? closestWord(bare, [...VERBS, 'help']));
  if (suggestion === 'help') return fail(first.raw, `Unknown verb ${quoteWord(first.raw)}; did you mean help?`);
  if (suggestion !== null) {
    return fail(
      first.raw,
      `Unknown verb ${quoteWord(first.raw)}; did you mean ${quoteWord(suggestion)}?`,
      replaceWords(raws, 0, 1, [suggestion]),
    );
  }
  const modifier = modifierOf(first);
  if (modifier !== null) {
    return fail(
      first.raw,
      `A query starts with a verb and a target such as ${quoteWord('who i-0abc')}; ${quoteWord(first.raw)} and the other modifiers come after them.`,
      () => [['who', 'i-0abc', ...raws]],
    );
  }
  const guess = guessVerb(first.value);
  return fail(first.raw, `${quoteWord(first.raw)} is not a verb; start with ${verbList}.`, () => [[guess, ...raws]]);
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
    account: null,
    access: null,
    limit: null,
    public: false,
  };
  let index = 1;
  if (verb === 'match') {
    state.filters.pattern = tokens[1]?.value ?? null;
    state.targetIndex = 1;
    index = 2;
  } else if (verb !== 'errors' && verb !== 'scan') {
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

function readWord(state: State, index: number): StepResult {
  const { tokens, raws, verb } = state;
  const token = tokens[index];
  if (token === undefined) return { kind: 'step', next: index + 1 };
  const modifier = modifierOf(token);
  if (modifier !== null) return readModifier(state, modifier, index);
  const word = token.quoted ? null : token.value.toLowerCase();
  const scope = SCOPES_BY_VERB[verb].find((candidate) => candidate === word);
  if (scope !== undefined) return readScope(state, scope, index);
  if (word !== null && (VERBS as readonly string[]).includes(word)) {
    if (word === verb) {
      const taken = verb === 'errors' || verb === 'scan' ? 1 : wordsWithValue(tokens, index);
      return fail(
        token.raw,
        `${quoteWord(verb)} is given twice; keep the first.`,
        replaceWords(raws, index, taken, []),
      );
    }
    if (word === 'errors' && verb !== 'id' && verb !== 'errors' && verb !== 'match' && verb !== 'scan') {
      return fail(
        token.raw,
        `To see only failed calls, start the query with errors, as in ${quoteWord(`errors ${verb} ${raws[1] ?? ''}`)}.`,
        () => [['errors', ...splice(raws, index, 1, [])]],
      );
    }
    const allowed = SCOPES_BY_VERB[verb];
    const message =
      allowed.length === 0
        ? `${quoteWord(`${verb}${state.targetIndex > 0 ? ` ${raws[state.targetIndex]}` : ''}`)} takes no second filter such as ${quoteWord(token.raw)}; only errors and ip queries do.`
        : `${quoteWord(verb)} can be narrowed by ${listWords(allowed)} only, not by ${quoteWord(token.raw)}.`;
    return fail(token.raw, message, replaceWords(raws, index, wordsWithValue(tokens, index), []));
  }
  return unknownWord(state, index);
}

function readScope(state: State, scope: ScopeVerb, index: number): StepResult {
  const { tokens, raws, verb } = state;
  const token = tokens[index];
  if (token === undefined) return { kind: 'step', next: index + 1 };
  if (state.scopeIndex !== null) {
    const first = raws.slice(state.scopeIndex, state.scopeIndex + 2).join(' ');
    return fail(
      token.raw,
      `${quoteWord(verb)} takes one more filter and already has ${quoteWord(first)}; drop ${quoteWord(token.raw)} or ask about it separately.`,
      replaceWords(raws, index, wordsWithValue(tokens, index), []),
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
  const removeThis = (): string[][] => [splice(raws, index, wordsTaken(tokens, index), [])];
  if (modifier === 'to') return misplacedTo(state, index);
  if (seen.has(modifier)) {
    return fail(token.raw, `${quoteWord(modifier)} is given twice; keep one.`, removeThis);
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
    case 'from': {
      const read = modifier === 'since' ? readSince(tokens, raws, index) : readDateRange(tokens, raws, index);
      if ('kind' in read) return read;
      state.window = read.window;
      return { kind: 'step', next: read.next };
    }
    case 'in': {
      const read = readRegions(tokens, raws, index);
      if ('kind' in read) return read;
      state.regions = read.regions;
      state.regionsEnd = read.next;
      return { kind: 'step', next: read.next };
    }
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

function misplacedTo(state: State, index: number): Failure {
  const { tokens, raws } = state;
  const token = tokens[index];
  const taken = wordsWithValue(tokens, index);
  const laterFrom = tokens.findIndex((t, i) => i > index && modifierOf(t) === 'from');
  return fail(
    token?.raw ?? 'to',
    `to ends a range and goes right after from and its start, as in ${quoteWord('from 2015-03-29 to 2015-03-30')}.`,
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

function readAccount(state: State, index: number): StepResult {
  const { tokens, raws } = state;
  const value = valueAfter(tokens, raws, index, 'a 12-digit account id or an account alias', '123456789012');
  if ('kind' in value) return value;
  const text = value.value;
  if (/^\d{12}$/.test(text)) {
    state.account = text;
  } else if (/^\d{4}-\d{4}-\d{4}$/.test(text)) {
    state.account = text.replaceAll('-', '');
  } else if (/^[\d-]+$/.test(text)) {
    const digits = text.replaceAll('-', '').length;
    return fail(
      value.raw,
      `An account id has 12 digits and ${quoteWord(value.raw)} has ${digits}; check it, or use the account's alias.`,
      replaceWords(raws, index + 1, 1, ['123456789012']),
    );
  } else if (ACCOUNT_ALIAS.test(text)) {
    state.account = text;
  } else {
    return fail(
      value.raw,
      `${quoteWord(value.raw)} is not an account id (12 digits) or alias (letters, digits, dots, dashes, underscores).`,
      replaceWords(raws, index + 1, 1, ['123456789012']),
    );
  }
  return { kind: 'step', next: index + 2 };
}

function readLimit(state: State, index: number): StepResult {
  const { tokens, raws } = state;
  const value = valueAfter(tokens, raws, index, `a whole number from 1 to ${MAX_LIMIT}`, '50');
  if ('kind' in value) return value;
  const replaceValue = (word: string): (() => string[][]) => replaceWords(raws, index + 1, 1, [word]);
  if (!/^\d+$/.test(value.value)) {
    return fail(
      value.raw,
      `limit takes a whole number from 1 to ${MAX_LIMIT}, as in ${quoteWord('limit 50')}, not ${quoteWord(value.raw)}.`,
      replaceValue('50'),
    );
  }
  const n = value.value.length > 6 ? Number.POSITIVE_INFINITY : Number(value.value);
  if (n < 1) return fail(value.raw, `limit needs at least 1, as in ${quoteWord('limit 50')}.`, replaceValue('1'));
  if (n > MAX_LIMIT) {
    return fail(
      value.raw,
      `limit goes up to ${MAX_LIMIT}; write ${quoteWord(`limit ${MAX_LIMIT}`)} or less.`,
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
  const replaceWith = (words: string[]): (() => string[][]) => replaceWords(raws, index, 1, words);
  const removeIt = replaceWith([]);
  const hasWindow = seen.has('since') || seen.has('from');
  const followers: string[] = [...MODIFIERS.filter((m) => m !== 'to'), ...SCOPES_BY_VERB[verb]];

  if (token !== undefined && !token.quoted) {
    const bare = value.toLowerCase().replace(/^-+/, '');
    const exact = MODIFIERS.find((m) => m === bare);
    if (exact !== undefined && exact !== value.toLowerCase()) {
      return fail(raw, `Write ${quoteWord(exact)} without dashes.`, replaceWith([exact]));
    }
    const alias = lookup(MODIFIER_ALIASES, bare);
    if (alias !== undefined) {
      return fail(raw, `Unknown word ${quoteWord(raw)}; did you mean ${quoteWord(alias)}?`, replaceWith([alias]));
    }
    const near = closestWord(bare, followers);
    if (near !== null) {
      return fail(raw, `Unknown word ${quoteWord(raw)}; did you mean ${quoteWord(near)}?`, replaceWith([near]));
    }
    if (isSpan(value) && !hasWindow) {
      return fail(
        raw,
        `Put since before the span, as in ${quoteWord(`since ${value}`)}.`,
        replaceWith(['since', value]),
      );
    }
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && !hasWindow) {
      return fail(raw, `Put from before the date, as in ${quoteWord(`from ${value}`)}.`, replaceWith(['from', value]));
    }
    if (isRegionCode(bare.replace(/,+$/, ''))) {
      if (index === state.regionsEnd) {
        const previous = raws[index - 1] ?? '';
        return fail(
          raw,
          `Separate regions with commas, as in ${quoteWord(`in ${previous},${value}`)}.`,
          replaceWords(raws, index - 1, 2, [`${previous},${value}`]),
        );
      }
      if (!seen.has('in')) {
        return fail(raw, `Put in before the region, as in ${quoteWord(`in ${value}`)}.`, replaceWith(['in', value]));
      }
    }
    if (/^\d{12}$/.test(value) && !seen.has('account')) {
      return fail(
        raw,
        `Put account before the account id, as in ${quoteWord(`account ${value}`)}.`,
        replaceWith(['account', value]),
      );
    }
  }
  const target = tokens[state.targetIndex];
  if (index === state.targetIndex + 1 && target !== undefined && (verb === 'who' || verb === 'user')) {
    const joined = formatToken(`${target.value} ${value}`, MODIFIER_WORDS);
    return fail(
      raw,
      `Unexpected word ${quoteWord(raw)}; if the name has spaces, put it in quotes, as in ${quoteWord(`${verb} ${joined}`)}.`,
      () => [splice(raws, state.targetIndex, 2, [joined]), ...removeIt()],
    );
  }
  const after = raws.slice(0, index).join(' ');
  return fail(
    raw,
    `Unknown word ${quoteWord(raw)} after ${quoteWord(after)}; the words that can follow are ${listWords(followers)}.`,
    removeIt,
  );
}

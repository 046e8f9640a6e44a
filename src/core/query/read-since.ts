/**
 * `since N<unit>`: a span back from now. Units are m, h, d or w, case-insensitive except that `M` alone is refused
 * as ambiguous; spans run from 1 unit up to 10 years. Common slips get a repair: `2 days` → `2d`, `1.5h` → `90m`,
 * `2mo` → `60d`, `-2d` → `2d`, a date → `from <date>`. Pure.
 */
import type { WindowSpec } from '../trail-query.js';
import { type Failure, fail, replaceWords } from './failure.js';
import { lookup } from './lookup.js';
import { valueAfter } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import { looksLikeDate } from './read-instant.js';
import type { Token } from './tokenize.js';

/** `since` reaches back at most 10 years. */
export const MAX_SINCE_MS = 3650 * 24 * 60 * 60 * 1000;

type Unit = 'm' | 'h' | 'd' | 'w';
const DURATION = /^(\d+)([a-zA-Z]+)$/;
const MINUTE_MS = 60 * 1000;
const UNIT_MS: Readonly<Record<Unit, number>> = {
  m: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: 24 * 60 * MINUTE_MS,
  w: 7 * 24 * 60 * MINUTE_MS,
};
const UNIT_NAME: Readonly<Record<Unit, string>> = { m: 'minute', h: 'hour', d: 'day', w: 'week' };
const UNIT_ALIASES: Readonly<Record<string, Unit>> = {
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
const MONTH_OR_YEAR_UNITS: readonly string[] = ['mo', 'mon', 'month', 'months', 'y', 'yr', 'yrs', 'year', 'years'];
const SECOND_UNITS: readonly string[] = ['s', 'sec', 'secs', 'second', 'seconds'];

/** True for a word shaped like a span, `<digits><m|h|d|w>` in either case (whether or not `since` accepts it). */
export function isSpan(text: string): boolean {
  return /^\d+[mhdw]$/i.test(text);
}

/** Reads `since <span>` at `index` (the word since): the window and the index after the span, or a failure. */
export function readSince(
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
): { window: Extract<WindowSpec, { kind: 'since' }>; next: number } | Failure {
  const value = valueAfter(tokens, raws, index, 'a span such as 30m, 2h, 3d or 1w', '2d');
  if ('kind' in value) return value;
  const valueIndex = index + 1;
  const replaceValue = (words: string[], count = 1): (() => string[][]) => replaceWords(raws, valueIndex, count, words);
  const text = value.value;
  const match = DURATION.exec(text);
  if (match === null) return unreadableSpan(tokens, raws, index, value);
  const digits = match[1] ?? '';
  const unitText = match[2] ?? '';
  const n = Number(digits);
  const lowerUnit = unitText.toLowerCase();
  if (unitText === 'M') {
    return fail(
      value.raw,
      `${quoteWord(value.raw)} is ambiguous; write m for minutes, or d or w for longer spans, as in ${quoteWord(`since ${n}m`)}.`,
      replaceValue([`${n}m`]),
    );
  }
  const unit: Unit | undefined = lowerUnit === 'm' ? 'm' : lookup(UNIT_ALIASES, lowerUnit);
  if (MONTH_OR_YEAR_UNITS.includes(lowerUnit)) {
    const days = lowerUnit.startsWith('m') ? n * 30 : n * 365;
    return fail(
      value.raw,
      `since counts in minutes, hours, days or weeks; write ${quoteWord(`since ${days}d`)}.`,
      replaceValue([`${days}d`]),
    );
  }
  if (SECOND_UNITS.includes(lowerUnit)) {
    return fail(
      value.raw,
      `since counts in whole minutes at the finest; write ${quoteWord('since 1m')}.`,
      replaceValue(['1m']),
    );
  }
  if (unit === undefined) {
    return fail(
      value.raw,
      `${quoteWord(unitText)} is not a unit; use m (minutes), h (hours), d (days) or w (weeks), as in ${quoteWord(`since ${n}d`)}.`,
      replaceValue([`${n}d`]),
    );
  }
  const normalized = `${n}${unit}`;
  if (lowerUnit.length > 1) {
    return fail(
      value.raw,
      `Write the unit as one letter: ${quoteWord(`since ${normalized}`)}.`,
      replaceValue([normalized]),
    );
  }
  if (n === 0) {
    return fail(
      value.raw,
      `since needs at least 1 ${UNIT_NAME[unit]}, as in ${quoteWord(`since 1${unit}`)}.`,
      replaceValue([`1${unit}`]),
    );
  }
  const ms = n * UNIT_MS[unit];
  if (digits.length > 9 || ms > MAX_SINCE_MS) {
    return fail(
      value.raw,
      `since ${quoteWord(value.raw)} reaches back more than 10 years; use a shorter span such as 52w or a from date.`,
      replaceValue(['52w']),
    );
  }
  return { window: { kind: 'since', ms, text: normalized }, next: valueIndex + 1 };
}

/** The failure for a `since` value that is not `<digits><letters>`: a bare number, a minus, a fraction, a date… */
function unreadableSpan(tokens: readonly Token[], raws: readonly string[], index: number, value: Token): Failure {
  const valueIndex = index + 1;
  const replaceValue = (words: string[], count = 1): (() => string[][]) => replaceWords(raws, valueIndex, count, words);
  const text = value.value;
  if (/^\d+$/.test(text)) {
    const next = tokens[valueIndex + 1];
    const unit = next !== undefined && !next.quoted ? lookup(UNIT_ALIASES, next.value.toLowerCase()) : undefined;
    const n = String(Number(text));
    if (unit !== undefined && next !== undefined) {
      return fail(
        value.raw,
        `Write the number and its unit together, as in ${quoteWord(`since ${n}${unit}`)}.`,
        replaceValue([`${n}${unit}`], 2),
      );
    }
    return fail(
      value.raw,
      `Add a unit to ${quoteWord(value.raw)}: m (minutes), h (hours), d (days) or w (weeks), as in ${quoteWord(`since ${n}h`)}.`,
      replaceValue([`${n}h`]),
    );
  }
  if (/^-\d/.test(text)) {
    const positive = text.slice(1);
    return fail(
      value.raw,
      `since already counts back from now; drop the minus, as in ${quoteWord(`since ${positive}`)}.`,
      replaceValue([positive]),
    );
  }
  const fraction = /^(\d*\.\d+|\d+\.\d*)([mhdwMHDW])$/.exec(text);
  if (fraction !== null) {
    const amount = Number(fraction[1]);
    const unit = (fraction[2] ?? 'h').toLowerCase() as Unit;
    const smaller = (['w', 'd', 'h', 'm'] as const).filter((u) => UNIT_MS[u] < UNIT_MS[unit]);
    const exact = smaller.find((u) => Number.isInteger((amount * UNIT_MS[unit]) / UNIT_MS[u]));
    const fixed = exact !== undefined ? `${(amount * UNIT_MS[unit]) / UNIT_MS[exact]}${exact}` : '1h';
    return fail(value.raw, `since takes whole numbers; write ${quoteWord(`since ${fixed}`)}.`, replaceValue([fixed]));
  }
  if (looksLikeDate(text)) {
    return fail(
      value.raw,
      `since takes a span such as 2d; for a date, write ${quoteWord(`from ${text}`)}.`,
      replaceWords(raws, index, 1, ['from']),
    );
  }
  const lower = text.toLowerCase();
  if (lower === 'yesterday' || lower === 'today') {
    return fail(value.raw, `since takes a span; for ${lower}, write ${quoteWord('since 1d')}.`, replaceValue(['1d']));
  }
  return fail(
    value.raw,
    `since takes a number and a unit, such as 30m, 2h, 3d or 1w, not ${quoteWord(value.raw)}.`,
    replaceValue(['2d']),
  );
}

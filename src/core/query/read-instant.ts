/**
 * One `from`/`to` value: `YYYY-MM-DD` (a UTC day: as `from` its first millisecond, as `to` its last) or an ISO 8601
 * date-time with `Z` or an offset (`2015-03-29T10:00+09:00`). A time without a zone is refused: readers work in
 * JST, CloudTrail writes UTC, so a guess would be wrong for someone. `to now` means up to now. Pure.
 */
import { isValid, parseISO } from 'date-fns';
import { type Failure, fail, replaceWords } from './failure.js';
import { wordsTaken } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import type { Token } from './tokenize.js';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
/** The day that repairs put in place of a date that cannot be read. */
const EXAMPLE_DAY = '2015-03-29';

export interface Instant {
  /** ISO 8601 in UTC. */
  iso: string;
}

/** True when `text` is or starts like a date (`2015-03-29`, `2015-03-29T10:00Z`, `2015/3/29…`), valid or not. */
export function looksLikeDate(text: string): boolean {
  return DATE_TIME.test(text) || /^\d{4}[-/]\d{1,2}[-/]\d{1,2}/.test(text);
}

/** Reads the `from`/`to` value at `valueIndex`: a plain date, or a date-time with a zone; `to` also takes now. */
export function readInstant(
  tokens: readonly Token[],
  raws: readonly string[],
  valueIndex: number,
  role: 'from' | 'to',
): Instant | { now: true } | Failure {
  const token = tokens[valueIndex];
  if (token === undefined) return fail(null, `${role} needs a date.`);
  const text = token.value;
  const replaceValue = (words: string[]): (() => string[][]) => replaceWords(raws, valueIndex, 1, words);
  const lower = text.toLowerCase();
  if (lower === 'now') {
    if (role === 'to') return { now: true };
    return fail(
      token.raw,
      `from needs a start in the past such as 2015-03-29; for recent activity write ${quoteWord('since 1h')}.`,
      replaceWords(raws, valueIndex - 1, 2, ['since', '1h']),
    );
  }
  if (lower === 'yesterday' || lower === 'today') {
    const taken = role === 'from' ? wordsTaken(tokens, valueIndex - 1) : 2;
    return fail(
      token.raw,
      `${role} needs a date such as 2015-03-29; for ${lower}, write ${quoteWord('since 1d')}.`,
      replaceWords(raws, valueIndex - 1, taken, ['since', '1d']),
    );
  }
  const match = DATE_TIME.exec(text);
  if (match === null) {
    const loose = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
    if (loose !== null) {
      const fixed = `${loose[1]}-${(loose[2] ?? '').padStart(2, '0')}-${(loose[3] ?? '').padStart(2, '0')}`;
      return fail(
        token.raw,
        `Write dates as year-month-day with dashes, as in ${quoteWord(fixed)}.`,
        replaceValue([fixed]),
      );
    }
    return fail(
      token.raw,
      `${quoteWord(token.raw)} is not a date; write a day such as 2015-03-29 or a time such as 2015-03-29T10:00Z.`,
      replaceValue([EXAMPLE_DAY]),
    );
  }
  const [, year = '', month = '', day = '', hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1970) {
    return fail(
      token.raw,
      `${quoteWord(token.raw)} is before any CloudTrail record (they start in 2013); check the year.`,
      replaceValue([EXAMPLE_DAY]),
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
      `${quoteWord(token.raw)} is not a day on the calendar; check the month and day.`,
      replaceValue([EXAMPLE_DAY]),
    );
  }
  if (hour === undefined || minute === undefined) {
    const iso = role === 'from' ? `${year}-${month}-${day}T00:00:00.000Z` : `${year}-${month}-${day}T23:59:59.999Z`;
    return { iso };
  }
  if (Number(hour) > 23 || Number(minute) > 59 || (second !== undefined && Number(second) > 59)) {
    return fail(
      token.raw,
      `${quoteWord(token.raw)} is not a time of day; hours run 00 to 23, minutes and seconds 00 to 59.`,
      replaceValue([`${year}-${month}-${day}`]),
    );
  }
  if (zone === undefined) {
    return fail(
      token.raw,
      `${quoteWord(token.raw)} has no time zone; add Z for UTC or an offset such as +09:00, as in ${quoteWord(`${token.raw}Z`)}.`,
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
        `${quoteWord(zone)} is not a time zone offset; write one such as +09:00 or Z.`,
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
      `${quoteWord(token.raw)} is not a date and time Trailbot can read; write one such as 2015-03-29T10:00Z.`,
      replaceValue(['2015-03-29T10:00Z']),
    );
  }
  return { iso: instant.toISOString() };
}

/** A date followed by a separate time word (`2015-03-29 10:00Z`): asks to join them with T. */
export function splitDateTime(tokens: readonly Token[], raws: readonly string[], dateIndex: number): Failure | null {
  const date = tokens[dateIndex];
  const time = tokens[dateIndex + 1];
  if (date === undefined || time === undefined || time.quoted) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value) || !/^\d{1,2}:\d{2}/.test(time.value)) return null;
  const hour = time.value.length >= 5 && time.value.charAt(2) === ':' ? time.value : `0${time.value}`;
  const joined = `${date.value}T${hour}`;
  return fail(
    time.raw,
    `Join the date and the time with a T, as in ${quoteWord(joined)}.`,
    replaceWords(raws, dateIndex, 2, [joined]),
  );
}

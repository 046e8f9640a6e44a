/**
 * eventTime in one canonical form, `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), or `''` where the record
 * has no readable time. CloudTrail writes the canonical form already; other pipelines write
 * `2019-01-01 00:20:04.000Z`, `…T00:44:23.000Z`, an offset, or epoch numbers. A time without a zone is
 * UTC (CloudTrail's zone): this never consults the machine's zone, unlike Date.parse.
 */
import { obj } from './accessors.js';

/** Where a time may be, in order: CloudTrail's field, then what log pipelines add (Logstash, Panther). */
const TIME_FIELDS = ['eventTime', '@timestamp', 'p_event_time'] as const;
/** Years 0000–9999: what the canonical form can write. */
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;
const FOUR_CENTURIES_MS = 146097 * 86400000;

/** The canonical time of a raw record (see the module comment for the fallbacks). */
export function eventTimeOf(record: unknown): string {
  const r = obj(record);
  if (r === null) return '';
  for (const name of TIME_FIELDS) {
    const value = r[name];
    if (value !== undefined && value !== null) return canonicalTime(value);
  }
  return '';
}

/** One time value (string, epoch seconds or milliseconds, Date) in canonical form, or `''`. */
export function canonicalTime(value: unknown): string {
  if (typeof value === 'string') return value.length <= 64 ? fromText(value) : '';
  if (typeof value === 'number') return fromMs(Math.abs(value) >= 1e11 ? value : value * 1000);
  if (value instanceof Date) return fromMs(value.getTime());
  return '';
}

function fromMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return '';
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z | ±HH[:]MM | ±HH]`, checked field by field. */
function fromText(text: string): string {
  const s = text.trim();
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const sep = s.charCodeAt(10);
  if (
    year < 0 ||
    s.charCodeAt(4) !== 0x2d ||
    s.charCodeAt(7) !== 0x2d ||
    (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) ||
    s.charCodeAt(13) !== 0x3a ||
    s.charCodeAt(16) !== 0x3a ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return '';
  }
  let at = 19;
  if (s.charCodeAt(at) === 0x2e /* . */ || s.charCodeAt(at) === 0x2c /* , */) {
    at++;
    while (at < s.length && isDigit(s.charCodeAt(at))) at++;
  }
  const offsetMinutes = zoneAt(s, at);
  if (offsetMinutes === null) return '';
  if (offsetMinutes === 0 && s.length === 20 && at === 19 && sep === 0x54 && s.charCodeAt(19) === 0x5a) return s;
  // Date.UTC reads years 0–99 as 1900–1999; shift by a 400-year cycle (exactly 146097 days) and back.
  const shift = year < 100 ? FOUR_CENTURIES_MS : 0;
  const utc = Date.UTC(year + (shift === 0 ? 0 : 400), month - 1, day, hour, minute, second) - shift;
  return fromMs(utc - offsetMinutes * 60000);
}

/** Minutes east of UTC for the zone starting at `at` (nothing or `Z` is UTC); null if it is not a zone. */
function zoneAt(s: string, at: number): number | null {
  if (at === s.length) return 0;
  const c = s.charCodeAt(at);
  if (c === 0x5a || c === 0x7a) return at + 1 === s.length ? 0 : null;
  if (c !== 0x2b && c !== 0x2d) return null;
  const sign = c === 0x2d ? -1 : 1;
  const rest = s.length - at - 1;
  const hours = digits(s, at + 1, 2);
  let minutes = 0;
  if (rest === 5 && s.charCodeAt(at + 3) === 0x3a) minutes = digits(s, at + 4, 2);
  else if (rest === 4) minutes = digits(s, at + 3, 2);
  else if (rest !== 2) return null;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/** The number written by `count` decimal digits at `start`, or -1. */
function digits(s: string, start: number, count: number): number {
  if (start + count > s.length) return -1;
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Typed reads of untrusted JSON. A CloudTrail record comes from JSON.parse (or YAML), so any field may be
 * missing, null, or of the wrong type; these accessors answer `null` instead of throwing, and cap every
 * string they hand out so a hostile 10 MB field cannot flow further. They never escape: renderers do.
 */

/** A JSON object (never an array, never null). */
export type Obj = { readonly [key: string]: unknown };

/** The longest string copied out of a record (errorMessage, ARNs, names…). */
export const MAX_TEXT = 4096;
/** CloudTrail documents userAgent as at most 1 KB. */
export const MAX_USER_AGENT = 1024;
/** How many elements of one array, or keys of one object, are looked at: a hostile record cannot make us loop. */
export const MAX_SCAN = 256;

export function obj(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : null;
}

export function arr(value: unknown): readonly unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/** `value` cut to at most `max` UTF-16 units, never splitting a surrogate pair. */
export function cap(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A non-empty string, capped; a finite number becomes its decimal text (YAML and hand-written records
 * carry account ids as numbers). Anything else is null.
 */
export function str(value: unknown, max: number = MAX_TEXT): string | null {
  if (typeof value === 'string') return value.length === 0 ? null : cap(value, max);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** `o[key]` as a string (see `str`), for an object that may itself be null. */
export function field(o: Obj | null, key: string): string | null {
  return o === null ? null : str(o[key]);
}

/** `true`/`false`, or the strings `"true"`/`"false"` in any case; else null. */
export function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string' || value.length > 5) return null;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : null;
}

/** The elements of `{items: [...]}` (EC2's XML-derived sets; some pipelines write `item`). */
export function setItems(value: unknown): readonly unknown[] | null {
  const set = obj(value);
  if (set === null) return null;
  return arr(set.items) ?? arr(set.item);
}

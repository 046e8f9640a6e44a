/**
 * Numbers in patterns and in the values they compare. A numeric literal, and a text value that compares numerically,
 * is a decimal: optional sign, digits with an optional fraction, optional exponent (`400`, `+1000`, `55.5`, `.5`,
 * `10e-3`). Nothing else (`0x10`, `Infinity`, `1_000`, padding spaces) is a number, even where `Number()` would take
 * it. Pure.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What `String(n)` gives for finite numbers (and so what `JSON.stringify` writes). */
const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:e[+-]\d+)?$/;

/** The value of a decimal text, or null when `text` is not one. */
export function decimalValue(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}

/** Could `String(n)` equal `text` for some finite number? If not, number values need not be turned into text. */
export function couldBeNumberText(text: string): boolean {
  return NUMBER_TEXT.test(text);
}

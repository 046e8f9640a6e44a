/**
 * What a comparison (`op` and value) says about one value, shared by JSON and space-delimited patterns. Values arrive
 * as text (JSON strings, delimited fields) or as numbers (JSON numbers, finite):
 * - `=`: text matches the wildcard/regex; a number matches through its JSON text (`$.errorCode = 400` matches 400 and
 *   "400"), and with a numeric literal also by value (`$.x = 1.0` matches 1). Text compares as text only: "1.0" is
 *   not `= 1` (our choice; AWS documents numeric matching for numbers only).
 * - `!=`: the value is there and `=` does not hold. (The caller decides what "there" means: a missing JSON field
 *   matches neither.)
 * - `<`, `>`, `<=`, `>=` (numeric literal required, checked by the parser): numbers by value; text only when it is a
 *   decimal number (`"404"`, `" 404"` is not), so space-delimited fields and numeric strings compare numerically.
 * Pure; the tests allocate nothing except a number's text when a wildcard or regex must see it.
 */
import { decimalValue } from './number-text.js';
import type { Literal } from './read-literal.js';

export type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export const OPERATORS: ReadonlySet<string> = new Set<Operator>(['=', '!=', '<', '>', '<=', '>=']);

export function isNumericOperator(op: Operator): boolean {
  return op !== '=' && op !== '!=';
}

export interface ValueTest {
  onText(text: string): boolean;
  /** For finite numbers only (a JSON number). */
  onNumber(n: number): boolean;
}

export function compileValueTest(op: Operator, literal: Literal): ValueTest {
  if (isNumericOperator(op)) {
    const bound = literal.kind === 'number' ? literal.value : Number.NaN;
    const holds = numericComparison(op, bound);
    return {
      onText: (text) => {
        const n = decimalValue(text);
        return n !== null && holds(n);
      },
      onNumber: holds,
    };
  }
  const { matcher } = literal;
  const equalNumber =
    literal.kind === 'number'
      ? (n: number) => n === literal.value
      : matcher.numbers
        ? (n: number) => matcher.test(String(n))
        : () => false;
  if (op === '=') return { onText: (text) => matcher.test(text), onNumber: equalNumber };
  return { onText: (text) => !matcher.test(text), onNumber: (n) => !equalNumber(n) };
}

function numericComparison(op: Operator, bound: number): (n: number) => boolean {
  switch (op) {
    case '<':
      return (n) => n < bound;
    case '>':
      return (n) => n > bound;
    case '<=':
      return (n) => n <= bound;
    default:
      return (n) => n >= bound;
  }
}

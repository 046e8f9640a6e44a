/**
 * Space-delimited patterns, `[ip, user, ..., status_code = 4* && bytes > 1000, bytes]` (CloudWatch Logs "Matching
 * terms in space-delimited log events"). The message is split into fields (split-log-fields.ts) and the pattern's
 * fields are laid over them, left to right.
 *
 * Pattern fields, separated by commas:
 * - `name` (letters, digits, `_`, `-`; not all digits, so `$name` never collides with `$N`): one log field;
 * - `name op value` conditions, joined by `&&` and `||` (`&&` binds tighter, no parentheses), each naming any field
 *   of the pattern (`[w1=ERROR || w1=WARN, w2]`, `status_code = 4* && bytes > 1000`); the same operators, wildcards
 *   and regexes as JSON values (value-test.ts), every field's text being a string;
 * - `...`: any number of log fields, zero included;
 * - empty (`[a,,b]`, the trailing `,` in `[..., status_code=4*,]`, or `[]`): one log field, unnamed.
 * Without an ellipsis the numbers of fields must be equal. A field named twice, or a condition on `...`, is a fault.
 * A condition naming a field the pattern does not have is never true, like a JSON comparison on a missing field
 * (our choice: AWS's own doc example `[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`
 * names `bytes` without declaring it, so rejecting it would reject the doc).
 *
 * Extracted values (TestMetricFilter's `extractedValues`): `$name` for each named field, `$N` (1-based position in
 * the message) for each log field an ellipsis or an unnamed field covers; AWS's doc example
 * `[..., request=*.html*, status_code=4*,]` gives `$1`…`$4`, `$request`, `$status_code`, `$7`.
 *
 * With several ellipses the layout is searched with backtracking, each ellipsis taking as few fields as it can, left
 * first (our choice; AWS documents one ellipsis at a time). Failed states are remembered by field, position and the
 * positions of the earlier fields that conditions still to run read, so the search stays polynomial (in the number of
 * log fields, to the power of the fields a condition reads back); with one ellipsis the layout is fixed and matching
 * is linear. Pure.
 */
import type { PatternCursor } from './pattern-cursor.js';
import { DELIMITED_WORD_STOPS, readLiteral } from './read-literal.js';
import { splitLogFields } from './split-log-fields.js';
import { compileValueTest, isNumericOperator, OPERATORS, type Operator, type ValueTest } from './value-test.js';

interface Comparison {
  name: string;
  nameOffset: number;
  test: ValueTest;
}

/** `||` of `&&` groups of comparisons. */
type Condition = Comparison[][];

type ParsedField =
  | { kind: 'ellipsis' }
  | { kind: 'field'; name: string | null; nameOffset: number; condition: Condition | null };

/** A condition ready to run once every field it names is bound: values are indexed by field index. */
type Check = (values: readonly string[]) => boolean;

interface PlanField {
  ellipsis: boolean;
  name: string | null;
  /** Conditions whose last-bound field is this one. */
  checks: Check[];
  /** Non-ellipsis fields from here to the end: the fewest log fields still needed. */
  needs: number;
  /** An ellipsis is at or after this field (else exactly `needs` log fields must remain). */
  stretches: boolean;
  /**
   * Earlier fields that checks still to run (here or later) read. A failure here depends only on the position, the
   * field and the values of these fields, so that is what is remembered.
   */
  carried: number[];
}

export type DelimitedMatch = (message: string) => Record<string, string> | null;

const NAME_CHAR = /^[A-Za-z0-9_-]$/;

/** Reads `[ … ]` from the cursor (on `[`) to the end of the text; the compiled matcher or null (fault recorded). */
export function parseDelimitedPattern(cursor: PatternCursor): DelimitedMatch | null {
  const open = cursor.pos;
  cursor.pos += 1;
  const fields: ParsedField[] = [];
  for (;;) {
    const field = readField(cursor);
    if (field === null) return null;
    fields.push(field);
    cursor.skipSpaces();
    const ch = cursor.peek();
    if (ch === ',') {
      cursor.pos += 1;
      continue;
    }
    if (ch === ']') break;
    if (cursor.atEnd())
      return cursor.fail(cursor.pos, `expected "]" to close the pattern opened at column ${open + 1}`);
    return cursor.fail(cursor.pos, `expected "," or "]" after a field, found ${cursor.found()}`);
  }
  cursor.pos += 1;
  cursor.skipSpaces();
  if (!cursor.atEnd()) return cursor.fail(cursor.pos, `unexpected ${cursor.found()} after the closing "]"`);
  const plan = planFields(cursor, fields);
  return plan === null ? null : (message) => matchFields(plan, splitLogFields(message));
}

function readField(cursor: PatternCursor): ParsedField | null {
  cursor.skipSpaces();
  if (cursor.startsWith('...')) {
    cursor.pos += 3;
    cursor.skipSpaces();
    const ch = cursor.peek();
    if (ch !== ',' && ch !== ']' && !cursor.atEnd())
      return cursor.fail(
        cursor.pos,
        `expected "," or "]" after "...", found ${cursor.found()} (an ellipsis takes no condition)`,
      );
    return { kind: 'ellipsis' };
  }
  const ch = cursor.peek();
  if (ch === ',' || ch === ']' || cursor.atEnd())
    return { kind: 'field', name: null, nameOffset: cursor.pos, condition: null };
  const nameOffset = cursor.pos;
  const name = readName(cursor);
  if (name === null) return null;
  cursor.skipSpaces();
  const next = cursor.peek();
  if (next === ',' || next === ']' || cursor.atEnd()) return { kind: 'field', name, nameOffset, condition: null };
  const condition = readCondition(cursor, name, nameOffset);
  return condition === null ? null : { kind: 'field', name, nameOffset, condition };
}

function readName(cursor: PatternCursor): string | null {
  const start = cursor.pos;
  while (NAME_CHAR.test(cursor.peek())) cursor.pos += 1;
  const name = cursor.text.slice(start, cursor.pos);
  if (name === '') return cursor.fail(start, `expected a field name, "..." or ",", found ${cursor.found()}`);
  if (/^\d+$/.test(name))
    return cursor.fail(start, `a field name may not be a number (${name}): $N names the Nth field`);
  return name;
}

/** `name op value` (the first name already read), then more joined by `&&` / `||`. */
function readCondition(cursor: PatternCursor, firstName: string, firstOffset: number): Condition | null {
  const alternatives: Condition = [[]];
  let name = firstName;
  let nameOffset = firstOffset;
  for (;;) {
    const comparison = readComparison(cursor, name, nameOffset);
    if (comparison === null) return null;
    alternatives[alternatives.length - 1]?.push(comparison);
    cursor.skipSpaces();
    if (cursor.startsWith('||')) alternatives.push([]);
    else if (!cursor.startsWith('&&')) return alternatives;
    cursor.pos += 2;
    cursor.skipSpaces();
    nameOffset = cursor.pos;
    const next = readName(cursor);
    if (next === null) return null;
    name = next;
    cursor.skipSpaces();
  }
}

function readComparison(cursor: PatternCursor, name: string, nameOffset: number): Comparison | null {
  const opStart = cursor.pos;
  while (!cursor.atEnd() && '=!<>'.includes(cursor.peek())) cursor.pos += 1;
  const op = cursor.text.slice(opStart, cursor.pos);
  if (op === '')
    return cursor.fail(
      opStart,
      `expected an operator (=, !=, <, >, <=, >=) after ${name}, or "," or "]", found ${cursor.found(opStart)}`,
    );
  if (!isOperator(op))
    return cursor.fail(opStart, `unknown operator ${JSON.stringify(op)}: expected one of =, !=, <, >, <=, >=`);
  cursor.skipSpaces();
  const valueAt = cursor.pos;
  const literal = readLiteral(cursor, op, DELIMITED_WORD_STOPS);
  if (literal === null) return null;
  if (isNumericOperator(op) && literal.kind !== 'number')
    return cursor.fail(valueAt, `expected a number after ${JSON.stringify(op)}, found ${cursor.found(valueAt)}`);
  return { name, nameOffset, test: compileValueTest(op, literal) };
}

function isOperator(op: string): op is Operator {
  return OPERATORS.has(op);
}

/** Resolves condition names to fields and lays out when each condition can run. */
function planFields(cursor: PatternCursor, parsed: readonly ParsedField[]): PlanField[] | null {
  // Consecutive ellipses cover the same fields as one.
  const fields = parsed.filter((field, i) => field.kind !== 'ellipsis' || parsed[i - 1]?.kind !== 'ellipsis');
  const index = new Map<string, number>();
  for (const [i, field] of fields.entries()) {
    if (field.kind !== 'field' || field.name === null) continue;
    if (index.has(field.name)) return cursor.fail(field.nameOffset, `the field name ${field.name} is used twice`);
    index.set(field.name, i);
  }
  const plan: PlanField[] = fields.map((field) => ({
    ellipsis: field.kind === 'ellipsis',
    name: field.kind === 'field' ? field.name : null,
    checks: [],
    needs: 0,
    stretches: false,
    carried: [],
  }));
  const carried = plan.map(() => new Set<number>());
  for (const [own, field] of fields.entries()) {
    if (field.kind !== 'field' || field.condition === null) continue;
    // A name the pattern does not have reads as -1: that comparison is never true.
    const resolved = field.condition.map((group) =>
      group.map((comparison) => ({ at: index.get(comparison.name) ?? -1, test: comparison.test })),
    );
    const positions = [own, ...resolved.flat().map((entry) => entry.at)].filter((at) => at >= 0);
    const runsAt = Math.max(...positions);
    plan[runsAt]?.checks.push(compileCheck(resolved));
    for (let i = Math.min(...positions) + 1; i <= runsAt; i += 1)
      for (const at of positions) if (at < i) carried[i]?.add(at);
  }
  let needs = 0;
  let stretches = false;
  for (let i = plan.length - 1; i >= 0; i -= 1) {
    const field = plan[i];
    if (field === undefined) continue;
    if (field.ellipsis) stretches = true;
    else needs += 1;
    field.needs = needs;
    field.stretches = stretches;
  }
  for (const [i, field] of plan.entries()) field.carried = [...(carried[i] ?? [])].sort((x, y) => x - y);
  return plan;
}

function compileCheck(alternatives: readonly { at: number; test: ValueTest }[][]): Check {
  return (values) =>
    alternatives.some((group) => group.every(({ at, test }) => at >= 0 && test.onText(values[at] ?? '')));
}

/** Lays the pattern over the message's fields; the extracted values, or null when no layout satisfies it. */
function matchFields(plan: readonly PlanField[], tokens: readonly string[]): Record<string, string> | null {
  const width = tokens.length + 1;
  const starts = new Array<number>(plan.length + 1).fill(0);
  const values = new Array<string>(plan.length).fill('');
  /** Failed (field, position) states of fields that carry nothing; the others are keyed with their carried positions. */
  let failed: Uint8Array | null = null;
  const failedCarrying = new Set<string>();

  const place = (fi: number, ti: number): boolean => {
    starts[fi] = ti;
    const field = plan[fi];
    if (field === undefined) return ti === tokens.length;
    const rest = tokens.length - ti;
    if (rest < field.needs || (!field.stretches && rest !== field.needs)) return false;
    const key = fi * width + ti;
    const carriedKey = field.carried.length === 0 ? '' : `${key}:${field.carried.map((j) => starts[j]).join(',')}`;
    if (carriedKey === '' ? failed?.[key] === 1 : failedCarrying.has(carriedKey)) return false;
    let ok = false;
    if (field.ellipsis) {
      const most = rest - (plan[fi + 1]?.needs ?? 0);
      for (let n = 0; n <= most && !ok; n += 1) ok = place(fi + 1, ti + n);
    } else {
      values[fi] = tokens[ti] ?? '';
      ok = field.checks.every((check) => check(values)) && place(fi + 1, ti + 1);
    }
    if (!ok && carriedKey !== '') failedCarrying.add(carriedKey);
    else if (!ok) {
      failed ??= new Uint8Array(width * (plan.length + 1));
      failed[key] = 1;
    }
    return ok;
  };

  if (!place(0, 0)) return null;
  const extracted: Record<string, string> = {};
  for (const [fi, field] of plan.entries()) {
    const from = starts[fi] ?? 0;
    if (field.name !== null) {
      extracted[`$${field.name}`] = tokens[from] ?? '';
      continue;
    }
    const to = field.ellipsis ? (starts[fi + 1] ?? from) : from + 1;
    for (let t = from; t < to; t += 1) extracted[`$${t + 1}`] = tokens[t] ?? '';
  }
  return extracted;
}

/**
 * JSON filter patterns, `{ expr }`: parsed to a small tree, then compiled to closures that test a parsed event with
 * no allocation (CIS alarms test every CloudTrail record against ~15 patterns).
 *
 * Grammar (CloudWatch Logs "Matching terms in JSON log events"; precedence `()` > `&&` > `||`):
 *   pattern    := '{' or '}'
 *   or         := and ('||' and)*
 *   and        := primary ('&&' primary)*
 *   primary    := '(' or ')' | condition
 *   condition  := SELECTOR op VALUE | SELECTOR IS NULL | SELECTOR IS TRUE | SELECTOR IS FALSE
 *               | SELECTOR NOT EXISTS | SELECTOR EXISTS
 * Keywords are case sensitive, uppercase as AWS writes them. `EXISTS` is an extension: AWS's 2023 doc says it is not
 * supported, but aws-cdk's `FilterPattern.exists()` emits it; here it is true when the path resolves.
 *
 * Semantics (aws-slack-facts §5.1; choices where AWS is silent are marked):
 * - A path that does not resolve fails every comparison, `!=` included (`{ $.userIdentity.invokedBy != "x" }` does
 *   not match events without invokedBy); only NOT EXISTS is true then.
 * - A path that resolves to an object or an array fails every comparison, `=` and `!=` alike (AWS doc).
 * - `=`/`!=` compare strings and numbers (see value-test.ts); booleans and null never match `=` or `!=`.
 * - IS NULL: JSON null (and, our choice, what JSON.stringify writes as null: NaN, Infinity). IS TRUE / IS FALSE:
 *   JSON booleans.
 * - Numeric operators need a numeric literal (`{ $.latency > fast }` is a fault).
 * - Only a message that is a JSON object can match (choice): non-JSON text, arrays and bare JSON values match
 *   nothing, not even `NOT EXISTS`. Numbers are read with JSON.parse, so digits beyond double precision are lost
 *   exactly as in the parsed event.
 * Pure.
 */
import { compileGetter, type Getter, MISSING, readSelector, type Selector } from './json-selector.js';
import type { PatternCursor } from './pattern-cursor.js';
import { JSON_WORD_STOPS, type Literal, readLiteral } from './read-literal.js';
import { compileValueTest, isNumericOperator, OPERATORS, type Operator } from './value-test.js';

export type JsonNode =
  | { kind: 'or'; items: JsonNode[] }
  | { kind: 'and'; items: JsonNode[] }
  | { kind: 'compare'; selector: Selector; op: Operator; literal: Literal }
  | { kind: 'is'; selector: Selector; value: null | boolean }
  | { kind: 'exists'; selector: Selector; exists: boolean };

/** A compiled condition over an event already known to be a non-array object. */
export type JsonTest = (root: object) => boolean;

/** Reads `{ … }` from the cursor (on `{`) to the end of the text; null (fault recorded) when malformed. */
export function parseJsonPattern(cursor: PatternCursor): JsonNode | null {
  const open = cursor.pos;
  cursor.pos += 1;
  const tree = parseOr(cursor);
  if (tree === null) return null;
  cursor.skipSpaces();
  if (cursor.atEnd()) return cursor.fail(cursor.pos, `expected "}" to close the pattern opened at column ${open + 1}`);
  const ch = cursor.peek();
  if (ch === ')') return cursor.fail(cursor.pos, 'found ")" but no "(" is open');
  if (ch !== '}') return cursor.fail(cursor.pos, `expected && or || or "}", found ${cursor.found()}`);
  cursor.pos += 1;
  cursor.skipSpaces();
  if (!cursor.atEnd()) return cursor.fail(cursor.pos, `unexpected ${cursor.found()} after the closing "}"`);
  return tree;
}

function parseOr(cursor: PatternCursor): JsonNode | null {
  const items: JsonNode[] = [];
  for (;;) {
    const item = parseAnd(cursor);
    if (item === null) return null;
    items.push(item);
    cursor.skipSpaces();
    if (!cursor.startsWith('||')) break;
    cursor.pos += 2;
  }
  return items.length === 1 && items[0] !== undefined ? items[0] : { kind: 'or', items };
}

function parseAnd(cursor: PatternCursor): JsonNode | null {
  const items: JsonNode[] = [];
  for (;;) {
    const item = parsePrimary(cursor);
    if (item === null) return null;
    items.push(item);
    cursor.skipSpaces();
    if (!cursor.startsWith('&&')) break;
    cursor.pos += 2;
  }
  return items.length === 1 && items[0] !== undefined ? items[0] : { kind: 'and', items };
}

function parsePrimary(cursor: PatternCursor): JsonNode | null {
  cursor.skipSpaces();
  const ch = cursor.peek();
  if (ch === '(') {
    const open = cursor.pos;
    cursor.pos += 1;
    const inner = parseOr(cursor);
    if (inner === null) return null;
    cursor.skipSpaces();
    if (cursor.peek() !== ')') {
      const what = cursor.atEnd() ? 'expected' : 'expected && or || or';
      return cursor.fail(cursor.pos, `${what} ")" to close the "(" at column ${open + 1}, found ${cursor.found()}`);
    }
    cursor.pos += 1;
    return inner;
  }
  if (ch === '$') return parseCondition(cursor);
  return cursor.fail(cursor.pos, `expected a selector such as $.eventName, found ${cursor.found()}`);
}

function parseCondition(cursor: PatternCursor): JsonNode | null {
  const selector = readSelector(cursor);
  if (selector === null) return null;
  cursor.skipSpaces();
  if (readKeyword(cursor, 'IS')) {
    cursor.skipSpaces();
    if (readKeyword(cursor, 'NULL')) return { kind: 'is', selector, value: null };
    if (readKeyword(cursor, 'TRUE')) return { kind: 'is', selector, value: true };
    if (readKeyword(cursor, 'FALSE')) return { kind: 'is', selector, value: false };
    return cursor.fail(cursor.pos, `expected NULL, TRUE or FALSE after IS, found ${cursor.found()}`);
  }
  if (readKeyword(cursor, 'NOT')) {
    cursor.skipSpaces();
    if (readKeyword(cursor, 'EXISTS')) return { kind: 'exists', selector, exists: false };
    return cursor.fail(cursor.pos, `expected EXISTS after NOT, found ${cursor.found()}`);
  }
  if (readKeyword(cursor, 'EXISTS')) return { kind: 'exists', selector, exists: true };
  const opStart = cursor.pos;
  while ('=!<>'.includes(cursor.peek()) && !cursor.atEnd()) cursor.pos += 1;
  const op = cursor.text.slice(opStart, cursor.pos);
  if (op === '')
    return cursor.fail(
      opStart,
      `expected an operator (=, !=, <, >, <=, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) after the selector, found ${cursor.found(opStart)}`,
    );
  if (!isOperator(op))
    return cursor.fail(opStart, `unknown operator ${JSON.stringify(op)}: expected one of =, !=, <, >, <=, >=`);
  cursor.skipSpaces();
  const valueAt = cursor.pos;
  const literal = readLiteral(cursor, op, JSON_WORD_STOPS);
  if (literal === null) return null;
  if (isNumericOperator(op) && literal.kind !== 'number')
    return cursor.fail(valueAt, `expected a number after ${JSON.stringify(op)}, found ${cursor.found(valueAt)}`);
  return { kind: 'compare', selector, op, literal };
}

function isOperator(op: string): op is Operator {
  return OPERATORS.has(op);
}

/** Consumes `word` when it stands at the cursor as a whole word. */
function readKeyword(cursor: PatternCursor, word: string): boolean {
  if (!cursor.startsWith(word)) return false;
  const after = cursor.text.charAt(cursor.pos + word.length);
  if (after !== '' && !' \t\n\r\v\f)}&|'.includes(after)) return false;
  cursor.pos += word.length;
  return true;
}

/** Compiles the tree. `||` of plain `=` tests on one path (the CIS eventName lists) becomes one Set lookup. */
export function compileJson(node: JsonNode): JsonTest {
  switch (node.kind) {
    case 'or':
      return compileOr(flatten(node.items, 'or'));
    case 'and':
      return allOf(flatten(node.items, 'and').map(compileJson));
    case 'compare':
      return compileComparison(node.selector, node.op, node.literal);
    case 'is':
      return compileIs(compileGetter(node.selector.steps), node.value);
    case 'exists': {
      const get = compileGetter(node.selector.steps);
      return node.exists ? (root) => get(root) !== MISSING : (root) => get(root) === MISSING;
    }
  }
}

function flatten(items: readonly JsonNode[], kind: 'and' | 'or'): JsonNode[] {
  return items.flatMap((item) => (item.kind === kind ? flatten(item.items, kind) : [item]));
}

/**
 * The text a node pins its path to with a plain `=`: a string literal without wildcards that no number's text could
 * equal (so only a string value can match, and comparing it needs no conversion). Null otherwise.
 */
export function exactText(node: JsonNode): string | null {
  if (node.kind !== 'compare' || node.op !== '=' || node.literal.kind !== 'text') return null;
  const { matcher } = node.literal;
  return matcher.exact !== null && !matcher.numbers ? matcher.exact : null;
}

function compileOr(items: readonly JsonNode[]): JsonTest {
  const byPath = new Map<string, { selector: Selector; texts: Set<string> }>();
  const tests: JsonTest[] = [];
  for (const item of items) {
    const text = exactText(item);
    if (text === null || item.kind !== 'compare') {
      tests.push(compileJson(item));
      continue;
    }
    const group = byPath.get(item.selector.key);
    if (group === undefined) byPath.set(item.selector.key, { selector: item.selector, texts: new Set([text]) });
    else group.texts.add(text);
  }
  for (const { selector, texts } of byPath.values()) {
    const get = compileGetter(selector.steps);
    const [only] = texts;
    if (texts.size === 1 && only !== undefined) tests.push((root) => get(root) === only);
    else
      tests.push((root) => {
        const value = get(root);
        return typeof value === 'string' && texts.has(value);
      });
  }
  return anyOf(tests);
}

function anyOf(tests: readonly JsonTest[]): JsonTest {
  const [a, b] = tests;
  if (tests.length === 1 && a !== undefined) return a;
  if (tests.length === 2 && a !== undefined && b !== undefined) return (root) => a(root) || b(root);
  return (root) => {
    for (const test of tests) if (test(root)) return true;
    return false;
  };
}

function allOf(tests: readonly JsonTest[]): JsonTest {
  const [a, b] = tests;
  if (tests.length === 1 && a !== undefined) return a;
  if (tests.length === 2 && a !== undefined && b !== undefined) return (root) => a(root) && b(root);
  return (root) => {
    for (const test of tests) if (!test(root)) return false;
    return true;
  };
}

function compileComparison(selector: Selector, op: Operator, literal: Literal): JsonTest {
  const get = compileGetter(selector.steps);
  const { exact, numbers } = literal.matcher;
  // Fast paths: a plain string no number's text can equal needs one strict comparison.
  if (literal.kind === 'text' && exact !== null && !numbers) {
    if (op === '=') return (root) => get(root) === exact;
    if (op === '!=')
      return (root) => {
        const value = get(root);
        return typeof value === 'string' ? value !== exact : typeof value === 'number' && Number.isFinite(value);
      };
  }
  const test = compileValueTest(op, literal);
  return (root) => {
    const value = get(root);
    if (typeof value === 'string') return test.onText(value);
    return typeof value === 'number' && Number.isFinite(value) && test.onNumber(value);
  };
}

function compileIs(get: Getter, wanted: null | boolean): JsonTest {
  if (wanted !== null) return (root) => get(root) === wanted;
  return (root) => {
    const value = get(root);
    return value === null || (typeof value === 'number' && !Number.isFinite(value));
  };
}

/** The event a JSON pattern reads from a log message: a JSON object, or null (not JSON, or not an object). */
export function parseJsonObject(message: string): object | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  return isJsonObject(parsed) ? parsed : null;
}

export function isJsonObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

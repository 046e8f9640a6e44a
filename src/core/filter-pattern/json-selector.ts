/**
 * JSON selectors (`$.eventName`, `$.users[0].email`, `$.coordinates[0][1]`) and the compiled getters that resolve them.
 *
 * Grammar: `$` then one or more steps, with no spaces inside:
 * - `.name`: a property; names are letters, digits, `-`, `_` and `@` (AWS lists `-` and `_`; `@` appears in real
 *   logs' keys such as `@timestamp`);
 * - `["key"]` or `['key']`, also after a dot (`$.["a.b"]`): a property with any other characters (extension: AWS
 *   documents no way to select such keys);
 * - `[N]`: a zero-based array index, after a property or another index (AWS: "must follow a property"), so `$` alone
 *   and `$[0]` are faults.
 *
 * Resolution follows what `JSON.stringify` would have written, so an already-parsed event and its JSON text agree: a
 * property resolves only on a non-array object that has it as its own key (`$.constructor` does not find
 * Object.prototype's), with `undefined`, functions and symbols counting as absent; an index resolves only on an
 * array, and a hole or an `undefined` element reads as null. Anything else is MISSING. Pure; the getters allocate
 * nothing.
 */
import type { PatternCursor } from './pattern-cursor.js';
import { readQuoted } from './read-string.js';

export type SelectorStep = string | number;

export interface Selector {
  readonly steps: readonly SelectorStep[];
  /** Canonical dot path without `$.`: `eventName`, `users[0].email`, `["a.b"].c`; what pinnedValues is asked with. */
  readonly key: string;
  /** Where the `$` is in the pattern text. */
  readonly offset: number;
}

/** A path that does not resolve. */
export const MISSING: unique symbol = Symbol('missing');

/** Resolves a selector against a non-array object: the value, or MISSING. */
export type Getter = (root: object) => unknown;

const NAME_CHAR = /^[A-Za-z0-9_@-]$/;
const SIMPLE_NAME = /^[A-Za-z0-9_@-]+$/;

/** Reads the selector at the cursor (which is on `$`); null (fault recorded) when it is malformed. */
export function readSelector(cursor: PatternCursor): Selector | null {
  const offset = cursor.pos;
  cursor.pos += 1;
  const steps: SelectorStep[] = [];
  for (;;) {
    const ch = cursor.peek();
    if (ch === '.') {
      cursor.pos += 1;
      if (cursor.peek() === '[') {
        const key = readBracketKey(cursor, false);
        if (key === null) return null;
        steps.push(key);
        continue;
      }
      const start = cursor.pos;
      while (NAME_CHAR.test(cursor.peek())) cursor.pos += 1;
      if (cursor.pos === start)
        return cursor.fail(start, `expected a property name after ".", such as $.eventName, found ${cursor.found()}`);
      steps.push(cursor.text.slice(start, cursor.pos));
    } else if (ch === '[') {
      if (steps.length === 0 && /\d/.test(cursor.peek(1)))
        return cursor.fail(cursor.pos, 'an array index must follow a property, such as $.items[0]');
      const step = readBracketKey(cursor, true);
      if (step === null) return null;
      steps.push(step);
    } else {
      break;
    }
  }
  if (steps.length === 0)
    return cursor.fail(cursor.pos, `expected a property after "$", such as $.eventName, found ${cursor.found()}`);
  return { steps, key: selectorKey(steps), offset };
}

/** `[N]` (when `index` is allowed), `["key"]` or `['key']` at the cursor. */
function readBracketKey(cursor: PatternCursor, index: boolean): SelectorStep | null {
  const open = cursor.pos;
  cursor.pos += 1;
  const ch = cursor.peek();
  let step: SelectorStep;
  if (ch === '"' || ch === "'") {
    const key = readQuoted(cursor);
    if (key === null) return null;
    step = key;
  } else if (index && /\d/.test(ch)) {
    const start = cursor.pos;
    while (/\d/.test(cursor.peek())) cursor.pos += 1;
    step = Number(cursor.text.slice(start, cursor.pos));
  } else {
    const wanted = index ? 'an array index or a quoted key' : 'a quoted key';
    return cursor.fail(cursor.pos, `expected ${wanted} after "[", found ${cursor.found()}`);
  }
  if (cursor.peek() !== ']')
    return cursor.fail(cursor.pos, `expected "]" to close the "[" at column ${open + 1}, found ${cursor.found()}`);
  cursor.pos += 1;
  return step;
}

/** The canonical path: simple names joined by dots, indexes as `[N]`, other keys as `["…"]`. */
export function selectorKey(steps: readonly SelectorStep[]): string {
  let key = '';
  for (const step of steps) {
    if (typeof step === 'number') key += `[${step}]`;
    else if (SIMPLE_NAME.test(step)) key += key === '' ? step : `.${step}`;
    else key += `[${JSON.stringify(step)}]`;
  }
  return key;
}

export function compileGetter(steps: readonly SelectorStep[]): Getter {
  const [first] = steps;
  if (steps.length === 1 && typeof first === 'string' && !(first in Object.prototype)) {
    // The common case (`$.eventName`): the root is known to be a non-array object.
    return (root) => {
      const value = (root as Record<string, unknown>)[first];
      return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? MISSING : value;
    };
  }
  const inherited = steps.map((step) => typeof step === 'string' && step in Object.prototype);
  return (root) => resolve(root, steps, inherited);
}

function resolve(root: object, steps: readonly SelectorStep[], inherited: readonly boolean[]): unknown {
  let value: unknown = root;
  for (let i = 0; i < steps.length; i += 1) {
    const step = steps[i];
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return MISSING;
      value = value[step];
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') value = null;
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return MISSING;
      if (step === undefined || (inherited[i] === true && !Object.hasOwn(value, step))) return MISSING;
      value = (value as Record<string, unknown>)[step];
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return MISSING;
    }
  }
  return value;
}

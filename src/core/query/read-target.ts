/**
 * The target of a verb (`who i-0abc`, `ip 203.0.113.0/24`), or of a verb word used as the second filter of errors
 * or ip: which shapes each verb accepts, and the filter it sets. Pure.
 */
import type { QueryFilters, Verb } from '../trail-query.js';
import { type Failure, fail, replaceWords } from './failure.js';
import { isIpSpec } from './match-ip.js';
import { modifierOf } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import type { Token } from './tokenize.js';

/** The verbs that take a word as their target (errors and scan take none; match takes a pattern, read-pattern.ts). */
export type TargetVerb = Exclude<Verb, 'errors' | 'scan' | 'match'>;

const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_]{1,128}$/;
const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A target of each verb that repairs insert: valid by construction. */
const PLACEHOLDER_TARGET: Readonly<Record<TargetVerb, string>> = {
  who: 'i-0abc',
  user: 'alice',
  event: 'StopInstances',
  ip: '203.0.113.7',
  key: 'AKIAIOSFODNN7EXAMPLE',
  id: '3038ebd2-c98a-4c65-9b6e-e22506292313',
};
const TARGET_NOUN: Readonly<Record<TargetVerb, string>> = {
  who: 'a resource such as an instance id, bucket name or ARN',
  user: 'an IAM user, role or session name',
  event: 'an API event name such as StopInstances',
  ip: 'an IP address or CIDR block such as 203.0.113.7 or 203.0.113.0/24',
  key: 'an access key id such as AKIAIOSFODNN7EXAMPLE',
  id: 'an event id',
};

/**
 * Reads the target of `verb` (or of a scope word) at `index`. A missing target, or an unquoted modifier word in its
 * place, is reported with `word` null.
 */
export function readTarget(
  verb: TargetVerb,
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
): { value: string } | Failure {
  const token = tokens[index];
  const before = raws.slice(0, index).join(' ');
  const placeholder = PLACEHOLDER_TARGET[verb];
  if (token === undefined) {
    return fail(
      null,
      `${quoteWord(before)} needs ${TARGET_NOUN[verb]}, as in ${quoteWord(`${before} ${placeholder}`)}.`,
      replaceWords(raws, index, 0, [placeholder]),
    );
  }
  if (modifierOf(token) !== null) {
    return fail(
      null,
      `${quoteWord(before)} needs ${TARGET_NOUN[verb]} before ${quoteWord(token.raw)}; to look for one named ${token.value}, quote it: ${quoteWord(`${before} "${token.value}"`)}.`,
      replaceWords(raws, index, 0, [placeholder]),
    );
  }
  const value = token.value;
  const usePlaceholder = replaceWords(raws, index, 1, [placeholder]);
  if (value === '') {
    return fail(
      token.raw,
      `The quotes after ${quoteWord(before)} are empty; put ${TARGET_NOUN[verb]} in them.`,
      usePlaceholder,
    );
  }
  switch (verb) {
    case 'who':
    case 'user':
      return { value };
    case 'event': {
      if (EVENT_NAME.test(value)) return { value };
      const unprefixed = /^[A-Za-z0-9-]+:([A-Za-z][A-Za-z0-9_]*)$/.exec(value)?.[1];
      if (unprefixed !== undefined) {
        return fail(
          token.raw,
          `Event names have no service prefix; type ${quoteWord(`event ${unprefixed}`)}.`,
          replaceWords(raws, index, 1, [unprefixed]),
        );
      }
      return fail(
        token.raw,
        `${quoteWord(token.raw)} is not an API event name; names look like StopInstances or ConsoleLogin.`,
        usePlaceholder,
      );
    }
    case 'ip':
      if (isIpSpec(value)) return { value };
      return fail(
        token.raw,
        `${quoteWord(token.raw)} is not an IP address or CIDR block; type one such as 203.0.113.7 or 203.0.113.0/24.`,
        usePlaceholder,
      );
    case 'key':
      if (ACCESS_KEY_ID.test(value)) return { value };
      return fail(
        token.raw,
        `${quoteWord(token.raw)} is not an access key id; they look like AKIAIOSFODNN7EXAMPLE.`,
        usePlaceholder,
      );
    case 'id':
      if (EVENT_ID.test(value)) return { value };
      return fail(
        token.raw,
        `${quoteWord(token.raw)} is not an event id; they look like 3038ebd2-c98a-4c65-9b6e-e22506292313.`,
        usePlaceholder,
      );
  }
}

/** Sets the filter that `verb`'s target stands for. */
export function setFilter(filters: QueryFilters, verb: TargetVerb, value: string): void {
  switch (verb) {
    case 'who':
      filters.resource = value;
      return;
    case 'user':
      filters.user = value;
      return;
    case 'event':
      filters.eventName = value;
      return;
    case 'ip':
      filters.ip = value;
      return;
    case 'key':
      filters.accessKeyId = value;
      return;
    case 'id':
      filters.eventId = value;
      return;
  }
}

/**
 * A mistake found while parsing a query: the word at fault, the message for the user, and the repairs that would
 * turn the query into one that parses (computed only when the error's example is built). Pure.
 */

export interface Failure {
  kind: 'error';
  /** The word at fault as typed; null when something is missing. */
  word: string | null;
  message: string;
  /** Repaired word lists to try, best first. */
  fixes: () => string[][];
}

export function fail(word: string | null, message: string, fixes: () => string[][] = () => []): Failure {
  return { kind: 'error', word, message, fixes };
}

/** `words` with `count` words at `index` replaced by `insert`. */
export function splice(words: readonly string[], index: number, count: number, insert: readonly string[]): string[] {
  return [...words.slice(0, index), ...insert, ...words.slice(index + count)];
}

/** The single repair that replaces `count` words at `index` with `insert` (0 inserts, an empty `insert` removes). */
export function replaceWords(
  words: readonly string[],
  index: number,
  count: number,
  insert: readonly string[],
): () => string[][] {
  return () => [splice(words, index, count, insert)];
}

/**
 * The `--json` answer (DESIGN.md, Contract): `{query, window{from,to}, regions, complete, scanned, events[], actors[]}`,
 * events newest first in the normalized record shape, plus `source`, `notes` and `matched` so a script can tell
 * a partial or limited answer from a whole one. A `scan` answer adds `rules[]`: every rule of the pack with its count,
 * span, busiest actors and newest event ids (those events are in `events`); other answers have no `rules` key.
 * An answer read through the accounts map adds `accounts[]` ({id, alias}: the accounts read), and when it read
 * several, each actor its `accountId`.
 * Values are raw (JSON.stringify escapes what JSON needs).
 */
import type { Answer } from '../answer.js';

export type AnswerJson = Pick<
  Answer,
  | 'query'
  | 'source'
  | 'window'
  | 'regions'
  | 'complete'
  | 'notes'
  | 'scanned'
  | 'matched'
  | 'events'
  | 'actors'
  | 'rules'
  | 'accounts'
>;

export function toAnswerJson(answer: Answer): AnswerJson {
  return {
    query: answer.query,
    source: answer.source,
    window: answer.window,
    regions: answer.regions,
    complete: answer.complete,
    notes: answer.notes,
    scanned: answer.scanned,
    matched: answer.matched,
    events: answer.events,
    actors: answer.actors,
    ...(answer.rules === undefined ? {} : { rules: answer.rules }),
    ...(answer.accounts === undefined ? {} : { accounts: answer.accounts }),
  };
}

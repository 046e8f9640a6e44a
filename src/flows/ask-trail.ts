/**
 * askTrail: one question from Slack (/trail, @trailbot, a button) → an outcome the inbound side renders.
 * Checks the allowlist, parses, answers from the event source, and writes one audit record whatever happens.
 * Holds no formatting: inbound maps the outcome to a message with the core renderers.
 */
import { type AccessPolicy, checkAccess, needsUserGroups } from '../core/access/check-access.js';
import type { Answer } from '../core/answer.js';
import { asTrailbotError } from '../core/errors.js';
import type { Gate } from '../core/gate.js';
import { parseTrailQuery } from '../core/query/parse-trail-query.js';
import type { TrailQuery, UsageError } from '../core/trail-query.js';
import type { AuditEntry, EventSource, Logger, Store } from '../ports.js';
import { answerQuery } from './answer-query.js';

export interface AskTrailDeps {
  source: EventSource;
  store: Store;
  clock: () => Date;
  access: AccessPolicy;
  /** The user groups a user is in; asked only when the allowlist names groups. */
  userGroupsOf: (userId: string) => Promise<readonly string[]>;
  /** Regions for queries without `in` (TRAILBOT_REGIONS, the config, AWS_REGION). */
  defaultRegions: readonly string[] | null;
  logger: Logger;
  /** How many questions are answered at once; the rest wait in order. */
  gate: Gate;
}

export interface Asker {
  surface: AuditEntry['surface'];
  teamId: string | null;
  userId: string;
  channelId: string | null;
}

export type AskOutcome =
  | { kind: 'answer'; answer: Answer; query: TrailQuery }
  | { kind: 'help'; text: string }
  | { kind: 'usage'; error: UsageError }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

export interface AskOptions {
  /** Events to keep in the answer (Infinity for "All events"). */
  events: number;
}

export async function askTrail(
  deps: AskTrailDeps,
  asker: Asker,
  text: string,
  options: AskOptions,
): Promise<AskOutcome> {
  const started = deps.clock();
  const outcome = await decide(deps, asker, text, options);
  const entry: AuditEntry = {
    at: started,
    surface: asker.surface,
    teamId: asker.teamId,
    userId: asker.userId,
    channelId: asker.channelId,
    query: text,
    outcome: outcome.kind === 'answer' || outcome.kind === 'help' ? 'answered' : outcome.kind,
    events: outcome.kind === 'answer' ? outcome.answer.matched : 0,
    complete: outcome.kind === 'answer' ? outcome.answer.complete : outcome.kind !== 'failed',
    durationMs: deps.clock().getTime() - started.getTime(),
    detail:
      outcome.kind === 'usage'
        ? outcome.error.message
        : outcome.kind === 'refused' || outcome.kind === 'failed'
          ? outcome.reason
          : null,
  };
  try {
    await deps.store.recordQuery(entry);
  } catch (error) {
    // The asker still gets the answer; the operator learns the audit log is failing.
    deps.logger.error({ err: asTrailbotError(error).message, userId: asker.userId }, 'audit record not written');
  }
  return outcome;
}

async function decide(deps: AskTrailDeps, asker: Asker, text: string, options: AskOptions): Promise<AskOutcome> {
  let groups: readonly string[] = [];
  if (needsUserGroups(deps.access, { channelId: asker.channelId, userId: asker.userId })) {
    try {
      groups = await deps.userGroupsOf(asker.userId);
    } catch (error) {
      deps.logger.warn(
        { err: asTrailbotError(error).message },
        'user groups unavailable; deciding on channel and user',
      );
    }
  }
  const access = checkAccess(deps.access, { channelId: asker.channelId, userId: asker.userId, userGroupIds: groups });
  if (!access.allowed) return { kind: 'refused', reason: access.reason };

  const parsed = parseTrailQuery(text);
  if (parsed.kind === 'help') return { kind: 'help', text: parsed.text };
  if (parsed.kind === 'error') return { kind: 'usage', error: parsed.error };
  try {
    const answer = await deps.gate.run(() =>
      answerQuery({ source: deps.source, now: deps.clock() }, parsed.query, {
        events: options.events,
        defaultRegions: deps.defaultRegions,
      }),
    );
    return { kind: 'answer', answer, query: parsed.query };
  } catch (error) {
    const e = asTrailbotError(error);
    if (e.fault === 'user') return { kind: 'usage', error: { word: null, message: e.message, example: 'help' } };
    if (e.fault === 'bug') deps.logger.error({ err: e.message, cause: String(e.cause) }, 'query failed');
    else deps.logger.warn({ err: e.message }, 'query failed upstream');
    return {
      kind: 'failed',
      reason: e.fault === 'bug' ? 'an internal error; the operator has the details in the log' : e.message,
    };
  }
}

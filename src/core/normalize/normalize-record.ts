/**
 * One raw CloudTrail record (untrusted: whatever JSON.parse or a YAML parser produced) → one TrailRecord
 * (DESIGN.md "The summary"). Pure and total: it never throws, whatever the input (missing fields, nulls,
 * numbers for strings, arrays for objects, a string or a number instead of a record), and every string it
 * copies is capped (accessors.ts). It does not escape anything: renderers do.
 *
 * Decisions a reader of the output should know:
 * - A failed console sign-in (`responseElements.ConsoleLogin = "Failure"`, no errorCode) gets the errorCode
 *   `ConsoleLoginFailure` (errors.ts), so "errorCode present" means failed for every record.
 * - eventTime is canonical `YYYY-MM-DDTHH:MM:SSZ`, or `''` (event-time.ts); pipelines' `@timestamp` is
 *   the fallback where the record lost `eventTime`.
 * - accountId is `recipientAccountId`, else the caller's `userIdentity.accountId`.
 */
import type { TrailRecord } from '../trail-record.js';
import { bool, MAX_USER_AGENT, type Obj, obj, str } from './accessors.js';
import { actorOf } from './actor.js';
import { changeOf } from './change.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { eventTimeOf } from './event-time.js';
import { mfaOf } from './mfa.js';
import { readOnlyOf } from './read-only.js';
import { collectResources } from './resources.js';
import { sourceIpOf } from './source.js';
import { collectTransitions } from './transitions.js';
import { clientOf } from './user-agent.js';

const EMPTY: Obj = Object.freeze({});

export function normalizeRecord(raw: unknown): TrailRecord {
  const r = obj(raw) ?? EMPTY;
  const identity = obj(r.userIdentity);
  const eventName = str(r.eventName) ?? '';
  const eventSource = str(r.eventSource) ?? '';
  const userAgent = str(r.userAgent, MAX_USER_AGENT);
  const errorCode = errorCodeOf(r, eventName);
  return {
    eventId: str(r.eventID) ?? '',
    eventTime: eventTimeOf(r),
    eventName,
    eventSource,
    region: str(r.awsRegion) ?? '',
    accountId: str(r.recipientAccountId) ?? str(identity?.accountId),
    actor: actorOf(identity),
    sourceIp: sourceIpOf(r.sourceIPAddress),
    userAgent,
    client: clientOf(userAgent, bool(r.sessionCredentialFromConsole) === true),
    accessKeyId: str(identity?.accessKeyId),
    readOnly: readOnlyOf(r.readOnly, eventName),
    errorCode,
    errorMessage: errorMessageOf(r),
    mfa: mfaOf(identity, r.additionalEventData),
    resources: collectResources({
      eventSource,
      eventName,
      resources: r.resources,
      requestParameters: r.requestParameters,
      responseElements: r.responseElements,
    }),
    transitions: collectTransitions({
      eventSource,
      eventName,
      errorCode,
      requestParameters: r.requestParameters,
      responseElements: r.responseElements,
    }),
    change: changeOf(eventName, errorCode, r.requestParameters, r.responseElements),
  };
}

/**
 * errorCode and errorMessage, verbatim (capped). One addition: a failed console sign-in carries no
 * errorCode, only `responseElements.ConsoleLogin = "Failure"` (and usually errorMessage `Failed
 * authentication`). Such a record gets the explicit errorCode `ConsoleLoginFailure` (generally
 * `<eventName>Failure`, for the sign-in events that answer the same way, e.g. `CheckMfa`), so that
 * every consumer that counts "errorCode present" as failed (the `errors` query, summaries) counts it.
 */
import { cap, MAX_TEXT, type Obj, obj, str } from './accessors.js';

/** The suffix of the errorCode given to sign-in events whose response says `Failure`. */
export const SIGN_IN_FAILURE_SUFFIX = 'Failure';

export function errorCodeOf(record: Obj, eventName: string): string | null {
  const code = str(record.errorCode);
  if (code !== null) return code;
  if (eventName.length === 0) return null;
  const response = obj(record.responseElements);
  return response !== null && response[eventName] === 'Failure'
    ? cap(`${eventName}${SIGN_IN_FAILURE_SUFFIX}`, MAX_TEXT)
    : null;
}

export function errorMessageOf(record: Obj): string | null {
  return str(record.errorMessage);
}

/**
 * Whether MFA was used: `userIdentity.sessionContext.attributes.mfaAuthenticated` (`"true"`/`"false"`) for
 * a session, `additionalEventData.MFAUsed` (`"Yes"`/`"No"`) for a console sign-in; null where neither says.
 */
import { bool, obj } from './accessors.js';

export function mfaOf(userIdentity: unknown, additionalEventData: unknown): boolean | null {
  const attributes = obj(obj(obj(userIdentity)?.sessionContext)?.attributes);
  const session = attributes === null ? null : bool(attributes.mfaAuthenticated);
  if (session !== null) return session;
  const used = obj(additionalEventData)?.MFAUsed;
  if (typeof used !== 'string') return null;
  return used === 'Yes' || used === 'yes' ? true : used === 'No' || used === 'no' ? false : null;
}

/** An open incident as the alert card sees it (one notification, nobody has acted), with `overrides` on top. */
import type { IncidentView } from '../../src/core/alerts/render-alert-card.js';

export function incidentView(key: string, overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    key,
    state: 'open',
    snoozedUntil: null,
    notifications: 1,
    lastChange: '2023-07-10T12:10:42Z',
    acknowledged: null,
    snoozed: null,
    resolved: null,
    ...overrides,
  };
}

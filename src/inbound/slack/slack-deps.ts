/** What the Slack listeners need: the flow's dependencies. */
import type { AlertDeps } from '../../flows/accept-alert.js';
import type { AskTrailDeps } from '../../flows/ask-trail.js';
import type { AlarmEnricher } from '../../flows/enrich-alarm.js';

export interface SlackDeps {
  ask: AskTrailDeps;
  /** Alert cards and their buttons; null where the server keeps no outbox. */
  alerts: AlertDeps | null;
  /** "Events matching this alarm's filter" and its Investigate button; absent or null where alerts are off. */
  enrichment?: AlarmEnricher | null;
}

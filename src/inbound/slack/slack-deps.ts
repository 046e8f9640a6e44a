/** What the Slack listeners need: the flow's dependencies. */
import type { AlertDeps } from '../../flows/accept-alert.js';
import type { AskTrailDeps } from '../../flows/ask-trail.js';

export interface SlackDeps {
  ask: AskTrailDeps;
  /** Alert cards and their buttons; null where the server keeps no outbox. */
  alerts: AlertDeps | null;
}

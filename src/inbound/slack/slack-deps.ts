/** What the Slack listeners need: the flow's dependencies. */
import type { AskTrailDeps } from '../../flows/ask-trail.js';

export interface SlackDeps {
  ask: AskTrailDeps;
}

/** Every Slack listener Trailbot has, registered on one Bolt app (tests check them against manifest.yml). */

import type { App } from '@slack/bolt';
import { ALERT_ACTIONS } from '../../core/alerts/render-alert-card.js';
import { ACTION_ALERT_INVESTIGATE } from '../../core/alerts/render-enrichment.js';
import { ANSWER_ACTIONS } from '../../core/render/answer-message.js';
import { registerAlertButtons } from './alert-buttons.js';
import { registerAnswerButtons } from './answer-buttons.js';
import { registerAppMention } from './app-mention.js';
import type { SlackDeps } from './slack-deps.js';
import { registerTrailCommand } from './trail-command.js';

/** What register() listens for: slash commands, events and action ids. */
export const LISTENERS = {
  commands: ['/trail'],
  events: ['app_mention'],
  actions: [...ANSWER_ACTIONS, ...ALERT_ACTIONS, ACTION_ALERT_INVESTIGATE],
} as const;

export function registerListeners(app: App, deps: SlackDeps): void {
  registerTrailCommand(app, deps);
  registerAppMention(app, deps);
  registerAnswerButtons(app, deps);
  registerAlertButtons(app, deps);
}

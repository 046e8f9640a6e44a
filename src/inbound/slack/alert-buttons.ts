/**
 * The buttons on an alert card: Acknowledge, Snooze 1h / 24h, Resolve (through the outbox, like every card write)
 * and Show event (a modal with the escaped event JSON, opened at once: Slack's trigger_id lasts 3 seconds); and
 * Investigate on an alarm's "Events matching this alarm's filter" reply (the lookup again over a wider window,
 * posted into the same thread).
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { IncidentAction } from '../../core/alerts/incident-state.js';
import {
  ACTION_ALERT_ACKNOWLEDGE,
  ACTION_ALERT_RESOLVE,
  ACTION_ALERT_SHOW_EVENT,
  ACTION_ALERT_SNOOZE_1H,
  ACTION_ALERT_SNOOZE_24H,
  eventJsonOf,
  renderEventModal,
} from '../../core/alerts/render-alert-card.js';
import { ACTION_ALERT_INVESTIGATE, decodeInvestigateValue } from '../../core/alerts/render-enrichment.js';
import { failedMessage } from '../../core/render/answer-message.js';
import { pressAlertButton, storedAlert } from '../../flows/press-alert-button.js';
import type { SlackDeps } from './slack-deps.js';

const ACTIONS: readonly [string, IncidentAction][] = [
  [ACTION_ALERT_ACKNOWLEDGE, 'acknowledge'],
  [ACTION_ALERT_SNOOZE_1H, 'snooze-1h'],
  [ACTION_ALERT_SNOOZE_24H, 'snooze-24h'],
  [ACTION_ALERT_RESOLVE, 'resolve'],
];

const GONE = "this card's incident is not in Trailbot's store any more (a different store, or it was removed)";
const STALE_INVESTIGATE = 'this button no longer says which alarm to investigate; wait for its next ALARM';

export function registerAlertButtons(app: App, deps: SlackDeps): void {
  for (const [actionId, action] of ACTIONS) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action: button, respond, logger }) => {
      await ack();
      if (deps.alerts === null) return;
      try {
        const result = await pressAlertButton(deps.alerts, { key: button.value ?? '', action, userId: body.user.id });
        if (result === 'unknown')
          await respond({ response_type: 'ephemeral', replace_original: false, ...failedMessage(GONE) });
      } catch (error) {
        logger.error(`alert button ${actionId} failed: ${error instanceof Error ? error.message : String(error)}`);
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...failedMessage('the change was not saved; try again'),
        });
      }
    });
  }

  app.action<BlockAction<ButtonAction>>(
    ACTION_ALERT_INVESTIGATE,
    async ({ ack, body, action: button, respond, logger }) => {
      await ack();
      const enrichment = deps.enrichment ?? null;
      if (enrichment === null) return;
      const value = decodeInvestigateValue(button.value);
      if (value === null) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...failedMessage(STALE_INVESTIGATE) });
        return;
      }
      try {
        // Acked above: the lookup may take a while; its result is a reply in the thread, through the outbox.
        const result = await enrichment.investigate({ value, userId: body.user.id, teamId: body.team?.id ?? null });
        if (result === 'unknown')
          await respond({ response_type: 'ephemeral', replace_original: false, ...failedMessage(GONE) });
      } catch (error) {
        logger.error(`investigate failed: ${error instanceof Error ? error.message : String(error)}`);
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...failedMessage('the investigation could not be posted; try again'),
        });
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    ACTION_ALERT_SHOW_EVENT,
    async ({ ack, body, action: button, client, respond, logger }) => {
      await ack();
      if (deps.alerts === null) return;
      const incident = await deps.alerts.outbox.incident(button.value ?? '');
      const alert = storedAlert(incident?.alert);
      if (alert === null) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...failedMessage(GONE) });
        return;
      }
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: renderEventModal(eventJsonOf(alert)) });
      } catch (error) {
        logger.error(`show event failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  );
}

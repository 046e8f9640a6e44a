/**
 * pressAlertButton: Acknowledge, Snooze 1h / 24h, Resolve on an alert card → the incident's new state, the card
 * updated in place (showing who did what, and when) and a reply in its thread, through the outbox.
 */
import type { Alert } from '../core/alerts/alert.js';
import { applyAction, type IncidentAction, incidentView } from '../core/alerts/incident-state.js';
import { parseAlert } from '../core/alerts/parse-alert.js';
import { renderActionReply } from '../core/alerts/render-action-reply.js';
import { renderAlertCard } from '../core/alerts/render-alert-card.js';
import { type AlertDeps, aliasOf, incidentFacts } from './accept-alert.js';

/** The alert an incident keeps (its newest notification), or null when none was stored. */
export function storedAlert(json: string | null | undefined): Alert | null {
  if (json === null || json === undefined) return null;
  try {
    const { message, subject } = JSON.parse(json) as { message?: unknown; subject?: unknown };
    return typeof message === 'string' ? parseAlert(message, typeof subject === 'string' ? subject : null) : null;
  } catch {
    return null;
  }
}

export async function pressAlertButton(
  deps: AlertDeps,
  press: { key: string; action: IncidentAction; userId: string },
): Promise<'changed' | 'unchanged' | 'unknown'> {
  return deps.lock.run(press.key, async () => {
    const stored = await deps.outbox.incident(press.key);
    if (stored === undefined) return 'unknown';
    const now = deps.clock();
    const next = applyAction(incidentFacts(stored), press.action, press.userId, now);
    if (next === null) return 'unchanged';
    const alert = storedAlert(stored.alert) ?? parseAlert('(the alert of this incident was not kept)', null);
    const snoozer = press.action.startsWith('snooze') ? press.userId : null;
    const card = renderAlertCard(alert, incidentView(next, now, snoozer), {
      accountAlias: aliasOf(deps, alert),
      now: now.getTime(),
    });
    await deps.outbox.enqueue(
      [
        { kind: 'update', channel: stored.channel, incidentKey: press.key, message: card },
        {
          kind: 'reply',
          channel: stored.channel,
          incidentKey: press.key,
          message: renderActionReply(press.action, press.userId, next.state === 'snoozed' ? next.snoozedUntil : null),
        },
      ],
      [next],
    );
    deps.wake();
    return 'changed';
  });
}

/**
 * An incident's life (pure): what a new notification or a button press does to it, and the card's view of it.
 * States: open → acknowledged → resolved, with snoozed (until a time) beside them. An alarm going to ALARM
 * again after OK, or after the incident was resolved, reopens it: the reply is broadcast to the channel,
 * unless the incident is snoozed (then the thread still gets it, quietly).
 */
import type { Alert } from './alert.js';
import type { IncidentState, IncidentView } from './render-alert-card.js';

/** The incident as the store keeps it (the outbox port's IncidentUpdate). */
export interface IncidentFacts {
  key: string;
  channel: string;
  state: string;
  notifications: number;
  lastChangeAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  snoozedUntil: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  reopenedAt: Date | null;
}

export type IncidentAction = 'acknowledge' | 'snooze-1h' | 'snooze-24h' | 'resolve';

const HOUR = 3_600_000;

function isSnoozed(incident: IncidentFacts, now: Date): boolean {
  return incident.snoozedUntil !== null && incident.snoozedUntil.getTime() > now.getTime();
}

/** Does this notification reopen the incident? An ALARM after OK, or any ALARM once it was resolved. */
function reopens(alert: Alert, previous: IncidentFacts): boolean {
  if (alert.kind !== 'alarm' || alert.alarm.state !== 'ALARM') return false;
  return previous.state === 'resolved' || alert.alarm.previousState === 'OK';
}

export interface NotificationOutcome {
  incident: IncidentFacts;
  /** First notification: post the card (it becomes the thread's root). */
  isNew: boolean;
  /** Reply in the thread broadcast to the channel (a reopen, not snoozed). */
  broadcast: boolean;
}

export function applyNotification(
  previous: IncidentFacts | null,
  alert: Alert,
  key: string,
  channel: string,
  now: Date,
): NotificationOutcome {
  if (previous === null) {
    return {
      isNew: true,
      broadcast: false,
      incident: {
        key,
        channel,
        state: 'open',
        notifications: 1,
        lastChangeAt: now,
        acknowledgedBy: null,
        acknowledgedAt: null,
        snoozedUntil: null,
        resolvedBy: null,
        resolvedAt: null,
        reopenedAt: null,
      },
    };
  }
  const snoozed = isSnoozed(previous, now);
  const base = { ...previous, notifications: previous.notifications + 1, lastChangeAt: now };
  if (reopens(alert, previous)) {
    return {
      isNew: false,
      broadcast: !snoozed,
      incident: {
        ...base,
        state: snoozed ? 'snoozed' : 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
        resolvedBy: null,
        resolvedAt: null,
        reopenedAt: now,
      },
    };
  }
  return { isNew: false, broadcast: false, incident: base };
}

/** A button press, by `userId`; null when it changes nothing (acknowledging twice, resolving a resolved one). */
export function applyAction(
  incident: IncidentFacts,
  action: IncidentAction,
  userId: string,
  now: Date,
): IncidentFacts | null {
  switch (action) {
    case 'acknowledge':
      if (incident.acknowledgedBy !== null || incident.state === 'resolved') return null;
      return {
        ...incident,
        state: isSnoozed(incident, now) ? 'snoozed' : 'acknowledged',
        acknowledgedBy: userId,
        acknowledgedAt: now,
        lastChangeAt: now,
      };
    case 'snooze-1h':
    case 'snooze-24h':
      if (incident.state === 'resolved') return null;
      return {
        ...incident,
        state: 'snoozed',
        snoozedUntil: new Date(now.getTime() + (action === 'snooze-1h' ? 1 : 24) * HOUR),
        lastChangeAt: now,
      };
    case 'resolve':
      if (incident.state === 'resolved') return null;
      return { ...incident, state: 'resolved', resolvedBy: userId, resolvedAt: now, lastChangeAt: now };
  }
}

const STATES: readonly IncidentState[] = ['open', 'acknowledged', 'snoozed', 'resolved'];

/** The card's view of an incident. A snooze whose time has passed shows the state beneath it. */
export function incidentView(incident: IncidentFacts, now: Date, snoozedBy: string | null = null): IncidentView {
  let state = (STATES as readonly string[]).includes(incident.state) ? (incident.state as IncidentState) : 'open';
  if (state === 'snoozed' && !isSnoozed(incident, now))
    state = incident.acknowledgedBy === null ? 'open' : 'acknowledged';
  const stamp = (user: string | null, at: Date | null) =>
    user === null || at === null ? null : { user, at: at.toISOString() };
  return {
    key: incident.key,
    state,
    snoozedUntil: isSnoozed(incident, now) ? (incident.snoozedUntil?.toISOString() ?? null) : null,
    notifications: incident.notifications,
    lastChange: incident.lastChangeAt.toISOString(),
    acknowledged: stamp(incident.acknowledgedBy, incident.acknowledgedAt),
    snoozed: snoozedBy === null ? null : stamp(snoozedBy, incident.lastChangeAt),
    resolved: stamp(incident.resolvedBy, incident.resolvedAt),
  };
}

import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { Alert } from '../../../src/core/alerts/alert.js';
import { applyAction, applyNotification, incidentView } from '../../../src/core/alerts/incident-state.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';

function fixture(name: string): Alert {
  const body = JSON.parse(readFileSync(new URL(`../../fixtures/sns/${name}`, import.meta.url), 'utf8')) as {
    Message: string;
    Subject?: string;
  };
  return parseAlert(body.Message, body.Subject ?? null);
}

const t0 = new Date('2026-11-21T10:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function alarm(state: 'ALARM' | 'OK', previousState: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'): Alert {
  const a = fixture('alarm-metric-alarm.json');
  if (a.kind !== 'alarm') throw new Error('fixture is not an alarm');
  return { ...a, alarm: { ...a.alarm, state, previousState } };
}

describe('applyNotification', () => {
  test('the first notification opens the incident and posts its card', () => {
    const out = applyNotification(null, alarm('ALARM', 'OK'), 'k', 'C1', t0);
    expect(out).toMatchObject({
      isNew: true,
      broadcast: false,
      incident: { state: 'open', notifications: 1, channel: 'C1' },
    });
  });

  test('later notifications count, and OK does not reopen or broadcast', () => {
    const first = applyNotification(null, alarm('ALARM', 'OK'), 'k', 'C1', t0).incident;
    const ok = applyNotification(first, alarm('OK', 'ALARM'), 'k', 'C1', later(5));
    expect(ok).toMatchObject({ isNew: false, broadcast: false, incident: { state: 'open', notifications: 2 } });
    expect(ok.incident.lastChangeAt).toEqual(later(5));
  });

  test('ALARM after OK reopens: acknowledgement cleared, the reply broadcast', () => {
    const first = applyNotification(null, alarm('ALARM', 'OK'), 'k', 'C1', t0).incident;
    const acked = applyAction(first, 'acknowledge', 'U1', later(1));
    if (acked === null) throw new Error('acknowledge changed nothing');
    const again = applyNotification(acked, alarm('ALARM', 'OK'), 'k', 'C1', later(30));
    expect(again).toMatchObject({
      broadcast: true,
      incident: { state: 'open', acknowledgedBy: null, reopenedAt: later(30) },
    });
  });

  test('a resolved incident reopens on ALARM; a snoozed one reopens quietly', () => {
    const first = applyNotification(null, alarm('ALARM', 'OK'), 'k', 'C1', t0).incident;
    const resolved = applyAction(first, 'resolve', 'U2', later(1));
    if (resolved === null) throw new Error('resolve changed nothing');
    expect(applyNotification(resolved, alarm('ALARM', 'ALARM'), 'k', 'C1', later(2)).broadcast).toBe(true);
    const snoozed = applyAction(first, 'snooze-1h', 'U3', later(1));
    if (snoozed === null) throw new Error('snooze changed nothing');
    const quiet = applyNotification(snoozed, alarm('ALARM', 'OK'), 'k', 'C1', later(10));
    expect(quiet).toMatchObject({ broadcast: false, incident: { state: 'snoozed' } });
  });
});

describe('applyAction and incidentView', () => {
  const open = applyNotification(null, alarm('ALARM', 'OK'), 'k', 'C1', t0).incident;

  test('acknowledge once; a second press changes nothing', () => {
    const acked = applyAction(open, 'acknowledge', 'U1', later(1));
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'U1', acknowledgedAt: later(1) });
    expect(acked === null ? null : applyAction(acked, 'acknowledge', 'U2', later(2))).toBeNull();
  });

  test('snooze 1h and 24h set the time; the view shows open again once it has passed', () => {
    const s1 = applyAction(open, 'snooze-1h', 'U1', later(0));
    const s24 = applyAction(open, 'snooze-24h', 'U1', later(0));
    expect(s1?.snoozedUntil).toEqual(later(60));
    expect(s24?.snoozedUntil).toEqual(later(24 * 60));
    if (s1 === null) throw new Error('snooze changed nothing');
    expect(incidentView(s1, later(30)).state).toBe('snoozed');
    expect(incidentView(s1, later(61))).toMatchObject({ state: 'open', snoozedUntil: null });
  });

  test('resolve stamps who and when; nothing but a new ALARM changes a resolved incident', () => {
    const resolved = applyAction(open, 'resolve', 'U9', later(3));
    expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: 'U9' });
    if (resolved === null) throw new Error('resolve changed nothing');
    for (const action of ['acknowledge', 'snooze-1h', 'resolve'] as const)
      expect(applyAction(resolved, action, 'U1', later(4))).toBeNull();
    expect(incidentView(resolved, later(4)).resolved).toEqual({ user: 'U9', at: later(3).toISOString() });
  });
});

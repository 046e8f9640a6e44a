import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  evaluationWindow,
  investigateWindow,
  lateEventsPossible,
  timingOf,
} from '../../../src/core/alerts/evaluation-window.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';

const MIN = 60_000;
const DELAY = 15 * MIN;

function fixtureAlarm(name: string, patch: Record<string, unknown> = {}) {
  const { Message } = JSON.parse(readFileSync(new URL(`../../fixtures/sns/${name}`, import.meta.url), 'utf8')) as {
    Message: string;
  };
  const message = JSON.parse(Message) as Record<string, unknown>;
  const alert = parseAlert(JSON.stringify({ ...message, ...patch }), null);
  if (alert.kind !== 'alarm') throw new Error(`${name} is not an alarm`);
  return alert.alarm;
}

describe('the evaluation window', () => {
  test('StateChangeTime (+0000, as SNS writes it) − Period × EvaluationPeriods − delivery delay → + 1 minute', () => {
    // "StateChangeTime":"2023-07-10T12:10:42.615+0000", Period 300, EvaluationPeriods 1.
    const alarm = fixtureAlarm('alarm-metric-alarm.json');
    const w = evaluationWindow(timingOf(alarm), { now: new Date('2023-07-10T12:11:00Z'), deliveryDelayMs: DELAY });
    expect(w.from.toISOString()).toBe('2023-07-10T11:50:42.000Z');
    expect(w.to.toISOString()).toBe('2023-07-10T12:11:42.000Z');
    expect(w.anchor.toISOString()).toBe('2023-07-10T12:10:42.000Z');
    expect(w).toMatchObject({
      kind: 'evaluation',
      periodSeconds: 300,
      evaluationPeriods: 1,
      deliveryDelayMs: DELAY,
      assumed: { period: false, evaluationPeriods: false, stateChangeTime: false },
    });
  });

  test('offsets are read as offsets: +0000, +09:00 and Z name the same instant', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const at = (t: string) =>
      evaluationWindow({ stateChangeTime: t, period: 60, evaluationPeriods: 3 }, { now, deliveryDelayMs: 0 });
    for (const t of ['2023-07-10T12:10:42.615+0000', '2023-07-10T21:10:42+09:00', '2023-07-10T12:10:42Z']) {
      expect(at(t).from.toISOString()).toBe('2023-07-10T12:07:42.000Z');
      expect(at(t).to.toISOString()).toBe('2023-07-10T12:11:42.000Z');
    }
  });

  test('M of N datapoints: the window covers all N periods', () => {
    const w = evaluationWindow(
      { stateChangeTime: '2024-01-01T00:30:00Z', period: 60, evaluationPeriods: 5 },
      { now: new Date('2024-01-01T01:00:00Z'), deliveryDelayMs: 10 * MIN },
    );
    expect(w.from.toISOString()).toBe('2024-01-01T00:15:00.000Z');
  });

  test('no Period: 5 minutes × 1 assumed, and said', () => {
    const w = evaluationWindow(
      { stateChangeTime: '2024-01-01T00:30:00Z', period: null, evaluationPeriods: null },
      { now: new Date('2024-01-01T01:00:00Z'), deliveryDelayMs: DELAY },
    );
    expect(w.from.toISOString()).toBe('2024-01-01T00:10:00.000Z');
    expect(w.assumed).toEqual({ period: true, evaluationPeriods: true, stateChangeTime: false });
  });

  test('no readable StateChangeTime: anchored on now, and said', () => {
    const now = new Date('2024-01-01T01:00:00Z');
    const w = evaluationWindow(
      { stateChangeTime: 'yesterday', period: 300, evaluationPeriods: 1 },
      { now, deliveryDelayMs: 0 },
    );
    expect(w.anchor).toEqual(now);
    expect(w.assumed.stateChangeTime).toBe(true);
  });

  test('a hostile Period or EvaluationPeriods cannot ask for years', () => {
    const w = evaluationWindow(
      { stateChangeTime: '2024-01-01T00:00:00Z', period: 1e12, evaluationPeriods: 1e9 },
      { now: new Date('2024-01-02T00:00:00Z'), deliveryDelayMs: 0 },
    );
    expect(w.to.getTime() - w.from.getTime()).toBeLessThanOrEqual(100 * 86_400_000 + MIN);
    const negative = evaluationWindow(
      { stateChangeTime: '2024-01-01T00:00:00Z', period: -5, evaluationPeriods: 0 },
      { now: new Date('2024-01-02T00:00:00Z'), deliveryDelayMs: -1 },
    );
    expect(negative.periodSeconds).toBe(300);
    expect(negative.evaluationPeriods).toBe(1);
    expect(negative.deliveryDelayMs).toBe(0);
  });

  test('a metric-math alarm without its own Period takes its queries’ longest', () => {
    const alarm = fixtureAlarm('alarm-metric-math.json');
    expect(timingOf(alarm)).toEqual({ stateChangeTime: '2020-04-29T23:33:34Z', period: 60, evaluationPeriods: 5 });
    if (alarm.trigger.kind !== 'metric-math') throw new Error('not metric math');
    const noPeriod = { ...alarm, trigger: { ...alarm.trigger, period: null } };
    expect(timingOf(noPeriod).period).toBe(60);
  });
});

describe('Investigate’s window', () => {
  test('24 hours before StateChangeTime to now', () => {
    const now = new Date('2023-07-10T13:00:00Z');
    const w = investigateWindow(
      { stateChangeTime: '2023-07-10T12:10:42.615+0000', period: 300, evaluationPeriods: 1 },
      { now },
    );
    expect(w.from.toISOString()).toBe('2023-07-09T12:10:42.000Z');
    expect(w.to).toEqual(now);
    expect(w).toMatchObject({ kind: 'investigate', clipped: false });
  });

  test('no further back than LookupEvents’ 90 days', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const w = investigateWindow(
      { stateChangeTime: '2023-01-01T00:00:00Z', period: null, evaluationPeriods: null },
      { now },
    );
    expect(w.from.toISOString()).toBe('2023-10-03T00:00:00.000Z');
    expect(w.clipped).toBe(true);
  });

  test('a StateChangeTime ahead of this clock: still 24 hours back from now at most, never an empty window', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const w = investigateWindow({ stateChangeTime: '2024-01-01T06:00:00Z', period: 60, evaluationPeriods: 1 }, { now });
    expect(w.from.toISOString()).toBe('2023-12-31T00:00:00.000Z');
    expect(w.to).toEqual(now);
  });
});

test('late events: possible while the window ends less than 15 minutes before now', () => {
  const to = new Date('2024-01-01T00:00:00Z');
  expect(lateEventsPossible({ to }, new Date('2024-01-01T00:14:59Z'))).toBe(true);
  expect(lateEventsPossible({ to }, new Date('2024-01-01T00:15:00Z'))).toBe(false);
});

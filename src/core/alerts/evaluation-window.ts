/**
 * The time window whose CloudTrail events could have tripped an alarm.
 *
 * A metric filter's datapoint carries the log event's own time, and the alarm went to ALARM when a datapoint of its
 * last EvaluationPeriods × Period breached. But CloudTrail reaches CloudWatch Logs minutes after the call, so the
 * datapoint that tripped the alarm may hold a call made a little before those periods: the window reaches back one
 * delivery delay more. It ends a small margin after StateChangeTime (clocks and rounding).
 *
 *   from = StateChangeTime − Period × EvaluationPeriods − delivery delay
 *   to   = StateChangeTime + margin
 *
 * Investigate reads wider: from 24 hours before StateChangeTime to now, no further back than LookupEvents' 90 days.
 * Pure: `now` is an argument.
 */
import { canonicalTime } from '../normalize/event-time.js';
import type { CloudWatchAlarm } from './alert.js';

/** Period assumed when the notification has none (the most common CloudTrail alarm period). */
export const DEFAULT_PERIOD_SECONDS = 300;
export const DEFAULT_DELIVERY_DELAY_MS = 15 * 60_000;
/** How far past StateChangeTime the window reaches. */
export const WINDOW_END_MARGIN_MS = 60_000;
/** LookupEvents shows an event 5–15 minutes after the call: a window ending closer to now may still fill. */
export const LOOKUP_LAG_MS = 15 * 60_000;
export const INVESTIGATE_LOOKBACK_MS = 24 * 60 * 60_000;
/** LookupEvents' reach. */
export const LOOKUP_REACH_MS = 90 * 24 * 60 * 60_000;

/** What the window is computed from, as the notification says it. */
export interface AlarmTiming {
  /** ISO 8601 (any offset form, `+0000` too), or null. */
  stateChangeTime: string | null;
  /** Seconds, or null. */
  period: number | null;
  evaluationPeriods: number | null;
}

export interface AlarmWindow {
  kind: 'evaluation' | 'investigate';
  from: Date;
  to: Date;
  /** The instant the window is anchored on: StateChangeTime, or `now` when the notification had none. */
  anchor: Date;
  periodSeconds: number;
  evaluationPeriods: number;
  deliveryDelayMs: number;
  /** What the notification did not say and was assumed. */
  assumed: { period: boolean; evaluationPeriods: boolean; stateChangeTime: boolean };
  /** Investigate only: the start was moved up to LookupEvents' 90 days. */
  clipped: boolean;
}

/** The timing of an alarm: a metric-math alarm without a Period takes its queries' longest. */
export function timingOf(alarm: CloudWatchAlarm): AlarmTiming {
  const t = alarm.trigger;
  switch (t.kind) {
    case 'metric':
      return { stateChangeTime: alarm.stateChangeTime, period: t.period, evaluationPeriods: t.evaluationPeriods };
    case 'metric-math': {
      const periods = t.metrics.map((q) => q.metricStat?.period ?? null).filter((p): p is number => p !== null);
      const period = t.period ?? (periods.length === 0 ? null : Math.max(...periods));
      return { stateChangeTime: alarm.stateChangeTime, period, evaluationPeriods: t.evaluationPeriods };
    }
    case 'composite':
    case 'unknown':
      return { stateChangeTime: alarm.stateChangeTime, period: null, evaluationPeriods: null };
  }
}

function anchorOf(stateChangeTime: string | null, now: Date): { anchor: Date; assumed: boolean } {
  const canonical = stateChangeTime === null ? '' : canonicalTime(stateChangeTime);
  const ms = canonical === '' ? Number.NaN : Date.parse(canonical);
  return Number.isNaN(ms) ? { anchor: now, assumed: true } : { anchor: new Date(ms), assumed: false };
}

function positive(n: number | null, max: number): number | null {
  return n !== null && Number.isFinite(n) && n > 0 ? Math.min(n, max) : null;
}

/** The evaluation window (see the module comment). */
export function evaluationWindow(timing: AlarmTiming, options: { now: Date; deliveryDelayMs: number }): AlarmWindow {
  const { anchor, assumed: noTime } = anchorOf(timing.stateChangeTime, options.now);
  // A day's period × 100 periods at most: a hostile notification cannot ask for years.
  const period = positive(timing.period, 86_400);
  const periods = positive(timing.evaluationPeriods, 100);
  const periodSeconds = period ?? DEFAULT_PERIOD_SECONDS;
  const evaluationPeriods = periods === null ? 1 : Math.floor(periods);
  const deliveryDelayMs = Math.max(0, options.deliveryDelayMs);
  return {
    kind: 'evaluation',
    from: new Date(anchor.getTime() - periodSeconds * 1000 * evaluationPeriods - deliveryDelayMs),
    to: new Date(anchor.getTime() + WINDOW_END_MARGIN_MS),
    anchor,
    periodSeconds,
    evaluationPeriods,
    deliveryDelayMs,
    assumed: { period: period === null, evaluationPeriods: periods === null, stateChangeTime: noTime },
    clipped: false,
  };
}

/** Investigate's window: 24 hours before StateChangeTime to now, within LookupEvents' 90 days. */
export function investigateWindow(timing: AlarmTiming, options: { now: Date }): AlarmWindow {
  const { now } = options;
  const { anchor, assumed: noTime } = anchorOf(timing.stateChangeTime, now);
  const earliest = now.getTime() - LOOKUP_REACH_MS;
  const wanted = Math.min(anchor.getTime(), now.getTime()) - INVESTIGATE_LOOKBACK_MS;
  const from = Math.max(wanted, earliest);
  return {
    kind: 'investigate',
    from: new Date(Math.min(from, now.getTime())),
    to: now,
    anchor,
    periodSeconds: timing.period ?? DEFAULT_PERIOD_SECONDS,
    evaluationPeriods: timing.evaluationPeriods ?? 1,
    deliveryDelayMs: 0,
    assumed: {
      period: timing.period === null,
      evaluationPeriods: timing.evaluationPeriods === null,
      stateChangeTime: noTime,
    },
    clipped: wanted < earliest,
  };
}

/** The window ends less than LookupEvents' lag before now: events may still arrive (Investigate will find them). */
export function lateEventsPossible(window: Pick<AlarmWindow, 'to'>, now: Date): boolean {
  return now.getTime() - window.to.getTime() < LOOKUP_LAG_MS;
}

/**
 * enrichAlarm: "what tripped this alarm". When a CloudWatch alarm on a CloudTrail metric filter goes to ALARM,
 * find the filter's pattern (TRAILBOT_CONFIG, else DescribeMetricFilters, else the CIS pack by metric name: see
 * core/alerts/alarm-filter.ts), read the CloudTrail events of the alarm's evaluation window from the event source
 * (core/alerts/evaluation-window.ts), keep those the pattern matches, and reply in the incident's thread through the
 * outbox: the events, actors, source IPs, what changed, and an Investigate button that reads a wider window.
 *
 * Sequencing rules:
 * - only a notification acceptAlert accepted (an SNS redelivery is a duplicate, never enriched), only ALARM, only
 *   metric and metric-math alarms (a composite alarm has no metric filter of its own: nothing is said);
 * - after POST /sns has been answered (the work starts on a later turn of the event loop), a few at a time (a gate),
 *   so a storm of alarms never delays a 200 nor floods LookupEvents;
 * - every failure becomes one line in the thread and one in the log, never a stack trace.
 */

import {
  type AlarmPattern,
  alarmMetrics,
  assumedPattern,
  combineParts,
  type EnrichmentSettings,
  isVendedMetric,
  looksLikeCloudTrailMetric,
  type MetricRef,
  metricLabel,
  patternForAlarm,
  patternForMetric,
  patternFromMetricFilters,
  type ResolvedPattern,
} from '../core/alerts/alarm-filter.js';
import type { AlarmAlert, CloudWatchAlarm } from '../core/alerts/alert.js';
import { type AlarmWindow, evaluationWindow, investigateWindow, timingOf } from '../core/alerts/evaluation-window.js';
import { incidentKeyOf } from '../core/alerts/incident-key.js';
import { parseAlert } from '../core/alerts/parse-alert.js';
import {
  type EnrichmentOutcome,
  type InvestigateValue,
  MAX_LISTED_EVENTS,
  renderEnrichment,
  renderNoPattern,
} from '../core/alerts/render-enrichment.js';
import { TrailbotError } from '../core/errors.js';
import type { Gate } from '../core/gate.js';
import type { SlackMessage } from '../core/slack/block-kit-limits.js';
import type { SnsNotification } from '../core/sns/sns-message.js';
import { NO_FILTERS, type TrailQuery } from '../core/trail-query.js';
import type { AuditEntry, EventSource, Logger, MetricFilterReader, Outbox } from '../ports.js';
import { answerQuery } from './answer-query.js';
import { storedAlert } from './press-alert-button.js';

export interface EnrichAlarmDeps {
  /** Incidents (to find the thread) and the reply's write. */
  outbox: Pick<Outbox, 'incident' | 'enqueue'>;
  /** The server's event source: LookupEvents, or trail files / the samples for a demo. */
  source: EventSource;
  /** DescribeMetricFilters; null when `enrichment.describeMetricFilters` is false. */
  metricFilters: MetricFilterReader | null;
  settings: EnrichmentSettings;
  /** Regions to read when the alarm's ARN names none (TRAILBOT_REGIONS, AWS_REGION). */
  defaultRegions: readonly string[] | null;
  clock: () => Date;
  logger: Logger;
  /** How many enrichments run at once. */
  gate: Gate;
  /** Tells the outbox worker there is work. */
  wake: () => void;
  /** Records an Investigate press in the audit log, as every question is; absent: not recorded. */
  audit?: (entry: AuditEntry) => Promise<void>;
}

export interface AlarmEnricher {
  /**
   * Called once acceptAlert has accepted a notification (not for duplicates). Returns at once; an ALARM of a metric
   * alarm is enriched a moment later, in the background.
   */
  afterAccepted(notification: SnsNotification): void;
  /** The Investigate button: the same enrichment over the wider window, posted into the same thread. */
  investigate(press: { value: InvestigateValue; userId: string; teamId: string | null }): Promise<InvestigateResult>;
  /** Settles when every enrichment scheduled so far has finished (tests, and drain). */
  settled(): Promise<void>;
  /** Stops taking work (what waits for a turn is dropped) and waits for what runs, at most `ms`. */
  drain(ms: number): Promise<void>;
}

export type InvestigateResult = 'posted' | 'unknown' | 'no-pattern';

/** Enrichments waiting for a turn past this many are dropped (with a log line): a storm must not grow memory. */
const MAX_WAITING = 200;

const DENIED_NOTE =
  'DescribeMetricFilters was denied; add logs:DescribeMetricFilters or map the alarm in TRAILBOT_CONFIG';

interface Enriched {
  result: InvestigateResult;
  matched: number;
  complete: boolean;
  /** Why the lookup failed, or null. */
  failure: string | null;
}

interface Job {
  alarm: CloudWatchAlarm;
  key: string;
  channel: string;
  window: AlarmWindow;
  investigatedBy: string | null;
}

export function createAlarmEnricher(deps: EnrichAlarmDeps): AlarmEnricher {
  const running = new Set<Promise<unknown>>();
  const deniedRegions = new Set<string>();
  let stopped = false;

  const track = <T>(task: Promise<T>): Promise<T> => {
    running.add(task);
    const done = () => running.delete(task);
    task.then(done, done);
    return task;
  };

  /** Which pattern, and what to say about how it was found. */
  const resolvePattern = async (
    alarm: CloudWatchAlarm,
  ): Promise<{ pattern: AlarmPattern | null; metrics: MetricRef[]; notes: string[] }> => {
    const metrics = alarmMetrics(alarm) ?? [];
    const byAlarm = patternForAlarm(deps.settings.filters, alarm);
    if (byAlarm !== null) return { pattern: combineParts([byAlarm]), metrics, notes: [] };
    const parts: ResolvedPattern[] = [];
    const notes: string[] = [];
    const region = alarm.region ?? deps.defaultRegions?.[0] ?? null;
    for (const metric of metrics) {
      const configured = patternForMetric(deps.settings.filters, metric);
      if (configured !== null) {
        parts.push(configured);
        continue;
      }
      if (isVendedMetric(metric)) continue;
      let filtersExist = false;
      if (deps.metricFilters !== null && region !== null && metric.namespace !== null) {
        const lookup = await deps.metricFilters.describe(region, {
          namespace: metric.namespace,
          metricName: metric.metricName,
        });
        if (lookup.kind === 'denied') {
          if (!notes.includes(DENIED_NOTE)) notes.push(DENIED_NOTE);
          if (!deniedRegions.has(region)) {
            deniedRegions.add(region);
            deps.logger.warn(
              { region, detail: lookup.message },
              `${DENIED_NOTE} (said once per region; alarm enrichment falls back on the metric name)`,
            );
          }
        } else if (lookup.kind === 'failed') {
          notes.push(lookup.message);
          deps.logger.warn(
            { region, metric: metricLabel(metric), detail: lookup.message },
            'DescribeMetricFilters failed',
          );
        } else {
          const found = patternFromMetricFilters(metric, lookup.filters);
          notes.push(...found.notes);
          if (found.resolved !== null) {
            parts.push(found.resolved);
            continue;
          }
          // A filter emits the metric but reads other logs (or cannot be read): assuming a CIS pattern would mislead.
          filtersExist = found.emitting > 0;
        }
      }
      if (filtersExist) continue;
      const assumed = assumedPattern(metric);
      if (assumed !== null) parts.push(assumed);
    }
    return { pattern: combineParts(parts, notes), metrics, notes };
  };

  const lookUp = async (job: Job, pattern: AlarmPattern): Promise<EnrichmentOutcome> => {
    const query: TrailQuery = {
      text: `match ${pattern.pattern}`,
      verb: 'match',
      filters: { ...NO_FILTERS, pattern: pattern.pattern },
      window: { kind: 'range', from: job.window.from.toISOString(), to: job.window.to.toISOString() },
      // No `in`: the source adds us-east-1 for global events (IAM, STS, sign-in) the pattern may name.
      regions: null,
      // The alarm's own account when the accounts map has it (the events that tripped it are there), else as before.
      account: deps.source.accounts?.some((a) => a.id === job.alarm.accountId) === true ? job.alarm.accountId : null,
      access: null,
      limit: null,
      public: false,
    };
    const regions = job.alarm.region !== null ? [job.alarm.region] : deps.defaultRegions;
    try {
      const answer = await answerQuery({ source: deps.source, now: deps.clock() }, query, {
        events: MAX_LISTED_EVENTS,
        defaultRegions: regions,
      });
      return { kind: 'answer', answer };
    } catch (error) {
      const reason =
        error instanceof TrailbotError
          ? error.message
          : `an internal error (${error instanceof Error ? error.name : 'unknown'}; see the log)`;
      deps.logger.warn(
        { key: job.key, error: error instanceof Error ? error.message : String(error) },
        'alarm enrichment: the event lookup failed',
      );
      return { kind: 'failed', reason };
    }
  };

  /** Resolves, looks up and replies. Returns what was posted. */
  const enrich = async (job: Job): Promise<Enriched> => {
    const started = Date.now();
    const resolved = await resolvePattern(job.alarm);
    if (resolved.pattern === null) {
      const cloudTrailish = resolved.metrics.some(looksLikeCloudTrailMetric);
      // Said in the thread only where the reader can act on it: a CloudTrail metric, or someone who asked.
      if (cloudTrailish || job.investigatedBy !== null) {
        await reply(job, renderNoPattern(resolved.metrics, resolved.notes));
      }
      deps.logger.info(
        { key: job.key, metrics: resolved.metrics.map(metricLabel) },
        'alarm enrichment: no filter pattern for the alarm (map it in TRAILBOT_CONFIG enrichment.filters)',
      );
      return { result: 'no-pattern', matched: 0, complete: true, failure: null };
    }
    const outcome = await lookUp(job, resolved.pattern);
    const message = renderEnrichment({
      alarmName: job.alarm.name,
      pattern: resolved.pattern,
      window: job.window,
      outcome,
      now: deps.clock(),
      notes: [],
      investigate: { k: job.key, t: job.alarm.stateChangeTime },
      investigatedBy: job.investigatedBy,
    });
    await reply(job, message);
    deps.logger.info(
      {
        key: job.key,
        window: job.window.kind,
        matched: outcome.kind === 'answer' ? outcome.answer.matched : null,
        failed: outcome.kind === 'failed',
        ms: Date.now() - started,
      },
      'alarm enrichment posted',
    );
    return outcome.kind === 'answer'
      ? { result: 'posted', matched: outcome.answer.matched, complete: outcome.answer.complete, failure: null }
      : { result: 'posted', matched: 0, complete: false, failure: outcome.reason };
  };

  const reply = async (job: Job, message: SlackMessage): Promise<void> => {
    await deps.outbox.enqueue([{ kind: 'reply', channel: job.channel, incidentKey: job.key, message }]);
    deps.wake();
  };

  const afterAccepted = (notification: SnsNotification): void => {
    if (stopped || !deps.settings.enabled) return;
    const alert = parseAlert(notification.Message, notification.Subject ?? null);
    if (alert.kind !== 'alarm' || alert.alarm.state !== 'ALARM') return;
    if (alarmMetrics(alert.alarm) === null) return; // composite or unknown: nothing to say
    if (deps.gate.waiting >= MAX_WAITING) {
      deps.logger.warn({ alarm: alert.alarm.name }, 'alarm enrichment skipped: too many waiting (an alarm storm)');
      return;
    }
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        deps.gate.run(async () => {
          if (stopped) return;
          const job = await jobFor(alert, notification.MessageId);
          if (job !== null) await enrich(job);
        }),
      )
      .catch((error: unknown) => {
        deps.logger.error(
          { messageId: notification.MessageId, error: error instanceof Error ? error.message : String(error) },
          'alarm enrichment failed',
        );
      });
    void track(task);
  };

  const jobFor = async (alert: AlarmAlert, messageId: string): Promise<Job | null> => {
    // An alarm's key is its ARN: the grouping window (for CloudTrail events) plays no part.
    const key = incidentKeyOf(alert, { groupingWindowMs: 1 });
    if (key === null) return null;
    const incident = await deps.outbox.incident(key);
    if (incident === undefined) {
      deps.logger.debug({ messageId, key }, 'alarm enrichment skipped: the alarm has no incident (no channel)');
      return null;
    }
    const now = deps.clock();
    return {
      alarm: alert.alarm,
      key,
      channel: incident.channel,
      window: evaluationWindow(timingOf(alert.alarm), { now, deliveryDelayMs: deps.settings.deliveryDelayMs }),
      investigatedBy: null,
    };
  };

  const investigate: AlarmEnricher['investigate'] = async (press) => {
    const started = deps.clock();
    const incident = await deps.outbox.incident(press.value.k);
    const alert = storedAlert(incident?.alert);
    if (incident === undefined || alert === null || alert.kind !== 'alarm') return 'unknown';
    const alarm: CloudWatchAlarm = { ...alert.alarm, stateChangeTime: press.value.t ?? alert.alarm.stateChangeTime };
    const job: Job = {
      alarm,
      key: press.value.k,
      channel: incident.channel,
      window: investigateWindow(timingOf(alarm), { now: started }),
      investigatedBy: press.userId,
    };
    const done = await track(deps.gate.run(() => enrich(job)));
    const entry: AuditEntry = {
      at: started,
      surface: 'button',
      teamId: press.teamId,
      userId: press.userId,
      channelId: incident.channel,
      query: `investigate alarm ${alarm.name}`,
      outcome: done.failure === null ? 'answered' : 'failed',
      events: done.matched,
      complete: done.complete,
      durationMs: deps.clock().getTime() - started.getTime(),
      detail: done.failure,
    };
    try {
      await deps.audit?.(entry);
    } catch (error) {
      // The reply is posted; the operator learns the audit log is failing.
      deps.logger.error({ error: error instanceof Error ? error.message : String(error) }, 'audit record not written');
    }
    return done.result;
  };

  const settled = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };

  return {
    afterAccepted,
    investigate,
    settled,
    async drain(ms) {
      stopped = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        settled(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

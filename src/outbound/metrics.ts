/**
 * GET /metrics (Prometheus text, prom-client): Slack deliveries, 429s, retries and dead writes (from the outbox
 * worker), the outbox's depth, SNS messages by outcome, questions by outcome and their latency, and Node's own.
 */
import type { CustomRoute } from '@slack/bolt';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEntry, OutboxDepth } from '../ports.js';
import type { OutboxWorkerStats } from './slack/outbox-worker.js';

export interface MetricsSources {
  outboxStats: () => OutboxWorkerStats;
  outboxDepth: () => Promise<OutboxDepth>;
}

export interface Metrics {
  /** One answered, refused, malformed or failed question. */
  observeQuestion(entry: AuditEntry): void;
  /** One POST /sns, by the status it was answered with. */
  observeSns(status: number): void;
  route: CustomRoute;
  registry: Registry;
}

/** A counter that follows a total kept elsewhere (the worker's stats), read at scrape time. */
function followingCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'trailbot_' });
  followingCounter(
    registry,
    'trailbot_slack_deliveries_total',
    'Slack writes delivered by the outbox',
    () => sources.outboxStats().delivered,
  );
  followingCounter(
    registry,
    'trailbot_slack_rate_limited_total',
    'Slack calls answered 429',
    () => sources.outboxStats().rateLimited,
  );
  followingCounter(
    registry,
    'trailbot_slack_retries_total',
    'Slack writes retried after a 5xx, network or transient error',
    () => sources.outboxStats().retried,
  );
  followingCounter(
    registry,
    'trailbot_slack_dead_total',
    'Slack writes refused for good (see the log)',
    () => sources.outboxStats().dead,
  );
  new Gauge({
    name: 'trailbot_outbox_depth',
    help: 'Slack writes waiting in the outbox, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const depth = await sources.outboxDepth();
      for (const state of ['pending', 'inflight', 'dead'] as const) this.set({ state }, depth[state]);
    },
  });
  const sns = new Counter({
    name: 'trailbot_sns_messages_total',
    help: 'POST /sns by HTTP status',
    labelNames: ['status'],
    registers: [registry],
  });
  const questions = new Counter({
    name: 'trailbot_questions_total',
    help: 'Questions (/trail, @trailbot, buttons) by outcome; failed = an AWS or source error',
    labelNames: ['outcome', 'surface'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'trailbot_question_duration_seconds',
    help: 'Time to answer a question',
    labelNames: ['outcome'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    registry,
    observeQuestion: (entry) => {
      questions.inc({ outcome: entry.outcome, surface: entry.surface });
      latency.observe({ outcome: entry.outcome }, entry.durationMs / 1000);
    },
    observeSns: (status) => sns.inc({ status: String(status) }),
    route: {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': registry.contentType });
            res.end(text);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
      },
    },
  };
}

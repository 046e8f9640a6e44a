/**
 * `trailbot serve`: the composition root of the server. Reads the environment once (loadConfig), builds the
 * adapters (store, event source, logger, Slack app) and starts them; SIGTERM/SIGINT stop it gracefully.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { type Config, loadConfig, type SlackConfig } from './config.js';
import { asTrailbotError, TrailbotError } from './core/errors.js';
import { createGate } from './core/gate.js';
import { type AlertDeps, acceptAlert, announceUnsubscribe } from './flows/accept-alert.js';
import type { AskTrailDeps } from './flows/ask-trail.js';
import { type AlarmEnricher, createAlarmEnricher } from './flows/enrich-alarm.js';
import { type RunningSlackApp, type SlackConnection, startSlackApp } from './inbound/slack/slack-app.js';
import { createSnsHandler } from './inbound/sns/sns-handler.js';
import { createSnsRoute } from './inbound/sns/sns-route.js';
import { localModeBanner } from './local/local-banner.js';
import { isLoopback, type LocalMode, startLocalMode } from './local/local-mode.js';
import { hasAwsCredentials } from './outbound/aws-credentials.js';
import { openSource } from './outbound/event-sources/open-source.js';
import { createTieredSource } from './outbound/event-sources/tiered-source.js';
import { createLogger } from './outbound/logger.js';
import { createMetricFilterReader } from './outbound/logs/metric-filters.js';
import { createMetrics } from './outbound/metrics.js';
import { callTimeoutWithin, createOutboxClient, startOutboxWorker } from './outbound/slack/outbox-worker.js';
import { createUserGroupLookup } from './outbound/slack/user-groups.js';
import { createSubscriptionConfirmer } from './outbound/sns/confirm-subscription.js';
import { createCertificateCache } from './outbound/sns/signing-certificates.js';
import { openStore } from './outbound/store/open-store.js';
import type { EventSource } from './ports.js';

/** Questions answered at once; more wait in order (see core/gate.ts). */
const QUESTIONS_AT_ONCE = 4;
/** Alarm enrichments run at once (they share LookupEvents' quota with questions); more wait in order. */
const ENRICHMENTS_AT_ONCE = 2;
/** On SIGTERM, how long the outbox may keep delivering before the process leaves the rest for next time. */
const DRAIN_MS = 5000;

export interface ServeIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface RunningServer {
  port: number;
  /** Local mode's one block saying what runs where (printed at start); null with Slack credentials. */
  banner: string | null;
  stop(): Promise<void>;
}

/** The live source where AWS credentials exist, else the bundled samples (said plainly in the log). */
async function chooseSource(config: Config, env: NodeJS.ProcessEnv, logger: PinoLogger): Promise<EventSource> {
  if (hasAwsCredentials(env)) {
    const regions = config.regions.length > 0 ? config.regions : ['us-east-1'];
    if (config.regions.length === 0) logger.warn({}, 'no TRAILBOT_REGIONS or AWS_REGION: asking us-east-1 only');
    if (config.accounts.length > 0) logger.info({ accounts: config.accounts.length }, 'reading the accounts map');
    const lookup = await openSource('lookup', { regions, accounts: config.accounts });
    if (config.athena === null) return lookup;
    const { table, output, ...rest } = config.athena;
    const athena = await openSource(`athena:${table}`, {
      regions,
      athena: { ...rest, ...(output === undefined ? {} : { outputLocation: output }) },
    });
    logger.info({ table }, 'questions past 90 days or without a lookup attribute go to Athena');
    return createTieredSource(lookup, athena);
  }
  logger.warn({}, 'no AWS credentials: answering from the bundled sample trail (set AWS_PROFILE or AWS_* to go live)');
  return openSource('samples');
}

/** Starts the server from the environment; throws a TrailbotError that says what to set when it cannot. */
export async function startServer(env: NodeJS.ProcessEnv, logger?: PinoLogger): Promise<RunningServer> {
  const config = loadConfig(env);
  const log = logger ?? createLogger(config.logLevel);
  const { slack } = config;
  // Without Slack credentials: local mode, the same app with a local workspace and channel page in Slack's place.
  const localMode = slack.mode === 'none';
  const host = config.host ?? (localMode ? '127.0.0.1' : null);
  const storeFolder = localMode && !config.storeGiven ? mkdtempSync(join(tmpdir(), 'trailbot-local-')) : null;
  const store = await openStore(storeFolder === null ? config.store : `sqlite:${join(storeFolder, 'trailbot.db')}`);
  const source = await chooseSource(config, env, log);
  const local = localMode
    ? await startLocalMode({ sourceLabel: source.label, host: host ?? '127.0.0.1', logger: log })
    : null;
  const chat = chatConnection(slack, local);
  const apiUrl = local?.slack.apiUrl ?? slack.apiUrl;
  // Replicas sharing the store (PostgreSQL): a row in flight may be a live replica's, taken over only once its claim
  // is older than the takeover time (each Slack call times out well within it); the incident lock is the database's.
  const replicas = store.sharedBy === 'replicas';
  const takeoverAfterMs = replicas ? config.outboxTakeoverMs : undefined;
  const worker = await startOutboxWorker({
    outbox: store,
    client: createOutboxClient(chat.botToken, {
      slackApiUrl: apiUrl,
      ...(takeoverAfterMs === undefined ? {} : { timeoutMs: callTimeoutWithin(takeoverAfterMs) }),
    }),
    logger: log,
    ...(takeoverAfterMs === undefined ? {} : { takeoverAfterMs }),
  });
  const incidentLock = store.keyedLock();
  // The allowlist's user groups are read through the app's Web API client, which exists once the app does.
  let groupsOf: (userId: string) => Promise<readonly string[]> = async () => [];
  let app: RunningSlackApp | undefined;
  const metrics = createMetrics({ outboxStats: () => worker.stats(), outboxDepth: () => store.depth() });
  try {
    const ask: AskTrailDeps = {
      source,
      // Every question is audited; the same record feeds the question metrics.
      store: {
        recordQuery: async (entry) => {
          metrics.observeQuestion(entry);
          await store.recordQuery(entry);
        },
        recentQueries: (limit) => store.recentQueries(limit),
        close: () => store.close(),
      },
      clock: () => new Date(),
      access: config.access,
      // Set once the app (and its Web API client) exists; asked only when the allowlist names groups.
      userGroupsOf: (userId) => groupsOf(userId),
      defaultRegions: config.regions.length > 0 ? config.regions : null,
      logger: log,
      gate: createGate(QUESTIONS_AT_ONCE),
    };
    const alerts: AlertDeps = {
      outbox: store,
      clock: () => new Date(),
      logger: log,
      routes: config.alerts.routes,
      defaultChannel: config.alerts.channel ?? local?.channel.id ?? null,
      accountAliases: config.alerts.accountAliases,
      groupingWindowMs: config.alerts.groupingWindowMs,
      lock: incidentLock,
      wake: () => worker.wake(),
    };
    const enricher: AlarmEnricher = createAlarmEnricher({
      outbox: store,
      source,
      // Only where there are credentials to ask with: the samples demo has none, and the CIS names still work.
      metricFilters:
        config.enrichment.describeMetricFilters && source.kind === 'live' ? createMetricFilterReader() : null,
      settings: config.enrichment,
      defaultRegions: ask.defaultRegions,
      clock: () => new Date(),
      logger: log,
      gate: createGate(ENRICHMENTS_AT_ONCE),
      wake: () => worker.wake(),
      audit: (entry) => ask.store.recordQuery(entry),
    });
    if (config.alerts.snsTopics.length === 0 && local === null) {
      log.warn({}, 'no TRAILBOT_SNS_TOPICS: POST /sns refuses every message');
    }
    const verifySns = createSnsHandler({
      // Local mode adds its own topic and certificate URL: the page's sample alarms are signed like SNS's.
      allowedTopics: [...config.alerts.snsTopics, ...(local === null ? [] : [local.signer.topicArn])],
      certUrlOverride: eitherPattern(config.alerts.certUrlPattern, local?.signer.certUrlPattern ?? null),
      certificates: createCertificateCache(),
      confirmSubscription: createSubscriptionConfirmer(),
      accept: async (notification) => {
        // Enrichment starts after this resolves and POST /sns has answered; a redelivery is never enriched.
        if ((await acceptAlert(alerts, notification)) === 'accepted') enricher.afterAccepted(notification);
      },
      announceUnsubscribe: async (message) => {
        await announceUnsubscribe(alerts, message.TopicArn);
      },
      logger: log,
    });
    const snsRoute = createSnsRoute({
      handler: async (request) => {
        const response = await verifySns(request);
        metrics.observeSns(response.status);
        return response;
      },
      logger: log,
    });
    app = await startSlackApp({
      connection: chat,
      apiUrl,
      port: config.port,
      ...(host === null ? {} : { host }),
      logger: log,
      deps: { ask, alerts, enrichment: enricher },
      routes: [snsRoute, metrics.route, ...(local?.page.routes ?? [])],
    });
    groupsOf = createUserGroupLookup(app.client, config.access.userGroups ?? []);
    const running = app;
    const pageUrl = `http://${urlHost(host ?? '127.0.0.1')}:${running.port}`;
    local?.page.attach(pageUrl);
    log.info({ source: source.label, store: config.store.split(':')[0], regions: config.regions }, 'trailbot serving');
    return {
      port: running.port,
      banner:
        local === null
          ? null
          : localModeBanner({
              pageUrl: `${pageUrl}/`,
              sourceLabel: source.label,
              store: storeFolder === null ? (config.store.split(':')[0] ?? null) : null,
              loopbackOnly: isLoopback(host ?? '127.0.0.1'),
            }),
      stop: async () => {
        // Stop taking work, deliver what can be delivered in a few seconds, keep the rest in the outbox.
        local?.page.close();
        await running.stop();
        await enricher.drain(DRAIN_MS);
        await worker.drain(DRAIN_MS);
        await worker.stop();
        await store.close();
        await local?.close();
        if (storeFolder !== null) rmSync(storeFolder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await worker.stop();
    await store.close();
    await local?.close();
    if (storeFolder !== null) rmSync(storeFolder, { recursive: true, force: true });
    throw error;
  }
}

/** Slack's credentials, or local mode's workspace in their place. */
function chatConnection(slack: SlackConfig, local: LocalMode | null): SlackConnection {
  if (slack.mode === 'http') return { mode: 'http', botToken: slack.botToken, signingSecret: slack.signingSecret };
  if (slack.mode === 'socket') return { mode: 'socket', botToken: slack.botToken, appToken: slack.appToken };
  if (local === null) throw new TrailbotError('internal', 'local mode did not start', 'bug');
  return { mode: 'http', botToken: local.slack.botToken, signingSecret: local.slack.signingSecret };
}

/** The two certificate-URL overrides as one (TRAILBOT_SNS_CERT_URL_PATTERN's and local mode's), or either alone. */
function eitherPattern(a: RegExp | null, b: RegExp | null): RegExp | null {
  if (a === null || b === null) return a ?? b;
  return new RegExp(`(?:${a.source})|(?:${b.source})`);
}

/** A listening address as a URL host: every interface is reached on loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function serve(io: ServeIo): Promise<number> {
  let server: RunningServer;
  try {
    server = await startServer(io.env);
  } catch (error) {
    const e = asTrailbotError(error);
    io.stderr(`trailbot serve: ${e.message}\n`);
    return e.fault === 'upstream' ? 1 : 2;
  }
  if (server.banner !== null) io.stdout(server.banner);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.stderr(`trailbot serve: ${signal}, stopping\n`);
      server.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

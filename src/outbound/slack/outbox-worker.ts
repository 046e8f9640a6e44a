/**
 * Delivers the outbox (docs/outbox.md) to Slack: the one place that decides when a Slack write is sent again.
 *
 * - **Order**: the store hands out, per channel, the lowest pending row, and only while that channel has nothing
 *   in flight; channels proceed in parallel (up to `maxInFlight` at once).
 * - **Pace**: a token bucket per channel for posts and replies (`perChannelPerSecond`, `perChannelBurst`);
 *   a channel whose bucket is empty is left out of the claim, so no row waits in flight for its turn. Updates
 *   (`chat.update`, Tier 3) share one bucket of their own (`updatesPerMinute`). Replicas each have their own
 *   buckets, so every claim also asks the store to space a channel's claims by 1/`perChannelPerSecond` whoever
 *   claims (`laneSpacingMs`: PostgreSQL keeps it per lane; SQLite, one process, ignores it). Updates are not spaced
 *   across replicas: N replicas may send up to N × `updatesPerMinute` (Tier 3 allows 50+ a minute; a 429 is waited
 *   out).
 * - **Retry**: 429 → the row waits `Retry-After` (and so does its channel's bucket); 5xx, network errors and
 *   Slack's transient errors → exponential backoff with jitter; an auth problem → backoff of at least a minute
 *   (the token may be fixed); any other `ok:false` (invalid_blocks, channel_not_found…) → dead, logged as an error.
 * - **Nothing twice**: every post carries metadata `{event_type: 'trailbot_outbox', event_payload: {id}}`. A post
 *   that may have reached Slack unseen (left in flight by a crash, or answered by a network error or a 5xx) is
 *   marked unconfirmed; before it is sent again the worker reads the channel (or the thread) with
 *   `include_all_metadata` from a little before the first such attempt: found → delivered with that ts.
 *   At start-up every row left in flight is made unconfirmed before anything is claimed. Updates are idempotent
 *   and simply sent again.
 * - **Replicas**: where several processes share the store (PostgreSQL), a row in flight may be another live
 *   replica's, so start-up takes over only rows claimed longer ago than `takeoverAfterMs` (T), and every replica looks
 *   for such rows again as it runs: a replica killed mid-call leaves its rows to the others. A live replica's row
 *   must never be taken: no Slack call starts later than T/3 after its row was claimed (the row is put back instead),
 *   and each call times out within T/3 (`createOutboxClient(…, { timeoutMs: callTimeoutWithin(T) })`), so every
 *   claim is settled well within T.
 *
 * The WebClient must not retry on its own: build it with `createOutboxClient` (no retries, 429s rejected).
 */
import { webApi } from '@slack/bolt';
import type { Logger, Outbox, OutboxEntry } from '../../ports.js';

type WebClient = webApi.WebClient;
const { ErrorCode } = webApi;

export const OUTBOX_EVENT_TYPE = 'trailbot_outbox';

export interface OutboxWorkerOptions {
  outbox: Outbox;
  /** From createOutboxClient: no retries of its own, 429s rejected. */
  client: WebClient;
  logger: Logger;
  /** Epoch ms (default Date.now): claims, not_before, pacing. */
  now?: () => number;
  /** Posts and replies per channel per second (Slack: about 1). */
  perChannelPerSecond?: number;
  /** Posts a quiet channel may send at once (default 1: Slack tolerates short bursts, without a guarantee). */
  perChannelBurst?: number;
  /** chat.update calls per minute over all channels (Tier 3: 50+). */
  updatesPerMinute?: number;
  /** Channels being sent to at once. */
  maxInFlight?: number;
  /** How often to look for new or due rows when nothing else wakes the worker (ms). */
  pollMs?: number;
  /** Exponential backoff for 5xx and network errors: first delay and ceiling (ms); jitter takes 0–50 % off. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** 0 ≤ x < 1 (default Math.random): the jitter. */
  random?: () => number;
  /** How far before an unconfirmed attempt to look for its message (clock skew, slow requests). Default 10 min. */
  reconcileWindowMs?: number;
  /** How long a reply or update waits when its root post is queued elsewhere. */
  rootWaitMs?: number;
  /**
   * Unset (one process owns the store: SQLite): every row in flight at start-up was left by a previous run and is
   * taken over at once. Set (replicas share PostgreSQL): rows claimed longer ago than this are taken over, at
   * start-up and then every quarter of it. Keep it well above the WebClient's timeout, so a live replica's call is
   * never taken from it.
   */
  takeoverAfterMs?: number;
}

export interface OutboxWorkerStats {
  /** Rows marked delivered (reconciled ones included). */
  delivered: number;
  /** Unconfirmed rows found already in Slack (not sent again). */
  reconciled: number;
  /** Slack calls answered 429. */
  rateLimited: number;
  /** Rows rescheduled after a 5xx, a network error or a transient Slack error. */
  retried: number;
  /** Rows Slack refused for good. */
  dead: number;
  /** Slack calls made (sends and look-ups). */
  calls: number;
}

export interface OutboxWorker {
  /** Stops claiming, lets the calls in flight finish and be recorded; what is left stays in the outbox. */
  stop(): Promise<void>;
  /** Resolves true once nothing is pending or in flight, false when `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Look for work now (after an enqueue) instead of at the next poll. */
  wake(): void;
  stats(): OutboxWorkerStats;
}

/** How long after its claim a row may still be sent (or looked for), given `takeoverAfterMs`: a third of it. */
export function sendWindowWithin(takeoverAfterMs: number): number {
  return Math.floor(takeoverAfterMs / 3);
}

/** The WebClient timeout that keeps a call inside the takeover bound: a third of it, at most 30 s. */
export function callTimeoutWithin(takeoverAfterMs: number): number {
  return Math.max(1, Math.min(30_000, sendWindowWithin(takeoverAfterMs)));
}

/**
 * The WebClient for the worker: no retry policy and 429s rejected, so the outbox alone decides; a timeout so a
 * hung request becomes a retry (an unconfirmed one).
 */
export function createOutboxClient(
  token: string,
  options: { slackApiUrl?: string; timeoutMs?: number; logger?: webApi.WebClientOptions['logger'] } = {},
): WebClient {
  return new webApi.WebClient(token, {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 30_000,
  });
}

/** A token bucket read against a clock; `penalize` holds it empty until a given instant. */
class Pace {
  #tokens: number;
  #at: number;
  readonly #perMs: number;
  readonly #burst: number;

  constructor(perSecond: number, burst: number, now: number) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
  }

  /** Ms until a token is there (0: now). */
  waitMs(now: number): number {
    this.#refill(now);
    if (now < this.#at) return this.#at - now + Math.max(0, (1 - this.#tokens) / this.#perMs);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  take(now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
  }

  /** Nothing before `until`; one token then. */
  penalize(until: number): void {
    this.#tokens = 1;
    this.#at = Math.max(this.#at, until);
  }

  full(now: number): boolean {
    this.#refill(now);
    return now >= this.#at && this.#tokens >= this.#burst;
  }
}

type Failure =
  | { kind: 'ratelimited'; retryAfterMs: number; reason: string }
  /** `ambiguous`: the write may have been carried out (network error, 5xx, fatal_error). */
  | { kind: 'transient'; reason: string; ambiguous: boolean; minDelayMs: number }
  | { kind: 'permanent'; reason: string };

const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const AMBIGUOUS_ERRORS = new Set(['internal_error', 'fatal_error']);
const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'ekm_access_denied',
]);

function classify(error: unknown): Failure {
  const e = error as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'ratelimited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000, reason: 'ratelimited' };
    case ErrorCode.HTTPError:
      return { kind: 'transient', reason: `http ${e.statusCode ?? '?'}`, ambiguous: true, minDelayMs: 0 };
    case ErrorCode.RequestError:
      return { kind: 'transient', reason: `network: ${e.message ?? 'request failed'}`, ambiguous: true, minDelayMs: 0 };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return { kind: 'ratelimited', retryAfterMs: 1000, reason: code };
      if (TRANSIENT_ERRORS.has(code)) {
        return { kind: 'transient', reason: code, ambiguous: AMBIGUOUS_ERRORS.has(code), minDelayMs: 0 };
      }
      if (AUTH_ERRORS.has(code)) return { kind: 'transient', reason: code, ambiguous: false, minDelayMs: 60_000 };
      return { kind: 'permanent', reason: code };
    }
    default:
      return {
        kind: 'transient',
        reason: error instanceof Error ? error.message : String(error),
        ambiguous: true,
        minDelayMs: 0,
      };
  }
}

interface SlackMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** Thrown out of a wait when the worker stops. */
const STOPPED = Symbol('stopped');

/** A channel's lanes (see Outbox.claim): posts and replies in order; card updates in order beside them. */
function laneOf(entry: OutboxEntry): string {
  return entry.kind === 'update' ? `${entry.channel}#update` : entry.channel;
}

export async function startOutboxWorker(options: OutboxWorkerOptions): Promise<OutboxWorker> {
  const { outbox, client, logger } = options;
  const now = options.now ?? Date.now;
  const perChannel = options.perChannelPerSecond ?? 1;
  const burst = options.perChannelBurst ?? 1;
  const maxInFlight = options.maxInFlight ?? 64;
  const pollMs = options.pollMs ?? 250;
  const backoffBaseMs = options.backoffBaseMs ?? 1000;
  const backoffMaxMs = options.backoffMaxMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  const reconcileWindowMs = options.reconcileWindowMs ?? 10 * 60_000;
  const rootWaitMs = options.rootWaitMs ?? 1000;
  const takeoverAfterMs = options.takeoverAfterMs;
  // Replicas: a channel's pace is shared through the store (each worker's buckets only see its own posts).
  const laneSpacingMs = Math.ceil(1000 / perChannel);
  const sendWindowMs = takeoverAfterMs === undefined ? Number.POSITIVE_INFINITY : sendWindowWithin(takeoverAfterMs);
  if (takeoverAfterMs !== undefined && !(takeoverAfterMs >= 3)) {
    throw new RangeError('outbox worker: takeoverAfterMs must be ≥ 3 (ms)');
  }
  if (!(perChannel > 0) || !(burst >= 1) || !(maxInFlight >= 1)) {
    throw new RangeError('outbox worker: perChannelPerSecond > 0, perChannelBurst ≥ 1 and maxInFlight ≥ 1');
  }

  const stats: OutboxWorkerStats = { delivered: 0, reconciled: 0, rateLimited: 0, retried: 0, dead: 0, calls: 0 };
  const paces = new Map<string, Pace>();
  const updates = new Pace((options.updatesPerMinute ?? 50) / 60, 5, now());
  const busy = new Set<string>();
  const active = new Set<Promise<void>>();
  const stopping = new AbortController();
  let wakeUp: (() => void) | undefined;

  const paceOf = (channel: string): Pace => {
    let pace = paces.get(channel);
    if (pace === undefined) {
      pace = new Pace(perChannel, burst, now());
      paces.set(channel, pace);
    }
    return pace;
  };

  const sleep = (ms: number, wakeable: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', onStop);
        if (wakeable) wakeUp = undefined;
        resolve();
      };
      const onStop = (): void => {
        clearTimeout(timer);
        if (wakeable) {
          wakeUp = undefined;
          resolve();
        } else reject(STOPPED);
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (wakeable) wakeUp = done;
      if (stopping.signal.aborted) onStop();
      else stopping.signal.addEventListener('abort', onStop, { once: true });
    });

  const wake = (): void => wakeUp?.();

  const backoff = (attempts: number, minDelayMs: number): number => {
    const exp = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
    return Math.max(minDelayMs, Math.round(exp * (1 - random() * 0.5)));
  };

  const record = async (what: string, entry: OutboxEntry, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      // The row stays in flight; its channel waits until a restart reconciles it.
      logger.error(
        { outboxId: entry.id, channel: entry.channel, err: error instanceof Error ? error.message : String(error) },
        `outbox: cannot record ${what}`,
      );
    }
  };

  /** Replicas: a claim this old may be taken over soon; it is not to start another Slack call (see the header). */
  const claimTooOld = (entry: OutboxEntry): boolean =>
    entry.claimedAt !== null && now() - entry.claimedAt.getTime() > sendWindowMs;

  /** Looks for an unconfirmed post in Slack by its metadata; its ts, or undefined. */
  const findDelivered = async (entry: OutboxEntry, since: Date): Promise<string | undefined> => {
    const oldest = ((since.getTime() - reconcileWindowMs) / 1000).toFixed(6);
    const inThread = entry.kind === 'reply' || entry.kind === 'broadcast';
    if (inThread && entry.threadTs === null) return undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      if (claimTooOld(entry)) throw new Error('the look-up outlasted its claim');
      stats.calls += 1;
      const common = { channel: entry.channel, oldest, inclusive: true, include_all_metadata: true, limit: 200 };
      const answer = (
        inThread
          ? await client.conversations.replies({
              ...common,
              ts: entry.threadTs as string,
              ...(cursor === undefined ? {} : { cursor }),
            })
          : await client.conversations.history({ ...common, ...(cursor === undefined ? {} : { cursor }) })
      ) as { messages?: SlackMessage[]; response_metadata?: { next_cursor?: string } };
      for (const m of answer.messages ?? []) {
        if (m.metadata?.event_type === OUTBOX_EVENT_TYPE && m.metadata.event_payload?.id === entry.id && m.ts) {
          return m.ts;
        }
      }
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (cursor === undefined) return undefined;
    }
    return undefined;
  };

  const send = async (entry: OutboxEntry): Promise<string> => {
    const blocks = entry.message.blocks === undefined ? {} : { blocks: [...entry.message.blocks] };
    stats.calls += 1;
    if (entry.kind === 'update') {
      const answer = await client.chat.update({
        channel: entry.channel,
        ts: entry.threadTs as string,
        text: entry.message.text,
        ...blocks,
      });
      return answer.ts ?? (entry.threadTs as string);
    }
    const metadata = { event_type: OUTBOX_EVENT_TYPE, event_payload: { id: entry.id } };
    const answer =
      entry.kind === 'post'
        ? await client.chat.postMessage({ channel: entry.channel, text: entry.message.text, ...blocks, metadata })
        : await client.chat.postMessage({
            channel: entry.channel,
            text: entry.message.text,
            ...blocks,
            metadata,
            thread_ts: entry.threadTs as string,
            reply_broadcast: entry.kind === 'broadcast',
          });
    if (typeof answer.ts !== 'string' || answer.ts === '') throw new Error('chat.postMessage answered without a ts');
    return answer.ts;
  };

  const fail = async (entry: OutboxEntry, error: unknown, during: 'send' | 'lookup'): Promise<void> => {
    const failure = classify(error);
    const fields = { outboxId: entry.id, channel: entry.channel, kind: entry.kind, attempts: entry.attempts };
    const unconfirmed =
      entry.kind !== 'update' &&
      (entry.unconfirmedSince !== null || (during === 'send' && failure.kind === 'transient' && failure.ambiguous));
    switch (failure.kind) {
      case 'ratelimited': {
        stats.rateLimited += 1;
        const until = now() + failure.retryAfterMs;
        if (during === 'send') (entry.kind === 'update' ? updates : paceOf(entry.channel)).penalize(until);
        logger.warn({ ...fields, retryAfterMs: failure.retryAfterMs }, 'outbox: slack rate limited a write');
        await record('a retry', entry, () =>
          outbox.retryAt(entry.id, new Date(until), failure.reason, { unconfirmed }),
        );
        return;
      }
      case 'transient': {
        stats.retried += 1;
        const delay = backoff(entry.attempts, failure.minDelayMs);
        logger.warn({ ...fields, error: failure.reason, delayMs: delay }, 'outbox: slack write failed, will retry');
        await record('a retry', entry, () =>
          outbox.retryAt(entry.id, new Date(now() + delay), failure.reason, { unconfirmed }),
        );
        return;
      }
      case 'permanent': {
        stats.dead += 1;
        const data = (error as { data?: { response_metadata?: { messages?: unknown } } }).data;
        logger.error(
          { ...fields, error: failure.reason, messages: data?.response_metadata?.messages },
          'outbox: slack refused a write for good; it will not be sent',
        );
        await record('a dead write', entry, () => outbox.markDead(entry.id, failure.reason));
        return;
      }
    }
  };

  const deliver = async (entry: OutboxEntry): Promise<void> => {
    const fields = { outboxId: entry.id, channel: entry.channel, kind: entry.kind };
    if (entry.kind !== 'post' && entry.threadTs === null) {
      if (entry.rootQueued) {
        await record('a wait', entry, () =>
          outbox.retryAt(entry.id, new Date(now() + rootWaitMs), 'waiting for the root post'),
        );
        return;
      }
      stats.dead += 1;
      logger.error({ ...fields, incident: entry.incidentKey }, 'outbox: no root post for this incident; dropped');
      await record('a dead write', entry, () => outbox.markDead(entry.id, 'no_root_post'));
      return;
    }
    if (entry.kind !== 'update' && entry.unconfirmedSince !== null) {
      let found: string | undefined;
      try {
        found = await findDelivered(entry, entry.unconfirmedSince);
      } catch (error) {
        await fail(entry, error, 'lookup');
        return;
      }
      if (found !== undefined) {
        logger.info({ ...fields, ts: found }, 'outbox: an interrupted write had reached slack; not sent again');
        await record('a delivery', entry, async () => {
          await outbox.markDelivered(entry.id, found, new Date(now()));
          stats.reconciled += 1;
          stats.delivered += 1;
        });
        return;
      }
    }
    const pace = entry.kind === 'update' ? updates : paceOf(entry.channel);
    try {
      for (let wait = pace.waitMs(now()); wait > 0; wait = pace.waitMs(now())) await sleep(wait, false);
    } catch {
      await record('a release', entry, () => outbox.retryAt(entry.id, new Date(now()), 'worker stopped'));
      return;
    }
    if (claimTooOld(entry)) {
      // Put back (unconfirmed stays as it was) before another replica may take it over; sent on a later claim.
      logger.warn(fields, 'outbox: a claim grew too old to send; put back');
      await record('a release', entry, () => outbox.retryAt(entry.id, new Date(now()), 'claim too old to send'));
      return;
    }
    pace.take(now());
    let ts: string;
    try {
      ts = await send(entry);
    } catch (error) {
      await fail(entry, error, 'send');
      return;
    }
    await record('a delivery', entry, async () => {
      await outbox.markDelivered(entry.id, ts, new Date(now()));
      stats.delivered += 1;
    });
  };

  // Whatever a process left in flight may have reached Slack: the worker looks before sending it again.
  const takeOver = async (claimedBefore: number, why: string): Promise<void> => {
    const rows = await outbox.takeOverInflight(new Date(claimedBefore), new Date(now()));
    if (rows > 0) logger.warn({ rows }, `outbox: writes left in flight ${why} will be reconciled first`);
  };
  const startedAt = now();
  await takeOver(takeoverAfterMs === undefined ? startedAt + 1 : startedAt - takeoverAfterMs, 'by the last run');
  let lastTakeover = startedAt;

  const loop = async (): Promise<void> => {
    let storeFailures = 0;
    while (!stopping.signal.aborted) {
      const t = now();
      if (takeoverAfterMs !== undefined && t - lastTakeover >= takeoverAfterMs / 4) {
        lastTakeover = t;
        try {
          await takeOver(t - takeoverAfterMs, 'by a replica that stopped');
        } catch (error) {
          logger.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox: cannot take over');
        }
      }
      const exclude = new Set(busy);
      let nextReady = Number.POSITIVE_INFINITY;
      for (const [channel, pace] of paces) {
        if (busy.has(channel)) continue;
        const wait = pace.waitMs(t);
        if (wait > 0) {
          exclude.add(channel);
          nextReady = Math.min(nextReady, wait);
        } else if (pace.full(t)) paces.delete(channel); // idle: forget it
      }
      const free = maxInFlight - busy.size;
      let claimed: OutboxEntry[] = [];
      if (free > 0) {
        try {
          claimed = await outbox.claim(new Date(t), free, [...exclude], { laneSpacingMs });
          storeFailures = 0;
        } catch (error) {
          storeFailures += 1;
          logger.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox: cannot claim');
          await sleep(Math.min(30_000, pollMs * 2 ** Math.min(storeFailures, 7)), true);
          continue;
        }
      }
      for (const entry of claimed) {
        busy.add(laneOf(entry));
        const job: Promise<void> = deliver(entry)
          .catch((error: unknown) => {
            logger.error(
              { outboxId: entry.id, err: error instanceof Error ? error.message : String(error) },
              'outbox: delivery failed unexpectedly',
            );
          })
          .finally(() => {
            busy.delete(laneOf(entry));
            active.delete(job);
            wake();
          });
        active.add(job);
      }
      if (claimed.length > 0 && claimed.length === free) continue;
      if (stopping.signal.aborted) break;
      await sleep(Math.min(pollMs, Math.max(1, nextReady)), true);
    }
  };
  const running = loop();

  return {
    async stop() {
      stopping.abort();
      wake();
      await running;
      while (active.size > 0) await Promise.allSettled([...active]);
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const depth = await outbox.depth();
        if (depth.pending === 0 && depth.inflight === 0) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
      }
    },
    wake,
    stats: () => ({ ...stats }),
  };
}

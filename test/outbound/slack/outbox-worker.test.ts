/**
 * The outbox worker against the loopback Slack (its per-channel rate limit, outages and message metadata) and a
 * real SQLite outbox: order per channel, pacing, retries, dead writes, threads, collapsed updates, and nothing
 * lost or posted twice across crashes (a fault-injecting outbox in process, and SIGKILLed child processes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import {
  createOutboxClient,
  OUTBOX_EVENT_TYPE,
  type OutboxWorker,
  type OutboxWorkerOptions,
  startOutboxWorker,
} from '../../../src/outbound/slack/outbox-worker.js';
import { openSqliteStore } from '../../../src/outbound/store/sqlite-store.js';
import type { Logger, Outbox, OutboxWrite, Store } from '../../../src/ports.js';
import { quietSlackLogger } from '../../helpers/quiet-loggers.js';
import {
  type SlackServer,
  type SlackServerOptions,
  type StoredMessage,
  startSlackServer,
} from '../../loopback/slack-server.js';
import { post, reply, update } from '../store/outbox-contract.js';

const root = mkdtempSync(join(tmpdir(), 'trailbot-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = (): string => {
  fileCounter += 1;
  return join(root, `outbox-${fileCounter}.db`);
};

interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}
function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const servers: SlackServer[] = [];
const stores: Store[] = [];
const workers: OutboxWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of stores.splice(0)) await s.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function slack(options: SlackServerOptions = {}): Promise<SlackServer> {
  const server = await startSlackServer(options);
  servers.push(server);
  return server;
}

function store(path = ':memory:'): Store & Outbox {
  const s = openSqliteStore(path);
  stores.push(s);
  return s;
}

async function worker(
  server: SlackServer,
  outbox: Outbox,
  options: Partial<OutboxWorkerOptions> = {},
): Promise<OutboxWorker> {
  const w = await startOutboxWorker({
    outbox,
    client: createOutboxClient(server.token, { slackApiUrl: server.apiUrl, logger: quietSlackLogger }),
    logger: recordingLogger(),
    pollMs: 20,
    backoffBaseMs: 50,
    backoffMaxMs: 400,
    perChannelPerSecond: 50,
    updatesPerMinute: 6000,
    ...options,
  });
  workers.push(w);
  return w;
}

async function drained(w: OutboxWorker): Promise<void> {
  expect(await w.drain(60_000)).toBe(true);
}

/** The outbox id a message carries in its metadata, or undefined. */
function outboxId(m: StoredMessage): number | undefined {
  if (m.metadata?.event_type !== OUTBOX_EVENT_TYPE) return undefined;
  const id = m.metadata.event_payload.id;
  return typeof id === 'number' ? id : undefined;
}

/** Every outbox message the loopback holds, by channel, in posting order. */
function received(server: SlackServer, channels: readonly string[]): Map<string, StoredMessage[]> {
  return new Map(channels.map((c) => [c, server.messagesIn(c).filter((m) => outboxId(m) !== undefined)]));
}

/** Each id exactly once, and per channel in increasing id order (the order they were queued). */
function expectExactlyOnceInOrder(server: SlackServer, channels: readonly string[], expectedIds: readonly number[]) {
  const all: number[] = [];
  for (const [, messages] of received(server, channels)) {
    const ids = messages.map((m) => outboxId(m) ?? -1);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    all.push(...ids);
  }
  expect(all.sort((a, b) => a - b)).toEqual([...expectedIds].sort((a, b) => a - b));
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const channelsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `C${String(i).padStart(3, '0')}`);

describe('delivery', () => {
  test('posts carry the outbox id as message metadata, and are marked delivered with their ts', async () => {
    const server = await slack({ rateLimit: false });
    const box = store();
    const [id = 0] = await box.enqueue([post('C1', 'hello')]);
    await drained(await worker(server, box));
    const [message] = server.messagesIn('C1');
    expect(message?.metadata).toEqual({ event_type: 'trailbot_outbox', event_payload: { id } });
    expect(await box.entry(id)).toMatchObject({ state: 'done', slackTs: message?.ts });
  });

  test('per-channel order is kept under 429s, and nothing is dropped', async () => {
    // The worker is set to send faster than the loopback allows, so Slack answers 429 with Retry-After.
    const server = await slack({ rateLimit: { perSecond: 20, burst: 2 } });
    const box = store();
    const channels = channelsOf(3);
    const writes = Array.from({ length: 8 }, (_, i) => channels.map((c) => post(c, `${c} #${i}`))).flat();
    const ids = await box.enqueue(writes);
    const w = await worker(server, box, { perChannelPerSecond: 100, perChannelBurst: 10 });
    await drained(w);
    expect(server.ratelimitedCount).toBeGreaterThan(0);
    expect(w.stats().rateLimited).toBe(server.ratelimitedCount);
    expectExactlyOnceInOrder(server, channels, ids);
    for (const c of channels) {
      expect(server.messagesIn(c).map((m) => m.text)).toEqual(Array.from({ length: 8 }, (_, i) => `${c} #${i}`));
    }
    // Every 429 was retried after its Retry-After: the next post of that channel came no sooner.
    expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
  });

  test('paced at the loopback’s rate, the worker gets no 429 at all', async () => {
    const server = await slack({ rateLimit: { perSecond: 20, burst: 2 } });
    const box = store();
    const channels = channelsOf(4);
    const ids = await box.enqueue(channels.flatMap((c) => Array.from({ length: 6 }, (_, i) => post(c, `${i}`))));
    await drained(await worker(server, box, { perChannelPerSecond: 20 }));
    expect(server.ratelimitedCount).toBe(0);
    expectExactlyOnceInOrder(server, channels, ids);
  });

  test('5 channels proceed in parallel, not one after another', async () => {
    const server = await slack({ rateLimit: { perSecond: 10, burst: 2 } });
    const box = store();
    const channels = channelsOf(5);
    // Queued channel by channel: a serializing worker would post C000 three times before C001 once.
    await box.enqueue(channels.flatMap((c) => [post(c, `${c} 1`), post(c, `${c} 2`), post(c, `${c} 3`)]));
    await drained(await worker(server, box, { perChannelPerSecond: 10 }));
    const order = server
      .calls('chat.postMessage')
      .filter((c) => c.ok)
      .map((c) => c.channel);
    expect(new Set(order.slice(0, 5))).toEqual(new Set(channels));
  });

  test('a Slack outage (503s, then reset connections) in the middle: everything delivered once after recovery', async () => {
    const server = await slack({ rateLimit: { perSecond: 50, burst: 2 } });
    const box = store();
    const channels = channelsOf(4);
    const writes: OutboxWrite[] = channels.flatMap((c) => [
      post(c, `${c} card`, `${c}-K`),
      ...Array.from({ length: 5 }, (_, i) => reply(c, `${c}-K`, `${c} r${i}`)),
    ]);
    const ids = await box.enqueue(writes);
    const w = await worker(server, box, { perChannelPerSecond: 10 });
    await until(() => server.calls('chat.postMessage').length >= 4, 'a few posts before the outage');
    server.setDown(true, 'http503');
    await until(() => server.log.filter((e) => e.kind === 'down').length >= 8, '503s');
    server.setDown(true, 'reset');
    await until(() => server.log.filter((e) => e.kind === 'down' && e.mode === 'reset').length >= 8, 'resets');
    server.setDown(false);
    await drained(w);
    expectExactlyOnceInOrder(server, channels, ids);
    expect(w.stats().retried).toBeGreaterThan(0);
    for (const c of channels) {
      const [card, ...replies] = received(server, [c]).get(c) ?? [];
      expect(replies.map((r) => [r.thread_ts, r.text])).toEqual(
        Array.from({ length: 5 }, (_, i) => [card?.ts, `${c} r${i}`]),
      );
    }
  });

  test('invalid blocks: that write is dead (logged as an error), the others continue', async () => {
    const server = await slack({ rateLimit: false });
    const box = store();
    const bad = {
      kind: 'post',
      channel: 'C1',
      message: { text: 'bad', blocks: [{ nonsense: true }] },
    } as unknown as OutboxWrite;
    const [, badId = 0] = await box.enqueue([post('C1', 'before'), bad, post('C1', 'after'), post('C2', 'other')]);
    const logger = recordingLogger();
    const w = await worker(server, box, { logger });
    await drained(w);
    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['before', 'after']);
    expect(server.messagesIn('C2').map((m) => m.text)).toEqual(['other']);
    expect(await box.entry(badId)).toMatchObject({ state: 'dead', lastError: 'invalid_blocks', attempts: 1 });
    expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 1 });
    expect(w.stats().dead).toBe(1);
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line?.fields).toMatchObject({ outboxId: badId, error: 'invalid_blocks' });
  });

  test('transient Slack errors are retried; a token problem waits and is not dropped', async () => {
    const server = await slack({ rateLimit: false });
    const box = store();
    const [id = 0] = await box.enqueue([post('C1', 'eventually')]);
    server.failNext('chat.postMessage', 'internal_error', 2);
    await drained(await worker(server, box));
    expect(await box.entry(id)).toMatchObject({ state: 'done', attempts: 3 });
    // internal_error may have been carried out: the worker looked before sending again.
    expect(server.calls('conversations.history').length).toBeGreaterThan(0);
    expect(server.messagesIn('C1')).toHaveLength(1);

    const [authId = 0] = await box.enqueue([post('C2', 'needs a token')]);
    server.failNext('chat.postMessage', 'invalid_auth', 1);
    const w = workers.at(-1);
    w?.wake();
    await until(() => server.calls('chat.postMessage').some((c) => c.error === 'invalid_auth'), 'the auth error');
    await until(() => (workers.at(-1)?.stats().retried ?? 0) >= 3, 'the retry to be scheduled');
    const waiting = await box.entry(authId);
    expect(waiting).toMatchObject({ state: 'pending', lastError: 'invalid_auth' });
    expect((waiting?.notBefore.getTime() ?? 0) - Date.now()).toBeGreaterThan(30_000);
  });

  test('replies land in their incident’s thread, after the root, broadcasts shown in the channel', async () => {
    const server = await slack({ rateLimit: false });
    const box = store();
    await box.enqueue([
      post('C1', 'card A', 'A'),
      post('C1', 'card B', 'B'),
      reply('C1', 'A', 'A: ALARM → OK'),
      reply('C1', 'B', 'B: first'),
      reply('C1', 'A', 'A: reopened', true),
      reply('C1', 'B', 'B: second'),
      reply('C1', 'NOPE', 'an incident without a root'),
    ]);
    const w = await worker(server, box);
    await drained(w);
    const [cardA, cardB] = server.messagesIn('C1');
    expect([cardA?.text, cardB?.text]).toEqual(['card A', 'card B']);
    expect(server.threadReplies('C1', cardA?.ts ?? '').map((m) => [m.text, m.reply_broadcast])).toEqual([
      ['A: ALARM → OK', false],
      ['A: reopened', true],
    ]);
    expect(server.threadReplies('C1', cardB?.ts ?? '').map((m) => m.text)).toEqual(['B: first', 'B: second']);
    expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 1 });
    expect((await box.incident('A'))?.rootTs).toBe(cardA?.ts);
  });

  test('a reply whose root is queued in another channel waits for it', async () => {
    const server = await slack({ rateLimit: { perSecond: 1, burst: 1 } });
    const box = store();
    // C1 is busy, so the root waits behind 'first'; the reply in C2 must not be posted before it.
    await box.enqueue([post('C1', 'first'), post('C1', 'card', 'K'), reply('C2', 'K', 'in the thread')]);
    await drained(await worker(server, box, { rootWaitMs: 50, perChannelPerSecond: 1 }));
    const card = server.messagesIn('C1').find((m) => m.text === 'card');
    const [r] = server.messagesIn('C2');
    expect(r).toMatchObject({ thread_ts: card?.ts, text: 'in the thread' });
  });

  test('queued updates of one card collapse into the newest; chat.update targets the root', async () => {
    const server = await slack({ rateLimit: false });
    const box = store();
    await box.enqueue([post('C1', 'card v1', 'K'), update('C1', 'K', 'card v2'), reply('C1', 'K', 'r1')]);
    await box.enqueue([update('C1', 'K', 'card v3')]);
    await box.enqueue([update('C1', 'K', 'card v4'), update('C2', 'other', 'no root anywhere')]);
    await drained(await worker(server, box));
    const updates = server.calls('chat.update');
    expect(updates.map((u) => u.text)).toEqual(['card v4']);
    const [card] = server.messagesIn('C1');
    expect(card).toMatchObject({ text: 'card v4', edits: 1 });
    expect(updates[0]?.params.ts).toBe(card?.ts);
    expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 1 });
  });

  test('stop() finishes the call in flight and leaves the rest queued', async () => {
    const server = await slack({ rateLimit: { perSecond: 5, burst: 1 } });
    const box = store();
    await box.enqueue(Array.from({ length: 10 }, (_, i) => post('C1', `${i}`)));
    const w = await worker(server, box, { perChannelPerSecond: 5 });
    await until(() => server.messagesIn('C1').length >= 2, 'two posts');
    await w.stop();
    const sent = server.messagesIn('C1').length;
    const depth = await box.depth();
    expect(depth.inflight).toBe(0);
    expect(depth.pending).toBe(10 - sent);
    expect(await w.drain(10)).toBe(false);
  });
});

describe('nothing twice after a crash', () => {
  /** The store as it is, but markDelivered of the given ids fails once, as if the process died right there. */
  function crashingAfterAccept(inner: Outbox, ids: ReadonlySet<number>): Outbox {
    const crashed = new Set<number>();
    return {
      enqueue: (w, i) => inner.enqueue(w, i),
      acceptSnsMessage: (m, t, b, w, i) => inner.acceptSnsMessage(m, t, b, w, i),
      claim: (n, l, e) => inner.claim(n, l, e),
      async markDelivered(id, ts, at) {
        if (ids.has(id) && !crashed.has(id)) {
          crashed.add(id);
          throw new Error('simulated crash between "Slack accepted" and "marked delivered"');
        }
        await inner.markDelivered(id, ts, at);
      },
      retryAt: (id, w, e, o) => inner.retryAt(id, w, e, o),
      markDead: (id, e) => inner.markDead(id, e),
      inflightOlderThan: (t) => inner.inflightOlderThan(t),
      takeOverInflight: (b, a) => inner.takeOverInflight(b, a),
      depth: () => inner.depth(),
      entry: (id) => inner.entry(id),
      incident: (k) => inner.incident(k),
    };
  }

  test('accepted but not recorded: the next start finds the post and the reply by metadata and does not resend', async () => {
    const server = await slack({ rateLimit: false });
    const box = store(freshPath());
    const ids = await box.enqueue([
      post('C1', 'card', 'K'),
      reply('C1', 'K', 'r1'),
      reply('C1', 'K', 'r2'),
      post('C2', 'other'),
    ]);
    const [rootId = 0, r1 = 0, r2 = 0, otherId = 0] = ids;
    const first = await worker(server, crashingAfterAccept(box, new Set([rootId])));
    await until(() => server.messagesIn('C1').length === 1 && server.messagesIn('C2').length === 1, 'the posts');
    await first.stop();
    // C1 is stuck behind its in-flight root (Slack has it, the store does not); C2 went on.
    expect(await box.entry(rootId)).toMatchObject({ state: 'inflight' });
    expect(await box.entry(otherId)).toMatchObject({ state: 'done' });

    const logger = recordingLogger();
    const second = await worker(server, crashingAfterAccept(box, new Set([r1])), { logger });
    await until(() => server.messagesIn('C1').length === 2, 'the first reply');
    await second.stop();
    expect(second.stats().reconciled).toBe(1);
    expect(server.calls('conversations.history').at(-1)?.params).toMatchObject({ include_all_metadata: 'true' });
    expect(await box.entry(r1)).toMatchObject({ state: 'inflight' });

    const third = await worker(server, box);
    await drained(third);
    expect(third.stats().reconciled).toBe(1);
    expect(server.calls('conversations.replies').length).toBeGreaterThan(0);
    expectExactlyOnceInOrder(server, ['C1', 'C2'], ids);
    const card = server.messagesIn('C1')[0];
    expect(server.threadReplies('C1', card?.ts ?? '').map((m) => m.text)).toEqual(['r1', 'r2']);
    expect(await box.entry(rootId)).toMatchObject({ state: 'done', slackTs: card?.ts });
    expect((await box.entry(r2))?.unconfirmedSince).toBeNull();
    expect(logger.lines.some((l) => l.message.includes('reconciled first'))).toBe(true);
  });

  test('claimed but never sent: the next start looks, finds nothing, and sends it', async () => {
    const server = await slack({ rateLimit: false });
    const box = store(freshPath());
    const [id = 0] = await box.enqueue([post('C1', 'claimed by a process that died')]);
    await box.claim(new Date(), 1);
    const w = await worker(server, box);
    await drained(w);
    expect(server.calls('conversations.history')).toHaveLength(1);
    expect(server.messagesIn('C1').map((m) => outboxId(m))).toEqual([id]);
    expect(w.stats().reconciled).toBe(0);
  });

  test('an update left in flight is simply sent again', async () => {
    const server = await slack({ rateLimit: false });
    const box = store(freshPath());
    await box.enqueue([post('C1', 'v1', 'K')]);
    await drained(await worker(server, box));
    await workers.pop()?.stop();
    await box.enqueue([update('C1', 'K', 'v2')]);
    await box.claim(new Date(), 1);
    await drained(await worker(server, box));
    expect(server.messagesIn('C1')[0]?.text).toBe('v2');
    expect(server.calls('conversations.history')).toHaveLength(0);
  });
});

describe('replicas (takeoverAfterMs): a row in flight may be a live replica’s', () => {
  test('start-up takes over only claims older than the takeover time; the others are left to their replica', async () => {
    const server = await slack({ rateLimit: false });
    const box = store(freshPath());
    const [old = 0, live = 0] = await box.enqueue([post('C1', 'claimed by a dead replica'), post('C2', 'live')]);
    const t = Date.now();
    await box.claim(new Date(t - 10_000), 1, ['C2']); // the dead replica's, 10 s ago
    await box.claim(new Date(t), 1); // another replica's, just now, its call under way
    const w = await worker(server, box, { takeoverAfterMs: 5000 });
    await until(() => server.messagesIn('C1').length === 1, 'the dead replica’s row');
    for (let i = 0; i < 200 && (await box.entry(old))?.state !== 'done'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await box.entry(old)).toMatchObject({ state: 'done' });
    // The live replica's row is never touched: not sent, not put back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await box.entry(live)).toMatchObject({ state: 'inflight', claimedAt: new Date(t) });
    expect(server.messagesIn('C2')).toHaveLength(0);
    expect(w.stats().delivered).toBe(1);
  });

  test('a claim that grew older than a third of the takeover time before its call is put back, not sent', async () => {
    const server = await slack({ rateLimit: false });
    const box = store(freshPath());
    const [id = 0] = await box.enqueue([post('C1', 'slow to start')]);
    let offset = 0;
    let stalls = 1;
    // The first claim takes "40 s" (a stalled event loop, a slow store): its row must not be sent any more.
    const stalling: Outbox = {
      enqueue: (w, i) => box.enqueue(w, i),
      acceptSnsMessage: (m, t, b, w, i) => box.acceptSnsMessage(m, t, b, w, i),
      async claim(now, limit, exclude) {
        const rows = await box.claim(now, limit, exclude);
        if (rows.length > 0 && stalls > 0) {
          stalls -= 1;
          offset += 40_000;
        }
        return rows;
      },
      markDelivered: (i, ts, at) => box.markDelivered(i, ts, at),
      retryAt: (i, w, e, o) => box.retryAt(i, w, e, o),
      markDead: (i, e) => box.markDead(i, e),
      inflightOlderThan: (t) => box.inflightOlderThan(t),
      takeOverInflight: (b, a) => box.takeOverInflight(b, a),
      depth: () => box.depth(),
      entry: (i) => box.entry(i),
      incident: (k) => box.incident(k),
    };
    const logger = recordingLogger();
    const w = await worker(server, stalling, { takeoverAfterMs: 60_000, now: () => Date.now() + offset, logger });
    await drained(w);
    expect(logger.lines.some((l) => l.message.includes('too old to send'))).toBe(true);
    expect(server.messagesIn('C1').map((m) => outboxId(m))).toEqual([id]);
    expect(await box.entry(id)).toMatchObject({ state: 'done', attempts: 2 });
  });
});

describe('kill -9 (child processes on one SQLite file)', () => {
  const CHILD = join(process.cwd(), 'test/outbound/slack/outbox-child.ts');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function runChild(
    path: string,
    server: SlackServer,
    env: Record<string, string> = {},
  ): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; out: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, server.apiUrl, server.token], {
      env: { PATH: process.env.PATH ?? '', OUTBOX_RATE: '20', OUTBOX_UPDATES_PER_MINUTE: '6000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        if (code !== 0 && signal === null) process.stderr.write(err);
        resolve({ code, signal });
      }),
    );
    return { child, exit, out: () => out };
  }

  /** 300 writes over 20 channels: per channel 3 incidents (a card, then replies, a broadcast and an update). */
  function storm(): OutboxWrite[] {
    const writes: OutboxWrite[] = [];
    const channels = channelsOf(20);
    for (let round = 0; round < 15; round += 1) {
      for (const c of channels) {
        const incident = `${c}-K${Math.floor(round / 5)}`;
        const step = round % 5;
        if (step === 0) writes.push(post(c, `${incident} card`, incident));
        else if (step === 4) writes.push(update(c, incident, `${incident} card (updated)`));
        else writes.push(reply(c, incident, `${incident} r${step}`, step === 3));
      }
    }
    return writes;
  }

  function expectStormDelivered(server: SlackServer, writes: readonly OutboxWrite[], ids: readonly number[]): void {
    const channels = channelsOf(20);
    const messageIds = ids.filter((_, i) => writes[i]?.kind !== 'update');
    expectExactlyOnceInOrder(server, channels, messageIds);
    for (const c of channels) {
      const cards = server.messagesIn(c).filter((m) => m.thread_ts === undefined);
      expect(cards.map((m) => m.text)).toEqual([0, 1, 2].map((k) => `${c}-K${k} card (updated)`));
      for (const [k, card] of cards.entries()) {
        expect(server.threadReplies(c, card.ts).map((m) => m.text)).toEqual([1, 2, 3].map((s) => `${c}-K${k} r${s}`));
      }
    }
  }

  test('SIGKILL mid-storm (300 writes, 20 channels), then a new process on the same file: each write exactly once, in order', async () => {
    const server = await slack({ rateLimit: { perSecond: 20, burst: 2 } });
    const path = freshPath();
    const writes = storm();
    const setup = openSqliteStore(path);
    const ids = await setup.enqueue(writes);
    await setup.close();

    const first = runChild(path, server);
    await until(() => server.calls('chat.postMessage').length >= 120, 'the storm to be well under way');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const before = server.calls('chat.postMessage').length;
    expect(before).toBeLessThan(240);

    const second = runChild(path, server);
    expect((await second.exit).code).toBe(0);
    expect(second.out()).toContain('"drained":true');
    expectStormDelivered(server, writes, ids);
    const check = openSqliteStore(path);
    stores.push(check);
    expect(await check.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
  }, 120_000);

  test('SIGKILL exactly between "Slack accepted" and "marked delivered": the restart reconciles instead of reposting', async () => {
    const server = await slack({ rateLimit: { perSecond: 20, burst: 2 } });
    const path = freshPath();
    const setup = openSqliteStore(path);
    const ids = await setup.enqueue([
      post('C1', 'card', 'K'),
      reply('C1', 'K', 'r1'),
      reply('C1', 'K', 'r2'),
      post('C2', 'x'),
    ]);
    await setup.close();
    const [rootId = 0, r1 = 0] = ids;

    const crash1 = runChild(path, server, { OUTBOX_CRASH_AFTER_ACCEPT: String(rootId) });
    expect((await crash1.exit).signal).toBe('SIGKILL');
    expect(server.messagesIn('C1').map((m) => outboxId(m))).toEqual([rootId]);

    const crash2 = runChild(path, server, { OUTBOX_CRASH_AFTER_ACCEPT: String(r1) });
    expect((await crash2.exit).signal).toBe('SIGKILL');

    const resume = runChild(path, server);
    expect((await resume.exit).code).toBe(0);
    const stats = JSON.parse(resume.out().trim().split('\n').at(-1) ?? '{}') as { stats?: { reconciled?: number } };
    expect(stats.stats?.reconciled).toBe(1);
    expectExactlyOnceInOrder(server, ['C1', 'C2'], ids);
    const card = server.messagesIn('C1')[0];
    expect(server.threadReplies('C1', card?.ts ?? '').map((m) => m.text)).toEqual(['r1', 'r2']);
  }, 60_000);
});

/**
 * Outbox storm: 1,000 Slack writes (50 root cards + 950 thread replies over 50 channels, 20 per channel) queued in
 * a SQLite outbox and delivered by the outbox worker to the loopback Slack at its real pace (1 post/s/channel,
 * a burst of 2). Reports 429s received [target ≤ 1], delivered, lost and duplicated writes [0], and the time until
 * the last reply ÷ the floor set by 1 post/s/channel (20 writes a channel → 19 s) [target ≤ 1.25].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutboxClient, OUTBOX_EVENT_TYPE, startOutboxWorker } from '../src/outbound/slack/outbox-worker.js';
import { openSqliteStore } from '../src/outbound/store/sqlite-store.js';
import { quietLogger, quietSlackLogger } from '../test/helpers/quiet-loggers.js';
import { startSlackServer } from '../test/loopback/slack-server.js';
import { stormWrites } from './storm-writes.js';

const CHANNELS = 50;
const PER_CHANNEL = 20;
const FLOOR_MS = (PER_CHANNEL - 1) * 1000;

export interface OutboxStormResult {
  writes: number;
  delivered: number;
  lost: number;
  duplicates: number;
  rootCards: number;
  ratelimited: number;
  lastReplyMs: number;
  floorMs: number;
}

export async function benchOutboxStorm(): Promise<OutboxStormResult> {
  console.log(
    `\n## Outbox storm: ${CHANNELS * PER_CHANNEL} writes (${CHANNELS} cards + ${CHANNELS * (PER_CHANNEL - 1)} replies) over ${CHANNELS} channels at 1 post/s/channel (floor ${FLOOR_MS} ms)\n`,
  );
  const slack = await startSlackServer(); // 1 post/s/channel, a burst of 2, 429 + Retry-After beyond
  const dir = mkdtempSync(join(tmpdir(), 'trailbot-bench-outbox-'));
  const store = openSqliteStore(join(dir, 'trailbot.db'));
  try {
    const { channels, writes } = stormWrites('CSTORM', CHANNELS, PER_CHANNEL);
    const started = performance.now();
    const ids: number[] = [];
    for (let i = 0; i < writes.length; i += 50) ids.push(...(await store.enqueue(writes.slice(i, i + 50))));
    const worker = await startOutboxWorker({
      outbox: store,
      client: createOutboxClient(slack.token, { slackApiUrl: slack.apiUrl, logger: quietSlackLogger }),
      logger: quietLogger,
    });
    const drained = await worker.drain(10 * FLOOR_MS);
    const lastReplyMs = performance.now() - started;
    await worker.stop();

    const seen = new Map<number, number>();
    for (const channel of channels) {
      for (const m of slack.messagesIn(channel)) {
        const id = m.metadata?.event_type === OUTBOX_EVENT_TYPE ? m.metadata.event_payload.id : undefined;
        if (typeof id === 'number') seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    const result: OutboxStormResult = {
      writes: writes.length,
      delivered: seen.size,
      lost: ids.filter((id) => !seen.has(id)).length,
      duplicates: [...seen.values()].reduce((sum, n) => sum + (n - 1), 0),
      rootCards: channels.reduce(
        (sum, c) => sum + slack.messagesIn(c).filter((m) => m.thread_ts === undefined).length,
        0,
      ),
      ratelimited: slack.ratelimitedCount,
      lastReplyMs,
      floorMs: FLOOR_MS,
    };
    console.table([
      {
        writes: result.writes,
        delivered: result.delivered,
        'lost [0]': result.lost,
        'duplicates [0]': result.duplicates,
        'root cards [50]': result.rootCards,
        '429s [≤1]': result.ratelimited,
        'last reply ms': Math.round(result.lastReplyMs),
        '÷ floor [≤1.25]': Number((result.lastReplyMs / FLOOR_MS).toFixed(2)),
        drained: drained ? 'yes' : 'NO',
      },
    ]);
    return result;
  } finally {
    await store.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

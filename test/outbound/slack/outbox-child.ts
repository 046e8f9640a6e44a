/**
 * A Trailbot process that only delivers the outbox, for the crash tests (outbox-worker.test.ts):
 *   node --import tsx test/outbound/slack/outbox-child.ts DB_PATH SLACK_API_URL TOKEN
 * Env: OUTBOX_RATE (posts per channel per second, default 1), OUTBOX_UPDATES_PER_MINUTE (default 50),
 * OUTBOX_CRASH_AFTER_ACCEPT=ID (SIGKILL itself
 * right after Slack accepted that row and before it is marked delivered).
 * Prints one JSON line per event: {"started":true}, {"delivered":ID}, and {"drained":true,"stats":…} before exiting 0.
 */
import { createOutboxClient, startOutboxWorker } from '../../../src/outbound/slack/outbox-worker.js';
import { openSqliteStore } from '../../../src/outbound/store/sqlite-store.js';
import type { Logger, Outbox } from '../../../src/ports.js';

const [dbPath, apiUrl, token] = process.argv.slice(2);
if (dbPath === undefined || apiUrl === undefined || token === undefined) {
  process.stderr.write('usage: outbox-child.ts DB_PATH SLACK_API_URL TOKEN\n');
  process.exit(2);
}
const crashAfter = Number(process.env.OUTBOX_CRASH_AFTER_ACCEPT ?? 'NaN');
const rate = Number(process.env.OUTBOX_RATE ?? '1');
const updatesPerMinute = Number(process.env.OUTBOX_UPDATES_PER_MINUTE ?? '50');

const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
};

const store = openSqliteStore(dbPath);
const outbox: Outbox = {
  enqueue: (w, i) => store.enqueue(w, i),
  acceptSnsMessage: (m, t, b, w, i) => store.acceptSnsMessage(m, t, b, w, i),
  claim: (n, l, e) => store.claim(n, l, e),
  async markDelivered(id, ts, at) {
    // The crash the outbox must survive: Slack has the message, the store does not know it yet.
    if (id === crashAfter) process.kill(process.pid, 'SIGKILL');
    await store.markDelivered(id, ts, at);
    say({ delivered: id });
  },
  retryAt: (id, w, e, o) => store.retryAt(id, w, e, o),
  markDead: (id, e) => store.markDead(id, e),
  inflightOlderThan: (t) => store.inflightOlderThan(t),
  takeOverInflight: (b, a) => store.takeOverInflight(b, a),
  depth: () => store.depth(),
  entry: (id) => store.entry(id),
  incident: (k) => store.incident(k),
};

const worker = await startOutboxWorker({
  outbox,
  client: createOutboxClient(token, { slackApiUrl: apiUrl }),
  logger,
  perChannelPerSecond: rate,
  updatesPerMinute,
  pollMs: 20,
  backoffBaseMs: 50,
  backoffMaxMs: 500,
});
say({ started: true });
await worker.drain(120_000);
await worker.stop();
await store.close();
say({ drained: true, stats: worker.stats() });

/**
 * Two `trailbot serve` replicas (their own processes) on one PostgreSQL database and one loopback Slack, taking one
 * storm of signed SNS notifications between them: 300 notifications over 30 alarms in 15 channels, two notifications
 * of every alarm at once (one to each replica, so that the first two race for the root card), and some MessageIds
 * delivered to both replicas at once (SNS delivers at least once). Mid-storm, replica A is killed with SIGKILL while
 * it has posts in flight that Slack has already accepted (its Slack answers are held back by a proxy), and what SNS
 * would send again goes to replica B, which takes A's rows over after TRAILBOT_OUTBOX_TAKEOVER_MS.
 *
 * Slack must then hold: exactly one root card per incident; every accepted notification exactly once (the card or a
 * reply in its incident's thread); per channel, the posts in outbox-id order (the order they were queued), so each
 * thread in its incident's order; and every post and reply the database queued, nothing else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import pg from 'pg';
import { OUTBOX_EVENT_TYPE } from '../../src/outbound/slack/outbox-worker.js';
import { describePostgres } from '../helpers/postgres.js';
import { type ServeProcess, spawnServe } from '../helpers/spawn-serve.js';
import { stormAlarm } from '../helpers/storm-alarm.js';
import { type SlackServer, type StoredMessage, startSlackServer } from '../loopback/slack-server.js';
import { LOOPBACK_CERT_URL_PATTERN, type SnsSigner, snsHeaders, startSnsSigner } from '../loopback/sns-signer.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:replicas';
const CHANNELS = 15;
const ALARMS = 30;
const PER_ALARM = 10;
/** Replica B takes A's rows over this long after A claimed them. */
const TAKEOVER_MS = 3000;
/** How long the proxy holds back Slack's answers to replica A's posts (the posts are in Slack already). */
const HOLD_MS = 400;
/** The SIGTERM test's alarms: TERM_FIRST and on, in TERM_CHANNELS channels of their own. */
const TERM_FIRST = 100;
const TERM_ALARMS = 20;
const TERM_CHANNELS = 10;
const TERM_PER_ALARM = 4;
const channelOf = (a: number) =>
  a < TERM_FIRST ? `C0REP${String(a % CHANNELS).padStart(2, '0')}` : `C0TERM${a % TERM_CHANNELS}`;
const alarmName = (a: number) => `replica-${String(a).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function message(a: number, n: number): string {
  return stormAlarm({ name: alarmName(a), n, reason: `notification ${a}/${n}` });
}

/** `notification a/n` in a text: [a, n]. */
function notificationIn(text: string): [number, number] | undefined {
  const m = /notification (\d+)\/(\d+)/.exec(text);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/**
 * A proxy in front of the loopback Slack for replica A: every call goes through at once, but the answer to a
 * `chat.postMessage` is held back for HOLD_MS, so A has posts in flight that Slack has already accepted.
 */
interface HoldingProxy {
  apiUrl: string;
  /** Posts Slack has accepted whose answers are held back right now. */
  held(): number;
  close(): Promise<void>;
}

async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let held = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'authorization']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const answer = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method ?? 'POST',
          headers,
          ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
        });
        const body = Buffer.from(await answer.arrayBuffer());
        const holding = (req.url ?? '').includes('chat.postMessage') && answer.status === 200;
        if (holding) {
          held += 1;
          await sleep(HOLD_MS);
          held -= 1;
        }
        const out: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (name === 'content-type' || name === 'retry-after') out[name] = value;
        });
        res.writeHead(answer.status, out);
        res.end(body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    held: () => held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function post(port: number, body: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/sns`, { method: 'POST', headers: snsHeaders(body), body });
    await res.text();
    return res.status;
  } catch {
    return 0; // the connection died with the process
  }
}

function outboxId(m: StoredMessage): number | undefined {
  const id = m.metadata?.event_type === OUTBOX_EVENT_TYPE ? m.metadata.event_payload.id : undefined;
  return typeof id === 'number' ? id : undefined;
}

describePostgres('two replicas on one PostgreSQL', (db) => {
  let slack: SlackServer;
  let signer: SnsSigner;
  let proxy: HoldingProxy;
  let dir: string;

  beforeAll(async () => {
    slack = await startSlackServer();
    signer = await startSnsSigner();
    proxy = await startHoldingProxy(slack.url);
    dir = mkdtempSync(join(tmpdir(), 'trailbot-replicas-'));
    const routes = [
      ...Array.from({ length: ALARMS }, (_, a) => a),
      ...Array.from({ length: TERM_ALARMS }, (_, a) => TERM_FIRST + a),
    ].map((a) => `    - { channel: ${channelOf(a)}, alarmName: ${alarmName(a)} }`);
    writeFileSync(join(dir, 'trailbot.yml'), `alerts:\n  routes:\n${routes.join('\n')}\n`);
  });

  afterAll(async () => {
    await proxy?.close();
    await signer?.close();
    await slack?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function startReplica(slackApiUrl: string): Promise<ServeProcess> {
    return spawnServe({
      HOME: dir,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: 'replicas-secret',
      SLACK_API_URL: slackApiUrl,
      PORT: '0',
      TRAILBOT_STORE: db.url,
      TRAILBOT_OUTBOX_TAKEOVER_MS: String(TAKEOVER_MS),
      TRAILBOT_CONFIG: join(dir, 'trailbot.yml'),
      TRAILBOT_SNS_TOPICS: TOPIC,
      TRAILBOT_SNS_CERT_URL_PATTERN: LOOPBACK_CERT_URL_PATTERN.source,
    });
  }

  test('SIGKILL one replica mid-storm: one root card per incident, every notification once, in order', async () => {
    const bodies = new Map<string, string>();
    const bodyOf = (a: number, n: number): string => {
      const id = `replica-${a}-${n}`;
      let body = bodies.get(id);
      if (body === undefined) {
        body = signer.signSnsMessage(
          { Type: 'Notification', TopicArn: TOPIC, MessageId: id, Message: message(a, n) },
          { version: '2' },
        );
        bodies.set(id, body);
      }
      return body;
    };
    for (let a = 0; a < ALARMS; a += 1) for (let n = 0; n < PER_ALARM; n += 1) bodyOf(a, n);

    // Both start at once: the migrations wait for each other.
    const [victim, survivor] = await Promise.all([startReplica(proxy.apiUrl), startReplica(slack.apiUrl)]);
    const accepted = new Set<string>();
    let duplicatesAnswered = 0;
    let heldAtKill = -1;
    let killed = false;
    try {
      const send = async (a: number, n: number, to: ServeProcess): Promise<void> => {
        // SNS sends again what was not answered 200 (here, at once, to the replica that is left).
        const status = (await post(to.port, bodyOf(a, n))) === 200 ? 200 : await post(survivor.port, bodyOf(a, n));
        expect(status).toBe(200);
        accepted.add(`${a}/${n}`);
      };
      // Five rounds; in each, notifications 2k and 2k + 1 of every alarm arrive together, one at each replica. Every
      // fifth alarm's 2k is also delivered to both replicas at once (the same MessageId twice).
      const ROUNDS = PER_ALARM / 2;
      for (let k = 0; k < ROUNDS; k += 1) {
        const round: Promise<void>[] = [];
        for (let a = 0; a < ALARMS; a += 1) {
          const [first, second] = (a + k) % 2 === 0 ? [victim, survivor] : [survivor, victim];
          const to = (p: ServeProcess) => (killed ? survivor : p);
          round.push(send(a, 2 * k, to(first)), send(a, 2 * k + 1, to(second)));
          if (a % 5 === 0) {
            round.push(
              post(to(second).port, bodyOf(a, 2 * k)).then(async (status) => {
                if (status === 200) duplicatesAnswered += 1;
                else expect(await post(survivor.port, bodyOf(a, 2 * k))).toBe(200);
              }),
            );
          }
        }
        if (k === 2) {
          // Mid-storm, while this round is on its way: kill A once it has posts in flight that Slack has taken.
          const deadline = Date.now() + 10_000;
          while (proxy.held() === 0 && Date.now() < deadline) await sleep(5);
          heldAtKill = proxy.held();
          victim.child.kill('SIGKILL');
          killed = true;
        }
        await Promise.all(round);
        await sleep(150);
      }
      await victim.exited;
      expect(heldAtKill).toBeGreaterThan(0);
      expect(accepted.size).toBe(ALARMS * PER_ALARM);
      expect(duplicatesAnswered).toBeGreaterThan(0);
      // SNS may deliver some accepted messages once more, later.
      for (let a = 0; a < ALARMS; a += 3) expect(await post(survivor.port, bodyOf(a, (a * 7) % PER_ALARM))).toBe(200);

      // Everything reaches Slack: one card and PER_ALARM - 1 replies per alarm.
      const channels = [...new Set(Array.from({ length: ALARMS }, (_, a) => channelOf(a)))];
      const delivered = () => channels.reduce((sum, c) => sum + slack.messagesIn(c).length, 0);
      const deadline = Date.now() + 45_000;
      while (delivered() < ALARMS * PER_ALARM && Date.now() < deadline) await sleep(100);
      await sleep(1500); // anything extra would show up now

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      let rows: { id: number; channel: string; incident_key: string; kind: string; state: string; text: string }[];
      let incidents: { key: string; notifications: number }[];
      let messages: number;
      try {
        rows = (
          await client.query(
            'SELECT id::int AS id, channel, incident_key, kind, state, payload::text AS text FROM outbox ORDER BY id',
          )
        ).rows;
        incidents = (await client.query('SELECT key, notifications FROM incidents ORDER BY key')).rows;
        messages = Number((await client.query('SELECT count(*) AS n FROM sns_messages')).rows[0]?.n);
      } finally {
        await client.end();
      }

      // The database: every MessageId once, each incident counted every notification (no lost update), no dead row,
      // every post and reply done.
      expect(messages).toBe(ALARMS * PER_ALARM);
      expect(incidents).toHaveLength(ALARMS);
      expect(incidents.map((i) => i.notifications)).toEqual(Array(ALARMS).fill(PER_ALARM));
      expect(rows.filter((r) => r.state === 'dead')).toEqual([]);
      const writes = rows.filter((r) => r.kind !== 'update');
      expect(writes.filter((r) => r.state !== 'done')).toEqual([]);
      expect(writes).toHaveLength(ALARMS * PER_ALARM);

      const byId = new Map(writes.map((r) => [r.id, r]));
      const seen = new Map<number, number>();
      for (const channel of channels) {
        const inChannel = slack.messagesIn(channel);
        const ids = inChannel.map((m) => outboxId(m) ?? -1);
        // Per channel, in the order they were queued.
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
        for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
        const roots = inChannel.filter((m) => m.thread_ts === undefined);
        const keys = roots.map((m) => byId.get(outboxId(m) ?? -1)?.incident_key);
        // One root card per incident of this channel, and it is the incident's post.
        expect(new Set(keys).size).toBe(ALARMS / CHANNELS);
        expect(roots.map((m) => byId.get(outboxId(m) ?? -1)?.kind)).toEqual(Array(ALARMS / CHANNELS).fill('post'));
        for (const root of roots) {
          const key = byId.get(outboxId(root) ?? -1)?.incident_key;
          // The thread: the incident's replies, in the order the database queued them, nothing else.
          const thread = slack.threadReplies(channel, root.ts).map((m) => outboxId(m));
          const queued = writes.filter((r) => r.incident_key === key && r.kind !== 'post').map((r) => r.id);
          expect(thread).toEqual(queued);
          // Every notification of the alarm exactly once: the card's first content or a reply.
          const notifications = [root, ...slack.threadReplies(channel, root.ts)]
            .map((m) => notificationIn(byId.get(outboxId(m) ?? -1)?.text ?? ''))
            .map((x) => (x === undefined ? -1 : x[1]))
            .sort((x, y) => x - y);
          expect(notifications).toEqual(Array.from({ length: PER_ALARM }, (_, n) => n));
        }
      }
      // Every post and reply the database queued reached Slack once; nothing else did.
      expect([...seen.keys()].sort((x, y) => x - y)).toEqual(writes.map((r) => r.id));
      expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
      // A's accepted-but-unrecorded posts were found by their metadata, not posted again.
      expect(slack.calls('conversations.history').length + slack.calls('conversations.replies').length).toBeGreaterThan(
        0,
      );
    } finally {
      if (!killed) victim.child.kill('SIGKILL');
      survivor.child.kill('SIGTERM');
      await Promise.all([victim.exited, survivor.exited]);
    }
  }, 90_000);
  test('SIGTERM one replica while it has posts in flight: it settles its own rows, the other takes none over', async () => {
    const [leaving, staying] = await Promise.all([startReplica(proxy.apiUrl), startReplica(slack.apiUrl)]);
    let stopped = false;
    const channels = [...new Set(Array.from({ length: TERM_ALARMS }, (_, a) => channelOf(TERM_FIRST + a)))];
    const lookupsBefore = slack.calls('conversations.history').length + slack.calls('conversations.replies').length;
    try {
      // Notification n of every alarm before n + 1, alternately to each replica, while both deliver.
      for (let n = 0; n < TERM_PER_ALARM; n += 1) {
        await Promise.all(
          Array.from({ length: TERM_ALARMS }, async (_, i) => {
            const a = TERM_FIRST + i;
            const body = signer.signSnsMessage(
              { Type: 'Notification', TopicArn: TOPIC, MessageId: `term-${a}-${n}`, Message: message(a, n) },
              { version: '2' },
            );
            expect(await post((a + n) % 2 === 0 ? leaving.port : staying.port, body)).toBe(200);
          }),
        );
      }
      const deadline = Date.now() + 10_000;
      while (proxy.held() === 0 && Date.now() < deadline) await sleep(5);
      expect(proxy.held()).toBeGreaterThan(0);
      const stopping = Date.now();
      leaving.child.kill('SIGTERM');
      stopped = true;
      const code = await leaving.exited;
      expect(code).toBe(0);
      // Its drain (5 s at most) and the calls it had in flight, recorded before it left.
      expect(Date.now() - stopping).toBeLessThan(8000);

      const expected = TERM_ALARMS * TERM_PER_ALARM;
      const delivered = () => channels.reduce((sum, c) => sum + slack.messagesIn(c).length, 0);
      const until = Date.now() + 30_000;
      while (delivered() < expected && Date.now() < until) await sleep(100);
      await sleep(1000);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      let rows: { id: number; state: string; unconfirmed: boolean; attempts: number }[];
      try {
        rows = (
          await client.query(
            `SELECT id::int AS id, state, unconfirmed_since IS NOT NULL AS unconfirmed, attempts FROM outbox
             WHERE channel = ANY ($1::text[]) AND kind <> 'update' ORDER BY id`,
            [channels],
          )
        ).rows;
      } finally {
        await client.end();
      }
      expect(rows).toHaveLength(expected);
      // Every post and reply done, once; none was ever put back as unconfirmed (taken over) or sent twice.
      expect(rows.filter((r) => r.state !== 'done')).toEqual([]);
      expect(rows.filter((r) => r.unconfirmed)).toEqual([]);
      const seen = channels.flatMap((c) => slack.messagesIn(c).map((m) => outboxId(m) ?? -1));
      expect([...seen].sort((x, y) => x - y)).toEqual(rows.map((r) => r.id));
      for (const channel of channels) {
        const ids = slack.messagesIn(channel).map((m) => outboxId(m) ?? -1);
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
        expect(slack.messagesIn(channel).filter((m) => m.thread_ts === undefined)).toHaveLength(
          TERM_ALARMS / TERM_CHANNELS,
        );
      }
      expect(slack.calls('conversations.history').length + slack.calls('conversations.replies').length).toBe(
        lookupsBefore,
      );
    } finally {
      if (!stopped) leaving.child.kill('SIGKILL');
      staying.child.kill('SIGTERM');
      await Promise.all([leaving.exited, staying.exited]);
    }
  }, 60_000);
});

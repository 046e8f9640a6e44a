/**
 * The crash test: `trailbot serve` (its own process) takes a storm of signed SNS notifications and is killed with
 * SIGKILL in the middle. A second process starts on the same store; what SNS would send again (every message not
 * answered 200, plus some that were, since SNS delivers at least once) is sent again. Slack must then hold every
 * card and every reply exactly once, in order per alarm.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ServeProcess, spawnServe } from '../helpers/spawn-serve.js';
import { stormAlarm } from '../helpers/storm-alarm.js';
import { type SlackServer, startSlackServer } from '../loopback/slack-server.js';
import { LOOPBACK_CERT_URL_PATTERN, type SnsSigner, snsHeaders, startSnsSigner } from '../loopback/sns-signer.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:crash';
const ALARMS = 12;
const PER_ALARM = 8;
const channelOf = (a: number) => `C0CRASH${String(a).padStart(2, '0')}`;

let slack: SlackServer;
let signer: SnsSigner;
let dir: string;

function message(a: number, n: number): string {
  return stormAlarm({ name: `crash-${a}`, n, reason: `notification ${a}/${n}` });
}

function startServe(): Promise<ServeProcess> {
  return spawnServe({
    HOME: dir,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: 'crash-secret',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    TRAILBOT_STORE: `sqlite:${join(dir, 'trailbot.db')}`,
    TRAILBOT_CONFIG: join(dir, 'trailbot.yml'),
    TRAILBOT_SNS_TOPICS: TOPIC,
    TRAILBOT_SNS_CERT_URL_PATTERN: LOOPBACK_CERT_URL_PATTERN.source,
  });
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

beforeAll(async () => {
  slack = await startSlackServer();
  signer = await startSnsSigner();
  dir = mkdtempSync(join(tmpdir(), 'trailbot-crash-'));
  const routes = Array.from({ length: ALARMS }, (_, a) => `    - { channel: ${channelOf(a)}, alarmName: crash-${a} }`);
  writeFileSync(join(dir, 'trailbot.yml'), `alerts:\n  routes:\n${routes.join('\n')}\n`);
});

afterAll(async () => {
  await signer?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('trailbot serve killed mid-storm', () => {
  test('nothing is lost and nothing is posted twice', async () => {
    // Notification n of every alarm before n + 1, as alarms change state over time.
    const bodies = Array.from({ length: ALARMS * PER_ALARM }, (_, i) => {
      const a = i % ALARMS;
      const n = Math.floor(i / ALARMS);
      return signer.signSnsMessage(
        {
          Type: 'Notification',
          TopicArn: TOPIC,
          MessageId: `crash-${a}-${n}`,
          Message: message(a, n),
          Timestamp: new Date().toISOString(),
        },
        { version: '2' },
      );
    });
    const first = await startServe();
    const accepted = new Set<number>();
    const half = Math.floor(bodies.length / 2);
    // The first half, a few at a time; then SIGKILL while the rest are on their way.
    for (let i = 0; i < bodies.length; i += 4) {
      if (i === half) first.child.kill('SIGKILL');
      const batch = bodies.slice(i, i + 4).map(async (body, k) => {
        if ((await post(first.port, body)) === 200) accepted.add(i + k);
      });
      await Promise.all(batch);
      if (i >= half) break;
    }
    await first.exited;
    expect(accepted.size).toBeGreaterThan(10);
    expect(accepted.size).toBeLessThan(bodies.length);

    const second = await startServe();
    try {
      // SNS sends again whatever was not answered 200, and may send some of the others again too.
      for (let i = 0; i < bodies.length; i += 1) {
        if (!accepted.has(i) || i % 7 === 0) expect(await post(second.port, bodies[i] ?? '')).toBe(200);
      }
      const repliesIn = (a: number) =>
        slack.messagesIn(channelOf(a)).filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts);
      const expected = ALARMS * (PER_ALARM - 1);
      const deadline = Date.now() + 60_000;
      let total = 0;
      while (Date.now() < deadline) {
        total = Array.from({ length: ALARMS }, (_, a) => repliesIn(a).length).reduce((x, y) => x + y, 0);
        if (total >= expected) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500)); // anything extra would show up now
      for (let a = 0; a < ALARMS; a += 1) {
        const messages = slack.messagesIn(channelOf(a));
        const roots = messages.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
        expect(roots).toHaveLength(1);
        const order = repliesIn(a).map((m) => Number(/notification \d+\/(\d+)/.exec(JSON.stringify(m.blocks))?.[1]));
        expect(order).toEqual(Array.from({ length: PER_ALARM - 1 }, (_, n) => n + 1));
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});

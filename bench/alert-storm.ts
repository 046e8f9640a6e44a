/**
 * An alert storm through the whole server: `trailbot serve` (the built CLI, its own process) takes 1,000 signed
 * SNS notifications over 50 alarms within 10 s (each alarm alternating ALARM/OK, each routed to its own channel),
 * and the loopback Slack (1 post/s per channel, burst 2, 429 + Retry-After past it) receives the cards and replies.
 * Figures: POST /sns p50/p99 [p99 ≤ 100 ms], messages lost [0], root cards [exactly 50], 429s [≤ 1], and the time
 * until the last reply ÷ the floor of one post a second per channel (each channel: 1 card + 19 replies ≈ 19 s).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from '../test/helpers/spawn-serve.js';
import { nowAsAlarmTime, stormAlarm } from '../test/helpers/storm-alarm.js';
import { startSlackServer } from '../test/loopback/slack-server.js';
import { LOOPBACK_CERT_URL_PATTERN, snsHeaders, startSnsSigner } from '../test/loopback/sns-signer.js';

const ALARMS = 50;
const PER_ALARM = 20;
const SECONDS = 10;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:storm';
const channelOf = (a: number) => `C0STORM${String(a).padStart(2, '0')}`;

function alarm(a: number, n: number): string {
  const name = `storm-${String(a).padStart(2, '0')}`;
  return stormAlarm({ name, n, at: nowAsAlarmTime(), namespace: 'Bench', description: 'storm bench' });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export async function benchAlertStorm(): Promise<void> {
  const slack = await startSlackServer();
  const signer = await startSnsSigner();
  const dir = mkdtempSync(join(tmpdir(), 'trailbot-storm-'));
  const routes = Array.from(
    { length: ALARMS },
    (_, a) => `    - { channel: ${channelOf(a)}, alarmName: storm-${String(a).padStart(2, '0')} }`,
  );
  writeFileSync(join(dir, 'trailbot.yml'), `alerts:\n  routes:\n${routes.join('\n')}\n`);
  const serve = await spawnServe(
    {
      HOME: dir,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: 'storm-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      TRAILBOT_STORE: `sqlite:${join(dir, 'trailbot.db')}`,
      TRAILBOT_CONFIG: join(dir, 'trailbot.yml'),
      TRAILBOT_SNS_TOPICS: TOPIC,
      TRAILBOT_SNS_CERT_URL_PATTERN: LOOPBACK_CERT_URL_PATTERN.source,
    },
    'dist',
  );
  const { port } = serve;
  try {
    // Signed beforehand, so the storm measures Trailbot, not the signing.
    const bodies = Array.from({ length: ALARMS * PER_ALARM }, (_, i) => {
      const a = i % ALARMS;
      const n = Math.floor(i / ALARMS);
      return signer.signSnsMessage(
        {
          Type: 'Notification',
          TopicArn: TOPIC,
          MessageId: `storm-${a}-${n}-${i}`,
          Message: alarm(a, n),
          Timestamp: new Date().toISOString(),
        },
        { version: '2' },
      );
    });
    const latencies: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    // 100 a second, in order per alarm (notification n of every alarm goes out before n + 1).
    const interval = (SECONDS * 1000) / bodies.length;
    await Promise.all(
      bodies.map(async (body, i) => {
        await new Promise((r) => setTimeout(r, i * interval));
        const start = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/sns`, { method: 'POST', headers: snsHeaders(body), body });
        await res.text();
        latencies.push(performance.now() - start);
        if (res.status !== 200) failed += 1;
      }),
    );
    const sent = performance.now() - t0;
    const replies = () =>
      Array.from(
        { length: ALARMS },
        (_, a) =>
          slack.messagesIn(channelOf(a)).filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts).length,
      ).reduce((x, y) => x + y, 0);
    const expectedReplies = ALARMS * (PER_ALARM - 1);
    const deadline = Date.now() + 180_000;
    while (replies() < expectedReplies && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const lastReply = performance.now() - t0;
    const roots = Array.from(
      { length: ALARMS },
      (_, a) => slack.messagesIn(channelOf(a)).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts).length,
    );
    latencies.sort((a, b) => a - b);
    const floorMs = (PER_ALARM - 1) * 1000;
    console.log(
      `\n## Alert storm: ${bodies.length} signed notifications over ${ALARMS} alarms in ${SECONDS} s, through trailbot serve\n`,
    );
    console.table([
      {
        'sent in s': Number((sent / 1000).toFixed(1)),
        'POST p50 ms': Number(percentile(latencies, 50).toFixed(1)),
        'POST p99 ms [≤100]': Number(percentile(latencies, 99).toFixed(1)),
        'non-200': failed,
        'root cards [50]': roots.reduce((x, y) => x + y, 0),
        'channels with ≠1 card': roots.filter((r) => r !== 1).length,
        'replies delivered': replies(),
        'lost [0]': expectedReplies - replies(),
        '429s [≤1]': slack.ratelimitedCount,
        'last reply s': Number((lastReply / 1000).toFixed(1)),
        '÷ floor (19 s)': Number((lastReply / floorMs).toFixed(2)),
      },
    ]);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
    await signer.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

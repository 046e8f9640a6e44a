/**
 * Local mode (`npm start` without Slack credentials), in this process through `startServer`, as `trailbot serve`
 * runs it. Figures printed, never asserted.
 * 1. Start-up: `startServer` to listening (temporary SQLite store, local workspace, signer, channel page), and stop.
 * 2. A question through the page: POST /local/command to the answer arriving on the page's event stream, against
 *    the floor of the same answer made in process with no HTTP at all (answerQuery over the samples source,
 *    answerMessage, renderMessageHtml), asked right after each page round so both see the same machine.
 * 3. An alarm through the page: POST /local/alarm (signed, POST /sns, the alert flow, the outbox, the local
 *    workspace) to the card on the stream. The outbox paces posts to 1 per second per channel as Slack asks, and each
 *    alarm also posts its thread reply, so alarms go 2.2 s apart and the figure is the path, not the pacing.
 * 4. renderMessageHtml over the answer card and the alert card that reached the page: messages/s, µs each, bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrailQuery } from '../src/core/query/parse-trail-query.js';
import { answerMessage } from '../src/core/render/answer-message.js';
import { type MessageBody, renderMessageHtml } from '../src/core/render/block-kit-html.js';
import { BLOCK_KIT_BUILDER } from '../src/core/slack/block-kit-builder-url.js';
import type { TrailQuery } from '../src/core/trail-query.js';
import { answerQuery } from '../src/flows/answer-query.js';
import type { PageMessage } from '../src/local/channel-page.js';
import { startServer } from '../src/main.js';
import { createSamplesSource } from '../src/outbound/event-sources/samples-source.js';
import type { EventSource } from '../src/ports.js';
import { openPageStream } from '../test/helpers/page-stream.js';
import { stormAlarm } from '../test/helpers/storm-alarm.js';

const QUESTION = 'who i-05c30218156bcc246';

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function localEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, PORT: '0', LOG_LEVEL: 'silent' };
}

/** The message as Slack would hold it, read back from the page's Builder link (the link carries the blocks). */
function blocksOf(message: PageMessage): MessageBody {
  if (!message.builderUrl.startsWith(BLOCK_KIT_BUILDER))
    throw new Error('the page message has no Block Kit Builder link');
  return JSON.parse(decodeURIComponent(message.builderUrl.slice(BLOCK_KIT_BUILDER.length))) as MessageBody;
}

async function startUp(home: string, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const server = await startServer(localEnv(home));
    times.push(performance.now() - t0);
    await server.stop();
  }
  return times;
}

async function postJson(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  await response.text();
}

/** One answer to the question in process, with no HTTP: answerQuery over the samples, answerMessage, the HTML. */
async function answerInProcess(source: EventSource, query: TrailQuery): Promise<void> {
  const answer = await answerQuery({ source, now: new Date() }, query, { events: 0, defaultRegions: null });
  const html = renderMessageHtml(answerMessage(answer, `/trail ${QUESTION}`, { postToChannel: true, allEvents: true }));
  if (!html.includes('bert-jan')) throw new Error('the in-process answer does not name bert-jan');
}

function renderRate(message: MessageBody, ms: number): { perSecond: number; micros: number; bytes: number } {
  let html = '';
  let n = 0;
  globalThis.gc?.();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i += 1) html = renderMessageHtml(message);
    n += 100;
  }
  const elapsed = performance.now() - t0;
  return { perSecond: (n / elapsed) * 1000, micros: (elapsed * 1000) / n, bytes: Buffer.byteLength(html) };
}

interface PageRounds {
  questions: number[];
  floor: number[];
  alarms: number[];
  answerCard: PageMessage;
  alertCard: PageMessage;
}

/** Questions (one warm-up round, not counted), then alarms, through the page of a running local mode. */
async function throughPage(base: string, options: { questions: number; alarms: number }): Promise<PageRounds> {
  const stream = await openPageStream(base);
  try {
    // Each round asks through the page, then in process (the floor), so both see the same machine; round 0 warms up.
    const parsed = parseTrailQuery(QUESTION);
    if (parsed.kind !== 'query') throw new Error(`bench question does not parse: ${QUESTION}`);
    const source = createSamplesSource();
    const questions: number[] = [];
    const floor: number[] = [];
    let answerCard: PageMessage | null = null;
    for (let i = 0; i <= options.questions; i += 1) {
      const answered = stream.next((m) => m.ephemeral && m.html.includes('bert-jan'));
      const t0 = performance.now();
      await postJson(base, '/local/command', { text: `/trail ${QUESTION}` });
      answerCard = await answered;
      const t1 = performance.now();
      await answerInProcess(source, parsed.query);
      if (i > 0) {
        questions.push(t1 - t0);
        floor.push(performance.now() - t1);
      }
    }
    const alarms: number[] = [];
    let alertCard: PageMessage | null = null;
    for (let i = 0; i < options.alarms; i += 1) {
      const name = `BenchLocalAlarm${i}`;
      const card = stream.next(
        (m) => !m.ephemeral && m.threadTs === null && m.html.includes(name) && m.html.includes('data-action-id'),
      );
      const t0 = performance.now();
      await postJson(base, '/local/alarm', { message: stormAlarm({ name, n: 0, namespace: 'CloudTrailMetrics' }) });
      alertCard = await card;
      alarms.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 2200));
    }
    if (answerCard === null || alertCard === null) throw new Error('no card reached the page');
    return { questions, floor, alarms, answerCard, alertCard };
  } finally {
    stream.close();
  }
}

export async function benchLocalMode(options: { startups: number; questions: number; alarms: number }): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'trailbot-bench-local-'));
  let startups: number[];
  let rounds: PageRounds;
  try {
    startups = await startUp(home, options.startups);
    const server = await startServer(localEnv(home));
    try {
      rounds = await throughPage(`http://127.0.0.1:${server.port}`, options);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const q = sorted(rounds.questions);
  const f = sorted(rounds.floor);
  const a = sorted(rounds.alarms);
  const s = sorted(startups);
  console.log('\n## Local mode: start-up, a question and an alarm through the channel page\n');
  console.table([
    {
      what: `start-up (startServer → listening), ${s.length} runs`,
      'p50 ms': round(percentile(s, 50)),
      'p95 ms': round(percentile(s, 95)),
      'max ms': round(s.at(-1) ?? Number.NaN),
      'floor p50 ms': '',
      'p50 ÷ floor': '',
    },
    {
      what: `question: POST /local/command → answer on the stream, ${q.length} rounds`,
      'p50 ms': round(percentile(q, 50)),
      'p95 ms': round(percentile(q, 95)),
      'max ms': round(q.at(-1) ?? Number.NaN),
      'floor p50 ms': round(percentile(f, 50), 2),
      'p50 ÷ floor': round(percentile(q, 50) / percentile(f, 50), 2),
    },
    {
      what: `alarm: POST /local/alarm → card on the stream, ${a.length} alarms 2.2 s apart`,
      'p50 ms': round(percentile(a, 50)),
      'p95 ms': round(percentile(a, 95)),
      'max ms': round(a.at(-1) ?? Number.NaN),
      'floor p50 ms': '',
      'p50 ÷ floor': '',
    },
  ]);
  console.log(
    'floor: the same answer in process (answerQuery over the samples, answerMessage, renderMessageHtml), no HTTP',
  );

  // With the server stopped, so its timers and outbox do not share the core.
  const rows = [
    { card: 'answer card', message: blocksOf(rounds.answerCard) },
    { card: 'alert card', message: blocksOf(rounds.alertCard) },
  ].map(({ card, message }) => {
    const rate = renderRate(message, 2000);
    return {
      card,
      blocks: message.blocks?.length ?? 0,
      'Block Kit JSON bytes': Buffer.byteLength(JSON.stringify(message.blocks ?? [])),
      'HTML bytes': rate.bytes,
      'messages/s': Math.round(rate.perSecond),
      'µs per message': round(rate.micros, 2),
    };
  });
  console.log('\n## renderMessageHtml (the page renders every message on the server)\n');
  console.table(rows);
}

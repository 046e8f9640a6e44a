/**
 * `npm run bench`: figures printed, never asserted (issue targets in brackets).
 * 1. Throughput over ≥100k real records (the bundled sample trail, repeated with fresh event ids):
 *    bare JSON.parse of the bytes (the floor), normalize + match + summarize of the parsed records, and the
 *    whole file pipeline (read, split, parse, normalize, summarize) through the files source.
 *    [≥ 100k events/s on one core; normalize + summarize ≤ 2× JSON.parse]
 * 2. Peak RSS of `trailbot errors --source files:DIR` over a generated S3-layout folder of 1M events,
 *    measured in a child process. [≤ 300 MB]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AnswerBuilder } from '../src/core/answer-builder.js';
import { createRecordMatcher } from '../src/core/match-record.js';
import { normalizeRecord } from '../src/core/normalize/normalize-record.js';
import { parseTrailQuery } from '../src/core/query/parse-trail-query.js';
import type { TrailQuery } from '../src/core/trail-query.js';
import { answerQuery } from '../src/flows/answer-query.js';
import { createFilesSource } from '../src/outbound/event-sources/files-source.js';
import { createSamplesSource } from '../src/outbound/event-sources/samples-source.js';

function queryOf(text: string): TrailQuery {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`bench query does not parse: ${text}`);
  return parsed.query;
}

async function sampleRecords(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const source = createSamplesSource();
  const query = queryOf('errors');
  for await (const batch of source.scan({ query, from: null, to: null, regions: null, onProblem: () => {} })) {
    for (const r of batch) out.push(r as Record<string, unknown>);
  }
  return out;
}

/** `n` records as JSON texts: the samples repeated, each copy with its own event id. */
function recordTexts(base: Record<string, unknown>[], n: number, offset = 0): string[] {
  const texts: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = base[i % base.length] ?? {};
    texts.push(JSON.stringify({ ...r, eventID: `bench-${offset + i}-${String(r.eventID ?? '')}` }));
  }
  return texts;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function best(runs: number, f: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    globalThis.gc?.();
    const t = process.hrtime.bigint();
    f();
    min = Math.min(min, ms(t));
  }
  return min;
}

async function throughput(base: Record<string, unknown>[], n: number): Promise<Record<string, string | number>> {
  const text = `{"Records":[${recordTexts(base, n).join(',')}]}`;
  const mb = Buffer.byteLength(text) / 1e6;
  const query = queryOf('errors');
  let parsed: unknown[] = [];
  const parseMs = best(3, () => {
    parsed = (JSON.parse(text) as { Records: unknown[] }).Records;
  });
  const summarizeMs = best(3, () => {
    const builder = new AnswerBuilder({ events: 0, timeline: 500, listReads: false });
    const matches = createRecordMatcher(query, { from: null, to: null, regions: null });
    for (const raw of parsed) {
      const r = normalizeRecord(raw);
      builder.scanned(r);
      if (matches(r)) builder.add(r);
    }
    builder.finish({ query: query.text, source: 'bench', window: { from: null, to: null }, regions: null, notes: [] });
  });

  const dir = mkdtempSync(join(tmpdir(), 'trailbot-bench-'));
  const file = join(dir, 'trail.json');
  writeFileSync(file, text);
  let pipelineMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    const t = process.hrtime.bigint();
    const answer = await answerQuery({ source: createFilesSource(file), now: new Date() }, query, {
      events: 0,
      defaultRegions: null,
    });
    pipelineMs = Math.min(pipelineMs, ms(t));
    if (answer.scanned !== n) throw new Error(`pipeline scanned ${answer.scanned}, expected ${n}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    records: n,
    megabytes: Number(mb.toFixed(1)),
    'JSON.parse ms (floor)': Math.round(parseMs),
    'normalize+summarize ms': Math.round(summarizeMs),
    'normalize+summarize ÷ JSON.parse [≤2]': Number((summarizeMs / parseMs).toFixed(2)),
    'normalize+summarize events/s': Math.round(n / (summarizeMs / 1000)),
    'file pipeline ms': Math.round(pipelineMs),
    'file pipeline ÷ JSON.parse': Number((pipelineMs / parseMs).toFixed(2)),
    'file pipeline events/s [≥100k]': Math.round(n / (pipelineMs / 1000)),
  };
}

/** An S3-layout folder: 3 regions × days, 2,000 records a gzipped delivery file. */
function writeFolder(base: Record<string, unknown>[], total: number): string {
  const root = mkdtempSync(join(tmpdir(), 'trailbot-bench-folder-'));
  const perFile = 2000;
  const regions = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
  for (let f = 0; f * perFile < total; f += 1) {
    const n = Math.min(perFile, total - f * perFile);
    const region = regions[f % regions.length] ?? 'us-east-1';
    const day = String(1 + (Math.floor(f / regions.length) % 28)).padStart(2, '0');
    const dir = join(root, 'AWSLogs', '123456789012', 'CloudTrail', region, '2023', '07', day);
    mkdirSync(dir, { recursive: true });
    const body = `{"Records":[${recordTexts(base, n, f * perFile).join(',')}]}`;
    const name = `123456789012_CloudTrail_${region}_202307${day}T1200Z_${String(f).padStart(16, '0')}.json.gz`;
    writeFileSync(join(dir, name), gzipSync(body, { level: 1 }));
  }
  return root;
}

function scanInChild(folder: string): Promise<{ maxRssMb: number; wallMs: number; exit: number | null }> {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const probe = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', probe, cli, 'errors', '--source', `files:${folder}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (exit) => {
      const m = /peak-rss-kb=(\d+)/.exec(err);
      resolve({ maxRssMb: m ? Number(m[1]) / 1024 : Number.NaN, wallMs: ms(t), exit });
    });
  });
}

export interface AnswerBenchOptions {
  /** Records for the throughput figures (≥100k for the target). */
  events: number;
  /** Records in the generated folder for the peak-RSS figure; 0 skips it. */
  folderEvents: number;
}

export async function benchAnswers(options: AnswerBenchOptions): Promise<void> {
  const base = await sampleRecords();
  console.log(`\n## Answers: normalize + summarize (${base.length} distinct sample records repeated)\n`);
  console.table([await throughput(base, options.events)]);

  if (options.folderEvents > 0) {
    const total = options.folderEvents;
    const t = process.hrtime.bigint();
    const folder = writeFolder(base, total);
    console.log(`\nfolder of ${total.toLocaleString('en-US')} events written in ${Math.round(ms(t))} ms`);
    try {
      const r = await scanInChild(folder);
      console.table([
        {
          'folder events': total,
          query: 'errors (summary, text)',
          exit: r.exit,
          'wall s': Number((r.wallMs / 1000).toFixed(1)),
          'events/s': Math.round(total / (r.wallMs / 1000)),
          'peak RSS MB [≤300]': Math.round(r.maxRssMb),
        },
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

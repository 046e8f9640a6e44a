import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFilesSource, type FilesSourceOptions } from '../../src/outbound/event-sources/files-source.js';
import { createSamplesSource, SAMPLES_PATH } from '../../src/outbound/event-sources/samples-source.js';
import type { EventSource, ScanRequest, SourceProblem } from '../../src/ports.js';
import { CORPORA_ROOT, loadCorpus } from '../helpers/corpora.js';
import { aQuery } from '../helpers/records.js';

type Rec = Record<string, unknown>;

interface Scanned {
  records: Rec[];
  problems: SourceProblem[];
  batches: number[];
}

async function scan(source: EventSource, request: Partial<Omit<ScanRequest, 'onProblem'>> = {}): Promise<Scanned> {
  const problems: SourceProblem[] = [];
  const records: Rec[] = [];
  const batches: number[] = [];
  const full: ScanRequest = {
    query: aQuery(),
    from: null,
    to: null,
    regions: null,
    ...request,
    onProblem: (problem) => problems.push(problem),
  };
  for await (const batch of source.scan(full)) {
    batches.push(batch.length);
    for (const record of batch) records.push(record as Rec);
  }
  return { records, problems, batches };
}

async function scanPath(path: string, options: FilesSourceOptions = {}, request = {}): Promise<Scanned> {
  return scan(createFilesSource(path, options), request);
}

const ids = (records: readonly Rec[]): string[] => records.map((r) => String(r.eventID));
const sorted = (values: readonly string[]): string[] => [...values].sort();

const invictus = loadCorpus('invictus').map((entry) => entry.record as Rec);
const stratus = loadCorpus('stratus').map((entry) => entry.record as Rec);
/** Records with multibyte characters, escapes and brackets inside strings, to cross chunk boundaries with. */
const tricky: Rec[] = invictus.slice(0, 40).map((record, i) => ({
  ...record,
  eventID: `tricky-${i}`,
  userAgent: `テスト 🚀 [aws-cli/2] {"x":"\\"}"} \\ é ${i}`,
}));

let root: string;
/** Writes `content` at `relative` under the temp folder (creating folders); returns the path. */
function put(relative: string, content: string | Buffer): string {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const wrapper = (records: readonly unknown[]): string => JSON.stringify({ Records: records });
const lookupOutput = (records: readonly Rec[], nextToken?: string): string =>
  JSON.stringify(
    {
      Events: records.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly ?? 'false'),
        EventTime: r.eventTime,
        EventSource: r.eventSource,
        Username: 'someone',
        Resources: [],
        CloudTrailEvent: JSON.stringify(r),
      })),
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    },
    null,
    4,
  );

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'trailbot-files-source-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the real corpora', () => {
  test('the invictus folder, read as it is (55 delivery files beside LICENSE and SOURCE.md): 2,900 records', async () => {
    const { records, problems } = await scanPath(join(CORPORA_ROOT, 'invictus-ir-aws_dataset'));
    expect(problems).toEqual([]);
    expect(records).toHaveLength(2900);
    expect(sorted(ids(records))).toEqual(sorted(ids(invictus)));
  });

  test('the otrf NDJSON member: 103 records, from the file or from its folder (zip and YAML skipped)', async () => {
    const file = join(
      CORPORA_ROOT,
      'otrf-security-datasets-aws/unzipped/ec2_proxy_s3_exfiltration_2020-09-14011940.json',
    );
    const fromFile = await scanPath(file);
    expect(fromFile.problems).toEqual([]);
    expect(fromFile.records).toHaveLength(103);
    expect(fromFile.records).toEqual(loadCorpus('otrf').map((entry) => entry.record));
    const fromFolder = await scanPath(join(CORPORA_ROOT, 'otrf-security-datasets-aws'));
    expect(fromFolder.problems).toEqual([]);
    expect(fromFolder.records).toHaveLength(103);
  });

  test('the stratus folder of JSON arrays: 310 records, scrambled regions and IPs as they are', async () => {
    const { records, problems } = await scanPath(join(CORPORA_ROOT, 'datadog-stratus-red-team-detonation-logs'));
    expect(problems).toEqual([]);
    expect(records).toHaveLength(310);
    expect(sorted(ids(records))).toEqual(sorted(ids(stratus)));
  });

  test('batches hold a few hundred to a few thousand records', async () => {
    const { batches } = await scanPath(join(CORPORA_ROOT, 'invictus-ir-aws_dataset'));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(2900);
    expect(batches.slice(0, -1).every((n) => n >= 1000 && n <= 2000)).toBe(true);
  });
});

describe('every supported format, in one folder', () => {
  let folder: string;
  let expected: string[];

  beforeAll(() => {
    folder = join(root, 'formats');
    const at = (relative: string, content: string | Buffer): string => put(join('formats', relative), content);
    const s3 = 'AWSLogs/111122223333/CloudTrail/us-east-1/2023/07/10';
    at(
      `${s3}/111122223333_CloudTrail_us-east-1_20230710T1200Z_abcdefghijklmnop.json.gz`,
      gzipSync(wrapper(invictus.slice(0, 50))),
    );
    const org = 'AWSLogs/o-abc123defg/111122223333/CloudTrail/eu-west-1/2023/07/10';
    at(
      `${org}/111122223333_CloudTrail_eu-west-1_20230710T1205Z_ABCDEFGHIJKLMNOP.json.gz`,
      gzipSync(wrapper(invictus.slice(50, 60))),
    );
    at('plain/wrapper.json', wrapper(invictus.slice(60, 70)));
    at('plain/array.json', JSON.stringify(stratus.slice(0, 12), null, 3));
    at(
      'plain/lines.jsonl',
      `${invictus
        .slice(70, 80)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    at(
      'plain/lines.ndjson.gz',
      gzipSync(
        invictus
          .slice(80, 85)
          .map((r) => JSON.stringify(r))
          .join('\r\n'),
      ),
    );
    at('plain/one-record.json', JSON.stringify(invictus[85], null, 2));
    at('plain/bom.json', `\uFEFF${wrapper(invictus.slice(86, 90))}`);
    // Named after nothing: read because the content is trail data.
    at(
      'plain/export',
      invictus
        .slice(90, 93)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    // Named .json.gz, but a browser already decompressed it.
    at('plain/decompressed.json.gz', wrapper(invictus.slice(93, 95)));
    // Two pages of `aws cloudtrail lookup-events --output json`, one after the other.
    at(
      'lookup/pages.json',
      `${lookupOutput(invictus.slice(95, 100), 'token-1')}\n${lookupOutput(invictus.slice(100, 103))}`,
    );
    at('lookup/events-array.json', JSON.stringify(JSON.parse(lookupOutput(invictus.slice(103, 105))).Events));
    // Not trail data, and said to be so by the name or the place: skipped quietly (they would fail if opened).
    at('.DS_Store', Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    at('README.md', '# notes\n{"Records": broken');
    at('LICENSE', 'MIT License\n\nCopyright (c) 2023');
    at('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2023/07/10/x_CloudTrail-Digest_us-east-1_y.json.gz', 'junk');
    at(`${s3}/111122223333_CloudTrail-Digest_us-east-1_20230710T1200Z.json.gz`, 'junk');
    at('AWSLogs/111122223333/Config/us-east-1/2023/7/10/ConfigSnapshot/snapshot.json.gz', 'junk');
    at('AWSLogs/o-abc123defg/111122223333/vpcflowlogs/us-east-1/2023/07/10/flow.log.gz', 'junk');
    expected = ids([...invictus.slice(0, 60), ...invictus.slice(60, 105), ...stratus.slice(0, 12)]);
  });

  test('every record is read once, and nothing is reported', async () => {
    const { records, problems } = await scanPath(folder);
    expect(problems).toEqual([]);
    expect(sorted(ids(records))).toEqual(sorted(expected));
  });

  test('the same when every file is streamed through the splitter in small chunks', async () => {
    const { records, problems } = await scanPath(folder, { wholeFileChars: 0, chunkBytes: 1000 });
    expect(problems).toEqual([]);
    expect(sorted(ids(records))).toEqual(sorted(expected));
  });

  test('lookup-events output yields the parsed CloudTrailEvent, equal to the record', async () => {
    const { records } = await scanPath(join(folder, 'lookup/pages.json'));
    expect(records).toEqual(invictus.slice(95, 103));
  });

  test('a single file named explicitly is read whatever its name', async () => {
    const { records, problems } = await scanPath(join(folder, 'plain/export'));
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual(ids(invictus.slice(90, 93)));
  });
});

describe('files that cannot be read are reported, and the others still read', () => {
  let folder: string;
  const problemsByFile = (problems: readonly SourceProblem[]): Record<string, string> =>
    Object.fromEntries(problems.map((p) => [p.where.slice(folder.length + 1), p.message]));

  beforeAll(() => {
    folder = join(root, 'broken');
    const at = (relative: string, content: string | Buffer): string => put(join('broken', relative), content);
    at('good.json.gz', gzipSync(wrapper(invictus.slice(0, 20))));
    at('not-gzip.json.gz', Buffer.from('PK\u0003\u0004 definitely a zip'));
    const gz = gzipSync(wrapper(invictus.slice(20, 60)));
    const corrupt = Buffer.from(gz);
    corrupt.fill(0xff, 10, 200);
    at('corrupt.json.gz', corrupt);
    at('truncated.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const text = wrapper(invictus.slice(60, 80));
    at('truncated.json', text.slice(0, Math.floor(text.length * 0.6)));
    const lines = tricky.slice(0, 5).map((r) => JSON.stringify(r));
    lines[3] = '{"eventName": "bad", oops}';
    at('bad-line.jsonl', lines.join('\n'));
    at('hello.json', 'hello, world');
    at('config.json', '{"compilerOptions": {"strict": true}}');
    at('mixed.json', JSON.stringify([invictus[80], 42, { not: 'a record' }]));
    // No telling name: not reported when it is not JSON or holds no records, reported when it is broken JSON.
    at('notes', 'just some notes');
    at('settings', '{"theme": "dark"}');
    at('trail-export', text.slice(0, 500));
  });

  test.each([
    ['the whole-file path', {}],
    ['the streaming path', { wholeFileChars: 0, chunkBytes: 4096 }],
  ])('%s', async (_, options) => {
    const { records, problems } = await scanPath(folder, options);
    const byFile = problemsByFile(problems);
    expect(Object.keys(byFile).sort()).toEqual([
      'bad-line.jsonl',
      'config.json',
      'corrupt.json.gz',
      'hello.json',
      'mixed.json',
      'not-gzip.json.gz',
      'trail-export',
      'truncated.json',
      'truncated.json.gz',
    ]);
    expect(byFile['trail-export']).toMatch(/^truncated JSON: the data ends inside a record that starts at byte 12$/);
    expect(byFile['not-gzip.json.gz']).toBe(
      'not gzip data (the name ends in .gz but the content has no gzip signature)',
    );
    expect(byFile['corrupt.json.gz']).toMatch(/^corrupt gzip data \(.+\)/);
    expect(byFile['truncated.json.gz']).toMatch(
      /^truncated gzip data \(unexpected end of file\); read \d+ records before it$/,
    );
    expect(byFile['truncated.json']).toMatch(
      /^truncated JSON: the data ends inside a record that starts at byte \d+; read \d+ records before it$/,
    );
    expect(byFile['hello.json']).toBe("not JSON: it starts with 'h', not '{' or '['");
    expect(byFile['config.json']).toMatch(/^not CloudTrail data: no value has eventName, eventTime or eventID/);
    const firstNonRecord = Buffer.byteLength(`[${JSON.stringify(invictus[80])},`);
    expect(byFile['mixed.json']).toBe(
      `2 values are not a CloudTrail record and skipped (first at byte ${firstNonRecord})`,
    );
    // The bad line's byte offset counts the multibyte characters before it.
    const lines = tricky.slice(0, 3).map((r) => JSON.stringify(r));
    const badLineByte = Buffer.byteLength(`${lines.join('\n')}\n`);
    expect(byFile['bad-line.jsonl']).toMatch(
      new RegExp(`^a record is not valid JSON and skipped \\(at byte ${badLineByte + 21}: [^"]+\\)$`),
    );

    const got = new Set(ids(records));
    for (const id of ids(invictus.slice(0, 20))) expect(got.has(id)).toBe(true); // good.json.gz
    for (const id of ids([...tricky.slice(0, 3), tricky[4] ?? {}])) expect(got.has(id)).toBe(true); // bad-line.jsonl
    expect(got.has(String(invictus[80]?.eventID))).toBe(true); // mixed.json
    // What came before the cut in truncated.json: whole records only.
    const cut = Number(/read (\d+) records/.exec(byFile['truncated.json'] ?? '')?.[1]);
    expect(cut).toBeGreaterThan(0);
    for (const id of ids(invictus.slice(60, 60 + cut))) expect(got.has(id)).toBe(true);
    for (const id of ids(invictus.slice(60 + cut, 80))) expect(got.has(id)).toBe(false);
    expect(records.length).toBe(
      20 + 4 + 1 + cut + Number(/read (\d+) records/.exec(byFile['truncated.json.gz'] ?? '')?.[1]),
    );
  });

  test('the truncated JSON is reported at the byte where its unfinished record starts', async () => {
    const { problems } = await scanPath(join(folder, 'truncated.json'));
    const records = invictus.slice(60, 80);
    const cut = Number(/read (\d+) records/.exec(problems[0]?.message ?? '')?.[1]);
    const start = Buffer.byteLength(
      `{"Records":[${records
        .slice(0, cut)
        .map((r) => JSON.stringify(r))
        .join(',')},`,
    );
    expect(problems[0]?.message).toContain(`starts at byte ${start};`);
  });

  test('a missing path is a problem, not an exception', async () => {
    const { records, problems } = await scanPath(join(root, 'no-such-folder'));
    expect(records).toEqual([]);
    expect(problems).toEqual([
      { where: join(root, 'no-such-folder'), message: 'cannot read trail files here: no such file or folder' },
    ]);
  });
});

describe('pruning S3-layout folders', () => {
  let folder: string;
  const account = 'AWSLogs/111122223333/CloudTrail';
  const withTime = (record: Rec | undefined, id: string, eventTime: string): Rec => ({
    ...record,
    eventID: id,
    eventTime,
  });
  /** A file that is reported if it is ever opened. */
  const trap = (relative: string): void => {
    put(join('pruning', relative, 'trap.json.gz'), 'not gzip');
  };

  beforeAll(() => {
    folder = join(root, 'pruning');
    const at = (relative: string, records: readonly Rec[]): void => {
      put(join('pruning', relative, 'delivery.json.gz'), gzipSync(wrapper(records)));
    };
    at(`${account}/us-east-1/2023/07/10`, [withTime(invictus[0], 'in-0710', '2023-07-10T12:00:00Z')]);
    // Delivered after midnight: an in-window record in the next day's folder.
    at(`${account}/us-east-1/2023/07/11`, [withTime(invictus[1], 'in-late', '2023-07-10T23:58:00Z')]);
    at(`${account}/us-east-1/2023/07/09`, [withTime(invictus[2], 'out-0709', '2023-07-09T10:00:00Z')]);
    trap(`${account}/us-east-1/2023/07/08`);
    trap(`${account}/us-east-1/2023/07/12`);
    trap(`${account}/us-east-1/2023/06`);
    trap(`${account}/us-east-1/2022`);
    at(`${account}/eu-west-1/2023/07/10`, [withTime(invictus[3], 'eu-0710', '2023-07-10T12:00:00Z')]);
    trap(`${account}/ap-northeast-1`);
    trap('AWSLogs/o-abc123defg/111122223333/CloudTrail/ap-northeast-1/2023/07/10');
  });

  const window = { from: new Date('2023-07-10T00:00:00Z'), to: new Date('2023-07-10T23:59:59.999Z') };

  test('folders of other regions are not opened', async () => {
    const { records, problems } = await scanPath(folder, {}, { regions: ['us-east-1', 'eu-west-1'] });
    // Opened: the us-east-1 traps (no window was given). Not opened: the ap-northeast-1 ones.
    expect(problems).toHaveLength(4);
    for (const problem of problems) expect(problem.where).toContain(`${account}/us-east-1/`);
    expect(sorted(ids(records))).toEqual(['eu-0710', 'in-0710', 'in-late', 'out-0709']);
  });

  test('day folders more than a day outside the window are not opened; in-window records are all kept', async () => {
    const { records, problems } = await scanPath(folder, {}, { ...window, regions: ['us-east-1'] });
    expect(problems).toEqual([]);
    expect(sorted(ids(records))).toEqual(['in-0710', 'in-late', 'out-0709']);
  });

  test('without a window or regions every folder is opened (the traps are reported)', async () => {
    const { problems } = await scanPath(folder);
    expect(problems).toHaveLength(6);
    for (const problem of problems) expect(problem.message).toMatch(/^not gzip data/);
  });

  test('delivery file names are pruned the same way where there are no folders', async () => {
    const flat = join(CORPORA_ROOT, 'invictus-ir-aws_dataset');
    expect((await scanPath(flat, {}, { regions: ['eu-west-1'] })).records).toHaveLength(0);
    expect((await scanPath(flat, {}, { from: new Date('2023-07-12T00:00:00Z'), to: null })).records).toHaveLength(0);
    expect((await scanPath(flat, {}, { from: null, to: new Date('2023-07-09T00:00:00Z') })).records).toHaveLength(0);
    const around = { from: new Date('2023-07-10T12:00:00Z'), to: new Date('2023-07-10T12:01:00Z') };
    expect((await scanPath(flat, {}, around)).records).toHaveLength(2900);
  });

  test('no record inside a window is ever pruned away (the sample trail, windows around every record)', async () => {
    const all = (await scan(createSamplesSource())).records;
    const times = [...new Set(all.map((r) => String(r.eventTime)))].sort();
    const edges = [times[0], times[Math.floor(times.length / 2)], times.at(-1)].map((t) => Date.parse(t ?? ''));
    for (const edge of edges) {
      for (const [from, to] of [
        [edge, edge],
        [edge - 1, edge + 1],
        [edge, edge + 3_600_000],
        [edge - 86_400_000, edge],
      ] as const) {
        const request = { from: new Date(from), to: new Date(to), regions: null };
        const inside = all.filter((r) => {
          const t = Date.parse(String(r.eventTime));
          return t >= from && t <= to;
        });
        expect(inside.length).toBeGreaterThan(0);
        const got = new Set(ids((await scan(createSamplesSource(), request)).records));
        for (const id of ids(inside)) expect(got.has(id)).toBe(true);
      }
    }
  });
});

describe('streaming one large file', () => {
  const copies = 60;
  /** invictus ×60 with fresh ids, plus multibyte records: ~7 MB, far more than one chunk. */
  const records: Rec[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const record of invictus.slice(0, 80))
      records.push({ ...record, eventID: `${copy}-${String(record.eventID)}` });
    records.push(...tricky.slice(0, 3).map((r) => ({ ...r, eventID: `${copy}-${String(r.eventID)}` })));
  }
  let plain: string;
  let gzipped: string;
  let lines: string;

  beforeAll(() => {
    const text = `{"Records":[\n${records.map((r) => JSON.stringify(r, null, 1)).join(',\n')}\n]}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(5_000_000);
    plain = put('large/trail.json', text);
    gzipped = put('large/trail.json.gz', gzipSync(text));
    lines = put('large/trail.jsonl', records.map((r) => JSON.stringify(r)).join('\n'));
  });

  test.each([
    ['plain, 64 KiB chunks', () => plain, { wholeFileChars: 0, chunkBytes: 65_536 }],
    ['plain, 4093-byte chunks (inside multibyte characters)', () => plain, { wholeFileChars: 0, chunkBytes: 4093 }],
    ['gzip, 64 KiB chunks', () => gzipped, { wholeFileChars: 0, chunkBytes: 65_536 }],
    ['JSON lines, 10007-byte chunks', () => lines, { wholeFileChars: 0, chunkBytes: 10_007 }],
    ['plain, the default settings', () => plain, {}],
    ['over the whole-file limit', () => plain, { wholeFileChars: 1_000_000 }],
  ])('%s: every record, whole and in order', async (_, path, options) => {
    const { records: got, problems, batches } = await scanPath(path(), { ...options, batchSize: 500 });
    expect(problems).toEqual([]);
    expect(got).toHaveLength(records.length);
    expect(ids(got)).toEqual(ids(records));
    expect(got).toEqual(records);
    expect(Math.max(...batches)).toBeLessThanOrEqual(1000);
  });

  test('multibyte characters cut between chunks of every small size', async () => {
    const some = tricky.slice(0, 2).map((r) => ({ ...r, eventName: 'ça 日本 🚀' }));
    const path = put('large/multibyte.jsonl', `\uFEFF${some.map((r) => JSON.stringify(r)).join('\n')}`);
    for (let chunkBytes = 1; chunkBytes <= 16; chunkBytes++) {
      const { records: got, problems } = await scanPath(path, { wholeFileChars: 0, chunkBytes });
      expect(problems).toEqual([]);
      expect(got).toEqual(some);
    }
  });

  test('a consumer that stops early stops the read', async () => {
    const source = createFilesSource(gzipped, { wholeFileChars: 0, chunkBytes: 65_536, batchSize: 100 });
    let seen = 0;
    for await (const batch of source.scan({
      query: aQuery(),
      from: null,
      to: null,
      regions: null,
      onProblem: () => {},
    })) {
      seen += batch.length;
      break;
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(records.length);
  });
});

describe('the bundled samples', () => {
  test('the samples source reads the sample trail: 2,936 records, each with an eventID, nothing reported', async () => {
    const source = createSamplesSource();
    expect(source.label).toBe('samples');
    expect(source.kind).toBe('files');
    expect(existsSync(join(SAMPLES_PATH, 'AWSLogs'))).toBe(true);
    const { records, problems } = await scan(source);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(2936);
    for (const record of records) expect(typeof record.eventID).toBe('string');
    const stratusIds = stratus
      .filter((r) => ['StartInstances', 'StopInstances', 'ConsoleLogin'].includes(String(r.eventName)))
      .map((r) => String(r.eventID));
    const got = new Set(ids(records));
    for (const id of [...ids(invictus), ...stratusIds]) expect(got.has(id)).toBe(true);
    expect(new Set(ids(records)).size).toBe(2936);
  });

  test('the sample records are the corpus records, unmodified', async () => {
    const byId = new Map([...invictus, ...stratus].map((r) => [String(r.eventID), r]));
    const { records } = await scan(createSamplesSource());
    for (const record of records) expect(record).toEqual(byId.get(String(record.eventID)));
  });
});

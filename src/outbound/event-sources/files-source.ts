/**
 * EventSource over trail log files on disk: one file or a folder of them (recursively), in any of the shapes
 * CloudTrail records come in:
 * - the S3 delivery layout `AWSLogs/[<o-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`,
 *   each file `{"Records":[…]}`, gzipped or not;
 * - JSON arrays of records, single records, JSON lines (`.jsonl`, `.ndjson`, or any name), gzipped or not;
 * - the output of `aws cloudtrail lookup-events` (`{"Events":[{"CloudTrailEvent":"<json>"…}],"NextToken":…}`),
 *   also several pages one after another.
 * The format is told from the content (gzip signature, first character, shape), the name only decides which files
 * are skipped without opening them and how loudly a file that is not trail data is reported.
 *
 * Files are read one at a time, as streams. A file whose text is small (the usual delivery file) is parsed with one
 * JSON.parse, the fastest way; a larger one is cut into records by the incremental JsonRecordSplitter, so no file
 * sits in memory whole. Records are yielded in batches and are not filtered: the caller does that.
 */
import { isAscii } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { type FileHandle, open, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { EventSource, ScanRequest } from '../../ports.js';
import { JsonRecordSplitter, JsonSplitError } from './json-record-splitter.js';

export interface FilesSourceOptions {
  /**
   * A file whose decoded text is at most this many characters is parsed with one JSON.parse; a larger one is split
   * into records as it streams. 0 streams every file. Default 8 Mi.
   */
  wholeFileChars?: number;
  /** Bytes read (and decompressed) at a time. Default 1 MiB. */
  chunkBytes?: number;
  /** Records per yielded batch (a batch may be up to twice this). Default 1000. */
  batchSize?: number;
}

const DAY_MS = 86_400_000;
/** Folder and file dates are delivery dates: keep a day on each side of the window so no record in it is lost. */
const PRUNE_MARGIN_MS = DAY_MS;

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** `<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<unique>.json[.gz]`, the name CloudTrail gives a delivery. */
const DELIVERY_FILE =
  /^\d{12}_CloudTrail(?:-Insight)?_([^_]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^.]*\.json(?:\.gz)?$/;
const TRAIL_EXTENSIONS: ReadonlySet<string> = new Set(['json', 'jsonl', 'ndjson']);
/** Extensions that are obviously not trail data: such files are skipped without being opened. */
const SKIPPED_EXTENSIONS: ReadonlySet<string> = new Set([
  'md',
  'markdown',
  'rst',
  'yaml',
  'yml',
  'toml',
  'ini',
  'csv',
  'tsv',
  'xml',
  'html',
  'htm',
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'zip',
  '7z',
  'tar',
  'tgz',
  'parquet',
  'orc',
  'avro',
  'sh',
  'py',
  'js',
  'mjs',
  'cjs',
  'ts',
  'sig',
  'pem',
]);
/** Folders never entered: hidden ones, digest files (they list log files, they hold no records), dependencies. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['CloudTrail-Digest', 'node_modules']);
const LAYOUT_SERVICE_FOLDERS: ReadonlySet<string> = new Set(['CloudTrail', 'CloudTrail-Insight']);

/** How a file's name says to treat it. */
type FileRole =
  /** Named like trail data (or named explicitly): every problem with it is reported. */
  | 'trail'
  /** Unknown name: read it if its content looks like JSON or gzip, otherwise skip it quietly. */
  | 'maybe'
  /** Obviously not trail data: never opened. */
  | 'skip';

export function createFilesSource(path: string, options: FilesSourceOptions = {}): EventSource {
  const settings: Settings = {
    wholeFileChars: options.wholeFileChars ?? 8 * 1024 * 1024,
    chunkBytes: options.chunkBytes ?? 1024 * 1024,
    batchSize: options.batchSize ?? 1000,
  };
  return {
    kind: 'files',
    label: `files:${path}`,
    scan: (request) => scanPath(path, request, settings),
  };
}

interface Settings {
  wholeFileChars: number;
  chunkBytes: number;
  batchSize: number;
}

/** State shared by the files of one scan: the batch being filled. */
interface ScanState {
  readonly request: ScanRequest;
  readonly settings: Settings;
  batch: unknown[];
}

async function* scanPath(path: string, request: ScanRequest, settings: Settings): AsyncGenerator<readonly unknown[]> {
  const state: ScanState = { request, settings, batch: [] };
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    request.onProblem({ where: path, message: `cannot read trail files here: ${describeFsError(error)}` });
    return;
  }
  if (info.isDirectory()) {
    const segments = resolve(path).split(sep);
    for await (const file of walkFolder(path, segments, request, new Set())) {
      yield* readTrailFile(file.path, file.role, state);
    }
  } else {
    // A file named explicitly is read whatever its name, and every problem with it is reported.
    yield* readTrailFile(path, 'trail', state);
  }
  if (state.batch.length > 0) {
    const last = state.batch;
    state.batch = [];
    yield last;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Finding the files: a depth-first walk in name order, pruning S3-layout folders outside the request.

interface FoundFile {
  path: string;
  role: 'trail' | 'maybe';
}

async function* walkFolder(
  folder: string,
  segments: readonly string[],
  request: ScanRequest,
  visited: Set<string>,
): AsyncGenerator<FoundFile> {
  let real: string;
  let entries: Dirent[];
  try {
    real = await realpath(folder);
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    request.onProblem({ where: folder, message: `cannot list the folder: ${describeFsError(error)}` });
    return;
  }
  if (visited.has(real)) return; // a symbolic link back up the tree
  visited.add(real);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.')) continue; // .DS_Store, .git, editor files
    const path = join(folder, name);
    let isFolder = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isFolder = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // a dangling link is not trail data
      }
    }
    if (isFolder) {
      if (SKIPPED_FOLDERS.has(name)) continue;
      const childSegments = [...segments, name];
      if (isOtherServiceFolder(childSegments) || isFolderOutside(childSegments, request)) continue;
      yield* walkFolder(path, childSegments, request, visited);
    } else if (isFile) {
      const role = roleOfFile(name);
      if (role === 'skip' || isDeliveryFileOutside(name, request)) continue;
      yield { path, role };
    }
  }
}

function roleOfFile(name: string): FileRole {
  if (name.includes('_CloudTrail-Digest_')) return 'skip';
  const lower = name.toLowerCase();
  const inner = lower.endsWith('.gz') ? lower.slice(0, -3) : lower;
  const dot = inner.lastIndexOf('.');
  const extension = dot > 0 ? inner.slice(dot + 1) : '';
  if (TRAIL_EXTENSIONS.has(extension)) return 'trail';
  if (SKIPPED_EXTENSIONS.has(extension)) return 'skip';
  return 'maybe';
}

/**
 * Whether the folder is another service's logs in a shared log bucket (`AWSLogs/<account>/Config`,
 * `…/elasticloadbalancing`, `…/vpcflowlogs`): only `CloudTrail` and `CloudTrail-Insight` hold trail records.
 */
function isOtherServiceFolder(segments: readonly string[]): boolean {
  const n = segments.length;
  if (n < 3 || !ACCOUNT_ID.test(segments[n - 2] ?? '')) return false;
  const above = segments[n - 3] ?? '';
  const inAwsLogs = above === 'AWSLogs' || (ORGANIZATION_ID.test(above) && segments[n - 4] === 'AWSLogs');
  return inAwsLogs && !LAYOUT_SERVICE_FOLDERS.has(segments[n - 1] ?? '');
}

/**
 * Whether an S3-layout folder (`…/<account>/CloudTrail/<region>[/YYYY[/MM[/DD]]]`) is clearly outside the request:
 * a region not asked for, or dates a day or more away from the window.
 */
function isFolderOutside(segments: readonly string[], request: ScanRequest): boolean {
  const below = layoutPartsBelow(segments);
  if (below === null || below.length === 0 || below.length > 4) return false;
  if (below.length === 1) {
    const region = below[0] ?? '';
    return request.regions !== null && !request.regions.includes(region);
  }
  if (request.from === null && request.to === null) return false;
  const [, year, month, day] = below;
  const range = dateFolderRange(year ?? '', month, day);
  return range !== null && !overlapsWindow(range.start, range.end, request);
}

/** The folder names below `<account>/CloudTrail` in `segments`, or null where the path is not in the S3 layout. */
function layoutPartsBelow(segments: readonly string[]): string[] | null {
  for (let k = segments.length - 1; k >= 1; k--) {
    if (LAYOUT_SERVICE_FOLDERS.has(segments[k] ?? '') && ACCOUNT_ID.test(segments[k - 1] ?? '')) {
      return segments.slice(k + 1);
    }
  }
  return null;
}

/** The UTC span [start, end) of a `YYYY`, `YYYY/MM` or `YYYY/MM/DD` folder, or null if the names are not dates. */
function dateFolderRange(
  year: string,
  month: string | undefined,
  day: string | undefined,
): { start: number; end: number } | null {
  if (!/^\d{4}$/.test(year)) return null;
  const y = Number(year);
  if (month === undefined) return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
  if (!/^\d{2}$/.test(month)) return null;
  const m = Number(month);
  if (m < 1 || m > 12) return null;
  if (day === undefined) return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) };
  if (!/^\d{2}$/.test(day)) return null;
  const d = Number(day);
  if (d < 1 || d > 31) return null;
  const start = Date.UTC(y, m - 1, d);
  return { start, end: start + DAY_MS };
}

/** A delivery file named for a region not asked for, or delivered a day or more away from the window. */
function isDeliveryFileOutside(name: string, request: ScanRequest): boolean {
  if (request.regions === null && request.from === null && request.to === null) return false;
  const match = DELIVERY_FILE.exec(name);
  if (match === null) return false;
  const [, region, year, month, day, hour, minute] = match;
  if (request.regions !== null && !request.regions.includes(region ?? '')) return true;
  const delivered = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  // The file holds records from before its delivery time.
  return !overlapsWindow(delivered, delivered + 60_000, request);
}

/** Whether [start, end) widened by the margin on both sides meets the request's inclusive window. */
function overlapsWindow(start: number, end: number, request: ScanRequest): boolean {
  if (request.from !== null && end + PRUNE_MARGIN_MS <= request.from.getTime()) return false;
  if (request.to !== null && start - PRUNE_MARGIN_MS > request.to.getTime()) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading one file.

/** What went wrong in one file, told in one line at its end. */
class FileTally {
  gzip = false;
  records = 0;
  invalid = 0;
  firstInvalid: { offset: number; reason: string } | null = null;
  nonRecords = 0;
  firstNonRecord = 0;
  /** The content is not JSON at all (nor gzip). */
  notJson = false;
  /** The problem that stopped the file; `offset` (characters) is where, when it has a place. */
  fatal: { describe: (where: string) => string; offset: number | null } | null = null;

  noteInvalid(offset: number, reason: string): void {
    this.invalid++;
    if (this.firstInvalid === null) this.firstInvalid = { offset, reason };
  }

  noteNonRecord(offset: number): void {
    if (this.nonRecords === 0) this.firstNonRecord = offset;
    this.nonRecords++;
  }

  stop(message: string): void {
    this.fatal = { describe: () => message, offset: null };
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const HEAD_BYTES = 64;

async function* readTrailFile(path: string, role: 'trail' | 'maybe', state: ScanState): AsyncGenerator<unknown[]> {
  const tally = new FileTally();
  yield* readRecords(path, role === 'trail', state, tally);
  if (state.batch.length >= state.settings.batchSize) yield* takeBatches(state);
  // A file of unknown kind that is not JSON, or JSON without records, is not trail data: skip it quietly.
  if (role === 'maybe' && tally.records === 0 && tally.invalid === 0 && (tally.fatal === null || tally.notJson)) {
    return;
  }
  const problem = await describeTally(tally, path);
  if (problem !== null) state.request.onProblem({ where: path, message: problem });
}

/** Streams one file into the scan's batch, noting in `tally` what is wrong with it. Never throws. */
async function* readRecords(
  path: string,
  strict: boolean,
  state: ScanState,
  tally: FileTally,
): AsyncGenerator<unknown[]> {
  const { settings } = state;
  let handle: FileHandle | null = null;
  const streams: Readable[] = [];
  /** Decoded text held while the file may still be small enough for one JSON.parse. */
  let parts: string[] | null = settings.wholeFileChars > 0 ? [] : null;
  let partsChars = 0;
  let splitter: JsonRecordSplitter | null = null;
  const startSplitter = (): JsonRecordSplitter => {
    const created = newSplitter(state, tally);
    const held = parts ?? [];
    parts = null;
    for (const part of held) created.push(part);
    return created;
  };

  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    tally.gzip = bytesRead >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
    if (!tally.gzip) {
      const first = firstSignificantByte(head.subarray(0, bytesRead));
      if (first !== 0x7b && first !== 0x5b && first !== -1) {
        // Neither gzip nor JSON. (A .json.gz that a browser already decompressed starts with '{': it is read as is.)
        tally.notJson = true;
        if (strict && path.toLowerCase().endsWith('.gz')) {
          tally.stop('not gzip data (the name ends in .gz but the content has no gzip signature)');
        } else if (strict) {
          tally.stop(`not JSON: it starts with ${describeByte(first)}, not '{' or '['`);
        }
        return;
      }
    }
    const raw = handle.createReadStream({ start: 0, highWaterMark: settings.chunkBytes });
    handle = null; // the stream closes it
    streams.push(raw);
    let input: Readable = raw;
    if (tally.gzip) {
      input = pipeline(raw, createGunzip({ chunkSize: settings.chunkBytes }), () => {});
      streams.push(input);
    }
    const decoder = new ChunkDecoder();
    let sniffed = false;
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      if (text.length === 0) continue;
      if (!sniffed) {
        sniffed = true;
        const first = firstSignificantChar(text);
        if (first !== -1 && first !== 0x7b && first !== 0x5b) {
          // Gzip data with something else inside (a .tar.gz, a .log.gz).
          tally.notJson = true;
          if (strict) tally.stop(`not JSON after decompression: it starts with ${describeChar(first)}`);
          return;
        }
      }
      if (parts !== null) {
        parts.push(text);
        partsChars += text.length;
        if (partsChars > settings.wholeFileChars) splitter = startSplitter();
      } else {
        splitter ??= startSplitter();
        splitter.push(text);
      }
      if (state.batch.length >= settings.batchSize) yield* takeBatches(state);
    }
    const tail = decoder.end();
    if (parts !== null) {
      const text = parts.join('') + tail;
      parts = null;
      parseWholeText(text, state, tally);
    } else {
      splitter ??= startSplitter();
      if (tail.length > 0) splitter.push(tail);
      splitter.end();
    }
  } catch (error) {
    if (error instanceof JsonSplitError) {
      tally.fatal = { describe: describeSplitError(error), offset: error.offset };
      tally.notJson = error.code === 'not-json';
    } else {
      tally.stop(describeReadError(error, tally.gzip));
      if (parts !== null) {
        // Keep the whole records that arrived before the failure (a truncated .gz still holds some).
        try {
          startSplitter();
        } catch {
          // The salvage ends at the first broken record; the read error is what gets reported.
        }
      }
    }
  } finally {
    for (const stream of streams) stream.destroy();
    await handle?.close().catch(() => {});
  }
}

/**
 * UTF-8 text from a stream's chunks. A chunk of ASCII only (most CloudTrail text) is copied as Latin-1, several
 * times faster than decoding; any other chunk goes through a StringDecoder, which keeps a character that is cut
 * between two chunks whole.
 */
class ChunkDecoder {
  private readonly decoder = new StringDecoder('utf8');
  /** The StringDecoder may hold the first bytes of a character. */
  private holding = false;

  write(chunk: Buffer): string {
    if (chunk.length === 0) return '';
    if (!this.holding && isAscii(chunk)) return chunk.toString('latin1');
    // After a chunk that ends with an ASCII byte, the StringDecoder holds nothing.
    this.holding = (chunk[chunk.length - 1] ?? 0) >= 0x80;
    return this.decoder.write(chunk);
  }

  end(): string {
    return this.holding ? this.decoder.end() : '';
  }
}

/**
 * Parses a whole small file with one JSON.parse. JSON lines, several documents in a row, a broken file, or a file
 * with values that are not records go to the splitter instead, which tells what is where.
 */
function parseWholeText(text: string, state: ScanState, tally: FileTally): void {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let value: unknown;
  let parsed = true;
  try {
    value = JSON.parse(bom === 1 ? text.slice(1) : text);
  } catch {
    parsed = false;
  }
  if (parsed) {
    const batchLength = state.batch.length;
    const records = tally.records;
    addValue(value, bom, state, tally, 0);
    if (tally.nonRecords === 0 && tally.invalid === 0) return;
    // Something in it is not a record: undo, and let the splitter find where.
    state.batch.length = batchLength;
    tally.records = records;
    tally.invalid = 0;
    tally.firstInvalid = null;
    tally.nonRecords = 0;
  }
  const splitter = newSplitter(state, tally);
  splitter.push(text);
  splitter.end();
}

/** A splitter whose records go to the batch: each parsed, with guesses (see SplitterOptions) checked the same way. */
function newSplitter(state: ScanState, tally: FileTally): JsonRecordSplitter {
  return new JsonRecordSplitter((text, offset) => parseRecord(text, offset, state, tally), {
    tryCandidate: (text, offset) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return false;
      }
      addValue(value, offset, state, tally, 0);
      return true;
    },
  });
}

function parseRecord(text: string, offset: number, state: ScanState, tally: FileTally): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { position, reason } = describeJsonParseError(error);
    tally.noteInvalid(offset + position, reason);
    return;
  }
  addValue(value, offset, state, tally, 0);
}

/** Adds the CloudTrail records `value` holds (a record, a lookup-events Event, a wrapper, an array) to the batch. */
function addValue(value: unknown, offset: number, state: ScanState, tally: FileTally, depth: number): void {
  if (Array.isArray(value)) {
    if (depth < 3) {
      for (const element of value) addValue(element, offset, state, tally, depth + 1);
      return;
    }
  } else if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    if (
      object.eventName !== undefined ||
      object.eventTime !== undefined ||
      object.eventID !== undefined ||
      object.eventSource !== undefined ||
      object.eventVersion !== undefined
    ) {
      state.batch.push(value);
      tally.records++;
      return;
    }
    const embedded = object.CloudTrailEvent;
    if (typeof embedded === 'string') {
      // An Event of `aws cloudtrail lookup-events`: the record is JSON text inside it.
      let record: unknown;
      try {
        record = JSON.parse(embedded);
      } catch (error) {
        tally.noteInvalid(offset, `CloudTrailEvent is not valid JSON (${describeJsonParseError(error).reason})`);
        return;
      }
      addValue(record, offset, state, tally, 3);
      return;
    }
    if (depth < 3) {
      let wrapped = false;
      for (const key of ['Records', 'Events']) {
        const list = object[key];
        if (Array.isArray(list)) {
          wrapped = true;
          for (const element of list) addValue(element, offset, state, tally, depth + 1);
        }
      }
      if (wrapped) return;
    }
  }
  tally.noteNonRecord(offset);
}

function* takeBatches(state: ScanState): Generator<unknown[]> {
  const batch = state.batch;
  if (batch.length === 0) return;
  state.batch = [];
  const size = state.settings.batchSize;
  if (batch.length <= 2 * size) {
    yield batch;
    return;
  }
  for (let i = 0; i < batch.length; i += size) yield batch.slice(i, i + size);
}

// ---------------------------------------------------------------------------------------------------------------
// Saying what is wrong, in one line.

async function describeTally(tally: FileTally, path: string): Promise<string | null> {
  const parts: string[] = [];
  const at = (offset: number): Promise<string> => describeOffset(path, tally.gzip, offset);
  if (tally.fatal !== null) {
    const where = tally.fatal.offset === null ? '' : await at(tally.fatal.offset);
    const read = tally.records > 0 ? `; read ${tally.records} records before it` : '';
    parts.push(`${tally.fatal.describe(where)}${read}`);
  }
  if (tally.firstInvalid !== null) {
    const what = tally.invalid === 1 ? 'a record is' : `${tally.invalid} records are`;
    const first = tally.firstInvalid;
    parts.push(`${what} not valid JSON and skipped (${await at(first.offset)}: ${first.reason})`);
  }
  if (tally.nonRecords > 0) {
    if (tally.records === 0 && tally.invalid === 0 && tally.fatal === null) {
      parts.push(
        'not CloudTrail data: no value has eventName, eventTime or eventID (expected {"Records":[…]}, ' +
          'an array of records, JSON lines, or the output of aws cloudtrail lookup-events)',
      );
    } else {
      const what = tally.nonRecords === 1 ? 'a value is' : `${tally.nonRecords} values are`;
      parts.push(`${what} not a CloudTrail record and skipped (first ${await at(tally.firstNonRecord)})`);
    }
  }
  return parts.length === 0 ? null : parts.join('; ');
}

/** `at byte N` (of the decompressed text for gzip), from a character offset: re-reads the file up to there. */
async function describeOffset(path: string, gzip: boolean, charOffset: number): Promise<string> {
  const suffix = gzip ? ' after decompression' : '';
  try {
    return `at byte ${await byteOffsetOf(path, gzip, charOffset)}${suffix}`;
  } catch {
    return `at character ${charOffset}${suffix}`;
  }
}

async function byteOffsetOf(path: string, gzip: boolean, charOffset: number): Promise<number> {
  const handle = await open(path, 'r');
  const raw = handle.createReadStream({ start: 0 });
  const stream: Readable = gzip ? pipeline(raw, createGunzip(), () => {}) : raw;
  const decoder = new StringDecoder('utf8');
  let chars = 0;
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      if (chars + text.length >= charOffset) return bytes + Buffer.byteLength(text.slice(0, charOffset - chars));
      chars += text.length;
      bytes += Buffer.byteLength(text);
    }
  } catch {
    // A stream that fails further on: the offset is past what can be read.
  } finally {
    stream.destroy();
  }
  return bytes;
}

function describeSplitError(error: JsonSplitError): (where: string) => string {
  switch (error.code) {
    case 'truncated':
      return error.message.includes('record')
        ? (where) => `truncated JSON: ${error.message} that starts ${where}`
        : (where) => `truncated JSON: ${error.message} (${where})`;
    case 'too-large':
      return (where) => `not CloudTrail data: ${error.message} (the value starts ${where})`;
    default:
      return (where) => `invalid JSON ${where}: ${error.message}`;
  }
}

/** V8's JSON.parse message, reduced to its reason and position (it may quote the input: that part is dropped). */
function describeJsonParseError(error: unknown): { position: number; reason: string } {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  let reason = message
    .replace(/ in JSON at position \d+[\s\S]*$/, '')
    .replace(/, (?:\.\.\.)?"[\s\S]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (reason.length > 100) reason = `${reason.slice(0, 100)}…`;
  return { position: position === null ? 0 : Number(position[1]), reason };
}

function describeReadError(error: unknown, gzip: boolean): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (gzip && code === 'Z_BUF_ERROR') return 'truncated gzip data (unexpected end of file)';
  if (gzip && typeof code === 'string' && code.startsWith('Z_')) return `corrupt gzip data (${message})`;
  return `cannot read the file: ${describeFsError(error)}`;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The first byte that is not white space or a UTF-8 byte-order mark, or -1. */
function firstSignificantByte(head: Uint8Array): number {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  for (; i < head.length; i++) {
    const b = head[i] ?? 0;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return -1;
}

function firstSignificantChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return c;
  }
  return -1;
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

function describeChar(c: number): string {
  return c >= 0x20 && c !== 0x7f ? `'${String.fromCharCode(c)}'` : `character U+${c.toString(16).padStart(4, '0')}`;
}

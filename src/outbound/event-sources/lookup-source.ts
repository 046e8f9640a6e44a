/**
 * The live event source: CloudTrail LookupEvents, one call per page, every region of the request at once
 * (aws-slack-facts §1). Per region: one SDK client (created on first use, kept), one token bucket at the quota
 * (2 requests/s per account and region) shared by every scan of this source, so many questions at once still stay
 * under it; ThrottlingException and transient failures are retried here with exponential backoff and jitter; a page
 * budget stops runaway scans and says how to narrow. Each page's records go out as one batch; the caller's matcher
 * filters them (LookupEvents takes one attribute, the plan's). Failures become one line naming what to fix: per
 * region through onProblem while another region answers, a TrailbotError when none does.
 *
 * Settings are the SDK's own (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDTRAIL, credentials): this file reads no
 * environment; the regions come from the caller.
 */
import type { LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
// The SDK's own middleware types (a dependency of every @aws-sdk client; types only, nothing loaded at run time).
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { COMMERCIAL_REGIONS, isKnownRegion, isOptInRegion } from '../../core/aws-regions.js';
import { TrailbotError } from '../../core/errors.js';
import { clipToRetention, type LookupAttribute, planLookup } from '../../core/lookup-plan.js';
import type { EventSource, ScanRequest } from '../../ports.js';
import { createTokenBucket, sleepFor, type TokenBucket } from '../pacing/token-bucket.js';

export interface BackoffOptions {
  /** First retry's delay before jitter (ms). */
  baseMs?: number;
  /** Longest single delay (ms). */
  maxMs?: number;
  /** Retries of one page before the region is given up. */
  retries?: number;
}

export interface LookupSourceOptions {
  /** Regions read when a request names none and the query has no `in` (TRAILBOT_REGIONS, --regions, AWS_REGION). */
  regions: readonly string[];
  /** What `in all` reads; default every commercial region. */
  allRegions?: readonly string[];
  /** Pages read per region and question before stopping with a partial-answer note (default 20: 1,000 events). */
  pageBudget?: number;
  /**
   * The client for a region; default `new CloudTrailClient({ region, maxAttempts: 1 })`. Called once per region.
   * Give it `maxAttempts: 1` too, or the SDK's own retries run underneath this source's pacing.
   */
  clientFor?: (region: string) => CloudTrailClient;
  /** LookupEvents' quota per account and region (default 2 requests/s). */
  ratePerSecond?: number;
  /** Calls a quiet region may send at once (default 1: the spacing alone keeps within the quota). */
  burst?: number;
  backoff?: BackoffOptions;
  /** The clock, for the 90-day reach (default the system clock). */
  now?: () => Date;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

export const DEFAULT_PAGE_BUDGET = 20;
/** LookupEvents' page size limit; always asked for explicitly (the CLI's default used to be 10). */
export const PAGE_SIZE = 50;

const LABEL = 'lookup';
const REGION_SETTINGS = 'TRAILBOT_REGIONS, --regions or `in`';
const NO_REGION =
  'no AWS region to read: set TRAILBOT_REGIONS or AWS_REGION, pass --regions eu-west-1,us-east-1, or ask with `in <region>`';
const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 500, maxMs: 8_000, retries: 6 };

/**
 * The SDK's own retries are off (maxAttempts 1): its standard mode would retry a ThrottlingException twice on its
 * own schedule, unseen by the per-region token bucket, and each hidden retry spends quota that every other scan of
 * the region is pacing itself against. Retrying here goes back through the bucket, so the spacing holds.
 */
function defaultClient(region: string): CloudTrailClient {
  return new CloudTrailClient({
    region,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
}

export function createLookupSource(options: LookupSourceOptions): EventSource {
  const configured = unique(options.regions);
  const allRegions = unique(options.allRegions ?? COMMERCIAL_REGIONS);
  const pageBudget = Math.max(1, Math.floor(options.pageBudget ?? DEFAULT_PAGE_BUDGET));
  const clientFor = options.clientFor ?? defaultClient;
  const ratePerSecond = options.ratePerSecond ?? 2;
  const burst = options.burst ?? 1;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  const clients = new Map<string, CloudTrailClient>();
  const buckets = new Map<string, TokenBucket>();
  const regionState = (region: string): { client: CloudTrailClient; bucket: TokenBucket } => {
    let client = clients.get(region);
    if (client === undefined) {
      client = clientFor(region);
      clients.set(region, client);
    }
    let bucket = buckets.get(region);
    if (bucket === undefined) {
      bucket = createTokenBucket({ ratePerSecond, burst });
      buckets.set(region, bucket);
    }
    return { client, bucket };
  };

  const pacing: Pacing = {
    intervalMs: 1000 / ratePerSecond,
    delayFor: (attempt) => {
      const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
      return ceiling / 2 + (ceiling / 2) * random(); // "equal jitter": never less than half the ceiling.
    },
    retries: backoff.retries,
  };

  return {
    kind: 'live',
    label: LABEL,
    async *scan(request: ScanRequest): AsyncIterable<readonly unknown[]> {
      const allAsked = request.regions === null && request.query.regions === 'all';
      const regions = unique(request.regions ?? (allAsked ? allRegions : configured));
      if (regions.length === 0) throw new TrailbotError('source_invalid', NO_REGION, 'user');
      const plan = planLookup(request.query, regions);

      const window = clipToRetention(request.from, request.to, now());
      if (window.outOfReach) {
        request.onProblem({
          where: LABEL,
          message: `LookupEvents reaches back 90 days, to ${utcMinute(window.earliest)}, and the whole window is older: nothing was read; read the trail's log files for older events (--source files:PATH)`,
        });
        return;
      }
      if (window.clipped && window.from !== null) {
        request.onProblem({
          where: LABEL,
          message: `LookupEvents reaches back 90 days; the window was clipped to start ${utcMinute(window.from)}`,
        });
      }

      const input: LookupEventsCommandInput = { MaxResults: PAGE_SIZE };
      const attributes = request.attributes ?? plan.attributes;
      if (window.from !== null) input.StartTime = window.from;
      if (window.to !== null) input.EndTime = window.to;

      const abort = new AbortController();
      // The caller may stop the scan without draining it (an account fan-out whose consumer has gone).
      const stop = (): void => abort.abort();
      if (request.signal?.aborted) abort.abort();
      request.signal?.addEventListener('abort', stop, { once: true });
      const queue = new BatchQueue(plan.regions.length);
      const failures: RegionFailure[] = [];
      let answered = 0;

      for (const region of plan.regions) {
        const job: RegionJob = {
          region,
          input,
          attributes,
          regions: plan.regions.length,
          pageBudget,
          pacing,
          signal: abort.signal,
          emit: (batch) => queue.push(batch),
          onProblem: request.onProblem,
          ...regionState(region),
        };
        readRegion(job).then(
          (outcome) => {
            if (outcome.kind === 'failed') {
              failures.push({ region, failure: outcome.failure });
              // A region `in all` reaches that this account never enabled holds no events: not worth a note.
              const quiet = allAsked && outcome.failure.kind === 'unrecognized' && isOptInRegion(region);
              if (!quiet) request.onProblem({ where: region, message: outcome.failure.describe(region) });
            } else if (outcome.kind === 'read') {
              answered += 1;
            }
            queue.close();
          },
          (error: unknown) => {
            // readRegion catches everything it expects; this is a bug, reported rather than lost.
            failures.push({ region, failure: classifyFailure(error, region) });
            request.onProblem({ where: region, message: `internal error: ${oneLine(String(error))}` });
            queue.close();
          },
        );
      }

      try {
        yield* queue.drain();
      } finally {
        abort.abort(); // The consumer stopped early or we are done: stop every region's reads.
        request.signal?.removeEventListener('abort', stop);
      }
      if (answered === 0 && failures.length > 0) {
        const order = (f: RegionFailure): number => plan.regions.indexOf(f.region);
        failures.sort((a, b) => order(a) - order(b));
        throw new TrailbotError('source_failed', summarizeFailures(failures), 'upstream');
      }
    },
  };
}

interface Pacing {
  intervalMs: number;
  delayFor: (attempt: number) => number;
  retries: number;
}

interface RegionJob {
  region: string;
  /** The window and page size; each series adds its attribute. */
  input: LookupEventsCommandInput;
  attributes: readonly LookupAttribute[];
  /** Regions the scan reads in all (a budget note suggests `in <region>` when several). */
  regions: number;
  pageBudget: number;
  pacing: Pacing;
  client: CloudTrailClient;
  bucket: TokenBucket;
  signal: AbortSignal;
  emit: (batch: readonly unknown[]) => void;
  onProblem: ScanRequest['onProblem'];
}

type RegionOutcome =
  /** At least one page was read (the region answered, maybe partially). */
  | { kind: 'read' }
  | { kind: 'failed'; failure: Failure }
  /** The scan was abandoned. */
  | { kind: 'stopped' };

async function readRegion(job: RegionJob): Promise<RegionOutcome> {
  const { region, signal } = job;
  let pages = 0;
  let unreadable = 0;
  const noteUnreadable = (): void => {
    if (unreadable > 0)
      job.onProblem({
        where: region,
        message: `skipped ${count(unreadable)} event${unreadable === 1 ? '' : 's'} whose CloudTrailEvent was not a JSON record`,
      });
  };
  // One series of pages per attribute (none: the whole window), one after another through the region's bucket.
  const series: (LookupAttribute | null)[] = job.attributes.length === 0 ? [null] : [...job.attributes];
  try {
    for (const attribute of series) {
      if (signal.aborted) break;
      const input: LookupEventsCommandInput =
        attribute === null
          ? job.input
          : { ...job.input, LookupAttributes: [{ AttributeKey: attribute.key, AttributeValue: attribute.value }] };
      let seriesPages = 0;
      let events = 0;
      let oldest: Date | null = null;
      let nextToken: string | undefined;
      do {
        const page = await sendPaced(job, nextToken === undefined ? input : { ...input, NextToken: nextToken });
        pages += 1;
        seriesPages += 1;
        const batch: unknown[] = [];
        for (const event of page.Events ?? []) {
          events += 1;
          if (event.EventTime !== undefined && (oldest === null || event.EventTime < oldest)) oldest = event.EventTime;
          const record = parseRecord(event.CloudTrailEvent);
          if (record === null) unreadable += 1;
          else batch.push(record);
        }
        if (batch.length > 0) job.emit(batch);
        nextToken = page.NextToken === undefined || page.NextToken === '' ? undefined : page.NextToken;
        if (nextToken !== undefined && seriesPages >= job.pageBudget) {
          job.onProblem({
            where: region,
            message: budgetNote(job, attribute, seriesPages, events, oldest),
            budgetSpent: true,
          });
          break;
        }
      } while (nextToken !== undefined && !signal.aborted);
    }
  } catch (error) {
    if (signal.aborted) return { kind: 'stopped' };
    noteUnreadable();
    const failure = classifyFailure(error, region);
    if (pages === 0) return { kind: 'failed', failure };
    job.onProblem({ where: region, message: `stopped after ${count(pages)} pages: ${failure.describe(region)}` });
    return { kind: 'read' };
  }
  noteUnreadable();
  return { kind: 'read' };
}

/** One LookupEvents call through the region's bucket; throttling and transient failures retried with backoff. */
async function sendPaced(job: RegionJob, input: LookupEventsCommandInput): Promise<LookupEventsCommandOutput> {
  const { bucket, client, pacing, signal } = job;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await client.send(pacedCommand(input, bucket, signal), { abortSignal: signal });
    } catch (error) {
      if (signal.aborted || attempt >= pacing.retries) throw error;
      const kind = retryKind(error);
      if (kind === null) throw error;
      // Someone (another tool, another replica) may share the quota: slow every scan of this region a little.
      if (kind === 'throttled') bucket.penalize(pacing.intervalMs);
      await sleepFor(pacing.delayFor(attempt), signal);
    }
  }
}

/**
 * The command, with a middleware that waits for the region's token just before the request is signed and sent.
 * Waiting there rather than before `client.send` matters: the SDK's first call in a region does seconds' worth of
 * setup on a busy process (endpoint rules, user agent, credentials), and a token taken before that setup would let
 * this call reach AWS right behind the next one. Credentials are resolved before the wait (a failure spends no
 * token); signing comes after it, so a long queue cannot stale the signature. An SDK retry, if a caller's client
 * has them on, passes through the wait again.
 */
function pacedCommand(input: LookupEventsCommandInput, bucket: TokenBucket, signal: AbortSignal): LookupEventsCommand {
  const command = new LookupEventsCommand(input);
  const waitForToken: FinalizeRequestMiddleware<LookupEventsCommandInput, LookupEventsCommandOutput> =
    (next) => async (args) => {
      await bucket.take(signal);
      return next(args);
    };
  command.middlewareStack.addRelativeTo(waitForToken, {
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    name: 'trailbotPacing',
    override: true,
  });
  return command;
}

function parseRecord(text: string | undefined): object | null {
  if (text === undefined) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function budgetNote(
  job: RegionJob,
  attribute: LookupAttribute | null,
  pages: number,
  events: number,
  oldest: Date | null,
): string {
  const reached = oldest === null ? '' : `, back to ${utcMinute(oldest)}`;
  const ways = ['since', 'from … to'];
  if (job.attributes.length === 0) ways.push('who, user or event');
  if (job.regions > 1) ways.push(`in ${job.region}`);
  const last = ways.pop();
  const series = job.attributes.length > 1 && attribute !== null ? `${attribute.key} ${attribute.value}: ` : '';
  return `${series}stopped after ${count(pages)} page${pages === 1 ? '' : 's'} (${count(events)} events${reached}); narrow the query with ${ways.join(', ')}, or ${last}`;
}

// ── Failures ────────────────────────────────────────────────────────────────────────────────────────────────────

type FailureKind =
  | 'denied'
  | 'credentials'
  | 'expired'
  | 'clock'
  | 'unrecognized'
  | 'signature'
  | 'bad_region'
  | 'unreachable'
  | 'throttled'
  | 'refused'
  | 'other';

export interface Failure {
  kind: FailureKind;
  /** Failures with the same key read as one line for several regions. */
  key: string;
  /** The line, for one region or a list of them (`eu-west-1, us-east-1`). */
  describe: (regions: string) => string;
}

interface RegionFailure {
  region: string;
  failure: Failure;
}

interface ErrorFacts {
  name: string;
  code: string;
  message: string;
  status: number | null;
  hostname: string | null;
  fault: string | null;
}

function factsOf(error: unknown): ErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const metadata = (typeof e.$metadata === 'object' && e.$metadata !== null ? e.$metadata : {}) as Record<
    string,
    unknown
  >;
  const message = text(e.message) || text(e.Message) || (typeof error === 'string' ? error : '');
  // A Node network error can reach us flattened into a message ("AWS SDK error wrapper for Error: connect
  // ECONNREFUSED …": the SDK wraps what fails its `instanceof Error` check), so the code is read from the text too.
  const inText =
    /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH)\b(?: (\S+))?/.exec(
      message,
    );
  return {
    name: text(e.name) || text(e.__type),
    code: text(e.code) || text(e.Code) || (inText?.[1] ?? ''),
    message,
    status: typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : null,
    hostname:
      text(e.hostname) || (inText?.[1] === 'ENOTFOUND' || inText?.[1] === 'EAI_AGAIN' ? (inText[2] ?? null) : null),
    fault: text(e.$fault) || null,
  };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

function retryKind(error: unknown): 'throttled' | 'transient' | null {
  const f = factsOf(error);
  if (isThrottle(f)) return 'throttled';
  if (f.name === 'TimeoutError' || TRANSIENT_CODES.has(f.code)) return 'transient';
  if (f.fault === 'server' || (f.status !== null && f.status >= 500)) return 'transient';
  return null;
}

function isThrottle(f: ErrorFacts): boolean {
  return (
    f.name === 'ThrottlingException' ||
    f.name === 'Throttling' ||
    f.name === 'TooManyRequestsException' ||
    f.name === 'RequestLimitExceeded' ||
    f.status === 429
  );
}

/** The principal an AccessDenied message names, if it names one in the usual form. */
function principalOf(message: string): string | null {
  const match = /\b(?:User|Principal): (arn:[\w+=,.@:/-]{1,300})/.exec(message);
  return match?.[1] ?? null;
}

function failure(kind: FailureKind, key: string, describe: (regions: string) => string): Failure {
  return { kind, key: `${kind}:${key}`, describe };
}

/** What went wrong, as one line that names what to fix. Never echoes credentials (SDK messages carry none). */
export function classifyFailure(error: unknown, region: string): Failure {
  const f = factsOf(error);
  const name = f.name;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    const principal = principalOf(f.message);
    const who = principal === null ? '' : ` for ${principal}`;
    const explicit = /explicit deny in an? ([\w -]{1,60}?policy)/i.exec(f.message)?.[1];
    if (explicit !== undefined)
      return failure('denied', `${principal}:${explicit}`, (r) => {
        return `cloudtrail:LookupEvents is denied${who} in ${r} by an explicit deny in a ${explicit.toLowerCase()}: lift that deny (an Allow, as in iam-policy.json, cannot override it)`;
      });
    return failure(
      'denied',
      String(principal),
      (r) => `cloudtrail:LookupEvents is not allowed${who} in ${r}: grant it (see iam-policy.json)`,
    );
  }
  if (
    name === 'ExpiredTokenException' ||
    name === 'ExpiredToken' ||
    name === 'TokenRefreshRequired' ||
    (name === 'CredentialsProviderError' && /expired|sso login|refresh/i.test(f.message))
  ) {
    return failure(
      'expired',
      '',
      () => 'the AWS session has expired: refresh it (aws sso login, or fresh temporary credentials) and ask again',
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(f.message)) {
    return failure(
      'credentials',
      '',
      () =>
        'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached',
    );
  }
  if (name === 'RequestExpired' || (name === 'InvalidSignatureException' && /expired/i.test(f.message))) {
    return failure(
      'clock',
      '',
      () => 'AWS rejected the request as signed at the wrong time: set this machine’s clock right (NTP) and ask again',
    );
  }
  if (name === 'InvalidSignatureException' || name === 'SignatureDoesNotMatch') {
    return failure(
      'signature',
      '',
      () =>
        'the AWS secret key does not match the access key: check AWS_SECRET_ACCESS_KEY or the profile’s credentials',
    );
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId') {
    if (isOptInRegion(region))
      return failure(
        'unrecognized',
        'opt-in',
        (r) =>
          `${r}: opt-in region${r.includes(',') ? 's' : ''} not enabled for this account (the credentials are not recognized there): enable ${r.includes(',') ? 'them' : 'it'}, or leave ${r} out of ${REGION_SETTINGS}`,
      );
    return failure(
      'unrecognized',
      '',
      (r) =>
        `the AWS access key is not recognized in ${r}: check AWS_ACCESS_KEY_ID or the profile, or leave ${r} out of ${REGION_SETTINGS} if it is not enabled`,
    );
  }
  if (/^Region not accepted|Invalid region/i.test(f.message) || (!isKnownRegion(region) && isDnsFailure(f))) {
    return failure('bad_region', '', (r) => `"${r}" is not an AWS region: fix ${REGION_SETTINGS}`);
  }
  if (isDnsFailure(f)) {
    const host = f.hostname === null ? '' : ` (${f.hostname})`;
    return failure(
      'unreachable',
      `dns:${f.hostname}`,
      (r) =>
        `cannot resolve the CloudTrail endpoint for ${r}${host}: check DNS and network access, AWS_ENDPOINT_URL_CLOUDTRAIL, or ${REGION_SETTINGS}`,
    );
  }
  if (NETWORK_CODES.has(f.code) || f.name === 'TimeoutError') {
    const why = f.code || f.name;
    return failure(
      'unreachable',
      why,
      (r) => `cannot reach CloudTrail in ${r} (${why}): check the network, the proxy or AWS_ENDPOINT_URL_CLOUDTRAIL`,
    );
  }
  if (isThrottle(f)) {
    return failure(
      'throttled',
      '',
      (r) =>
        `LookupEvents kept answering ThrottlingException in ${r} (its quota, 2 requests/s per account and region, is shared with every other caller): ask again in a minute`,
    );
  }
  const detail = oneLine(`${name || f.code || 'Error'}${f.message === '' ? '' : `: ${f.message}`}`);
  if (f.fault === 'client')
    return failure('refused', detail, (r) => `LookupEvents refused the request in ${r}: ${detail}`);
  return failure('other', detail, (r) => `LookupEvents failed in ${r}: ${detail}`);
}

function isDnsFailure(f: ErrorFacts): boolean {
  return f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN' || /is not a valid hostname/.test(f.message);
}

/** One line for a question no region answered: failures alike read once with their regions listed. */
export function summarizeFailures(failures: readonly { region: string; failure: Failure }[]): string {
  const groups = new Map<string, { failure: Failure; regions: string[] }>();
  for (const { region, failure } of failures) {
    const group = groups.get(failure.key);
    if (group === undefined) groups.set(failure.key, { failure, regions: [region] });
    else group.regions.push(region);
  }
  const lines = [...groups.values()].map((g) => g.failure.describe(g.regions.join(', ')));
  return lines.length === 1 ? (lines[0] ?? '') : `no region answered: ${lines.join('; ')}`;
}

// ── Plumbing ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Batches from several concurrent producers to one consumer, in arrival order. */
export class BatchQueue {
  private readonly items: (readonly unknown[])[] = [];
  private wake: (() => void) | null = null;
  private open: number;

  constructor(producers: number) {
    this.open = producers;
  }

  push(batch: readonly unknown[]): void {
    this.items.push(batch);
    this.notify();
  }

  close(): void {
    this.open -= 1;
    this.notify();
  }

  async *drain(): AsyncGenerator<readonly unknown[]> {
    for (;;) {
      const batch = this.items.shift();
      if (batch !== undefined) {
        yield batch;
        continue;
      }
      if (this.open <= 0) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

function unique(regions: readonly string[]): string[] {
  return [...new Set(regions.map((r) => r.trim()).filter((r) => r !== ''))];
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `2026-08-23 09:15 UTC`. */
function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

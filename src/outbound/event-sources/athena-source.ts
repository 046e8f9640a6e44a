/**
 * The long-history event source: SQL over the organization trail's table in Athena (README, "Athena: the long
 * history"). Questions LookupEvents cannot answer go here: windows past its 90 days, `ip` across every account,
 * `who` across the organization.
 *
 * One question is one query: StartQueryExecution with the statement athena-sql.ts builds (partition pruning on days,
 * regions and account; the question's values as execution parameters), GetQueryExecution polled with backoff until
 * the query ends, then GetQueryResults page by page (1,000 rows a page; the first row of the first page is the
 * header), each page one batch of records rebuilt by athena-row.ts. The caller's matcher checks every record, as it
 * does for LookupEvents. While the query runs, each poll yields an empty batch: a consumer that stops there (or any
 * failure before the query ended) stops the query with StopQueryExecution, so nobody pays for an abandoned scan.
 * A query that FAILED or was CANCELLED, and every API failure, is one line naming what to fix; never a stack.
 *
 * Kind `live`: a question without a window reads the last 24 hours, as LookupEvents does, not the whole trail as
 * files do. Athena answers from the trail's files, but bills every query by the bytes of the days it reads, so the
 * default must be small; and like LookupEvents the regions asked get us-east-1 added for global events (IAM, STS,
 * sign-in), which an organization trail records there too. A request that still has no start (a caller that passes
 * none) reads the 7 days before its end, and says so. No 90-day clip: the table reaches as far back as the trail.
 *
 * Settings come from the caller (the `athena:` spec, see open-source.ts); AWS settings are the SDK's own (AWS_REGION,
 * AWS_PROFILE, credentials, AWS_ENDPOINT_URL_ATHENA). This file reads no environment.
 */
import type { GetQueryResultsCommandOutput, Row, StartQueryExecutionCommandInput } from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { recordFromRow } from '../../core/athena/athena-row.js';
import { buildAthenaQuery } from '../../core/athena/athena-sql.js';
import { TrailbotError } from '../../core/errors.js';
import type { EventSource, ScanRequest } from '../../ports.js';
import { sleepFor } from '../pacing/token-bucket.js';

/** Where the trail's table is and how to query it: the `athena:` spec's parts. */
export interface AthenaSettings {
  /** The Glue database (an identifier: letters, digits, `_`). */
  database: string;
  table: string;
  /** Athena workgroup (default: Athena's own, `primary`). */
  workgroup?: string;
  /** `s3://bucket/prefix/` for query results; default the workgroup's result location. */
  outputLocation?: string;
  /** Data catalog (default: Athena's own, `AwsDataCatalog`). */
  catalog?: string;
  /** The region Athena runs in (default the SDK's: AWS_REGION, the profile). */
  region?: string;
}

export interface AthenaPolling {
  /** First wait between GetQueryExecution calls (ms, default 250); doubles each time. */
  firstMs?: number;
  /** Longest wait between them (ms, default 2,000). */
  maxMs?: number;
  /** A query still running after this long is stopped and the question fails (ms, default 10 minutes). */
  timeoutMs?: number;
}

export interface AthenaSourceOptions extends AthenaSettings {
  /** The client; default `new AthenaClient({ region })` (the SDK's standard retries cover throttling). */
  client?: AthenaClient;
  /** Rows read per question before the answer says it is partial (default 10,000: the newest ones). */
  maxRows?: number;
  /** GetQueryResults MaxResults, 1–1000 (default 1000). */
  pageSize?: number;
  polling?: AthenaPolling;
  /** The window read when a request has no start (default 7 days before its end). */
  defaultWindowMs?: number;
  /** The clock (default the system clock). */
  now?: () => Date;
}

export const DEFAULT_MAX_ROWS = 10_000;
export const DEFAULT_ATHENA_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_POLLING: Required<AthenaPolling> = { firstMs: 250, maxMs: 2_000, timeoutMs: 10 * 60_000 };
const README_SECTION = 'README, "Athena: the long history"';

type Operation = 'StartQueryExecution' | 'GetQueryExecution' | 'GetQueryResults';

export function createAthenaSource(options: AthenaSourceOptions): EventSource {
  const label = `athena:${options.database}.${options.table}`;
  const maxRows = Math.max(1, Math.floor(options.maxRows ?? DEFAULT_MAX_ROWS));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 1000)));
  const polling = { ...DEFAULT_POLLING, ...options.polling };
  const defaultWindowMs = options.defaultWindowMs ?? DEFAULT_ATHENA_WINDOW_MS;
  const now = options.now ?? (() => new Date());
  let client = options.client;
  const clientOf = (): AthenaClient => {
    client ??= new AthenaClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
    return client;
  };

  return {
    kind: 'live',
    label,
    async *scan(request: ScanRequest): AsyncIterable<readonly unknown[]> {
      if (request.regions !== null && request.regions.length === 0) return;
      const to = request.to;
      let from = request.from;
      if (from === null) {
        const end = to ?? now();
        from = new Date(end.getTime() - defaultWindowMs);
        request.onProblem({
          where: label,
          message: `no start was given, so the ${days(defaultWindowMs)} to ${utcMinute(end)} were read (Athena bills each question by the days it reads); ask with since or from … to for another window`,
        });
      }
      const statement = buildAthenaQuery({
        table: { database: options.database, table: options.table },
        query: request.query,
        from,
        to,
        regions: request.regions,
        maxRows,
        ...(request.attributes === undefined ? {} : { attributes: request.attributes }),
      });
      const input: StartQueryExecutionCommandInput = {
        QueryString: statement.sql,
        QueryExecutionContext: {
          Database: options.database,
          ...(options.catalog === undefined ? {} : { Catalog: options.catalog }),
        },
        ...(statement.parameters.length === 0 ? {} : { ExecutionParameters: statement.parameters }),
        ...(options.workgroup === undefined ? {} : { WorkGroup: options.workgroup }),
        ...(options.outputLocation === undefined
          ? {}
          : { ResultConfiguration: { OutputLocation: options.outputLocation } }),
      };

      const athena = clientOf();
      let operation: Operation = 'StartQueryExecution';
      let id: string | undefined;
      let ended = false;
      try {
        id = (await athena.send(new StartQueryExecutionCommand(input))).QueryExecutionId;
        if (id === undefined || id === '') throw new Error('StartQueryExecution answered no QueryExecutionId');

        operation = 'GetQueryExecution';
        const deadline = Date.now() + polling.timeoutMs;
        for (let delay = polling.firstMs; ; delay = Math.min(polling.maxMs, delay * 2)) {
          const status = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution
            ?.Status;
          const state = status?.State;
          if (state === 'SUCCEEDED') {
            ended = true;
            break;
          }
          if (state === 'FAILED' || state === 'CANCELLED') {
            ended = true;
            throw new TrailbotError('source_failed', endedLine(label, state, status?.StateChangeReason), 'upstream');
          }
          if (Date.now() >= deadline)
            throw new TrailbotError(
              'source_failed',
              `${label}: the query was still running after ${duration(polling.timeoutMs)} and was stopped; narrow the question (since, from … to, in <region>, account <id>)`,
              'upstream',
            );
          yield []; // A consumer that stops here stops the query (finally, below).
          await sleepFor(delay);
        }

        operation = 'GetQueryResults';
        let columns: string[] | null = null;
        let nextToken: string | undefined;
        let first = true;
        let rows = 0;
        let cut = false;
        let positional = false;
        let oldest: string | null = null;
        do {
          const page: GetQueryResultsCommandOutput = await athena.send(
            new GetQueryResultsCommand({
              QueryExecutionId: id,
              MaxResults: pageSize,
              ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            }),
          );
          const list = page.ResultSet?.Rows ?? [];
          columns ??= columnsOf(page);
          let start = 0;
          if (first) {
            first = false;
            // The first row of the first page is the header: the column names again.
            if (isHeader(valuesOf(list[0]), columns)) start = 1;
          }
          const batch: unknown[] = [];
          for (let i = start; i < list.length; i++) {
            if (rows >= maxRows) {
              cut = true;
              break;
            }
            rows += 1;
            const row = recordFromRow(columns, valuesOf(list[i]));
            positional ||= row.positional;
            if (typeof row.record.eventTime === 'string') oldest = row.record.eventTime;
            batch.push(row.record);
          }
          if (batch.length > 0) yield batch;
          nextToken = page.NextToken === undefined || page.NextToken === '' ? undefined : page.NextToken;
        } while (!cut && nextToken !== undefined);

        if (cut)
          request.onProblem({
            where: label,
            message: `stopped at ${count(maxRows)} events, the newest${oldest === null ? '' : ` (back to ${oldest})`}; narrow the question with since, from … to, in <region>, account <id>, or who, user, event or ip`,
          });
        if (positional)
          request.onProblem({
            where: label,
            message:
              'the workgroup runs Athena engine version 2, which returns structs without field names, so callers and resources were left out: switch the workgroup to engine version 3',
          });
      } catch (error) {
        if (error instanceof TrailbotError) throw error;
        throw new TrailbotError(
          'source_failed',
          `${label}: ${describeFailure(error, operation, options)}`,
          'upstream',
          {
            cause: error,
          },
        );
      } finally {
        if (id !== undefined && !ended) await stopQuietly(athena, id);
      }
    },
  };
}

/** Best effort: the question is over either way. */
async function stopQuietly(athena: AthenaClient, id: string): Promise<void> {
  try {
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
  } catch {
    // Nothing to tell: the query ends on its own (Athena's timeout) if the stop did not reach it.
  }
}

function valuesOf(row: Row | undefined): (string | null)[] {
  return (row?.Data ?? []).map((datum) => datum.VarCharValue ?? null);
}

function columnsOf(page: GetQueryResultsCommandOutput): string[] {
  const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
  if (info.length > 0) return info.map((c) => c.Name ?? c.Label ?? '');
  return valuesOf(page.ResultSet?.Rows?.[0]).map((v) => v ?? '');
}

function isHeader(values: readonly (string | null)[], columns: readonly string[]): boolean {
  return values.length === columns.length && values.every((v, i) => v?.toLowerCase() === columns[i]?.toLowerCase());
}

// ── Failures ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A query that ended without results: Athena's reason, with what to change where we can tell. */
function endedLine(label: string, state: 'FAILED' | 'CANCELLED', reason: string | undefined): string {
  const why = reason === undefined || reason.trim() === '' ? '' : `: ${oneLine(reason)}`;
  if (state === 'CANCELLED') return `${label}: the query was cancelled${why}`;
  return `${label}: the query failed${why}${hintFor(reason ?? '')}`;
}

function hintFor(reason: string): string {
  if (/COLUMN_NOT_FOUND|cannot be resolved/i.test(reason))
    return `; the table lacks a column Trailbot reads: create it with the DDL in the ${README_SECTION}`;
  if (/TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist/i.test(reason))
    return '; check DATABASE.TABLE in --source athena:DATABASE.TABLE';
  if (/CONSTRAINT_VIOLATION.*injected/i.test(reason))
    return '; the table projects `account` as injected, which needs `account <id>` in every question: project it as enum (see the README)';
  if (/Access ?Denied|not authorized|Insufficient permissions/i.test(reason))
    return '; the caller needs s3:GetObject on the trail bucket and s3:PutObject on the query result location';
  return '';
}

function describeFailure(error: unknown, operation: Operation, settings: AthenaSettings): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = oneLine(typeof e.message === 'string' ? e.message : String(error));
  const code = typeof e.code === 'string' ? e.code : (/\b(E[A-Z]{4,})\b/.exec(message)?.[1] ?? '');
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    const principal = /\b(?:User|Principal): (arn:[\w+=,.@:/-]{1,300})/.exec(message)?.[1];
    return `athena:${operation} is not allowed${principal === undefined ? '' : ` for ${principal}`}: grant the permissions in the ${README_SECTION}`;
  }
  if (name === 'InvalidRequestException') {
    let hint = '';
    if (/output location/i.test(message))
      hint = `; add output=s3://BUCKET/PREFIX/ to the athena: spec, or give workgroup ${settings.workgroup ?? 'primary'} a query result location`;
    else if (/workgroup/i.test(message) && /not found/i.test(message)) hint = '; fix workgroup= in the athena: spec';
    return `Athena refused ${operation}: ${message}${hint}`;
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException')
    return 'Athena kept answering TooManyRequestsException (too many queries at once in this account and region): ask again in a minute';
  if (
    /ExpiredToken|TokenRefreshRequired/.test(name) ||
    (name === 'CredentialsProviderError' && /expired|sso/i.test(message))
  )
    return 'the AWS session has expired: refresh it (aws sso login, or fresh temporary credentials) and ask again';
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message))
    return 'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached';
  if (/region is missing/i.test(message))
    return 'no AWS region for Athena: set AWS_REGION, or region= in the athena: spec';
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException')
    return `the AWS credentials were not accepted (${name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the profile`;
  if (
    /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH)$/.test(code) ||
    name === 'TimeoutError'
  )
    return `cannot reach Athena (${code || name}): check the network, the proxy, region= or AWS_ENDPOINT_URL_ATHENA`;
  return `Athena ${operation} failed: ${name === '' ? '' : `${name}: `}${message}`;
}

// ── Plumbing ────────────────────────────────────────────────────────────────────────────────────────────────────

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function days(ms: number): string {
  const d = Math.round(ms / 86_400_000);
  return d === 1 ? 'day' : `${d} days`;
}

function duration(ms: number): string {
  if (ms < 60_000) {
    const s = Math.max(1, Math.round(ms / 1000));
    return s === 1 ? '1 second' : `${s} seconds`;
  }
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** `2026-08-23 09:15 UTC`. */
function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

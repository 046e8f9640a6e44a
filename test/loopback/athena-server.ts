/**
 * Amazon Athena on loopback, for tests that drive the real `@aws-sdk/client-athena` (endpoint = `url`, or
 * `AWS_ENDPOINT_URL_ATHENA`: the SDK's variable for the service id `Athena`).
 *
 * It speaks awsJson1_1 with the target prefix `AmazonAthena.` and serves the four calls a query needs:
 * - StartQueryExecution stores the statement, its ExecutionParameters, database, catalog, workgroup and output
 *   location, and answers a QueryExecutionId. Refused as Athena refuses it: no output location (neither the call's
 *   ResultConfiguration nor the workgroup's, see `workgroupOutput`), an unknown workgroup, an empty parameter list.
 * - GetQueryExecution walks the query QUEUED → RUNNING → its outcome, one step a call (`queuedPolls`, `runningPolls`;
 *   `runningPolls: Infinity` is a query that never ends until stopped). The outcome is SUCCEEDED, or FAILED or
 *   CANCELLED with a StateChangeReason. A statement whose `?` placeholders do not match its parameters, or whose
 *   parameters are not SQL string literals, FAILS as Athena's would.
 * - GetQueryResults pages the rows once the query SUCCEEDED (InvalidRequestException before): the header row first,
 *   then the data rows, MaxResults 1–1000 (default 1000) rows a page, an opaque NextToken valid for that query only.
 *   Values are `{VarCharValue}`, SQL NULL an empty Datum.
 * - StopQueryExecution cancels a query that has not ended.
 * The server evaluates no SQL: the test plays the engine, with `results(query)` returning the columns and rows the
 * statement would produce (`athenaRowsOf` turns CloudTrail records into the rows of Trailbot's SELECT list).
 * Every call is recorded in `calls`, every query in `queries`.
 */
import { randomUUID } from 'node:crypto';
import { type AwsJsonCall, AwsJsonError, type AwsJsonServer, startAwsJsonServer } from './aws-json-server.js';

export type AthenaState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export type AthenaOutcome =
  | { state: 'SUCCEEDED' }
  | { state: 'FAILED'; reason: string }
  | { state: 'CANCELLED'; reason: string };

/** What a SELECT produced: column names and rows of values (null: SQL NULL). */
export interface AthenaResult {
  columns: readonly string[];
  rows: readonly (readonly (string | null)[])[];
}

export interface AthenaQuery {
  id: string;
  sql: string;
  parameters: string[];
  database: string | null;
  catalog: string | null;
  workgroup: string;
  outputLocation: string | null;
  state: AthenaState;
  reason: string | null;
  /** GetQueryExecution calls so far. */
  polls: number;
  /** StopQueryExecution was called for it. */
  stopped: boolean;
}

export interface AthenaCall extends AwsJsonCall {
  /** `StartQueryExecution`, `GetQueryExecution`, … ('' for an unknown target). */
  operation: string;
  queryId: string | null;
  maxResults: number | null;
  nextToken: boolean;
  /** Data rows in a GetQueryResults answer (the header row not counted). */
  rows: number;
}

export interface AthenaServerOptions {
  /** The rows a query returns once it SUCCEEDED (default none: only the header of no columns). */
  results?: (query: AthenaQuery) => AthenaResult;
  /** GetQueryExecution calls that answer QUEUED (default 1), then RUNNING (default 1). */
  queuedPolls?: number;
  runningPolls?: number;
  /** How queries end (default SUCCEEDED); or per query. */
  outcome?: AthenaOutcome | ((query: AthenaQuery) => AthenaOutcome);
  /** The workgroups that exist (default `primary`). */
  workgroups?: readonly string[];
  /** The workgroups have an output location of their own (default true); else every call must give one. */
  workgroupOutput?: boolean;
  /** Operations that answer AccessDeniedException. */
  denied?: readonly string[];
}

export interface AthenaServer extends AwsJsonServer<AthenaCall> {
  readonly queries: readonly AthenaQuery[];
}

const OPERATIONS = ['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults', 'StopQueryExecution'] as const;
const MAX_QUERY_LENGTH = 262_144;
const TERMINAL: ReadonlySet<AthenaState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export async function startAthenaServer(options: AthenaServerOptions = {}): Promise<AthenaServer> {
  const queued = options.queuedPolls ?? 1;
  const running = options.runningPolls ?? 1;
  const workgroups = new Set(options.workgroups ?? ['primary']);
  const denied = new Set(options.denied ?? []);
  const queries: AthenaQuery[] = [];
  const byId = new Map<string, AthenaQuery>();
  const tokens = new Map<string, { queryId: string; offset: number }>();
  const results = new Map<string, AthenaResult>();

  const queryOf = (input: Record<string, unknown>, call: AthenaCall): AthenaQuery => {
    const id = input.QueryExecutionId;
    if (typeof id !== 'string' || id === '')
      throw new AwsJsonError('InvalidRequestException', 'QueryExecutionId is required');
    call.queryId = id;
    const query = byId.get(id);
    if (query === undefined) throw new AwsJsonError('InvalidRequestException', `QueryExecution ${id} was not found`);
    return query;
  };

  const end = (query: AthenaQuery): void => {
    const problem = parameterProblem(query.sql, query.parameters);
    const outcome =
      problem !== null
        ? ({ state: 'FAILED', reason: problem } as const)
        : typeof options.outcome === 'function'
          ? options.outcome(query)
          : (options.outcome ?? { state: 'SUCCEEDED' });
    query.state = outcome.state;
    query.reason = outcome.state === 'SUCCEEDED' ? null : outcome.reason;
  };

  const start = (input: Record<string, unknown>): Record<string, unknown> => {
    const sql = input.QueryString;
    if (typeof sql !== 'string' || sql.length === 0 || sql.length > MAX_QUERY_LENGTH)
      throw new AwsJsonError('InvalidRequestException', 'QueryString must be 1 to 262144 characters');
    const parameters = input.ExecutionParameters;
    if (parameters !== undefined && (!Array.isArray(parameters) || parameters.length === 0))
      throw new AwsJsonError('InvalidRequestException', 'ExecutionParameters must hold at least one parameter');
    if (
      Array.isArray(parameters) &&
      !parameters.every((p) => typeof p === 'string' && p.length >= 1 && p.length <= 1024)
    )
      throw new AwsJsonError('InvalidRequestException', 'each execution parameter must be 1 to 1024 characters');
    const workgroup = typeof input.WorkGroup === 'string' ? input.WorkGroup : 'primary';
    if (!workgroups.has(workgroup))
      throw new AwsJsonError('InvalidRequestException', `WorkGroup ${workgroup} is not found.`);
    const context = record(input.QueryExecutionContext);
    const result = record(input.ResultConfiguration);
    const outputLocation = typeof result.OutputLocation === 'string' ? result.OutputLocation : null;
    if (outputLocation === null && options.workgroupOutput === false)
      throw new AwsJsonError(
        'InvalidRequestException',
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    const query: AthenaQuery = {
      id: randomUUID(),
      sql,
      parameters: Array.isArray(parameters) ? (parameters as string[]) : [],
      database: typeof context.Database === 'string' ? context.Database : null,
      catalog: typeof context.Catalog === 'string' ? context.Catalog : null,
      workgroup,
      outputLocation,
      state: 'QUEUED',
      reason: null,
      polls: 0,
      stopped: false,
    };
    queries.push(query);
    byId.set(query.id, query);
    return { QueryExecutionId: query.id };
  };

  const describe = (input: Record<string, unknown>, call: AthenaCall): Record<string, unknown> => {
    const query = queryOf(input, call);
    query.polls += 1;
    if (!TERMINAL.has(query.state)) {
      if (query.polls > queued + running) end(query);
      else query.state = query.polls > queued ? 'RUNNING' : 'QUEUED';
    }
    const status: Record<string, unknown> = { State: query.state, SubmissionDateTime: Date.now() / 1000 };
    if (query.reason !== null) status.StateChangeReason = query.reason;
    if (TERMINAL.has(query.state)) status.CompletionDateTime = Date.now() / 1000;
    return {
      QueryExecution: {
        QueryExecutionId: query.id,
        Query: query.sql,
        StatementType: 'DML',
        Status: status,
        WorkGroup: query.workgroup,
        QueryExecutionContext: query.database === null ? {} : { Database: query.database },
        Statistics: { DataScannedInBytes: 0, EngineExecutionTimeInMillis: 1 },
      },
    };
  };

  const page = (input: Record<string, unknown>, call: AthenaCall): Record<string, unknown> => {
    const query = queryOf(input, call);
    if (query.state !== 'SUCCEEDED')
      throw new AwsJsonError(
        'InvalidRequestException',
        query.state === 'FAILED' || query.state === 'CANCELLED'
          ? `Query has ${query.state === 'FAILED' ? 'failed' : 'been cancelled'}: ${query.reason ?? ''}`
          : `Query has not yet finished. Current state: ${query.state}`,
      );
    const max = input.MaxResults ?? 1000;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000)
      throw new AwsJsonError('InvalidRequestException', 'MaxResults must be an integer from 1 to 1000');
    call.maxResults = max;
    let offset = 0;
    if (input.NextToken !== undefined) {
      call.nextToken = true;
      const token = typeof input.NextToken === 'string' ? tokens.get(input.NextToken) : undefined;
      if (token === undefined || token.queryId !== query.id)
        throw new AwsJsonError('InvalidRequestException', 'The NextToken is not valid for this query');
      offset = token.offset;
    }
    let result = results.get(query.id);
    if (result === undefined) {
      result = options.results?.(query) ?? { columns: [], rows: [] };
      results.set(query.id, result);
    }
    const all = [result.columns, ...result.rows];
    const rows = all.slice(offset, offset + max);
    call.rows = rows.length - (offset === 0 && rows.length > 0 ? 1 : 0);
    const out: Record<string, unknown> = {
      UpdateCount: 0,
      ResultSet: {
        Rows: rows.map((values) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: {
          ColumnInfo: result.columns.map((name) => ({
            CatalogName: 'hive',
            Name: name,
            Label: name,
            Type: 'varchar',
            Nullable: 'UNKNOWN',
            CaseSensitive: true,
          })),
        },
      },
    };
    if (offset + rows.length < all.length) {
      const token = randomUUID();
      tokens.set(token, { queryId: query.id, offset: offset + rows.length });
      out.NextToken = token;
    }
    return out;
  };

  const stop = (input: Record<string, unknown>, call: AthenaCall): Record<string, unknown> => {
    const query = queryOf(input, call);
    query.stopped = true;
    if (!TERMINAL.has(query.state)) {
      query.state = 'CANCELLED';
      query.reason = 'Query cancelled by user';
    }
    return {};
  };

  const handlers = {
    StartQueryExecution: start,
    GetQueryExecution: describe,
    GetQueryResults: page,
    StopQueryExecution: stop,
  };
  const server = await startAwsJsonServer<AthenaCall>({
    service: 'athena',
    targets: Object.fromEntries(
      OPERATIONS.map((operation) => [
        `AmazonAthena.${operation}`,
        (input: Record<string, unknown>, call: AthenaCall) => {
          call.operation = operation;
          if (denied.has(operation))
            throw new AwsJsonError(
              'AccessDeniedException',
              `User: arn:aws:iam::123456789012:user/x is not authorized to perform: athena:${operation} on resource: arn:aws:athena:${call.region}:123456789012:workgroup/primary because no identity-based policy allows the athena:${operation} action`,
              'Message',
            );
          return handlers[operation](input, call);
        },
      ]),
    ),
    newCall: () => ({
      region: '',
      target: '',
      status: 200,
      error: null,
      operation: '',
      queryId: null,
      maxResults: null,
      nextToken: false,
      rows: 0,
    }),
  });
  return { ...server, queries };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Why Athena would fail this statement's parameters, or null: the `?` placeholders outside literals and quoted names
 * must be as many as the parameters, and Trailbot's parameters must each be one SQL string literal.
 */
export function parameterProblem(sql: string, parameters: readonly string[]): string | null {
  const placeholders = countPlaceholders(sql);
  if (placeholders !== parameters.length)
    return `INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected ${placeholders} but found ${parameters.length}`;
  const bad = parameters.find((p) => !/^'(?:[^']|'')*'$/.test(p));
  if (bad !== undefined) return `SYNTAX_ERROR: the execution parameter ${bad.slice(0, 40)} is not a string literal`;
  return null;
}

/** `?` outside '…' literals, "…" names and -- comments. */
export function countPlaceholders(sql: string): number {
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const close = sql.indexOf(c, i + 1);
      // A doubled quote inside a literal is read as the end and the start of another: the count is the same.
      i = close === -1 ? sql.length : close;
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol;
    } else if (c === '?') n += 1;
  }
  return n;
}

// ── CloudTrail records as Athena returns them for Trailbot's SELECT list ─────────────────────────────────────────

/** A struct of the table: field → nested struct, `map` (keys verbatim) or `string`. */
type Struct = { readonly [field: string]: Struct | 'map' | 'string' };

/** `useridentity` as the README's table declares it (AWS's documented DDL plus `sessioncontext.sourceidentity`). */
export const USER_IDENTITY_STRUCT: Struct = {
  type: 'string',
  principalid: 'string',
  arn: 'string',
  accountid: 'string',
  invokedby: 'string',
  accesskeyid: 'string',
  username: 'string',
  onbehalfof: { userid: 'string', identitystorearn: 'string' },
  sessioncontext: {
    attributes: { mfaauthenticated: 'string', creationdate: 'string' },
    sessionissuer: { type: 'string', principalid: 'string', arn: 'string', accountid: 'string', username: 'string' },
    ec2roledelivery: 'string',
    sourceidentity: 'string',
    webidfederationdata: { federatedprovider: 'string', attributes: 'map' },
  },
};

/** `resources` as the README's table declares it (AWS's plus `arnprefix`, which S3 data events use). */
const RESOURCE_STRUCT: Struct = { arn: 'string', accountid: 'string', type: 'string', arnprefix: 'string' };

/**
 * What Athena returns for `record` under each of `columns` (Trailbot's SELECT list): the JSON SerDe matches keys
 * case-insensitively and keeps only the declared fields (absent ones null); struct columns come as the compact JSON
 * of `json_format(CAST(col AS JSON))`, lower-case field names, nulls included; a STRING column holding an object
 * holds its JSON text; a boolean reads `true`/`false`.
 */
export function athenaValuesOf(record: Record<string, unknown>, columns: readonly string[]): (string | null)[] {
  return columns.map((column) => {
    const value = fieldOf(record, column);
    if (value === undefined || value === null) return null;
    if (column === 'useridentity') return JSON.stringify(project(value, USER_IDENTITY_STRUCT));
    if (column === 'resources')
      return Array.isArray(value) ? JSON.stringify(value.map((r) => project(r, RESOURCE_STRUCT))) : null;
    return stringOf(value);
  });
}

/** `athenaValuesOf` for every record: the result of a SELECT of `columns`. */
export function athenaRowsOf(records: readonly unknown[], columns: readonly string[]): AthenaResult {
  return {
    columns,
    rows: records.map((r) => athenaValuesOf(record(r), columns)),
  };
}

function fieldOf(value: unknown, lower: string): unknown {
  const o = record(value);
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}

function project(value: unknown, struct: Struct): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(struct)) {
    const v = fieldOf(value, field);
    if (v === undefined || v === null) out[field] = null;
    else if (type === 'string') out[field] = stringOf(v);
    else if (type === 'map') out[field] = typeof v === 'object' && !Array.isArray(v) ? v : null;
    else out[field] = project(v, type);
  }
  return out;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

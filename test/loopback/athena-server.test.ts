/** The loopback Athena answers the real SDK as Athena does, and refuses what Athena would refuse. */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  type AthenaServer,
  type AthenaServerOptions,
  athenaRowsOf,
  countPlaceholders,
  parameterProblem,
  startAthenaServer,
} from './athena-server.js';

const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const SQL = 'SELECT eventid FROM "cloudtrail"."org_trail" WHERE eventname = ? AND errorcode IS NOT NULL';

const servers: AthenaServer[] = [];
const clients: AthenaClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: AthenaServerOptions = {}): Promise<{ server: AthenaServer; athena: AthenaClient }> {
  const server = await startAthenaServer(options);
  servers.push(server);
  const athena = new AthenaClient({ region: 'eu-west-1', endpoint: server.url, credentials, maxAttempts: 1 });
  clients.push(athena);
  return { server, athena };
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected a rejection');
}

const start = (athena: AthenaClient, input: Partial<StartQueryExecutionCommandInput> = {}) =>
  athena.send(new StartQueryExecutionCommand({ QueryString: SQL, ExecutionParameters: ["'StopLogging'"], ...input }));

async function states(athena: AthenaClient, id: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const answer = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    out.push(answer.QueryExecution?.Status?.State ?? '?');
  }
  return out;
}

describe('a query through the real SDK', () => {
  test('StartQueryExecution keeps the statement and its context; the query walks QUEUED → RUNNING → SUCCEEDED', async () => {
    const { server, athena } = await serve({ queuedPolls: 1, runningPolls: 2 });
    const { QueryExecutionId: id } = await start(athena, {
      QueryExecutionContext: { Database: 'cloudtrail', Catalog: 'AwsDataCatalog' },
      WorkGroup: 'primary',
      ResultConfiguration: { OutputLocation: 's3://results/trailbot/' },
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.queries[0]).toMatchObject({
      sql: SQL,
      parameters: ["'StopLogging'"],
      database: 'cloudtrail',
      catalog: 'AwsDataCatalog',
      workgroup: 'primary',
      outputLocation: 's3://results/trailbot/',
    });
    expect(await states(athena, id ?? '', 5)).toEqual(['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED', 'SUCCEEDED']);
    expect(server.calls.map((c) => c.region)).toEqual(Array(6).fill('eu-west-1'));
  });

  test('results page by MaxResults with the header row first; NextToken belongs to its query', async () => {
    const columns = ['eventid', 'eventname'];
    const rows = Array.from({ length: 5 }, (_, i) => [`e-${i}`, i === 2 ? null : 'StopLogging']);
    const { server, athena } = await serve({ queuedPolls: 0, runningPolls: 0, results: () => ({ columns, rows }) });
    const { QueryExecutionId: id = '' } = await start(athena);
    await states(athena, id, 1);
    const pages: GetQueryResultsCommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: 2,
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      );
      pages.push(page);
      token = page.NextToken;
    } while (token !== undefined);
    const values = pages.flatMap((p) =>
      (p.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null)),
    );
    expect(values).toEqual([columns, ...rows]);
    expect(pages.map((p) => p.ResultSet?.Rows?.length)).toEqual([2, 2, 2]);
    expect(pages[0]?.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name)).toEqual(columns);
    expect(server.calls.filter((c) => c.operation === 'GetQueryResults').map((c) => c.rows)).toEqual([1, 2, 2]);

    const other = await start(athena);
    await states(athena, other.QueryExecutionId ?? '', 1);
    const first = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1 }));
    expect(
      await rejection(
        athena.send(
          new GetQueryResultsCommand({ QueryExecutionId: other.QueryExecutionId, NextToken: first.NextToken }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidRequestException' });
  });

  test('results before the query ended, MaxResults past 1000 and unknown ids are refused', async () => {
    const { athena } = await serve({ queuedPolls: 5 });
    const { QueryExecutionId: id } = await start(athena);
    expect(await rejection(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id })))).toEqual({
      name: 'InvalidRequestException',
      message: 'Query has not yet finished. Current state: QUEUED',
    });
    expect(
      (await rejection(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 })))).name,
    ).toBe('InvalidRequestException');
    expect((await rejection(athena.send(new GetQueryExecutionCommand({ QueryExecutionId: 'nope' })))).name).toBe(
      'InvalidRequestException',
    );
  });

  test('FAILED and CANCELLED carry their reason; StopQueryExecution cancels a running query', async () => {
    const failing = await serve({ outcome: { state: 'FAILED', reason: 'COLUMN_NOT_FOUND: line 1:8: no' } });
    const failed = await start(failing.athena);
    const ended = await failing.athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: failed.QueryExecutionId }),
    );
    expect(ended.QueryExecution?.Status?.State).toBe('QUEUED');
    await states(failing.athena, failed.QueryExecutionId ?? '', 2);
    const status = (
      await failing.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: failed.QueryExecutionId }))
    ).QueryExecution?.Status;
    expect(status).toMatchObject({ State: 'FAILED', StateChangeReason: 'COLUMN_NOT_FOUND: line 1:8: no' });

    const slow = await serve({ runningPolls: Number.POSITIVE_INFINITY });
    const { QueryExecutionId: id = '' } = await start(slow.athena);
    expect(await states(slow.athena, id, 3)).toEqual(['QUEUED', 'RUNNING', 'RUNNING']);
    await slow.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    expect(await states(slow.athena, id, 1)).toEqual(['CANCELLED']);
    expect(slow.server.queries[0]).toMatchObject({ stopped: true, reason: 'Query cancelled by user' });
  });

  test('Athena’s own refusals: no output location anywhere, an unknown workgroup, an empty parameter list, denial', async () => {
    const { athena } = await serve({ workgroupOutput: false, denied: ['StopQueryExecution'] });
    expect(await rejection(start(athena))).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('No output location provided'),
    });
    expect(
      (await rejection(start(athena, { WorkGroup: 'nope', ResultConfiguration: { OutputLocation: 's3://r/' } })))
        .message,
    ).toBe('WorkGroup nope is not found.');
    expect(
      (await rejection(start(athena, { ExecutionParameters: [], ResultConfiguration: { OutputLocation: 's3://r/' } })))
        .name,
    ).toBe('InvalidRequestException');
    const { QueryExecutionId: id } = await start(athena, { ResultConfiguration: { OutputLocation: 's3://r/' } });
    expect(await rejection(athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })))).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('athena:StopQueryExecution'),
    });
  });

  test('a statement whose parameters do not fit its placeholders FAILS, as Athena’s would', async () => {
    const { athena } = await serve({ queuedPolls: 0, runningPolls: 0 });
    const wrong = await start(athena, { ExecutionParameters: ["'a'", "'b'"] });
    const unquoted = await start(athena, { ExecutionParameters: ['StopLogging'] });
    for (const { QueryExecutionId: id } of [wrong, unquoted]) {
      const status = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status;
      expect(status?.State).toBe('FAILED');
    }
  });
});

describe('the statement checks', () => {
  test('placeholders are counted outside literals, quoted names and comments', () => {
    expect(countPlaceholders("SELECT '?' , \"a?\" FROM t WHERE a = ? AND b = '''?''' -- ?\n AND c = ?")).toBe(2);
    expect(parameterProblem('a = ? AND b = ?', ["'x'", "'it''s'"])).toBeNull();
    expect(parameterProblem('a = ?', ["'x'", "'y'"])).toMatch(/expected 1 but found 2/);
    expect(parameterProblem('a = ?', ["'x' OR 1=1 --"])).toMatch(/not a string literal/);
  });

  test('records become the rows of a SELECT list, structs as lower-case JSON, absent values as NULL', () => {
    const { columns, rows } = athenaRowsOf(
      [
        {
          eventID: 'e-1',
          readOnly: false,
          userIdentity: {
            type: 'IAMUser',
            userName: 'alice',
            sessionContext: { attributes: { mfaAuthenticated: 'true' } },
          },
          requestParameters: { instanceId: 'i-1' },
        },
      ],
      ['eventid', 'readonly', 'useridentity', 'requestparameters', 'responseelements'],
    );
    expect(columns).toEqual(['eventid', 'readonly', 'useridentity', 'requestparameters', 'responseelements']);
    const [row] = rows;
    expect(row?.slice(0, 2)).toEqual(['e-1', 'false']);
    expect(JSON.parse(row?.[2] ?? 'null')).toMatchObject({
      type: 'IAMUser',
      username: 'alice',
      invokedby: null,
      sessioncontext: { attributes: { mfaauthenticated: 'true', creationdate: null }, sessionissuer: null },
    });
    expect(row?.slice(3)).toEqual(['{"instanceId":"i-1"}', null]);
  });
});

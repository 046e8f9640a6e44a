/**
 * The Athena source driving the real AWS SDK against the loopback Athena (test/loopback/athena-server.ts), which
 * plays the engine with rows built from real corpus records. Answers over Athena equal answers over the same records
 * read from trail files; failures are one line; an abandoned query is stopped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Answer } from '../../src/core/answer.js';
import { SELECTED_COLUMNS } from '../../src/core/athena/athena-sql.js';
import { parseTrailQuery } from '../../src/core/query/parse-trail-query.js';
import type { AnswerJson } from '../../src/core/render/render-json.js';
import type { TrailQuery } from '../../src/core/trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import { type AthenaSourceOptions, createAthenaSource } from '../../src/outbound/event-sources/athena-source.js';
import { createFilesSource } from '../../src/outbound/event-sources/files-source.js';
import { openSource, parseAthenaSpec } from '../../src/outbound/event-sources/open-source.js';
import type { EventSource, ScanRequest } from '../../src/ports.js';
import { loadCorpus } from '../helpers/corpora.js';
import { aQuery } from '../helpers/records.js';
import { type CliResult, runCliProcess } from '../helpers/run-cli-process.js';
import { failureOf, type Rec, type Scanned, scanSource } from '../helpers/scan-source.js';
import {
  type AthenaQuery,
  type AthenaServer,
  type AthenaServerOptions,
  athenaRowsOf,
  startAthenaServer,
} from '../loopback/athena-server.js';

const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const COLUMNS = SELECTED_COLUMNS.map((c) => c.name);
/** Three years after the corpora were recorded: far past LookupEvents' 90 days. */
const NOW = new Date('2026-08-01T00:00:00Z');
const FAST = { firstMs: 1, maxMs: 4 };

const invictus = loadCorpus('invictus').map((entry) => entry.record as Rec);
const stratus = loadCorpus('stratus').map((entry) => entry.record as Rec);
const newestFirst = (records: readonly Rec[]): Rec[] =>
  [...records].sort((a, b) => String(b.eventTime).localeCompare(String(a.eventTime)));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'trailbot-athena-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const servers: AthenaServer[] = [];
const clients: AthenaClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback Athena whose queries return `records` (as the SELECT list's rows), and a source reading it. */
async function athena(
  records: readonly Rec[],
  options: AthenaServerOptions = {},
  source: Partial<AthenaSourceOptions> = {},
): Promise<{ server: AthenaServer; source: EventSource }> {
  const server = await startAthenaServer({ results: () => athenaRowsOf(newestFirst(records), COLUMNS), ...options });
  servers.push(server);
  const client = new AthenaClient({ region: 'eu-west-1', endpoint: server.url, credentials, maxAttempts: 1 });
  clients.push(client);
  return {
    server,
    source: createAthenaSource({
      database: 'cloudtrail',
      table: 'org_trail',
      client,
      polling: FAST,
      now: () => NOW,
      ...source,
    }),
  };
}

/**
 * The same records as a trail file, in the order Athena returns them (newest first): an actor seen with two ARNs
 * (Stratus scrambles them) is summarized with the first one read, whatever the source.
 */
function filesSource(name: string, records: readonly Rec[]): EventSource {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify({ Records: newestFirst(records) }));
  return createFilesSource(path);
}

function parsed(text: string): TrailQuery {
  const result = parseTrailQuery(text);
  if (result.kind !== 'query') throw new Error(`not a query: ${text}`);
  return result.query;
}

const scan = (source: EventSource, request: Partial<Omit<ScanRequest, 'onProblem'>> = {}): Promise<Scanned> =>
  scanSource(source, { from: new Date('2023-07-01T00:00:00Z'), to: new Date('2023-07-31T00:00:00Z'), ...request });

const ask = (source: EventSource, text: string): Promise<Answer> =>
  answerQuery({ source, now: NOW }, parsed(text), { events: Number.POSITIVE_INFINITY, defaultRegions: null });

/** What an answer says, without where it came from or how much was read. */
const gist = (a: Answer) => ({
  matched: a.matched,
  span: a.span,
  events: a.events,
  actors: a.actors,
  timeline: a.timeline,
  transitions: a.transitions,
  failures: a.failures,
  complete: a.complete,
  rules: a.rules,
});

describe('answers over Athena are the answers over the trail files', () => {
  const corpora = { invictus, stratus };
  test.each<[keyof typeof corpora, string]>([
    ['invictus', 'who sg-04cfb7a4712d75b00 from 2023-07-01 to 2023-07-31'],
    ['invictus', 'errors from 2023-07-10 to 2023-07-11'],
    ['invictus', 'user bert-jan from 2023-07-01 to 2023-07-31'],
    ['invictus', 'match { $.eventName = "AuthorizeSecurityGroupIngress" } from 2023-07-01 to 2023-07-31'],
    ['stratus', 'who sg-003dc7f1f1c686164 from 2024-01-01 to 2024-12-31'],
    ['stratus', 'errors from 2024-01-01 to 2024-12-31 in all'],
    ['invictus', 'scan from 2023-07-01 to 2023-07-31'],
    ['invictus', 'ip 10.8.0.0/16 from 2023-07-01 to 2023-07-31 in all'],
    ['stratus', 'ip 18.236.253.47 from 2024-01-01 to 2024-12-31 in all'],
  ])('%s: %s', async (name, text) => {
    const records = corpora[name];
    const { server, source } = await athena(records);
    const overAthena = await ask(source, text);
    const overFiles = await ask(filesSource(name, records), text);
    expect(overAthena.matched).toBeGreaterThan(0);
    expect(gist(overAthena)).toEqual(gist(overFiles));
    expect(overAthena.source).toBe('athena:cloudtrail.org_trail');
    expect(overAthena.notes).toEqual([]);
    // One query, with the window's days for pruning and nothing of the question in its text.
    expect(server.queries).toHaveLength(1);
    const [query] = server.queries as [AthenaQuery];
    expect(query.sql).toMatch(/\nWHERE "timestamp" BETWEEN '\d{4}\/\d\d\/\d\d' AND '\d{4}\/\d\d\/\d\d'\n/);
    expect(query.sql).not.toMatch(/sg-0|bert-jan|AuthorizeSecurityGroupIngress|10\.8\.|18\.236/);
    expect(query.database).toBe('cloudtrail');
  });

  test('a window three years back is read as asked: no 90-day clip, no note', async () => {
    const { server, source } = await athena(invictus);
    const answer = await ask(source, 'who sg-04cfb7a4712d75b00 from 2023-07-10 to 2023-07-11');
    expect(answer.matched).toBe(15);
    expect(answer.complete).toBe(true);
    expect(server.queries[0]?.sql).toContain(`"timestamp" BETWEEN '2023/07/10' AND '2023/07/12'`);
    expect(server.queries[0]?.parameters.slice(0, 2)).toEqual(["'2023-07-10T00:00:00'", "'2023-07-12T00:00:00'"]);
  });

  test('the answer reads the regions a live source reads: us-east-1 joins a user question', async () => {
    const { server, source } = await athena(invictus);
    await answerQuery({ source, now: NOW }, parsed('user bert-jan since 2d'), {
      events: 0,
      defaultRegions: ['eu-west-1'],
    });
    expect(server.queries[0]?.sql).toContain(`region IN ('eu-west-1', 'us-east-1')`);
  });
});

describe('reading the results', () => {
  const many = Array.from({ length: 2500 }, (_, i) => ({
    ...(invictus[i % invictus.length] as Rec),
    eventID: `row-${String(i).padStart(4, '0')}`,
    eventTime: new Date(Date.parse('2023-07-20T00:00:00Z') - i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));

  test('pages with NextToken, 1,000 rows a page, the header skipped: one batch a page', async () => {
    const { server, source } = await athena(many, { queuedPolls: 2, runningPolls: 3 });
    const scanned = await scan(source);
    expect(scanned.records.map((r) => r.eventID)).toEqual(newestFirst(many).map((r) => r.eventID));
    // Empty batches while the query runs (a consumer may stop there), then 999 + 1000 + 501 rows.
    expect(scanned.batches.filter((n) => n > 0)).toEqual([999, 1000, 501]);
    const pages = server.calls.filter((c) => c.operation === 'GetQueryResults');
    expect(pages.map((c) => [c.maxResults, c.nextToken, c.rows])).toEqual([
      [1000, false, 999],
      [1000, true, 1000],
      [1000, true, 501],
    ]);
    expect(server.calls.filter((c) => c.operation === 'GetQueryExecution')).toHaveLength(6);
    expect(scanned.problems).toEqual([]);
  });

  test('past maxRows the answer keeps the newest rows and says how to narrow', async () => {
    const { server, source } = await athena(many, {}, { maxRows: 1500 });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(1500);
    expect(server.queries[0]?.sql).toMatch(/\nLIMIT 1501$/);
    expect(scanned.problems).toEqual([
      {
        where: 'athena:cloudtrail.org_trail',
        message:
          'stopped at 1,500 events, the newest (back to 2023-07-19T23:35:01Z); narrow the question with since, from … to, in <region>, account <id>, or who, user, event or ip',
      },
    ]);
  });

  test('a request without a start reads the 7 days before its end, and says so', async () => {
    const { server, source } = await athena([]);
    const scanned = await scan(source, { from: null, to: new Date('2026-07-31T12:00:00Z') });
    expect(server.queries[0]?.sql).toContain(`"timestamp" BETWEEN '2026/07/24' AND '2026/08/01'`);
    expect(scanned.problems.map((p) => p.message)).toEqual([
      'no start was given, so the 7 days to 2026-07-31 12:00 UTC were read (Athena bills each question by the days it reads); ask with since or from … to for another window',
    ]);
  });

  test('settings reach StartQueryExecution: database, catalog, workgroup, output location, parameters', async () => {
    const { server, source } = await athena(
      [],
      { workgroups: ['trailbot'], workgroupOutput: false },
      {
        workgroup: 'trailbot',
        outputLocation: 's3://results/trailbot/',
        catalog: 'AwsDataCatalog',
      },
    );
    await scan(source, { query: parsed("who it's-a-name") });
    expect(server.queries[0]).toMatchObject({
      database: 'cloudtrail',
      catalog: 'AwsDataCatalog',
      workgroup: 'trailbot',
      outputLocation: 's3://results/trailbot/',
      parameters: [
        "'2023-07-01T00:00:00'",
        "'2023-07-31T00:00:01'",
        "'it''s-a-name'",
        "'it''s-a-name'",
        "'it''s-a-name'",
      ],
      state: 'SUCCEEDED',
    });
  });

  test('Athena engine version 2 (structs without names) is named, with the fix', async () => {
    const { source } = await athena([], {
      results: () => ({ columns: ['eventid', 'useridentity'], rows: [['e-1', '["IAMUser","AIDA"]']] }),
    });
    const scanned = await scan(source);
    expect(scanned.records).toEqual([{ eventID: 'e-1' }]);
    expect(scanned.problems.map((p) => p.message)).toEqual([
      'the workgroup runs Athena engine version 2, which returns structs without field names, so callers and resources were left out: switch the workgroup to engine version 3',
    ]);
  });
});

describe('failures: one line each, and no query left running', () => {
  test.each<[string, NonNullable<AthenaServerOptions['outcome']>, string]>([
    [
      'FAILED, with what to fix',
      {
        state: 'FAILED',
        reason: "COLUMN_NOT_FOUND: line 1:8: Column 'sessioncredentialfromconsole' cannot be resolved\n",
      },
      'athena:cloudtrail.org_trail: the query failed: COLUMN_NOT_FOUND: line 1:8: Column \'sessioncredentialfromconsole\' cannot be resolved; the table lacks a column Trailbot reads: create it with the DDL in the README, "Athena: the long history"',
    ],
    [
      'FAILED, a missing table',
      {
        state: 'FAILED',
        reason: 'TABLE_NOT_FOUND: line 1:1: Table awsdatacatalog.cloudtrail.org_trail does not exist',
      },
      'athena:cloudtrail.org_trail: the query failed: TABLE_NOT_FOUND: line 1:1: Table awsdatacatalog.cloudtrail.org_trail does not exist; check DATABASE.TABLE in --source athena:DATABASE.TABLE',
    ],
    [
      'CANCELLED',
      { state: 'CANCELLED', reason: 'Query cancelled by an administrator' },
      'athena:cloudtrail.org_trail: the query was cancelled: Query cancelled by an administrator',
    ],
  ])('%s', async (_, outcome, line) => {
    const { server, source } = await athena(invictus, { outcome });
    const error = await failureOf(scan(source));
    expect(error.message).toBe(line);
    expect(error.message).not.toContain('\n');
    expect(error.code).toBe('source_failed');
    expect(error.fault).toBe('upstream');
    expect(server.calls.some((c) => c.operation === 'StopQueryExecution')).toBe(false);
  });

  test('through answerQuery the failure is the same one line', async () => {
    const { source } = await athena(invictus, { outcome: { state: 'FAILED', reason: 'HIVE_BAD_DATA: oops' } });
    const error = await failureOf(ask(source, 'errors since 2d'));
    expect(error.message).toBe('athena:cloudtrail.org_trail: the query failed: HIVE_BAD_DATA: oops');
  });

  test.each<[string, AthenaServerOptions, Partial<AthenaSourceOptions>, string]>([
    [
      'access denied',
      { denied: ['StartQueryExecution'] },
      {},
      'athena:cloudtrail.org_trail: athena:StartQueryExecution is not allowed for arn:aws:iam::123456789012:user/x: grant the permissions in the README, "Athena: the long history"',
    ],
    [
      'no output location',
      { workgroupOutput: false },
      {},
      'athena:cloudtrail.org_trail: Athena refused StartQueryExecution: No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.; add output=s3://BUCKET/PREFIX/ to the athena: spec, or give workgroup primary a query result location',
    ],
    [
      'an unknown workgroup',
      {},
      { workgroup: 'nope' },
      'athena:cloudtrail.org_trail: Athena refused StartQueryExecution: WorkGroup nope is not found.; fix workgroup= in the athena: spec',
    ],
  ])('%s', async (_, server, options, line) => {
    const { source } = await athena(invictus, server, options);
    expect((await failureOf(scan(source))).message).toBe(line);
  });

  test('nothing listening: cannot reach Athena, one line', async () => {
    const client = new AthenaClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials,
      maxAttempts: 1,
    });
    clients.push(client);
    const source = createAthenaSource({ database: 'cloudtrail', table: 'org_trail', client, polling: FAST });
    expect((await failureOf(scan(source))).message).toMatch(
      /^athena:cloudtrail\.org_trail: cannot reach Athena \(ECONNREFUSED\): check the network, the proxy, region= or AWS_ENDPOINT_URL_ATHENA$/,
    );
  });

  test('a consumer that stops while the query runs stops the query', async () => {
    const { server, source } = await athena(invictus, { runningPolls: Number.POSITIVE_INFINITY });
    const request: ScanRequest = {
      query: aQuery(),
      from: new Date('2023-07-01T00:00:00Z'),
      to: NOW,
      regions: null,
      onProblem: () => {},
    };
    let polls = 0;
    for await (const batch of source.scan(request)) {
      expect(batch).toEqual([]);
      polls += 1;
      if (polls === 3) break;
    }
    expect(server.queries[0]).toMatchObject({ stopped: true, state: 'CANCELLED' });
    expect(server.calls.at(-1)?.operation).toBe('StopQueryExecution');
  });

  test('a query still running at the timeout is stopped, and the question fails saying how to narrow', async () => {
    const { server, source } = await athena(
      invictus,
      { runningPolls: Number.POSITIVE_INFINITY },
      {
        polling: { firstMs: 1, maxMs: 2, timeoutMs: 30 },
      },
    );
    const error = await failureOf(scan(source));
    expect(error.message).toBe(
      'athena:cloudtrail.org_trail: the query was still running after 1 second and was stopped; narrow the question (since, from … to, in <region>, account <id>)',
    );
    expect(server.queries[0]).toMatchObject({ stopped: true });
  });
});

describe('--source athena:DATABASE.TABLE', () => {
  test('the spec and its settings', () => {
    expect(parseAthenaSpec('athena:cloudtrail.org_trail')).toEqual({ database: 'cloudtrail', table: 'org_trail' });
    expect(
      parseAthenaSpec(
        'athena:cloudtrail.org_trail?workgroup=trailbot&output=s3://my-results/trailbot/&catalog=AwsDataCatalog&region=ap-northeast-1',
        { workgroup: 'from-config', region: 'eu-west-1' },
      ),
    ).toEqual({
      database: 'cloudtrail',
      table: 'org_trail',
      workgroup: 'trailbot',
      outputLocation: 's3://my-results/trailbot/',
      catalog: 'AwsDataCatalog',
      region: 'ap-northeast-1',
    });
  });

  test.each<[string, RegExp]>([
    ['athena:', /needs DATABASE\.TABLE/],
    ['athena:org_trail', /needs DATABASE\.TABLE/],
    ['athena:db.t"; DROP TABLE x; --', /needs DATABASE\.TABLE/],
    ['athena:a.b.c', /needs DATABASE\.TABLE/],
    ['athena:db.t?bucket=x', /unknown setting "bucket"; use workgroup, output, catalog or region/],
    ['athena:db.t?output=https://example.com/', /output= must be an S3 location/],
    ['athena:db.t?region=tokyo', /region "tokyo" is not a region code/],
    ['athena:db.t?workgroup=', /workgroup= needs a value/],
  ])('%s is a usage error', async (spec, message) => {
    const error = await failureOf(openSource(spec));
    expect(error.code).toBe('source_invalid');
    expect(error.fault).toBe('user');
    expect(error.message).toMatch(message);
  });

  test('openSource opens a live source labelled with its table', async () => {
    const source = await openSource('athena:cloudtrail.org_trail?region=eu-west-1');
    expect([source.kind, source.label]).toEqual(['live', 'athena:cloudtrail.org_trail']);
  });
});

describe('trailbot --source athena: as a process, through AWS_ENDPOINT_URL_ATHENA', () => {
  function run(server: AthenaServer, args: string[]): Promise<CliResult> {
    return runCliProcess(args, {
      HOME: root,
      AWS_ENDPOINT_URL_ATHENA: server.url,
      AWS_ACCESS_KEY_ID: 'AKIALOOPBACKEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'loopback-secret-key-not-real',
      AWS_REGION: 'eu-west-1',
    });
  }

  test('an answer, exit 0; a failed query, exit 1 and one line', async () => {
    const { server } = await athena(invictus);
    const spec = 'athena:cloudtrail.org_trail?workgroup=primary';
    const r = await run(server, [
      'who',
      'sg-04cfb7a4712d75b00',
      'from',
      '2023-07-10',
      'to',
      '2023-07-11',
      'in',
      'all',
      '--source',
      spec,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.source).toBe('athena:cloudtrail.org_trail');
    expect(answer.events).toHaveLength(15);
    expect(server.calls[0]).toMatchObject({ operation: 'StartQueryExecution', region: 'eu-west-1' });

    const failing = await athena(invictus, { outcome: { state: 'FAILED', reason: 'HIVE_BAD_DATA: oops' } });
    const f = await run(failing.server, ['errors', 'since', '2d', '--source', spec]);
    expect(f.code).toBe(1);
    expect(f.stdout).toBe('');
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    expect(f.stderr).toContain('athena:cloudtrail.org_trail: the query failed: HIVE_BAD_DATA: oops');
  }, 60_000);
});

/**
 * The accounts fan-out driving the real AWS SDK (STS and CloudTrail) against the loopback STS and CloudTrail, which
 * hold three accounts' event history and enforce AWS's limits per account and region. Which account a call read is
 * the server's word (the access key STS issued names it); pacing is checked through the server's throttle counts.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { AccountSettings } from '../../src/core/accounts.js';
import { renderBlocks } from '../../src/core/render/render-blocks.js';
import { toAnswerJson } from '../../src/core/render/render-json.js';
import { renderText } from '../../src/core/render/render-text.js';
import type { TrailQuery } from '../../src/core/trail-query.js';
import { answerQuery } from '../../src/flows/answer-query.js';
import {
  type AccountsSourceOptions,
  assumeRoleProblem,
  createAccountsSource,
  summarizeAccountFailures,
} from '../../src/outbound/event-sources/accounts-source.js';
import { openSource } from '../../src/outbound/event-sources/open-source.js';
import type { EventSource, ScanRequest } from '../../src/ports.js';
import { loadCorpus } from '../helpers/corpora.js';
import { aQuery } from '../helpers/records.js';
import { failureOf, placedCopies, type Rec, type Scanned, scanSource } from '../helpers/scan-source.js';
import { type CloudTrailServer, startCloudTrailServer } from '../loopback/cloudtrail-server.js';
import { type StsServer, type StsServerOptions, startStsServer } from '../loopback/sts-server.js';

const bot = { accessKeyId: 'AKIDTRAILBOTLOOPBACK', secretAccessKey: 'loopback-secret-not-a-real-one' };
const NOW = new Date();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const REGIONS = ['eu-west-1', 'us-west-2'];
const FAST = { ratePerSecond: 500, burst: 1 };
const role = (id: string): string => `arn:aws:iam::${id}:role/TrailbotReadOnly`;
const ACCOUNTS: AccountSettings[] = [
  { id: '111111111111', alias: 'prod', roleArn: role('111111111111'), regions: null, externalId: null },
  { id: '222222222222', alias: 'dev', roleArn: role('222222222222'), regions: null, externalId: null },
  { id: '333333333333', alias: null, roleArn: role('333333333333'), regions: null, externalId: 'ops-7f3a' },
];
const IDS = ACCOUNTS.map((a) => a.id);

const corpus = loadCorpus('invictus').map((entry) => entry.record as Rec);

/** `n` corpus records in `account`'s `region`, a minute apart from an hour ago, ids unique, the account theirs. */
function placed(account: string, region: string, n: number): Rec[] {
  return placedCopies(corpus, n, {
    region,
    newest: NOW.getTime() - HOUR,
    stepMs: 60_000,
    id: (i) => `${account}-${region}-${String(i).padStart(4, '0')}`,
    extra: { recipientAccountId: account },
  });
}

/** Every account × region with `n` records each. */
function histories(n: number, regions: readonly string[] = REGIONS): Record<string, Record<string, Rec[]>> {
  return Object.fromEntries(IDS.map((id) => [id, Object.fromEntries(regions.map((r) => [r, placed(id, r, n)]))]));
}

interface Rig {
  sts: StsServer;
  ct: CloudTrailServer;
  source: EventSource;
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function rig(
  options: {
    sts?: StsServerOptions;
    records?: Record<string, Record<string, Rec[]>>;
    rate?: { ratePerSecond: number; burst: number };
    denied?: string[];
    accounts?: AccountSettings[];
    source?: Partial<AccountsSourceOptions>;
  } = {},
): Promise<Rig> {
  const sts = await startStsServer({ externalIds: { [role('333333333333')]: 'ops-7f3a' }, ...options.sts });
  closers.push(() => sts.close());
  const ct = await startCloudTrailServer({
    recordsByAccount: options.records ?? histories(10),
    ...(options.rate ?? { ratePerSecond: 1000, burst: 1000 }),
    denied: options.denied ?? [],
  });
  closers.push(() => ct.close());
  const stsClient = new STSClient({ region: 'us-east-1', endpoint: sts.url, credentials: bot });
  closers.push(() => stsClient.destroy());
  const source = createAccountsSource({
    accounts: options.accounts ?? ACCOUNTS,
    regions: REGIONS,
    sts: stsClient,
    sessionName: 'trailbot-test',
    clientFor: (region, credentials) => {
      const client = new CloudTrailClient({ region, endpoint: ct.url, credentials, maxAttempts: 1 });
      closers.push(() => client.destroy());
      return client;
    },
    backoff: { baseMs: 5, maxMs: 40 },
    ...FAST,
    ...options.source,
  });
  return { sts, ct, source };
}

const scan = (source: EventSource, request: Partial<Omit<ScanRequest, 'onProblem'>> = {}): Promise<Scanned> =>
  scanSource(source, { from: new Date(NOW.getTime() - 30 * DAY), to: NOW, ...request });

const ask = (source: EventSource, query: Partial<TrailQuery> = {}, now: Date = NOW) =>
  answerQuery({ source, now }, aQuery({ window: { kind: 'since', ms: 7 * DAY, text: '7d' }, ...query }), {
    events: Number.POSITIVE_INFINITY,
    defaultRegions: REGIONS,
  });

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

describe('every account of the map, through its role', () => {
  test("3 accounts × 2 regions: each account's events, with its accountId, read with its own credentials", async () => {
    const { sts, ct, source } = await rig({ records: histories(60) });
    const scanned = await scan(source);
    expect(scanned.problems).toEqual([]);
    expect(countBy(scanned.records, (r) => `${r.recipientAccountId}/${r.awsRegion}`)).toEqual(
      Object.fromEntries(IDS.flatMap((id) => REGIONS.map((r) => [`${id}/${r}`, 60]))),
    );
    // The server's word on whose history each call read: the key STS issued for that account's role.
    expect(ct.calls.every((c) => c.outcome === 'ok' && c.accessKeyId.startsWith(`ASIA${c.account}`))).toBe(true);
    expect(countBy(ct.calls, (c) => `${c.account}/${c.region}`)).toEqual(
      Object.fromEntries(IDS.flatMap((id) => REGIONS.map((r) => [`${id}/${r}`, 2]))),
    );
    expect(sts.calls.map((c) => [c.account, c.sessionName, c.durationSeconds, c.externalId, c.accessKeyId])).toEqual(
      expect.arrayContaining([
        ['111111111111', 'trailbot-test', 3600, null, bot.accessKeyId],
        ['222222222222', 'trailbot-test', 3600, null, bot.accessKeyId],
        ['333333333333', 'trailbot-test', 3600, 'ops-7f3a', bot.accessKeyId],
      ]),
    );
    expect(sts.calls).toHaveLength(3);
  });

  test('one AssumeRole per account, kept across two questions', async () => {
    const { sts, ct, source } = await rig();
    await ask(source);
    await ask(source);
    expect(IDS.map((id) => sts.assumeCalls(id))).toEqual([1, 1, 1]);
    // The second question signed with the same keys as the first.
    expect(new Set(ct.calls.map((c) => c.accessKeyId)).size).toBe(3);
  });

  test('credentials are fetched again 5 minutes before they expire, and the calls then sign with the new ones', async () => {
    let now = NOW;
    // STS and the source read one clock: the credentials live 10 minutes from when STS issued them.
    const clock = () => now;
    const { sts, ct, source } = await rig({ sts: { lifetimeSeconds: 600, now: clock }, source: { now: clock } });
    await ask(source, {}, now);
    const first = ct.calls.length;
    now = new Date(NOW.getTime() + 4 * 60_000); // 6 minutes left: still fresh.
    await ask(source, {}, now);
    expect(IDS.map((id) => sts.assumeCalls(id))).toEqual([1, 1, 1]);
    now = new Date(NOW.getTime() + 6 * 60_000); // 4 minutes left: inside the 5-minute margin.
    await ask(source, {}, now);
    expect(IDS.map((id) => sts.assumeCalls(id))).toEqual([2, 2, 2]);
    const second = new Set(sts.calls.slice(3).map((c) => c.issued));
    const later = ct.calls.slice(first * 2);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((c) => second.has(c.accessKeyId))).toBe(true);
  });

  test('the answer names its accounts: JSON lists them, text says which account each actor is in', async () => {
    const { source } = await rig();
    const answer = await ask(source);
    expect(answer.complete).toBe(true);
    expect(answer.matched).toBe(IDS.length * REGIONS.length * 10);
    expect(new Set(answer.events.map((e) => e.accountId))).toEqual(new Set(IDS));
    expect(toAnswerJson(answer).accounts).toEqual([
      { id: '111111111111', alias: 'prod' },
      { id: '222222222222', alias: 'dev' },
      { id: '333333333333', alias: null },
    ]);
    // The same person in two accounts is two actors.
    const actors = answer.actors.filter((a) => a.display === answer.actors[0]?.display);
    expect(new Set(actors.map((a) => a.accountId))).toEqual(new Set(IDS));
    const text = renderText(answer);
    expect(text).toContain('accounts prod (111111111111), dev (222222222222), 333333333333');
    expect(text).toMatch(/\(\w+\) in prod {2}\d+ calls?/);
    expect(JSON.stringify(renderBlocks(answer).blocks)).toContain('accounts prod, dev, 333333333333');
  });

  test('an account with regions of its own reads those when the question has no `in`; `in` wins', async () => {
    const own = ACCOUNTS.map((a) => (a.id === '222222222222' ? { ...a, regions: ['ap-northeast-1'] } : a));
    const { ct, source } = await rig({ records: histories(5, [...REGIONS, 'ap-northeast-1']), accounts: own });
    expect(source.accounts).toBe(own);
    const answer = await ask(source);
    expect(answer.complete).toBe(true);
    expect(countBy(answer.events, (e) => `${e.accountId}/${e.region}`)).toEqual({
      '111111111111/eu-west-1': 5,
      '111111111111/us-west-2': 5,
      '222222222222/ap-northeast-1': 5,
      '333333333333/eu-west-1': 5,
      '333333333333/us-west-2': 5,
    });
    expect(answer.regions.sort()).toEqual(['ap-northeast-1', 'eu-west-1', 'us-west-2']);
    const before = ct.calls.length;
    const named = await ask(source, { regions: ['eu-west-1'], text: 'errors in eu-west-1' });
    expect(new Set(ct.calls.slice(before).map((c) => c.region))).toEqual(new Set(['eu-west-1']));
    expect(named.matched).toBe(3 * 5);
  });
});

describe('one account: `account <id|alias>`', () => {
  test('`account PROD` (any case) reads only that account, with only its credentials', async () => {
    const { sts, ct, source } = await rig();
    const answer = await ask(source, { account: 'PROD', text: 'errors account PROD' });
    expect(answer.accounts).toEqual([{ id: '111111111111', alias: 'prod' }]);
    expect(new Set(answer.events.map((e) => e.accountId))).toEqual(new Set(['111111111111']));
    expect(answer.matched).toBe(REGIONS.length * 10);
    expect(sts.calls.map((c) => c.account)).toEqual(['111111111111']);
    expect(new Set(ct.calls.map((c) => c.account))).toEqual(new Set(['111111111111']));
    expect(renderText(answer)).toContain('account prod (111111111111)');
  });

  test('`account 333333333333` reads that account; an id or alias not in the map is a usage error naming the map', async () => {
    const { sts, source } = await rig();
    const answer = await ask(source, { account: '333333333333' });
    expect(new Set(answer.events.map((e) => e.accountId))).toEqual(new Set(['333333333333']));

    const unknownId = await failureOf(ask(source, { account: '444444444444' }));
    expect(unknownId).toMatchObject({ code: 'usage', fault: 'user' });
    expect(unknownId.message).toBe(
      'account 444444444444 is not in the accounts map (prod (111111111111), dev (222222222222), 333333333333); add it to `accounts:` in TRAILBOT_CONFIG, or ask without `account` to read them all',
    );
    const typo = await failureOf(ask(source, { account: 'prd' }));
    expect(typo.message).toBe(
      'account "prd" is not an alias in the accounts map; did you mean prod? the aliases are dev, prod',
    );
    expect(sts.calls).toHaveLength(1);
  });
});

describe('failures: one line per account, the others answer', () => {
  test('a role that cannot be assumed: one line naming the account and what to fix; the other two answer', async () => {
    const { ct, source } = await rig({ sts: { denied: [role('222222222222')] } });
    const scanned = await scan(source);
    expect(new Set(scanned.records.map((r) => r.recipientAccountId))).toEqual(
      new Set(['111111111111', '333333333333']),
    );
    const line =
      "cannot assume role TrailbotReadOnly (AccessDenied for arn:aws:iam::999999999999:user/trailbot): its trust policy must allow that principal (with the external id, when one is set) and Trailbot's own policy must allow sts:AssumeRole on it (see iam-policy.json and README, Many accounts)";
    expect(scanned.problems).toEqual([{ where: 'dev (222222222222)', message: line }]);
    expect(ct.calls.some((c) => c.account === '222222222222')).toBe(false);

    const answer = await ask(source);
    expect(answer).toMatchObject({ complete: false, notes: [`dev (222222222222): ${line}`] });
    expect(answer.matched).toBe(2 * REGIONS.length * 10);
  });

  test('a wrong external id is refused by the role (AccessDenied), like any other denial', async () => {
    const { source } = await rig({ sts: { externalIds: { [role('333333333333')]: 'something-else' } } });
    const scanned = await scan(source);
    expect(scanned.problems).toEqual([
      { where: '333333333333', message: expect.stringMatching(/^cannot assume role TrailbotReadOnly \(AccessDenied/) },
    ]);
  });

  test('LookupEvents denied in one region of one account: that account and region are named, the rest answer', async () => {
    const { source } = await rig({ denied: ['222222222222/us-west-2'] });
    const scanned = await scan(source);
    expect(scanned.records).toHaveLength(5 * 10);
    expect(scanned.problems).toEqual([
      {
        where: 'dev (222222222222) us-west-2',
        region: 'us-west-2',
        message: expect.stringMatching(/^cloudtrail:LookupEvents is not allowed for .* in us-west-2: grant it/),
      },
    ]);
  });

  test('every role refused: one TrailbotError line, the same fault read once with its accounts', async () => {
    const { source } = await rig({ sts: { denied: ACCOUNTS.map((a) => a.roleArn) } });
    const error = await failureOf(scan(source));
    expect(error).toMatchObject({ code: 'source_failed', fault: 'upstream' });
    expect(error.message).toMatch(
      /^no account answered: prod \(111111111111\), dev \(222222222222\), 333333333333: cannot assume role TrailbotReadOnly \(AccessDenied/,
    );
    expect(error.message).not.toMatch(/\n/);
  });

  test('STS out of reach: named with the variable to check', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(assumeRoleProblem(refused)).toBe(
      'cannot reach STS to assume the role (ECONNREFUSED): check the network, the proxy or AWS_ENDPOINT_URL_STS',
    );
    expect(assumeRoleProblem({ name: 'CredentialsProviderError', message: 'Could not load credentials' })).toMatch(
      /^no AWS credentials: set AWS_PROFILE/,
    );
    expect(summarizeAccountFailures([{ account: { id: '111111111111', alias: 'prod' }, message: 'it broke' }])).toBe(
      'prod (111111111111): it broke',
    );
  });
});

describe('the quota: one bucket per account and region', () => {
  test('3 accounts × 2 regions × 3 pages at 2 requests/s each: no throttle, every page read', async () => {
    // AWS's own quota on the server (2 requests/s per account and region), the source's pacing at the same rate.
    const { ct, source } = await rig({
      records: histories(150),
      rate: { ratePerSecond: 2, burst: 2 },
      source: { ratePerSecond: 2, burst: 1 },
    });
    const scanned = await scan(source);
    expect(scanned.problems).toEqual([]);
    expect(scanned.records).toHaveLength(IDS.length * REGIONS.length * 150);
    expect(ct.calls.filter((c) => c.outcome === 'throttled')).toHaveLength(0);
    expect(ct.calls).toHaveLength(IDS.length * REGIONS.length * 3);
  });

  test('without the buckets the same server throttles: the quota per account and region is real', async () => {
    // Short, many retries: 6 callers per account's 2-token bucket need several rounds each. The default backoff
    // waits up to ~16 s in 6 retries; 6 retries of 100 ms were about 0.6 s, too close to the refill time on a
    // loaded machine (CI saw a page given up).
    const { ct, source } = await rig({
      records: histories(10, ['eu-west-1']),
      rate: { ratePerSecond: 10, burst: 2 },
      source: {
        ratePerSecond: 10_000,
        burst: 10_000,
        backoff: { baseMs: 100, maxMs: 100, retries: 30 },
        regions: ['eu-west-1'],
      },
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => scan(source)));
    expect(results.every((r) => r.records.length === IDS.length * 10)).toBe(true);
    expect(ct.calls.filter((c) => c.outcome === 'throttled').length).toBeGreaterThan(0);
  });
});

describe('wired as the CLI wires it: openSource with the accounts map, the SDK’s endpoints from the environment', () => {
  const saved = { ...process.env };
  let sts: StsServer;
  let ct: CloudTrailServer;
  beforeAll(async () => {
    sts = await startStsServer({ externalIds: { [role('333333333333')]: 'ops-7f3a' } });
    ct = await startCloudTrailServer({ recordsByAccount: histories(3), ratePerSecond: 1000, burst: 1000 });
  });
  afterAll(async () => {
    await Promise.all([sts.close(), ct.close()]);
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDTRAIL reach the loopback servers', async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: '/nonexistent/trailbot-test/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trailbot-test/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_CLOUDTRAIL: ct.url,
      AWS_ACCESS_KEY_ID: bot.accessKeyId,
      AWS_SECRET_ACCESS_KEY: bot.secretAccessKey,
    });
    const source = await openSource('lookup', { regions: REGIONS, accounts: ACCOUNTS });
    expect(source.accounts).toEqual(ACCOUNTS);
    const scanned = await scan(source);
    expect(scanned.problems).toEqual([]);
    expect(scanned.records).toHaveLength(IDS.length * REGIONS.length * 3);
    expect(sts.calls.map((c) => c.accessKeyId)).toEqual([bot.accessKeyId, bot.accessKeyId, bot.accessKeyId]);
    expect(sts.calls.every((c) => /^trailbot-/.test(c.sessionName ?? ''))).toBe(true);
  });
});

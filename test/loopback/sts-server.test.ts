/**
 * The loopback STS answers the real SDK as AssumeRole does and refuses what AWS would refuse; the loopback CloudTrail
 * holding several accounts reads the account of the key STS issued, and keeps the quota per account and region.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startCloudTrailServer } from './cloudtrail-server.js';
import { type StsServer, startStsServer } from './sts-server.js';

const bot = { accessKeyId: 'AKIDTRAILBOTLOOPBACK', secretAccessKey: 'loopback-secret-not-a-real-one' };
const ROLE = 'arn:aws:iam::111111111111:role/TrailbotReadOnly';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function sts(
  options: Parameters<typeof startStsServer>[0] = {},
): Promise<{ server: StsServer; client: STSClient }> {
  const server = await startStsServer(options);
  const client = new STSClient({ region: 'us-east-1', endpoint: server.url, credentials: bot, maxAttempts: 1 });
  closers.push(
    () => server.close(),
    () => client.destroy(),
  );
  return { server, client };
}

const assume = (client: STSClient, input: Partial<AssumeRoleCommandInput> = {}) =>
  client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'trailbot-test', ...input }));

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected a rejection');
}

describe('AssumeRole', () => {
  test('issues credentials whose key names the account, expiring after the duration asked (or the lifetime set)', async () => {
    const now = new Date('2026-05-01T00:00:00Z');
    const { server, client } = await sts({ now: () => now });
    const out = await assume(client, { DurationSeconds: 1800 });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA111111111111[0-9A-F]{4}$/);
    expect(out.Credentials?.Expiration).toEqual(new Date('2026-05-01T00:30:00Z'));
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111111111111:assumed-role/TrailbotReadOnly/trailbot-test');
    expect(server.calls[0]).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: bot.accessKeyId,
      region: 'us-east-1',
      account: '111111111111',
      durationSeconds: 1800,
      status: 200,
      issued: out.Credentials?.AccessKeyId,
    });
    expect(server.assumeCalls('111111111111')).toBe(1);

    const short = await sts({ lifetimeSeconds: 60, now: () => now });
    const brief = await assume(short.client);
    expect(brief.Credentials?.Expiration).toEqual(new Date('2026-05-01T00:01:00Z'));
  });

  test('a denied role, a missing or wrong external id: AccessDenied (403) naming the caller and the role', async () => {
    const { client } = await sts({
      denied: [ROLE],
      externalIds: { 'arn:aws:iam::222222222222:role/TrailbotReadOnly': 'ext-1' },
    });
    const denied = await rejection(assume(client));
    expect(denied).toEqual({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::999999999999:user/trailbot is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      status: 403,
    });
    const other = 'arn:aws:iam::222222222222:role/TrailbotReadOnly';
    expect((await rejection(assume(client, { RoleArn: other }))).name).toBe('AccessDenied');
    expect((await rejection(assume(client, { RoleArn: other, ExternalId: 'ext-2' }))).name).toBe('AccessDenied');
    expect((await assume(client, { RoleArn: other, ExternalId: 'ext-1' })).Credentials?.AccessKeyId).toMatch(
      /^ASIA222222222222/,
    );
  });

  test.each<[string, Partial<AssumeRoleCommandInput>, RegExp]>([
    ['a session name with spaces', { RoleSessionName: 'trail bot' }, /roleSessionName/],
    ['a duration under 900 s', { DurationSeconds: 60 }, /durationSeconds/],
    ['a duration past the role’s maximum', { DurationSeconds: 7200 }, /MaxSessionDuration/],
    ['not a role ARN', { RoleArn: 'arn:aws:iam::111111111111:user/x' }, /Invalid RoleArn/],
  ])('%s: ValidationError', async (_, input, message) => {
    const { client } = await sts();
    const error = await rejection(assume(client, input));
    expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(error.message).toMatch(message);
  });
});

describe('CloudTrail with recordsByAccount', () => {
  const record = (account: string, id: string) => ({
    eventID: id,
    eventTime: new Date(Date.now() - 60_000).toISOString(),
    eventName: 'DescribeInstances',
    eventSource: 'ec2.amazonaws.com',
    awsRegion: 'eu-west-1',
    recipientAccountId: account,
    userIdentity: { type: 'IAMUser', userName: 'alice' },
  });

  test('each key reads its own account; an unknown key is refused; the quota is per account and region', async () => {
    const ct = await startCloudTrailServer({
      recordsByAccount: {
        '111111111111': { 'eu-west-1': [record('111111111111', 'a-1')] },
        '222222222222': { 'eu-west-1': [record('222222222222', 'b-1')] },
      },
      ratePerSecond: 0.001,
      burst: 1,
    });
    closers.push(() => ct.close());
    const client = (accessKeyId: string) => {
      const c = new CloudTrailClient({
        region: 'eu-west-1',
        endpoint: ct.url,
        credentials: { accessKeyId, secretAccessKey: 's', sessionToken: 't' },
        maxAttempts: 1,
      });
      closers.push(() => c.destroy());
      return c;
    };
    const one = await client('ASIA111111111111ABCD').send(new LookupEventsCommand({}));
    const two = await client('ASIA222222222222ABCD').send(new LookupEventsCommand({}));
    // One call each in the same region within the same instant: separate quotas, no throttle.
    expect(one.Events?.map((e) => e.EventId)).toEqual(['a-1']);
    expect(two.Events?.map((e) => e.EventId)).toEqual(['b-1']);
    const again = await rejection(client('ASIA111111111111WXYZ').send(new LookupEventsCommand({})));
    expect(again.name).toBe('ThrottlingException');
    const stranger = await rejection(client('ASIA333333333333ABCD').send(new LookupEventsCommand({})));
    expect(stranger).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    expect(ct.calls.map((c) => [c.account, c.outcome])).toEqual([
      ['111111111111', 'ok'],
      ['222222222222', 'ok'],
      ['111111111111', 'throttled'],
      [null, 'not_enabled'],
    ]);
  });

  test('records and recordsByAccount together are a mistake', async () => {
    await expect(startCloudTrailServer({ records: {}, recordsByAccount: {} })).rejects.toThrow(/records or/);
  });
});

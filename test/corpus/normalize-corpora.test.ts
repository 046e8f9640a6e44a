/**
 * normalizeRecord over every record of the four public corpora (../shared/data/cloudtrail/*): none
 * throws, every one names an actor, known events give known answers, and the distributions match what
 * each corpus's SOURCE.md counted.
 */
import { describe, expect, test } from '@jest/globals';
import { normalizeRecord } from '../../src/core/normalize/normalize-record.js';
import type { ClientKind, IdentityType, TrailRecord } from '../../src/core/trail-record.js';
import { type CorpusName, type CorpusRecord, findRecord, loadAllCorpora, loadCorpus } from '../helpers/corpora.js';

const all: readonly (CorpusRecord & { normalized: TrailRecord })[] = loadAllCorpora().map((entry) => ({
  ...entry,
  normalized: normalizeRecord(entry.record),
}));

function normalized(corpus: CorpusName, eventId: string, file?: string): TrailRecord {
  return normalizeRecord(findRecord(corpus, eventId, file));
}

function count(corpus: CorpusName, predicate: (record: TrailRecord) => boolean): number {
  return all.filter((entry) => entry.corpus === corpus && predicate(entry.normalized)).length;
}

describe('the corpora', () => {
  test('hold the record counts their SOURCE.md states', () => {
    expect(loadCorpus('invictus')).toHaveLength(2900);
    expect(loadCorpus('stratus')).toHaveLength(310);
    expect(loadCorpus('otrf')).toHaveLength(103);
    expect(loadCorpus('panther')).toHaveLength(461);
  });

  test('every record normalizes to an actor, a source and a client', () => {
    const empty = all
      .filter(({ normalized: r }) => r.actor.display === '' || r.sourceIp === '' || r.client.display === '')
      .map(({ corpus, file, normalized: r }) => `${corpus}/${file} ${r.eventId}`);
    expect(empty).toEqual([]);
  });

  test('every real CloudTrail time is kept in canonical form', () => {
    for (const corpus of ['invictus', 'stratus'] as const) {
      for (const entry of loadCorpus(corpus)) {
        const raw = (entry.record as { eventTime: string }).eventTime;
        expect(normalizeRecord(entry.record).eventTime).toBe(raw);
      }
    }
    // OTRF lost eventTime in its pipeline; its `@timestamp` stands in.
    expect(count('otrf', (r) => /^2020-09-14T\d\d:\d\d:\d\dZ$/.test(r.eventTime))).toBe(103);
  });
});

describe('distributions match SOURCE.md', () => {
  const types = (corpus: CorpusName) => {
    const tally: Partial<Record<IdentityType, number>> = {};
    for (const entry of all)
      if (entry.corpus === corpus) tally[entry.normalized.actor.type] = (tally[entry.normalized.actor.type] ?? 0) + 1;
    return tally;
  };

  test('userIdentity types (records without a type are Unknown)', () => {
    expect(types('invictus')).toEqual({ IAMUser: 2748, AssumedRole: 76, AWSService: 34, Unknown: 42 });
    expect(types('stratus')).toEqual({ IAMUser: 241, AssumedRole: 68, FederatedUser: 1 });
    expect(types('otrf')).toEqual({ IAMUser: 87, AssumedRole: 11, AWSService: 5 });
    expect(types('panther')).toEqual({
      AssumedRole: 302,
      IAMUser: 115,
      Root: 14,
      AWSAccount: 5,
      FederatedUser: 2,
      AWSService: 2,
      Unknown: 2 + 19,
    });
  });

  test('errors', () => {
    expect(count('invictus', (r) => r.errorCode === 'ThrottlingException')).toBe(102);
    expect(count('invictus', (r) => r.errorCode === 'Client.UnauthorizedOperation')).toBe(44);
    expect(count('invictus', (r) => r.errorCode === 'AccessDenied')).toBe(16);
    expect(count('stratus', (r) => r.errorCode === 'Client.UnauthorizedOperation')).toBe(46);
    expect(count('stratus', (r) => r.errorCode === 'AccessDenied')).toBe(5);
    expect(count('panther', (r) => r.errorCode === 'AccessDenied')).toBe(32);
    expect(count('otrf', (r) => r.errorCode !== null)).toBe(0);
  });

  test('console sign-ins: invictus both succeeded, one with MFA; panther has failures', () => {
    const invictus = all.filter((e) => e.corpus === 'invictus' && e.normalized.eventName === 'ConsoleLogin');
    expect(invictus.map((e) => [e.normalized.errorCode, e.normalized.mfa]).sort()).toEqual([
      [null, false],
      [null, true],
    ]);
    expect(count('panther', (r) => r.eventName === 'ConsoleLogin')).toBe(24);
    expect(count('panther', (r) => r.errorCode === 'ConsoleLoginFailure')).toBeGreaterThanOrEqual(2);
  });

  test('EC2 transitions: invictus has 2 TerminateInstances and 2 launched instances; stratus a stop and a start', () => {
    const transitions = (corpus: CorpusName, eventName: string) =>
      all
        .filter((e) => e.corpus === corpus && e.normalized.eventName === eventName)
        .flatMap((e) => e.normalized.transitions.map((t) => `${t.from} → ${t.to}`));
    expect(transitions('invictus', 'TerminateInstances')).toEqual([
      'running → shutting-down',
      'running → shutting-down',
    ]);
    expect(transitions('invictus', 'RunInstances')).toEqual(['null → pending', 'null → pending']);
    expect(transitions('stratus', 'StopInstances')).toEqual(['running → stopping']);
    expect(transitions('stratus', 'StartInstances')).toEqual(['stopped → pending']);
  });

  test('clients: the corpora’s tools are recognised, the unknown ones are sample placeholders', () => {
    const kinds = new Map<ClientKind, number>();
    for (const { normalized: r } of all) kinds.set(r.client.kind, (kinds.get(r.client.kind) ?? 0) + 1);
    // Terraform runs the Stratus warm-ups; Stratus itself is a Go SDK client.
    expect(count('invictus', (r) => r.client.kind === 'terraform')).toBeGreaterThan(1000);
    expect(count('stratus', (r) => r.client.display === 'SDK go (Stratus Red Team)')).toBeGreaterThan(100);
    expect(count('otrf', (r) => r.client.kind === 'unknown')).toBe(0);
    expect(count('invictus', (r) => r.client.kind === 'unknown')).toBe(0);
    expect(count('stratus', (r) => r.client.kind === 'unknown')).toBe(0);
    expect(kinds.get('unknown')).toBeLessThan(100);
  });
});

describe('known events give known answers', () => {
  test('invictus TerminateInstances by bert-jan through Terraform', () => {
    const r = normalized('invictus', '2d893b1d-e8f2-499b-a558-cb927d9b48ea');
    expect(r.actor).toEqual({
      display: 'bert-jan',
      type: 'IAMUser',
      arn: 'arn:aws:iam::123837392027:user/bert-jan',
      session: null,
      via: null,
    });
    expect(r.client).toEqual({ kind: 'terraform', display: 'Terraform 1.1.2' });
    expect(r.sourceIp).toBe('192.168.10.20');
    expect(r.eventTime).toBe('2023-07-10T12:08:06Z');
    expect(r.readOnly).toBe(false);
    expect(r.resources).toEqual([{ type: 'AWS::EC2::Instance', name: 'i-0dbc91f429e48eeed' }]);
    expect(r.transitions).toEqual([{ resource: 'i-0dbc91f429e48eeed', from: 'running', to: 'shutting-down' }]);
  });

  test('invictus RunInstances: the new instance is pending', () => {
    const r = normalized('invictus', '86eac0ac-8521-4126-aa32-a22f2b74d02e');
    expect(r.transitions).toEqual([{ resource: 'i-0dbc91f429e48eeed', from: null, to: 'pending' }]);
    expect(r.resources).toContainEqual({ type: 'AWS::EC2::Instance', name: 'i-0dbc91f429e48eeed' });
    expect(r.resources).toContainEqual({ type: 'AWS::EC2::Ami', name: 'ami-029eb80bc237bec6f' });
  });

  test('stratus ec2-user-data: StopInstances then StartInstances of the same instance', () => {
    const file = 'aws.execution.ec2-user-data.json';
    const stop = normalized('stratus', 'd373b5dd-6a82-439d-bdcf-4e6c7c7a9292', file);
    const start = normalized('stratus', '55e470c0-611d-4549-ad87-a7c830a75063', file);
    expect(stop.transitions).toEqual([{ resource: 'i-DDd6c7B0e18F0E35f', from: 'running', to: 'stopping' }]);
    expect(start.transitions).toEqual([{ resource: 'i-DDd6c7B0e18F0E35f', from: 'stopped', to: 'pending' }]);
    expect(stop.actor.display).toBe('christophe');
    expect(stop.client).toEqual({ kind: 'sdk', display: 'SDK go (Stratus Red Team)' });
    // Stratus scrambles regions and addresses; they pass through as written.
    expect(stop.region).toBe('ca-northsouth-2r');
    expect(stop.sourceIp).toBe('251.228.255.218');
  });

  test('stratus StopLogging: the trail goes from logging on to off', () => {
    const r = normalized('stratus', '10163ed2-2253-469d-a5ee-cbc6651f8934');
    expect(r.transitions).toEqual([
      { resource: 'stratus-red-team-ct-stop-trail-buykxbqejv', from: 'logging on', to: 'logging off' },
    ]);
    expect(r.resources).toEqual([
      { type: 'AWS::CloudTrail::Trail', name: 'stratus-red-team-ct-stop-trail-buykxbqejv' },
    ]);
  });

  test('stratus console login without MFA, made by the tool', () => {
    const r = normalized('stratus', '865d9377-9c6b-4fd7-8aad-725e95f6a140');
    expect(r.actor.display).toBe('stratus-red-team-nmfalu-jfzdtsvchl');
    expect(r.mfa).toBe(false);
    expect(r.errorCode).toBeNull();
    expect(r.sourceIp).toBe('225.01.00.16');
  });

  test('stratus federated user from GetFederationToken', () => {
    const r = normalized('stratus', '91529247-c4c4-4793-afc8-d70bbcfe9d19');
    expect(r.actor).toEqual({
      display: 'stratus_red_team',
      type: 'FederatedUser',
      arn: 'arn:aws:sts::742491224508:federated-user/stratus_red_team',
      session: 'stratus_red_team',
      via: 'stratus-red-team-user-federation-user',
    });
    expect(r.client).toEqual({ kind: 'sdk', display: 'SDK go-v2 1.32.3' });
  });

  test('panther: a failed root console sign-in counts as failed', () => {
    const entry = loadCorpus('panther').find(
      (e) =>
        e.file.endsWith('aws_console_root_login_failed.yml') &&
        (e.record as { responseElements?: { ConsoleLogin?: string } }).responseElements?.ConsoleLogin === 'Failure',
    );
    expect(entry).toBeDefined();
    const r = normalizeRecord(entry?.record);
    expect(r.actor).toMatchObject({ display: 'root', type: 'Root' });
    expect(r.errorCode).toBe('ConsoleLoginFailure');
    expect(r.client.kind).toBe('console');
    expect(r.sourceIp).toBe('111.111.111.111');
    expect(r.mfa).toBe(false);
  });

  test('panther: an Identity Center sign-in shows the person', () => {
    const r = normalized(
      'panther',
      '364ad368-42bf-4e05-a500-971ddfe8ebff',
      'aws_cloudtrail_rules/aws_cloudtrail_useraccesskeyauth.yml',
    );
    expect(r.eventName).toBe('ConsoleLogin');
    expect(r.actor).toMatchObject({
      display: 'nicholas.hakmiller',
      type: 'AssumedRole',
      session: 'nicholas.hakmiller',
      via: 'DevAdmin (Identity Center)',
    });
    expect(r.client).toEqual({ kind: 'console', display: 'AWS console (Chrome)' });
  });

  test('panther: a call from another account', () => {
    const r = normalized('panther', '044e210e-6c5e-3f3e-8f04-2311a826f287');
    expect(r.actor).toMatchObject({ display: 'account 111122223333', type: 'AWSAccount', session: 'lambda-name' });
  });

  test('otrf: the stolen instance-profile session reads the bucket from outside', () => {
    const r = normalized('otrf', '771299cb-e200-4926-9604-c85358b30499');
    expect(r.eventName).toBe('GetObject');
    expect(r.actor).toEqual({
      display: 'MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789123:assumed-role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40',
      session: 'i-0317f6c6b66ae9c40',
      via: null,
    });
    expect(r.client).toEqual({ kind: 'cli', display: 'aws-cli 1.18.136' });
    expect(r.sourceIp).toBe('1.2.3.4');
    expect(r.accessKeyId).toBe('ASIA5FLZVX4OPVKKVBMX');
    expect(r.resources).toContainEqual({
      type: 'AWS::S3::Object',
      name: 'arn:aws:s3:::mordors3stack-s3bucket-llp2yingx64a/ring.txt',
    });
    // …and every record of that session came from the same outside address.
    const session = all.filter((e) => e.corpus === 'otrf' && e.normalized.actor.session === 'i-0317f6c6b66ae9c40');
    expect(session).toHaveLength(11);
    expect(new Set(session.map((e) => e.normalized.sourceIp))).toEqual(new Set(['1.2.3.4']));
  });

  test('an AWS service acting: Inspector assumes its role', () => {
    const r = normalized('invictus', 'a4a7b25e-c2d5-436f-8a7e-ea89f50541ab');
    expect(r.actor).toEqual({
      display: 'inspector2.amazonaws.com',
      type: 'AWSService',
      arn: null,
      session: null,
      via: null,
    });
    expect(r.sourceIp).toBe('inspector2.amazonaws.com');
    expect(r.client).toEqual({ kind: 'aws-service', display: 'inspector2.amazonaws.com' });
  });

  test('invictus console login with MFA from Firefox; the console session’s `AWS Internal` calls are the console', () => {
    const login = normalized('invictus', '8feee4c2-5e27-4857-8475-bfa7e7b6d791');
    expect(login.mfa).toBe(true);
    expect(login.client).toEqual({ kind: 'console', display: 'AWS console (Firefox)' });
    expect(login.sourceIp).toBe('10.8.8.10');
    const deleteDb = normalized('invictus', 'b5232796-c668-4d71-a006-d9cabb3d607d');
    expect(deleteDb.client).toEqual({ kind: 'console', display: 'AWS console' });
    expect(deleteDb.transitions).toEqual([
      { resource: 'terraform-20230710121504061500000001', from: null, to: 'deleting' },
    ]);
  });

  test('invictus: S3 decrypting with KMS on a user’s behalf', () => {
    const decrypt = all.find(
      (e) =>
        e.corpus === 'invictus' && e.normalized.eventName === 'Decrypt' && e.normalized.actor.via === 'AWS Internal',
    );
    expect(decrypt?.normalized).toMatchObject({
      actor: { display: 'bert-jan', type: 'IAMUser', via: 'AWS Internal' },
      sourceIp: 'AWS Internal',
      client: { kind: 'aws-service', display: 'AWS Internal' },
    });
  });

  test('invictus: a throttled call keeps its error verbatim', () => {
    const throttled = all.find((e) => e.corpus === 'invictus' && e.normalized.errorCode === 'ThrottlingException');
    expect(throttled?.normalized.errorMessage).toBe('Rate exceeded');
  });
});

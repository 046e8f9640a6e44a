import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import type { TrailRecord } from '../../../src/core/trail-record.js';
import { loadAllCorpora } from '../../helpers/corpora.js';

/** AWS's documented StopInstances record (aws-slack-facts §2.6), a user with an access key. */
const stopInstances = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'EXAMPLE6E4XEGITWATV6R',
    arn: 'arn:aws:iam::123456789012:user/Mateo',
    accountId: '123456789012',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: 'Mateo',
    sessionContext: { attributes: { creationDate: '2023-07-19T21:11:57Z', mfaAuthenticated: 'false' } },
  },
  eventTime: '2023-07-19T21:14:20Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'StopInstances',
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.0',
  userAgent: 'aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell',
  requestParameters: { instancesSet: { items: [{ instanceId: 'i-EXAMPLE56126103cb' }] }, force: false },
  responseElements: {
    requestId: 'c308a950-e43e-444e-afc1-EXAMPLE73e49',
    instancesSet: {
      items: [
        {
          instanceId: 'i-EXAMPLE56126103cb',
          currentState: { code: 64, name: 'stopping' },
          previousState: { code: 16, name: 'running' },
        },
      ],
    },
  },
  requestID: 'c308a950-e43e-444e-afc1-EXAMPLE73e49',
  eventID: '9357a8cc-a0eb-46a1-b67e-EXAMPLE19b14',
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '123456789012',
  eventCategory: 'Management',
};

/** A failed console sign-in: no errorCode, only the response and a message. */
const failedSignIn = {
  eventVersion: '1.05',
  userIdentity: { type: 'Root', principalId: '1111', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' },
  eventTime: '2019-01-01T00:00:00Z',
  eventSource: 'signin.amazonaws.com',
  eventName: 'ConsoleLogin',
  awsRegion: 'us-east-1',
  sourceIPAddress: '111.111.111.111',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  errorMessage: 'Failed authentication',
  requestParameters: null,
  responseElements: { ConsoleLogin: 'Failure' },
  additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/', MobileVersion: 'No', MFAUsed: 'No' },
  eventID: '1',
  eventType: 'AwsConsoleSignIn',
  recipientAccountId: '123456789012',
};

describe('normalizeRecord', () => {
  test('a documented record, every field', () => {
    expect(normalizeRecord(stopInstances)).toEqual({
      eventId: '9357a8cc-a0eb-46a1-b67e-EXAMPLE19b14',
      eventTime: '2023-07-19T21:14:20Z',
      eventName: 'StopInstances',
      eventSource: 'ec2.amazonaws.com',
      region: 'us-east-1',
      accountId: '123456789012',
      actor: {
        display: 'Mateo',
        type: 'IAMUser',
        arn: 'arn:aws:iam::123456789012:user/Mateo',
        session: null,
        via: null,
      },
      sourceIp: '192.0.2.0',
      userAgent: 'aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell',
      client: { kind: 'cli', display: 'aws-cli 2.13.5 (CloudShell)' },
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      readOnly: false,
      errorCode: null,
      errorMessage: null,
      mfa: false,
      resources: [{ type: 'AWS::EC2::Instance', name: 'i-EXAMPLE56126103cb' }],
      transitions: [{ resource: 'i-EXAMPLE56126103cb', from: 'running', to: 'stopping' }],
      change: null,
    } satisfies TrailRecord);
  });

  test('a failed ConsoleLogin is flagged with errorCode ConsoleLoginFailure', () => {
    const record = normalizeRecord(failedSignIn);
    expect(record.errorCode).toBe('ConsoleLoginFailure');
    expect(record.errorMessage).toBe('Failed authentication');
    expect(record.actor.display).toBe('root');
    expect(record.client).toEqual({ kind: 'console', display: 'AWS console (Chrome)' });
    expect(record.mfa).toBe(false);
  });

  test('a successful ConsoleLogin is not a failure; an errorCode present is kept verbatim', () => {
    const success = { ...failedSignIn, errorMessage: undefined, responseElements: { ConsoleLogin: 'Success' } };
    expect(normalizeRecord(success).errorCode).toBeNull();
    expect(normalizeRecord({ ...failedSignIn, errorCode: 'Throttling' }).errorCode).toBe('Throttling');
    expect(normalizeRecord({ eventName: 'CheckMfa', responseElements: { CheckMfa: 'Failure' } }).errorCode).toBe(
      'CheckMfaFailure',
    );
  });

  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['035.249.253.232', '035.249.253.232'],
    ['cloudformation.amazonaws.com', 'cloudformation.amazonaws.com'],
    ['AWS Internal', 'AWS Internal'],
    ['AWS Internal/3', 'AWS Internal'],
    ['AWS Internalish', 'AWS Internalish'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    [{ ip: '1.2.3.4' }, 'unknown'],
  ])('sourceIPAddress %p → %p', (sourceIPAddress, expected) => {
    expect(normalizeRecord({ sourceIPAddress }).sourceIp).toBe(expected);
  });

  test.each([
    [true, 'PutObject', true],
    [false, 'DescribeInstances', false],
    ['true', 'PutObject', true],
    ['True', 'PutObject', true],
    ['false', 'GetObject', false],
    [undefined, 'DescribeInstances', true],
    [undefined, 'GetObject', true],
    [undefined, 'ListBuckets', true],
    [undefined, 'HeadBucket', true],
    [undefined, 'LookupEvents', true],
    [undefined, 'Getaway', null],
    [undefined, 'TerminateInstances', null],
    ['maybe', 'PutObject', null],
  ])('readOnly %p with %s → %p', (readOnly, eventName, expected) => {
    expect(normalizeRecord({ readOnly, eventName }).readOnly).toBe(expected);
  });

  test.each([
    [{ userIdentity: { sessionContext: { attributes: { mfaAuthenticated: 'true' } } } }, true],
    [{ userIdentity: { sessionContext: { attributes: { mfaAuthenticated: 'false' } } } }, false],
    [{ additionalEventData: { MFAUsed: 'Yes' } }, true],
    [{ additionalEventData: { MFAUsed: 'No' } }, false],
    [{ additionalEventData: { MFAUsed: 'Maybe' } }, null],
    [{ userIdentity: { type: 'IAMUser' } }, null],
  ])('mfa of %j → %p', (record, expected) => {
    expect(normalizeRecord(record).mfa).toBe(expected);
  });

  test('accountId: recipientAccountId, else the caller’s account', () => {
    expect(normalizeRecord({ recipientAccountId: '1', userIdentity: { accountId: '2' } }).accountId).toBe('1');
    expect(normalizeRecord({ userIdentity: { accountId: '2' } }).accountId).toBe('2');
    expect(normalizeRecord({}).accountId).toBeNull();
  });

  test('the console session turns `AWS Internal` into the console', () => {
    const record = { userAgent: 'AWS Internal', sessionCredentialFromConsole: 'true' };
    expect(normalizeRecord(record).client).toEqual({ kind: 'console', display: 'AWS console' });
    expect(normalizeRecord({ userAgent: 'AWS Internal' }).client).toEqual({
      kind: 'aws-service',
      display: 'AWS Internal',
    });
  });

  test('hostile sizes are capped, nothing is escaped', () => {
    const huge = `<@U123>&${'x'.repeat(10_000_000)}`;
    const record = normalizeRecord({ errorMessage: huge, userAgent: huge, eventName: huge, awsRegion: huge });
    expect(record.errorMessage).toHaveLength(4096);
    expect(record.errorMessage?.startsWith('<@U123>&')).toBe(true);
    expect(record.userAgent).toHaveLength(1024);
    expect(record.eventName).toHaveLength(4096);
    expect(record.region).toHaveLength(4096);
    expect(record.client.display.length).toBeLessThanOrEqual(80);
  });

  test.each([null, undefined, 0, 'ConsoleLogin', true, [], [stopInstances], () => 1])(
    '%p is an empty record',
    (raw) => {
      const record = normalizeRecord(raw);
      expect(record).toMatchObject({
        eventId: '',
        eventTime: '',
        eventName: '',
        sourceIp: 'unknown',
        actor: { display: 'unknown', type: 'Unknown' },
        client: { kind: 'unknown', display: 'unknown' },
        resources: [],
        transitions: [],
      });
    },
  );
});

/** What every normalized record must be, whatever went in. */
function problemsOf(record: TrailRecord): string[] {
  const problems: string[] = [];
  const text = (name: string, value: unknown, max: number, nonEmpty = false) => {
    if (typeof value !== 'string') problems.push(`${name} is not a string`);
    else if (value.length > max) problems.push(`${name} is ${value.length} long`);
    else if (nonEmpty && value.length === 0) problems.push(`${name} is empty`);
  };
  const textOrNull = (name: string, value: unknown, max: number) => {
    if (value !== null) text(name, value, max);
  };
  text('eventId', record.eventId, 4096);
  if (record.eventTime !== '' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(record.eventTime)) {
    problems.push(`eventTime ${record.eventTime}`);
  }
  if (record.eventTime !== '' && Number.isNaN(Date.parse(record.eventTime))) problems.push('eventTime unreadable');
  text('eventName', record.eventName, 4096);
  text('eventSource', record.eventSource, 4096);
  text('region', record.region, 4096);
  textOrNull('accountId', record.accountId, 4096);
  text('actor.display', record.actor.display, 4096, true);
  text('actor.type', record.actor.type, 32, true);
  textOrNull('actor.arn', record.actor.arn, 4096);
  textOrNull('actor.session', record.actor.session, 4096);
  textOrNull('actor.via', record.actor.via, 4096);
  text('sourceIp', record.sourceIp, 4096, true);
  textOrNull('userAgent', record.userAgent, 1024);
  text('client.display', record.client.display, 80, true);
  textOrNull('accessKeyId', record.accessKeyId, 4096);
  textOrNull('errorCode', record.errorCode, 4096);
  textOrNull('errorMessage', record.errorMessage, 4096);
  if (record.readOnly !== null && typeof record.readOnly !== 'boolean') problems.push('readOnly');
  if (record.mfa !== null && typeof record.mfa !== 'boolean') problems.push('mfa');
  if (!Array.isArray(record.resources) || record.resources.length > 50) problems.push('resources');
  for (const r of record.resources) {
    text('resource.name', r.name, 4096, true);
    textOrNull('resource.type', r.type, 4096);
  }
  if (!Array.isArray(record.transitions) || record.transitions.length > 50) problems.push('transitions');
  for (const t of record.transitions) {
    text('transition.resource', t.resource, 4096, true);
    textOrNull('transition.from', t.from, 4096);
    text('transition.to', t.to, 4096, true);
  }
  return problems;
}

/** Drop, or replace with anything, a few fields anywhere in a copy of a real record. */
function mutate(record: unknown, mutations: readonly (readonly [number, unknown, boolean])[]): unknown {
  const copy: unknown = structuredClone(record);
  for (const [pick, value, drop] of mutations) {
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (node: unknown, depth: number) => {
      if (depth > 6 || slots.length > 2000 || typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) {
        node.forEach((child, i) => {
          slots.push([node, i]);
          walk(child, depth + 1);
        });
        return;
      }
      const o = node as Record<string, unknown>;
      for (const key of Object.keys(o)) {
        slots.push([o, key]);
        walk(o[key], depth + 1);
      }
    };
    walk(copy, 0);
    const slot = slots[pick % Math.max(slots.length, 1)];
    if (slot === undefined) continue;
    const [parent, key] = slot;
    if (Array.isArray(parent)) parent[key as number] = value;
    else if (drop) delete parent[key as string];
    else parent[key as string] = value;
  }
  return copy;
}

describe('normalizeRecord never throws and always names an actor', () => {
  test('on anything', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (raw) => {
        expect(problemsOf(normalizeRecord(raw))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  test('on any JSON value, also in the places a record has', () => {
    const field = fc.jsonValue({ maxDepth: 4 });
    const recordish = fc.record(
      {
        eventID: field,
        eventTime: fc.oneof(field, fc.date({ noInvalidDate: false }), fc.integer()),
        eventName: fc.oneof(field, fc.constantFrom('StopInstances', 'RunInstances', 'ConsoleLogin', 'StopLogging')),
        eventSource: fc.oneof(
          field,
          fc.constantFrom('ec2.amazonaws.com', 'rds.amazonaws.com', 'autoscaling.amazonaws.com'),
        ),
        userIdentity: fc.oneof(
          field,
          fc.record(
            {
              type: fc.oneof(field, fc.constantFrom('Root', 'IAMUser', 'AssumedRole', 'FederatedUser', 'AWSAccount')),
              userName: field,
              arn: fc.oneof(
                field,
                fc.constantFrom('arn:aws:sts::1:assumed-role/', 'arn:aws:sts::1:assumed-role//', ':user/'),
              ),
              principalId: fc.oneof(field, fc.constantFrom(':', 'a:', ':b')),
              invokedBy: field,
              sessionContext: field,
              onBehalfOf: field,
            },
            { requiredKeys: [] },
          ),
        ),
        sourceIPAddress: field,
        userAgent: field,
        readOnly: field,
        errorCode: field,
        requestParameters: field,
        responseElements: field,
        resources: field,
        additionalEventData: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(recordish, (raw) => {
        expect(problemsOf(normalizeRecord(raw))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  test('on real corpus records with fields dropped or replaced', () => {
    const corpus = loadAllCorpora();
    const mutation = fc.tuple(fc.nat(), fc.oneof(fc.anything(), fc.jsonValue()), fc.boolean());
    fc.assert(
      fc.property(
        fc.nat({ max: corpus.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (index, mutations) => {
          const entry = corpus[index];
          if (entry === undefined) return;
          expect(problemsOf(normalizeRecord(mutate(entry.record, mutations)))).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

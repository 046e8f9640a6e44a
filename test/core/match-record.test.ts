import { describe, expect, test } from '@jest/globals';
import { createRecordMatcher, isFailure, type MatchBounds, namesResource } from '../../src/core/match-record.js';
import { anActor, aQuery, aRecord } from '../helpers/records.js';

const unbounded: MatchBounds = { from: null, to: null, regions: null };

describe('namesResource', () => {
  test.each([
    ['i-0abc', 'i-0abc', true],
    ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc', 'i-0abc', true],
    ['arn:aws:s3:::my-bucket', 'my-bucket', true],
    ['arn:aws:iam::123456789012:role/deploy', 'deploy', true],
    ['i-0abcdef', 'i-0abc', false],
    ['xi-0abc', 'i-0abc', false],
    ['arn:aws:iam::123456789012:role/predeploy', 'deploy', false],
  ])('%s names %s: %s', (name, target, expected) => {
    expect(namesResource(name, target)).toBe(expected);
  });
});

describe('createRecordMatcher', () => {
  test('who matches resources by id or ARN tail', () => {
    const match = createRecordMatcher(aQuery({ filters: { resource: 'i-0abc' } }), unbounded);
    expect(match(aRecord({ resources: [{ type: 'AWS::EC2::Instance', name: 'i-0abc' }] }))).toBe(true);
    expect(match(aRecord({ resources: [{ type: null, name: 'arn:aws:ec2:us-east-1:1:instance/i-0abc' }] }))).toBe(true);
    expect(match(aRecord({ resources: [{ type: null, name: 'i-0abcd' }] }))).toBe(false);
    expect(match(aRecord())).toBe(false);
  });

  test('user matches the user, role name or session, ignoring case', () => {
    const role = anActor({
      display: 'Deploy/ci-42',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/Deploy/ci-42',
      session: 'ci-42',
    });
    for (const name of ['deploy', 'CI-42', 'Deploy/ci-42']) {
      expect(createRecordMatcher(aQuery({ filters: { user: name } }), unbounded)(aRecord({ actor: role }))).toBe(true);
    }
    expect(
      createRecordMatcher(aQuery({ filters: { user: 'assumed-role' } }), unbounded)(aRecord({ actor: role })),
    ).toBe(false);
    expect(createRecordMatcher(aQuery({ filters: { user: 'ALICE' } }), unbounded)(aRecord())).toBe(true);
    expect(createRecordMatcher(aQuery({ filters: { user: 'bob' } }), unbounded)(aRecord())).toBe(false);
  });

  test('errors matches an errorCode or a lone errorMessage (a failed ConsoleLogin)', () => {
    const match = createRecordMatcher(aQuery({ filters: { errorsOnly: true } }), unbounded);
    expect(match(aRecord({ errorCode: 'AccessDenied' }))).toBe(true);
    expect(match(aRecord({ errorMessage: 'Failed authentication' }))).toBe(true);
    expect(match(aRecord())).toBe(false);
    expect(isFailure(aRecord())).toBe(false);
  });

  test('window bounds are inclusive and unreadable times never match a bounded window', () => {
    const bounds = { from: new Date('2023-07-10T12:00:00Z'), to: new Date('2023-07-10T13:00:00Z'), regions: null };
    const match = createRecordMatcher(aQuery(), bounds);
    expect(match(aRecord({ eventTime: '2023-07-10T12:00:00Z' }))).toBe(true);
    expect(match(aRecord({ eventTime: '2023-07-10T13:00:00Z' }))).toBe(true);
    expect(match(aRecord({ eventTime: '2023-07-10T13:00:01Z' }))).toBe(false);
    expect(match(aRecord({ eventTime: '2023-07-10T11:59:59Z' }))).toBe(false);
    expect(match(aRecord({ eventTime: '' }))).toBe(false);
    expect(createRecordMatcher(aQuery(), unbounded)(aRecord({ eventTime: '' }))).toBe(true);
  });

  test('regions, account, event name, key, id, ip and access all narrow', () => {
    const r = aRecord({ eventName: 'StopInstances', readOnly: false, sourceIp: '203.0.113.9' });
    const m = (q: Parameters<typeof aQuery>[0], b = unbounded) => createRecordMatcher(aQuery(q), b)(r);
    expect(m({}, { from: null, to: null, regions: ['us-east-1'] })).toBe(true);
    expect(m({}, { from: null, to: null, regions: ['eu-west-1'] })).toBe(false);
    expect(m({ account: '123456789012' })).toBe(true);
    expect(m({ account: '999999999999' })).toBe(false);
    expect(m({ filters: { eventName: 'stopinstances' } })).toBe(true);
    expect(m({ filters: { eventName: 'StartInstances' } })).toBe(false);
    expect(m({ filters: { accessKeyId: 'AKIAEXAMPLE' } })).toBe(true);
    expect(m({ filters: { accessKeyId: 'AKIAOTHER' } })).toBe(false);
    expect(m({ filters: { eventId: r.eventId } })).toBe(true);
    expect(m({ filters: { eventId: 'other' } })).toBe(false);
    expect(m({ filters: { ip: '203.0.113.0/24' } })).toBe(true);
    expect(m({ filters: { ip: '198.51.100.0/24' } })).toBe(false);
    expect(m({ access: 'writes' })).toBe(true);
    expect(m({ access: 'reads' })).toBe(false);
  });
});

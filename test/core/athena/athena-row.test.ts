/**
 * Rows back into CloudTrail records: every record of the four public corpora, turned into the row Athena returns for
 * Trailbot's SELECT list (test/loopback/athena-server.ts plays Athena's JSON SerDe and casts) and back, normalizes
 * as the original does.
 */
import { describe, expect, test } from '@jest/globals';
import { recordFromRow } from '../../../src/core/athena/athena-row.js';
import { SELECTED_COLUMNS } from '../../../src/core/athena/athena-sql.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { loadCorpus } from '../../helpers/corpora.js';
import { athenaValuesOf } from '../../loopback/athena-server.js';

const COLUMNS = SELECTED_COLUMNS.map((c) => c.name);

function roundTrip(record: Record<string, unknown>): Record<string, unknown> {
  const { record: back, positional } = recordFromRow(COLUMNS, athenaValuesOf(record, COLUMNS));
  expect(positional).toBe(false);
  return back;
}

describe('a row of the SELECT list → the CloudTrail record', () => {
  // Panther's records are hand-written rule tests, some with Athena's own lower-case keys, which normalization does
  // not read but Athena's case-insensitive SerDe does: not what a trail bucket holds.
  test.each(['invictus', 'stratus', 'otrf'] as const)('every %s record normalizes the same after Athena', (name) => {
    const records = loadCorpus(name)
      .map((entry) => entry.record)
      .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r))
      // OTRF's records went through a log pipeline that moved eventTime to `@timestamp`; a trail file has eventTime.
      .map((r) =>
        r.eventTime === undefined && r['@timestamp'] !== undefined ? { ...r, eventTime: r['@timestamp'] } : r,
      );
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(normalizeRecord(roundTrip(record))).toEqual(normalizeRecord(record));
  });

  test('lower-case columns and struct fields get CloudTrail’s keys back; absent fields stay absent', () => {
    const identity = {
      type: 'AssumedRole',
      principalid: 'AROAEXAMPLE:alice@example.com',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com',
      accountid: '111122223333',
      invokedby: null,
      accesskeyid: 'ASIAEXAMPLE',
      username: null,
      onbehalfof: null,
      sessioncontext: {
        attributes: { mfaauthenticated: 'false', creationdate: '2024-01-01T00:00:00Z' },
        sessionissuer: {
          type: 'Role',
          principalid: 'AROAEXAMPLE',
          arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
          accountid: '111122223333',
          username: 'AWSReservedSSO_Admin_0123',
        },
        ec2roledelivery: null,
        sourceidentity: null,
        webidfederationdata: {
          federatedprovider: 'cognito',
          attributes: { 'cognito-identity.amazonaws.com:aud': 'x' },
        },
      },
    };
    const columns = ['EventID', 'useridentity', 'readonly', 'resources', 'requestparameters', 'responseelements', 'x'];
    const values = [
      'e-1',
      JSON.stringify(identity),
      'true',
      JSON.stringify([{ arn: 'arn:aws:s3:::bucket', accountid: '111122223333', type: 'AWS::S3::Bucket' }]),
      '{"bucketName":"bucket"}',
      null,
      'ignored',
    ];
    const { record } = recordFromRow(columns, values);
    expect(record).toEqual({
      eventID: 'e-1',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:alice@example.com',
        arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com',
        accountId: '111122223333',
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: {
          attributes: { mfaAuthenticated: 'false', creationDate: '2024-01-01T00:00:00Z' },
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
            accountId: '111122223333',
            userName: 'AWSReservedSSO_Admin_0123',
          },
          // A map's keys are data: kept as written.
          webIdFederationData: {
            federatedProvider: 'cognito',
            attributes: { 'cognito-identity.amazonaws.com:aud': 'x' },
          },
        },
      },
      readOnly: true,
      resources: [{ ARN: 'arn:aws:s3:::bucket', accountId: '111122223333', type: 'AWS::S3::Bucket' }],
      requestParameters: { bucketName: 'bucket' },
      // CloudTrail writes an empty response as null: so does the row.
      responseElements: null,
    });
  });

  test('text that is not JSON stays text; other booleans stay as written; SQL NULLs are left out', () => {
    const { record } = recordFromRow(
      ['requestparameters', 'additionaleventdata', 'readonly', 'errorcode', 'eventname'],
      ['{not json', null, 'maybe', null, 'GetObject'],
    );
    expect(record).toEqual({ requestParameters: '{not json', readOnly: 'maybe', eventName: 'GetObject' });
  });

  test('a `__proto__` field from the data is an own field, never the prototype', () => {
    const { record } = recordFromRow(['useridentity'], ['{"__proto__":{"polluted":true},"type":"Root"}']);
    const identity = record.userIdentity as Record<string, unknown>;
    expect(Object.getPrototypeOf(identity)).toBe(Object.prototype);
    expect(Object.hasOwn(identity, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(identity.type).toBe('Root');
  });

  test('Athena engine version 2 casts structs to arrays: the row says so and leaves them out', () => {
    const { record, positional } = recordFromRow(
      ['eventid', 'useridentity', 'resources'],
      ['e-2', '["IAMUser","AIDA",null]', '[["arn:aws:s3:::b","1","AWS::S3::Bucket"]]'],
    );
    expect(positional).toBe(true);
    expect(record).toEqual({ eventID: 'e-2' });
  });

  test('a hostile row never throws: bad JSON, deep nesting, wrong types', () => {
    const deep = `${'{"a":'.repeat(50)}1${'}'.repeat(50)}`;
    const rows: (string | null)[][] = [
      ['{', '[', 'null', '"text"'],
      [deep, deep, deep, deep],
      ['1', 'true', '[1,2]', '{"arn":5}'],
    ];
    for (const values of rows)
      expect(() => recordFromRow(['useridentity', 'resources', 'requestparameters', 'readonly'], values)).not.toThrow();
  });
});

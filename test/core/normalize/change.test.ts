import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { changeOf } from '../../../src/core/normalize/change.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { loadCorpus } from '../../helpers/corpora.js';

/** The first successful record of `eventName` in a corpus whose request parameters satisfy `where`. */
function real(corpus: 'invictus' | 'stratus', eventName: string, where: (request: string) => boolean = () => true) {
  const found = loadCorpus(corpus)
    .map(({ record }) => record as Record<string, unknown>)
    .find((r) => r.eventName === eventName && r.errorCode === undefined && where(JSON.stringify(r.requestParameters)));
  if (found === undefined) throw new Error(`no ${eventName} in ${corpus}`);
  return normalizeRecord(found).change;
}

describe('changeOf on real records', () => {
  test.each([
    ['invictus', 'AuthorizeSecurityGroupIngress', '"fromPort":22', 'tcp 22 from 0.0.0.0/0 (the internet)'],
    ['invictus', 'AuthorizeSecurityGroupIngress', '"fromPort":443', 'tcp 443 from 0.0.0.0/0 (the internet)'],
    ['invictus', 'AuthorizeSecurityGroupEgress', '', 'all traffic to 0.0.0.0/0, ::/0 (the internet)'],
    ['invictus', 'RevokeSecurityGroupIngress', '"fromPort":22', 'tcp 22 from 0.0.0.0/0 (the internet)'],
    ['invictus', 'RevokeSecurityGroupEgress', '"ipProtocol":"-1"', 'all traffic to 0.0.0.0/0 (the internet)'],
    ['stratus', 'AttachUserPolicy', 'AdministratorAccess', 'AdministratorAccess → user malicious-iam-user'],
    ['invictus', 'ModifySnapshotAttribute', '"add":{"items":[{"userId":"012345678912"', 'shared with 012345678912'],
    ['stratus', 'ModifySnapshotAttribute', '"add"', 'shared with 098797384747'],
    ['invictus', 'ModifyImageAttribute', '"remove"', 'unshared from 012345678901'],
    ['invictus', 'ModifyDBSnapshotAttribute', '"valuesToAdd":["193672423079"]', 'shared with 193672423079'],
    ['invictus', 'ModifyInstanceAttribute', 'disableApiTermination', 'termination protection off'],
  ] as const)('%s %s (%s) → %s', (corpus, eventName, where, expected) => {
    expect(real(corpus, eventName, (r) => r.includes(where))).toBe(expected);
  });

  test('a trust policy names who may now assume the role, a cross-account root included', () => {
    expect(real('stratus', 'UpdateAssumeRolePolicy', (r) => r.includes('193672423079'))).toBe(
      'role stratus-red-team-backdoor-r-role may now be assumed by ec2.amazonaws.com, arn:aws:iam::193672423079:root',
    );
  });

  test('an inline policy says what it allows', () => {
    expect(real('invictus', 'PutRolePolicy', (r) => r.includes('get-usr-data-role'))).toBe(
      'inline-policy on role stratus-red-team-get-usr-data-role allows ec2:DescribeInstances',
    );
  });

  test('a new access key names the key, from the response', () => {
    expect(real('stratus', 'CreateAccessKey', (r) => r.includes('malicious-iam-user'))).toMatch(
      /^new access key AKIA\w+ for user malicious-iam-user$/,
    );
  });
});

describe('changeOf', () => {
  test('failed calls and calls without a rule change nothing', () => {
    expect(
      changeOf('AttachUserPolicy', 'AccessDenied', { userName: 'x', policyArn: 'arn:aws:iam::aws:policy/A' }, null),
    ).toBeNull();
    expect(changeOf('DescribeInstances', null, {}, null)).toBeNull();
    expect(changeOf('__proto__', null, {}, null)).toBeNull();
  });

  test('a public bucket policy and a public snapshot say so', () => {
    expect(
      changeOf(
        'PutBucketPolicy',
        null,
        { bucketName: 'b', bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] } },
        null,
      ),
    ).toBe('b policy allows anyone (*) (public)');
    expect(
      changeOf(
        'ModifySnapshotAttribute',
        null,
        { createVolumePermission: { add: { items: [{ group: 'all' }] } } },
        null,
      ),
    ).toBe('shared with everyone (public)');
  });

  test('never throws, and caps what it returns', () => {
    const names = [
      'AuthorizeSecurityGroupIngress',
      'PutRolePolicy',
      'UpdateAssumeRolePolicy',
      'PutBucketPolicy',
      'ModifyImageAttribute',
      'PutEventSelectors',
      'ModifyInstanceAttribute',
      'PutPublicAccessBlock',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.jsonValue(), fc.jsonValue(), (name, request, response) => {
        const out = changeOf(name, null, request, response);
        return out === null || (typeof out === 'string' && out.length <= 300);
      }),
      { numRuns: 2000 },
    );
    expect(
      changeOf(
        'PutRolePolicy',
        null,
        { roleName: 'r', policyDocument: `{"Statement":[${'{"Effect":"Allow","Action":"x:y"},'.repeat(5000)}{}]}` },
        null,
      )?.length,
    ).toBeLessThanOrEqual(300);
  });
});

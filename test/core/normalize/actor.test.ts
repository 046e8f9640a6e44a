import { describe, expect, test } from '@jest/globals';
import { actorOf, identityTypeOf } from '../../../src/core/normalize/actor.js';
import type { Actor } from '../../../src/core/trail-record.js';

/** One row per userIdentity type (aws-slack-facts §2.2), modelled on documented and corpus records. */
const rows: { name: string; identity: unknown; expected: Actor }[] = [
  {
    name: 'IAMUser: the user name',
    identity: {
      type: 'IAMUser',
      principalId: 'AIDATFQR7NSC5AU2ZV3IE',
      arn: 'arn:aws:iam::123837392027:user/bert-jan',
      accountId: '123837392027',
      accessKeyId: 'AKIATFQR7NSC8Q4X20BJ',
      userName: 'bert-jan',
    },
    expected: {
      display: 'bert-jan',
      type: 'IAMUser',
      arn: 'arn:aws:iam::123837392027:user/bert-jan',
      session: null,
      via: null,
    },
  },
  {
    name: 'IAMUser without userName: the name part of the ARN (path stripped)',
    identity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/division/alice' },
    expected: {
      display: 'alice',
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/division/alice',
      session: null,
      via: null,
    },
  },
  {
    name: 'IAMUser whose call an AWS service made (S3 → KMS): invokedBy in via',
    identity: { type: 'IAMUser', userName: 'bert-jan', invokedBy: 'AWS Internal' },
    expected: { display: 'bert-jan', type: 'IAMUser', arn: null, session: null, via: 'AWS Internal' },
  },
  {
    name: 'failed sign-in with a wrong user name stays visible as such',
    identity: {
      type: 'IAMUser',
      principalId: '',
      accountId: '123456789012',
      accessKeyId: '',
      userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    },
    expected: { display: 'HIDDEN_DUE_TO_SECURITY_REASONS', type: 'IAMUser', arn: null, session: null, via: null },
  },
  {
    name: 'Root: `root`',
    identity: {
      type: 'Root',
      principalId: '123456789012',
      arn: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
      accessKeyId: '',
    },
    expected: { display: 'root', type: 'Root', arn: 'arn:aws:iam::123456789012:root', session: null, via: null },
  },
  {
    name: 'Root with an account alias in userName',
    identity: { type: 'Root', arn: 'arn:aws:iam::123456789012:root', userName: 'my-alias' },
    expected: {
      display: 'root (my-alias)',
      type: 'Root',
      arn: 'arn:aws:iam::123456789012:root',
      session: null,
      via: null,
    },
  },
  {
    name: 'Root whose userName is just `root`',
    identity: { type: 'Root', userName: 'root', invokedBy: 'signin.amazonaws.com' },
    expected: { display: 'root', type: 'Root', arn: null, session: null, via: 'signin.amazonaws.com' },
  },
  {
    name: 'AssumedRole: issuer role / session name',
    identity: {
      type: 'AssumedRole',
      principalId: 'AROATFQR7NSCWWVLB7BES:aws-go-sdk-1688990082523310002',
      arn: 'arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002',
      accountId: '123837392027',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROATFQR7NSCWWVLB7BES',
          arn: 'arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role',
          accountId: '123837392027',
          userName: 'stratus-red-team-ec2-get-password-data-role',
        },
        attributes: { creationDate: '2023-07-10T11:54:47Z', mfaAuthenticated: 'false' },
      },
    },
    expected: {
      display: 'stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002',
      session: 'aws-go-sdk-1688990082523310002',
      via: null,
    },
  },
  {
    name: 'AssumedRole without sessionContext: role and session from the ARN',
    identity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/jane' },
    expected: {
      display: 'Admin/jane',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/jane',
      session: 'jane',
      via: null,
    },
  },
  {
    name: 'AssumedRole with a mangled ARN: session from the principalId',
    identity: {
      type: 'AssumedRole',
      principalId: 'AROAEMHZD694LU95MUYOP:carol@example.com',
      arn: 'arn:aws:sts::844015365555:assumed-role/Deploy',
      sessionContext: { sessionIssuer: { userName: 'Deploy' } },
    },
    expected: {
      display: 'Deploy/carol@example.com',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::844015365555:assumed-role/Deploy',
      session: 'carol@example.com',
      via: null,
    },
  },
  {
    name: 'AssumedRole of an Identity Center permission set: the person, the permission set in via',
    identity: {
      type: 'AssumedRole',
      principalId: 'AROASXP6SDP2F4WLQVARB:alice@example.com',
      arn: 'arn:aws:sts::187901811700:assumed-role/AWSReservedSSO_DevAdmin_635426549a280cc6/alice@example.com',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::187901811700:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_635426549a280cc6',
          userName: 'AWSReservedSSO_DevAdmin_635426549a280cc6',
        },
      },
    },
    expected: {
      display: 'alice@example.com',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::187901811700:assumed-role/AWSReservedSSO_DevAdmin_635426549a280cc6/alice@example.com',
      session: 'alice@example.com',
      via: 'DevAdmin (Identity Center)',
    },
  },
  {
    name: 'AssumedRole under the Identity Center path without the usual prefix',
    identity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/testrole_34c15ddd84cb4648/tester@example.com',
      sessionContext: {
        sessionIssuer: {
          arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/us-east-1/testrole_34c15ddd84cb4648',
          userName: 'testrole_34c15ddd84cb4648',
        },
      },
    },
    expected: {
      display: 'tester@example.com',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/testrole_34c15ddd84cb4648/tester@example.com',
      session: 'tester@example.com',
      via: 'testrole_34c15ddd84cb4648 (Identity Center)',
    },
  },
  {
    name: 'AssumedRole with a source identity: the human behind the chain in via',
    identity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci-run-42',
      sessionContext: { sourceIdentity: 'alice', sessionIssuer: { userName: 'Deploy' } },
    },
    expected: {
      display: 'Deploy/ci-run-42',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci-run-42',
      session: 'ci-run-42',
      via: 'alice',
    },
  },
  {
    name: 'AssumedRole used by a service (invokedBy)',
    identity: {
      type: 'AssumedRole',
      principalId: 'AROATFQR7NSCRR66DMFTC:SLRManagement',
      arn: 'arn:aws:sts::123837392027:assumed-role/AWSServiceRoleForRDS/SLRManagement',
      sessionContext: { sessionIssuer: { userName: 'AWSServiceRoleForRDS' } },
      invokedBy: 'rds.amazonaws.com',
    },
    expected: {
      display: 'AWSServiceRoleForRDS/SLRManagement',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123837392027:assumed-role/AWSServiceRoleForRDS/SLRManagement',
      session: 'SLRManagement',
      via: 'rds.amazonaws.com',
    },
  },
  {
    name: 'AssumedRole by a service, with a source identity: both in via',
    identity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/Stack/s',
      invokedBy: 'cloudformation.amazonaws.com',
      sessionContext: { sourceIdentity: 'bob' },
    },
    expected: {
      display: 'Stack/s',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/Stack/s',
      session: 's',
      via: 'cloudformation.amazonaws.com, bob',
    },
  },
  {
    name: 'AssumedRole from web identity federation: the provider in via',
    identity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/GitHubDeploy/gha-123',
      sessionContext: {
        sessionIssuer: { userName: 'GitHubDeploy' },
        webIdFederationData: { federatedProvider: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' },
      },
    },
    expected: {
      display: 'GitHubDeploy/gha-123',
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/GitHubDeploy/gha-123',
      session: 'gha-123',
      via: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
    },
  },
  {
    name: 'Role: the role name',
    identity: { type: 'Role', arn: 'arn:aws:iam::1:role/service-role/Worker', principalId: 'AROAX' },
    expected: {
      display: 'Worker',
      type: 'Role',
      arn: 'arn:aws:iam::1:role/service-role/Worker',
      session: null,
      via: null,
    },
  },
  {
    name: 'FederatedUser: the federated name, the issuing user in via',
    identity: {
      type: 'FederatedUser',
      principalId: '742491224508:stratus_red_team',
      arn: 'arn:aws:sts::742491224508:federated-user/stratus_red_team',
      sessionContext: {
        sessionIssuer: { type: 'IAMUser', userName: 'stratus-red-team-user-federation-user' },
      },
    },
    expected: {
      display: 'stratus_red_team',
      type: 'FederatedUser',
      arn: 'arn:aws:sts::742491224508:federated-user/stratus_red_team',
      session: 'stratus_red_team',
      via: 'stratus-red-team-user-federation-user',
    },
  },
  {
    name: 'FederatedUser issued by root, no ARN: name from the principalId',
    identity: {
      type: 'FederatedUser',
      principalId: '123456789012:build-bot',
      sessionContext: { sessionIssuer: { type: 'Root' } },
    },
    expected: { display: 'build-bot', type: 'FederatedUser', arn: null, session: 'build-bot', via: 'root' },
  },
  {
    name: 'AWSService: invokedBy',
    identity: { type: 'AWSService', invokedBy: 'inspector2.amazonaws.com' },
    expected: { display: 'inspector2.amazonaws.com', type: 'AWSService', arn: null, session: null, via: null },
  },
  {
    name: 'AWSAccount: the account, the session after the principalId colon',
    identity: { type: 'AWSAccount', accountId: '111122223333', principalId: 'AROAEXAMPLE:lambda-name' },
    expected: { display: 'account 111122223333', type: 'AWSAccount', arn: null, session: 'lambda-name', via: null },
  },
  {
    name: 'AWSAccount without an account id: the principalId',
    identity: { type: 'AWSAccount', principalId: 'AIDAEXAMPLE' },
    expected: { display: 'AIDAEXAMPLE', type: 'AWSAccount', arn: null, session: null, via: null },
  },
  {
    name: 'SAMLUser: userName, the identity provider in via',
    identity: {
      type: 'SAMLUser',
      principalId: 'SampleUkh1i4+ExamplexL/jEvs=:SamlExample',
      userName: 'SamlExample',
      identityProvider: 'bdGOnTesti4+ExamplexL/jEvs=',
    },
    expected: {
      display: 'SamlExample',
      type: 'SAMLUser',
      arn: null,
      session: null,
      via: 'bdGOnTesti4+ExamplexL/jEvs=',
    },
  },
  {
    name: 'WebIdentityUser: userName, the identity provider in via',
    identity: {
      type: 'WebIdentityUser',
      principalId: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id',
      userName: 'user-id',
      identityProvider: 'accounts.google.com',
    },
    expected: { display: 'user-id', type: 'WebIdentityUser', arn: null, session: null, via: 'accounts.google.com' },
  },
  {
    name: 'IdentityCenterUser: idc:<userId>',
    identity: {
      type: 'IdentityCenterUser',
      accountId: '111122223333',
      onBehalfOf: {
        userId: '544894e8-80c1-707f-60e3-3ba6510dfac1',
        identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067642ac7',
      },
      credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
    },
    expected: {
      display: 'idc:544894e8-80c1-707f-60e3-3ba6510dfac1',
      type: 'IdentityCenterUser',
      arn: null,
      session: null,
      via: null,
    },
  },
  {
    name: 'IdentityCenterUser with a userName: the name',
    identity: { type: 'IdentityCenterUser', userName: 'alice', onBehalfOf: { userId: 'u-1' } },
    expected: { display: 'alice', type: 'IdentityCenterUser', arn: null, session: null, via: null },
  },
  {
    name: 'Directory: userName',
    identity: { type: 'Directory', accountId: '1', userName: 'workdocs-user' },
    expected: { display: 'workdocs-user', type: 'Directory', arn: null, session: null, via: null },
  },
  {
    name: 'Directory without a name: the account id',
    identity: { type: 'Directory', accountId: '123456789012' },
    expected: { display: '123456789012', type: 'Directory', arn: null, session: null, via: null },
  },
  {
    name: 'no type, a service event: invokedBy',
    identity: { accountId: '123837392027', invokedBy: 'secretsmanager.amazonaws.com' },
    expected: { display: 'secretsmanager.amazonaws.com', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'Unknown: userName',
    identity: { type: 'Unknown', principalId: 'internal-id', userName: 'victim display name' },
    expected: { display: 'victim display name', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'an unheard-of type is Unknown, named by its principalId',
    identity: { type: 'QuantumUser', principalId: 'QPID' },
    expected: { display: 'QPID', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'only an account id',
    identity: { accountId: 123456789012 },
    expected: { display: '123456789012', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'no userIdentity at all',
    identity: undefined,
    expected: { display: 'unknown', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'an array where the object should be',
    identity: [{ type: 'IAMUser', userName: 'x' }],
    expected: { display: 'unknown', type: 'Unknown', arn: null, session: null, via: null },
  },
  {
    name: 'wrong types and empty strings fall through to what is usable',
    identity: { type: 'IAMUser', userName: '', principalId: 42, arn: ['x'] },
    expected: { display: '42', type: 'IAMUser', arn: null, session: null, via: null },
  },
];

describe('actorOf', () => {
  test.each(rows)('$name', ({ identity, expected }) => {
    expect(actorOf(identity)).toEqual(expected);
  });

  test('a hostile 1 MB userName is capped', () => {
    const actor = actorOf({ type: 'IAMUser', userName: 'a'.repeat(1_000_000) });
    expect(actor.display.length).toBe(4096);
  });
});

describe('identityTypeOf', () => {
  test.each([
    ['AssumedRole', 'AssumedRole'],
    ['IdentityCenterUser', 'IdentityCenterUser'],
    ['assumedrole', 'Unknown'],
    [undefined, 'Unknown'],
    [7, 'Unknown'],
  ])('%p → %p', (value, expected) => {
    expect(identityTypeOf(value)).toBe(expected);
  });
});

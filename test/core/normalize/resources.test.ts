import { describe, expect, test } from '@jest/globals';
import { MAX_RESOURCES, resourcesOf } from '../../../src/core/normalize/resources.js';
import type { ResourceRef } from '../../../src/core/trail-record.js';

const ec2 = 'ec2.amazonaws.com';

/** One row per way a record names what it touched; shapes from the corpora. */
const rows: { name: string; record: Record<string, unknown>; expected: ResourceRef[] }[] = [
  {
    name: 'the resources block: name = the ARN, its type',
    record: {
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      requestParameters: { roleArn: 'arn:aws:iam::1:role/ignored-when-the-block-exists', roleSessionName: 's' },
      resources: [
        { accountId: '123837392027', type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::123837392027:role/r' },
        { accountId: '123837392027', ARN: 'arn:aws:ssm:us-east-1:123837392027:parameter/p' },
        { type: 'AWS::S3::Object', ARNPrefix: 'arn:aws:s3:::bucket/' },
        { arn: 'arn:aws:s3:::lowercase-key', type: 'AWS::S3::Bucket' },
        'junk',
        { type: 'AWS::S3::Bucket' },
      ],
    },
    expected: [
      { type: 'AWS::IAM::Role', name: 'arn:aws:iam::123837392027:role/r' },
      { type: null, name: 'arn:aws:ssm:us-east-1:123837392027:parameter/p' },
      { type: 'AWS::S3::Object', name: 'arn:aws:s3:::bucket/' },
      { type: 'AWS::S3::Bucket', name: 'arn:aws:s3:::lowercase-key' },
    ],
  },
  {
    name: 'EC2 instance ids from instancesSet',
    record: {
      eventSource: ec2,
      eventName: 'StopInstances',
      requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] }, force: false },
    },
    expected: [
      { type: 'AWS::EC2::Instance', name: 'i-1' },
      { type: 'AWS::EC2::Instance', name: 'i-2' },
    ],
  },
  {
    name: 'a plain instanceId',
    record: { eventSource: ec2, eventName: 'GetPasswordData', requestParameters: { instanceId: 'i-durz4ux740gjqvcm' } },
    expected: [{ type: 'AWS::EC2::Instance', name: 'i-durz4ux740gjqvcm' }],
  },
  {
    name: 'security groups: groupId, and the sets',
    record: {
      eventSource: ec2,
      eventName: 'DescribeSecurityGroups',
      requestParameters: {
        securityGroupIdSet: { items: [{ groupId: 'sg-1' }] },
        securityGroupSet: { items: [{ groupName: 'default' }] },
        filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: 'vpc-x' }] } }] },
      },
    },
    expected: [
      { type: 'AWS::EC2::SecurityGroup', name: 'sg-1' },
      { type: 'AWS::EC2::SecurityGroup', name: 'default' },
    ],
  },
  {
    name: 'AuthorizeSecurityGroupIngress',
    record: {
      eventSource: ec2,
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: {
        groupId: 'sg-04cfb7a4712d75b00',
        ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22 }] },
      },
    },
    expected: [{ type: 'AWS::EC2::SecurityGroup', name: 'sg-04cfb7a4712d75b00' }],
  },
  {
    name: 'volumes, snapshots, images, VPCs, subnets',
    record: {
      eventSource: ec2,
      eventName: 'Anything',
      requestParameters: {
        volumeSet: { items: [{ volumeId: 'vol-1' }] },
        snapshotId: 'snap-1',
        imagesSet: { items: [{ imageId: 'ami-1' }] },
        vpcId: 'vpc-1',
        subnetSet: { items: [{ subnetId: 'subnet-1' }] },
      },
    },
    expected: [
      { type: 'AWS::EC2::Volume', name: 'vol-1' },
      { type: 'AWS::EC2::Snapshot', name: 'snap-1' },
      { type: 'AWS::EC2::Ami', name: 'ami-1' },
      { type: 'AWS::EC2::VPC', name: 'vpc-1' },
      { type: 'AWS::EC2::Subnet', name: 'subnet-1' },
    ],
  },
  {
    name: 'RunInstances: the image asked for and the new instances returned',
    record: {
      eventSource: ec2,
      eventName: 'RunInstances',
      requestParameters: {
        instancesSet: { items: [{ imageId: 'ami-029eb80bc237bec6f', minCount: 1, maxCount: 1 }] },
        instanceType: 't3.micro',
      },
      responseElements: {
        instancesSet: {
          items: [
            {
              instanceId: 'i-0dbc91f429e48eeed',
              imageId: 'ami-029eb80bc237bec6f',
              instanceState: { code: 0, name: 'pending' },
            },
          ],
        },
      },
    },
    expected: [
      { type: 'AWS::EC2::Ami', name: 'ami-029eb80bc237bec6f' },
      { type: 'AWS::EC2::Instance', name: 'i-0dbc91f429e48eeed' },
    ],
  },
  {
    name: 'S3: the bucket and the object as bucket/key',
    record: {
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      requestParameters: { bucketName: 'mordors3stack-s3bucket', Host: 'x.s3.amazonaws.com', key: 'ring.txt' },
    },
    expected: [
      { type: 'AWS::S3::Bucket', name: 'mordors3stack-s3bucket' },
      { type: 'AWS::S3::Object', name: 'mordors3stack-s3bucket/ring.txt' },
    ],
  },
  {
    name: 'IAM: user, role, group, policy',
    record: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      requestParameters: {
        userName: 'stratus-red-team-user',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        roleName: 'r',
        groupName: 'admins',
      },
    },
    expected: [
      { type: 'AWS::IAM::User', name: 'stratus-red-team-user' },
      { type: 'AWS::IAM::Policy', name: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      { type: 'AWS::IAM::Role', name: 'r' },
      { type: 'AWS::IAM::Group', name: 'admins' },
    ],
  },
  {
    name: 'CreateAccessKey: the user and the new key id',
    record: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      requestParameters: { userName: 'backdoor' },
      responseElements: {
        accessKey: { userName: 'backdoor', accessKeyId: 'AKIA3SBEM4QSKES6Z5F9', status: 'Active', createDate: 'x' },
      },
    },
    expected: [
      { type: 'AWS::IAM::User', name: 'backdoor' },
      { type: 'AWS::IAM::AccessKey', name: 'AKIA3SBEM4QSKES6Z5F9' },
    ],
  },
  {
    name: 'Lambda function',
    record: {
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionCode20150331v2',
      requestParameters: { functionName: 'stratus-red-team-backdoor-f-func', publish: true },
    },
    expected: [{ type: 'AWS::Lambda::Function', name: 'stratus-red-team-backdoor-f-func' }],
  },
  {
    name: 'RDS instance, cluster, snapshot',
    record: {
      eventSource: 'rds.amazonaws.com',
      eventName: 'CreateDBSnapshot',
      requestParameters: {
        dBInstanceIdentifier: 'db-1',
        dBClusterIdentifier: 'cluster-1',
        dBSnapshotIdentifier: 'exfiltration',
        tags: [{ key: 'k', value: 'v' }],
      },
    },
    expected: [
      { type: 'AWS::RDS::DBInstance', name: 'db-1' },
      { type: 'AWS::RDS::DBCluster', name: 'cluster-1' },
      { type: 'AWS::RDS::DBSnapshot', name: 'exfiltration' },
    ],
  },
  {
    name: 'KMS key, only in KMS',
    record: { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', requestParameters: { keyId: 'alias/aws/s3' } },
    expected: [{ type: 'AWS::KMS::Key', name: 'alias/aws/s3' }],
  },
  {
    name: 'Secrets Manager secretId',
    record: {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:s-2aONLk' },
    },
    expected: [{ type: 'AWS::SecretsManager::Secret', name: 'arn:aws:secretsmanager:us-east-1:1:secret:s-2aONLk' }],
  },
  {
    name: 'SSM parameters by name and names',
    record: {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameters',
      requestParameters: { names: ['/credentials/a', '/credentials/b'], withDecryption: true },
    },
    expected: [
      { type: 'AWS::SSM::Parameter', name: '/credentials/a' },
      { type: 'AWS::SSM::Parameter', name: '/credentials/b' },
    ],
  },
  {
    name: "SSM's `name` is a document in the Document calls",
    record: {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetDocument',
      requestParameters: { name: 'AWS-RunShellScript' },
    },
    expected: [{ type: 'AWS::SSM::Document', name: 'AWS-RunShellScript' }],
  },
  {
    name: 'SSM SendCommand targets instances',
    record: {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'SendCommand',
      requestParameters: { instanceIds: ['i-0dbc91f429e48eeed'], documentName: 'AWS-RunShellScript' },
    },
    expected: [{ type: 'AWS::EC2::Instance', name: 'i-0dbc91f429e48eeed' }],
  },
  {
    name: 'CloudTrail trail name',
    record: {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'DeleteTrail',
      requestParameters: { name: 'stratus-red-team-ct-trail' },
    },
    expected: [{ type: 'AWS::CloudTrail::Trail', name: 'stratus-red-team-ct-trail' }],
  },
  {
    name: 'Auto Scaling group',
    record: {
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'SetDesiredCapacity',
      requestParameters: { autoScalingGroupName: 'web-asg', desiredCapacity: 10 },
    },
    expected: [{ type: 'AWS::AutoScaling::AutoScalingGroup', name: 'web-asg' }],
  },
  {
    name: "a name key of another service's is not a resource here",
    record: {
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetFederationToken',
      requestParameters: { name: 'x', userName: 'y' },
    },
    expected: [],
  },
  {
    name: 'duplicates are listed once',
    record: {
      eventSource: ec2,
      eventName: 'DescribeInstances',
      requestParameters: { instanceId: 'i-1', instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] } },
    },
    expected: [
      { type: 'AWS::EC2::Instance', name: 'i-1' },
      { type: 'AWS::EC2::Instance', name: 'i-2' },
    ],
  },
  {
    name: 'null requestParameters and responseElements',
    record: { eventSource: ec2, eventName: 'DescribeRegions', requestParameters: null, responseElements: null },
    expected: [],
  },
];

describe('resourcesOf', () => {
  test.each(rows)('$name', ({ record, expected }) => {
    expect(resourcesOf(record)).toEqual(expected);
  });

  test('a hostile record cannot make the list long', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ instanceId: `i-${i}` }));
    const resources = Array.from({ length: 100_000 }, (_, i) => ({ ARN: `arn:${i}` }));
    expect(resourcesOf({ eventSource: ec2, requestParameters: { instancesSet: { items } } })).toHaveLength(
      MAX_RESOURCES,
    );
    expect(resourcesOf({ resources })).toHaveLength(MAX_RESOURCES);
  });

  test.each([null, 'x', 42, [], { resources: 'not an array', requestParameters: [1, 2] }])('%p → []', (record) => {
    expect(resourcesOf(record)).toEqual([]);
  });
});

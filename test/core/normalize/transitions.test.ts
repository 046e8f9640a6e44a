import { describe, expect, test } from '@jest/globals';
import { TRANSITION_RULES, transitionsOf } from '../../../src/core/normalize/transitions.js';
import type { Transition } from '../../../src/core/trail-record.js';

/** One row per transition kind, the records shaped like the corpora's (or AWS's documented) ones. */
const rows: { kind: string; record: Record<string, unknown>; expected: Transition[] }[] = [
  {
    kind: 'ec2 instance state',
    record: {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'StopInstances',
      requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] }, force: false },
      responseElements: {
        requestId: 'c308a950-e43e-444e-afc1-EXAMPLE73e49',
        instancesSet: {
          items: [
            {
              instanceId: 'i-1',
              currentState: { code: 64, name: 'stopping' },
              previousState: { code: 16, name: 'running' },
            },
            {
              instanceId: 'i-2',
              currentState: { code: 64, name: 'stopping' },
              previousState: { code: 16, name: 'running' },
            },
          ],
        },
      },
    },
    expected: [
      { resource: 'i-1', from: 'running', to: 'stopping' },
      { resource: 'i-2', from: 'running', to: 'stopping' },
    ],
  },
  {
    kind: 'ec2 instance launch',
    record: {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      responseElements: {
        reservationId: 'r-0ac0088de73525c3c',
        instancesSet: {
          items: [
            { instanceId: 'i-0dbc91f429e48eeed', instanceState: { code: 0, name: 'pending' } },
            { instanceId: 'i-0abc', instanceState: { code: 0, name: 'pending' } },
          ],
        },
      },
    },
    expected: [
      { resource: 'i-0dbc91f429e48eeed', from: null, to: 'pending' },
      { resource: 'i-0abc', from: null, to: 'pending' },
    ],
  },
  {
    kind: 'rds instance status',
    record: {
      eventSource: 'rds.amazonaws.com',
      eventName: 'StopDBInstance',
      requestParameters: { dBInstanceIdentifier: 'orders-db' },
      responseElements: { dBInstanceIdentifier: 'orders-db', dBInstanceStatus: 'stopping' },
    },
    expected: [{ resource: 'orders-db', from: null, to: 'stopping' }],
  },
  {
    kind: 'rds cluster status',
    record: {
      eventSource: 'rds.amazonaws.com',
      eventName: 'FailoverDBCluster',
      requestParameters: {
        dBClusterIdentifier: 'aurora-cluster-prod',
        targetDBInstanceIdentifier: 'aurora-instance-2',
      },
      responseElements: { dBClusterIdentifier: 'aurora-cluster-prod', status: 'failing-over' },
    },
    expected: [{ resource: 'aurora-cluster-prod', from: null, to: 'failing-over' }],
  },
  {
    kind: 'rds snapshot status',
    record: {
      eventSource: 'rds.amazonaws.com',
      eventName: 'CreateDBSnapshot',
      requestParameters: { dBInstanceIdentifier: 'db-1', dBSnapshotIdentifier: 'exfiltration' },
      responseElements: { dBSnapshotIdentifier: 'exfiltration', dBInstanceIdentifier: 'db-1', status: 'creating' },
    },
    expected: [{ resource: 'exfiltration', from: null, to: 'creating' }],
  },
  {
    kind: 'rds cluster snapshot status',
    record: {
      eventSource: 'rds.amazonaws.com',
      eventName: 'DeleteDBClusterSnapshot',
      requestParameters: { dBClusterSnapshotIdentifier: 'aurora-cluster-backup-2024' },
      responseElements: { dBClusterSnapshotIdentifier: 'aurora-cluster-backup-2024', status: 'deleted' },
    },
    expected: [{ resource: 'aurora-cluster-backup-2024', from: null, to: 'deleted' }],
  },
  {
    kind: 'auto scaling instance lifecycle',
    record: {
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'EnterStandby',
      requestParameters: {
        instanceIds: ['i-061c63c5eb45f0416'],
        autoScalingGroupName: 'my-asg',
        shouldDecrementDesiredCapacity: true,
      },
      responseElements: {
        activities: [
          {
            activityId: 'ffa056b4-6ed3-41ba-ae7c-249dfae6eba1',
            autoScalingGroupName: 'my-asg',
            description: 'Moving EC2 instance to Standby: i-061c63c5eb45f0416',
            statusCode: 'InProgress',
            progress: 50,
          },
        ],
      },
    },
    expected: [{ resource: 'i-061c63c5eb45f0416', from: 'InService', to: 'EnteringStandby' }],
  },
  {
    kind: 'auto scaling capacity',
    record: {
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'SetDesiredCapacity',
      requestParameters: { autoScalingGroupName: 'web-asg', desiredCapacity: 10, honorCooldown: false },
      responseElements: null,
    },
    expected: [{ resource: 'web-asg', from: null, to: 'desired capacity 10' }],
  },
  {
    kind: 'cloudtrail logging',
    record: {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      requestParameters: { name: 'arn:aws:cloudtrail:us-west-2:123456789012:trail/example-trail' },
      responseElements: null,
    },
    expected: [
      {
        resource: 'arn:aws:cloudtrail:us-west-2:123456789012:trail/example-trail',
        from: 'logging on',
        to: 'logging off',
      },
    ],
  },
];

describe('transitionsOf', () => {
  test.each(rows)('$kind', ({ record, expected }) => {
    expect(transitionsOf(record)).toEqual(expected);
  });

  test('every rule has a row above', () => {
    expect(new Set(rows.map((row) => row.kind))).toEqual(new Set(TRANSITION_RULES.map((rule) => rule.kind)));
  });

  test.each([
    [
      'StartInstances: stopped → pending',
      {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'StartInstances',
        responseElements: {
          instancesSet: {
            items: [
              {
                instanceId: 'i-A',
                currentState: { code: 0, name: 'pending' },
                previousState: { code: 80, name: 'stopped' },
              },
            ],
          },
        },
      },
      [{ resource: 'i-A', from: 'stopped', to: 'pending' }],
    ],
    [
      'TerminateInstances: running → shutting-down',
      {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'TerminateInstances',
        responseElements: {
          instancesSet: {
            items: [
              {
                instanceId: 'i-B',
                currentState: { code: 32, name: 'shutting-down' },
                previousState: { code: 16, name: 'running' },
              },
            ],
          },
        },
      },
      [{ resource: 'i-B', from: 'running', to: 'shutting-down' }],
    ],
    [
      'a pipeline that writes `item` for `items`',
      {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'StopInstances',
        responseElements: {
          instancesSet: {
            item: [{ instanceId: 'i-C', currentState: { name: 'stopping' }, previousState: { name: 'running' } }],
          },
        },
      },
      [{ resource: 'i-C', from: 'running', to: 'stopping' }],
    ],
    [
      'StartLogging: logging off → logging on',
      { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLogging', requestParameters: { name: 'main' } },
      [{ resource: 'main', from: 'logging off', to: 'logging on' }],
    ],
    [
      'UpdateAutoScalingGroup: every capacity it sets',
      {
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'UpdateAutoScalingGroup',
        requestParameters: { autoScalingGroupName: 'web-asg', minSize: 1, maxSize: 10, desiredCapacity: 3 },
      },
      [{ resource: 'web-asg', from: null, to: 'desired capacity 3, min 1, max 10' }],
    ],
    [
      'UpdateAutoScalingGroup changing no capacity: nothing',
      {
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'UpdateAutoScalingGroup',
        requestParameters: { autoScalingGroupName: 'web-asg', launchTemplate: { launchTemplateId: 'lt-1' } },
      },
      [],
    ],
    [
      'TerminateInstanceInAutoScalingGroup: → Terminating',
      {
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'TerminateInstanceInAutoScalingGroup',
        requestParameters: { instanceId: 'i-D', shouldDecrementDesiredCapacity: false },
        responseElements: {
          activity: { description: 'Terminating EC2 instance: i-D', statusCode: 'InProgress' },
        },
      },
      [{ resource: 'i-D', from: null, to: 'Terminating' }],
    ],
    [
      'DetachInstances whose activity failed: nothing for that instance',
      {
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'DetachInstances',
        requestParameters: { instanceIds: ['i-E', 'i-F'], autoScalingGroupName: 'g' },
        responseElements: {
          activities: [
            { description: 'Detaching EC2 instance: i-E', statusCode: 'Failed' },
            { description: 'Detaching EC2 instance: i-F', statusCode: 'InProgress' },
          ],
        },
      },
      [{ resource: 'i-F', from: null, to: 'Detaching' }],
    ],
    [
      'ExitStandby: Standby → Pending',
      {
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'ExitStandby',
        requestParameters: { instanceIds: ['i-G'], autoScalingGroupName: 'g' },
        responseElements: {
          activities: [{ description: 'Moving EC2 instance out of Standby: i-G', statusCode: 'PreInService' }],
        },
      },
      [{ resource: 'i-G', from: 'Standby', to: 'Pending' }],
    ],
    [
      'a failed call changes nothing',
      {
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        errorCode: 'TrailNotFoundException',
        requestParameters: { name: 'stratus-red-team-ct-stop-trail-qzbgnfqisx' },
      },
      [],
    ],
    [
      'a failed StopInstances has no response and no transition',
      {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'StopInstances',
        errorCode: 'Client.UnauthorizedOperation',
        requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }] } },
        responseElements: null,
      },
      [],
    ],
    [
      'the same event name from another service is not a transition',
      { eventSource: 'kms.amazonaws.com', eventName: 'StartLogging', requestParameters: { name: 'x' } },
      [],
    ],
    [
      'a state without a name is skipped; a missing previous state is null',
      {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'StopInstances',
        responseElements: {
          instancesSet: {
            items: [
              { instanceId: 'i-1', currentState: { code: 64 } },
              { instanceId: 'i-2', currentState: { name: 'stopping' } },
              { currentState: { name: 'stopping' } },
              'junk',
            ],
          },
        },
      },
      [{ resource: 'i-2', from: null, to: 'stopping' }],
    ],
  ])('%s', (_name, record, expected) => {
    expect(transitionsOf(record)).toEqual(expected);
  });

  test('a hostile response with 100 000 instances yields at most 50 transitions', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({
      instanceId: `i-${i}`,
      currentState: { name: 'stopping' },
      previousState: { name: 'running' },
    }));
    const record = {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'StopInstances',
      responseElements: { instancesSet: { items } },
    };
    expect(transitionsOf(record)).toHaveLength(50);
  });
});

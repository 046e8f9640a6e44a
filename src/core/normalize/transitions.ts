/**
 * State transitions a successful call caused (DESIGN.md "The summary"): a resource's timeline reads as a
 * chain of them. One row per kind in TRANSITION_RULES, so adding a kind is adding a row:
 * - EC2 Start/Stop/Terminate: `previousState.name → currentState.name` per `responseElements.instancesSet` item
 *   (aws-slack-facts §2.6); RunInstances: `null → instanceState.name` (normally `pending`) per new instance.
 * - RDS: the status the response carries, `null → dBInstanceStatus` for instances, `null → status` for
 *   clusters and snapshots (CloudTrail writes these keys in this casing: `dBInstanceStatus`, `status`).
 * - Auto Scaling: the lifecycle state an instance enters (EnterStandby → `EnteringStandby`, …), unless the
 *   response's activity for it failed; capacity changes as `null → desired capacity N` (and min/max).
 * - CloudTrail: StopLogging `logging on → logging off`, StartLogging the reverse: security teams care.
 * A failed call (errorCode) changes nothing and yields no transition.
 */
import type { Transition } from '../trail-record.js';
import { arr, cap, MAX_SCAN, type Obj, obj, setItems, str } from './accessors.js';

export const MAX_TRANSITIONS = 50;
/** States are short words; a longer value is cut to this. */
const MAX_STATE = 128;

/** The parts of a record a rule reads. */
export interface TransitionInput {
  eventSource: string;
  eventName: string;
  errorCode: string | null;
  requestParameters: unknown;
  responseElements: unknown;
}

export interface TransitionRule {
  /** What the row is about, for tests and readers. */
  kind: string;
  eventSource: string;
  eventNames: readonly string[];
  /** Adds the transitions of one successful call to `out` (never more than MAX_TRANSITIONS in all). */
  extract(request: Obj | null, response: Obj | null, eventName: string, out: Transition[]): void;
}

export const TRANSITION_RULES: readonly TransitionRule[] = [
  {
    kind: 'ec2 instance state',
    eventSource: 'ec2.amazonaws.com',
    eventNames: ['StartInstances', 'StopInstances', 'TerminateInstances'],
    extract: (_request, response, _eventName, out) => {
      for (const item of instanceItems(response)) {
        const to = stateName(item.currentState);
        const resource = str(item.instanceId);
        if (resource !== null && to !== null) add(out, resource, stateName(item.previousState), to);
      }
    },
  },
  {
    kind: 'ec2 instance launch',
    eventSource: 'ec2.amazonaws.com',
    eventNames: ['RunInstances'],
    extract: (_request, response, _eventName, out) => {
      for (const item of instanceItems(response)) {
        const resource = str(item.instanceId);
        if (resource !== null) add(out, resource, null, stateName(item.instanceState) ?? 'pending');
      }
    },
  },
  {
    kind: 'rds instance status',
    eventSource: 'rds.amazonaws.com',
    eventNames: [
      'CreateDBInstance',
      'CreateDBInstanceReadReplica',
      'DeleteDBInstance',
      'ModifyDBInstance',
      'RebootDBInstance',
      'StartDBInstance',
      'StopDBInstance',
      'RestoreDBInstanceFromDBSnapshot',
      'RestoreDBInstanceToPointInTime',
      'PromoteReadReplica',
    ],
    extract: (request, response, _eventName, out) => {
      statusOf(response, request, 'dBInstanceIdentifier', 'dBInstanceStatus', out);
    },
  },
  {
    kind: 'rds cluster status',
    eventSource: 'rds.amazonaws.com',
    eventNames: [
      'CreateDBCluster',
      'DeleteDBCluster',
      'ModifyDBCluster',
      'RebootDBCluster',
      'StartDBCluster',
      'StopDBCluster',
      'FailoverDBCluster',
      'RestoreDBClusterFromSnapshot',
      'RestoreDBClusterToPointInTime',
    ],
    extract: (request, response, _eventName, out) => {
      statusOf(response, request, 'dBClusterIdentifier', 'status', out);
    },
  },
  {
    kind: 'rds snapshot status',
    eventSource: 'rds.amazonaws.com',
    eventNames: ['CreateDBSnapshot', 'CopyDBSnapshot', 'DeleteDBSnapshot'],
    extract: (request, response, _eventName, out) => {
      statusOf(response, request, 'dBSnapshotIdentifier', 'status', out);
    },
  },
  {
    kind: 'rds cluster snapshot status',
    eventSource: 'rds.amazonaws.com',
    eventNames: ['CreateDBClusterSnapshot', 'CopyDBClusterSnapshot', 'DeleteDBClusterSnapshot'],
    extract: (request, response, _eventName, out) => {
      statusOf(response, request, 'dBClusterSnapshotIdentifier', 'status', out);
    },
  },
  {
    kind: 'auto scaling instance lifecycle',
    eventSource: 'autoscaling.amazonaws.com',
    eventNames: ['EnterStandby', 'ExitStandby', 'DetachInstances', 'TerminateInstanceInAutoScalingGroup'],
    extract: (request, response, eventName, out) => {
      const lifecycle = LIFECYCLE.get(eventName);
      if (lifecycle === undefined || request === null) return;
      // EnterStandby & co answer `activities: [...]`; TerminateInstanceInAutoScalingGroup one `activity`.
      const one = obj(response?.activity) ?? obj(response?.Activity);
      const activities = arr(response?.activities) ?? arr(response?.Activities) ?? (one === null ? null : [one]);
      const single = str(request.instanceId);
      const ids = single !== null ? [single] : (arr(request.instanceIds) ?? []);
      const n = Math.min(ids.length, MAX_SCAN);
      for (let i = 0; i < n; i++) {
        const id = str(ids[i]);
        if (id !== null && !activityFailed(activities, id)) add(out, id, lifecycle[0], lifecycle[1]);
      }
    },
  },
  {
    kind: 'auto scaling capacity',
    eventSource: 'autoscaling.amazonaws.com',
    eventNames: ['SetDesiredCapacity', 'UpdateAutoScalingGroup', 'CreateAutoScalingGroup'],
    extract: (request, _response, _eventName, out) => {
      const group = str(request?.autoScalingGroupName);
      if (group === null || request === null) return;
      const parts: string[] = [];
      const desired = str(request.desiredCapacity);
      if (desired !== null) parts.push(`desired capacity ${desired}`);
      const min = str(request.minSize);
      if (min !== null) parts.push(`min ${min}`);
      const max = str(request.maxSize);
      if (max !== null) parts.push(`max ${max}`);
      if (parts.length > 0) add(out, group, null, parts.join(', '));
    },
  },
  {
    kind: 'cloudtrail logging',
    eventSource: 'cloudtrail.amazonaws.com',
    eventNames: ['StopLogging', 'StartLogging'],
    extract: (request, _response, eventName, out) => {
      const trail = str(request?.name);
      if (trail === null) return;
      if (eventName === 'StopLogging') add(out, trail, 'logging on', 'logging off');
      else add(out, trail, 'logging off', 'logging on');
    },
  },
];

/** Auto Scaling lifecycle states (LifecycleState): what an instance leaves (null: any) and enters. */
const LIFECYCLE: ReadonlyMap<string, readonly [from: string | null, to: string]> = new Map([
  ['EnterStandby', ['InService', 'EnteringStandby']],
  ['ExitStandby', ['Standby', 'Pending']],
  ['DetachInstances', [null, 'Detaching']],
  ['TerminateInstanceInAutoScalingGroup', [null, 'Terminating']],
] as const);

/** The rules by eventSource, then eventName, built once: most records stop at the first lookup. */
const RULES: ReadonlyMap<string, ReadonlyMap<string, TransitionRule>> = indexRules(TRANSITION_RULES);

function indexRules(rules: readonly TransitionRule[]): Map<string, Map<string, TransitionRule>> {
  const bySource = new Map<string, Map<string, TransitionRule>>();
  for (const rule of rules) {
    let byName = bySource.get(rule.eventSource);
    if (byName === undefined) {
      byName = new Map();
      bySource.set(rule.eventSource, byName);
    }
    for (const name of rule.eventNames) byName.set(name, rule);
  }
  return bySource;
}

const NO_ITEMS: readonly Obj[] = Object.freeze([]);

/** The transitions of a raw record. */
export function transitionsOf(record: unknown): Transition[] {
  const r = obj(record);
  if (r === null) return [];
  return collectTransitions({
    eventSource: str(r.eventSource) ?? '',
    eventName: str(r.eventName) ?? '',
    errorCode: str(r.errorCode),
    requestParameters: r.requestParameters,
    responseElements: r.responseElements,
  });
}

export function collectTransitions(input: TransitionInput): Transition[] {
  if (input.errorCode !== null) return [];
  const rule = RULES.get(input.eventSource)?.get(input.eventName);
  if (rule === undefined) return [];
  const out: Transition[] = [];
  rule.extract(obj(input.requestParameters), obj(input.responseElements), input.eventName, out);
  return out;
}

/** The instance items of `responseElements.instancesSet` (EC2), as objects. */
function instanceItems(response: Obj | null): readonly Obj[] {
  const items = setItems(response?.instancesSet);
  if (items === null) return NO_ITEMS;
  const found: Obj[] = [];
  const n = Math.min(items.length, MAX_SCAN);
  for (let i = 0; i < n; i++) {
    const item = obj(items[i]);
    if (item !== null) found.push(item);
  }
  return found;
}

/** `{code: 16, name: "running"}` → `running`. */
function stateName(state: unknown): string | null {
  const name = str(obj(state)?.name);
  return name === null ? null : cap(name, MAX_STATE);
}

/** `null → <response[statusKey]>` for the resource named by `idKey` in the response (else the request). */
function statusOf(response: Obj | null, request: Obj | null, idKey: string, statusKey: string, out: Transition[]) {
  if (response === null) return;
  const status = str(response[statusKey]);
  const resource = str(response[idKey]) ?? str(request?.[idKey]);
  if (status !== null && resource !== null) add(out, resource, null, cap(status, MAX_STATE));
}

/** Whether the response's activity for `instanceId` (its description names the instance) failed. */
function activityFailed(activities: readonly unknown[] | null, instanceId: string): boolean {
  if (activities === null) return false;
  const n = Math.min(activities.length, MAX_SCAN);
  for (let i = 0; i < n; i++) {
    const activity = obj(activities[i]);
    if (activity === null) continue;
    const description = str(activity.description) ?? str(activity.Description);
    if (description === null || description.indexOf(instanceId) < 0) continue;
    const status = str(activity.statusCode) ?? str(activity.StatusCode);
    return status === 'Failed' || status === 'Cancelled';
  }
  return false;
}

function add(out: Transition[], resource: string, from: string | null, to: string): void {
  if (out.length < MAX_TRANSITIONS) out.push({ resource, from, to });
}

/**
 * Which resources a call touched. From the record's `resources[]` block (`{ARN, type}`, name = the ARN)
 * where it has one; otherwise from requestParameters, by the parameter names each service uses for its
 * ids (`instanceId`, `groupId`, `bucketName`, `roleName`, …, including EC2's `…Set.items[]` lists). Plus,
 * always, what a create call returns: RunInstances' new instance ids, CreateAccessKey's key id, … .
 * Types are CloudTrail's Event history types (`AWS::EC2::Instance`) where known, else null. Deduplicated
 * by name and capped, so a hostile record cannot make the list (or the loops) large.
 */
import type { ResourceRef } from '../trail-record.js';
import { arr, cap, MAX_SCAN, MAX_TEXT, type Obj, obj, setItems, str } from './accessors.js';

export const MAX_RESOURCES = 50;

const T = {
  instance: 'AWS::EC2::Instance',
  securityGroup: 'AWS::EC2::SecurityGroup',
  volume: 'AWS::EC2::Volume',
  snapshot: 'AWS::EC2::Snapshot',
  ami: 'AWS::EC2::Ami',
  vpc: 'AWS::EC2::VPC',
  subnet: 'AWS::EC2::Subnet',
  networkInterface: 'AWS::EC2::NetworkInterface',
  internetGateway: 'AWS::EC2::InternetGateway',
  routeTable: 'AWS::EC2::RouteTable',
  networkAcl: 'AWS::EC2::NetworkAcl',
  eip: 'AWS::EC2::EIP',
  launchTemplate: 'AWS::EC2::LaunchTemplate',
  bucket: 'AWS::S3::Bucket',
  object: 'AWS::S3::Object',
  iamUser: 'AWS::IAM::User',
  iamRole: 'AWS::IAM::Role',
  iamGroup: 'AWS::IAM::Group',
  iamPolicy: 'AWS::IAM::Policy',
  accessKey: 'AWS::IAM::AccessKey',
  instanceProfile: 'AWS::IAM::InstanceProfile',
  function: 'AWS::Lambda::Function',
  dbInstance: 'AWS::RDS::DBInstance',
  dbCluster: 'AWS::RDS::DBCluster',
  dbSnapshot: 'AWS::RDS::DBSnapshot',
  dbClusterSnapshot: 'AWS::RDS::DBClusterSnapshot',
  kmsKey: 'AWS::KMS::Key',
  secret: 'AWS::SecretsManager::Secret',
  parameter: 'AWS::SSM::Parameter',
  document: 'AWS::SSM::Document',
  trail: 'AWS::CloudTrail::Trail',
  autoScalingGroup: 'AWS::AutoScaling::AutoScalingGroup',
  logGroup: 'AWS::Logs::LogGroup',
  repository: 'AWS::ECR::Repository',
  table: 'AWS::DynamoDB::Table',
  stack: 'AWS::CloudFormation::Stack',
} as const;

/** Parameter names that mean the same resource in every service. `null`: a resource of no known type. */
const ANY_SERVICE: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ['instanceId', T.instance],
  ['instanceIds', T.instance],
  ['volumeId', T.volume],
  ['snapshotId', T.snapshot],
  ['imageId', T.ami],
  ['vpcId', T.vpc],
  ['subnetId', T.subnet],
  ['networkInterfaceId', T.networkInterface],
  ['internetGatewayId', T.internetGateway],
  ['routeTableId', T.routeTable],
  ['networkAclId', T.networkAcl],
  ['allocationId', T.eip],
  ['launchTemplateId', T.launchTemplate],
  ['bucketName', T.bucket],
  ['functionName', T.function],
  ['dBInstanceIdentifier', T.dbInstance],
  ['dBClusterIdentifier', T.dbCluster],
  ['dBSnapshotIdentifier', T.dbSnapshot],
  ['dBClusterSnapshotIdentifier', T.dbClusterSnapshot],
  ['secretId', T.secret],
  ['autoScalingGroupName', T.autoScalingGroup],
  ['logGroupName', T.logGroup],
  ['repositoryName', T.repository],
  ['tableName', T.table],
  ['stackName', T.stack],
  ['resourceArn', null],
]);

/** Parameter names whose meaning depends on the service (`groupName`: IAM group or security group). */
const BY_SERVICE: ReadonlyMap<string, ReadonlyMap<string, string | null>> = new Map<
  string,
  ReadonlyMap<string, string | null>
>([
  [
    'ec2.amazonaws.com',
    new Map([
      ['groupId', T.securityGroup],
      ['groupName', T.securityGroup],
    ]),
  ],
  [
    'iam.amazonaws.com',
    new Map([
      ['userName', T.iamUser],
      ['roleName', T.iamRole],
      ['groupName', T.iamGroup],
      ['policyArn', T.iamPolicy],
      ['accessKeyId', T.accessKey],
      ['instanceProfileName', T.instanceProfile],
    ]),
  ],
  ['sts.amazonaws.com', new Map([['roleArn', T.iamRole]])],
  [
    's3.amazonaws.com',
    new Map([
      ['bucket', T.bucket],
      ['key', T.object],
    ]),
  ],
  [
    'kms.amazonaws.com',
    new Map([
      ['keyId', T.kmsKey],
      ['targetKeyId', T.kmsKey],
    ]),
  ],
  ['secretsmanager.amazonaws.com', new Map([['name', T.secret]])],
  [
    'ssm.amazonaws.com',
    new Map([
      ['name', T.parameter],
      ['names', T.parameter],
      ['target', T.instance],
    ]),
  ],
  [
    'cloudtrail.amazonaws.com',
    new Map([
      ['name', T.trail],
      ['trailName', T.trail],
      ['trailNameList', T.trail],
    ]),
  ],
]);

/** What create calls return: the event, the path to the new id in responseElements (`*`: EC2 set items), its type. */
const CREATED: ReadonlyMap<string, readonly [path: readonly string[], type: string]> = new Map([
  ['RunInstances', [['instancesSet', '*', 'instanceId'], T.instance]],
  ['CreateAccessKey', [['accessKey', 'accessKeyId'], T.accessKey]],
  ['CreateSecurityGroup', [['groupId'], T.securityGroup]],
  ['CreateVolume', [['volumeId'], T.volume]],
  ['CreateSnapshot', [['snapshotId'], T.snapshot]],
  ['CreateImage', [['imageId'], T.ami]],
  ['CopyImage', [['imageId'], T.ami]],
  ['RegisterImage', [['imageId'], T.ami]],
  ['CreateVpc', [['vpc', 'vpcId'], T.vpc]],
  ['CreateSubnet', [['subnet', 'subnetId'], T.subnet]],
  ['AllocateAddress', [['allocationId'], T.eip]],
  ['CreateInternetGateway', [['internetGateway', 'internetGatewayId'], T.internetGateway]],
  ['CreateNetworkInterface', [['networkInterface', 'networkInterfaceId'], T.networkInterface]],
  ['CreateLaunchTemplate', [['launchTemplate', 'launchTemplateId'], T.launchTemplate]],
  ['CreateKey', [['keyMetadata', 'keyId'], T.kmsKey]],
]);

/** The parts of a record this module reads. */
export interface ResourceInput {
  eventSource: string;
  eventName: string;
  resources: unknown;
  requestParameters: unknown;
  responseElements: unknown;
}

/** The resources of a raw record. */
export function resourcesOf(record: unknown): ResourceRef[] {
  const r = obj(record);
  if (r === null) return [];
  return collectResources({
    eventSource: str(r.eventSource) ?? '',
    eventName: str(r.eventName) ?? '',
    resources: r.resources,
    requestParameters: r.requestParameters,
    responseElements: r.responseElements,
  });
}

export function collectResources(input: ResourceInput): ResourceRef[] {
  const out: ResourceRef[] = [];
  const listed = arr(input.resources);
  if (listed !== null && listed.length > 0) fromResourcesBlock(listed, out);
  else {
    const request = obj(input.requestParameters);
    if (request !== null) fromRequest(request, input.eventSource, input.eventName, out);
  }
  const created = CREATED.get(input.eventName);
  const response = obj(input.responseElements);
  if (created !== undefined && response !== null) fromPath(response, created[0], 0, created[1], out);
  return out;
}

function fromResourcesBlock(listed: readonly unknown[], out: ResourceRef[]): void {
  const n = Math.min(listed.length, MAX_SCAN);
  for (let i = 0; i < n; i++) {
    const entry = obj(listed[i]);
    if (entry === null) continue;
    const name = str(entry.ARN) ?? str(entry.arn) ?? str(entry.ARNPrefix);
    if (name !== null) add(out, name, str(entry.type));
  }
}

function fromRequest(request: Obj, eventSource: string, eventName: string, out: ResourceRef[]): void {
  const service = BY_SERVICE.get(eventSource);
  let scanned = 0;
  for (const key in request) {
    if (++scanned > MAX_SCAN) break;
    const value = request[key];
    const type = typeFor(key, service, eventName);
    if (type !== undefined) {
      if (type === T.object) addObject(request, value, out);
      else addNames(value, type, out);
    } else if (key.endsWith('Set')) {
      // EC2 lists: `instancesSet: {items: [{instanceId}]}`, `groupSet: {items: [{groupId}]}`, …
      const items = setItems(value);
      if (items === null) continue;
      const n = Math.min(items.length, MAX_SCAN);
      for (let i = 0; i < n; i++) {
        const item = obj(items[i]);
        if (item === null) continue;
        let fields = 0;
        for (const itemKey in item) {
          if (++fields > MAX_SCAN) break;
          const itemType = typeFor(itemKey, service, eventName);
          if (itemType !== undefined && itemType !== T.object) addNames(item[itemKey], itemType, out);
        }
      }
    }
  }
}

/** The type a parameter name stands for in this call, or undefined where it names no resource. */
function typeFor(
  key: string,
  service: ReadonlyMap<string, string | null> | undefined,
  eventName: string,
): string | null | undefined {
  const type = service?.get(key) ?? ANY_SERVICE.get(key);
  // SSM's `name` is a parameter in the *Parameter* calls and a document in the *Document* ones.
  if (type === T.parameter && key === 'name' && eventName.indexOf('Parameter') < 0) {
    return eventName.indexOf('Document') >= 0 ? T.document : undefined;
  }
  return type;
}

/** A string, or each string of an array. */
function addNames(value: unknown, type: string | null, out: ResourceRef[]): void {
  const one = str(value);
  if (one !== null) {
    add(out, one, type);
    return;
  }
  const many = arr(value);
  if (many === null) return;
  const n = Math.min(many.length, MAX_SCAN);
  for (let i = 0; i < n; i++) {
    const name = str(many[i]);
    if (name !== null) add(out, name, type);
  }
}

/** An S3 object as `<bucket>/<key>`, the way the object's ARN names it. */
function addObject(request: Obj, key: unknown, out: ResourceRef[]): void {
  const name = str(key);
  if (name === null) return;
  const bucket = str(request.bucketName) ?? str(request.bucket);
  add(out, bucket === null ? name : cap(`${bucket}/${name}`, MAX_TEXT), T.object);
}

function fromPath(at: Obj, path: readonly string[], step: number, type: string, out: ResourceRef[]): void {
  const key = path[step];
  if (key === undefined) return;
  const last = step === path.length - 1;
  if (key === '*') {
    const items = setItems(at);
    if (items === null) return;
    const n = Math.min(items.length, MAX_SCAN);
    for (let i = 0; i < n; i++) {
      const item = obj(items[i]);
      if (item !== null && !last) fromPath(item, path, step + 1, type, out);
    }
    return;
  }
  if (last) {
    const name = str(at[key]);
    if (name !== null) add(out, name, type);
    return;
  }
  const next = obj(at[key]);
  if (next !== null) fromPath(next, path, step + 1, type, out);
}

function add(out: ResourceRef[], name: string, type: string | null): void {
  if (out.length >= MAX_RESOURCES) return;
  for (const existing of out) if (existing.name === name) return;
  out.push({ type, name });
}

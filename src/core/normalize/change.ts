/**
 * What a call changed, in words, for the calls security people read first: who was let in, what was shared,
 * which policy was attached, what a trust policy now allows. `tcp 22 from 0.0.0.0/0 (the internet)`,
 * `AdministratorAccess → user malicious-iam-user`, `shared with account 012345678912`. One rule per kind of call
 * (a table, so adding one is one row); null for calls without a rule, failed calls, and unreadable parameters.
 * Pure and total: never throws, values capped (escaping is the renderers' job).
 */
import { arr, cap, type Obj, obj, setItems, str } from './accessors.js';

const MAX_CHANGE = 300;
const WORLD = new Set(['0.0.0.0/0', '::/0']);

type Rule = (request: Obj, response: Obj | null, eventName: string) => string | null;

function items(value: unknown): readonly unknown[] {
  return setItems(value) ?? arr(value) ?? [];
}

function names(values: readonly (string | null)[], max = 3): string | null {
  const present = values.filter((v): v is string => v !== null && v !== '');
  if (present.length === 0) return null;
  const shown = present.slice(0, max).join(', ');
  return present.length > max ? `${shown} +${present.length - max}` : shown;
}

/** The last part of an ARN or path: `arn:aws:iam::aws:policy/AdministratorAccess` → `AdministratorAccess`. */
function shortName(arn: string | null): string | null {
  if (arn === null) return null;
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

/** One permission of a security-group rule: `tcp 22 from 0.0.0.0/0 (the internet)`. */
function permission(p: Obj, direction: 'from' | 'to'): string {
  const protocol = str(p.ipProtocol) ?? String(p.ipProtocol ?? '');
  const from = typeof p.fromPort === 'number' ? p.fromPort : null;
  const to = typeof p.toPort === 'number' ? p.toPort : null;
  const proto = protocol === '-1' ? 'all traffic' : protocol;
  const ports =
    protocol === '-1' || from === null || from === -1 ? '' : from === to || to === null ? ` ${from}` : ` ${from}-${to}`;
  const sources = [
    ...items(obj(p)?.ipRanges).map((r) => str(obj(r)?.cidrIp)),
    ...items(p.ipv6Ranges).map((r) => str(obj(r)?.cidrIpv6)),
    ...items(p.groups).map((g) => str(obj(g)?.groupId)),
    ...items(p.prefixListIds).map((l) => str(obj(l)?.prefixListId)),
    str(p.cidrIp),
    str(p.cidrIpv6),
    str(p.sourceSecurityGroupName),
  ];
  const open = sources.some((s) => s !== null && WORLD.has(s));
  const where = names(sources, 4);
  return `${proto}${ports}${where === null ? '' : ` ${direction} ${where}`}${open ? ' (the internet)' : ''}`;
}

const securityGroupRule: Rule = (request, _response, eventName) => {
  const direction = eventName.endsWith('Egress') ? 'to' : 'from';
  const listed = items(request.ipPermissions)
    .map(obj)
    .filter((p): p is Obj => p !== null);
  // The older flat form puts one permission's fields on the request itself.
  const permissions = listed.length > 0 ? listed : request.ipProtocol !== undefined ? [request] : [];
  return names(
    permissions.map((p) => permission(p, direction)),
    3,
  );
};

const attachedPolicy: Rule = (request, _response, eventName) => {
  const target = eventName.endsWith('UserPolicy')
    ? ['user', str(request.userName)]
    : eventName.endsWith('RolePolicy')
      ? ['role', str(request.roleName)]
      : ['group', str(request.groupName)];
  const policy = shortName(str(request.policyArn));
  if (policy === null) return null;
  const arrow = eventName.startsWith('Detach') ? '✕' : '→';
  return `${policy} ${arrow} ${target[0]} ${target[1] ?? '?'}`;
};

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Principal?: unknown;
  Resource?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc.length > 100_000 ? '{}' : doc);
    } catch {
      return [];
    }
  }
  const s = obj(doc)?.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]).filter((x): x is Statement => obj(x) !== null);
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return (arr(value) ?? []).filter((v): v is string => typeof v === 'string');
}

function principals(value: unknown): string[] {
  if (value === '*') return ['anyone (*)'];
  const p = obj(value);
  if (p === null) return [];
  return Object.values(p).flatMap((v) => listOf(v).map((x) => (x === '*' ? 'anyone (*)' : x)));
}

const inlinePolicy: Rule = (request, _response, eventName) => {
  const holder = eventName.includes('User')
    ? `user ${str(request.userName)}`
    : eventName.includes('Role')
      ? `role ${str(request.roleName)}`
      : `group ${str(request.groupName)}`;
  const grants = statementsOf(request.policyDocument)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => listOf(s.Action));
  const what = names(grants, 3);
  return `${str(request.policyName) ?? 'inline policy'} on ${holder}${what === null ? '' : ` allows ${what}`}`;
};

const trustPolicy: Rule = (request) => {
  const who = names(
    statementsOf(request.policyDocument)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => principals(s.Principal)),
    4,
  );
  return `role ${str(request.roleName) ?? '?'} may now be assumed by ${who ?? 'nobody listed'}`;
};

const bucketPolicy: Rule = (request) => {
  const statements = statementsOf(request.bucketPolicy ?? request.policy);
  const open = statements.some((s) => s.Effect === 'Allow' && principals(s.Principal).includes('anyone (*)'));
  const who = names(
    statements.filter((s) => s.Effect === 'Allow').flatMap((s) => principals(s.Principal)),
    3,
  );
  return `${str(request.bucketName) ?? 'bucket'} policy allows ${who ?? 'no one listed'}${open ? ' (public)' : ''}`;
};

/** ModifySnapshotAttribute / ModifyImageAttribute: `createVolumePermission` / `launchPermission` add or remove. */
const sharing: Rule = (request) => {
  const permissionBlock = obj(request.createVolumePermission) ?? obj(request.launchPermission);
  if (permissionBlock === null) return null;
  const accounts = (key: string) =>
    items(obj(permissionBlock[key])?.items).map((i) => {
      const o = obj(i);
      return str(o?.group) === 'all' ? 'everyone (public)' : (str(o?.userId) ?? str(o?.organizationArn));
    });
  const added = names(accounts('add'), 4);
  const removed = names(accounts('remove'), 4);
  return names([added === null ? null : `shared with ${added}`, removed === null ? null : `unshared from ${removed}`]);
};

const dbSnapshotSharing: Rule = (request) => {
  const label = (v: string) => (v === 'all' ? 'everyone (public)' : v);
  const added = names(listOf(request.valuesToAdd).map(label), 4);
  const removed = names(listOf(request.valuesToRemove).map(label), 4);
  return names([added === null ? null : `shared with ${added}`, removed === null ? null : `unshared from ${removed}`]);
};

const accessKey: Rule = (request, response) => {
  const key = str(obj(response?.accessKey)?.accessKeyId);
  return `new access key${key === null ? '' : ` ${key}`} for user ${str(request.userName) ?? '(the caller)'}`;
};

const loginProfile: Rule = (request, _response, eventName) =>
  `console password ${eventName.startsWith('Create') ? 'set' : 'changed'} for user ${str(request.userName) ?? '(the caller)'}`;

const instanceAttribute: Rule = (request) => {
  const value = (key: string) => obj(request[key])?.value;
  if (request.userData !== undefined) return 'user data replaced (runs at next start)';
  if (value('disableApiTermination') !== undefined)
    return `termination protection ${value('disableApiTermination') === true ? 'on' : 'off'}`;
  if (value('instanceType') !== undefined) return `instance type → ${String(value('instanceType'))}`;
  if (request.groupSet !== undefined)
    return `security groups → ${
      names(
        items(request.groupSet).map((g) => str(obj(g)?.groupId)),
        5,
      ) ?? 'none'
    }`;
  const attribute = str(request.attribute);
  return attribute === null ? null : `${attribute} changed`;
};

const eventSelectors: Rule = (request) => {
  const selectors = (arr(request.eventSelectors) ?? []).map(obj).filter((s): s is Obj => s !== null);
  if (selectors.length === 0)
    return request.advancedEventSelectors !== undefined ? 'advanced event selectors replaced' : null;
  const management = selectors.some((s) => s.includeManagementEvents === true) ? 'on' : 'off';
  const kinds = names(
    selectors.map((s) => str(s.readWriteType)),
    2,
  );
  return `trail ${str(request.trailName) ?? '?'}: management events ${management}${kinds === null ? '' : `, ${kinds}`}`;
};

const publicAccessBlock: Rule = (request, _response, eventName) => {
  if (eventName.startsWith('Delete'))
    return `public access block removed from ${str(request.bucketName) ?? 'the account'}`;
  const config = obj(request.PublicAccessBlockConfiguration) ?? obj(request.publicAccessBlockConfiguration);
  const off =
    config === null
      ? []
      : Object.entries(config)
          .filter(([, v]) => v === false)
          .map(([k]) => k);
  return off.length === 0 ? null : `public access allowed: ${names(off, 4)}`;
};

const RULES: Readonly<Record<string, Rule>> = {
  AuthorizeSecurityGroupIngress: securityGroupRule,
  AuthorizeSecurityGroupEgress: securityGroupRule,
  RevokeSecurityGroupIngress: securityGroupRule,
  RevokeSecurityGroupEgress: securityGroupRule,
  AttachUserPolicy: attachedPolicy,
  AttachRolePolicy: attachedPolicy,
  AttachGroupPolicy: attachedPolicy,
  DetachUserPolicy: attachedPolicy,
  DetachRolePolicy: attachedPolicy,
  DetachGroupPolicy: attachedPolicy,
  PutUserPolicy: inlinePolicy,
  PutRolePolicy: inlinePolicy,
  PutGroupPolicy: inlinePolicy,
  UpdateAssumeRolePolicy: trustPolicy,
  PutBucketPolicy: bucketPolicy,
  ModifySnapshotAttribute: sharing,
  ModifyImageAttribute: sharing,
  ModifyDBSnapshotAttribute: dbSnapshotSharing,
  ModifyDBClusterSnapshotAttribute: dbSnapshotSharing,
  CreateAccessKey: accessKey,
  CreateLoginProfile: loginProfile,
  UpdateLoginProfile: loginProfile,
  ModifyInstanceAttribute: instanceAttribute,
  PutEventSelectors: eventSelectors,
  PutPublicAccessBlock: publicAccessBlock,
  DeletePublicAccessBlock: publicAccessBlock,
  PutAccountPublicAccessBlock: publicAccessBlock,
  DeleteAccountPublicAccessBlock: publicAccessBlock,
};

/** What the call changed, in words; null for calls without a rule, failed calls and unreadable parameters. */
export function changeOf(
  eventName: string,
  errorCode: string | null,
  requestParameters: unknown,
  responseElements: unknown,
): string | null {
  if (errorCode !== null) return null;
  const rule = Object.hasOwn(RULES, eventName) ? RULES[eventName] : undefined;
  const request = obj(requestParameters);
  if (rule === undefined || request === null) return null;
  const text = rule(request, obj(responseElements), eventName);
  return text === null || text === '' ? null : cap(text, MAX_CHANGE);
}

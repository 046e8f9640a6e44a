/**
 * Who acted: userIdentity → Actor (DESIGN.md "The summary"; aws-slack-facts §2.2 for the fields and the
 * actor table). Never invents a name: where the documented field is missing it falls back to the ARN's
 * name part, the principalId, the ARN, the account id, and finally `unknown`. Values are verbatim, so
 * `HIDDEN_DUE_TO_SECURITY_REASONS` (a sign-in with a wrong user name) stays visible as such.
 */
import type { Actor, IdentityType } from '../trail-record.js';
import { cap, field, MAX_TEXT, type Obj, obj } from './accessors.js';

const IDENTITY_TYPES: ReadonlySet<string> = new Set<IdentityType>([
  'Root',
  'IAMUser',
  'AssumedRole',
  'Role',
  'FederatedUser',
  'Directory',
  'AWSAccount',
  'AWSService',
  'SAMLUser',
  'WebIdentityUser',
  'IdentityCenterUser',
  'Unknown',
]);

/** IAM Identity Center permission-set roles: `AWSReservedSSO_<PermissionSet>_<hash>`. */
const SSO_ROLE_PREFIX = 'AWSReservedSSO_';
/** The issuer path of those roles: `arn:aws:iam::<acct>:role/aws-reserved/sso.amazonaws.com/[<region>/]<role>`. */
const SSO_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';
const UNKNOWN = 'unknown';

export function identityTypeOf(value: unknown): IdentityType {
  return typeof value === 'string' && IDENTITY_TYPES.has(value) ? (value as IdentityType) : 'Unknown';
}

/** The Actor of a record's `userIdentity` (any value; a missing identity is an `unknown` actor). */
export function actorOf(userIdentity: unknown): Actor {
  const id = obj(userIdentity);
  const type = identityTypeOf(id?.type);
  if (id === null) return { display: UNKNOWN, type, arn: null, session: null, via: null };
  const arn = field(id, 'arn');
  const invokedBy = field(id, 'invokedBy');
  switch (type) {
    case 'Root':
      return rootActor(id, arn, invokedBy);
    case 'AssumedRole':
      return assumedRoleActor(id, arn, invokedBy);
    case 'FederatedUser':
      return federatedActor(id, arn, invokedBy);
    case 'AWSService':
      return actor(invokedBy ?? fallbackName(id, arn), type, arn, null, null);
    case 'AWSAccount': {
      const account = field(id, 'accountId');
      const principal = field(id, 'principalId');
      const display = account !== null ? `account ${account}` : (principal ?? fallbackName(id, arn));
      return actor(display, type, arn, afterColon(principal), invokedBy);
    }
    case 'SAMLUser':
    case 'WebIdentityUser':
      return actor(fallbackName(id, arn), type, arn, null, join(invokedBy, field(id, 'identityProvider')));
    case 'IdentityCenterUser': {
      const userId = field(obj(id.onBehalfOf), 'userId');
      const display = field(id, 'userName') ?? (userId !== null ? `idc:${userId}` : fallbackName(id, arn));
      return actor(display, type, arn, null, invokedBy);
    }
    case 'IAMUser':
      return actor(
        field(id, 'userName') ?? lastPart(arn, ':user/') ?? fallbackName(id, arn),
        type,
        arn,
        null,
        invokedBy,
      );
    case 'Role':
      return actor(
        field(id, 'userName') ?? lastPart(arn, ':role/') ?? fallbackName(id, arn),
        type,
        arn,
        null,
        invokedBy,
      );
    case 'Directory':
      return actor(fallbackName(id, arn), type, arn, null, invokedBy);
    case 'Unknown':
      // A service event often has no type at all: `{accountId, invokedBy: "AWS Internal"}`.
      return actor(invokedBy ?? fallbackName(id, arn), type, arn, null, null);
  }
}

/** Composed names (`root (<alias>)`, `<role>/<session>`) are capped like the parts they are made of. */
function actor(
  display: string,
  type: IdentityType,
  arn: string | null,
  session: string | null,
  via: string | null,
): Actor {
  return { display: cap(display, MAX_TEXT), type, arn, session, via: via === null ? null : cap(via, MAX_TEXT) };
}

/** `root`, or `root (<alias>)` where userName carries the account alias. */
function rootActor(id: Obj, arn: string | null, invokedBy: string | null): Actor {
  const alias = field(id, 'userName');
  const display = alias === null || alias === 'root' ? 'root' : `root (${alias})`;
  return actor(display, 'Root', arn, null, invokedBy);
}

/**
 * `<role>/<session>`: the issuer's role name and the session name (from the ARN, else the principalId).
 * An Identity Center permission-set role shows the person's session name instead, the permission set
 * going to `via`; so does a source identity (the human behind a chain of roles), and so does the service
 * named by `invokedBy`, which acted with the role.
 */
function assumedRoleActor(id: Obj, arn: string | null, invokedBy: string | null): Actor {
  const context = obj(id.sessionContext);
  const issuer = obj(context?.sessionIssuer);
  const issuerArn = field(issuer, 'arn');
  const role = field(issuer, 'userName') ?? assumedRolePart(arn, 0) ?? lastPart(issuerArn, ':role/');
  const session = assumedRolePart(arn, 1) ?? afterColon(field(id, 'principalId'));
  const sso = role !== null && (role.startsWith(SSO_ROLE_PREFIX) || (issuerArn?.includes(SSO_ROLE_PATH) ?? false));
  const origin =
    field(context, 'sourceIdentity') ??
    (sso ? `${permissionSet(role)} (Identity Center)` : null) ??
    field(obj(context?.webIdFederationData), 'federatedProvider');
  const via = join(invokedBy, origin);
  if (sso && session !== null) return actor(session, 'AssumedRole', arn, session, via);
  const display = role !== null && session !== null ? `${role}/${session}` : (role ?? session ?? fallbackName(id, arn));
  return actor(display, 'AssumedRole', arn, session, via);
}

/** The federated name from `…:federated-user/<name>` or the principalId (`<account>:<name>`). */
function federatedActor(id: Obj, arn: string | null, invokedBy: string | null): Actor {
  const name = lastPart(arn, ':federated-user/') ?? afterColon(field(id, 'principalId'));
  const issuer = obj(obj(id.sessionContext)?.sessionIssuer);
  const issuedBy = field(issuer, 'userName') ?? (field(issuer, 'type') === 'Root' ? 'root' : null);
  return actor(name ?? fallbackName(id, arn), 'FederatedUser', arn, name, join(invokedBy, issuedBy));
}

/** Documented fallbacks, in order: userName, principalId, ARN, account id. */
function fallbackName(id: Obj, arn: string | null): string {
  return field(id, 'userName') ?? field(id, 'principalId') ?? arn ?? field(id, 'accountId') ?? UNKNOWN;
}

/** `AWSReservedSSO_DevAdmin_635426549a280cc6` → `DevAdmin`; another role name stays as it is. */
function permissionSet(role: string): string {
  if (!role.startsWith(SSO_ROLE_PREFIX)) return role;
  const rest = role.slice(SSO_ROLE_PREFIX.length);
  const hash = rest.lastIndexOf('_');
  return hash > 0 ? rest.slice(0, hash) : rest;
}

/** Part `index` (0: role, 1: session) of `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
function assumedRolePart(arn: string | null, index: 0 | 1): string | null {
  if (arn === null) return null;
  const start = arn.indexOf(':assumed-role/');
  if (start < 0) return null;
  const path = arn.slice(start + ':assumed-role/'.length);
  const slash = path.indexOf('/');
  // `assumed-role/<role>` without a session happens in hand-written records: the role alone.
  if (slash < 0) return index === 0 && path.length > 0 ? path : null;
  const part = index === 0 ? path.slice(0, slash) : path.slice(slash + 1);
  return part.length > 0 ? part : null;
}

/** The last path segment after `marker` (`:user/`, `:role/`, `:federated-user/`), or null. */
function lastPart(arn: string | null, marker: string): string | null {
  if (arn === null) return null;
  const start = arn.indexOf(marker);
  if (start < 0) return null;
  const name = arn.slice(Math.max(start + marker.length, arn.lastIndexOf('/') + 1));
  return name.length > 0 ? name : null;
}

/** `AROA…:session` → `session`; null where there is no colon or nothing after it. */
function afterColon(principalId: string | null): string | null {
  if (principalId === null) return null;
  const colon = principalId.indexOf(':');
  return colon >= 0 && colon < principalId.length - 1 ? principalId.slice(colon + 1) : null;
}

function join(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b === null || b === a ? a : `${a}, ${b}`;
}

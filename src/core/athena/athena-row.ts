/**
 * One Athena result row (the columns athena-sql.ts selects) → the CloudTrail record it came from, keyed as CloudTrail
 * writes it, so that normalization and filter patterns read it as they read a trail file. Pure; never throws.
 *
 * What Athena changes, undone here:
 * - Column and struct field names are lower-case (`useridentity.sessioncontext.sessionissuer.username`): they are
 *   mapped back to CloudTrail's keys (`userIdentity.sessionContext.sessionIssuer.userName`, `eventID`, `requestID`).
 *   A map column (`webidfederationdata.attributes`) keeps its keys, which are data. Unknown fields keep their names.
 * - A struct comes as JSON text (`json_format(CAST(col AS JSON))`), absent fields as `null`: absent fields are left
 *   out again, as CloudTrail leaves them out.
 * - `requestparameters`, `responseelements`, `additionaleventdata` and `serviceeventdetails` are STRING columns
 *   holding JSON text: parsed back (kept as text where the text is not JSON). CloudTrail writes the first two as
 *   `null` when empty, so they come back as `null`; other absent columns are left out.
 * - `readonly` is text: `true`/`false` become booleans.
 * Athena engine version 2 casts a struct to a JSON array without field names: such a struct cannot be read back, the
 * row says so (`positional`) and the field is left out.
 */

/** How the fields of one JSON object are named back: lower-case name → CloudTrail's key, and the shape under it. */
interface Shape {
  readonly [lower: string]: string | readonly [key: string, shape: Shape | 'verbatim'];
}

const SESSION_ISSUER: Shape = {
  type: 'type',
  principalid: 'principalId',
  arn: 'arn',
  accountid: 'accountId',
  username: 'userName',
};

const USER_IDENTITY: Shape = {
  type: 'type',
  principalid: 'principalId',
  arn: 'arn',
  accountid: 'accountId',
  invokedby: 'invokedBy',
  accesskeyid: 'accessKeyId',
  username: 'userName',
  identityprovider: 'identityProvider',
  credentialid: 'credentialId',
  onbehalfof: ['onBehalfOf', { userid: 'userId', identitystorearn: 'identityStoreArn' }],
  sessioncontext: [
    'sessionContext',
    {
      attributes: ['attributes', { mfaauthenticated: 'mfaAuthenticated', creationdate: 'creationDate' }],
      sessionissuer: ['sessionIssuer', SESSION_ISSUER],
      ec2roledelivery: 'ec2RoleDelivery',
      sourceidentity: 'sourceIdentity',
      assumedroot: 'assumedRoot',
      webidfederationdata: [
        'webIdFederationData',
        { federatedprovider: 'federatedProvider', attributes: ['attributes', 'verbatim'] },
      ],
    },
  ],
};

const RESOURCE: Shape = { arn: 'ARN', arnprefix: 'ARNPrefix', accountid: 'accountId', type: 'type' };

type Kind = 'text' | 'json' | 'bool' | 'identity' | 'resources';

/** Each selected column: its CloudTrail key, how its text is read, and whether SQL NULL is written as `null`. */
const COLUMNS: ReadonlyMap<string, { key: string; kind: Kind; keepNull?: true }> = new Map([
  ['eventversion', { key: 'eventVersion', kind: 'text' }],
  ['useridentity', { key: 'userIdentity', kind: 'identity' }],
  ['eventtime', { key: 'eventTime', kind: 'text' }],
  ['eventsource', { key: 'eventSource', kind: 'text' }],
  ['eventname', { key: 'eventName', kind: 'text' }],
  ['awsregion', { key: 'awsRegion', kind: 'text' }],
  ['sourceipaddress', { key: 'sourceIPAddress', kind: 'text' }],
  ['useragent', { key: 'userAgent', kind: 'text' }],
  ['errorcode', { key: 'errorCode', kind: 'text' }],
  ['errormessage', { key: 'errorMessage', kind: 'text' }],
  ['requestparameters', { key: 'requestParameters', kind: 'json', keepNull: true }],
  ['responseelements', { key: 'responseElements', kind: 'json', keepNull: true }],
  ['additionaleventdata', { key: 'additionalEventData', kind: 'json' }],
  ['requestid', { key: 'requestID', kind: 'text' }],
  ['eventid', { key: 'eventID', kind: 'text' }],
  ['readonly', { key: 'readOnly', kind: 'bool' }],
  ['resources', { key: 'resources', kind: 'resources' }],
  ['eventtype', { key: 'eventType', kind: 'text' }],
  ['apiversion', { key: 'apiVersion', kind: 'text' }],
  ['recipientaccountid', { key: 'recipientAccountId', kind: 'text' }],
  ['serviceeventdetails', { key: 'serviceEventDetails', kind: 'json' }],
  ['sharedeventid', { key: 'sharedEventID', kind: 'text' }],
  ['vpcendpointid', { key: 'vpcEndpointId', kind: 'text' }],
  ['vpcendpointaccountid', { key: 'vpcEndpointAccountId', kind: 'text' }],
  ['sessioncredentialfromconsole', { key: 'sessionCredentialFromConsole', kind: 'text' }],
  ['eventcategory', { key: 'eventCategory', kind: 'text' }],
]);

/** The deepest JSON a struct is read to (the identity nests four levels). */
const MAX_DEPTH = 8;

export interface RowRecord {
  record: Record<string, unknown>;
  /** A struct came back without field names (Athena engine version 2) and was left out. */
  positional: boolean;
}

/** The record of one row; `columns` are the result's column names, `values` the row's (null: SQL NULL). */
export function recordFromRow(columns: readonly string[], values: readonly (string | null)[]): RowRecord {
  const entries: [string, unknown][] = [];
  let positional = false;
  columns.forEach((name, i) => {
    const column = COLUMNS.get(name.toLowerCase());
    if (column === undefined) return;
    const text = values[i] ?? null;
    if (text === null) {
      if (column.keepNull === true) entries.push([column.key, null]);
      return;
    }
    switch (column.kind) {
      case 'text':
        entries.push([column.key, text]);
        return;
      case 'bool':
        entries.push([column.key, text === 'true' ? true : text === 'false' ? false : text]);
        return;
      case 'json': {
        const parsed = parseJson(text);
        entries.push([column.key, parsed === undefined ? text : parsed]);
        return;
      }
      case 'identity':
      case 'resources': {
        const parsed = parseJson(text);
        if (Array.isArray(parsed) && column.kind === 'identity') {
          positional = true;
          return;
        }
        if (column.kind === 'resources' && Array.isArray(parsed) && parsed.some(Array.isArray)) {
          positional = true;
          return;
        }
        const shape = column.kind === 'identity' ? USER_IDENTITY : RESOURCE;
        const value = column.kind === 'identity' ? rename(parsed, shape, 0) : renameEach(parsed, shape);
        if (value !== undefined) entries.push([column.key, value]);
        return;
      }
    }
  });
  return { record: Object.fromEntries(entries), positional };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An object's fields named back by `shape`, nulls left out; anything but an object: undefined. */
function rename(value: unknown, shape: Shape, depth: number): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth > MAX_DEPTH) return undefined;
  const out: [string, unknown][] = [];
  for (const [name, field] of Object.entries(value)) {
    if (field === null) continue;
    const rule = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (rule === undefined || typeof rule === 'string') {
      out.push([rule ?? name, field]);
      continue;
    }
    const [key, inner] = rule;
    if (inner === 'verbatim') out.push([key, field]);
    else {
      const renamed = rename(field, inner, depth + 1);
      if (renamed !== undefined) out.push([key, renamed]);
    }
  }
  // fromEntries defines own properties: a `__proto__` field stays a field.
  return Object.fromEntries(out);
}

function renameEach(value: unknown, shape: Shape): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((item) => rename(item, shape, 0)).filter((item) => item !== undefined);
}

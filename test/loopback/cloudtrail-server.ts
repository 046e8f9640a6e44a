/**
 * CloudTrail LookupEvents on loopback, for tests and the benchmark that drive the real `@aws-sdk/client-cloudtrail`
 * (endpoint = `url`, or `AWS_ENDPOINT_URL_CLOUDTRAIL`) and the AWS CLI (`--endpoint-url`).
 *
 * It speaks awsJson1_1 as the SDKs send it: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: CloudTrail_20131101.LookupEvents` (JS SDK v3) or
 * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents` (botocore / the AWS CLI), timestamps as epoch
 * seconds, errors as HTTP 400 `{"__type": …, "message": …}`. The region is the SigV4 credential scope's (the
 * signature itself is not checked). And it holds callers to AWS's limits (aws-slack-facts §1), so a client fails
 * here where it would fail against AWS:
 * - one lookup attribute a call (`InvalidLookupAttributesException` for two), MaxResults 1–50 (default 50,
 *   `InvalidMaxResultsException` past it), StartTime ≤ EndTime (`InvalidTimeRangeException`);
 * - newest first; an opaque NextToken that is valid only with the same parameters (`InvalidNextTokenException`);
 * - 90 days of history (older records are not served);
 * - 2 requests/s per region (a bucket of 2), `ThrottlingException` over it; `throttleNext` forces throttles;
 * - AccessDenied, an expired session or a region the account has not enabled, per region.
 * With `recordsByAccount` it holds several accounts' event history: each request reads the account its access key
 * belongs to (the SigV4 credential's key id, `ASIA` + the 12-digit account id + …, as test/loopback/sts-server.ts
 * issues them; another key is refused as AWS refuses a key it does not know), and the quota is per account AND
 * region, as AWS counts it.
 * Every call is recorded in `calls` (region, time, attribute, outcome) for assertions and benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { resourcesOf } from '../../src/core/normalize/resources.js';
import { AwsJsonError, type AwsJsonServer, regionRateLimit, startAwsJsonServer } from './aws-json-server.js';

/** JS SDK v3 sends the short target; botocore (the AWS CLI) sends the model's full targetPrefix. */
export const LOOKUP_EVENTS_TARGETS: readonly string[] = [
  'CloudTrail_20131101.LookupEvents',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
];

const ATTRIBUTE_KEYS = new Set([
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
]);

const RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

export interface CloudTrailServerOptions {
  /** Raw CloudTrail records (as in a trail file) by the region whose event history holds them. */
  records?: Readonly<Record<string, readonly unknown[]>>;
  /**
   * Instead of `records`: raw records by account id, then region. A request reads the account its access key names
   * (`ASIA<account id>…`); a key naming no account here answers UnrecognizedClientException.
   */
  recordsByAccount?: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
  /** Requests per second per region, or per account and region with recordsByAccount (default 2, LookupEvents' quota). */
  ratePerSecond?: number;
  /** Requests a quiet region accepts at once (default 2). */
  burst?: number;
  /** Regions that answer AccessDeniedException (with recordsByAccount also `<account id>/<region>`). */
  denied?: readonly string[];
  /** The principal AccessDenied names (default arn:aws:iam::123456789012:user/x). */
  deniedPrincipal?: string;
  /** Regions that answer ExpiredTokenException (with recordsByAccount also `<account id>/<region>`). */
  expired?: readonly string[];
  /**
   * Opt-in regions the account has not enabled: UnrecognizedClientException (with recordsByAccount also
   * `<account id>/<region>`).
   */
  notEnabled?: readonly string[];
  /** The clock for the 90 days of history (default the system clock). */
  now?: () => Date;
}

export type CallOutcome = 'ok' | 'throttled' | 'denied' | 'expired' | 'not_enabled' | 'invalid';

export interface ServerCall {
  /** The SigV4 scope's region ('' when the request was not signed). */
  region: string;
  /** With recordsByAccount: the account the access key names (null when it names none, or without the option). */
  account: string | null;
  /** The SigV4 credential's access key id ('' when the request was not signed). */
  accessKeyId: string;
  /** performance.now() when the request arrived. */
  at: number;
  target: string;
  attribute: { key: string; value: string } | null;
  startTime: Date | null;
  endTime: Date | null;
  maxResults: number | null;
  /** The call carried a NextToken (a page after the first). */
  nextToken: boolean;
  status: number;
  outcome: CallOutcome;
  /** The `__type` of an error answer. */
  error: string | null;
  /** Events in the answer. */
  events: number;
}

export interface CloudTrailServer extends AwsJsonServer<ServerCall> {
  /** The next `n` calls in `region` answer ThrottlingException whatever the rate. */
  throttleNext(region: string, n: number): void;
}

/** The LookupEvents `Event` shape, kept with its time for filtering. */
interface Stored {
  ms: number;
  event: Record<string, unknown>;
  username: string | null;
  resources: { type: string | null; name: string }[];
}

/** The outcome an error answer records (what is not named here is `invalid`). */
const OUTCOMES: Readonly<Record<string, CallOutcome>> = {
  ThrottlingException: 'throttled',
  UnrecognizedClientException: 'not_enabled',
  ExpiredTokenException: 'expired',
  AccessDeniedException: 'denied',
};

export async function startCloudTrailServer(options: CloudTrailServerOptions = {}): Promise<CloudTrailServer> {
  const rate = options.ratePerSecond ?? 2;
  const burst = options.burst ?? 2;
  const now = options.now ?? (() => new Date());
  const principal = options.deniedPrincipal ?? 'arn:aws:iam::123456789012:user/x';
  const denied = new Set(options.denied ?? []);
  const expired = new Set(options.expired ?? []);
  const notEnabled = new Set(options.notEnabled ?? []);
  const byAccount = options.recordsByAccount !== undefined;
  if (byAccount && options.records !== undefined) throw new Error('cloudtrail server: records or recordsByAccount');
  /** Event history by region, or by `<account>/<region>` with recordsByAccount. */
  const history = new Map<string, Stored[]>();
  for (const [region, records] of Object.entries(options.records ?? {})) history.set(region, storeAll(records));
  for (const [account, regions] of Object.entries(options.recordsByAccount ?? {})) {
    for (const [region, records] of Object.entries(regions)) history.set(`${account}/${region}`, storeAll(records));
  }
  const accounts = new Set(Object.keys(options.recordsByAccount ?? {}));
  /** Where a call's history, quota and per-region settings live: its region, or its account's region. */
  const placeOf = (call: { region: string; account: string | null }): string =>
    call.account === null ? call.region : `${call.account}/${call.region}`;
  const holds = (set: ReadonlySet<string>, call: ServerCall): boolean => set.has(call.region) || set.has(placeOf(call));

  const withinRate = regionRateLimit(rate, burst);
  const forced = new Map<string, number>();
  const tokens = new Map<string, { key: string; offset: number }>();

  const admit = (call: ServerCall): boolean => {
    const pending = forced.get(call.region) ?? 0;
    if (pending > 0) {
      forced.set(call.region, pending - 1);
      return false;
    }
    return withinRate(placeOf(call), call.at);
  };

  const lookupEvents = (input: Record<string, unknown>, call: ServerCall): Record<string, unknown> => {
    const request = readRequest(input, call);
    const key = JSON.stringify([placeOf(call), request.attribute, request.start, request.end, request.maxResults]);
    let offset = 0;
    if (typeof input.NextToken === 'string') {
      const token = tokens.get(input.NextToken);
      if (token === undefined || token.key !== key)
        throw new AwsJsonError(
          'InvalidNextTokenException',
          'Invalid NextToken: it must be sent with the parameters of the call that returned it',
        );
      offset = token.offset;
    }
    if (input.EventCategory !== undefined && input.EventCategory !== 'insight')
      throw new AwsJsonError('InvalidEventCategoryException', 'EventCategory must be insight');

    const oldest = now().getTime() - RETENTION_MS;
    const matching =
      input.EventCategory === 'insight'
        ? []
        : (history.get(placeOf(call)) ?? []).filter(
            (s) =>
              s.ms >= oldest &&
              (request.start === null || s.ms >= request.start) &&
              (request.end === null || s.ms <= request.end) &&
              (request.attribute === null || matches(s, request.attribute)),
          );
    const page = matching.slice(offset, offset + request.maxResults);
    call.events = page.length;
    const out: Record<string, unknown> = { Events: page.map((s) => s.event) };
    if (offset + page.length < matching.length) {
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { key, offset: offset + page.length });
      out.NextToken = token;
    }
    return out;
  };

  const server = await startAwsJsonServer<ServerCall>({
    service: 'cloudtrail',
    targets: Object.fromEntries(LOOKUP_EVENTS_TARGETS.map((target) => [target, lookupEvents])),
    newCall: () => ({
      region: '',
      account: null,
      accessKeyId: '',
      at: performance.now(),
      target: '',
      attribute: null,
      startTime: null,
      endTime: null,
      maxResults: null,
      nextToken: false,
      status: 200,
      outcome: 'ok',
      error: null,
      events: 0,
    }),
    admit(_region, call, accessKeyId) {
      call.accessKeyId = accessKeyId;
      if (byAccount) {
        const account = /^ASIA(\d{12})/.exec(accessKeyId)?.[1] ?? null;
        // AWS refuses a key it does not know before it counts the call against anyone's quota.
        if (account === null || !accounts.has(account))
          throw new AwsJsonError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        call.account = account;
      }
      if (!admit(call)) throw new AwsJsonError('ThrottlingException', 'Rate exceeded');
      if (holds(notEnabled, call))
        throw new AwsJsonError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (holds(expired, call))
        throw new AwsJsonError('ExpiredTokenException', 'The security token included in the request is expired');
      if (holds(denied, call))
        throw new AwsJsonError(
          'AccessDeniedException',
          `User: ${principal} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
          'Message',
        );
    },
    failed(error, call) {
      call.outcome = OUTCOMES[error.type] ?? 'invalid';
    },
  });

  return {
    ...server,
    throttleNext(region, n) {
      forced.set(region, (forced.get(region) ?? 0) + n);
    },
  };
}

interface LookupRequest {
  attribute: { key: string; value: string } | null;
  start: number | null;
  end: number | null;
  maxResults: number;
}

function readRequest(input: Record<string, unknown>, call: ServerCall): LookupRequest {
  call.nextToken = typeof input.NextToken === 'string';
  let attribute: LookupRequest['attribute'] = null;
  if (input.LookupAttributes !== undefined) {
    const list = input.LookupAttributes;
    if (!Array.isArray(list))
      throw new AwsJsonError('InvalidLookupAttributesException', 'LookupAttributes must be a list');
    if (list.length > 1)
      throw new AwsJsonError(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute in a request',
      );
    const first = list[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
    if (first !== undefined) {
      const { AttributeKey: key, AttributeValue: value } = first;
      if (typeof key !== 'string' || !ATTRIBUTE_KEYS.has(key))
        throw new AwsJsonError('InvalidLookupAttributesException', `Invalid AttributeKey ${String(key)}`);
      if (typeof value !== 'string' || value.length === 0 || value.length > 2000)
        throw new AwsJsonError('InvalidLookupAttributesException', 'AttributeValue must be 1 to 2000 characters');
      attribute = { key, value };
    }
  }
  call.attribute = attribute;
  let maxResults = 50;
  if (input.MaxResults !== undefined) {
    const n = input.MaxResults;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 50)
      throw new AwsJsonError('InvalidMaxResultsException', 'MaxResults must be an integer from 1 to 50');
    maxResults = n;
  }
  call.maxResults = maxResults;
  const start = timestampOf(input.StartTime, 'StartTime');
  const end = timestampOf(input.EndTime, 'EndTime');
  call.startTime = start === null ? null : new Date(start);
  call.endTime = end === null ? null : new Date(end);
  if (start !== null && end !== null && start > end)
    throw new AwsJsonError('InvalidTimeRangeException', 'StartTime must be at or before EndTime');
  return { attribute, start, end, maxResults };
}

/** awsJson timestamps are epoch seconds (fractions allowed); ISO strings are accepted too. Milliseconds out. */
function timestampOf(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw new AwsJsonError('SerializationException', `${field} must be a timestamp`);
}

function matches(stored: Stored, attribute: { key: string; value: string }): boolean {
  const { value } = attribute;
  const e = stored.event;
  switch (attribute.key) {
    case 'EventId':
      return e.EventId === value;
    case 'EventName':
      return e.EventName === value;
    case 'EventSource':
      return e.EventSource === value;
    case 'ReadOnly':
      return e.ReadOnly === value;
    case 'AccessKeyId':
      return e.AccessKeyId === value;
    case 'Username':
      return stored.username === value;
    case 'ResourceName':
      return stored.resources.some((r) => r.name === value);
    case 'ResourceType':
      return stored.resources.some((r) => r.type === value);
    default:
      return false;
  }
}

/** Newest first, as LookupEvents answers; records without a readable eventTime are not in the history. */
function storeAll(records: readonly unknown[]): Stored[] {
  const stored: Stored[] = [];
  for (const raw of records) {
    if (typeof raw !== 'object' || raw === null) continue;
    const s = toStored(raw as Record<string, unknown>);
    if (s !== null) stored.push(s);
  }
  return stored.sort((a, b) => b.ms - a.ms);
}

function toStored(record: Record<string, unknown>): Stored | null {
  const ms = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : Number.NaN;
  if (Number.isNaN(ms)) return null;
  const identity = (
    typeof record.userIdentity === 'object' && record.userIdentity !== null ? record.userIdentity : {}
  ) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const username = usernameOf(identity);
  const resources = resourcesOf(record);
  const event: Record<string, unknown> = {
    EventId: text(record.eventID),
    EventName: text(record.eventName),
    ReadOnly: typeof record.readOnly === 'boolean' ? String(record.readOnly) : text(record.readOnly),
    AccessKeyId: text(identity.accessKeyId) || undefined,
    EventTime: ms / 1000,
    EventSource: text(record.eventSource),
    Username: username ?? undefined,
    Resources: resources.map((r) =>
      r.type === null ? { ResourceName: r.name } : { ResourceType: r.type, ResourceName: r.name },
    ),
    CloudTrailEvent: JSON.stringify(record),
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return { ms, event, username, resources };
}

/** Event history's "user name or role name of the requester": the IAM user, the role session, `root`. */
function usernameOf(identity: Record<string, unknown>): string | null {
  if (typeof identity.userName === 'string' && identity.userName !== '') return identity.userName;
  const type = identity.type;
  if (type === 'Root') return 'root';
  const arn = typeof identity.arn === 'string' ? identity.arn : '';
  if ((type === 'AssumedRole' || type === 'FederatedUser') && arn.includes('/'))
    return arn.slice(arn.lastIndexOf('/') + 1);
  return null;
}

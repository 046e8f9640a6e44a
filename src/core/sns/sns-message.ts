/**
 * The SNS HTTP(S) envelope, pure: parse and validate a POSTed body (aws-slack-facts §3), build the exact string SNS
 * signs, and the two allow rules that come before any network or crypto work: the signing-certificate URL and the
 * topic. No I/O, no clock: freshness takes `now` from the caller.
 */

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
/** `1` = RSA-SHA1, `2` = RSA-SHA256. */
export type SnsSignatureVersion = '1' | '2';

export const SNS_MESSAGE_TYPES: readonly SnsMessageType[] = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
];

/** SNS messages are at most 256 KB; the envelope adds a few KB. Bodies past this are refused unread. */
export const MAX_SNS_BODY_BYTES = 300 * 1024;

interface SnsSignedFields {
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: SnsSignatureVersion;
  /** Base64. */
  readonly Signature: string;
  readonly SigningCertURL: string;
}

export interface SnsMessageAttribute {
  readonly Type: string;
  readonly Value: string;
}

export interface SnsNotification extends SnsSignedFields {
  readonly Type: 'Notification';
  /** Only when the message was published with one (then it is signed). */
  readonly Subject?: string;
  /** Not signed: never follow it. */
  readonly UnsubscribeURL?: string;
  /** Not signed. */
  readonly MessageAttributes?: Readonly<Record<string, SnsMessageAttribute>>;
}

export interface SnsSubscriptionConfirmation extends SnsSignedFields {
  readonly Type: 'SubscriptionConfirmation';
  readonly Token: string;
  readonly SubscribeURL: string;
}

export interface SnsUnsubscribeConfirmation extends SnsSignedFields {
  readonly Type: 'UnsubscribeConfirmation';
  readonly Token: string;
  readonly SubscribeURL: string;
}

export type SnsMessage = SnsNotification | SnsSubscriptionConfirmation | SnsUnsubscribeConfirmation;

/** Why a body was refused before any signature work: too big (413), raw delivery or malformed (400). */
export type SnsEnvelopeProblem = 'too_large' | 'raw_delivery' | 'malformed';

export type SnsEnvelopeResult =
  | { readonly ok: true; readonly message: SnsMessage }
  | { readonly ok: false; readonly problem: SnsEnvelopeProblem; readonly reason: string };

export type SnsHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** sns-payload-validator's rule (aws-slack-facts §3.4): https, `sns.<region>.amazonaws.com[.cn]`, one .pem file. */
const DEFAULT_CERT_URL =
  /^https:\/\/sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(?:\.cn)?\/SimpleNotificationService-[a-zA-Z0-9]{32}\.pem$/;

/** The keys SNS signs, in the documented (byte) order; absent optional keys (Subject) are skipped. */
const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/**
 * Parses a body POSTed by SNS. Checks, in order: size (UTF-8 bytes, before parsing), raw delivery (no envelope,
 * so nothing to verify), JSON object, `Type` known, header `x-amz-sns-message-type` present and equal to `Type`,
 * the fields each type needs with their types and shapes, and the `x-amz-sns-message-id` / `x-amz-sns-topic-arn`
 * headers (when sent) agreeing with the body. The signature is not checked here.
 */
export function parseSnsEnvelope(rawBody: string, headers: SnsHeaders): SnsEnvelopeResult {
  const bytes = utf8Length(rawBody);
  if (bytes > MAX_SNS_BODY_BYTES)
    return fail('too_large', `body is over the ${MAX_SNS_BODY_BYTES}-byte limit (at least ${bytes} bytes)`);

  const raw = header(headers, 'x-amz-sns-rawdelivery');
  if (raw.kind === 'many') return fail('malformed', 'header x-amz-sns-rawdelivery is repeated');
  if (raw.kind === 'one' && raw.value.trim().toLowerCase() === 'true')
    return fail(
      'raw_delivery',
      'raw message delivery is on (x-amz-sns-rawdelivery: true): a raw body carries no signature and cannot be ' +
        'verified; turn RawMessageDelivery off on the subscription',
    );

  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return fail('malformed', 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('malformed', 'body is not a JSON object');
  const body = parsed as Record<string, unknown>;

  const type = body.Type;
  if (typeof type !== 'string' || !(SNS_MESSAGE_TYPES as readonly string[]).includes(type))
    return fail('malformed', `Type ${describe(type)} is not one of ${SNS_MESSAGE_TYPES.join(', ')}`);
  const headerType = header(headers, 'x-amz-sns-message-type');
  if (headerType.kind === 'none') return fail('malformed', 'header x-amz-sns-message-type is missing');
  if (headerType.kind === 'many') return fail('malformed', 'header x-amz-sns-message-type is repeated');
  if (headerType.value !== type)
    return fail(
      'malformed',
      `header x-amz-sns-message-type ${describe(headerType.value)} disagrees with Type ${describe(type)}`,
    );

  const problems: string[] = [];
  const need = (key: string): string => {
    const value = body[key];
    if (value === undefined || value === null) problems.push(`${key} is missing`);
    else if (typeof value !== 'string') problems.push(`${key} must be a string`);
    else if (value === '' && key !== 'Message') problems.push(`${key} is empty`);
    return typeof value === 'string' ? value : '';
  };
  const optional = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key} must be a string`);
      return undefined;
    }
    return value;
  };

  const messageId = need('MessageId');
  const topicArn = need('TopicArn');
  const message = need('Message');
  const timestamp = need('Timestamp');
  const signatureVersion = need('SignatureVersion');
  const signature = need('Signature');
  const signingCertUrl = need('SigningCertURL');

  if (topicArn !== '' && !TOPIC_ARN.test(topicArn))
    problems.push(`TopicArn ${describe(topicArn)} is not an SNS topic ARN`);
  if (timestamp !== '' && (!TIMESTAMP.test(timestamp) || Number.isNaN(Date.parse(timestamp))))
    problems.push(`Timestamp ${describe(timestamp)} is not an ISO 8601 time`);
  if (signatureVersion !== '' && signatureVersion !== '1' && signatureVersion !== '2')
    problems.push(`SignatureVersion ${describe(signatureVersion)} is not supported (1 or 2)`);
  if (signature !== '' && !BASE64.test(signature)) problems.push('Signature is not base64');

  const signed = {
    MessageId: messageId,
    TopicArn: topicArn,
    Message: message,
    Timestamp: timestamp,
    SignatureVersion: signatureVersion as SnsSignatureVersion,
    Signature: signature,
    SigningCertURL: signingCertUrl,
  };

  let result: SnsMessage;
  if (type === 'Notification') {
    const subject = optional('Subject');
    const unsubscribeUrl = optional('UnsubscribeURL');
    const attributes = readAttributes(body.MessageAttributes, problems);
    result = {
      Type: 'Notification',
      ...signed,
      ...(subject === undefined ? {} : { Subject: subject }),
      ...(unsubscribeUrl === undefined ? {} : { UnsubscribeURL: unsubscribeUrl }),
      ...(attributes === undefined ? {} : { MessageAttributes: attributes }),
    };
  } else {
    const token = need('Token');
    const subscribeUrl = need('SubscribeURL');
    result = {
      Type: type as 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
      ...signed,
      Token: token,
      SubscribeURL: subscribeUrl,
    };
  }
  if (problems.length > 0) return fail('malformed', `${type}: ${problems.join('; ')}`);

  const headerId = header(headers, 'x-amz-sns-message-id');
  if (headerId.kind === 'many' || (headerId.kind === 'one' && headerId.value !== messageId))
    return fail('malformed', 'header x-amz-sns-message-id disagrees with MessageId');
  const headerTopic = header(headers, 'x-amz-sns-topic-arn');
  if (headerTopic.kind === 'many' || (headerTopic.kind === 'one' && headerTopic.value !== topicArn))
    return fail('malformed', 'header x-amz-sns-topic-arn disagrees with TopicArn');

  return { ok: true, message: result };
}

/**
 * The exact string SNS signs: `Key\nValue\n` for each signed key of the type, in byte order, with the decoded
 * values; every pair ends with a newline, the last one too. Subject only when present.
 */
export function stringToSign(message: SnsMessage): string {
  const keys = message.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  const fields = message as unknown as Readonly<Record<string, string | undefined>>;
  let out = '';
  for (const key of keys) {
    const value = fields[key];
    if (value === undefined) continue;
    out += `${key}\n${value}\n`;
  }
  return out;
}

/**
 * Whether a SigningCertURL may be fetched. Default: sns-payload-validator's rule (https, host
 * `sns.<region>.amazonaws.com` or `.amazonaws.com.cn`, path `/SimpleNotificationService-<32 alphanumerics>.pem`,
 * nothing else: no port, user info, query or fragment). `override` (TRAILBOT_SNS_CERT_URL_PATTERN, test rigs
 * only) replaces the rule and must match the whole URL (it is anchored here whatever its source says).
 */
export function isAllowedCertUrl(url: string, override: RegExp | null): boolean {
  if (override === null) return DEFAULT_CERT_URL.test(url);
  const anchored = new RegExp(`^(?:${override.source})$`, override.flags.replace(/[gy]/g, ''));
  return anchored.test(url);
}

/**
 * Whether a topic is in the allow list (TRAILBOT_SNS_TOPICS). Entries match exactly, except an entry of the form
 * `arn:<partition>:sns:<region>:<12-digit account>:<prefix>*`: every topic whose name starts with the prefix,
 * in that one account and region only (a wildcard can never widen the account, the region or the partition, so it
 * can only let in topics that the same account owns). A `*` anywhere else matches nothing.
 */
export function topicAllowed(topicArn: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    if (entry === topicArn) return true;
    if (isTopicWildcard(entry) && topicArn.startsWith(entry.slice(0, -1)) && TOPIC_ARN.test(topicArn)) return true;
  }
  return false;
}

/** Whether an allow-list entry is usable: an SNS topic ARN, or a wildcard entry as `topicAllowed` describes. */
export function isValidTopicPattern(entry: string): boolean {
  return TOPIC_ARN.test(entry) || isTopicWildcard(entry);
}

function isTopicWildcard(entry: string): boolean {
  if (!entry.endsWith('*')) return false;
  const prefix = entry.slice(0, -1);
  if (prefix.includes('*')) return false;
  const parts = prefix.split(':');
  if (parts.length !== 6) return false;
  const [arn, partition = '', service, region = '', account = '', name = ''] = parts;
  return (
    arn === 'arn' &&
    /^aws(?:-[a-z]+)*$/.test(partition) &&
    service === 'sns' &&
    /^[a-z0-9-]+$/.test(region) &&
    /^\d{12}$/.test(account) &&
    /^[A-Za-z0-9_-]*$/.test(name)
  );
}

/** The region of an SNS topic ARN (`arn:aws:sns:eu-west-1:123456789012:alerts` → `eu-west-1`), or null. */
export function regionOfTopicArn(topicArn: string): string | null {
  if (!TOPIC_ARN.test(topicArn)) return null;
  return topicArn.split(':')[3] ?? null;
}

/**
 * Whether a message's Timestamp is within `maxAgeMs` of `now`, either way (clock skew). SNS retries an HTTP
 * delivery for at most an hour, so a window of days only refuses replays of old captured messages.
 */
export function isFresh(timestamp: string, now: Date, maxAgeMs: number): boolean {
  const at = Date.parse(timestamp);
  return !Number.isNaN(at) && Math.abs(now.getTime() - at) <= maxAgeMs;
}

function fail(problem: SnsEnvelopeProblem, reason: string): SnsEnvelopeResult {
  return { ok: false, problem, reason };
}

type HeaderValue = { kind: 'none' } | { kind: 'one'; value: string } | { kind: 'many' };

/** A header by name, whatever its case; a header sent twice (an array of two) is `many`. */
function header(headers: SnsHeaders, name: string): HeaderValue {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (typeof value === 'string') return { kind: 'one', value };
    if (value.length === 0) return { kind: 'none' };
    if (value.length === 1) return { kind: 'one', value: value[0] ?? '' };
    return { kind: 'many' };
  }
  return { kind: 'none' };
}

function readAttributes(value: unknown, problems: string[]): Record<string, SnsMessageAttribute> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('MessageAttributes must be an object');
    return undefined;
  }
  const out: Record<string, SnsMessageAttribute> = {};
  for (const [name, attribute] of Object.entries(value)) {
    const a = attribute as { Type?: unknown; Value?: unknown } | null;
    if (typeof a !== 'object' || a === null || typeof a.Type !== 'string' || typeof a.Value !== 'string') {
      problems.push(`MessageAttributes.${clip(name, 40)} must be {Type, Value} strings`);
      continue;
    }
    out[name] = { Type: a.Type, Value: a.Value };
  }
  return out;
}

/** A short, quoted rendering of an untrusted value for a reason line. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clip(value, 64));
  if (value === undefined) return '(missing)';
  if (value === null) return 'null';
  return `(a ${Array.isArray(value) ? 'array' : typeof value})`;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** UTF-8 length without Buffer (core has no Node imports). */
function utf8Length(text: string): number {
  if (text.length > MAX_SNS_BODY_BYTES) return text.length; // at least one byte a code unit: too large already
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

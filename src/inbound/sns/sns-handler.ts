/**
 * POST /sns without the HTTP server: headers + raw body in, status + body out (STYLE.md: tests call this directly).
 *
 * Checks, in order, each refusal logged once with its reason (never the body) and nothing acted on:
 * 1. size and shape (parseSnsEnvelope): over the cap 413; raw delivery, not JSON, missing or mistyped fields 400;
 * 2. message type: header x-amz-sns-message-type equal to Type, else 400 (part of parsing);
 * 3. SigningCertURL allowed (default rule or the test-rig override), else 403;
 * 4. TopicArn in the allow list, else 403 (a SubscriptionConfirmation for another topic is refused here);
 * 5. signature: certificate fetched (cached); unavailable 502 so SNS retries; signature wrong 403;
 * 6. (optional) Timestamp within `freshness.maxAgeMs` of `freshness.now()`, else 403;
 * 7. act: Notification → accept (200 only after it resolves; 500 if it throws, so SNS retries);
 *    SubscriptionConfirmation → confirmSubscription (200; 502 on failure so SNS retries);
 *    UnsubscribeConfirmation → announceUnsubscribe (200; 500 if it throws).
 */
import {
  isAllowedCertUrl,
  isFresh,
  parseSnsEnvelope,
  type SnsMessage,
  type SnsNotification,
  type SnsUnsubscribeConfirmation,
  topicAllowed,
} from '../../core/sns/sns-message.js';
import type { Logger } from '../../ports.js';
import { type SnsSigningKey, verifySnsSignature } from './verify-sns-message.js';

export interface SnsRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export interface SnsResponse {
  status: number;
  /** JSON: `{"ok":true}` or `{"ok":false,"error":"<code>"}`. */
  body: string;
}

export interface SnsHandlerDeps {
  /** TRAILBOT_SNS_TOPICS. */
  allowedTopics: readonly string[];
  /** TRAILBOT_SNS_CERT_URL_PATTERN (test rigs only), else null for the default rule. */
  certUrlOverride: RegExp | null;
  /** The certificate cache (outbound/sns/signing-certificates): fetches an allowed URL once, then from memory. */
  certificates: { get(url: string): Promise<SnsSigningKey> };
  confirmSubscription(topicArn: string, token: string): Promise<void>;
  /** Persists the notification (dedup by MessageId); the 200 goes out only after it resolves. */
  accept(message: SnsNotification): Promise<void>;
  announceUnsubscribe(message: SnsUnsubscribeConfirmation): Promise<void>;
  logger: Logger;
  /**
   * Refuse messages whose Timestamp is further than `maxAgeMs` from `now()`. SNS retries for at most an hour,
   * so a generous window (2 days) costs no real delivery; it bounds how long a captured message can be replayed
   * and how long the store must remember MessageIds. Off when absent.
   */
  freshness?: { now: () => Date; maxAgeMs: number };
}

/** What a refusal or failure is called in the response and the log. */
export type SnsOutcomeCode =
  | 'too_large'
  | 'raw_delivery'
  | 'malformed'
  | 'cert_url'
  | 'topic'
  | 'certificate_unavailable'
  | 'signature'
  | 'stale'
  | 'accept_failed'
  | 'confirm_failed'
  | 'announce_failed'
  | 'internal';

export type SnsHandler = (request: SnsRequest) => Promise<SnsResponse>;

const OK: SnsResponse = { status: 200, body: '{"ok":true}' };

export function createSnsHandler(deps: SnsHandlerDeps): SnsHandler {
  const { logger } = deps;

  const refuse = (status: number, code: SnsOutcomeCode, reason: string, fields: object): SnsResponse => {
    const line = { ...fields, status, code, reason };
    if (status >= 500) logger.error(line, 'sns message not taken');
    else logger.warn(line, 'sns message refused');
    return { status, body: JSON.stringify({ ok: false, error: code }) };
  };

  const handle = async (request: SnsRequest): Promise<SnsResponse> => {
    const parsed = parseSnsEnvelope(request.rawBody, request.headers);
    if (!parsed.ok) return refuse(parsed.problem === 'too_large' ? 413 : 400, parsed.problem, parsed.reason, {});
    const message = parsed.message;
    const fields = logFields(message);

    if (!isAllowedCertUrl(message.SigningCertURL, deps.certUrlOverride))
      return refuse(
        403,
        'cert_url',
        `SigningCertURL ${quote(message.SigningCertURL)} is not an SNS certificate URL`,
        fields,
      );
    if (!topicAllowed(message.TopicArn, deps.allowedTopics))
      return refuse(
        403,
        'topic',
        message.Type === 'SubscriptionConfirmation'
          ? 'subscription to a topic not in TRAILBOT_SNS_TOPICS refused (add it there to accept it)'
          : 'topic not in TRAILBOT_SNS_TOPICS',
        fields,
      );

    let certificate: SnsSigningKey;
    try {
      certificate = await deps.certificates.get(message.SigningCertURL);
    } catch (error) {
      return refuse(502, 'certificate_unavailable', messageOf(error), fields);
    }
    if (!verifySnsSignature(message, certificate))
      return refuse(403, 'signature', `signature (version ${message.SignatureVersion}) does not verify`, fields);
    if (deps.freshness !== undefined) {
      const now = deps.freshness.now();
      if (!isFresh(message.Timestamp, now, deps.freshness.maxAgeMs))
        return refuse(
          403,
          'stale',
          `Timestamp ${message.Timestamp} is more than ${deps.freshness.maxAgeMs} ms from ${now.toISOString()}`,
          fields,
        );
    }

    switch (message.Type) {
      case 'Notification':
        try {
          await deps.accept(message);
        } catch (error) {
          return refuse(500, 'accept_failed', messageOf(error), fields);
        }
        logger.info(fields, 'sns notification accepted');
        return OK;
      case 'SubscriptionConfirmation':
        try {
          await deps.confirmSubscription(message.TopicArn, message.Token);
        } catch (error) {
          return refuse(502, 'confirm_failed', `ConfirmSubscription failed: ${messageOf(error)}`, fields);
        }
        logger.info(fields, 'sns subscription confirmed');
        return OK;
      case 'UnsubscribeConfirmation':
        logger.warn(fields, 'sns subscription ended: the topic no longer delivers here');
        try {
          await deps.announceUnsubscribe(message);
        } catch (error) {
          return refuse(500, 'announce_failed', messageOf(error), fields);
        }
        return OK;
    }
  };

  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      return refuse(500, 'internal', messageOf(error), {});
    }
  };
}

/** What a log line says about a message: never the body, Message, Subject or Token. */
function logFields(message: SnsMessage): Record<string, string> {
  return {
    snsType: message.Type,
    messageId: clip(message.MessageId, 100),
    topicArn: clip(message.TopicArn, 300),
  };
}

function quote(value: string): string {
  return JSON.stringify(clip(value, 200));
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function messageOf(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return clip(typeof message === 'string' ? message : String(error), 500);
}

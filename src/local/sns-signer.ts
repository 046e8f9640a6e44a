/**
 * Local mode's stand-in for SNS's signing: at startup a fresh RSA-2048 key and a self-signed X.509 certificate
 * (pkijs), and sample alarms signed with them exactly as SNS signs a Notification (aws-slack-facts §3.2–3.3:
 * SignatureVersion 2, RSA-SHA256 over `Key\nValue\n` for Message, MessageId, Subject when present, Timestamp,
 * TopicArn and Type). The app's own page routes serve the certificate at {@link LocalSnsSigner.certPath}, and
 * {@link LocalSnsSigner.certUrlPattern} is the certificate-URL override (TRAILBOT_SNS_CERT_URL_PATTERN's knob) that
 * lets exactly that loopback URL through, so a sample alarm takes the production path of POST /sns: URL rule, topic
 * allow list, certificate fetch, signature check.
 *
 * The private key lives only in this process's memory: it is never written, returned or logged.
 */
import { createSign, KeyObject, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type SnsNotification, stringToSign } from '../core/sns/sns-message.js';

/** The samples' account (samples/README.md): local mode's topic lives there. */
export const LOCAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:218007301253:trailbot-local-mode';
export const LOCAL_CERT_COMMON_NAME = 'Trailbot local mode SNS signer';

const DAY_MS = 24 * 60 * 60 * 1000;
const OID_COMMON_NAME = '2.5.4.3';

export interface LocalSnsSignerOptions {
  /** The clock: the certificate's validity is counted from it, and each Timestamp read. Default: the system's. */
  now?: () => Date;
}

/** What a sample alarm says: the SNS Message, and optionally its Subject and another topic. */
export interface LocalNotificationFields {
  message: string;
  subject?: string;
  /** Default: {@link LocalSnsSigner.topicArn}. */
  topicArn?: string;
}

export interface LocalSnsSigner {
  /** The self-signed certificate, PEM. */
  certPem: string;
  /** `/local/SimpleNotificationService-<32 random hex>.pem`: where the app's page routes serve {@link certPem}. */
  certPath: string;
  /** `http://127.0.0.1:<port>` or `http://localhost:<port>` (or `http://[::1]:<port>`) + certPath, anchored. */
  certUrlPattern: RegExp;
  /** `arn:aws:sns:us-east-1:218007301253:trailbot-local-mode`: add it to the allowed topics. */
  topicArn: string;
  /**
   * The JSON body SNS would POST for a Notification: a fresh MessageId, Timestamp now, SignatureVersion 2,
   * SigningCertURL `certUrl`, UnsubscribeURL on the same origin.
   */
  signNotification(fields: LocalNotificationFields, certUrl: string): string;
}

export async function createLocalSnsSigner(options: LocalSnsSignerOptions = {}): Promise<LocalSnsSigner> {
  const now = options.now ?? (() => new Date());
  const keys = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const certPem = await selfSignedCertificate(keys, now());
  const privateKey = KeyObject.from(keys.privateKey);
  const certPath = `/local/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  const certUrlPattern = new RegExp(
    `^http://(?:127\\.0\\.0\\.1|localhost|\\[::1\\]):\\d{1,5}${escapeRegExp(certPath)}$`,
  );
  const subscriptionArn = `${LOCAL_TOPIC_ARN}:${randomUUID()}`;

  return {
    certPem,
    certPath,
    certUrlPattern,
    topicArn: LOCAL_TOPIC_ARN,
    signNotification(fields, certUrl) {
      const origin = new URL(certUrl).origin;
      const unsigned: Omit<SnsNotification, 'Signature'> = {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: fields.topicArn ?? LOCAL_TOPIC_ARN,
        ...(fields.subject === undefined ? {} : { Subject: fields.subject }),
        Message: fields.message,
        Timestamp: now().toISOString(),
        SignatureVersion: '2',
        SigningCertURL: certUrl,
        UnsubscribeURL: `${origin}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`,
      };
      const signature = createSign('RSA-SHA256')
        .update(stringToSign({ ...unsigned, Signature: '' }), 'utf8')
        .sign(privateKey, 'base64');
      // SNS's own key order: the signed fields, then the signature and the URLs.
      const { UnsubscribeURL, SigningCertURL, SignatureVersion, ...signed } = unsigned;
      return JSON.stringify(
        { ...signed, SignatureVersion, Signature: signature, SigningCertURL, UnsubscribeURL },
        null,
        2,
      );
    },
  };
}

/** A self-signed certificate for `keys`: CN {@link LOCAL_CERT_COMMON_NAME}, valid from a day before `at` for a year. */
async function selfSignedCertificate(keys: webcrypto.CryptoKeyPair, at: Date): Promise<string> {
  const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  const commonName = new pkijs.AttributeTypeAndValue({
    type: OID_COMMON_NAME,
    value: new asn1js.Utf8String({ value: LOCAL_CERT_COMMON_NAME }),
  });
  certificate.issuer.typesAndValues.push(commonName);
  certificate.subject.typesAndValues.push(commonName);
  certificate.notBefore.value = new Date(at.getTime() - DAY_MS);
  certificate.notAfter.value = new Date(at.getTime() - DAY_MS + 365 * DAY_MS);
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  await certificate.sign(keys.privateKey, 'SHA-256', engine);
  const der = Buffer.from(certificate.toSchema(true).toBER(false));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** 16 random bytes, positive and without a leading zero octet (DER wants the shortest form). */
function randomSerial(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

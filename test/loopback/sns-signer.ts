/**
 * SNS's signing, on loopback, for tests and benchmarks: an RSA key and a self-signed X.509 certificate made with the
 * `openssl` CLI in a temporary folder, the certificate served over HTTP on 127.0.0.1 at
 * `/SimpleNotificationService-<32 hex>.pem` (every fetch counted), and messages signed as SNS signs them:
 * SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256, over `Key\nValue\n` for the type's signed keys in byte order
 * (written here independently of src/core/sns so a test is not the code checking itself).
 *
 * The certificate URL is http on 127.0.0.1, so the handler under test needs the override
 * {@link LOOPBACK_CERT_URL_PATTERN} (TRAILBOT_SNS_CERT_URL_PATTERN).
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createSign, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The override that lets loopback certificate URLs through (the rule's test-rig escape hatch). */
export const LOOPBACK_CERT_URL_PATTERN = /^http:\/\/127\.0\.0\.1:\d+\/SimpleNotificationService-[0-9a-f]{32}\.pem$/;

export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** A message to sign: anything left out gets SNS-like defaults. */
export interface SnsFields {
  Type: SnsType;
  TopicArn: string;
  Message?: string;
  MessageId?: string;
  Subject?: string;
  Timestamp?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
  SigningCertURL?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export interface SignOptions {
  /** '1' (RSA-SHA1, SNS's default) or '2' (RSA-SHA256). */
  version: '1' | '2';
}

export interface SnsSigner {
  /** `http://127.0.0.1:PORT/SimpleNotificationService-<32 hex>.pem` */
  certUrl: string;
  certPem: string;
  privateKey: KeyObject;
  /** Times the certificate was fetched. */
  readonly fetches: number;
  /** The full JSON body SNS would POST. */
  signSnsMessage(fields: SnsFields, options: SignOptions): string;
  close(): Promise<void>;
}

const SIGNED_KEYS: Readonly<Record<SnsType, readonly string[]>> = {
  Notification: ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp'],
  SubscriptionConfirmation: ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp'],
  UnsubscribeConfirmation: ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp'],
};

/** Makes an RSA key and a self-signed certificate valid from yesterday for `days` days. */
export function makeCertificate(days = 2): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trailbot-sns-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        String(days),
        '-subj',
        '/CN=sns.loopback.trailbot.test',
      ],
      { stdio: 'pipe' },
    );
    return { keyPem: readFileSync(keyPath, 'utf8'), certPem: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSnsSigner(
  material: { keyPem: string; certPem: string } = makeCertificate(),
): Promise<SnsSigner> {
  const path = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === path) {
      fetches += 1;
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
      res.end(material.certPem);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const certUrl = `http://127.0.0.1:${port}${path}`;
  const privateKey = createPrivateKey(material.keyPem);

  return {
    certUrl,
    certPem: material.certPem,
    privateKey,
    get fetches() {
      return fetches;
    },
    signSnsMessage(fields, { version }) {
      const messageId = fields.MessageId ?? randomUUID();
      const region = fields.TopicArn.split(':')[3] ?? 'us-east-1';
      const token = fields.Token ?? randomBytes(64).toString('hex');
      const confirmation = fields.Type !== 'Notification';
      const values: Record<string, string | undefined> = {
        Type: fields.Type,
        MessageId: messageId,
        Token: confirmation ? token : undefined,
        TopicArn: fields.TopicArn,
        Subject: confirmation ? undefined : fields.Subject,
        Message:
          fields.Message ??
          (confirmation
            ? `You have chosen to subscribe to the topic ${fields.TopicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
            : 'Hello from SNS'),
        SubscribeURL: confirmation
          ? (fields.SubscribeURL ??
            `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${fields.TopicArn}&Token=${token}`)
          : undefined,
        Timestamp: fields.Timestamp ?? new Date().toISOString(),
      };
      const canonical = (SIGNED_KEYS[fields.Type] as string[])
        .filter((key) => values[key] !== undefined)
        .sort()
        .map((key) => `${key}\n${values[key]}\n`)
        .join('');
      const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
        .update(canonical, 'utf8')
        .sign(privateKey, 'base64');
      const body: Record<string, unknown> = {};
      for (const key of ['Type', 'MessageId', 'Token', 'TopicArn', 'Subject', 'Message', 'SubscribeURL', 'Timestamp'])
        if (values[key] !== undefined) body[key] = values[key];
      body.SignatureVersion = version;
      body.Signature = signature;
      body.SigningCertURL = fields.SigningCertURL ?? certUrl;
      if (!confirmation)
        body.UnsubscribeURL =
          fields.UnsubscribeURL ??
          `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${fields.TopicArn}:${randomUUID()}`;
      if (!confirmation && fields.MessageAttributes !== undefined) body.MessageAttributes = fields.MessageAttributes;
      return JSON.stringify(body, null, 2);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The headers SNS sends with a body (aws-slack-facts §3.1). */
export function snsHeaders(body: string): Record<string, string> {
  const message = JSON.parse(body) as { Type: string; MessageId: string; TopicArn: string };
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'user-agent': 'Amazon Simple Notification Service Agent',
    'x-amz-sns-message-type': message.Type,
    'x-amz-sns-message-id': message.MessageId,
    'x-amz-sns-topic-arn': message.TopicArn,
    ...(message.Type === 'SubscriptionConfirmation'
      ? {}
      : { 'x-amz-sns-subscription-arn': `${message.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55` }),
  };
}

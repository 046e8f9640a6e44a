/**
 * Local mode's SNS signer against the production path: the real SNS handler with the signer's certificate-URL
 * pattern, the real certificate cache fetching the certificate from a loopback server, and the signer's topic
 * allowed. Also the signature checked independently (node:crypto over a string to sign built here by hand, not with
 * core's stringToSign) and the certificate itself (parsed by node:crypto and pkijs).
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as pkijs from 'pkijs';
import { isAllowedCertUrl, type SnsNotification } from '../../src/core/sns/sns-message.js';
import { createSnsHandler, type SnsResponse } from '../../src/inbound/sns/sns-handler.js';
import { createLocalSnsSigner, type LocalSnsSigner } from '../../src/local/sns-signer.js';
import { createCertificateCache } from '../../src/outbound/sns/signing-certificates.js';
import { quietLogger } from '../helpers/quiet-loggers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ALARM_MESSAGE = JSON.stringify({
  AlarmName: 'SecurityGroupChanges',
  NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed: 1 datapoint\n"quoted" ✓',
});
const SUBJECT = 'ALARM: "SecurityGroupChanges" in US East (N. Virginia)';

let signer: LocalSnsSigner;
let server: Server;
let port: number;
let fetches = 0;

beforeAll(async () => {
  signer = await createLocalSnsSigner();
  server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === signer.certPath) {
      fetches += 1;
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
      res.end(signer.certPem);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
});

interface Rig {
  post(body: string): Promise<SnsResponse>;
  accepted: SnsNotification[];
}

/** The production handler as local mode wires it: the signer's pattern and topic, a real certificate cache. */
function rig(): Rig {
  const accepted: SnsNotification[] = [];
  const handler = createSnsHandler({
    allowedTopics: [signer.topicArn],
    certUrlOverride: signer.certUrlPattern,
    certificates: createCertificateCache(),
    confirmSubscription: async () => {
      throw new Error('no subscription in local mode');
    },
    accept: async (message) => {
      accepted.push(message);
    },
    announceUnsubscribe: async () => undefined,
    logger: quietLogger,
  });
  return {
    post: (body) => {
      const parsed = JSON.parse(body) as { Type: string; MessageId: string; TopicArn: string };
      return handler({
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': parsed.Type,
          'x-amz-sns-message-id': parsed.MessageId,
          'x-amz-sns-topic-arn': parsed.TopicArn,
        },
        rawBody: body,
      });
    },
    accepted,
  };
}

const certUrl = (host = '127.0.0.1', path = signer.certPath) => `http://${host}:${port}${path}`;

/** SNS's string to sign for a Notification, by hand (aws-slack-facts §3.3): keys in byte order, Subject if present. */
function handMadeStringToSign(body: Record<string, string>): string {
  const keys = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
  return keys
    .filter((key) => body[key] !== undefined)
    .map((key) => `${key}\n${body[key]}\n`)
    .join('');
}

function verifiesIndependently(body: Record<string, string>, pem: string): boolean {
  const key = new X509Certificate(pem).publicKey;
  return createVerify('RSA-SHA256')
    .update(handMadeStringToSign(body), 'utf8')
    .verify(key, body.Signature ?? '', 'base64');
}

describe('the production SNS path accepts what local mode signs', () => {
  test('a signed notification is accepted and reaches accept, with its Message and Subject intact', async () => {
    const r = rig();
    const before = fetches;
    const body = signer.signNotification({ message: ALARM_MESSAGE, subject: SUBJECT }, certUrl());
    const response = await r.post(body);
    expect(response).toEqual({ status: 200, body: '{"ok":true}' });
    expect(r.accepted).toHaveLength(1);
    expect(r.accepted[0]).toMatchObject({
      Type: 'Notification',
      TopicArn: signer.topicArn,
      Subject: SUBJECT,
      Message: ALARM_MESSAGE,
      SignatureVersion: '2',
      SigningCertURL: certUrl(),
    });
    expect(fetches).toBe(before + 1); // the certificate really came from the loopback server
  });

  test('without a Subject, and with the certificate URL on localhost, it is accepted too', async () => {
    const r = rig();
    const body = signer.signNotification({ message: 'plain text alarm' }, certUrl('localhost'));
    expect(JSON.parse(body)).not.toHaveProperty('Subject');
    expect((await r.post(body)).status).toBe(200);
    expect(r.accepted.map((m) => m.Message)).toEqual(['plain text alarm']);
  });

  test('the same body with one character of Message changed is refused, and nothing is accepted', async () => {
    const r = rig();
    const body = JSON.parse(signer.signNotification({ message: ALARM_MESSAGE, subject: SUBJECT }, certUrl())) as {
      Message: string;
    };
    const tampered = JSON.stringify({ ...body, Message: body.Message.replace('ALARM', 'ALARN') });
    expect(tampered).not.toBe(JSON.stringify(body));
    const response = await r.post(tampered);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: 'signature' });
    expect(r.accepted).toHaveLength(0);
  });

  test('a notification for another topic is refused (only the local topic is allowed)', async () => {
    const r = rig();
    const body = signer.signNotification(
      { message: ALARM_MESSAGE, topicArn: 'arn:aws:sns:us-east-1:218007301253:someone-else' },
      certUrl(),
    );
    expect(JSON.parse((await r.post(body)).body)).toEqual({ ok: false, error: 'topic' });
    expect(r.accepted).toHaveLength(0);
  });

  test('a certificate URL on another host or path is refused before anything is fetched', async () => {
    const r = rig();
    const before = fetches;
    for (const url of [certUrl('127.0.0.2'), certUrl('127.0.0.1', `${signer.certPath}x`)]) {
      const response = await r.post(signer.signNotification({ message: ALARM_MESSAGE }, url));
      expect(JSON.parse(response.body)).toEqual({ ok: false, error: 'cert_url' });
    }
    expect(fetches).toBe(before);
    expect(r.accepted).toHaveLength(0);
  });

  test("another signer's notification naming this signer's certificate is refused", async () => {
    const r = rig();
    const other = await createLocalSnsSigner();
    expect(other.certPem).not.toBe(signer.certPem);
    const response = await r.post(other.signNotification({ message: ALARM_MESSAGE }, certUrl()));
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: 'signature' });
  });
});

describe('certUrlPattern', () => {
  const hex = 'a'.repeat(32);
  test('matches the certificate path on 127.0.0.1, localhost or [::1], any port', () => {
    for (const url of [
      `http://127.0.0.1:3000${signer.certPath}`,
      `http://127.0.0.1:65535${signer.certPath}`,
      `http://localhost:8080${signer.certPath}`,
      `http://[::1]:3000${signer.certPath}`,
    ]) {
      expect(signer.certUrlPattern.test(url)).toBe(true);
      expect(isAllowedCertUrl(url, signer.certUrlPattern)).toBe(true);
    }
  });

  test('matches nothing else: another path, host, scheme, or anything around the URL', () => {
    const path = signer.certPath;
    expect(path).toMatch(/^\/local\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
    for (const url of [
      `http://127.0.0.1:3000/local/SimpleNotificationService-${hex}.pem`,
      `http://127.0.0.1:3000${path.replace('/local', '')}`,
      `http://127.0.0.1:3000${path}x`,
      `http://127.0.0.1:3000${path}?x=1`,
      `http://127.0.0.1:3000${path.replace('.pem', 'Xpem')}`,
      `http://127.0.0.2:3000${path}`,
      `http://10.0.0.1:3000${path}`,
      `http://localhost.example.com:3000${path}`,
      `http://user@127.0.0.1:3000${path}`,
      `https://127.0.0.1:3000${path}`,
      `http://127.0.0.1${path}`,
      `http://127.0.0.1:3000${path}/`,
      `xhttp://127.0.0.1:3000${path}`,
      `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${hex}.pem`,
    ]) {
      expect({ url, matched: signer.certUrlPattern.test(url) }).toEqual({ url, matched: false });
      expect(isAllowedCertUrl(url, signer.certUrlPattern)).toBe(false);
    }
  });

  test('each signer has its own random certificate path', async () => {
    const other = await createLocalSnsSigner();
    expect(other.certPath).not.toBe(signer.certPath);
    expect(other.certUrlPattern.test(`http://127.0.0.1:3000${signer.certPath}`)).toBe(false);
  });
});

describe('the signed body, checked without Trailbot', () => {
  test('is the JSON SNS posts, and its signature verifies over a hand-built string to sign', () => {
    const started = Date.now();
    const text = signer.signNotification({ message: ALARM_MESSAGE, subject: SUBJECT }, certUrl());
    const body = JSON.parse(text) as Record<string, string>;
    expect(Object.keys(body)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(body.Type).toBe('Notification');
    expect(body.MessageId).toMatch(UUID);
    expect(body.TopicArn).toBe('arn:aws:sns:us-east-1:218007301253:trailbot-local-mode');
    expect(body.SignatureVersion).toBe('2');
    expect(body.SigningCertURL).toBe(certUrl());
    expect(new URL(body.UnsubscribeURL ?? '').origin).toBe(`http://127.0.0.1:${port}`);
    const at = Date.parse(body.Timestamp ?? '');
    expect(body.Timestamp).toBe(new Date(at).toISOString());
    expect(at).toBeGreaterThanOrEqual(started - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);

    expect(verifiesIndependently(body, signer.certPem)).toBe(true);
    // The check can fail: another Subject, or the signature of another message, does not verify.
    expect(verifiesIndependently({ ...body, Subject: 'ALARM: other' }, signer.certPem)).toBe(false);
    const other = JSON.parse(signer.signNotification({ message: 'other' }, certUrl())) as Record<string, string>;
    expect(verifiesIndependently({ ...body, Signature: other.Signature ?? '' }, signer.certPem)).toBe(false);
  });

  test('without a Subject the string to sign has no Subject, and it still verifies', () => {
    const body = JSON.parse(signer.signNotification({ message: ALARM_MESSAGE }, certUrl())) as Record<string, string>;
    expect(body.Subject).toBeUndefined();
    expect(verifiesIndependently(body, signer.certPem)).toBe(true);
  });

  test('every notification has a fresh MessageId', () => {
    const ids = new Set(
      Array.from(
        { length: 5 },
        () => (JSON.parse(signer.signNotification({ message: 'x' }, certUrl())) as Record<string, string>).MessageId,
      ),
    );
    expect(ids.size).toBe(5);
  });
});

describe('the certificate', () => {
  test('parses, is self-signed with an RSA-2048 key, named for local mode, and valid now', () => {
    const certificate = new X509Certificate(signer.certPem);
    expect(certificate.subject).toBe('CN=Trailbot local mode SNS signer');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const now = Date.now();
    expect(Date.parse(certificate.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(now);
  });

  test('is signed with RSA-SHA256 and has a random positive serial', async () => {
    const parse = (pem: string) => {
      const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      return pkijs.Certificate.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength));
    };
    const certificate = parse(signer.certPem);
    expect(certificate.version).toBe(2);
    expect(certificate.signatureAlgorithm.algorithmId).toBe('1.2.840.113549.1.1.11'); // sha256WithRSAEncryption
    const serial = new X509Certificate(signer.certPem).serialNumber;
    const other = new X509Certificate((await createLocalSnsSigner()).certPem).serialNumber;
    expect(serial).toMatch(/^[0-9A-F]{32}$/);
    expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    expect(other).not.toBe(serial);
  });

  test('is valid from a day before the clock for a year, and the clock stamps each Timestamp', async () => {
    const at = new Date('2030-05-06T07:08:09.000Z');
    const clocked = await createLocalSnsSigner({ now: () => at });
    const certificate = new X509Certificate(clocked.certPem);
    expect(Date.parse(certificate.validFrom)).toBe(at.getTime() - DAY_MS);
    expect(Date.parse(certificate.validTo)).toBe(at.getTime() - DAY_MS + 365 * DAY_MS);
    const body = JSON.parse(clocked.signNotification({ message: 'x' }, certUrl())) as Record<string, string>;
    expect(body.Timestamp).toBe('2030-05-06T07:08:09.000Z');
  });

  test('the signer exposes no private key', () => {
    const values = Object.values(signer) as unknown[];
    expect(Object.keys(signer).sort()).toEqual([
      'certPath',
      'certPem',
      'certUrlPattern',
      'signNotification',
      'topicArn',
    ]);
    expect(values.some((v) => typeof v === 'object' && v !== null && 'asymmetricKeyType' in v)).toBe(false);
    expect(signer.certPem).not.toContain('PRIVATE KEY');
    expect(signer.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
  });
});

/**
 * POST /sns through a real HTTP server on loopback: the Bolt custom route reading the raw body (SNS sends JSON as
 * text/plain) and writing the handler's answer; an oversized body is refused with 413 without being buffered.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { SnsNotification } from '../../src/core/sns/sns-message.js';
import { createSnsHandler, type SnsRequest } from '../../src/inbound/sns/sns-handler.js';
import { createSnsRoute, SNS_PATH } from '../../src/inbound/sns/sns-route.js';
import { createCertificateCache } from '../../src/outbound/sns/signing-certificates.js';
import { quietLogger } from '../helpers/quiet-loggers.js';
import { LOOPBACK_CERT_URL_PATTERN, type SnsSigner, snsHeaders, startSnsSigner } from '../loopback/sns-signer.js';

const TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:trailbot-alerts';

let signer: SnsSigner;
let server: Server;
let url: string;
const accepted: SnsNotification[] = [];
const seen: SnsRequest[] = [];

beforeAll(async () => {
  signer = await startSnsSigner();
  const handler = createSnsHandler({
    allowedTopics: [TOPIC],
    certUrlOverride: LOOPBACK_CERT_URL_PATTERN,
    certificates: createCertificateCache(),
    confirmSubscription: async () => {},
    accept: async (message) => {
      accepted.push(message);
    },
    announceUnsubscribe: async () => {},
    logger: quietLogger,
  });
  const route = createSnsRoute({
    handler: (req) => {
      seen.push(req);
      return handler(req);
    },
    logger: quietLogger,
  });
  expect(route).toMatchObject({ path: '/sns', method: ['POST'] });
  server = createServer((req, res) => {
    if (req.url === SNS_PATH && req.method === 'POST') route.handler(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SNS_PATH}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await signer?.close();
});

describe('POST /sns over HTTP', () => {
  test('a signed notification sent as text/plain is read raw, verified and accepted', async () => {
    const body = signer.signSnsMessage(
      { Type: 'Notification', TopicArn: TOPIC, Subject: 'ALARM', Message: '{"AlarmName":"東京-root-login"}' },
      { version: '2' },
    );
    const res = await fetch(url, { method: 'POST', headers: snsHeaders(body), body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(accepted.at(-1)?.Message).toBe('{"AlarmName":"東京-root-login"}');
    expect(seen.at(-1)?.rawBody).toBe(body);
    expect(seen.at(-1)?.headers['content-type']).toBe('text/plain; charset=UTF-8');
  });

  test('a tampered body gets the handler status (403) over HTTP', async () => {
    const body = signer
      .signSnsMessage({ Type: 'Notification', TopicArn: TOPIC, Message: 'original' }, { version: '1' })
      .replace('original', 'tampered');
    const res = await fetch(url, { method: 'POST', headers: snsHeaders(body), body });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error: 'signature' });
  });

  test('an oversized body with a declared length: 413 and the handler is not called', async () => {
    const before = seen.length;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: 'x'.repeat(400 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: 'too_large' });
    expect(seen.length).toBe(before);
  });

  test('an oversized chunked body (no declared length): 413 once the bytes pass the cap', async () => {
    const before = seen.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = 'y'.repeat(64 * 1024);
      for (let i = 0; i < 6; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(seen.length).toBe(before);
  });

  test('a malformed body: 400', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-amz-sns-message-type': 'Notification' },
      body: 'not json',
    });
    expect(res.status).toBe(400);
  });
});

/**
 * The SNS handler with real signatures (test/loopback/sns-signer: a test key and a self-signed certificate served on
 * loopback), the real certificate cache fetching from there, and the real SDK confirming subscriptions against the
 * loopback SNS API. Plus the certificate cache's own refusals, with a fetch passed in.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { SnsNotification, SnsUnsubscribeConfirmation } from '../../src/core/sns/sns-message.js';
import { createSnsHandler, type SnsHandlerDeps, type SnsResponse } from '../../src/inbound/sns/sns-handler.js';
import { createSubscriptionConfirmer } from '../../src/outbound/sns/confirm-subscription.js';
import { CertificateFetchError, createCertificateCache } from '../../src/outbound/sns/signing-certificates.js';
import type { Logger } from '../../src/ports.js';
import { type SnsApiServer, startSnsApiServer } from '../loopback/sns-api-server.js';
import {
  LOOPBACK_CERT_URL_PATTERN,
  makeCertificate,
  type SnsFields,
  type SnsSigner,
  snsHeaders,
  startSnsSigner,
} from '../loopback/sns-signer.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:trailbot-alerts';
const OTHER_ALLOWED = 'arn:aws:sns:eu-west-1:123456789012:trailbot-audit';
const FOREIGN = 'arn:aws:sns:eu-west-1:999999999999:someone-elses';
const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

let signer: SnsSigner;
let stranger: SnsSigner;
let api: SnsApiServer;
const snsClients: SNSClient[] = [];

beforeAll(async () => {
  signer = await startSnsSigner();
  stranger = await startSnsSigner(makeCertificate());
  api = await startSnsApiServer();
});

afterAll(async () => {
  for (const client of snsClients) client.destroy();
  await Promise.all([signer?.close(), stranger?.close(), api?.close()]);
});

function loopbackClient(region: string): SNSClient {
  const client = new SNSClient({ region, endpoint: api.url, credentials, maxAttempts: 1 });
  snsClients.push(client);
  return client;
}

interface Rig {
  handle(body: string, headers?: Record<string, string | string[] | undefined>): Promise<SnsResponse>;
  accepted: SnsNotification[];
  announced: SnsUnsubscribeConfirmation[];
  logs: LogLine[];
}

function rig(overrides: Partial<SnsHandlerDeps> = {}): Rig {
  const accepted: SnsNotification[] = [];
  const announced: SnsUnsubscribeConfirmation[] = [];
  const logs: LogLine[] = [];
  const log =
    (level: string) =>
    (fields: object, message: string): void => {
      logs.push({ level, fields: fields as Record<string, unknown>, message });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const handler = createSnsHandler({
    allowedTopics: [TOPIC, OTHER_ALLOWED],
    certUrlOverride: LOOPBACK_CERT_URL_PATTERN,
    certificates: createCertificateCache(),
    confirmSubscription: createSubscriptionConfirmer(loopbackClient),
    accept: async (message) => {
      accepted.push(message);
    },
    announceUnsubscribe: async (message) => {
      announced.push(message);
    },
    logger,
    ...overrides,
  });
  return {
    handle: (body, headers = snsHeaders(body)) => handler({ headers, rawBody: body }),
    accepted,
    announced,
    logs,
  };
}

function notification(fields: Partial<SnsFields> = {}, version: '1' | '2' = '2'): string {
  return signer.signSnsMessage(
    {
      Type: 'Notification',
      TopicArn: TOPIC,
      Subject: 'ALARM: "root-login" in EU (Ireland)',
      Message: JSON.stringify({ AlarmName: 'root-login', NewStateValue: 'ALARM' }),
      ...fields,
    },
    { version },
  );
}

/** The body with one field changed, the signature left as it was (headers are recomputed to agree). */
function altered(body: string, change: Record<string, unknown>): string {
  const message = JSON.parse(body) as Record<string, unknown>;
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete message[key];
    else message[key] = value;
  }
  return JSON.stringify(message);
}

function refusal(logs: LogLine[]): LogLine {
  const lines = logs.filter((l) => l.message === 'sns message refused' || l.message === 'sns message not taken');
  expect(lines).toHaveLength(1);
  return lines[0] as LogLine;
}

describe('notifications', () => {
  test.each(['1', '2'] as const)('SignatureVersion %s is verified and accepted before the 200', async (version) => {
    const r = rig();
    const body = notification({}, version);
    const response = await r.handle(body);
    expect(response).toEqual({ status: 200, body: '{"ok":true}' });
    expect(r.accepted).toHaveLength(1);
    expect(r.accepted[0]).toMatchObject({
      Type: 'Notification',
      TopicArn: TOPIC,
      Subject: 'ALARM: "root-login" in EU (Ireland)',
      SignatureVersion: version,
      MessageId: JSON.parse(body).MessageId,
    });
    expect(r.logs.find((l) => l.message === 'sns notification accepted')?.fields).toMatchObject({ topicArn: TOPIC });
  });

  test('a notification without a Subject verifies too', async () => {
    const r = rig();
    const body = signer.signSnsMessage(
      { Type: 'Notification', TopicArn: TOPIC, Message: 'plain text' },
      { version: '1' },
    );
    expect((await r.handle(body)).status).toBe(200);
    expect(r.accepted[0]?.Subject).toBeUndefined();
  });

  test('a message with newlines, quotes and non-ASCII text verifies (values are signed decoded)', async () => {
    const r = rig();
    const body = notification({ Message: 'line 1\nline "2"\t→ 東京 😀', Subject: 'Ünïcode' });
    expect((await r.handle(body)).status).toBe(200);
    expect(r.accepted[0]?.Message).toBe('line 1\nline "2"\t→ 東京 😀');
  });

  test.each([
    ['Message', { Message: '{"AlarmName":"root-login","NewStateValue":"OK"}' }],
    ['Subject', { Subject: 'OK: "root-login"' }],
    ['Subject removed', { Subject: undefined }],
    ['TopicArn (to another allowed topic)', { TopicArn: OTHER_ALLOWED }],
    ['Timestamp', { Timestamp: '2020-01-01T00:00:00.000Z' }],
    ['MessageId', { MessageId: '00000000-0000-0000-0000-000000000000' }],
    ['Type', { Type: 'UnsubscribeConfirmation', Token: 'x', SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/' }],
    ['SignatureVersion (2 → 1)', { SignatureVersion: '1' }],
  ])('an altered %s is refused with 403 and nothing is accepted', async (_name, change) => {
    const r = rig();
    const response = await r.handle(altered(notification(), change));
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: 'signature' });
    expect(r.accepted).toHaveLength(0);
    expect(refusal(r.logs).fields).toMatchObject({ code: 'signature', status: 403 });
  });

  test('a signature by another key (the URL pointing at our certificate) is refused', async () => {
    const r = rig();
    const forged = stranger.signSnsMessage(
      { Type: 'Notification', TopicArn: TOPIC, Message: 'forged', SigningCertURL: signer.certUrl },
      { version: '2' },
    );
    expect((await r.handle(forged)).status).toBe(403);
    expect(r.accepted).toHaveLength(0);
  });

  test('a signature that is not base64-decodable to anything useful is refused, not thrown', async () => {
    const r = rig();
    expect((await r.handle(altered(notification(), { Signature: 'AAAA' }))).status).toBe(403);
  });

  test('the log line names the reason but never the body, Message or Subject', async () => {
    const r = rig();
    await r.handle(altered(notification({ Message: 'SECRET-PAYLOAD-TEXT' }), { Subject: 'SECRET-SUBJECT' }));
    const line = refusal(r.logs);
    const text = JSON.stringify(r.logs);
    expect(line.fields.reason).toMatch(/does not verify/);
    expect(text).not.toContain('SECRET-PAYLOAD-TEXT');
    expect(text).not.toContain('SECRET-SUBJECT');
  });

  test('accept throwing gives 500 so SNS retries', async () => {
    const r = rig({
      accept: async () => {
        throw new Error('store is locked');
      },
    });
    const response = await r.handle(notification());
    expect(response.status).toBe(500);
    expect(refusal(r.logs)).toMatchObject({
      level: 'error',
      fields: { code: 'accept_failed', reason: 'store is locked' },
    });
  });

  test('the certificate is fetched once for many messages, also when they arrive together', async () => {
    const r = rig();
    const before = signer.fetches;
    const bodies = Array.from({ length: 25 }, (_, i) => notification({ Message: `message ${i}` }, i % 2 ? '1' : '2'));
    const responses = await Promise.all(bodies.map((b) => r.handle(b)));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    for (const b of bodies.slice(0, 5)) expect((await r.handle(b)).status).toBe(200);
    expect(signer.fetches - before).toBe(1);
    expect(r.accepted).toHaveLength(30);
  });
});

describe('refused before any fetch', () => {
  test('a topic not in the list: 403, the certificate never fetched', async () => {
    const r = rig();
    const before = signer.fetches;
    const response = await r.handle(notification({ TopicArn: FOREIGN }));
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error).toBe('topic');
    expect(signer.fetches).toBe(before);
    expect(r.accepted).toHaveLength(0);
    expect(refusal(r.logs).fields).toMatchObject({ code: 'topic', topicArn: FOREIGN });
  });

  test('a loopback http certificate URL without the override: 403', async () => {
    const r = rig({ certUrlOverride: null });
    const before = signer.fetches;
    const response = await r.handle(notification());
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error).toBe('cert_url');
    expect(signer.fetches).toBe(before);
    expect(r.accepted).toHaveLength(0);
  });

  test.each([
    ['another host', (url: string) => url.replace('127.0.0.1', 'localhost')],
    ['https on another host', (url: string) => url.replace('http://127.0.0.1', 'https://evil.example')],
    ['another path', (url: string) => url.replace('SimpleNotificationService-', 'x/SimpleNotificationService-')],
  ])('a certificate URL on %s, even with the override: 403', async (_name, change) => {
    const r = rig();
    const body = notification({ SigningCertURL: change(signer.certUrl) });
    const response = await r.handle(body);
    expect(response.status).toBe(403);
    expect(r.accepted).toHaveLength(0);
  });

  test.each([
    ['malformed JSON', '{"Type":"Notification",', { 'x-amz-sns-message-type': 'Notification' }],
    ['missing fields', '{"Type":"Notification","TopicArn":"x"}', { 'x-amz-sns-message-type': 'Notification' }],
  ])('%s: 400', async (_name, body, headers) => {
    const r = rig();
    const response = await r.handle(body, headers);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe('malformed');
    expect(refusal(r.logs).fields).toMatchObject({ code: 'malformed', status: 400 });
  });

  test('a header type that disagrees with Type: 400', async () => {
    const r = rig();
    const body = notification();
    const response = await r.handle(body, {
      ...snsHeaders(body),
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
    });
    expect(response.status).toBe(400);
    expect(r.accepted).toHaveLength(0);
  });

  test('a raw-delivery body: 400 with a reason naming raw delivery', async () => {
    const r = rig();
    const response = await r.handle('{"AlarmName":"x"}', {
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-rawdelivery': 'true',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe('raw_delivery');
    expect(String(refusal(r.logs).fields.reason)).toMatch(/RawMessageDelivery/);
  });

  test('an oversized body: 413', async () => {
    const r = rig();
    const response = await r.handle(notification({ Message: 'x'.repeat(400 * 1024) }));
    expect(response.status).toBe(413);
  });

  test('a certificate that cannot be fetched: 502 so SNS retries, nothing accepted', async () => {
    const r = rig();
    const missing = signer.certUrl.replace(/-[0-9a-f]{32}\.pem$/, `-${'0'.repeat(32)}.pem`);
    const response = await r.handle(notification({ SigningCertURL: missing }));
    expect(response.status).toBe(502);
    expect(refusal(r.logs)).toMatchObject({ level: 'error', fields: { code: 'certificate_unavailable' } });
    expect(String(refusal(r.logs).fields.reason)).toMatch(/HTTP 404/);
    expect(r.accepted).toHaveLength(0);
  });
});

describe('freshness (optional)', () => {
  const now = new Date();
  const freshness = { now: () => now, maxAgeMs: 2 * 24 * 3600_000 };

  test('a genuine message within the window passes; an old one, genuinely signed, is refused', async () => {
    const r = rig({ freshness });
    const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
    expect((await r.handle(notification({ Timestamp: hourAgo }))).status).toBe(200);
    const weekAgo = new Date(now.getTime() - 7 * 24 * 3600_000).toISOString();
    const response = await r.handle(notification({ Timestamp: weekAgo }));
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error).toBe('stale');
    expect(r.accepted).toHaveLength(1);
  });
});

describe('subscriptions', () => {
  beforeEach(() => {
    (api.calls as unknown[]).length = 0;
  });

  function confirmation(topic: string, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', token: string) {
    return signer.signSnsMessage({ Type: type, TopicArn: topic, Token: token }, { version: '1' });
  }

  test('a SubscriptionConfirmation for an allowed topic is confirmed with AuthenticateOnUnsubscribe=true', async () => {
    const r = rig();
    const response = await r.handle(confirmation(TOPIC, 'SubscriptionConfirmation', 'token-abc'));
    expect(response.status).toBe(200);
    expect(api.calls).toEqual([
      {
        action: 'ConfirmSubscription',
        region: 'eu-west-1',
        topicArn: TOPIC,
        token: 'token-abc',
        authenticateOnUnsubscribe: 'true',
        status: 200,
      },
    ]);
    expect(r.logs.some((l) => l.message === 'sns subscription confirmed')).toBe(true);
    expect(JSON.stringify(r.logs)).not.toContain('token-abc');
  });

  test('a SubscriptionConfirmation for another topic is refused (403), logged, and never confirmed', async () => {
    const r = rig();
    const response = await r.handle(confirmation(FOREIGN, 'SubscriptionConfirmation', 'token-foreign'));
    expect(response.status).toBe(403);
    expect(api.calls).toHaveLength(0);
    expect(refusal(r.logs).fields).toMatchObject({
      code: 'topic',
      topicArn: FOREIGN,
      snsType: 'SubscriptionConfirmation',
    });
  });

  test('a forged SubscriptionConfirmation for an allowed topic is never confirmed', async () => {
    const r = rig();
    const response = await r.handle(
      altered(confirmation(TOPIC, 'SubscriptionConfirmation', 'real'), { Token: 'forged' }),
    );
    expect(response.status).toBe(403);
    expect(api.calls).toHaveLength(0);
  });

  test('ConfirmSubscription failing gives 502 so SNS sends the confirmation again', async () => {
    const r = rig();
    api.failNext(1);
    const response = await r.handle(confirmation(TOPIC, 'SubscriptionConfirmation', 'token-x'));
    expect(response.status).toBe(502);
    expect(refusal(r.logs).fields).toMatchObject({ code: 'confirm_failed' });
    expect(String(refusal(r.logs).fields.reason)).toMatch(/not authorized/);
    expect(api.calls).toHaveLength(1);
  });

  test('the default client reaches the endpoint in AWS_ENDPOINT_URL_SNS (the SDK reads it itself)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SNS: api.url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
    try {
      const r = rig({ confirmSubscription: createSubscriptionConfirmer() });
      const response = await r.handle(confirmation(OTHER_ALLOWED, 'SubscriptionConfirmation', 'token-env'));
      expect(response.status).toBe(200);
      expect(api.calls).toMatchObject([
        { action: 'ConfirmSubscription', region: 'eu-west-1', token: 'token-env', authenticateOnUnsubscribe: 'true' },
      ]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test('an UnsubscribeConfirmation is logged and announced, 200', async () => {
    const r = rig();
    const response = await r.handle(confirmation(TOPIC, 'UnsubscribeConfirmation', 'token-u'));
    expect(response.status).toBe(200);
    expect(r.announced).toHaveLength(1);
    expect(r.announced[0]).toMatchObject({ Type: 'UnsubscribeConfirmation', TopicArn: TOPIC });
    expect(r.logs.find((l) => l.message.startsWith('sns subscription ended'))?.fields).toMatchObject({
      topicArn: TOPIC,
    });
    expect(api.calls).toHaveLength(0);
  });

  test('a forged UnsubscribeConfirmation is not announced', async () => {
    const r = rig();
    const response = await r.handle(altered(confirmation(TOPIC, 'UnsubscribeConfirmation', 't'), { Token: 'other' }));
    expect(response.status).toBe(403);
    expect(r.announced).toHaveLength(0);
  });
});

describe('the certificate cache', () => {
  const pem = makeCertificate().certPem;
  const URL_A = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pem';
  const URL_B = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.pem';

  function fakeFetch(answer: () => Response | Promise<Response>) {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return answer();
    }) as typeof fetch;
    return { calls, fetchFn };
  }

  test('concurrent gets share one fetch; redirects are not followed', async () => {
    const { calls, fetchFn } = fakeFetch(() => new Response(pem));
    const cache = createCertificateCache({ fetch: fetchFn });
    const certs = await Promise.all([cache.get(URL_A), cache.get(URL_A), cache.get(URL_A)]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init?.redirect).toBe('error');
    expect(certs[0]).toBe(certs[2]);
    expect(certs[0]?.subject).toMatch(/sns\.loopback/);
  });

  test('non-2xx is refused and not cached', async () => {
    let status = 500;
    const { calls, fetchFn } = fakeFetch(() => new Response(status === 200 ? pem : 'oops', { status }));
    const cache = createCertificateCache({ fetch: fetchFn });
    await expect(cache.get(URL_A)).rejects.toThrow(/HTTP 500/);
    status = 200;
    await expect(cache.get(URL_A)).resolves.toBeDefined();
    expect(calls).toHaveLength(2);
  });

  test('a body over the cap is refused, by declared length or by bytes read', async () => {
    const big = `${pem}${'x'.repeat(20_000)}`;
    const declared = createCertificateCache({ fetch: fakeFetch(() => new Response(big)).fetchFn });
    await expect(declared.get(URL_A)).rejects.toThrow(CertificateFetchError);
    const streamed = createCertificateCache({
      fetch: fakeFetch(
        () =>
          new Response(
            new ReadableStream({
              start(controller) {
                for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
                controller.close();
              },
            }),
          ),
      ).fetchFn,
    });
    await expect(streamed.get(URL_A)).rejects.toThrow(/over 16384 bytes/);
  });

  test('something that is not a certificate is refused', async () => {
    const cache = createCertificateCache({ fetch: fakeFetch(() => new Response('<html>hi</html>')).fetchFn });
    await expect(cache.get(URL_A)).rejects.toThrow(/not an X.509 certificate/);
  });

  test('a certificate outside its validity is refused', async () => {
    const cache = createCertificateCache({
      fetch: fakeFetch(() => new Response(pem)).fetchFn,
      now: () => Date.parse('2100-01-01T00:00:00Z'),
    });
    await expect(cache.get(URL_A)).rejects.toThrow(/not valid now/);
  });

  test('a fetch that never answers gives up after the timeout', async () => {
    const fetchFn = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const cache = createCertificateCache({ fetch: fetchFn, timeoutMs: 20 });
    await expect(cache.get(URL_A)).rejects.toThrow(/timed out/);
  });

  test('entries expire after the TTL, and the least recently used goes first past maxEntries', async () => {
    let clock = Date.now();
    const { calls, fetchFn } = fakeFetch(() => new Response(pem));
    const cache = createCertificateCache({ fetch: fetchFn, ttlMs: 1000, maxEntries: 1, now: () => clock });
    await cache.get(URL_A);
    await cache.get(URL_A);
    expect(calls).toHaveLength(1);
    clock += 1001;
    await cache.get(URL_A);
    expect(calls).toHaveLength(2);
    await cache.get(URL_B); // evicts A
    await cache.get(URL_A);
    expect(calls.map((c) => c.url)).toEqual([URL_A, URL_A, URL_B, URL_A]);
  });
});

import { describe, expect, test } from '@jest/globals';
import {
  isAllowedCertUrl,
  isFresh,
  isValidTopicPattern,
  MAX_SNS_BODY_BYTES,
  parseSnsEnvelope,
  regionOfTopicArn,
  type SnsMessage,
  stringToSign,
  topicAllowed,
} from '../../../src/core/sns/sns-message.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:MyTopic';
const CERT = 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem';

/** The SNS developer guide's examples (sns-message-and-json-formats), as SNS posts them. */
const NOTIFICATION = {
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: TOPIC,
  Subject: 'My First Message',
  Message: 'Hello world!',
  Timestamp: '2012-05-02T00:54:06.655Z',
  SignatureVersion: '1',
  Signature:
    'EXAMPLEw6JRN7ZVStxU3z3ChjHq7Wg3nYj3Y4FOq1Ua5Ijg+M3t7YOPdO1w8iM06ssPoYRhT1cEsDnsGuEzBcL9I3SdaukJ+kAE1X/L6T29kakIyUzNTXpHxAQaYLk4AHcxhLvnSFxt+XlzhePQC3ho6dIYj3yZxqN+tfqiuixL0DZ7b/sJc2V/SFvpjA+GRvTBfyWSUBXQw8nGAbYQv5nspmCpWOQVZ2JcXnUSI8CHIlKMXPFtHmHmtxIYGKHYK0udx0U2H6JcdGmfPZqLG4FFMYaMZ5m25X0v6/jZY/hxeWfQGZPjwJT2pXVOWAcb1RsN2wIdOPJSXsb7yN7nyHw==',
  SigningCertURL: CERT,
  UnsubscribeURL:
    'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96',
};

const CONFIRMATION = {
  Type: 'SubscriptionConfirmation',
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token: '2336412f37f2f2a7f9a8b2f8a5e2c3d8f63e6b7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0',
  TopicArn: TOPIC,
  Message:
    'You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
  SubscribeURL:
    'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37',
  Timestamp: '2012-04-26T20:45:04.751Z',
  SignatureVersion: '2',
  Signature:
    'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
  SigningCertURL: CERT,
};

const UNSUBSCRIBE = {
  ...CONFIRMATION,
  Type: 'UnsubscribeConfirmation',
  MessageId: '47138184-6831-46b8-8f7c-afc488602d7d',
  Message:
    'You have chosen to deactivate subscription arn:aws:sns:us-west-2:123456789012:MyTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.',
};

type Body = Record<string, unknown>;

function parse(body: Body | string, headers: Record<string, string | string[] | undefined> = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? undefined : body.Type;
  return parseSnsEnvelope(raw, { 'x-amz-sns-message-type': typeof type === 'string' ? type : undefined, ...headers });
}

function parsed(body: Body): SnsMessage {
  const result = parse(body);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

function without(body: Body, key: string): Body {
  const copy = { ...body };
  delete copy[key];
  return copy;
}

describe('stringToSign', () => {
  test('Notification with a Subject: the six keys in byte order, each pair ending in a newline', () => {
    expect(stringToSign(parsed(NOTIFICATION))).toBe(
      'Message\nHello world!\n' +
        'MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n' +
        'Subject\nMy First Message\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\n' +
        `TopicArn\n${TOPIC}\n` +
        'Type\nNotification\n',
    );
  });

  test('Notification without a Subject leaves the key out entirely', () => {
    expect(stringToSign(parsed(without(NOTIFICATION, 'Subject')))).toBe(
      'Message\nHello world!\n' +
        'MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\n' +
        `TopicArn\n${TOPIC}\n` +
        'Type\nNotification\n',
    );
  });

  test('SubscriptionConfirmation signs Token and SubscribeURL, with decoded values (a real newline)', () => {
    expect(stringToSign(parsed(CONFIRMATION))).toBe(
      'Message\nYou have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\n' +
        'To confirm the subscription, visit the SubscribeURL included in this message.\n' +
        'MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n' +
        `SubscribeURL\n${CONFIRMATION.SubscribeURL}\n` +
        'Timestamp\n2012-04-26T20:45:04.751Z\n' +
        `Token\n${CONFIRMATION.Token}\n` +
        `TopicArn\n${TOPIC}\n` +
        'Type\nSubscriptionConfirmation\n',
    );
  });

  test('UnsubscribeConfirmation signs the same keys as a SubscriptionConfirmation (Token included)', () => {
    const text = stringToSign(parsed(UNSUBSCRIBE));
    expect(text.startsWith(`Message\n${UNSUBSCRIBE.Message}\nMessageId\n${UNSUBSCRIBE.MessageId}\n`)).toBe(true);
    expect(text.endsWith(`Token\n${UNSUBSCRIBE.Token}\nTopicArn\n${TOPIC}\nType\nUnsubscribeConfirmation\n`)).toBe(
      true,
    );
    expect(text).toContain(`SubscribeURL\n${UNSUBSCRIBE.SubscribeURL}\nTimestamp\n`);
  });

  test('unsigned fields (UnsubscribeURL, SigningCertURL, MessageAttributes) are never part of it', () => {
    const text = stringToSign(
      parsed({ ...NOTIFICATION, MessageAttributes: { severity: { Type: 'String', Value: 'high' } } }),
    );
    expect(text).not.toContain('Unsubscribe');
    expect(text).not.toContain('SigningCert');
    expect(text).not.toContain('severity');
    expect(text).not.toContain('Signature');
  });
});

describe('parseSnsEnvelope', () => {
  test('all three types parse, keeping the fields', () => {
    const n = parsed(NOTIFICATION);
    expect(n).toMatchObject({ Type: 'Notification', Subject: 'My First Message', SignatureVersion: '1' });
    const c = parsed(CONFIRMATION);
    expect(c).toMatchObject({ Type: 'SubscriptionConfirmation', Token: CONFIRMATION.Token, SignatureVersion: '2' });
    expect(parsed(UNSUBSCRIBE).Type).toBe('UnsubscribeConfirmation');
  });

  test('headers are found whatever their case, and may agree with the body', () => {
    const result = parseSnsEnvelope(JSON.stringify(NOTIFICATION), {
      'X-Amz-Sns-Message-Type': 'Notification',
      'x-amz-sns-message-id': NOTIFICATION.MessageId,
      'x-amz-sns-topic-arn': TOPIC,
    });
    expect(result.ok).toBe(true);
  });

  test('Subject: null counts as no Subject', () => {
    const message = parsed({ ...NOTIFICATION, Subject: null });
    expect('Subject' in message).toBe(false);
  });

  test('a body over the cap is refused as too large before parsing', () => {
    const result = parseSnsEnvelope('x'.repeat(MAX_SNS_BODY_BYTES + 1), { 'x-amz-sns-message-type': 'Notification' });
    expect(result).toMatchObject({ ok: false, problem: 'too_large' });
    const multibyte = parseSnsEnvelope('é'.repeat(MAX_SNS_BODY_BYTES / 2 + 1), {});
    expect(multibyte).toMatchObject({ ok: false, problem: 'too_large' });
  });

  test('a raw-delivery body is refused with a reason saying why and what to change', () => {
    const result = parseSnsEnvelope('{"AlarmName":"x"}', { 'x-amz-sns-rawdelivery': 'true' });
    expect(result).toMatchObject({ ok: false, problem: 'raw_delivery' });
    if (!result.ok) expect(result.reason).toMatch(/no signature.*RawMessageDelivery off/);
  });

  const malformed: [string, Body | string, Record<string, string | string[] | undefined>, RegExp][] = [
    ['not JSON', '{"Type": "Notification",', {}, /not JSON/],
    ['a JSON array', '[1,2]', { 'x-amz-sns-message-type': 'Notification' }, /not a JSON object/],
    ['JSON null', 'null', {}, /not a JSON object/],
    ['an unknown Type', { ...NOTIFICATION, Type: 'Nope' }, {}, /Type "Nope" is not one of/],
    ['no Type', without(NOTIFICATION, 'Type'), { 'x-amz-sns-message-type': 'Notification' }, /Type \(missing\)/],
    [
      'no x-amz-sns-message-type header',
      NOTIFICATION,
      { 'x-amz-sns-message-type': undefined },
      /x-amz-sns-message-type is missing/,
    ],
    [
      'the header disagreeing with Type',
      NOTIFICATION,
      { 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
      /disagrees with Type/,
    ],
    ['the type header twice', NOTIFICATION, { 'x-amz-sns-message-type': ['Notification', 'Notification'] }, /repeated/],
    ['no MessageId', without(NOTIFICATION, 'MessageId'), {}, /MessageId is missing/],
    ['no TopicArn', without(NOTIFICATION, 'TopicArn'), {}, /TopicArn is missing/],
    ['no Message', without(NOTIFICATION, 'Message'), {}, /Message is missing/],
    ['no Timestamp', without(NOTIFICATION, 'Timestamp'), {}, /Timestamp is missing/],
    ['no SignatureVersion', without(NOTIFICATION, 'SignatureVersion'), {}, /SignatureVersion is missing/],
    ['no Signature', without(NOTIFICATION, 'Signature'), {}, /Signature is missing/],
    ['no SigningCertURL', without(NOTIFICATION, 'SigningCertURL'), {}, /SigningCertURL is missing/],
    ['a confirmation without Token', without(CONFIRMATION, 'Token'), {}, /Token is missing/],
    ['a confirmation without SubscribeURL', without(CONFIRMATION, 'SubscribeURL'), {}, /SubscribeURL is missing/],
    ['an unsubscribe without Token', without(UNSUBSCRIBE, 'Token'), {}, /Token is missing/],
    ['a numeric Message', { ...NOTIFICATION, Message: 42 }, {}, /Message must be a string/],
    ['an object Subject', { ...NOTIFICATION, Subject: { a: 1 } }, {}, /Subject must be a string/],
    ['a numeric SignatureVersion', { ...NOTIFICATION, SignatureVersion: 1 }, {}, /SignatureVersion must be a string/],
    ['an empty MessageId', { ...NOTIFICATION, MessageId: '' }, {}, /MessageId is empty/],
    ['SignatureVersion 3', { ...NOTIFICATION, SignatureVersion: '3' }, {}, /SignatureVersion "3" is not supported/],
    ['a Signature that is not base64', { ...NOTIFICATION, Signature: 'not base64!' }, {}, /Signature is not base64/],
    [
      'a TopicArn that is not an SNS ARN',
      { ...NOTIFICATION, TopicArn: 'arn:aws:sqs:us-east-1:123456789012:q' },
      {},
      /not an SNS topic ARN/,
    ],
    ['a Timestamp that is not a time', { ...NOTIFICATION, Timestamp: 'yesterday' }, {}, /not an ISO 8601 time/],
    [
      'MessageAttributes not an object',
      { ...NOTIFICATION, MessageAttributes: 'x' },
      {},
      /MessageAttributes must be an object/,
    ],
    [
      'a MessageAttribute without Value',
      { ...NOTIFICATION, MessageAttributes: { a: { Type: 'String' } } },
      {},
      /MessageAttributes\.a must be/,
    ],
    [
      'the message-id header disagreeing',
      NOTIFICATION,
      { 'x-amz-sns-message-id': 'other' },
      /x-amz-sns-message-id disagrees/,
    ],
    [
      'the topic header disagreeing',
      NOTIFICATION,
      { 'x-amz-sns-topic-arn': 'arn:aws:sns:us-west-2:123456789012:Other' },
      /x-amz-sns-topic-arn disagrees/,
    ],
  ];

  test.each(malformed)('%s is malformed', (_name, body, headers, reason) => {
    const result = parse(body, headers);
    expect(result).toMatchObject({ ok: false, problem: 'malformed' });
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  test('a reason never carries the whole body: long values are clipped', () => {
    const result = parse({ ...NOTIFICATION, Type: 'x'.repeat(10_000) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThan(200);
  });

  test('every problem with the fields is listed at once', () => {
    const result = parse(without(without(NOTIFICATION, 'MessageId'), 'Signature'));
    if (result.ok) throw new Error('expected a refusal');
    expect(result.reason).toMatch(/MessageId is missing; .*Signature is missing/);
  });
});

describe('isAllowedCertUrl', () => {
  test.each([
    CERT,
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628c4ecbb3ce8b1d9.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
  ])('allows %s', (url) => {
    expect(isAllowedCertUrl(url, null)).toBe(true);
  });

  test.each([
    ['http', CERT.replace('https:', 'http:')],
    [
      'another host',
      'https://sns.us-west-2.amazonaws.com.evil.example/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ],
    [
      'user info',
      'https://sns.us-west-2.amazonaws.com@evil.example/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ],
    [
      'a port',
      'https://sns.us-west-2.amazonaws.com:8443/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ],
    ['not sns', 'https://s3.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem'],
    ['a nested host', 'https://sns.a.b.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem'],
    ['another file', 'https://sns.us-west-2.amazonaws.com/other.pem'],
    ['a short id', 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ec.pem'],
    ['a query', `${CERT}?x=1`],
    [
      'a path prefix',
      'https://sns.us-west-2.amazonaws.com/x/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ],
    ['empty', ''],
  ])('refuses %s', (_name, url) => {
    expect(isAllowedCertUrl(url, null)).toBe(false);
  });

  test('an override replaces the rule and must match the whole URL', () => {
    const override = /http:\/\/127\.0\.0\.1:\d+\/SimpleNotificationService-[0-9a-f]{32}\.pem/g;
    const url = 'http://127.0.0.1:4000/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
    expect(isAllowedCertUrl(url, override)).toBe(true);
    expect(isAllowedCertUrl(url, override)).toBe(true); // a global flag's lastIndex does not leak between calls
    expect(isAllowedCertUrl(`${url}.evil`, override)).toBe(false);
    expect(isAllowedCertUrl(`https://evil.example/?${url}`, override)).toBe(false);
    expect(isAllowedCertUrl(CERT, override)).toBe(false);
  });
});

describe('topicAllowed', () => {
  const allowed = [TOPIC, 'arn:aws:sns:eu-west-1:210987654321:alerts-*'];

  test('exact ARNs match, nothing else does', () => {
    expect(topicAllowed(TOPIC, allowed)).toBe(true);
    expect(topicAllowed(`${TOPIC}2`, allowed)).toBe(false);
    expect(topicAllowed(TOPIC.replace('123456789012', '123456789013'), allowed)).toBe(false);
    expect(topicAllowed(TOPIC, [])).toBe(false);
  });

  test('a trailing * widens topic names within one account and region only', () => {
    expect(topicAllowed('arn:aws:sns:eu-west-1:210987654321:alerts-prod', allowed)).toBe(true);
    expect(topicAllowed('arn:aws:sns:eu-west-1:210987654321:other', allowed)).toBe(false);
    expect(topicAllowed('arn:aws:sns:eu-west-2:210987654321:alerts-prod', allowed)).toBe(false);
    expect(topicAllowed('arn:aws:sns:eu-west-1:210987654321:alerts-:x', allowed)).toBe(false);
  });

  test('a * that would widen the account, region or partition matches nothing', () => {
    for (const entry of ['arn:aws:sns:eu-west-1:2109*', 'arn:aws:sns:*', '*', 'arn:aws:sns:eu-west-1:*:alerts']) {
      expect(isValidTopicPattern(entry)).toBe(false);
      expect(topicAllowed('arn:aws:sns:eu-west-1:210987654321:alerts', [entry])).toBe(false);
    }
    expect(isValidTopicPattern('arn:aws:sns:eu-west-1:210987654321:*')).toBe(true);
    expect(isValidTopicPattern(TOPIC)).toBe(true);
  });
});

describe('regionOfTopicArn and isFresh', () => {
  test('the region comes from the ARN', () => {
    expect(regionOfTopicArn(TOPIC)).toBe('us-west-2');
    expect(regionOfTopicArn('arn:aws-cn:sns:cn-north-1:123456789012:t.fifo')).toBe('cn-north-1');
    expect(regionOfTopicArn('not an arn')).toBeNull();
  });

  test('fresh within the window either way, stale past it', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const day = 86_400_000;
    expect(isFresh('2026-01-08T00:00:01Z', now, 2 * day)).toBe(true);
    expect(isFresh('2026-01-11T00:00:00Z', now, 2 * day)).toBe(true);
    expect(isFresh('2026-01-07T23:59:59Z', now, 2 * day)).toBe(false);
    expect(isFresh('nonsense', now, 2 * day)).toBe(false);
  });
});

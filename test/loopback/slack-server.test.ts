/**
 * The loopback Slack server, driven by the real WebClient (`@slack/web-api`, the one Bolt uses) and the real
 * Bolt receiver: it must answer as Slack does and refuse what Slack would refuse.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { App, verifySlackRequest } from '@slack/bolt';
import { ErrorCode, WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import { blockActionBody, postToApp, signSlackRequest, slashCommandBody } from '../../src/local/slack-requests.js';
import { type SlackServer, type SlackServerOptions, startSlackServer } from '../../src/local/slack-server.js';
import { quietSlackLogger } from '../helpers/quiet-loggers.js';
import { respond } from '../helpers/response-url.js';

const open: SlackServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function slack(options: SlackServerOptions = {}): Promise<SlackServer> {
  const server = await startSlackServer(options);
  open.push(server);
  return server;
}

function clientFor(server: SlackServer, options: WebClientOptions = {}, token = server.token): WebClient {
  return new WebClient(token, { slackApiUrl: server.apiUrl, logger: quietSlackLogger, ...options });
}

/** The Slack error code a WebClient call was refused with. */
async function slackError(call: Promise<unknown>): Promise<{ code: string; error: unknown; messages: unknown }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code: string; data?: { error?: unknown; response_metadata?: { messages?: unknown } } };
    return { code: e.code, error: e.data?.error, messages: e.data?.response_metadata?.messages };
  }
  throw new Error('expected the call to be refused');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

describe('Web API basics', () => {
  test('auth.test answers with the bot identity', async () => {
    const server = await slack({ botUserId: 'UTRAIL', teamId: 'T123' });
    const res = await clientFor(server).auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UTRAIL', team_id: 'T123', bot_id: server.botId });
  });

  test('a post lands in the channel with a fresh ts and is recorded', async () => {
    const server = await slack();
    const client = clientFor(server);
    const first = await client.chat.postMessage({ channel: 'C1', text: 'hello', blocks: [section('*hello*')] });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'again' });
    expect(first).toMatchObject({ ok: true, channel: 'C1', message: { text: 'hello', bot_id: server.botId } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(server.messagesIn('C1').map((m) => [m.text, m.blocks])).toEqual([
      ['hello', [section('*hello*')]],
      ['again', []],
    ]);
    const [call] = server.calls('chat.postMessage');
    expect(call).toMatchObject({ status: 200, ok: true, channel: 'C1', ts: first.ts, text: 'hello' });
    expect(call?.params.blocks).toEqual([section('*hello*')]);
    expect(call?.params).not.toHaveProperty('token');
  });

  test('thread replies, reply_broadcast, update, ephemeral and delete', async () => {
    const server = await slack({ rateLimit: false });
    const client = clientFor(server);
    const root = await client.chat.postMessage({ channel: 'C1', text: 'alarm' });
    const rootTs = root.ts ?? '';
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: rootTs });
    await client.chat.postMessage({ channel: 'C1', text: 'loud', thread_ts: rootTs, reply_broadcast: true });
    expect(server.threadReplies('C1', rootTs).map((m) => [m.text, m.reply_broadcast])).toEqual([
      ['reply', false],
      ['loud', true],
    ]);

    const updated = await client.chat.update({ channel: 'C1', ts: rootTs, text: 'alarm (acked)' });
    expect(updated).toMatchObject({ ok: true, ts: rootTs, text: 'alarm (acked)' });
    expect(server.message('C1', rootTs)).toMatchObject({ text: 'alarm (acked)', edits: 1 });
    expect((await slackError(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }))).error).toBe(
      'message_not_found',
    );

    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'only you' });
    expect(eph.message_ts).toBeDefined();
    expect(server.ephemerals('C1')).toMatchObject([{ user: 'U0ALICE', text: 'only you', via: 'chat.postEphemeral' }]);

    await client.chat.delete({ channel: 'C1', ts: rootTs });
    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['reply', 'loud']);
  });

  test('a wrong token is invalid_auth, none is not_authed', async () => {
    const server = await slack({ token: 'xoxb-right' });
    const wrong = await slackError(clientFor(server, {}, 'xoxb-wrong').chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(wrong).toMatchObject({ code: ErrorCode.PlatformError, error: 'invalid_auth' });
    const none = await slackError(
      new WebClient(undefined, { slackApiUrl: server.apiUrl, logger: quietSlackLogger }).auth.test(),
    );
    expect(none.error).toBe('not_authed');
    expect(server.messagesIn('C1')).toEqual([]);
  });

  test('usergroups.users.list and users.info answer from the configuration', async () => {
    const server = await slack({
      usergroups: { S0ONCALL: ['U0ALICE', 'U0BOB'] },
      users: { U0ALICE: { name: 'alice', tz: 'Asia/Tokyo' } },
    });
    const client = clientFor(server);
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0ALICE', 'U0BOB']);
    server.setUsergroup('S0ONCALL', ['U0CAROL']);
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0CAROL']);
    expect((await slackError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).error).toBe('no_such_subteam');
    expect((await client.users.info({ user: 'U0ALICE' })).user).toMatchObject({ id: 'U0ALICE', name: 'alice' });
    expect((await slackError(client.users.info({ user: 'U0NOBODY' }))).error).toBe('user_not_found');
  });

  test('conversations.open gives one DM per user set, usable as a channel; chat.getPermalink links a message', async () => {
    const server = await slack({ channels: ['C1'] });
    const client = clientFor(server);
    const dm = await client.conversations.open({ users: 'U0ALICE' });
    const again = await client.conversations.open({ users: 'U0ALICE' });
    expect(dm.channel?.id).toMatch(/^D/);
    expect(again).toMatchObject({ channel: { id: dm.channel?.id }, already_open: true });
    const { ts } = await client.chat.postMessage({ channel: dm.channel?.id ?? '', text: 'privately' });
    expect(server.messagesIn(dm.channel?.id ?? '').map((m) => m.text)).toEqual(['privately']);
    expect((await slackError(client.chat.postMessage({ channel: 'C404', text: 'x' }))).error).toBe('channel_not_found');
    const link = await client.chat.getPermalink({ channel: dm.channel?.id ?? '', message_ts: ts ?? '' });
    expect(link.permalink).toContain(`/archives/${dm.channel?.id}/p`);
  });
});

describe('message metadata and conversation reads', () => {
  test('metadata is kept and returned by history and replies only with include_all_metadata', async () => {
    const server = await slack({ rateLimit: false });
    const client = clientFor(server);
    const metadata = { event_type: 'trailbot_outbox', event_payload: { id: 7 } };
    const root = await client.chat.postMessage({ channel: 'C1', text: 'card', metadata });
    const r = await client.chat.postMessage({
      channel: 'C1',
      text: 'reply',
      thread_ts: root.ts as string,
      metadata: { event_type: 'trailbot_outbox', event_payload: { id: 8 } },
    });
    await client.chat.postMessage({ channel: 'C1', text: 'later' });
    expect(server.message('C1', root.ts as string)?.metadata).toEqual(metadata);

    const plain = await client.conversations.history({ channel: 'C1' });
    expect(plain.messages?.map((m) => [m.text, m.metadata])).toEqual([
      ['later', undefined],
      ['card', undefined],
    ]);
    const history = await client.conversations.history({ channel: 'C1', include_all_metadata: true, limit: 1 });
    expect(history.messages?.map((m) => m.text)).toEqual(['later']);
    expect(history.has_more).toBe(true);
    const next = await client.conversations.history({
      channel: 'C1',
      include_all_metadata: true,
      limit: 1,
      cursor: history.response_metadata?.next_cursor as string,
    });
    expect(next.messages?.map((m) => [m.text, m.metadata])).toEqual([['card', metadata]]);
    const windowed = await client.conversations.history({ channel: 'C1', oldest: root.ts as string });
    expect(windowed.messages?.map((m) => m.text)).toEqual(['later']);

    const replies = await client.conversations.replies({
      channel: 'C1',
      ts: root.ts as string,
      include_all_metadata: true,
    });
    expect(replies.messages?.map((m) => [m.ts, m.metadata?.event_payload])).toEqual([
      [root.ts, { id: 7 }],
      [r.ts, { id: 8 }],
    ]);
    expect(await slackError(client.conversations.replies({ channel: 'C1', ts: '1.000000' }))).toMatchObject({
      error: 'thread_not_found',
    });
    expect(
      await slackError(
        client.chat.postMessage({ channel: 'C1', text: 'x', metadata: 'nope' as unknown as typeof metadata }),
      ),
    ).toMatchObject({ error: 'invalid_metadata_format' });
  });
});

describe('Block Kit limits', () => {
  test('a header over 150 characters is invalid_blocks, with the reason in response_metadata', async () => {
    const server = await slack();
    const refused = await slackError(
      clientFor(server).chat.postMessage({
        channel: 'C1',
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    );
    expect(refused.error).toBe('invalid_blocks');
    expect(refused.messages).toEqual([expect.stringContaining('[ERROR] blocks[0] (header): header 151 > 150')]);
    expect(server.messagesIn('C1')).toEqual([]);
    expect(server.calls('chat.postMessage')[0]).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  test('51 blocks, long text, long blocks, missing text and malformed blocks are refused as Slack does', async () => {
    const server = await slack();
    const client = clientFor(server);
    const post = (args: Record<string, unknown>) =>
      slackError(client.apiCall('chat.postMessage', { channel: 'C1', ...args })).then((r) => r.error);
    expect(await post({ text: 'x', blocks: Array.from({ length: 51 }, () => section('s')) })).toBe('invalid_blocks');
    expect(await post({ text: 'x'.repeat(4001) })).toBe('msg_too_long');
    expect(await post({ text: 'x', blocks: Array.from({ length: 5 }, () => section('y'.repeat(2500))) })).toBe(
      'msg_blocks_too_long',
    );
    expect(await post({})).toBe('no_text');
    expect(await post({ blocks: [section('no fallback text')] })).toBe('no_text');
    expect(await post({ text: 'x', blocks: { type: 'section' } })).toBe('invalid_blocks_format');
    expect(await post({ text: 'x', blocks: [{ type: 'section', text: 'not an object' }] })).toBe('invalid_blocks');
    expect(await post({ text: 'x', blocks: ['nope'] })).toBe('invalid_blocks');
    expect(server.messagesIn('C1')).toEqual([]);
  });

  test('chat.update and chat.postEphemeral hold to the same limits', async () => {
    const server = await slack();
    const client = clientFor(server);
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    const tooMany = Array.from({ length: 26 }, (_, i) => ({
      type: 'button' as const,
      text: { type: 'plain_text' as const, text: `b${i}` },
      action_id: `a${i}`,
    }));
    const blocks = [{ type: 'actions' as const, elements: tooMany }];
    expect((await slackError(client.chat.update({ channel: 'C1', ts: ts ?? '', text: 'card', blocks }))).error).toBe(
      'invalid_blocks',
    );
    expect((await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x', blocks }))).error).toBe(
      'invalid_blocks',
    );
    expect(server.message('C1', ts ?? '')).toMatchObject({ text: 'card', edits: 0 });
  });
});

describe('rate limits', () => {
  test('a burst on one channel meets 429 + Retry-After, and WebClient still delivers everything in order', async () => {
    // The server's clock stands still until the first 429 (so the burst is a burst however slow the machine),
    // then follows real time, in which WebClient waits out Retry-After and retries.
    let frozenAt: number | undefined = Date.now();
    const server = await slack({ now: () => frozenAt ?? Date.now() });
    const client = clientFor(server); // default retry policy, rejectRateLimitedCalls: false
    const retryAfters: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => {
      retryAfters.push(seconds);
      frozenAt = undefined;
    });
    for (const n of [1, 2, 3, 4]) await client.chat.postMessage({ channel: 'C1', text: `event ${n}` });

    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['event 1', 'event 2', 'event 3', 'event 4']);
    expect(server.ratelimitedCount).toBeGreaterThanOrEqual(1);
    expect(server.ratelimited()[0]).toMatchObject({ status: 429, error: 'ratelimited', retryAfter: 1, channel: 'C1' });
    expect(retryAfters[0]).toBe(1);
    const seen = server.calls('chat.postMessage').map((c) => (c.status === 429 ? '429' : c.text));
    expect(seen.slice(0, 3)).toEqual(['event 1', 'event 2', '429']);
  });

  test('with rejectRateLimitedCalls the 429 surfaces as WebAPIRateLimitedError carrying Retry-After', async () => {
    const frozen = Date.now();
    const server = await slack({ now: () => frozen });
    const client = clientFor(server, { rejectRateLimitedCalls: true });
    await client.chat.postMessage({ channel: 'C1', text: '1' });
    await client.chat.postMessage({ channel: 'C1', text: '2' });
    try {
      await client.chat.postMessage({ channel: 'C1', text: '3' });
      throw new Error('expected a rate limit');
    } catch (err) {
      expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    }
    expect(server.messagesIn('C1')).toHaveLength(2);
  });

  test('a burst spread over channels is not limited', async () => {
    const frozen = Date.now();
    const server = await slack({ now: () => frozen });
    const client = clientFor(server, { rejectRateLimitedCalls: true });
    const channels = ['C1', 'C2', 'C3'];
    await Promise.all(
      channels.flatMap((channel) => [1, 2].map((n) => client.chat.postMessage({ channel, text: `${channel}-${n}` }))),
    );
    expect(server.ratelimitedCount).toBe(0);
    for (const channel of channels) expect(server.messagesIn(channel)).toHaveLength(2);
  });

  test('the limit is configurable and can be turned off', async () => {
    const frozen = Date.now();
    const roomy = await slack({ now: () => frozen, rateLimit: { burst: 5 } });
    const roomyClient = clientFor(roomy, { rejectRateLimitedCalls: true });
    for (const n of [1, 2, 3, 4, 5]) await roomyClient.chat.postMessage({ channel: 'C1', text: `${n}` });
    expect((await slackError(roomyClient.chat.postMessage({ channel: 'C1', text: '6' }))).code).toBe(
      ErrorCode.RateLimitedError,
    );

    const off = await slack({ now: () => frozen, rateLimit: false });
    const offClient = clientFor(off, { rejectRateLimitedCalls: true });
    for (const n of [1, 2, 3, 4, 5, 6]) await offClient.chat.postMessage({ channel: 'C1', text: `${n}` });
    expect(off.ratelimitedCount).toBe(0);
  });
});

describe('files upload v2', () => {
  test('a CSV and a JSON file uploaded into a thread land with their bytes', async () => {
    const server = await slack();
    const client = clientFor(server);
    const root = await client.chat.postMessage({ channel: 'C1', text: 'answer' });
    const csv = 'eventTime,eventName\n2023-07-10T12:00:00Z,StopInstances\n';
    const json = JSON.stringify([{ eventName: 'StopInstances', note: 'ünïcødé' }]);
    const res = await client.files.uploadV2({
      channel_id: 'C1',
      thread_ts: root.ts ?? '',
      initial_comment: 'All events',
      file_uploads: [
        { content: csv, filename: 'events.csv', title: 'events (CSV)' },
        { file: Buffer.from(json), filename: 'events.json' },
      ],
    });
    expect(res.ok).toBe(true);

    const files = server.files();
    expect(files.map((f) => [f.filename, f.title, f.channel, f.thread_ts, f.completed])).toEqual([
      ['events.csv', 'events (CSV)', 'C1', root.ts, true],
      ['events.json', 'events.json', 'C1', root.ts, true],
    ]);
    expect(files[0]?.bytes?.toString('utf8')).toBe(csv);
    expect(files[1]?.bytes?.toString('utf8')).toBe(json);
    expect(files[1]?.declaredLength).toBe(Buffer.byteLength(json));

    const replies = server.threadReplies('C1', root.ts ?? '');
    expect(replies).toMatchObject([{ text: 'All events', files: files.map((f) => f.id) }]);
    expect(server.calls().map((c) => c.method)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    expect(server.log.filter((e) => e.kind === 'upload')).toHaveLength(2);
  });

  test('completing a file that was never uploaded is file_not_found', async () => {
    const server = await slack();
    const client = clientFor(server);
    const { file_id } = await client.files.getUploadURLExternal({ filename: 'x.csv', length: 3 });
    const refused = await slackError(client.files.completeUploadExternal({ files: [{ id: file_id ?? '' }] }));
    expect(refused.error).toBe('file_not_found');
  });
});

describe('response_url', () => {
  test('accepts 5 posts, then refuses the 6th with 404 used_url', async () => {
    const server = await slack();
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE' });
    for (const n of [1, 2, 3, 4, 5]) {
      expect(await respond(url, { text: `reply ${n}` })).toEqual({ status: 200, body: { ok: true } });
    }
    expect(await respond(url, { text: 'one too many' })).toEqual({
      status: 404,
      body: { ok: false, error: 'used_url' },
    });
    expect(server.responses(url).map((p) => p.text)).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4', 'reply 5']);
    expect(server.responseAttempts(url)).toHaveLength(6);
    expect(server.ephemerals('C1')).toHaveLength(5);
  });

  test('refuses invalid blocks with 400 without spending a use', async () => {
    const server = await slack({ responseUrlMaxUses: 1 });
    const url = server.responseUrl({ channel: 'C1' });
    const bad = await respond(url, {
      text: 'x',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
    });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: 'invalid_blocks' } });
    expect((await respond(url, { text: 'fine' })).status).toBe(200);
  });

  test('expires after 30 minutes', async () => {
    let now = Date.UTC(2024, 0, 1);
    const server = await slack({ now: () => now });
    const url = server.responseUrl();
    expect((await respond(url, { text: 'early' })).status).toBe(200);
    now += 30 * 60 * 1000 + 1;
    expect(await respond(url, { text: 'late' })).toEqual({ status: 404, body: { ok: false, error: 'expired_url' } });
  });

  test('in_channel posts into the channel; replace_original and delete_original act on the message', async () => {
    const server = await slack();
    const card = await clientFor(server).chat.postMessage({ channel: 'C1', text: 'card' });
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', messageTs: card.ts ?? '' });
    await respond(url, { response_type: 'in_channel', text: 'for everyone' });
    await respond(url, { replace_original: true, text: 'card (acked)', blocks: [section('acked')] });
    expect(server.messagesIn('C1').map((m) => [m.text, m.via])).toEqual([
      ['card (acked)', 'chat.postMessage'],
      ['for everyone', 'response_url'],
    ]);
    await respond(url, { delete_original: true });
    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['for everyone']);
    expect(server.responses(url).map((p) => [p.response_type, p.replace_original, p.delete_original])).toEqual([
      ['in_channel', false, false],
      ['ephemeral', true, false],
      ['ephemeral', false, true],
    ]);
  });
});

describe('outages', () => {
  test('503 fails calls without retries; a retrying client gets through once Slack is back', async () => {
    const server = await slack();
    server.setDown(true);
    const once = await slackError(clientFor(server, { retryConfig: { retries: 0 } }).auth.test());
    expect(once.code).toBe(ErrorCode.HTTPError);
    expect(server.log.at(-1)).toMatchObject({ kind: 'down', mode: 'http503' });

    const patient = clientFor(server, { retryConfig: { retries: 20, minTimeout: 20, maxTimeout: 50 } });
    const pending = patient.chat.postMessage({ channel: 'C1', text: 'queued during the outage' });
    const downBefore = server.log.filter((e) => e.kind === 'down').length;
    await until(() => server.log.filter((e) => e.kind === 'down').length > downBefore, 'a refused retry');
    server.setDown(false);
    await expect(pending).resolves.toMatchObject({ ok: true });
    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['queued during the outage']);
  });

  test('a reset connection is a request error', async () => {
    const server = await slack();
    server.setDown(true, 'reset');
    const refused = await slackError(clientFor(server, { retryConfig: { retries: 0 } }).auth.test());
    expect(refused.code).toBe(ErrorCode.RequestError);
    server.setDown(false);
    await expect(clientFor(server).auth.test()).resolves.toMatchObject({ ok: true });
  });

  test('failNext injects one Slack error', async () => {
    const server = await slack();
    const client = clientFor(server);
    server.failNext('chat.postMessage', 'channel_not_found');
    expect((await slackError(client.chat.postMessage({ channel: 'C1', text: 'x' }))).error).toBe('channel_not_found');
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });
});

describe('request signing', () => {
  const secret = 'loopback-signing-secret';
  const body = slashCommandBody({ text: 'who i-0abc', response_url: 'http://127.0.0.1:1/response/R1' });
  const nowMs = Date.UTC(2024, 0, 1, 12);
  const ts = nowMs / 1000;
  const verify = (headers: { 'X-Slack-Signature': string; 'X-Slack-Request-Timestamp': string }, at = nowMs) =>
    verifySlackRequest({
      signingSecret: secret,
      body,
      headers: {
        'x-slack-signature': headers['X-Slack-Signature'],
        'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
      },
      nowMilliseconds: at,
    });

  test("Bolt's verifySlackRequest accepts our signature", () => {
    expect(() => verify(signSlackRequest(secret, body, ts))).not.toThrow();
  });

  test('a wrong secret, a changed body or a stale timestamp is refused', () => {
    expect(() => verify(signSlackRequest('wrong', body, ts))).toThrow(/signature mismatch/);
    expect(() => verify(signSlackRequest(secret, `${body}&x=1`, ts))).toThrow(/signature mismatch/);
    expect(() => verify(signSlackRequest(secret, body, ts - 6 * 60))).toThrow(/stale/);
  });

  test('the real Bolt receiver takes a signed slash command and a button, and refuses bad or stale ones', async () => {
    const server = await slack();
    const app = new App({
      token: server.token,
      signingSecret: secret,
      logger: quietSlackLogger,
      clientOptions: { slackApiUrl: server.apiUrl, logger: quietSlackLogger },
    });
    app.command('/trail', async ({ ack, respond, command, client }) => {
      await ack();
      await respond({ text: `looking for ${command.text}…` });
      await client.chat.postMessage({ channel: command.channel_id, text: 'posted via app.client' });
    });
    app.action('post_to_channel', async ({ ack, respond }) => {
      await ack();
      await respond({ response_type: 'in_channel', text: 'shared' });
    });
    const http = await app.start({ port: 0, host: '127.0.0.1' });
    try {
      const endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}/slack/events`;
      const responseUrl = server.responseUrl({ channel: 'C0ALERTS', user: 'U0ALICE' });
      const command = slashCommandBody({ text: 'who i-0abc', channel_id: 'C0ALERTS', response_url: responseUrl });

      expect((await postToApp(endpoint, command, { signingSecret: secret, badSignature: true })).status).toBe(401);
      expect((await postToApp(endpoint, command, { signingSecret: secret, stale: true })).status).toBe(401);
      expect((await postToApp(endpoint, command, { signingSecret: secret, unsigned: true })).status).toBe(401);
      expect(server.responseAttempts(responseUrl)).toEqual([]);

      expect((await postToApp(endpoint, command, { signingSecret: secret })).status).toBe(200);
      await until(() => server.messagesIn('C0ALERTS').length === 1, 'the listener to finish');
      expect(server.responses(responseUrl).map((p) => p.text)).toEqual(['looking for who i-0abc…']);
      expect(server.messagesIn('C0ALERTS').map((m) => m.text)).toEqual(['posted via app.client']);

      const buttonUrl = server.responseUrl({ channel: 'C0ALERTS' });
      const click = blockActionBody({
        action_id: 'post_to_channel',
        value: 'q1',
        response_url: buttonUrl,
        ephemeral: true,
      });
      expect((await postToApp(endpoint, click, { signingSecret: secret })).status).toBe(200);
      await until(() => server.responses(buttonUrl).length === 1, 'the button listener');
      expect(server.messagesIn('C0ALERTS').map((m) => m.text)).toEqual(['posted via app.client', 'shared']);
    } finally {
      await app.stop();
    }
  });
});

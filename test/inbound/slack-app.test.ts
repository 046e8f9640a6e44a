/**
 * The whole Slack side on loopback: startServer() from the environment (as `trailbot serve` does), the real
 * Bolt HTTP receiver taking signed requests, the real Web API client talking to a loopback Slack that enforces
 * Block Kit limits and response_url rules, a real SQLite store. The event source is the bundled sample trail
 * (no AWS credentials in this environment); the live LookupEvents path has its own loopback tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/outbound/logger.js';
import { openSqliteStore } from '../../src/outbound/store/sqlite-store.js';
import type { AuditEntry } from '../../src/ports.js';
import { appMentionEventBody, blockActionBody, postToApp, slashCommandBody } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { type SlackServer, startSlackServer } from '../loopback/slack-server.js';

const SECRET = 'loopback-signing-secret-0123456789';
const INSTANCE = 'i-05c30218156bcc246';

let slack: SlackServer;
let server: RunningServer;
let dir: string;
let eventsUrl: string;
const logs: string[] = [];

async function audit(): Promise<AuditEntry[]> {
  const store = openSqliteStore(join(dir, 'trailbot.db'));
  try {
    return await store.recentQueries(100);
  } finally {
    await store.close();
  }
}

function textOf(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

async function slash(text: string, channel = 'C0ALERTS', user = 'U0ALICE') {
  const responseUrl = slack.responseUrl({ channel, user });
  const res = await postToApp(
    eventsUrl,
    slashCommandBody({ text, response_url: responseUrl, channel_id: channel, user_id: user }),
    {
      signingSecret: SECRET,
    },
  );
  return { res, responseUrl };
}

beforeAll(async () => {
  slack = await startSlackServer({ usergroups: { S0ONCALL: ['U0CAROL'] } });
  dir = mkdtempSync(join(tmpdir(), 'trailbot-slack-'));
  writeFileSync(join(dir, 'trailbot.yml'), 'access:\n  channels: [C0ALERTS, C0OPS]\n');
  const env = {
    HOME: dir, // no ~/.aws here: the server answers from the bundled samples
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    TRAILBOT_STORE: `sqlite:${join(dir, 'trailbot.db')}`,
    TRAILBOT_CONFIG: join(dir, 'trailbot.yml'),
    LOG_LEVEL: 'debug',
  };
  server = await startServer(env, createLogger('debug', { write: (line: string) => void logs.push(line) }));
  eventsUrl = `http://127.0.0.1:${server.port}/slack/events`;
});

afterAll(async () => {
  await server?.stop();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('trailbot serve on loopback', () => {
  test('GET /healthz answers', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  test('/trail acks at once with "looking…", then answers privately through response_url, with buttons', async () => {
    const { res, responseUrl } = await slash(`who ${INSTANCE}`);
    expect(res.status).toBe(200);
    const ack = (await res.json()) as { response_type: string; text: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/Looking/);
    const [answer] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the answer',
    );
    expect(answer?.response_type).toBe('ephemeral');
    expect(answer?.replace_original).toBe(true);
    const blocks = textOf(answer?.blocks);
    expect(blocks).toContain('bert-jan');
    expect(blocks).toContain('shutting-down');
    expect(blocks).toContain('trail_post_to_channel');
    expect(blocks).toContain('trail_all_events');
    const entry = (await audit()).find((e) => e.query === `who ${INSTANCE}` && e.surface === 'slash');
    expect(entry).toMatchObject({ outcome: 'answered', userId: 'U0ALICE', channelId: 'C0ALERTS', complete: true });
    expect(entry?.events).toBeGreaterThan(10);
  });

  test.each([
    ['a wrong signature', { badSignature: true }],
    ['a stale timestamp', { stale: true }],
    ['no signature', { unsigned: true }],
  ])('%s is refused and nothing runs', async (_name, option) => {
    const before = (await audit()).length;
    const responseUrl = slack.responseUrl();
    const res = await postToApp(eventsUrl, slashCommandBody({ text: 'errors', response_url: responseUrl }), {
      signingSecret: SECRET,
      ...option,
    });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.responseAttempts(responseUrl)).toEqual([]);
    expect((await audit()).length).toBe(before);
  });

  test('/trail match takes a pattern as Slack sends it (&& escaped, curly quotes) and answers with its events', async () => {
    const { responseUrl } = await slash(
      '{ ($.eventName = “AuthorizeSecurityGroupIngress”) &amp;&amp; ($.sourceIPAddress = "192.168.*") }',
    );
    const [usage] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the reply to a pattern without its verb',
    );
    expect(textOf(usage?.blocks)).toMatch(/not a verb|Unknown verb/);
    const typed =
      'match { ($.eventName = “AuthorizeSecurityGroupIngress”) &amp;&amp; ($.sourceIPAddress = "192.168.*") }';
    const asked = await slash(typed);
    const [answer] = await waitFor(
      () => slack.responses(asked.responseUrl).length > 0 && slack.responses(asked.responseUrl),
      'the match answer',
    );
    const blocks = textOf(answer?.blocks);
    expect(blocks).toContain('bert-jan');
    expect(blocks).toContain('AuthorizeSecurityGroupIngress');
    expect(blocks).not.toContain('CreateSecurityGroup');
    const entry = (await audit()).find((e) => e.query.startsWith('match {') && e.outcome === 'answered');
    // Audited as the user typed it, with Slack's HTML escapes undone.
    expect(entry?.query).toBe(typed.replaceAll('&amp;', '&'));
    expect(entry?.events).toBe(2);
  });

  test('/trail scan answers by rule', async () => {
    const { responseUrl } = await slash('scan');
    const [answer] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the scan answer',
    );
    const blocks = textOf(answer?.blocks);
    expect(blocks).toContain('Security group changes');
    expect(blocks).toContain('CloudWatch.10');
  });

  test('a malformed query gets a short private usage message naming the word, and is audited', async () => {
    const { responseUrl } = await slash(`who ${INSTANCE} sinse 2d`);
    const [reply] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the usage reply',
    );
    expect(reply?.response_type).toBe('ephemeral');
    expect(textOf(reply?.blocks)).toContain('sinse');
    expect(textOf(reply?.blocks)).toContain(`/trail who ${INSTANCE} since 2d`);
    expect((await audit()).find((e) => e.query.includes('sinse'))?.outcome).toBe('usage');
  });

  test('`public` answers in the channel and removes the "looking…" note', async () => {
    const { responseUrl } = await slash(`event ConsoleLogin public`);
    const replies = await waitFor(
      () => slack.responses(responseUrl).length >= 2 && slack.responses(responseUrl),
      'two replies',
    );
    expect(replies[0]?.delete_original).toBe(true);
    expect(replies[1]?.response_type).toBe('in_channel');
    expect(textOf(replies[1]?.blocks)).toContain('ConsoleLogin');
    expect(textOf(replies[1]?.blocks)).not.toContain('trail_post_to_channel');
  });

  test('a channel off the allowlist is refused politely, and the refusal is audited', async () => {
    const { responseUrl } = await slash('errors', 'C0ELSEWHERE', 'U0MALLORY');
    const [reply] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the refusal',
    );
    expect(textOf(reply?.blocks)).toContain('allowlist');
    expect(textOf(reply?.blocks)).not.toContain('bert-jan');
    expect((await audit()).find((e) => e.userId === 'U0MALLORY')).toMatchObject({ outcome: 'refused', events: 0 });
  });

  test('@trailbot in a thread answers in that thread; a bad query goes privately to the asker', async () => {
    const ts = slack.addMessage({ channel: 'C0OPS', text: `<@${slack.botUserId}> who ${INSTANCE}`, user: 'U0BOB' });
    const res = await postToApp(
      eventsUrl,
      appMentionEventBody({ text: `<@${slack.botUserId}> who ${INSTANCE}`, user: 'U0BOB', channel: 'C0OPS', ts }),
      { signingSecret: SECRET },
    );
    expect(res.status).toBe(200);
    const [reply] = await waitFor(
      () => slack.threadReplies('C0OPS', ts).length > 0 && slack.threadReplies('C0OPS', ts),
      'the thread reply',
    );
    expect(textOf(reply?.blocks)).toContain('bert-jan');
    expect(textOf(reply?.blocks)).toContain('trail_all_events');

    const ts2 = slack.addMessage({ channel: 'C0OPS', text: `<@${slack.botUserId}> whom`, user: 'U0BOB' });
    await postToApp(
      eventsUrl,
      appMentionEventBody({ text: `<@${slack.botUserId}> whom`, user: 'U0BOB', channel: 'C0OPS', ts: ts2 }),
      {
        signingSecret: SECRET,
      },
    );
    const ephemeral = await waitFor(
      () => slack.ephemerals('C0OPS').find((e) => e.thread_ts === ts2),
      'the private usage reply',
    );
    expect(ephemeral.user).toBe('U0BOB');
    expect(slack.threadReplies('C0OPS', ts2)).toEqual([]);
  });

  test('"Post to channel" posts the answer with who asked, and removes the private copy', async () => {
    const responseUrl = slack.responseUrl({ channel: 'C0ALERTS', user: 'U0ALICE' });
    await postToApp(
      eventsUrl,
      blockActionBody({
        action_id: 'trail_post_to_channel',
        value: JSON.stringify({ q: 'event TerminateInstances' }),
        response_url: responseUrl,
        channel: 'C0ALERTS',
        user: 'U0ALICE',
        ephemeral: true,
      }),
      { signingSecret: SECRET },
    );
    const posted = await waitFor(
      () => slack.messagesIn('C0ALERTS').find((m) => textOf(m.blocks).includes('Asked by <@U0ALICE>')),
      'the channel post',
    );
    expect(textOf(posted.blocks)).toContain('TerminateInstances');
    const [deleted] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the delete',
    );
    expect(deleted?.delete_original).toBe(true);
  });

  test('"All events" on a private answer sends CSV and JSON to the asker\'s DM', async () => {
    const responseUrl = slack.responseUrl({ channel: 'C0ALERTS', user: 'U0ALICE' });
    const before = slack.files().length;
    await postToApp(
      eventsUrl,
      blockActionBody({
        action_id: 'trail_all_events',
        value: JSON.stringify({ q: `who ${INSTANCE}` }),
        response_url: responseUrl,
        channel: 'C0ALERTS',
        user: 'U0ALICE',
        ephemeral: true,
      }),
      { signingSecret: SECRET },
    );
    const done = () =>
      slack
        .files()
        .slice(before)
        .filter((f) => f.completed);
    const files = await waitFor(() => done().length >= 2 && done(), 'two completed uploads');
    expect(files.map((f) => f.filename).sort()).toEqual(['trailbot-events.csv', 'trailbot-events.json']);
    for (const f of files) {
      expect(f.completed).toBe(true);
      expect(f.channel).toMatch(/^D/);
    }
    const json = JSON.parse(files.find((f) => f.filename.endsWith('.json'))?.bytes?.toString() ?? '{}') as {
      events: unknown[];
      matched: number;
    };
    expect(json.events.length).toBe(json.matched);
    const csv = files.find((f) => f.filename.endsWith('.csv'))?.bytes?.toString() ?? '';
    expect(csv.split('\r\n').length - 2).toBe(json.matched);
  });

  test('"All events" on an answer in a thread uploads into that thread', async () => {
    const root = slack.addMessage({ channel: 'C0OPS', text: 'an answer', user: 'UBOT' });
    const before = slack.files().length;
    await postToApp(
      eventsUrl,
      blockActionBody({
        action_id: 'trail_all_events',
        value: JSON.stringify({ q: 'event ConsoleLogin' }),
        response_url: slack.responseUrl({ channel: 'C0OPS' }),
        channel: 'C0OPS',
        user: 'U0BOB',
        message_ts: root,
        message: { text: 'an answer' },
      }),
      { signingSecret: SECRET },
    );
    const done = () =>
      slack
        .files()
        .slice(before)
        .filter((f) => f.completed);
    const files = await waitFor(() => done().length >= 2 && done(), 'two completed uploads');
    for (const f of files) expect([f.channel, f.thread_ts]).toEqual(['C0OPS', root]);
  });

  test('a forged button value is answered with a short message, not an error', async () => {
    const responseUrl = slack.responseUrl({ channel: 'C0ALERTS' });
    await postToApp(
      eventsUrl,
      blockActionBody({
        action_id: 'trail_all_events',
        value: 'not ours',
        response_url: responseUrl,
        channel: 'C0ALERTS',
        ephemeral: true,
      }),
      { signingSecret: SECRET },
    );
    const [reply] = await waitFor(
      () => slack.responses(responseUrl).length > 0 && slack.responses(responseUrl),
      'the reply',
    );
    expect(textOf(reply?.blocks)).toContain('no longer carries a query');
  });

  test('a Slack outage while answering is logged; the server keeps serving', async () => {
    slack.setDown(true);
    const { res } = await slash('errors');
    expect(res.status).toBe(200);
    await waitFor(() => logs.some((l) => l.includes('answer not delivered')), 'the delivery failure in the log');
    slack.setDown(false);
    const again = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(again.status).toBe(200);
  });

  test('the log is JSON and never holds the bot token or the signing secret', () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(slack.token);
      expect(line).not.toContain(SECRET);
    }
  });
});

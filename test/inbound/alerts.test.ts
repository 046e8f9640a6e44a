/**
 * Alerts end to end on loopback: `trailbot serve` started from the environment, SNS messages signed with a test
 * certificate served on loopback (allowed through TRAILBOT_SNS_CERT_URL_PATTERN), the durable outbox delivering
 * to the loopback Slack, and the alert buttons sent to the real Bolt receiver with real signatures.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/outbound/logger.js';
import { alertServerEnv } from '../helpers/alert-server-env.js';
import { blockActionBody, postToApp } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { type SlackServer, startSlackServer } from '../loopback/slack-server.js';
import { type SnsSigner, snsHeaders, startSnsSigner } from '../loopback/sns-signer.js';

const SECRET = 'alerts-signing-secret-0123456789';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailbot-alerts';
const CHANNEL = 'C0ALERTS';

let slack: SlackServer;
let signer: SnsSigner;
let server: RunningServer;
let dir: string;
let base: string;

function fixtureMessage(name: string): { Message: string; Subject?: string } {
  return JSON.parse(readFileSync(new URL(`../fixtures/sns/${name}`, import.meta.url), 'utf8')) as {
    Message: string;
    Subject?: string;
  };
}

/** The alarm fixture with its state (and previous state) set. */
function alarmMessage(state: 'ALARM' | 'OK', previous: 'ALARM' | 'OK'): string {
  const m = JSON.parse(fixtureMessage('alarm-metric-alarm.json').Message) as Record<string, unknown>;
  return JSON.stringify({ ...m, NewStateValue: state, OldStateValue: previous, NewStateReason: `now ${state}` });
}

let counter = 0;
async function publish(message: string, options: { messageId?: string; tamper?: boolean } = {}) {
  counter += 1;
  const body = signer.signSnsMessage(
    {
      Type: 'Notification',
      TopicArn: TOPIC,
      MessageId: options.messageId ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
      Message: message,
      Timestamp: new Date().toISOString(),
    },
    { version: '2' },
  );
  const sent = options.tamper === true ? body.replace('now ALARM', 'now FINE!') : body;
  return fetch(`${base}/sns`, { method: 'POST', headers: snsHeaders(sent), body: sent });
}

const cards = () => slack.messagesIn(CHANNEL).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);

beforeAll(async () => {
  slack = await startSlackServer();
  signer = await startSnsSigner();
  dir = mkdtempSync(join(tmpdir(), 'trailbot-alerts-'));
  // Alarm enrichment (its own replies in these threads) is tested in alarm-enrichment.test.ts: off here, so the
  // thread counts below are the alert flow's alone.
  writeFileSync(
    join(dir, 'trailbot.yml'),
    'alerts:\n  accountAliases: { "111122223333": prod-security }\nenrichment:\n  enabled: false\n',
  );
  server = await startServer(
    alertServerEnv({ dir, slack, secret: SECRET, channel: CHANNEL, topic: TOPIC }),
    createLogger('silent'),
  );
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.stop();
  await signer?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts on loopback', () => {
  test('an ALARM posts one card (with the account alias); OK updates it and replies in its thread', async () => {
    expect((await publish(alarmMessage('ALARM', 'OK'))).status).toBe(200);
    const [card] = await waitFor(() => cards().length === 1 && cards(), 'the card');
    expect(JSON.stringify(card?.blocks)).toContain('SecurityGroupChanges');
    expect(JSON.stringify(card?.blocks)).toContain('prod-security');
    expect(JSON.stringify(card?.blocks)).toContain('alert_acknowledge');

    expect((await publish(alarmMessage('OK', 'ALARM'))).status).toBe(200);
    const ts = card?.ts ?? '';
    const [reply] = await waitFor(
      () => slack.threadReplies(CHANNEL, ts).length === 1 && slack.threadReplies(CHANNEL, ts),
      'the reply',
    );
    expect(reply?.text).toMatch(/ALARM → OK/);
    expect(reply?.reply_broadcast).toBe(false);
    await waitFor(() => (slack.message(CHANNEL, ts)?.edits ?? 0) >= 1, 'the card update');
    expect(cards()).toHaveLength(1);
  });

  test('ALARM after OK reopens the incident: the reply is broadcast to the channel, still one card', async () => {
    expect((await publish(alarmMessage('ALARM', 'OK'))).status).toBe(200);
    const ts = cards()[0]?.ts ?? '';
    const replies = await waitFor(
      () => slack.threadReplies(CHANNEL, ts).length === 2 && slack.threadReplies(CHANNEL, ts),
      'the reopen',
    );
    expect(replies[1]?.reply_broadcast).toBe(true);
    expect(cards()).toHaveLength(1);
  });

  test('a redelivered MessageId changes nothing; a tampered message is refused and posts nothing', async () => {
    const before = slack.log.length;
    const id = '00000000-0000-4000-8000-00000000abcd';
    expect((await publish(alarmMessage('OK', 'ALARM'), { messageId: id })).status).toBe(200);
    expect((await publish(alarmMessage('OK', 'ALARM'), { messageId: id })).status).toBe(200);
    const ts = cards()[0]?.ts ?? '';
    await waitFor(() => slack.threadReplies(CHANNEL, ts).length === 3, 'one reply for the message');
    expect((await publish(alarmMessage('ALARM', 'OK'), { tamper: true })).status).toBe(403);
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.threadReplies(CHANNEL, ts)).toHaveLength(3);
    expect(slack.log.length).toBeGreaterThan(before);
  });

  test('Acknowledge changes the card and says who, in the thread', async () => {
    const card = cards()[0];
    const ts = card?.ts ?? '';
    const key = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges';
    const replies = slack.threadReplies(CHANNEL, ts).length;
    const res = await postToApp(
      `${base}/slack/events`,
      blockActionBody({
        action_id: 'alert_acknowledge',
        value: key,
        response_url: slack.responseUrl({ channel: CHANNEL }),
        channel: CHANNEL,
        user: 'U0ONCALL',
        message_ts: ts,
        message: { text: 'card' },
      }),
      { signingSecret: SECRET },
    );
    expect(res.status).toBe(200);
    const [ack] = await waitFor(
      () => slack.threadReplies(CHANNEL, ts).length > replies && slack.threadReplies(CHANNEL, ts).slice(replies),
      'the acknowledgement',
    );
    expect(JSON.stringify(ack?.blocks)).toContain('Acknowledged by <@U0ONCALL>');
    await waitFor(
      () => JSON.stringify(slack.message(CHANNEL, ts)?.blocks).includes('U0ONCALL'),
      'the card showing who acknowledged',
    );
    expect(JSON.stringify(slack.message(CHANNEL, ts)?.blocks)).not.toContain('alert_acknowledge');
  });

  test('a CloudTrail event via EventBridge gets its own card with actor, source IP and the change', async () => {
    const { Message } = fixtureMessage('eventbridge-authorize-security-group-ingress.json');
    expect((await publish(Message)).status).toBe(200);
    const card = await waitFor(
      () => cards().find((m) => JSON.stringify(m.blocks).includes('AuthorizeSecurityGroupIngress')),
      'the event card',
    );
    expect(JSON.stringify(card.blocks)).toContain('bert-jan');
  });

  test('Show event opens a modal with the escaped event JSON', async () => {
    const key = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges';
    await postToApp(
      `${base}/slack/events`,
      blockActionBody({
        action_id: 'alert_show_event',
        value: key,
        response_url: slack.responseUrl({ channel: CHANNEL }),
        channel: CHANNEL,
        user: 'U0ONCALL',
        message_ts: cards()[0]?.ts ?? '',
        message: { text: 'card' },
      }),
      { signingSecret: SECRET },
    );
    const [view] = await waitFor(() => slack.views().length > 0 && slack.views(), 'the modal');
    expect(view?.type).toBe('modal');
    expect(JSON.stringify(view?.blocks)).toContain('SecurityGroupChanges');
    expect(JSON.stringify(view?.blocks)).toContain('NewStateValue');
  });

  test('GET /metrics shows SNS outcomes, Slack deliveries and the outbox depth', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^trailbot_sns_messages_total\{status="200"\} (\d+)/m)).toBeGreaterThanOrEqual(5);
    expect(value(/^trailbot_sns_messages_total\{status="403"\} (\d+)/m)).toBe(1);
    expect(value(/^trailbot_slack_deliveries_total (\d+)/m)).toBeGreaterThanOrEqual(6);
    expect(text).toMatch(/^trailbot_outbox_depth\{state="pending"\} \d+/m);
    expect(text).toMatch(/^trailbot_process_resident_memory_bytes /m);
  });
});

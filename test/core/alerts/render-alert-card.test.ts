/**
 * The alert cards, thread replies and the "Show event" modal over every fixture: snapshots, plus what must
 * hold whatever a snapshot says (Block Kit limits, verbatim mrkdwn, buttons by incident state).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { Alert } from '../../../src/core/alerts/alert.js';
import { incidentKeyOf } from '../../../src/core/alerts/incident-key.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import {
  ACTION_ALERT_ACKNOWLEDGE,
  ACTION_ALERT_RESOLVE,
  ACTION_ALERT_SHOW_EVENT,
  ACTION_ALERT_SNOOZE_1H,
  ACTION_ALERT_SNOOZE_24H,
  ALERT_ACTIONS,
  conditionWords,
  eventJsonOf,
  type IncidentView,
  keyFields,
  periodWords,
  renderAlertCard,
  renderEventModal,
  renderGenericCard,
  renderStateChangeReply,
} from '../../../src/core/alerts/render-alert-card.js';
import { blockKitViolations, LIMITS, type SlackMessage } from '../../../src/core/slack/block-kit-limits.js';
import { incidentView } from '../../helpers/incident-view.js';

const FIXTURES = new URL('../../fixtures/sns/', import.meta.url);
const NAMES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

function fixture(name: string): { alert: Alert; messageId: string } {
  const n = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as {
    Message: string;
    Subject?: string;
    MessageId: string;
  };
  return { alert: parseAlert(n.Message, n.Subject ?? null), messageId: n.MessageId };
}

function keyOf(name: string): string {
  const { alert, messageId } = fixture(name);
  return incidentKeyOf(alert, { groupingWindowMs: 3_600_000 }) ?? `msg:${messageId}`;
}

/** Every text object in a message. */
function textObjects(node: unknown, out: { type: string; text: string; verbatim?: boolean }[] = []) {
  if (Array.isArray(node)) for (const n of node) textObjects(n, out);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
      out.push(o as { type: string; text: string; verbatim?: boolean });
    } else for (const v of Object.values(o)) textObjects(v, out);
  }
  return out;
}

function checkMessage(message: SlackMessage): void {
  expect(blockKitViolations(message)).toEqual([]);
  for (const t of textObjects(message.blocks)) {
    if (t.type === 'mrkdwn') expect(t.verbatim).toBe(true);
    expect(t.text.length).toBeGreaterThan(0);
  }
}

function buttons(message: SlackMessage): { id: string; value: string }[] {
  const actions = message.blocks.find((b): b is ActionsBlock => b.type === 'actions');
  return (actions?.elements ?? []).map((e) => ({
    id: (e as { action_id: string }).action_id,
    value: (e as { value: string }).value,
  }));
}

const ALIAS = { accountAlias: 'prod' };

describe.each(NAMES)('%s', (name) => {
  const { alert } = fixture(name);
  const key = keyOf(name);

  test('card', () => {
    const card = renderAlertCard(alert, incidentView(key), ALIAS);
    checkMessage(card);
    expect(card.blocks[0]?.type).toBe('header');
    expect(buttons(card).every((b) => b.value === key)).toBe(true);
    expect(card).toMatchSnapshot();
  });

  test('thread reply', () => {
    const reply = renderStateChangeReply(alert, null);
    checkMessage(reply);
    expect(reply).toMatchSnapshot();
  });

  test('Show event modal', () => {
    const modal = renderEventModal(eventJsonOf(alert));
    expect(modal.type).toBe('modal');
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    for (const t of textObjects(modal.blocks)) expect(t.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(modal).toMatchSnapshot();
  });
});

describe('alarm card', () => {
  const { alert } = fixture('alarm-metric-alarm');
  const key = keyOf('alarm-metric-alarm');

  test('the essentials: account with alias, region, states, the condition in words', () => {
    const text = JSON.stringify(renderAlertCard(alert, incidentView(key), ALIAS).blocks);
    expect(text).toContain('111122223333 (prod)');
    expect(text).toContain('*Region*\\nus-east-1');
    expect(text).toContain('*ALARM* (was OK)');
    expect(text).toContain('SecurityGroupEventCount ≥ 1 for 1 period of 5 minutes');
    expect(text).toContain('Sum of CloudTrailMetrics/SecurityGroupEventCount');
  });

  test('no alias: the id alone', () => {
    const text = JSON.stringify(renderAlertCard(alert, incidentView(key), { accountAlias: null }).blocks);
    expect(text).toContain('*Account*\\n111122223333"');
  });

  test('the header is plain text with the state emoji', () => {
    const header = renderAlertCard(alert, incidentView(key), ALIAS).blocks[0];
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 SecurityGroupChanges', emoji: false },
    });
  });

  test.each<[string, Partial<IncidentView>, string[]]>([
    [
      'open',
      {},
      [
        ACTION_ALERT_ACKNOWLEDGE,
        ACTION_ALERT_SNOOZE_1H,
        ACTION_ALERT_SNOOZE_24H,
        ACTION_ALERT_RESOLVE,
        ACTION_ALERT_SHOW_EVENT,
      ],
    ],
    [
      'acknowledged',
      { state: 'acknowledged', acknowledged: { user: 'U0ALICE', at: '2023-07-10T12:12:00Z' } },
      [ACTION_ALERT_SNOOZE_1H, ACTION_ALERT_SNOOZE_24H, ACTION_ALERT_RESOLVE, ACTION_ALERT_SHOW_EVENT],
    ],
    [
      'snoozed, not acknowledged',
      {
        state: 'snoozed',
        snoozedUntil: '2023-07-10T13:12:00Z',
        snoozed: { user: 'U0BOB', at: '2023-07-10T12:12:00Z' },
      },
      [ACTION_ALERT_ACKNOWLEDGE, ACTION_ALERT_RESOLVE, ACTION_ALERT_SHOW_EVENT],
    ],
    [
      'resolved',
      { state: 'resolved', resolved: { user: 'U0ALICE', at: '2023-07-10T12:20:00Z' } },
      [ACTION_ALERT_SHOW_EVENT],
    ],
  ])('buttons when %s', (_name, overrides, ids) => {
    const card = renderAlertCard(alert, incidentView(key, overrides), ALIAS);
    expect(buttons(card).map((b) => b.id)).toEqual(ids);
    checkMessage(card);
  });

  test('a snooze that has ended shows as open again when `now` is given', () => {
    const snoozed = incidentView(key, {
      state: 'snoozed',
      snoozedUntil: '2023-07-10T13:12:00Z',
      snoozed: { user: 'U0BOB', at: '2023-07-10T12:12:00Z' },
    });
    const before = renderAlertCard(alert, snoozed, { ...ALIAS, now: Date.parse('2023-07-10T13:00:00Z') });
    const after = renderAlertCard(alert, snoozed, { ...ALIAS, now: Date.parse('2023-07-10T13:12:00Z') });
    expect(buttons(before).map((b) => b.id)).not.toContain(ACTION_ALERT_SNOOZE_1H);
    expect(buttons(after).map((b) => b.id)).toContain(ACTION_ALERT_SNOOZE_1H);
    expect(JSON.stringify(after.blocks)).toContain('*Open*');
  });

  test('who did what, and when, in the context line', () => {
    const card = renderAlertCard(
      alert,
      incidentView(key, {
        state: 'resolved',
        notifications: 7,
        acknowledged: { user: 'U0ALICE', at: '2023-07-10T12:12:00Z' },
        snoozed: { user: 'not a slack id <!channel>', at: '2023-07-10T12:13:00Z' },
        resolved: { user: 'W0CAROL', at: '2023-07-10T12:20:00Z' },
      }),
      ALIAS,
    );
    expect(card.blocks[0]).toMatchObject({ text: { text: '✅ SecurityGroupChanges' } });
    const context = card.blocks.find((b) => b.type === 'context');
    const text = JSON.stringify(context);
    expect(text).toContain('✅ *Resolved* · 7 notifications · last change <!date^');
    expect(text).toContain('Acknowledged by <@U0ALICE> <!date^1688991120^');
    expect(text).toContain('Snoozed by not a slack id &lt;!channel&gt;');
    expect(text).toContain('Resolved by <@W0CAROL>');
    expect(card).toMatchSnapshot();
  });

  test('a snoozed card says until when', () => {
    const card = renderAlertCard(
      alert,
      incidentView(key, {
        state: 'snoozed',
        snoozedUntil: '2023-07-11T12:12:00Z',
        snoozed: { user: 'U0BOB', at: '2023-07-10T12:12:00Z' },
      }),
      ALIAS,
    );
    expect(JSON.stringify(card.blocks)).toContain('😴 *Snoozed* until <!date^1689077520^');
  });

  test('Resolve asks for confirmation', () => {
    const card = renderAlertCard(alert, incidentView(key), ALIAS);
    const actions = card.blocks.find((b): b is ActionsBlock => b.type === 'actions');
    const resolve = actions?.elements.find((e) => (e as { action_id?: string }).action_id === ACTION_ALERT_RESOLVE);
    expect(resolve).toHaveProperty('confirm.confirm.text', 'Resolve');
  });

  test('a key too long for a button value: no buttons, still a valid card', () => {
    const card = renderAlertCard(alert, incidentView('k'.repeat(LIMITS.buttonValue + 1)), ALIAS);
    expect(buttons(card)).toEqual([]);
    checkMessage(card);
  });

  test('action ids are the exported constants', () => {
    expect(ALERT_ACTIONS).toEqual([
      'alert_acknowledge',
      'alert_snooze_1h',
      'alert_snooze_24h',
      'alert_resolve',
      'alert_show_event',
    ]);
  });
});

describe('other cards', () => {
  test('metric math: the compared expression in the condition and every query listed', () => {
    const text = JSON.stringify(renderAlertCard(fixture('alarm-metric-math').alert, incidentView('k'), ALIAS).blocks);
    expect(text).toContain('expr_1 &lt; 65 for 5 periods of 1 minute');
    expect(text).toContain('100*(healthyHostCount/fleetCapacity) ← compared');
    expect(text).toContain('Average of AWS/NetworkELB/HealthyHostCount');
  });

  test('anomaly band in words', () => {
    const text = JSON.stringify(renderAlertCard(fixture('alarm-anomaly-band').alert, incidentView('k'), ALIAS).blocks);
    expect(text).toContain('m1 outside the band ad1 for 1 of 4 periods of 1 minute');
  });

  test('composite: the rule and the child that set it off', () => {
    const text = JSON.stringify(renderAlertCard(fixture('alarm-composite').alert, incidentView('k'), ALIAS).blocks);
    expect(text).toContain('*Rule*');
    expect(text).toContain('• SecurityGroupChanges → ALARM');
  });

  test('CloudTrail: actor, action, resource, source IP, client, MFA, result, transitions', () => {
    const card = renderAlertCard(fixture('eventbridge-terminate-instances').alert, incidentView('k'), ALIAS);
    const text = JSON.stringify(card.blocks);
    expect(card.blocks[0]).toMatchObject({ text: { text: '🔶 TerminateInstances by bert-jan' } });
    for (const label of ['Actor', 'Action', 'Resource', 'Source IP', 'Client', 'MFA', 'Result', 'Account', 'Region']) {
      expect(text).toContain(`*${label}*`);
    }
    expect(text).toContain('• i-05c30218156bcc246: running → shutting-down');
    expect(text).toContain('Terraform 1.1.2');
  });

  test('ConsoleLogin without MFA is flagged', () => {
    const text = JSON.stringify(
      renderAlertCard(fixture('eventbridge-console-login-no-mfa').alert, incidentView('k'), ALIAS),
    );
    expect(text).toContain('*MFA*\\n:warning: no');
  });

  test('a failed call: the failure up front and ⛔', () => {
    const alert = parseAlert(
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.ec2',
        detail: {
          eventTime: '2023-07-10T12:00:00Z',
          eventName: 'RunInstances',
          eventSource: 'ec2.amazonaws.com',
          errorCode: 'Client.UnauthorizedOperation',
          errorMessage: 'You are not authorized to perform this operation.',
          userIdentity: { type: 'IAMUser', userName: 'mallory' },
        },
      }),
      null,
    );
    const card = renderAlertCard(alert, incidentView('k'), ALIAS);
    expect(card.blocks[0]).toMatchObject({ text: { text: '⛔ RunInstances by mallory' } });
    expect(JSON.stringify(card.blocks)).toContain(':x: Failed: Client.UnauthorizedOperation: You are not authorized');
    checkMessage(card);
  });

  test('GuardDuty: readable key fields, title first, nested objects summarized, never a JSON dump', () => {
    const card = renderAlertCard(fixture('eventbridge-guardduty-finding').alert, incidentView('k'), ALIAS);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('*title*: 198.51.100.0 is performing SSH brute force attacks');
    expect(text).toContain('*resource.instanceDetails.instanceId*: i-99999999');
    expect(text).toMatch(/more fields \(Show event for all\)/);
    expect(text).not.toContain('{\\"');
  });

  test('renderGenericCard is what renderAlertCard uses for events and text', () => {
    const { alert } = fixture('eventbridge-ec2-state-change');
    if (alert.kind !== 'event') throw new Error(alert.kind);
    expect(renderGenericCard(alert, incidentView('k'), ALIAS)).toEqual(
      renderAlertCard(alert, incidentView('k'), ALIAS),
    );
  });

  test('plain text: no Show event (the card is the message)', () => {
    const card = renderAlertCard(fixture('plain-text').alert, incidentView('k'), ALIAS);
    expect(buttons(card).map((b) => b.id)).not.toContain(ACTION_ALERT_SHOW_EVENT);
  });
});

describe('thread replies', () => {
  test('an alarm: "OK → ALARM at <date> · reason"', () => {
    const reply = renderStateChangeReply(fixture('alarm-metric-alarm').alert, null);
    expect(reply.blocks[0]).toMatchObject({
      text: { text: expect.stringMatching(/^🔴 \*OK → ALARM\* at <!date\^1688991042\^[^>]+> · Threshold Crossed/) },
    });
    expect(reply.text).toBe('OK → ALARM: SecurityGroupChanges');
  });

  test("the previous notification's state wins over OldStateValue", () => {
    const previous = fixture('alarm-insufficient-data').alert;
    const reply = renderStateChangeReply(fixture('alarm-metric-ok').alert, previous);
    expect(reply.text).toBe('INSUFFICIENT_DATA → OK: SecurityGroupChanges');
  });
});

describe('Show event modal', () => {
  test('a large event is split into code sections under 3000 characters, escaped', () => {
    const raw = {
      items: Array.from({ length: 400 }, (_, i) => ({ i, note: `<!channel> & <b> ${'x'.repeat(50)}` })),
      fence: '```not a fence```',
      long: '&'.repeat(5000),
    };
    const modal = renderEventModal(raw, 'A very long title for a modal view');
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    const sections = modal.blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(5);
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    const texts = textObjects(modal.blocks);
    for (const t of texts) {
      expect(t.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(t.text).not.toMatch(/<|>/);
      if (t.type === 'mrkdwn') expect(t.verbatim).toBe(true);
    }
    const all = texts.map((t) => t.text).join('\n');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;b&gt;');
    expect(all).not.toMatch(/[^`]```[^`\n]/);
  });

  test('an event too large for a modal says how much is left off', () => {
    const modal = renderEventModal({ lines: Array.from({ length: 20_000 }, (_, i) => `line ${i}`) });
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(modal.blocks.at(-1))).toMatch(/more lines? not shown/);
  });

  test('unsafe characters are made visible', () => {
    const text = JSON.stringify(renderEventModal({ name: '\u202Eexe.txt' }).blocks);
    expect(text).toContain('⟨U+202E⟩exe.txt');
  });

  test('nesting too deep to print says so instead of throwing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
    const modal = renderEventModal(deep);
    expect(JSON.stringify(modal.blocks)).toContain('nested too deeply');
  });
});

describe('words', () => {
  test.each([
    [10, '10 seconds'],
    [60, '1 minute'],
    [300, '5 minutes'],
    [3600, '1 hour'],
    [21_600, '6 hours'],
    [86_400, '1 day'],
    [90, '90 seconds'],
  ])('periodWords(%d) = %s', (seconds, words) => {
    expect(periodWords(seconds)).toBe(words);
  });

  test('conditionWords', () => {
    const base = {
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      period: 300,
    };
    expect(conditionWords('SecurityGroupEventCount', base)).toBe(
      'SecurityGroupEventCount ≥ 1 for 1 period of 5 minutes',
    );
    expect(
      conditionWords('x', {
        ...base,
        comparisonOperator: 'LessThanThreshold',
        threshold: 0.5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      }),
    ).toBe('x &lt; 0.5 for 2 of 3 periods of 5 minutes');
    expect(conditionWords('x', { ...base, comparisonOperator: 'Weird', evaluationPeriods: null })).toBe('x Weird 1');
    expect(conditionWords('x', { ...base, comparisonOperator: null, threshold: null })).toBe(
      'x ? ? for 1 period of 5 minutes',
    );
  });

  test('keyFields: preferred keys first, empty values skipped, depth summarized', () => {
    const { pairs, more } = keyFields(
      { z: 1, title: 'T', empty: '', nothing: null, a: { b: { c: { d: 1, e: 2 } } }, list: [1, 2], objs: [{}, {}] },
      10,
    );
    expect(pairs).toEqual([
      ['title', 'T'],
      ['z', '1'],
      ['a.b.c', '{d, e}'],
      ['list', '1, 2'],
      ['objs', '[2 items]'],
    ]);
    expect(more).toBe(0);
  });
});

test('blocks are KnownBlock[] (type check only)', () => {
  const blocks: KnownBlock[] = renderAlertCard(fixture('plain-text').alert, incidentView('k'), ALIAS).blocks;
  expect(blocks.length).toBeGreaterThan(0);
});

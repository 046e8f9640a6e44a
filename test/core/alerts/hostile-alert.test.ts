/**
 * Alerts written by an attacker: an alarm name, a description, a reason, a CloudTrail field, an event's keys
 * and values, a subject are theirs to choose. Whatever they hold, no card, reply or modal mentions, links,
 * breaks a Block Kit limit, or carries a control or direction-changing character.
 */
import { describe, expect, test } from '@jest/globals';
import type { Alert } from '../../../src/core/alerts/alert.js';
import { incidentKeyOf, MAX_KEY } from '../../../src/core/alerts/incident-key.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import {
  eventJsonOf,
  type IncidentView,
  renderAlertCard,
  renderEventModal,
  renderStateChangeReply,
} from '../../../src/core/alerts/render-alert-card.js';
import { blockKitViolations, LIMITS, type SlackMessage } from '../../../src/core/slack/block-kit-limits.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';

const PAYLOADS = HOSTILE_STRINGS;
const HUGE = '&'.repeat(10_000);

function evil(i: number): string {
  return `${PAYLOADS[i % PAYLOADS.length]} ${PAYLOADS[(i + 7) % PAYLOADS.length]} ${i % 2 === 0 ? HUGE : ''}`;
}

function hostileMetricAlarm(i: number): unknown {
  return {
    AlarmName: evil(i),
    AlarmDescription: evil(i + 1),
    AWSAccountId: evil(i + 2),
    NewStateValue: 'ALARM',
    NewStateReason: evil(i + 3),
    StateChangeTime: evil(i + 4),
    Region: evil(i + 5),
    AlarmArn: `arn:aws:cloudwatch:us-east-1:1:alarm:${evil(i + 6)}`,
    OldStateValue: evil(i + 7),
    Trigger: {
      MetricName: evil(i + 8),
      Namespace: evil(i + 9),
      Statistic: evil(i + 10),
      Unit: evil(i + 11),
      Dimensions: Array.from({ length: 40 }, (_, d) => ({ name: evil(i + d), value: evil(i + d + 1) })),
      Period: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      ComparisonOperator: evil(i + 12),
      Threshold: 1,
      TreatMissingData: evil(i + 13),
    },
  };
}

function hostileMathAlarm(i: number): unknown {
  return {
    AlarmName: evil(i),
    NewStateValue: 'INSUFFICIENT_DATA',
    AlarmArn: evil(i + 1),
    Trigger: {
      ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      ThresholdMetricId: evil(i + 2),
      Metrics: Array.from({ length: 30 }, (_, q) => ({
        Id: evil(i + q),
        Expression: q % 2 === 0 ? evil(i + q + 1) : undefined,
        Label: evil(i + q + 2),
        ReturnData: q === 0,
        MetricStat: {
          Metric: { Namespace: evil(q), MetricName: evil(q + 1), Dimensions: [{ name: evil(q), value: evil(q + 2) }] },
          Stat: evil(q + 3),
          Period: 60,
        },
      })),
    },
  };
}

function hostileComposite(i: number): unknown {
  return {
    AlarmName: evil(i),
    NewStateValue: 'OK',
    OldStateValue: 'ALARM',
    AlarmDescription: evil(i + 1),
    AlarmRule: evil(i + 2),
    TriggeringChildren: Array.from({ length: 30 }, (_, c) => ({
      Arn: `x:alarm:${evil(i + c)}`,
      State: { Value: evil(c) },
    })),
  };
}

function hostileRecord(i: number): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventID: evil(i),
    eventTime: '2023-07-10T12:00:00Z',
    eventName: evil(i + 1),
    eventSource: evil(i + 2),
    awsRegion: evil(i + 3),
    sourceIPAddress: evil(i + 4),
    userAgent: evil(i + 5),
    errorCode: evil(i + 6),
    errorMessage: evil(i + 7),
    readOnly: false,
    recipientAccountId: evil(i + 8),
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/${evil(i + 9)}/${evil(i + 10)}`,
      principalId: evil(i + 11),
      accountId: '123456789012',
      invokedBy: evil(i + 12),
      sessionContext: { sessionIssuer: { type: 'Role', userName: evil(i + 12), arn: evil(i) } },
    },
    requestParameters: { instanceId: evil(i + 13), bucketName: evil(i + 14), groupId: evil(i) },
    responseElements: {
      instancesSet: {
        items: Array.from({ length: 30 }, (_, n) => ({
          instanceId: evil(i + n),
          previousState: { name: evil(i + n + 1) },
          currentState: { name: evil(i + n + 2) },
        })),
      },
    },
  };
}

function hostileEvent(i: number): unknown {
  const detail: Record<string, unknown> = { title: evil(i), description: evil(i + 1) };
  for (let k = 0; k < 40; k += 1) detail[evil(i + k)] = { [evil(k)]: evil(k + 1), list: [evil(k), evil(k + 2)] };
  return {
    'detail-type': evil(i + 2),
    source: evil(i + 3),
    account: evil(i + 4),
    region: evil(i + 5),
    time: evil(i + 6),
    resources: Array.from({ length: 20 }, (_, r) => evil(i + r)),
    detail,
  };
}

function messages(i: number): [string, string, string | null][] {
  const record = hostileRecord(i);
  return [
    ['metric alarm', JSON.stringify(hostileMetricAlarm(i)), evil(i)],
    ['metric-math alarm', JSON.stringify(hostileMathAlarm(i)), null],
    ['composite alarm', JSON.stringify(hostileComposite(i)), null],
    [
      'CloudTrail event',
      JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', source: evil(i), detail: record }),
      null,
    ],
    [
      'console sign-in',
      JSON.stringify({
        'detail-type': 'AWS Console Sign In via CloudTrail',
        detail: { ...record, eventName: 'ConsoleLogin' },
      }),
      null,
    ],
    ['other event', JSON.stringify(hostileEvent(i)), null],
    ['unknown JSON', JSON.stringify({ [evil(i)]: evil(i + 1), nested: hostileEvent(i) }), evil(i + 2)],
    ['delivery notice', JSON.stringify({ s3Bucket: evil(i), s3ObjectKey: [evil(i + 1), evil(i + 2)] }), null],
    ['plain text', Array.from({ length: 60 }, (_, l) => evil(i + l)).join('\n'), evil(i + 3)],
  ];
}

const VIEWS: IncidentView[] = [
  {
    key: 'k',
    state: 'open',
    snoozedUntil: null,
    notifications: 1,
    lastChange: null,
    acknowledged: null,
    snoozed: null,
    resolved: null,
  },
  {
    key: 'k'.repeat(2000),
    state: 'snoozed',
    snoozedUntil: evil(3),
    notifications: Number.NaN,
    lastChange: evil(4),
    acknowledged: { user: evil(0), at: evil(1) },
    snoozed: { user: evil(2), at: evil(5) },
    resolved: { user: evil(6), at: evil(7) },
  },
];

/** Our own date tokens are the only `<…>` allowed in mrkdwn. */
const OUR_DATE = /<!date\^\d+\^\{[a-z_]+\}(?: \{time\})?\|[0-9: -]+UTC>/g;
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029]/;

function texts(node: unknown, out: { type: string; text: string; verbatim?: boolean }[] = []) {
  if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
      out.push(o as { type: string; text: string; verbatim?: boolean });
    } else for (const v of Object.values(o)) texts(v, out);
  }
  return out;
}

function checkSafe(message: SlackMessage): void {
  expect(blockKitViolations(message)).toEqual([]);
  const all = [...texts(message.blocks), { type: 'mrkdwn', text: message.text, verbatim: true }];
  for (const t of all) {
    expect(t.text).not.toMatch(UNSAFE);
    if (t.type === 'plain_text') continue;
    expect(t.verbatim).toBe(true);
    expect(t.text.replace(OUR_DATE, '')).not.toMatch(/[<>]/);
  }
}

describe.each([0, 1, 5])('hostile alerts (variant %i)', (i) => {
  describe.each(messages(i))('%s', (_name, message, subject) => {
    const alert: Alert = parseAlert(message, subject);

    test.each(VIEWS.map((v, n) => [n, v] as const))('card with incident view %i', (_n, incidentView) => {
      const card = renderAlertCard(alert, incidentView, { accountAlias: evil(i + 9), now: 0 });
      checkSafe(card);
      expect(card.blocks.length).toBeGreaterThanOrEqual(3);
      // The full card, with shorter caps where needed, not the last-resort minimal one.
      expect(JSON.stringify(card.blocks)).not.toContain('too long to show');
      // The hostile payloads are shown, escaped, not dropped.
      if (alert.kind !== 'text' || alert.json !== null || subject !== null) {
        expect(JSON.stringify(card)).toMatch(/&lt;|&amp;/);
      }
    });

    test('thread reply', () => {
      checkSafe(renderStateChangeReply(alert, alert));
    });

    test('Show event modal', () => {
      const modal = renderEventModal(eventJsonOf(alert), evil(i));
      expect(modal.title.text.length).toBeLessThanOrEqual(24);
      expect(modal.blocks.length).toBeLessThanOrEqual(100);
      for (const t of texts(modal.blocks)) {
        expect(t.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
        expect(t.text).not.toMatch(/[<>]/);
        expect(t.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
      }
    });

    test('incident key is bounded', () => {
      const key = incidentKeyOf(alert, { groupingWindowMs: 3_600_000 });
      if (key !== null) expect(key.length).toBeLessThanOrEqual(MAX_KEY);
    });
  });
});

test('an alarm named only with mentions keeps them visible, escaped, in the header and the card', () => {
  const alert = parseAlert(JSON.stringify({ AlarmName: '<!channel> <@U1>', NewStateValue: 'ALARM' }), null);
  const card = renderAlertCard(alert, VIEWS[0] as IncidentView, { accountAlias: null });
  // plain_text is never parsed for mentions: the name is shown as written.
  expect(card.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '🔴 <!channel> <@U1>' } });
  expect(card.text).toContain('&lt;!channel&gt; &lt;@U1&gt;');
  checkSafe(card);
});

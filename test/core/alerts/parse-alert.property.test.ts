/**
 * Properties: parseAlert never throws, on arbitrary strings, arbitrary JSON, and JSON shaped like each kind of
 * alert with arbitrary values; every card, reply and modal it leads to keeps Block Kit's limits; every
 * incident key is bounded.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { incidentKeyOf, MAX_KEY } from '../../../src/core/alerts/incident-key.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import {
  eventJsonOf,
  type IncidentView,
  renderAlertCard,
  renderEventModal,
  renderStateChangeReply,
} from '../../../src/core/alerts/render-alert-card.js';
import { alertFacts, routeAlert } from '../../../src/core/alerts/route-alert.js';
import { blockKitViolations, LIMITS } from '../../../src/core/slack/block-kit-limits.js';

const RUNS = { numRuns: 300 };

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('<!channel>', '&', '\u202E', '```', '2023-07-10T12:00:00Z', '2019-02-12T15:45:24.006+0000', ''),
);
const value = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }));

const incident: fc.Arbitrary<IncidentView> = fc.record({
  key: fc.string({ minLength: 0, maxLength: 2100 }),
  state: fc.constantFrom('open', 'acknowledged', 'snoozed', 'resolved'),
  snoozedUntil: fc.option(text),
  notifications: fc.oneof(fc.integer(), fc.double()),
  lastChange: fc.option(text),
  acknowledged: fc.option(fc.record({ user: text, at: text })),
  snoozed: fc.option(fc.record({ user: text, at: text })),
  resolved: fc.option(fc.record({ user: text, at: text })),
});

const alarmShaped = fc.record(
  {
    AlarmName: text,
    AlarmDescription: value,
    AWSAccountId: value,
    NewStateValue: fc.oneof(fc.constantFrom('ALARM', 'OK', 'INSUFFICIENT_DATA'), value),
    OldStateValue: value,
    NewStateReason: value,
    StateChangeTime: value,
    Region: value,
    AlarmArn: fc.oneof(
      value,
      text.map((t) => `arn:aws:cloudwatch:us-east-1:1:alarm:${t}`),
    ),
    AlarmRule: value,
    TriggeringChildren: fc.oneof(value, fc.array(value)),
    Trigger: fc.oneof(
      value,
      fc.record(
        {
          MetricName: value,
          Namespace: value,
          Statistic: value,
          Dimensions: fc.oneof(value, fc.array(fc.record({ name: value, value: value }))),
          Period: value,
          EvaluationPeriods: value,
          DatapointsToAlarm: value,
          ComparisonOperator: value,
          Threshold: value,
          TreatMissingData: value,
          ThresholdMetricId: value,
          Metrics: fc.oneof(
            value,
            fc.array(fc.record({ Id: value, Expression: value, Label: value, ReturnData: value, MetricStat: value })),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['AlarmName', 'NewStateValue'] },
);

const eventShaped = fc.record(
  {
    'detail-type': fc.oneof(
      fc.constantFrom('AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail', 'GuardDuty Finding'),
      text,
    ),
    source: value,
    account: value,
    region: value,
    time: value,
    resources: fc.oneof(value, fc.array(value)),
    detail: fc.oneof(
      fc.dictionary(text, value),
      fc.record(
        {
          eventName: value,
          eventTime: value,
          eventSource: value,
          userIdentity: value,
          sourceIPAddress: value,
          errorCode: value,
          errorMessage: value,
          requestParameters: value,
          responseElements: value,
          severity: value,
          id: value,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['detail-type', 'detail'] },
);

const message = fc.oneof(
  text,
  fc.json({ maxDepth: 4 }),
  alarmShaped.map((o) => JSON.stringify(o)),
  eventShaped.map((o) => JSON.stringify(o)),
  fc.record({ s3Bucket: value, s3ObjectKey: fc.array(value) }).map((o) => JSON.stringify(o)),
);

describe('parseAlert and everything downstream', () => {
  test('never throws; cards, replies and modals keep the limits; keys are bounded', () => {
    fc.assert(
      fc.property(message, fc.option(text), incident, fc.option(text), (msg, subject, view, alias) => {
        const alert = parseAlert(msg, subject);
        expect(['alarm', 'cloudtrail', 'event', 'text']).toContain(alert.kind);

        const card = renderAlertCard(alert, view, { accountAlias: alias, now: 1_700_000_000_000 });
        expect(blockKitViolations(card)).toEqual([]);
        expect(blockKitViolations(renderStateChangeReply(alert, alert))).toEqual([]);

        const modal = renderEventModal(eventJsonOf(alert), subject ?? 'Event');
        expect(modal.title.text.length).toBeLessThanOrEqual(24);
        expect(modal.title.text.length).toBeGreaterThan(0);
        expect(modal.blocks.length).toBeLessThanOrEqual(100);
        for (const b of modal.blocks) {
          const t = (b as { text?: { text: string } }).text?.text;
          if (t !== undefined) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
        }

        const key = incidentKeyOf(alert, { groupingWindowMs: 3_600_000 });
        if (key !== null) expect(key.length).toBeLessThanOrEqual(MAX_KEY);
        routeAlert([{ channel: 'C1', alarmName: '*a*', severity: 'high' }], alertFacts(alert, null), null);
      }),
      RUNS,
    );
  });

  test('shaped like an alarm with a valid state and a name: always an alarm', () => {
    fc.assert(
      fc.property(alarmShaped, (o) => {
        const valid =
          typeof o.AlarmName === 'string' &&
          o.AlarmName.length > 0 &&
          ['ALARM', 'OK', 'INSUFFICIENT_DATA'].includes(o.NewStateValue as string);
        expect(parseAlert(JSON.stringify(o), null).kind === 'alarm').toBe(valid);
      }),
      RUNS,
    );
  });
});

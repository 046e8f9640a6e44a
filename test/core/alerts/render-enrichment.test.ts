import { describe, expect, test } from '@jest/globals';
import type { KnownBlock } from '@slack/types';
import type { AlarmPattern } from '../../../src/core/alerts/alarm-filter.js';
import { evaluationWindow, investigateWindow } from '../../../src/core/alerts/evaluation-window.js';
import {
  ACTION_ALERT_INVESTIGATE,
  decodeInvestigateValue,
  type EnrichmentReply,
  encodeInvestigateValue,
  renderEnrichment,
  renderNoPattern,
} from '../../../src/core/alerts/render-enrichment.js';
import type { Answer } from '../../../src/core/answer.js';
import { AnswerBuilder } from '../../../src/core/answer-builder.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { packRule } from '../../../src/core/rules/cis-pack.js';
import { blockKitViolations } from '../../../src/core/slack/block-kit-limits.js';
import { loadCorpus } from '../../helpers/corpora.js';
import { SECURITY_GROUP_CHANGES } from '../../helpers/event-names.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';

const CIS10 = packRule('CloudWatch.10')?.pattern ?? '';
const SG = { namespace: 'CloudTrailMetrics', metricName: 'SecurityGroupEventCount' };
const KEY = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges';
const STATE_CHANGE = '2023-07-10T12:10:42Z';
const WINDOW = evaluationWindow(
  { stateChangeTime: STATE_CHANGE, period: 300, evaluationPeriods: 1 },
  { now: new Date('2023-07-10T14:00:00Z'), deliveryDelayMs: 15 * 60_000 },
);

const SG_CHANGES = new Set(SECURITY_GROUP_CHANGES);

function answerOf(raws: readonly unknown[], window = WINDOW): Answer {
  const builder = new AnswerBuilder({ events: 10, timeline: 500, listReads: false });
  for (const raw of raws) {
    const r = normalizeRecord(raw);
    builder.scanned(r);
    builder.add(r);
  }
  return builder.finish({
    query: `match ${CIS10}`,
    source: 'lookup',
    window: { from: window.from, to: window.to },
    regions: ['us-east-1'],
    notes: [],
  });
}

const invictusChanges = loadCorpus('invictus')
  .map((c) => c.record as { eventName?: string })
  .filter((r) => SG_CHANGES.has(r.eventName ?? ''));

const assumed: AlarmPattern = {
  pattern: CIS10,
  sources: [{ pattern: CIS10, provenance: { kind: 'assumed', metric: SG, rule: 'CloudWatch.10' } }],
  notes: [],
};

function reply(overrides: Partial<EnrichmentReply> = {}): EnrichmentReply {
  return {
    alarmName: 'SecurityGroupChanges',
    pattern: assumed,
    window: WINDOW,
    outcome: { kind: 'answer', answer: answerOf(invictusChanges) },
    now: new Date('2023-07-10T14:00:00Z'),
    notes: [],
    investigate: { k: KEY, t: STATE_CHANGE },
    investigatedBy: null,
    ...overrides,
  };
}

function all(blocks: readonly KnownBlock[]): string {
  return JSON.stringify(blocks);
}

function mrkdwnTexts(blocks: readonly KnownBlock[]): { text: string; verbatim?: boolean }[] {
  const out: { text: string; verbatim?: boolean }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o as { text: string; verbatim?: boolean });
      else Object.values(o).forEach(visit);
    }
  };
  visit(blocks);
  return out;
}

const DATE_TOKEN = /<!date\^\d+\^\{[a-z_]+\}(?: \{[a-z_]+\})?\|[0-9: -]+UTC>/g;

describe('Events matching this alarm’s filter', () => {
  test('lists the events newest first with actor, time, source IP, client and what changed', () => {
    const message = renderEnrichment(reply());
    expect(blockKitViolations(message)).toEqual([]);
    const text = all(message.blocks);
    expect(text).toContain("Events matching this alarm's filter");
    expect(text).toContain('assumed from the metric name (CIS CloudWatch.10)');
    expect(text).toContain('AuthorizeSecurityGroupIngress');
    expect(text).toContain('bert-jan');
    expect(text).toContain('192.168.10.20');
    expect(text).toContain('tcp 22 from 0.0.0.0/0 (the internet)');
    expect(text).toContain('Client.InvalidPermission.NotFound');
    expect(text).toContain('8 events* by 1 actor');
    // The window, in date tokens, and how it was computed.
    expect(text).toContain(`<!date^${Date.parse('2023-07-10T11:50:42Z') / 1000}^`);
    expect(text).toContain('1 period of 5 minutes');
    expect(text).toContain('15 minutes for CloudTrail');
    // Newest first: the DeleteSecurityGroup at 12:12:06 before the CreateSecurityGroup at 12:10:01.
    expect(text.indexOf('*DeleteSecurityGroup*')).toBeGreaterThan(0);
    expect(text.indexOf('*DeleteSecurityGroup*')).toBeLessThan(text.indexOf('*CreateSecurityGroup*'));
    expect(message.text).toBe('Events matching the filter of SecurityGroupChanges: 8 events by 1 actor');
  });

  test('the Investigate button carries the incident key and StateChangeTime', () => {
    const message = renderEnrichment(reply());
    const actions = message.blocks.find((b) => b.type === 'actions');
    const button = actions?.type === 'actions' ? actions.elements[0] : undefined;
    expect(button).toMatchObject({ type: 'button', action_id: ACTION_ALERT_INVESTIGATE });
    const value = button?.type === 'button' ? button.value : undefined;
    expect(decodeInvestigateValue(value)).toEqual({ k: KEY, t: STATE_CHANGE });
  });

  test('more than ten matches: the newest ten and a count of the rest', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      ...(invictusChanges[0] as object),
      eventID: `e-${i}`,
      eventTime: `2023-07-10T12:0${Math.floor(i / 2)}:${String(10 + i).padStart(2, '0')}Z`,
    }));
    const message = renderEnrichment(reply({ outcome: { kind: 'answer', answer: answerOf(many) } }));
    expect(blockKitViolations(message)).toEqual([]);
    const text = all(message.blocks);
    expect(text).toContain('the newest 10 shown');
    expect(text).toContain('+4 more matching events');
  });

  test('nothing matched: said plainly, with the window and the likely reasons', () => {
    const message = renderEnrichment(reply({ outcome: { kind: 'answer', answer: answerOf([]) } }));
    expect(blockKitViolations(message)).toEqual([]);
    const text = all(message.blocks);
    expect(text).toContain('No CloudTrail event in this window matches the filter');
    expect(text).toContain('5–15 minutes');
    expect(text).toContain('case-sensitive');
    expect(text).toContain('*Window*');
    expect(message.text).toMatch(/no matching events$/);
  });

  test('a failed lookup: one line, and the button to try again', () => {
    const message = renderEnrichment(
      reply({ outcome: { kind: 'failed', reason: 'LookupEvents kept answering ThrottlingException in eu-west-1' } }),
    );
    const text = all(message.blocks);
    expect(text).toContain(
      'Could not look up events: LookupEvents kept answering ThrottlingException in eu-west-1. Press *Investigate* to try again.',
    );
    expect(text).toContain(ACTION_ALERT_INVESTIGATE);
    expect(text).not.toMatch(/\bat [\w.]+ \(/); // no stack frames
  });

  test('a window ending within LookupEvents’ lag: late events may still arrive', () => {
    const soon = renderEnrichment(reply({ now: new Date(WINDOW.to.getTime() + 5 * 60_000) }));
    expect(all(soon.blocks)).toContain('late ones may still arrive');
    expect(all(renderEnrichment(reply()).blocks)).not.toContain('late ones may still arrive');
  });

  test('Investigate: the wider window and who pressed it', () => {
    const now = new Date('2023-07-10T14:00:00Z');
    const window = investigateWindow({ stateChangeTime: STATE_CHANGE, period: 300, evaluationPeriods: 1 }, { now });
    const message = renderEnrichment(reply({ window, investigatedBy: 'U0ONCALL', now }));
    const text = all(message.blocks);
    expect(text).toContain('Investigated by <@U0ONCALL>');
    expect(text).toContain('24 hours before the alarm changed state');
    expect(text).toContain('→ now');
    // A user id that is not one is shown as text, never as a mention.
    expect(all(renderEnrichment(reply({ investigatedBy: '<!channel>' })).blocks)).not.toContain('<!channel>');
  });

  test('provenance: config, metric filter (several ORed), per metric when several', () => {
    const fromFilter = renderEnrichment(
      reply({
        pattern: {
          pattern: CIS10,
          sources: [
            {
              pattern: CIS10,
              provenance: {
                kind: 'metric-filter',
                metric: SG,
                filterName: 'sg-changes',
                logGroupName: 'aws-cloudtrail-logs-1',
                count: 2,
              },
            },
          ],
          notes: [],
        },
        notes: ['DescribeMetricFilters was denied; add logs:DescribeMetricFilters or map the alarm in TRAILBOT_CONFIG'],
      }),
    );
    const text = all(fromFilter.blocks);
    expect(text).toContain('metric filter `sg-changes` on log group `aws-cloudtrail-logs-1` and 1 more filter');
    expect(text).toContain('DescribeMetricFilters was denied');
    const configured = renderEnrichment(
      reply({
        pattern: {
          pattern: CIS10,
          sources: [{ pattern: CIS10, provenance: { kind: 'config-alarm', alarm: 'x', rule: 'CloudWatch.10' } }],
          notes: [],
        },
      }),
    );
    expect(all(configured.blocks)).toContain(
      'mapped to this alarm in TRAILBOT_CONFIG enrichment.filters (CIS CloudWatch.10)',
    );
  });

  test('button values: what encode writes decode reads; anything else is not ours', () => {
    const value = encodeInvestigateValue({ k: KEY, t: null });
    expect(decodeInvestigateValue(value ?? undefined)).toEqual({ k: KEY, t: null });
    expect(decodeInvestigateValue('{"q":"who x"}')).toBeNull();
    expect(decodeInvestigateValue('not json')).toBeNull();
    expect(decodeInvestigateValue(JSON.stringify({ k: 'x', t: 5 }))).toBeNull();
    expect(encodeInvestigateValue({ k: 'x'.repeat(2000), t: null })).toBeNull();
  });
});

describe('hostile strings everywhere', () => {
  const HUGE = 'A'.repeat(10_000);
  const evil = (i: number) =>
    `${HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]} ${HOSTILE_STRINGS[(i + 5) % HOSTILE_STRINGS.length]}${i % 4 === 0 ? HUGE : ''}`;
  const hostile = Array.from({ length: 30 }, (_, i) => ({
    eventID: `h-${i}`,
    eventTime: `2023-07-10T12:0${i % 10}:00Z`,
    eventName: evil(i),
    eventSource: evil(i + 1),
    awsRegion: 'us-east-1',
    sourceIPAddress: evil(i + 2),
    userAgent: evil(i + 3),
    errorCode: evil(i + 4),
    errorMessage: evil(i + 5),
    userIdentity: { type: 'IAMUser', userName: evil(i + 6), arn: evil(i + 7) },
    requestParameters: { groupId: evil(i + 8) },
  }));
  const pattern: AlarmPattern = {
    pattern: `{ $.eventName = "${evil(3)}\`" }`,
    sources: [
      {
        pattern: 'x',
        provenance: {
          kind: 'metric-filter',
          metric: { namespace: evil(1), metricName: evil(2) },
          filterName: evil(3),
          logGroupName: evil(4),
          count: 1,
        },
      },
      {
        pattern: 'y',
        provenance: { kind: 'assumed', metric: { namespace: evil(5), metricName: evil(6) }, rule: evil(7) },
      },
    ],
    notes: [evil(8), evil(9)],
  };

  test.each([
    ['answer', { kind: 'answer' as const, answer: answerOf(hostile) }],
    ['failure', { kind: 'failed' as const, reason: `${evil(10)}\n    at Object.<anonymous> (x.js:1:1)` }],
  ])('%s: within Block Kit limits, nothing mentions or links, every mrkdwn text verbatim', (_, outcome) => {
    const message = renderEnrichment(
      reply({ alarmName: evil(11), pattern, outcome, notes: [evil(12), evil(13)], investigatedBy: evil(0) }),
    );
    expect(blockKitViolations(message)).toEqual([]);
    for (const t of mrkdwnTexts(message.blocks)) {
      expect(t.verbatim).toBe(true);
      expect(t.text.replace(DATE_TOKEN, '')).not.toMatch(/[<>]/);
      expect(t.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    }
    expect(message.text).not.toMatch(/[<>]/);
  });

  test('no pattern: one line naming the metric, escaped', () => {
    const message = renderNoPattern([{ namespace: 'CloudTrailMetrics', metricName: evil(0) }], [evil(1)]);
    expect(blockKitViolations(message)).toEqual([]);
    expect(all(message.blocks)).toContain('map it in TRAILBOT_CONFIG `enrichment.filters`');
    for (const t of mrkdwnTexts(message.blocks)) expect(t.text).not.toMatch(/[<>]/);
  });
});

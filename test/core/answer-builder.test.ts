import { describe, expect, test } from '@jest/globals';
import { AnswerBuilder } from '../../src/core/answer-builder.js';
import { anActor, aRecord } from '../helpers/records.js';

const head = { query: 'q', source: 'test', window: { from: null, to: null }, regions: null, notes: [] };

function build(
  records: ReturnType<typeof aRecord>[],
  limits = { events: Number.POSITIVE_INFINITY, timeline: 500, listReads: false },
) {
  const b = new AnswerBuilder(limits);
  for (const r of records) {
    b.scanned(r);
    b.add(r);
  }
  return b.finish(head);
}

describe('AnswerBuilder', () => {
  test('groups by actor with counts, first/last seen, IPs, clients and event names', () => {
    const bob = anActor({ display: 'bob', arn: 'arn:aws:iam::1:user/bob' });
    const answer = build([
      aRecord({ eventTime: '2023-07-10T12:00:00Z', sourceIp: '1.1.1.1', eventName: 'A' }),
      aRecord({ eventTime: '2023-07-10T12:05:00Z', sourceIp: '2.2.2.2', eventName: 'B', errorCode: 'AccessDenied' }),
      aRecord({ eventTime: '2023-07-10T11:00:00Z', sourceIp: '2.2.2.2', eventName: 'B' }),
      aRecord({ actor: bob, eventTime: '2023-07-10T13:00:00Z' }),
    ]);
    expect(answer.actors.map((a) => [a.display, a.count, a.failures])).toEqual([
      ['alice', 3, 1],
      ['bob', 1, 0],
    ]);
    const [alice] = answer.actors;
    expect(alice?.firstSeen).toBe('2023-07-10T11:00:00Z');
    expect(alice?.lastSeen).toBe('2023-07-10T12:05:00Z');
    expect(alice?.sourceIps).toEqual(['2.2.2.2', '1.1.1.1']);
    expect(alice?.eventNames).toEqual({ B: 2, A: 1 });
    expect(Object.keys(alice?.eventNames ?? {})).toEqual(['B', 'A']);
    expect(answer.span).toEqual({ first: '2023-07-10T11:00:00Z', last: '2023-07-10T13:00:00Z' });
    expect(answer.failures).toBe(1);
  });

  test('events are newest first; duplicates (same event id) count once', () => {
    const r1 = aRecord({ eventTime: '2023-07-10T12:00:00Z' });
    const r2 = aRecord({ eventTime: '2023-07-10T12:30:00Z' });
    const answer = build([r1, r2, { ...r1 }]);
    expect(answer.scanned).toBe(3);
    expect(answer.matched).toBe(2);
    expect(answer.events.map((e) => e.eventId)).toEqual([r2.eventId, r1.eventId]);
  });

  test('limit keeps the newest events while counting them all', () => {
    const records = Array.from({ length: 100 }, (_, i) =>
      aRecord({
        eventTime: `2023-07-10T12:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}Z`,
      }),
    );
    const answer = build(records, { events: 5, timeline: 500, listReads: false });
    expect(answer.matched).toBe(100);
    expect(answer.events).toHaveLength(5);
    const newest = [...records].sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1)).slice(0, 5);
    expect(answer.events.map((e) => e.eventTime)).toEqual(newest.map((e) => e.eventTime));
  });

  test('the timeline holds changes and failures, not reads, oldest first, and counts what it drops', () => {
    const write = (t: string) => aRecord({ eventTime: t, readOnly: false, eventName: 'StopInstances' });
    const answer = build(
      [
        write('2023-07-10T12:03:00Z'),
        aRecord({ eventTime: '2023-07-10T12:04:00Z' }),
        aRecord({ eventTime: '2023-07-10T12:05:00Z', errorCode: 'AccessDenied' }),
        write('2023-07-10T12:01:00Z'),
        write('2023-07-10T12:02:00Z'),
      ],
      { events: 0, timeline: 3, listReads: false },
    );
    expect(answer.timeline.map((r) => r.eventTime)).toEqual([
      '2023-07-10T12:02:00Z',
      '2023-07-10T12:03:00Z',
      '2023-07-10T12:05:00Z',
    ]);
    expect(answer.timelineOmitted).toBe(1);
    expect(answer.events).toEqual([]);
    expect(answer.reads).toBe(2);
    expect(answer.writes).toBe(3);
  });

  test('reads go on the timeline when the query asks for reads', () => {
    const answer = build([aRecord()], { events: 0, timeline: 10, listReads: true });
    expect(answer.timeline).toHaveLength(1);
  });

  test('transitions chain per resource, oldest first', () => {
    const answer = build([
      aRecord({
        eventTime: '2023-07-10T12:10:00Z',
        eventName: 'StopInstances',
        transitions: [{ resource: 'i-1', from: 'running', to: 'stopping' }],
      }),
      aRecord({
        eventTime: '2023-07-10T12:00:00Z',
        eventName: 'RunInstances',
        transitions: [{ resource: 'i-1', from: null, to: 'pending' }],
      }),
    ]);
    expect(answer.transitions).toHaveLength(1);
    expect(answer.transitions[0]?.steps.map((s) => [s.from, s.to])).toEqual([
      [null, 'pending'],
      ['running', 'stopping'],
    ]);
  });

  test('regions are those seen when none were asked; complete unless there are notes', () => {
    const b = new AnswerBuilder({ events: 0, timeline: 10, listReads: false });
    b.scanned(aRecord({ region: 'eu-west-1' }));
    b.scanned(aRecord({ region: 'us-east-1' }));
    const answer = b.finish({ ...head, notes: ['trail/x.json.gz: not gzip data'] });
    expect(answer.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(answer.complete).toBe(false);
    expect(answer.matched).toBe(0);
    expect(answer.span).toBeNull();
    expect(b.finish({ ...head, regions: ['ap-northeast-1'] }).regions).toEqual(['ap-northeast-1']);
  });

  test('an event name like __proto__ is counted as data', () => {
    const answer = build([aRecord({ eventName: '__proto__' })]);
    expect(Object.getOwnPropertyNames(answer.actors[0]?.eventNames)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(answer.actors[0]?.eventNames))).toEqual(JSON.parse('{"__proto__":1}'));
  });

  test('memory stays bounded: past 5,000 actors the rest fold into one', () => {
    const b = new AnswerBuilder({ events: 0, timeline: 10, listReads: false });
    for (let i = 0; i < 6000; i += 1) b.add(aRecord({ actor: anActor({ display: `u${i}` }) }));
    const answer = b.finish(head);
    expect(answer.actors).toHaveLength(5001);
    expect(answer.actors.find((a) => a.display === '(other actors)')?.count).toBe(1000);
  });
});

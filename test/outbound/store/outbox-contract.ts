/**
 * The Outbox contract (src/ports.ts, docs/outbox.md): every store (SQLite now, PostgreSQL later) runs it against a
 * real place. `open()` and `cleanup()` as in store-contract.ts.
 *
 * What it pins down: writes queue in order with increasing ids; claim hands out, per channel, the lowest pending
 * row only while the channel has nothing in flight and only once its notBefore has come, never the same row twice
 * (two stores on one place included); delivery fills the incident's root ts, which later rows see as threadTs;
 * queued updates of one card collapse; an SNS MessageId is accepted once, and its writes with it.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import type { IncidentUpdate, Outbox, OutboxWrite, Store } from '../../../src/ports.js';

type Place = Store & Outbox;

const T0 = new Date('2025-05-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

export const post = (channel: string, text: string, incidentKey?: string): OutboxWrite =>
  incidentKey === undefined
    ? { kind: 'post', channel, message: { text } }
    : { kind: 'post', channel, message: { text }, incidentKey };
export const reply = (channel: string, incidentKey: string, text: string, broadcast = false): OutboxWrite => ({
  kind: 'reply',
  channel,
  incidentKey,
  message: { text },
  broadcast,
});
export const update = (channel: string, incidentKey: string, text: string): OutboxWrite => ({
  kind: 'update',
  channel,
  incidentKey,
  message: { text },
});

export function incident(overrides: Partial<IncidentUpdate> = {}): IncidentUpdate {
  return {
    key: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu',
    channel: 'C1',
    state: 'alarm',
    notifications: 1,
    lastChangeAt: at(0),
    acknowledgedBy: null,
    acknowledgedAt: null,
    snoozedUntil: null,
    resolvedBy: null,
    resolvedAt: null,
    reopenedAt: null,
    ...overrides,
  };
}

export function describeOutboxContract(name: string, open: () => Promise<Place>, cleanup: () => Promise<void>): void {
  describe(`Outbox contract: ${name}`, () => {
    const opened: Place[] = [];
    async function openPlace(): Promise<Place> {
      const place = await open();
      opened.push(place);
      return place;
    }
    afterEach(async () => {
      for (const place of opened.splice(0)) await place.close().catch(() => undefined);
      await cleanup();
    });

    test('a new outbox is empty', async () => {
      const box = await openPlace();
      expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
      expect(await box.claim(at(0), 10)).toEqual([]);
      expect(await box.inflightOlderThan(at(1e12))).toEqual([]);
    });

    test('writes queue with increasing ids and round-trip', async () => {
      const box = await openPlace();
      const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*card* 🛑 "q" \u0000' } }];
      const ids = await box.enqueue([
        { kind: 'post', channel: 'C1', message: { text: 'card', blocks }, incidentKey: 'K' },
        reply('C1', 'K', 'transition', true),
        update('C1', 'K', 'card v2'),
        post('C2', 'plain'),
      ]);
      expect(ids).toHaveLength(4);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const [root, broadcast, upd, plain] = await Promise.all(ids.map((id) => box.entry(id)));
      expect(root).toMatchObject({
        channel: 'C1',
        kind: 'post',
        incidentKey: 'K',
        message: { text: 'card', blocks },
        state: 'pending',
        attempts: 0,
        claimedAt: null,
        unconfirmedSince: null,
        slackTs: null,
        lastError: null,
        threadTs: null,
        rootQueued: false,
      });
      expect(broadcast).toMatchObject({ kind: 'broadcast', incidentKey: 'K', rootQueued: true });
      expect(upd).toMatchObject({ kind: 'update', message: { text: 'card v2' } });
      expect(plain).toMatchObject({ kind: 'post', incidentKey: null, message: { text: 'plain' } });
      expect(plain?.message).not.toHaveProperty('blocks');
      expect(await box.depth()).toEqual({ pending: 4, inflight: 0, dead: 0 });
    });

    test('a reply or update without an incident, or a write without a channel, is refused and nothing is queued', async () => {
      const box = await openPlace();
      await expect(
        box.enqueue([post('C1', 'ok'), { kind: 'reply', channel: 'C1', incidentKey: '', message: { text: 'x' } }]),
      ).rejects.toThrow(/incident/);
      await expect(box.enqueue([post('', 'no channel')])).rejects.toThrow(/channel/);
      expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
    });

    test('claim: per channel the lowest pending row, one in flight per channel, channels in parallel', async () => {
      const box = await openPlace();
      await box.enqueue([post('A', 'a1'), post('B', 'b1'), post('A', 'a2'), post('C', 'c1'), post('B', 'b2')]);
      const first = await box.claim(at(0), 10);
      expect(first.map((e) => e.message.text)).toEqual(['a1', 'b1', 'c1']);
      expect(first.every((e) => e.state === 'inflight' && e.attempts === 1)).toBe(true);
      expect(first[0]?.claimedAt?.getTime()).toBe(at(0).getTime());
      expect(await box.claim(at(1), 10)).toEqual([]);
      const [a1, b1] = first;
      await box.markDelivered(a1?.id ?? 0, '1.000001', at(2));
      expect((await box.claim(at(3), 10)).map((e) => e.message.text)).toEqual(['a2']);
      await box.markDead(b1?.id ?? 0, 'invalid_blocks');
      expect((await box.claim(at(4), 10)).map((e) => e.message.text)).toEqual(['b2']);
      expect(await box.depth()).toEqual({ pending: 0, inflight: 3, dead: 1 });
      expect(await box.entry(a1?.id ?? 0)).toMatchObject({ state: 'done', slackTs: '1.000001', lastError: null });
      expect(await box.entry(b1?.id ?? 0)).toMatchObject({ state: 'dead', lastError: 'invalid_blocks' });
    });

    test('claim: limit, and excluded channels are left for later', async () => {
      const box = await openPlace();
      await box.enqueue(['A', 'B', 'C', 'D'].map((c) => post(c, c)));
      expect((await box.claim(at(0), 2, ['A'])).map((e) => e.channel)).toEqual(['B', 'C']);
      expect((await box.claim(at(0), 0)).map((e) => e.channel)).toEqual([]);
      expect((await box.claim(at(0), 5, ['A', 'D'])).map((e) => e.channel)).toEqual([]);
      expect((await box.claim(at(0), 5)).map((e) => e.channel)).toEqual(['A', 'D']);
      await expect(box.claim(at(0), -1)).rejects.toThrow(/limit/);
    });

    test('retryAt: back to pending, not before `when`, and the channel waits with it (order kept)', async () => {
      const box = await openPlace();
      await box.enqueue([post('A', 'a1'), post('A', 'a2')]);
      const [a1] = await box.claim(at(0), 10);
      await box.retryAt(a1?.id ?? 0, at(5000), 'ratelimited');
      expect(await box.claim(at(4999), 10)).toEqual([]);
      const again = await box.claim(at(5000), 10);
      expect(again.map((e) => [e.message.text, e.attempts, e.lastError])).toEqual([['a1', 2, 'ratelimited']]);
      expect(again[0]?.notBefore.getTime()).toBe(at(5000).getTime());
    });

    test('retryAt unconfirmed: remembers the earliest claim that may have reached Slack', async () => {
      const box = await openPlace();
      const [id = 0] = await box.enqueue([post('A', 'a1')]);
      await box.claim(at(100), 1);
      await box.retryAt(id, at(200), 'network', { unconfirmed: true });
      expect((await box.entry(id))?.unconfirmedSince?.getTime()).toBe(at(100).getTime());
      await box.claim(at(300), 1);
      await box.retryAt(id, at(400), 'ratelimited');
      await box.claim(at(500), 1);
      await box.retryAt(id, at(600), 'http 503', { unconfirmed: true });
      expect(await box.entry(id)).toMatchObject({ state: 'pending', attempts: 3, lastError: 'http 503' });
      expect((await box.entry(id))?.unconfirmedSince?.getTime()).toBe(at(100).getTime());
    });

    test('a delivered root post fills its incident’s root ts; replies and updates then carry it', async () => {
      const box = await openPlace();
      await box.enqueue(
        [post('C1', 'card', 'K'), reply('C1', 'K', 'r1'), update('C1', 'K', 'v2')],
        [incident({ key: 'K' })],
      );
      expect((await box.incident('K'))?.rootTs).toBeNull();
      const [root] = await box.claim(at(0), 10);
      await box.markDelivered(root?.id ?? 0, '1700000000.000100', at(1));
      expect((await box.incident('K'))?.rootTs).toBe('1700000000.000100');
      const [r1] = await box.claim(at(2), 10);
      expect(r1).toMatchObject({ kind: 'reply', threadTs: '1700000000.000100', rootQueued: false });
      // Saving the incident again (the alert flow) never clears the root ts.
      await box.enqueue([], [incident({ key: 'K', state: 'ok', notifications: 2 })]);
      expect(await box.incident('K')).toMatchObject({ rootTs: '1700000000.000100', state: 'ok', notifications: 2 });
    });

    test('a root post without a saved incident creates one when delivered', async () => {
      const box = await openPlace();
      await box.enqueue([post('C9', 'card', 'K9')]);
      const [root] = await box.claim(at(0), 1);
      await box.markDelivered(root?.id ?? 0, '1.000009');
      expect(await box.incident('K9')).toMatchObject({ key: 'K9', channel: 'C9', rootTs: '1.000009' });
      expect(await box.incident('nope')).toBeUndefined();
    });

    test('incidents round-trip, every field', async () => {
      const box = await openPlace();
      const full = incident({
        key: 'actor|StopInstances|i-1',
        acknowledgedBy: 'U1',
        acknowledgedAt: at(1),
        snoozedUntil: at(3_600_000),
        resolvedBy: 'U2',
        resolvedAt: at(5),
        reopenedAt: at(6),
        alert: '{"message":"{\\"AlarmName\\":\\"x\\"}","subject":null}',
      });
      await box.enqueue([], [full]);
      expect(await box.incident(full.key)).toStrictEqual({ ...full, rootTs: null });
      // A later save without the notification (a button press) keeps the one stored.
      const { alert: _kept, ...withoutAlert } = full;
      await box.enqueue([], [{ ...withoutAlert, state: 'acknowledged' }]);
      expect(await box.incident(full.key)).toStrictEqual({ ...full, state: 'acknowledged', rootTs: null });
    });

    test('collapse: a queued update takes the newest content; one already in flight is not touched', async () => {
      const box = await openPlace();
      const [rootId = 0] = await box.enqueue([post('C1', 'card', 'K')]);
      const [u1] = await box.enqueue([update('C1', 'K', 'v2')]);
      const [u2] = await box.enqueue([reply('C1', 'K', 'r'), update('C1', 'K', 'v3')]).then((ids) => ids.slice(1));
      expect(u2).toBe(u1);
      expect((await box.entry(u1 ?? 0))?.message.text).toBe('v3');
      expect(await box.depth()).toMatchObject({ pending: 3 });
      await box.claim(at(0), 1);
      await box.markDelivered(rootId, '1.1');
      const [claimed] = await box.claim(at(1), 1);
      expect(claimed?.id).toBe(u1);
      const [u3] = await box.enqueue([update('C1', 'K', 'v4')]);
      expect(u3).not.toBe(u1);
      expect((await box.entry(u1 ?? 0))?.message.text).toBe('v3');
      // Another channel's card (or another incident) never collapses with it.
      const [other] = await box.enqueue([update('C2', 'K', 'elsewhere')]);
      expect(other).not.toBe(u3);
    });

    test('acceptSnsMessage: a MessageId is accepted once, with its writes; a duplicate queues nothing', async () => {
      const box = await openPlace();
      const writes = [post('C1', 'card', 'K'), reply('C1', 'K', 'r1')];
      expect(await box.acceptSnsMessage('m-1', 'arn:aws:sns:us-east-1:1:t', '{"x":1}', writes, [incident()])).toBe(
        'accepted',
      );
      expect(await box.acceptSnsMessage('m-1', 'arn:aws:sns:us-east-1:1:t', '{"x":1}', writes)).toBe('duplicate');
      expect(await box.depth()).toEqual({ pending: 2, inflight: 0, dead: 0 });
      expect(await box.incident(incident().key)).toMatchObject({ state: 'alarm' });
      expect(await box.acceptSnsMessage('m-2', 'arn:aws:sns:us-east-1:1:t', '{}', [])).toBe('accepted');
    });

    test('acceptSnsMessage is all or nothing: a bad write stores neither the message nor any write', async () => {
      const box = await openPlace();
      const bad = [post('C1', 'fine'), { kind: 'update', channel: 'C1', message: { text: 'x' } } as OutboxWrite];
      await expect(box.acceptSnsMessage('m-1', 'arn:t', '{}', bad)).rejects.toThrow();
      expect(await box.depth()).toEqual({ pending: 0, inflight: 0, dead: 0 });
      expect(await box.acceptSnsMessage('m-1', 'arn:t', '{}', [post('C1', 'fine')])).toBe('accepted');
    });

    test('concurrent accepts of one MessageId: exactly one is accepted', async () => {
      const a = await openPlace();
      const b = await openPlace();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).acceptSnsMessage('m-x', 'arn:t', '{}', [post('C', 'x')]),
        ),
      );
      expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
      expect(await a.depth()).toMatchObject({ pending: 1 });
    });

    test('inflightOlderThan: rows left in flight before an instant', async () => {
      const box = await openPlace();
      await box.enqueue([post('A', 'a'), post('B', 'b'), post('C', 'c')]);
      await box.claim(at(0), 1);
      await box.claim(at(10), 1);
      expect((await box.inflightOlderThan(at(5))).map((e) => e.channel)).toEqual(['A']);
      expect((await box.inflightOlderThan(at(11))).map((e) => e.channel)).toEqual(['A', 'B']);
    });

    test('takeOverInflight: rows claimed before an instant go back to pending, posts unconfirmed', async () => {
      const box = await openPlace();
      const [rootId] = await box.enqueue([post('A', 'root', 'inc-1')]);
      await box.claim(at(0), 1);
      await box.markDelivered(rootId ?? 0, '1.000100', at(1));
      await box.enqueue([post('B', 'b'), update('A', 'inc-1', 'card'), post('C', 'c')]);
      const first = await box.claim(at(10), 2);
      expect(first.map((e) => e.channel).sort()).toEqual(['A', 'B']);
      await box.claim(at(20), 1);
      // The rows claimed at 10 are old enough to take over; the one claimed at 20 is not.
      expect(await box.takeOverInflight(at(15), at(30))).toBe(2);
      expect(await box.depth()).toMatchObject({ pending: 2, inflight: 1 });
      const retaken = await box.claim(at(30), 5);
      const byChannel = new Map(retaken.map((e) => [e.channel, e]));
      expect(byChannel.get('B')?.unconfirmedSince).toEqual(at(10));
      expect(byChannel.get('A')?.kind).toBe('update');
      expect(byChannel.get('A')?.unconfirmedSince).toBeNull();
      expect(await box.takeOverInflight(at(15), at(40))).toBe(0);
    });

    test('two stores on one place never claim the same row', async () => {
      const a = await openPlace();
      const b = await openPlace();
      const writes = Array.from({ length: 40 }, (_, i) => post(`C${i % 20}`, `w${i}`));
      await a.enqueue(writes);
      const claimed = (
        await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim(at(0), 3)))
      ).flat();
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed.map((e) => e.id)).size).toBe(20);
      expect(new Set(claimed.map((e) => e.channel)).size).toBe(20);
    });

    test('reopening keeps the queue, in flight rows included', async () => {
      const first = await openPlace();
      await first.enqueue([post('A', 'a1'), post('A', 'a2')]);
      await first.claim(at(0), 1);
      await first.close();
      const second = await openPlace();
      expect(await second.depth()).toEqual({ pending: 1, inflight: 1, dead: 0 });
      expect((await second.inflightOlderThan(at(1))).map((e) => e.message.text)).toEqual(['a1']);
    });

    test('calls after close reject', async () => {
      const box = await openPlace();
      await box.close();
      await expect(box.enqueue([post('A', 'a')])).rejects.toThrow(/closed/);
      await expect(box.claim(at(0), 1)).rejects.toThrow(/closed/);
      await expect(box.depth()).rejects.toThrow(/closed/);
    });
  });
}

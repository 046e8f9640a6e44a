/**
 * `scan` answers rendered by rule: text, Block Kit and JSON. Over hand-built answers (folded by the real core
 * builders, as answerScan folds them), over hostile ones where every rule hit, and over the real flow on the
 * bundled samples.
 */
import { describe, expect, test } from '@jest/globals';
import type { KnownBlock, SectionBlock } from '@slack/types';
import type { Answer, RuleHits } from '../../../src/core/answer.js';
import { AnswerBuilder } from '../../../src/core/answer-builder.js';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import { answerMessage } from '../../../src/core/render/answer-message.js';
import { renderBlocks } from '../../../src/core/render/render-blocks.js';
import { toAnswerJson } from '../../../src/core/render/render-json.js';
import { renderText } from '../../../src/core/render/render-text.js';
import { CIS_PACK } from '../../../src/core/rules/cis-pack.js';
import { RuleHitsBuilder } from '../../../src/core/rules/rule-hits.js';
import { blockKitViolations, blockTextLength, LIMITS } from '../../../src/core/slack/block-kit-limits.js';
import type { TrailQuery } from '../../../src/core/trail-query.js';
import type { TrailRecord } from '../../../src/core/trail-record.js';
import { answerQuery } from '../../../src/flows/answer-query.js';
import { createSamplesSource } from '../../../src/outbound/event-sources/samples-source.js';
import { textsOf } from '../../helpers/block-texts.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';
import { anActor, aRecord } from '../../helpers/records.js';

const ruleIndex = (id: string): number => CIS_PACK.findIndex((r) => r.id === id);

/** A scan answer as answerScan folds one: each record with the pack rules (by id) it matched. */
function scanAnswer(
  hits: readonly { record: TrailRecord; rules: readonly string[] }[],
  extra: { query?: string; notes?: string[]; scanned?: number } = {},
): Answer {
  const builder = new AnswerBuilder({ events: 0, timeline: 500, listReads: false });
  const rules = new RuleHitsBuilder(CIS_PACK);
  for (let i = 0; i < (extra.scanned ?? 0); i += 1) builder.scanned(aRecord());
  for (const { record, rules: ids } of hits) {
    builder.scanned(record);
    for (const id of ids) rules.add(ruleIndex(id), record);
    if (ids.length > 0) builder.add(record);
  }
  const answer = builder.finish({
    query: extra.query ?? 'scan since 7d',
    source: 'lookup',
    window: { from: new Date('2026-11-13T12:00:00Z'), to: new Date('2026-11-20T12:00:00Z') },
    regions: ['us-east-1'],
    notes: extra.notes ?? [],
  });
  return { ...answer, events: rules.kept(), rules: rules.finish() };
}

const root = anActor({ display: 'root', type: 'Root', arn: 'arn:aws:iam::123456789012:root' });
const mallory = anActor({ display: 'mallory', arn: 'arn:aws:iam::123456789012:user/mallory' });

/** 3 of 15 rules hit: root activity (high, 3 events, 2 actors), security groups (medium, 2), denied calls (low, 5). */
function smallScan(): Answer {
  const hits: { record: TrailRecord; rules: string[] }[] = [
    ...[0, 1].map((m) => ({
      record: aRecord({
        eventTime: `2026-11-20T10:0${m * 2}:00Z`,
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        actor: root,
        sourceIp: '203.0.113.9',
        readOnly: false,
      }),
      rules: ['CloudWatch.1'],
    })),
    {
      record: aRecord({
        eventTime: '2026-11-19T08:00:00Z',
        eventName: 'CreateAccessKey',
        actor: anActor({ display: 'root-via-console', type: 'Root' }),
        readOnly: false,
      }),
      rules: ['CloudWatch.1'],
    },
    ...[0, 1].map((m) => ({
      record: aRecord({
        eventTime: `2026-11-18T0${m}:00:00Z`,
        eventName: 'AuthorizeSecurityGroupIngress',
        readOnly: false,
        resources: [{ type: 'AWS::EC2::SecurityGroup', name: `sg-0${m}` }],
        change: 'tcp 22 from 0.0.0.0/0 (the internet)',
      }),
      rules: ['CloudWatch.10'],
    })),
    ...[1, 2, 3, 4, 5].map((m) => ({
      record: aRecord({
        eventTime: `2026-11-17T1${m}:00:00Z`,
        eventName: 'ListBuckets',
        actor: mallory,
        errorCode: 'AccessDenied',
        errorMessage: 'not authorized',
      }),
      rules: ['CloudWatch.2'],
    })),
  ];
  return scanAnswer(hits, { scanned: 90 });
}

function sections(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text !== undefined ? [b.text.text] : []));
}

function contexts(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')) : []));
}

/** Our own date tokens are the only `<…>` a mrkdwn text may hold. */
const DATE_TOKEN = /<!date\^\d+\^\{[a-z_]+\}(?: \{time\})?\|[0-9: -]+UTC>/g;

describe('text', () => {
  const text = renderText(smallScan());
  const lines = text.split('\n');

  test('headline and the rules that hit, most severe first, each with its counts and last hit', () => {
    expect(lines[0]).toBe('scan since 7d · 3 of 15 rules hit · 10 events by 4 actors');
    const heads = lines.filter((l) => /^ {2}\[(HIGH|MEDIUM|LOW)\]/.test(l));
    expect(heads).toEqual([
      '  [HIGH] CloudWatch.1 Root user activity — 3 events, 2 actors, last 2026-11-20 10:02:00 UTC',
      '  [MEDIUM] CloudWatch.10 Security group changes — 2 events, 1 actor, last 2026-11-18 01:00:00 UTC',
      '  [LOW] CloudWatch.2 Unauthorized API calls — 5 events, 1 actor, last 2026-11-17 15:00:00 UTC',
    ]);
    expect(text).toContain('    by root ×2, root-via-console ×1\n');
  });

  test('each rule lists its newest 3 events as timeline lines, and says how many more', () => {
    const denied = lines.slice(lines.findIndex((l) => l.includes('[LOW] CloudWatch.2')));
    expect(denied.slice(3, 9)).toEqual([
      '    2026-11-17 15:00:00 UTC  ✗ ListBuckets  by mallory  from 198.51.100.7',
      '        AccessDenied: not authorized',
      '    2026-11-17 14:00:00 UTC  ✗ ListBuckets  by mallory  from 198.51.100.7',
      '        AccessDenied: not authorized',
      '    2026-11-17 13:00:00 UTC  ✗ ListBuckets  by mallory  from 198.51.100.7',
      '        AccessDenied: not authorized',
    ]);
    expect(denied[9]).toBe('    +2 more events');
    expect(text).toContain(
      '    2026-11-18 01:00:00 UTC    AuthorizeSecurityGroupIngress  sg-01  (tcp 22 from 0.0.0.0/0 (the internet))  by alice  from 198.51.100.7',
    );
  });

  test('the quiet rules on one line, after the rules that hit, in pack order', () => {
    const quiet = lines.filter((l) => l.startsWith('  No hits: '));
    expect(quiet).toHaveLength(1);
    expect(lines.indexOf(quiet[0] ?? '')).toBeGreaterThan(lines.findIndex((l) => l.includes('[LOW]')));
    const ids = CIS_PACK.map((r) => r.id).filter(
      (id) => !['CloudWatch.1', 'CloudWatch.2', 'CloudWatch.10'].includes(id),
    );
    expect(quiet[0]).toBe(
      `  No hits: ${ids.map((id) => `${id} ${CIS_PACK.find((r) => r.id === id)?.title}`).join(', ')}`,
    );
  });

  test('actors follow; no full event dump and no timeline repeating the rules', () => {
    expect(text).toContain('\nActors (4)\n');
    expect(text.indexOf('Actors (4)')).toBeGreaterThan(text.indexOf('No hits:'));
    expect(text).not.toContain('Events (newest first)');
    expect(text).not.toContain('Timeline');
    expect(text).not.toContain('event id');
  });

  test('a scan where nothing hit lists every rule as quiet', () => {
    const none = renderText(scanAnswer([], { scanned: 40 }));
    expect(none.split('\n')[0]).toBe('scan since 7d · 0 of 15 rules hit');
    expect(none).toContain('Rules (0 of 15 hit)');
    expect(none).toContain(`  No hits: ${CIS_PACK[0]?.id} ${CIS_PACK[0]?.title}, `);
    expect(none).not.toMatch(/\[(HIGH|MEDIUM|LOW)\]/);
  });
});

describe('Block Kit', () => {
  const answer = smallScan();
  const message = renderBlocks(answer);
  const texts = sections(message.blocks);

  test('within limits; the headline, then one section per rule that hit, most severe first', () => {
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: '/trail scan since 7d' } });
    expect(texts[0]).toBe('*3 of 15 rules hit · 10 events by 4 actors*');
    expect(message.text).toBe('/trail scan since 7d: 3 of 15 rules hit · 10 events by 4 actors');
    expect(texts.slice(1, 4).map((t) => t.split('\n')[0])).toEqual([
      ':red_circle: *Root user activity* · CloudWatch.1 · CIS 3.3 / 4.3',
      ':large_orange_circle: *Security group changes* · CloudWatch.10 · CIS 3.10 / 4.10',
      ':white_circle: *Unauthorized API calls* · CloudWatch.2 · CIS 3.1 / 4.1',
    ]);
  });

  test('a rule section: count, actors, last seen as a date token, the newest 3 events', () => {
    const rootRule = texts[1]?.split('\n') ?? [];
    expect(rootRule[1]).toBe(
      '*3 events* · 2 actors · last <!date^1795168920^{date_short_pretty} {time}|2026-11-20 10:02 UTC>',
    );
    expect(rootRule).toContain('by root ×2, root-via-console ×1');
    expect(rootRule).toContain(
      '_The root user can do anything and bypasses IAM; any use outside break-glass needs an owner._',
    );
    const denied = texts[3]?.split('\n') ?? [];
    const events = denied.filter((l) => l.startsWith('• '));
    expect(events).toHaveLength(3);
    expect(events[0]).toBe(
      '• <!date^1794927600^{date_short_pretty} {time}|2026-11-17 15:00 UTC> *ListBuckets* · mallory · 198.51.100.7 · :x: AccessDenied: not authorized',
    );
  });

  test('the quiet rules in one context block right after the rules; no event fields, no timeline', () => {
    const quiet = message.blocks[5];
    expect(quiet?.type).toBe('context');
    const line = contexts([quiet as KnownBlock])[0] ?? '';
    expect(line.startsWith('No hits: CloudWatch.3 Console sign-in without MFA · CloudWatch.4 IAM policy changes')).toBe(
      true,
    );
    expect(line.split(' · ')).toHaveLength(12);
    expect(message.blocks.some((b) => b.type === 'section' && b.fields !== undefined)).toBe(false);
    expect(JSON.stringify(message.blocks)).not.toContain('Timeline');
    // The busiest actors follow, at most 3.
    expect(texts.slice(4).filter((t) => t.includes(' · IAMUser · ') || t.includes(' · Root · '))).toHaveLength(3);
  });

  test('the answer buttons still go in before the closing context', () => {
    const m = answerMessage(answer, 'scan since 7d', { postToChannel: true, allEvents: true });
    expect(blockKitViolations(m)).toEqual([]);
    expect(m.blocks.at(-2)?.type).toBe('actions');
    expect(m.blocks.at(-1)?.type).toBe('context');
    expect(JSON.stringify(m.blocks.at(-2))).toContain('All events (10)');
  });
});

describe('JSON', () => {
  test('a scan answer carries every rule, counts equal to the events each matched', () => {
    const json = toAnswerJson(smallScan());
    expect(Object.keys(json)).toEqual([
      'query',
      'source',
      'window',
      'regions',
      'complete',
      'notes',
      'scanned',
      'matched',
      'events',
      'actors',
      'rules',
    ]);
    const rules = json.rules ?? [];
    expect(rules).toHaveLength(CIS_PACK.length);
    expect(rules.slice(0, 3).map((r) => [r.id, r.count])).toEqual([
      ['CloudWatch.1', 3],
      ['CloudWatch.10', 2],
      ['CloudWatch.2', 5],
    ]);
    expect(rules.slice(3).every((r) => r.count === 0 && r.span === null && r.eventIds.length === 0)).toBe(true);
    expect(rules.reduce((n, r) => n + r.count, 0)).toBe(json.matched);
    const ids = new Set(json.events.map((e) => e.eventId));
    for (const r of rules) for (const id of r.eventIds) expect(ids.has(id)).toBe(true);
    // Data stays data: one parse gives it back.
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test('other answers have no rules key', () => {
    const { rules: _, ...plain } = smallScan();
    expect('rules' in toAnswerJson(plain)).toBe(false);
  });
});

describe('hostile strings, every rule hit', () => {
  const HUGE = 'A'.repeat(10_000);
  const evil = (i: number): string =>
    `${HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]} ${HOSTILE_STRINGS[(i + 5) % HOSTILE_STRINGS.length]}${i % 4 === 0 ? HUGE : ''}`;
  const hits: { record: TrailRecord; rules: string[] }[] = [];
  CIS_PACK.forEach((rule, k) => {
    for (let i = 0; i < 14; i += 1) {
      const n = k * 14 + i;
      hits.push({
        record: aRecord({
          eventId: `${n}-${evil(n)}`,
          eventTime: `2026-11-${String(10 + (n % 10)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00Z`,
          eventName: evil(n + 1),
          actor: anActor({ display: evil(i), arn: evil(n + 3) }),
          sourceIp: evil(n + 4),
          errorCode: evil(n + 5),
          errorMessage: evil(n + 6),
          readOnly: false,
          resources: [{ type: null, name: evil(n + 7) }],
          transitions: i % 2 === 0 ? [{ resource: evil(n + 8), from: evil(n + 9), to: evil(n + 10) }] : [],
          change: evil(n + 11),
        }),
        rules: [rule.id],
      });
    }
  });
  const answer = scanAnswer(hits, {
    query: `scan since 7d ${HOSTILE_STRINGS[0]}`,
    notes: [`${HOSTILE_STRINGS[3]} ${HOSTILE_STRINGS[6]}: ${HUGE}`, HOSTILE_STRINGS[9] ?? ''],
  });
  // And a rule whose own words were hostile (the pack is ours, but the renderer does not lean on that).
  const rules = answer.rules ?? [];
  const forged: RuleHits[] = rules.map((r, i) =>
    i === 0 ? { ...r, title: `${HOSTILE_STRINGS[0]} ${HUGE}`, description: HOSTILE_STRINGS[6] ?? '' } : r,
  );
  const hostile: Answer = { ...answer, rules: forged };

  test('the answer: 15 of 15 rules hit, each with 10 actors kept', () => {
    expect(rules.filter((r) => r.count > 0)).toHaveLength(15);
    expect(rules.every((r) => r.actors.length === 10 && r.eventIds.length === 10)).toBe(true);
  });

  test.each([
    ['renderBlocks', () => renderBlocks(hostile)],
    ['answerMessage', () => answerMessage(hostile, 'scan since 7d', { postToChannel: true, allEvents: true })],
  ])('%s: within limits, every rule shown, nothing mentions or links', (_, render) => {
    const message = render();
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
    const ruleSections = sections(message.blocks).filter((t) => /^:(red|large_orange|white)_circle: /.test(t));
    expect(ruleSections).toHaveLength(15);
    for (const t of ruleSections) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
    for (const b of message.blocks) {
      if (b.type !== 'context') continue;
      expect(b.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
      for (const e of b.elements) expect('text' in e ? e.text.length : 0).toBeLessThanOrEqual(LIMITS.fieldText);
    }
    const texts = textsOf(message.blocks);
    for (const t of [...texts, { type: 'mrkdwn', text: message.text, verbatim: true }]) {
      if (t.type === 'plain_text') continue;
      expect(t.verbatim).toBe(true);
      const withoutDates = t.text.replace(DATE_TOKEN, '');
      expect(withoutDates).not.toMatch(/[<>]/);
      expect(withoutDates).not.toMatch(/<!channel>|<@U|<https?:/);
      expect(t.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    }
    // Escaped, not dropped: the hostile title is there as text.
    expect(ruleSections[0]).toContain('*&lt;!channel&gt; AAAA');
  });

  test('text: no escape sequences, no direction overrides, no 10 KB lines', () => {
    const text = renderText(hostile);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    expect(text).toContain('⟨U+001B⟩');
    expect(text).toContain('⟨U+202E⟩');
    const lines = text.split('\n');
    // The by-rule section keeps every line short; the older sections only keep them from being 10 KB.
    const rules = lines.slice(
      lines.indexOf('Rules (15 of 15 hit)'),
      lines.findIndex((l) => l.startsWith('Actors (')),
    );
    expect(rules.length).toBeGreaterThan(15 * 4);
    for (const line of rules) expect(line.length).toBeLessThan(1000);
    for (const line of lines) expect(line.length).toBeLessThan(5000);
    expect(text.match(/^ {2}\[(HIGH|MEDIUM|LOW)\] /gm)).toHaveLength(15);
    expect(text).toContain(', 10+ actors, last ');
    expect(text).not.toContain('No hits:');
  });

  test('JSON: valid, values stay data', () => {
    const back = JSON.parse(JSON.stringify(toAnswerJson(hostile))) as ReturnType<typeof toAnswerJson>;
    expect(back.rules?.[0]?.title.startsWith('<!channel>')).toBe(true);
    expect(back.rules?.reduce((n, r) => n + r.count, 0)).toBe(15 * 14);
  });
});

describe('the real flow: scan over the bundled samples', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const parse = (text: string): TrailQuery => {
    const parsed = parseTrailQuery(text);
    if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
    return parsed.query;
  };
  const scan = (): Promise<Answer> =>
    answerQuery({ source: createSamplesSource(), now }, parse('scan'), { events: 0, defaultRegions: null });

  test('rules with hits come first, most severe first; every rendering holds them', async () => {
    const answer = await scan();
    const rules = answer.rules ?? [];
    expect(rules).toHaveLength(CIS_PACK.length);
    const hit = rules.filter((r) => r.count > 0);
    expect(hit.length).toBeGreaterThan(3);
    expect(rules.slice(0, hit.length)).toEqual(hit);
    const rank = { high: 0, medium: 1, low: 2 };
    const ranks = hit.map((r) => rank[r.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    const text = renderText(answer);
    expect(text.split('\n')[0]).toMatch(
      new RegExp(`^scan · ${hit.length} of 15 rules hit · [\\d,]+ events by \\d+ actors$`),
    );
    const heads = text.split('\n').filter((l) => /^ {2}\[(HIGH|MEDIUM|LOW)\] /.test(l));
    expect(heads.map((l) => l.split(' ')[3])).toEqual(hit.map((r) => r.id));

    const message = answerMessage(answer, 'scan', { postToChannel: true, allEvents: true });
    expect(blockKitViolations(message)).toEqual([]);
    const ruleSections = sections(message.blocks).filter((t) => /^:(red|large_orange|white)_circle: /.test(t));
    expect(ruleSections.map((t) => t.split('\n')[0]?.split(' · ')[1])).toEqual(hit.map((r) => r.id));
    const quiet = message.blocks.find(
      (b): b is KnownBlock => b.type === 'context' && contexts([b])[0]?.startsWith('No hits:') === true,
    );
    for (const r of rules.slice(hit.length)) expect(contexts([quiet as KnownBlock])[0]).toContain(r.id);
    expect((message.blocks[1] as SectionBlock).text?.text).toBe(`*${text.split('\n')[0]?.slice('scan · '.length)}*`);
  });

  test('JSON: each rule counts exactly the events its pattern matches (checked with `match`)', async () => {
    const answer = await scan();
    const json = toAnswerJson(answer);
    expect(json.rules).toHaveLength(CIS_PACK.length);
    const scanQuery = parse('scan');
    for (const rule of json.rules ?? []) {
      const pattern = CIS_PACK.find((r) => r.id === rule.id)?.pattern ?? '';
      const match: TrailQuery = {
        ...scanQuery,
        text: `match ${pattern}`,
        verb: 'match',
        filters: { ...scanQuery.filters, pattern },
      };
      const alone = await answerQuery({ source: createSamplesSource(), now }, match, {
        events: Number.POSITIVE_INFINITY,
        defaultRegions: null,
      });
      expect([rule.id, rule.count]).toEqual([rule.id, alone.matched]);
      expect(rule.eventIds).toEqual(alone.events.slice(0, 10).map((e) => e.eventId));
    }
    const ids = new Set(json.events.map((e) => e.eventId));
    for (const rule of json.rules ?? []) for (const id of rule.eventIds) expect(ids.has(id)).toBe(true);
  });
});

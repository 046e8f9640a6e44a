/**
 * Snapshots of the three renderings over real records (the invictus-ir trail), plus the properties each
 * rendering must keep whatever the snapshot says: Block Kit limits, contract keys, newest-first order.
 */
import { describe, expect, test } from '@jest/globals';
import type { Answer } from '../../../src/core/answer.js';
import { AnswerBuilder } from '../../../src/core/answer-builder.js';
import { createRecordMatcher } from '../../../src/core/match-record.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import { renderBlocks } from '../../../src/core/render/render-blocks.js';
import { toAnswerJson } from '../../../src/core/render/render-json.js';
import { renderText } from '../../../src/core/render/render-text.js';
import { blockKitViolations, blockTextLength, LIMITS } from '../../../src/core/slack/block-kit-limits.js';
import { type CorpusName, loadCorpus } from '../../helpers/corpora.js';

function answer(text: string, corpus: CorpusName = 'invictus', events = Number.POSITIVE_INFINITY): Answer {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  const { query } = parsed;
  const builder = new AnswerBuilder({
    events: query.limit ?? events,
    timeline: 500,
    listReads: query.access === 'reads',
  });
  const matches = createRecordMatcher(query, { from: null, to: null, regions: null });
  for (const { record } of loadCorpus(corpus)) {
    const r = normalizeRecord(record);
    builder.scanned(r);
    if (matches(r)) builder.add(r);
  }
  return builder.finish({
    query: query.text,
    source: `corpus:${corpus}`,
    window: { from: null, to: null },
    regions: null,
    notes: [],
  });
}

describe('renderings of a resource history (who i-05c30218156bcc246)', () => {
  // As the CLI asks: text and blocks list no events (the summary says it all), JSON lists them all.
  const a = answer('who i-05c30218156bcc246', 'invictus', 0);
  const all = answer('who i-05c30218156bcc246', 'invictus', Number.POSITIVE_INFINITY);

  test('the answer: launched by bert-jan, then terminated', () => {
    expect(a.actors.map((x) => x.display)).toContain('bert-jan');
    const chain = a.transitions
      .find((h) => h.resource === 'i-05c30218156bcc246')
      ?.steps.map((s) => `${s.from}→${s.to}`);
    expect(chain).toEqual(['null→pending', 'running→shutting-down']);
  });

  test('text', () => {
    expect(renderText(a)).toMatchSnapshot();
  });

  test('json', () => {
    const json = toAnswerJson(all);
    expect(json.events).toHaveLength(all.matched);
    expect(json.events.map((e) => e.eventTime)).toEqual([...json.events.map((e) => e.eventTime)].sort().reverse());
    expect(json).toMatchSnapshot();
  });

  test('blocks', () => {
    const message = renderBlocks(a);
    expect(blockKitViolations(message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });
});

describe('renderings of a wide answer (every failed call in the trail)', () => {
  const a = answer('errors', 'invictus', 0);

  test('the answer counts every failure and lists the newest on the timeline', () => {
    expect(a.failures).toBe(a.matched);
    expect(a.failures).toBeGreaterThan(200);
  });

  test('text', () => {
    expect(renderText(a)).toMatchSnapshot();
  });

  test('blocks stay within limits with "+N more" instead of overflow', () => {
    const message = renderBlocks(a);
    expect(blockKitViolations(message)).toEqual([]);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
    expect(JSON.stringify(message.blocks)).toMatch(/\+[\d,]+ earlier timeline entries/);
    expect(message).toMatchSnapshot();
  });
});

describe('one event in full (id <EventId>)', () => {
  // A failed RunInstances by an assumed role: every detail row has something to say.
  const a = answer('id 2d893b1d-e8f2-499b-a558-cb927d9b48ea', 'invictus', 10);

  test('text lists every detail of the event', () => {
    const text = renderText(a);
    for (const label of [
      'event ',
      'time ',
      'actor ',
      'arn ',
      'from ',
      'account ',
      'access key',
      'MFA ',
      'result ',
      'changes ',
      'event id',
    ]) {
      expect(text).toContain(`  ${label}`);
    }
    expect(text).toContain('result     succeeded (write)');
    expect(text).toContain('changes    i-0dbc91f429e48eeed running → shutting-down');
    expect(text).toMatchSnapshot();
  });

  test('blocks carry the details as fields, in sections of at most 10, within limits', () => {
    const message = renderBlocks(a);
    expect(blockKitViolations(message)).toEqual([]);
    const fields = message.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []) : []));
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual(
      expect.arrayContaining(['*event*', '*time*', '*actor*', '*result*', '*changes*', '*event id*']),
    );
  });
});

describe('every corpus renders within limits', () => {
  test.each(['invictus', 'stratus', 'otrf', 'panther'] as const)('%s: user, event and error answers', (corpus) => {
    for (const q of ['errors', 'event ConsoleLogin', 'event AssumeRole', 'errors event RunInstances']) {
      const a = answer(q, corpus);
      expect(blockKitViolations(renderBlocks(a))).toEqual([]);
      expect(renderText(a).length).toBeGreaterThan(0);
    }
    // The busiest actor's own history.
    const busiest = answer('errors', corpus).actors[0]?.display;
    if (busiest !== undefined)
      expect(blockKitViolations(renderBlocks(answer(`user "${busiest}"`, corpus)))).toEqual([]);
  });
});

import { describe, expect, test } from '@jest/globals';
import { AnswerBuilder } from '../../../src/core/answer-builder.js';
import {
  ACTION_ALL_EVENTS,
  ACTION_POST_TO_CHANNEL,
  answerMessage,
  decodeButtonValue,
  encodeButtonValue,
  failedMessage,
  helpMessage,
  refusedMessage,
  usageMessage,
  withAskedBy,
} from '../../../src/core/render/answer-message.js';
import { CSV_COLUMNS, eventsToCsv } from '../../../src/core/render/events-csv.js';
import { blockKitViolations } from '../../../src/core/slack/block-kit-limits.js';
import { aRecord } from '../../helpers/records.js';

function answerOf(n: number) {
  const b = new AnswerBuilder({ events: 0, timeline: 100, listReads: false });
  for (let i = 0; i < n; i += 1) {
    const r = aRecord({ readOnly: false, eventName: 'StopInstances' });
    b.scanned(r);
    b.add(r);
  }
  return b.finish({
    query: 'who i-0abc',
    source: 'lookup',
    window: { from: null, to: null },
    regions: ['us-east-1'],
    notes: [],
  });
}

describe('answerMessage', () => {
  test('carries the buttons asked for, with the query, before the closing context', () => {
    const m = answerMessage(answerOf(3), 'who i-0abc', { postToChannel: true, allEvents: true });
    expect(blockKitViolations(m)).toEqual([]);
    const actions = m.blocks.find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements.map((e) => (e as { action_id: string }).action_id)).toEqual([
      ACTION_POST_TO_CHANNEL,
      ACTION_ALL_EVENTS,
    ]);
    expect(m.blocks.at(-1)?.type).toBe('context');
    const value = actions?.type === 'actions' ? (actions.elements[0] as { value: string }).value : undefined;
    expect(decodeButtonValue(value)).toEqual({ q: 'who i-0abc' });
  });

  test('no "All events" button on an empty answer; no buttons when none are asked for', () => {
    const empty = answerMessage(answerOf(0), 'who x', { postToChannel: true, allEvents: true });
    expect(JSON.stringify(empty)).not.toContain(ACTION_ALL_EVENTS);
    expect(
      answerMessage(answerOf(2), 'who x', { postToChannel: false, allEvents: false }).blocks.some(
        (b) => b.type === 'actions',
      ),
    ).toBe(false);
  });

  test('a query too long for a button value gets no buttons rather than a broken one', () => {
    expect(encodeButtonValue({ q: 'x'.repeat(2100) })).toBeNull();
    const m = answerMessage(answerOf(1), 'x'.repeat(2100), { postToChannel: true, allEvents: true });
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  test('forged button values decode to null', () => {
    for (const v of [undefined, '', 'not json', '{"x":1}', '{"q":5}', '[1]', 'x'.repeat(3000)])
      expect(decodeButtonValue(v)).toBeNull();
  });

  test('withAskedBy mentions only a real user id', () => {
    const m = answerMessage(answerOf(1), 'who x', { postToChannel: false, allEvents: false });
    expect(JSON.stringify(withAskedBy(m, 'U012ABC'))).toContain('Asked by <@U012ABC>');
    expect(withAskedBy(m, '<!channel>')).toEqual(m);
  });

  test('notices escape what they show', () => {
    const usage = usageMessage({ word: '<!here>', message: 'Unknown word <!here>.', example: 'who <@U1>' });
    expect(JSON.stringify(usage)).not.toMatch(/<!here>|<@U1>/);
    expect(blockKitViolations(usage)).toEqual([]);
    expect(JSON.stringify(failedMessage('<!channel> down'))).toContain('&lt;!channel&gt;');
  });
});

describe('eventsToCsv', () => {
  test('a header and one row per event, quoted where needed, formulas defused', () => {
    const csv = eventsToCsv([
      aRecord({
        eventName: '=HYPERLINK("http://evil")',
        errorMessage: 'a, "quoted"\nline',
        actor: { display: '+cmd', type: 'IAMUser', arn: null, session: null, via: null },
      }),
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).toContain(`'+cmd`);
    expect(csv).toContain('"a, ""quoted""\nline"');
    expect(lines.at(-1)).toBe('');
  });
});

describe('refusedMessage', () => {
  test("shows the operator's refusal as the mrkdwn it is (a channel link works), within limits", () => {
    const m = refusedMessage('Ask in <#C0123ABCD> or ask <!subteam^S0123ABCD>.');
    expect(JSON.stringify(m.blocks)).toContain('<#C0123ABCD>');
    expect(blockKitViolations(m)).toEqual([]);
  });
});

describe('helpMessage', () => {
  test('keeps the help a page of lines, each escaped, inside one code block', () => {
    const message = helpMessage('usage: who <thing>\n  since 2d\n`tick`');
    const section = message.blocks?.[0] as { text: { text: string } };
    expect(section.text.text).toBe("```usage: who &lt;thing&gt;\n  since 2d\n'tick'```");
  });
});

/**
 * A record written by an attacker (user names, error messages and parameters are theirs to choose) must not
 * mention, link, break Block Kit limits, or smuggle escape sequences into a terminal, in any rendering.
 */
import { describe, expect, test } from '@jest/globals';
import { AnswerBuilder } from '../../../src/core/answer-builder.js';
import { normalizeRecord } from '../../../src/core/normalize/normalize-record.js';
import { renderBlocks } from '../../../src/core/render/render-blocks.js';
import { toAnswerJson } from '../../../src/core/render/render-json.js';
import { renderText } from '../../../src/core/render/render-text.js';
import { blockKitViolations } from '../../../src/core/slack/block-kit-limits.js';
import { textsOf } from '../../helpers/block-texts.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';

const PAYLOADS = HOSTILE_STRINGS;
const HUGE = 'A'.repeat(10_000);

function evil(i: number): string {
  return `${PAYLOADS[i % PAYLOADS.length]} ${PAYLOADS[(i + 7) % PAYLOADS.length]} ${i % 3 === 0 ? HUGE : ''}`;
}

function hostileRecord(i: number): unknown {
  return {
    eventVersion: '1.08',
    eventID: `${i}-${evil(i)}`,
    eventTime: `2023-07-10T12:${String(i % 60).padStart(2, '0')}:00Z`,
    eventName: evil(i + 1),
    eventSource: evil(i + 2),
    awsRegion: evil(i + 3),
    sourceIPAddress: evil(i + 4),
    userAgent: evil(i + 5),
    errorCode: evil(i + 6),
    errorMessage: evil(i + 7),
    readOnly: false,
    userIdentity: {
      type: i % 2 === 0 ? 'IAMUser' : 'AssumedRole',
      userName: evil(i + 8),
      arn: `arn:aws:sts::123456789012:assumed-role/${evil(i + 9)}/${evil(i + 10)}`,
      principalId: evil(i + 11),
      accountId: '123456789012',
      sessionContext: { sessionIssuer: { type: 'Role', userName: evil(i + 12), arn: evil(i) } },
    },
    requestParameters: { instanceId: evil(i + 13), bucketName: evil(i + 14), groupId: evil(i) },
    responseElements: {
      instancesSet: {
        items: [{ instanceId: evil(i + 1), previousState: { name: evil(i + 2) }, currentState: { name: evil(i + 3) } }],
      },
    },
  };
}

function answerOf(count: number) {
  const builder = new AnswerBuilder({ events: Number.POSITIVE_INFINITY, timeline: 500, listReads: false });
  for (let i = 0; i < count; i += 1) {
    const r = normalizeRecord(hostileRecord(i));
    builder.scanned(r);
    builder.add(r);
  }
  return builder.finish({
    query: `who ${PAYLOADS[0]} ${PAYLOADS[6]}`,
    source: 'files:<!channel>',
    window: { from: null, to: null },
    regions: null,
    notes: [`${PAYLOADS[3]}: ${HUGE}`],
  });
}

describe.each([1, 5, 60])('%i hostile records', (count) => {
  const answer = answerOf(count);

  test('Block Kit: within limits, nothing mentions or links, every mrkdwn text is verbatim', () => {
    const message = renderBlocks(answer);
    expect(blockKitViolations(message)).toEqual([]);
    const texts = textsOf(message.blocks);
    expect(texts.length).toBeGreaterThan(2);
    for (const t of [...texts, { type: 'mrkdwn', text: message.text, verbatim: true }]) {
      if (t.type === 'mrkdwn') expect(t.verbatim).toBe(true);
      // plain_text (the header) is never parsed by Slack; mrkdwn is. In mrkdwn our own date tokens are the
      // only `<…>` allowed: with them removed no angle bracket may remain.
      if (t.type === 'plain_text') continue;
      const withoutDates = t.text.replace(
        /<!date\^\d+\^\{[a-z_]+\}(?: \{time\})?\|[0-9: -]+UTC>|<!date\^\d+\^\{time\}\|[0-9: -]+UTC>/g,
        '',
      );
      expect(withoutDates).not.toMatch(/[<>]/);
    }
    for (const t of texts) expect(t.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
  });

  test('text: no escape sequences, no direction overrides, no 10 KB lines', () => {
    const text = renderText(answer);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    if (count >= PAYLOADS.length) {
      // By now every payload has been an actor's name, which the text shows: made visible, not executed.
      expect(text).toContain('⟨U+001B⟩');
      expect(text).toContain('⟨U+202E⟩');
    }
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(1500);
  });

  test('JSON: valid, and values stay data', () => {
    const json = JSON.stringify(toAnswerJson(answer));
    const back = JSON.parse(json) as ReturnType<typeof toAnswerJson>;
    expect(back.events).toHaveLength(count);
    expect(back.events[0]?.eventName).toContain('<');
  });
});

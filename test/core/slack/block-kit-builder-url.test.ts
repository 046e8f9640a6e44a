/**
 * The Block Kit Builder link: the payload rides in the fragment as URI-encoded JSON and decodes back to the same
 * blocks; a message without blocks becomes one mrkdwn section; hostile text keeps the link on one line.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { blockKitBuilderUrl } from '../../../src/core/slack/block-kit-builder-url.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';

const PREFIX = 'https://app.slack.com/block-kit-builder/#';

function payloadOf(url: string): unknown {
  expect(url.startsWith(PREFIX)).toBe(true);
  const parsed = new URL(url);
  expect([parsed.origin, parsed.pathname]).toEqual(['https://app.slack.com', '/block-kit-builder/']);
  return JSON.parse(decodeURIComponent(parsed.hash.slice(1)));
}

describe('blockKitBuilderUrl', () => {
  test('the fragment decodes back to the same blocks', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Who changed i-0abc?', emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: '*bert-jan* &lt;ops&gt; 100% #1 ?a=b&c', verbatim: true } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'a', value: '{"q":"who x"}', text: { type: 'plain_text', text: 'Go' } },
        ],
      },
    ];
    expect(payloadOf(blockKitBuilderUrl({ text: 'fallback', blocks }))).toEqual({ blocks });
  });

  test('a message without blocks becomes one mrkdwn section with its text', () => {
    expect(payloadOf(blockKitBuilderUrl({ text: '*hi* there' }))).toEqual({
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi* there' } }],
    });
    expect(payloadOf(blockKitBuilderUrl({ text: 'x', blocks: [] }))).toEqual({
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }],
    });
    expect(payloadOf(blockKitBuilderUrl({}))).toEqual({ blocks: [] });
  });

  test('hostile text stays on one line and round-trips', () => {
    const hostile = [
      ...HOSTILE_STRINGS,
      'a\u2028b\u2029c',
      'lone \uD800 surrogate',
      '#fragment?query=1 space',
      '\u0000',
    ];
    for (const text of hostile) {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text } }];
      const url = blockKitBuilderUrl({ text, blocks });
      expect(url).toMatch(/^[\x21-\x7e]+$/);
      expect(url.indexOf('#')).toBe(PREFIX.length - 1);
      expect(payloadOf(url)).toEqual({ blocks });
    }
  });

  test('any JSON blocks: one printable line that decodes back to them', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.string(), (blocks, text) => {
        const url = blockKitBuilderUrl({ text, blocks });
        expect(url).toMatch(/^[\x21-\x7e]+$/);
        const expected =
          blocks.length > 0 ? blocks : text === '' ? [] : [{ type: 'section', text: { type: 'mrkdwn', text } }];
        expect(payloadOf(url)).toEqual(JSON.parse(JSON.stringify({ blocks: expected })));
      }),
      { numRuns: 300 },
    );
  });

  test('a value JSON cannot hold gives an empty payload rather than throwing', () => {
    const cyclic: Record<string, unknown> = { type: 'section' };
    cyclic.self = cyclic;
    expect(payloadOf(blockKitBuilderUrl({ blocks: [cyclic] }))).toEqual({ blocks: [] });
    expect(payloadOf(blockKitBuilderUrl({ blocks: [10n] }))).toEqual({ blocks: [] });
  });
});

import { describe, expect, test } from '@jest/globals';
import type { KnownBlock } from '@slack/types';
import { blockKitViolations, blockTextLength } from '../../../src/core/slack/block-kit-limits.js';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('blockKitViolations', () => {
  test('a small message is fine', () => {
    expect(blockKitViolations({ text: 'hi', blocks: [section('hello')] })).toEqual([]);
  });

  test.each([
    ['51 blocks', { text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) }, /blocks: 51 > 50/],
    ['a 3001-character section', { text: 'x', blocks: [section('a'.repeat(3001))] }, /text 3001 > 3000/],
    [
      'a 151-character header',
      { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      /header 151 > 150/,
    ],
    ['no fallback text', { text: '', blocks: [section('a')] }, /text: empty/],
    [
      'over 10,000 characters in all',
      { text: 'x', blocks: Array.from({ length: 4 }, () => section('a'.repeat(2600))) },
      /blocks text: 10400/,
    ],
    [
      '11 fields',
      {
        text: 'x',
        blocks: [
          { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        ] as KnownBlock[],
      },
      /11 fields > 10/,
    ],
  ])('%s is a violation', (_name, message, pattern) => {
    expect(blockKitViolations(message as { text: string; blocks: KnownBlock[] }).join('\n')).toMatch(pattern);
  });

  test('blockTextLength counts section, field and context texts', () => {
    expect(
      blockTextLength([
        section('abc'),
        { type: 'section', fields: [{ type: 'mrkdwn', text: 'de' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'f' }] },
      ]),
    ).toBe(6);
  });
});

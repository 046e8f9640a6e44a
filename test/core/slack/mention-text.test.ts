import { describe, expect, test } from '@jest/globals';
import { queryFromSlackText } from '../../../src/core/slack/mention-text.js';

describe('queryFromSlackText', () => {
  test.each([
    ['<@UBOT> who i-0abc since 2d', 'who i-0abc since 2d'],
    ['  <@UBOT>   user   alice ', 'user alice'],
    ['<@UBOT> who <http://my.bucket.com|my.bucket.com>', 'who my.bucket.com'],
    ['<@UBOT> who <https://example.com/x>', 'who https://example.com/x'],
    ['<@UBOT> user <mailto:a@example.com|a@example.com>', 'user a@example.com'],
    ['<@UBOT> user a&amp;b &lt;x&gt;', 'user a&b <x>'],
    ['<@UBOT> who <#C123|general>', 'who general'],
    ['who i-0abc <@UBOT>', 'who i-0abc'],
  ])('%j → %j', (input, expected) => {
    expect(queryFromSlackText(input, 'UBOT')).toBe(expected);
  });

  test('another user mentioned in the text keeps its readable form', () => {
    expect(queryFromSlackText('<@UBOT> user <@U999>', 'UBOT')).toBe('user @U999');
  });
});

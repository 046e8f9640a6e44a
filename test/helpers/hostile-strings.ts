/**
 * What an attacker can put in any CloudTrail or SNS field: Slack mentions and links, a fake date token, an already
 * escaped mention, terminal escapes, direction overrides and isolates, zero-width and line-breaking characters,
 * mrkdwn formatting and an emoji code. Hostile-input tests combine these with a 10 KB string.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '<!channel>',
  '<!here|here>',
  '<!everyone>',
  '<@U0123ABCD>',
  '<#C0123ABCD>',
  '<!subteam^S0123|@oncall>',
  '<https://evil.example/login|Click to re-authenticate>',
  '<!date^1688990885^{date}|fake date>',
  '&lt;!channel&gt;',
  '\u001b[2J\u001b[31mCLEARED',
  '\u202Eexe.txt',
  '\u2066isolate\u2069',
  'zero\u200bwidth',
  'new\nline\r\n',
  '*bold* _it_ ~strike~ `code` ```block```',
  ':rotating_light:',
];

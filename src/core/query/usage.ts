/**
 * The help text of the query language (`/trail help`, `trailbot help`, `trailbot --help`): plain text, one example
 * per verb and modifier. Sources are named only generically; the CLI adds its own flags below this text.
 * Every example here is a query the parser accepts (tested).
 */

export interface HelpExample {
  /** A complete query. */
  query: string;
  /** What it asks, in a few words. */
  meaning: string;
}

export const VERB_EXAMPLES: readonly HelpExample[] = [
  { query: 'who i-0abc123', meaning: 'what was done to a resource (id, name or ARN)' },
  { query: 'user alice', meaning: 'what a user, role or role session did' },
  { query: 'event StopInstances', meaning: 'who called an API, and when' },
  { query: 'errors', meaning: 'failed calls, with error code and message' },
  { query: 'errors user alice', meaning: '... narrowed by who, user, event, ip or key' },
  { query: 'ip 203.0.113.0/24', meaning: 'calls from an address or CIDR block (IPv4 or IPv6)' },
  { query: 'ip 203.0.113.7 user alice', meaning: '... narrowed by who, user or event' },
  { query: 'key AKIAIOSFODNN7EXAMPLE', meaning: 'what one access key did' },
  { query: 'id 3038ebd2-c98a-4c65-9b6e-e22506292313', meaning: 'one event in full' },
  { query: 'match { $.errorCode = "AccessDenied" }', meaning: 'events a CloudWatch Logs filter pattern matches' },
  { query: 'scan', meaning: 'the CIS monitoring pack, answered by rule' },
];

export const MODIFIER_EXAMPLES: readonly HelpExample[] = [
  { query: 'who i-0abc123 since 2h', meaning: 'the last 30m, 2h, 3d or 1w' },
  { query: 'who i-0abc123 from 2015-03-29', meaning: 'from that day (UTC) until now' },
  { query: 'who i-0abc from 2015-03-29 to 2015-03-30', meaning: 'both days in full (UTC)' },
  { query: 'who i-0abc from 2015-03-29T10:00+09:00', meaning: 'a time needs Z or an offset' },
  { query: 'errors in us-east-1,ap-northeast-1', meaning: 'these regions; in all: every region' },
  { query: 'user alice account 123456789012', meaning: 'one account, by id or alias' },
  { query: 'user alice writes', meaning: 'only changes; reads: only read-only calls' },
  { query: 'event RunInstances limit 20', meaning: 'list at most 20 events (up to 10000)' },
  { query: 'who i-0abc123 public', meaning: 'post in the channel, not only to you' },
];

/** The column where meanings start; a longer query puts its meaning on the next line. */
const COLUMN = 44;

function renderExample({ query, meaning }: HelpExample): string {
  return query.length + 3 <= COLUMN
    ? `  ${query.padEnd(COLUMN - 2)}${meaning}`
    : `  ${query}\n${' '.repeat(COLUMN)}${meaning}`;
}

export const HELP_TEXT: string = [
  'Ask CloudTrail who did what: <verb> <target> [modifiers]',
  'Verbs and modifiers are case-insensitive; targets are used exactly as typed.',
  '',
  'Verbs',
  ...VERB_EXAMPLES.map(renderExample),
  renderExample({ query: 'help', meaning: 'this text' }),
  '',
  'Modifiers (any order, after the target; each at most once)',
  ...MODIFIER_EXAMPLES.map(renderExample),
  '',
  'Without since or from: the last 24 hours from a live source, everything in log files.',
  'Live lookups reach back 90 days. Quote a name with spaces: who "my resource".',
].join('\n');

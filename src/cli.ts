#!/usr/bin/env node
/**
 * The terminal front: `trailbot <query…> [--source SPEC] [--json | --blocks] [--regions a,b] [--tz ZONE]`.
 * Exit 0 on an answer (an empty one too), 2 on a usage error, 1 on an upstream failure; the reason is one
 * line on stderr, never a stack trace. One of the two places that read process.env and wire adapters.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAccounts } from './config.js';
import { asTrailbotError, TrailbotError } from './core/errors.js';
import { parseFilterPattern } from './core/filter-pattern/filter-pattern.js';
import { type TestMetricFilterResult, testMetricFilter } from './core/filter-pattern/test-metric-filter.js';
import { parseTrailQuery } from './core/query/parse-trail-query.js';
import { joinArgs } from './core/query/tokenize.js';
import { renderBlocks } from './core/render/render-blocks.js';
import { toAnswerJson } from './core/render/render-json.js';
import { renderText } from './core/render/render-text.js';
import { blockKitBuilderUrl } from './core/slack/block-kit-builder-url.js';
import { isTimeZone } from './core/text/format-time.js';
import { cleanText } from './core/text/untrusted-text.js';
import { answerQuery } from './flows/answer-query.js';
import { serve } from './main.js';
import { hasAwsCredentials } from './outbound/aws-credentials.js';
import { openSource } from './outbound/event-sources/open-source.js';

const CLI_HELP = `Usage: trailbot <query…> [options]
       trailbot serve            run the Slack app (see README)
       trailbot help             the query language, with examples
       trailbot test-pattern '<filter pattern>'
                                 log events on stdin, one a line; prints the matches as
                                 AWS's TestMetricFilter does ({"matches":[…]})

Options:
  --source SPEC   where events come from: lookup (CloudTrail LookupEvents, the default where
                  AWS credentials and a region exist; with \`accounts:\` in TRAILBOT_CONFIG, every
                  account through its read-only role), samples (the bundled sample trail, the
                  default otherwise), files:PATH (a trail log file or folder: .json, .json.gz,
                  JSON lines, the output of \`aws cloudtrail lookup-events\`), or
                  athena:DB.TABLE[?workgroup=W&output=s3://…] (SQL over the organization trail's
                  table: past 90 days, every account; see the README)
  --json          print the answer as one JSON object (every matching event, newest first)
  --blocks        print the Slack message /trail would post ({text, blocks}); stderr gets a
                  link that opens it in Slack's Block Kit Builder
  --regions a,b   regions to read when the query has no \`in\` (else TRAILBOT_REGIONS, AWS_REGION)
  --tz ZONE       show times in an IANA zone (default UTC), e.g. --tz Asia/Tokyo
  -h, --help      this help; -v, --version the version

Examples:
  trailbot who i-0abc123 --source files:./AWSLogs
  trailbot errors since 2d --source samples --json
  trailbot match '{ $.errorCode = "AccessDenied*" }' since 7d --source samples
  trailbot scan --source samples            the CIS monitoring pack, answered by rule
  zcat trail.json.gz | jq -c '.Records[]' | trailbot test-pattern '{ $.eventName = "ConsoleLogin" }'

The argument after match is the pattern, as one shell word; put -- before a pattern that starts with -.`;

interface Io {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  /** Standard input, line by line (`test-pattern` reads log events from it). */
  stdinLines: () => AsyncIterable<string>;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** `lookup` where AWS credentials and a region are set, else the bundled samples (saying why when it matters). */
function defaultSource(io: Io, regions: readonly string[]): string {
  if (!hasAwsCredentials(io.env)) return 'samples';
  if (regions.length > 0) return 'lookup';
  io.stderr(
    'trailbot: AWS credentials but no region (set AWS_REGION or --regions): answering from the bundled samples\n',
  );
  return 'samples';
}

function usage(message: string): TrailbotError {
  return new TrailbotError('usage', message, 'user');
}

export async function runCli(io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(io.argv);
  } catch (error) {
    io.stderr(`trailbot: ${error instanceof Error ? error.message : String(error)} (see trailbot --help)\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (values.help === true || positionals.length === 0) {
    io.stdout(`${CLI_HELP}\n`);
    return 0;
  }
  if (positionals[0] === 'serve') return serve({ env: io.env, stdout: io.stdout, stderr: io.stderr });
  if (positionals[0] === 'test-pattern') return testPattern(io, positionals.slice(1));

  try {
    if (values.json === true && values.blocks === true) throw usage('--json and --blocks: choose one');
    const timeZone = values.tz ?? 'UTC';
    if (!isTimeZone(timeZone))
      throw usage(`--tz ${timeZone}: not a time zone; use an IANA name such as UTC or Asia/Tokyo`);
    const text = queryText(positionals);
    const result = parseTrailQuery(text);
    if (result.kind === 'help') {
      io.stdout(`${result.text}\n\n${CLI_HELP}\n`);
      return 0;
    }
    if (result.kind === 'error') {
      const { word, message, example } = result.error;
      const at = word === null || message.includes(word) ? '' : ` (at "${cleanText(word, 60)}")`;
      io.stderr(`trailbot: ${cleanText(message, 300)}${at} Try: trailbot ${cleanText(example, 300)}\n`);
      return 2;
    }
    const regions = (values.regions ?? io.env.TRAILBOT_REGIONS ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? '')
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter((r) => r !== '');
    const spec = values.source ?? defaultSource(io, regions);
    // LookupEvents reads the accounts map of TRAILBOT_CONFIG when there is one: every account, through its role.
    const accounts = spec === 'lookup' ? loadAccounts(io.env) : [];
    const source = await openSource(spec, { regions, accounts });
    const answer = await answerQuery({ source, now: io.now() }, result.query, {
      events: values.json === true ? Number.POSITIVE_INFINITY : 0,
      defaultRegions: regions.length > 0 ? regions : null,
    });
    if (values.json === true) io.stdout(`${JSON.stringify(toAnswerJson(answer))}\n`);
    else if (values.blocks === true) {
      const message = renderBlocks(answer);
      io.stdout(`${JSON.stringify(message, null, 2)}\n`);
      io.stderr(`Open in Block Kit Builder: ${blockKitBuilderUrl(message)}\n`);
    } else io.stdout(renderText(answer, { timeZone }));
    for (const note of answer.notes) io.stderr(`trailbot: warning: ${cleanText(note, 300)}\n`);
    return 0;
  } catch (error) {
    const e = asTrailbotError(error);
    io.stderr(`trailbot: ${cleanText(e.message, 500)}\n`);
    return e.fault === 'user' ? 2 : 1;
  }
}

/**
 * The query text from the command line. The shell has removed the user's quotes, so an argument with spaces is
 * quoted again; but the argument after `match` is a filter pattern, kept verbatim (its quotes are its own).
 */
function queryText(args: readonly string[]): string {
  const [verb, pattern, ...rest] = args;
  if (verb?.toLowerCase() !== 'match' || pattern === undefined) return joinArgs(args);
  return [verb, pattern, joinArgs(rest)].filter((part) => part !== '').join(' ');
}

/** `trailbot test-pattern '<pattern>'`: stdin's lines through the pattern, as TestMetricFilter answers. */
async function testPattern(io: Io, args: readonly string[]): Promise<number> {
  if (args.length !== 1 || args[0] === undefined) {
    io.stderr(
      `trailbot: test-pattern takes one argument, the pattern in quotes: trailbot test-pattern '{ $.eventName = "ConsoleLogin" }'\n`,
    );
    return 2;
  }
  const parsed = parseFilterPattern(args[0]);
  if (!parsed.ok) {
    io.stderr(`trailbot: invalid filter pattern: ${cleanText(parsed.error.message, 300)}\n`);
    return 2;
  }
  const messages: string[] = [];
  const matches: TestMetricFilterResult['matches'] = [];
  // Matched as they arrive, a bounded batch at a time: a day of trail on stdin keeps only its matches in memory.
  let number = 0;
  const flush = (): void => {
    for (const match of testMetricFilter(parsed.pattern, messages).matches) {
      matches.push({ ...match, eventNumber: match.eventNumber + number });
    }
    number += messages.length;
    messages.length = 0;
  };
  for await (const line of io.stdinLines()) {
    messages.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (messages.length >= 1000) flush();
  }
  flush();
  io.stdout(`${JSON.stringify({ matches })}\n`);
  return 0;
}

function parseCliArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      source: { type: 'string' },
      json: { type: 'boolean' },
      blocks: { type: 'boolean' },
      regions: { type: 'string' },
      tz: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// Run when executed as `trailbot` or `node dist/cli.js` (not when imported by tests).
if (invokedDirectly()) {
  // The AWS SDK warns on stderr about Node 20's end of life; the image ships Node 22, and stderr is for reasons.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0); // `trailbot … | head` closed the pipe: not an error.
  });
  runCli({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    now: () => new Date(),
    stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`trailbot: ${asTrailbotError(error).message}\n`);
      process.exitCode = 1;
    },
  );
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../src/cli.js';
import type { AnswerJson } from '../src/core/render/render-json.js';
import { blockKitViolations, type SlackMessage } from '../src/core/slack/block-kit-limits.js';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, stdin: readonly string[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    now: () => new Date('2023-07-11T00:00:00Z'),
    stdinLines: async function* () {
      yield* stdin;
    },
  });
  return { code, stdout, stderr };
}

function expectOneLineReason(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailbot-cli-'));
  const record = (id: string, name: string, time: string, extra: object = {}) => ({
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: name,
    eventSource: 'ec2.amazonaws.com',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.13.5 Python/3.11.4 Linux/5.15',
    userIdentity: {
      type: 'IAMUser',
      userName: 'carol',
      arn: 'arn:aws:iam::123456789012:user/carol',
      accountId: '123456789012',
    },
    requestParameters: { instancesSet: { items: [{ instanceId: 'i-0cli' }] } },
    responseElements: null,
    readOnly: false,
    recipientAccountId: '123456789012',
    ...extra,
  });
  writeFileSync(
    join(dir, 'trail.json'),
    JSON.stringify({
      Records: [
        record('e1', 'StopInstances', '2023-07-10T10:00:00Z', {
          responseElements: {
            instancesSet: {
              items: [
                {
                  instanceId: 'i-0cli',
                  previousState: { code: 16, name: 'running' },
                  currentState: { code: 64, name: 'stopping' },
                },
              ],
            },
          },
        }),
        record('e2', 'StartInstances', '2023-07-10T11:00:00Z', {
          errorCode: 'Client.UnauthorizedOperation',
          errorMessage: 'You are not authorized',
        }),
        record('e3', 'DescribeInstances', '2023-07-10T12:00:00Z', { readOnly: true }),
      ],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trailbot CLI', () => {
  test('answers a query over trail files as text', async () => {
    const r = await run(['who', 'i-0cli', '--source', `files:${dir}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('carol (IAMUser)');
    expect(r.stdout).toContain('i-0cli running → stopping');
    expect(r.stdout).toContain('Client.UnauthorizedOperation: You are not authorized');
    expect(r.stderr).toBe('');
  });

  test('--json prints the contract shape with every matching event, newest first', async () => {
    const r = await run(['who', 'i-0cli', '--source', `files:${dir}`, '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(Object.keys(answer)).toEqual(
      expect.arrayContaining(['query', 'window', 'regions', 'complete', 'scanned', 'events', 'actors']),
    );
    expect(answer.query).toBe('who i-0cli');
    expect(answer.window).toEqual({ from: null, to: null });
    expect(answer.regions).toEqual(['eu-west-1']);
    expect(answer.complete).toBe(true);
    expect(answer.scanned).toBe(3);
    expect(answer.events.map((e) => e.eventId)).toEqual(['e3', 'e2', 'e1']);
    expect(answer.actors[0]).toMatchObject({ display: 'carol', type: 'IAMUser', count: 3, sourceIps: ['203.0.113.9'] });
  });

  test('limit N lists the newest N', async () => {
    const r = await run(['who', 'i-0cli', 'limit', '1', '--source', `files:${dir}`, '--json']);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.events.map((e) => e.eventId)).toEqual(['e3']);
    expect(answer.matched).toBe(3);
  });

  test('since is relative to now, also over files, and its start is inclusive', async () => {
    const since = async (window: string) => {
      const r = await run(['who', 'i-0cli', 'since', window, '--source', `files:${dir}`, '--json']);
      return (JSON.parse(r.stdout) as AnswerJson).events.map((e) => e.eventId);
    };
    expect(await since('12h')).toEqual(['e3']);
    expect(await since('13h')).toEqual(['e3', 'e2']);
    expect(await since('30m')).toEqual([]);
  });

  test('--blocks prints a Slack message within Block Kit limits', async () => {
    const r = await run(['errors', '--source', `files:${dir}`, '--blocks']);
    expect(r.code).toBe(0);
    const message = JSON.parse(r.stdout) as SlackMessage;
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(message)).toContain('Client.UnauthorizedOperation');
  });

  test('--blocks adds one stderr line: a Block Kit Builder link to the same blocks', async () => {
    const r = await run(['errors', '--source', `files:${dir}`, '--blocks']);
    expect(r.code).toBe(0);
    const message = JSON.parse(r.stdout) as SlackMessage;
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const prefix = 'Open in Block Kit Builder: https://app.slack.com/block-kit-builder/#';
    expect(lines[0]?.startsWith(prefix)).toBe(true);
    const payload = JSON.parse(decodeURIComponent((lines[0] ?? '').slice(prefix.length))) as { blocks: unknown };
    expect(payload).toEqual({ blocks: message.blocks });
  });

  test('an empty answer exits 0', async () => {
    const r = await run(['who', 'i-nothing', '--source', `files:${dir}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No matching events');
  });

  test('a usage error exits 2 with one line naming the word and an example', async () => {
    const r = await run(['who', 'i-0cli', 'sinse', '2d', '--source', `files:${dir}`]);
    expect(r.code).toBe(2);
    expectOneLineReason(r.stderr);
    expect(r.stderr).toContain('`sinse`');
    expect(r.stderr).toContain('Try: trailbot who i-0cli since 2d');
    expect(r.stdout).toBe('');
  });

  test.each([
    [['who', 'x', '--bogus'], /--bogus/],
    [['who', 'x', '--source', 'files:/no/such/place'], /no such file or folder/],
    [['who', 'x', '--source', 'ftp://x'], /unknown source/],
    [['who', 'x', '--json', '--blocks'], /choose one/],
    [['who', 'x', '--tz', 'Mars/Olympus'], /not a time zone/],
  ])('%j exits 2 with one line', async (argv, pattern) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expectOneLineReason(r.stderr);
    expect(r.stderr).toMatch(pattern);
  });

  test('help prints the query language and the options', async () => {
    const r = await run(['help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/who/);
    expect(r.stdout).toContain('--source');
  });

  test('serve with half a Slack app says what it still needs (no credentials at all is local mode)', async () => {
    const r = await run(['serve'], { SLACK_SIGNING_SECRET: 'abc123' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN');
    expect(r.stderr).toContain('local mode');
  });

  test('--tz shows times in that zone', async () => {
    const r = await run(['who', 'i-0cli', '--source', `files:${dir}`, '--tz', 'Asia/Tokyo']);
    expect(r.stdout).toContain('2023-07-10 19:00:00 GMT+9');
  });

  test('the samples source answers offline', async () => {
    const r = await run(['who', 'i-05c30218156bcc246', '--source', 'samples', '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.events.map((e) => e.eventName)).toEqual(
      expect.arrayContaining(['RunInstances', 'TerminateInstances']),
    );
  });

  test('an unreadable file makes the answer partial, with a warning, and the rest is still read', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'trailbot-cli-bad-'));
    try {
      writeFileSync(
        join(bad, 'good.json'),
        JSON.stringify([{ eventID: 'g1', eventName: 'X', eventTime: '2023-07-10T00:00:00Z' }]),
      );
      writeFileSync(join(bad, 'broken.json.gz'), 'this is not gzip');
      const r = await run(['event', 'X', '--source', `files:${bad}`, '--json']);
      expect(r.code).toBe(0);
      const answer = JSON.parse(r.stdout) as AnswerJson;
      expect(answer.complete).toBe(false);
      expect(answer.events).toHaveLength(1);
      expect(r.stderr).toMatch(/warning: .*broken\.json\.gz/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe('trailbot test-pattern', () => {
  const lines = ['ERROR WARN message', 'ERROR message', 'WARN message'];

  test.each<[string, number[]]>([
    ['ERROR', [1, 2]],
    ['?ERROR ?WARN', [1, 2, 3]],
    ['ERROR WARN', [1]],
    ['ERROR -WARN', [2]],
  ])('%s over the documented three lines matches events %j, counted from 1', async (pattern, numbers) => {
    const r = await run(['test-pattern', pattern], {}, lines);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { matches: { eventNumber: number; eventMessage: string }[] };
    expect(out.matches.map((m) => m.eventNumber)).toEqual(numbers);
    expect(out.matches.map((m) => m.eventMessage)).toEqual(numbers.map((n) => lines[n - 1]));
  });

  test('JSON lines, with the extracted values of a space-delimited pattern', async () => {
    const events = [JSON.stringify({ eventName: 'ConsoleLogin', errorMessage: 'Failed authentication' }), 'not json'];
    const json = await run(['test-pattern', '{ $.errorMessage = "Failed*" }'], {}, events);
    expect(JSON.parse(json.stdout)).toEqual({
      matches: [{ eventNumber: 1, eventMessage: events[0], extractedValues: {} }],
    });
    const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
    const spaced = await run(
      ['test-pattern', '[ip, user, username, timestamp, request, status_code = 4*, bytes]'],
      {},
      [apache],
    );
    const [match] = (JSON.parse(spaced.stdout) as { matches: { extractedValues: Record<string, string> }[] }).matches;
    expect(match?.extractedValues).toMatchObject({ $ip: '127.0.0.1', $status_code: '404', $bytes: '1534' });
  });

  test('an invalid pattern exits 2 with one line saying where', async () => {
    const r = await run(['test-pattern', '{ $.eventName = }'], {}, ['{}']);
    expect(r.code).toBe(2);
    expectOneLineReason(r.stderr);
    expect(r.stderr).toMatch(/invalid filter pattern: .*column/);
    expect(r.stdout).toBe('');
  });

  test('no pattern, or two, exits 2', async () => {
    expect((await run(['test-pattern'])).code).toBe(2);
    expect((await run(['test-pattern', 'a', 'b'])).code).toBe(2);
  });
});

describe('trailbot match and scan', () => {
  test('match answers with the events its pattern matches', async () => {
    const pattern = '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.errorCode = "AccessDenied*") }';
    const r = await run(['match', pattern, '--source', 'samples', '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.query).toBe(`match ${pattern}`);
    expect(answer.events.length).toBeGreaterThan(2);
    for (const e of answer.events) {
      expect(e.eventName === 'AuthorizeSecurityGroupIngress' || e.errorCode?.startsWith('AccessDenied')).toBe(true);
    }
  });

  test('match with a broken pattern exits 2 with an example', async () => {
    const r = await run(['match', '{ $.eventName = ', 'since', '2d', '--source', 'samples']);
    expect(r.code).toBe(2);
    expectOneLineReason(r.stderr);
    expect(r.stderr).toMatch(/Try: trailbot match \{ \$\.errorCode = "AccessDenied\*" \}/);
  });

  test('scan answers by rule, every rule of the pack listed', async () => {
    const r = await run(['scan', '--source', 'samples', '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson & { rules: { id: string; count: number; eventIds: string[] }[] };
    expect(answer.rules).toHaveLength(15);
    const sg = answer.rules.find((rule) => rule.id === 'CloudWatch.10');
    expect(sg?.count).toBeGreaterThan(0);
    const ids = new Set(answer.events.map((e) => e.eventId));
    for (const rule of answer.rules) for (const id of rule.eventIds) expect(ids.has(id)).toBe(true);
  });
});

/**
 * `trailbot serve` while Slack cannot be reached or refuses the token. The bot's identity (auth.test) is asked at
 * start, three tries at most; a failure is logged with what to check (never the token) and asked again by the next
 * request, so commands work as soon as Slack is back, and a SIGTERM ends the process with code 0 instead of leaving
 * it alive behind half an hour of retries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/outbound/logger.js';
import { postToApp, slashCommandBody } from '../helpers/slack-requests.js';
import { spawnServe } from '../helpers/spawn-serve.js';
import { waitFor } from '../helpers/wait-for.js';
import { type SlackServer, startSlackServer } from '../loopback/slack-server.js';

const SECRET = 'unreachable-signing-secret';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailbot-unreachable-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Slack unreachable', () => {
  let resetting: Server;
  let connections = 0;

  beforeAll(async () => {
    resetting = createServer((socket) => {
      connections += 1;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => resetting.close(resolve));
  });

  test('the server stops on SIGTERM with code 0 after three tries of auth.test', async () => {
    const port = (resetting.address() as { port: number }).port;
    const serve = await spawnServe({
      HOME: dir,
      SLACK_BOT_TOKEN: 'xoxb-unreachable',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
      PORT: '0',
      TRAILBOT_STORE: `sqlite:${join(dir, 'spawned.db')}`,
    });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(connections).toBe(3);
  }, 30_000);
});

describe('Slack down at start, then back', () => {
  let slack: SlackServer;
  let server: RunningServer | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    slack = await startSlackServer();
  });

  afterAll(async () => {
    await server?.stop();
    await slack.close();
  });

  async function start(token: string): Promise<RunningServer> {
    server = await startServer(
      {
        HOME: dir,
        SLACK_BOT_TOKEN: token,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        TRAILBOT_STORE: `sqlite:${join(dir, `${token.slice(-8)}.db`)}`,
      },
      createLogger('info', { write: (line: string) => void logs.push(line) }),
    );
    return server;
  }

  test('says Slack cannot be reached, and answers a command once it is back', async () => {
    slack.setDown(true, 'reset');
    const running = await start(slack.token);
    await waitFor(() => logs.find((l) => l.includes('Slack could not be reached')), 'the warning', 15_000);
    slack.setDown(false);
    const responseUrl = slack.responseUrl({ channel: 'C0BACK', user: 'U0ALICE' });
    const body = slashCommandBody({ text: 'who i-05c30218156bcc246', response_url: responseUrl, channel_id: 'C0BACK' });
    const res = await postToApp(`http://127.0.0.1:${running.port}/slack/events`, body, { signingSecret: SECRET });
    expect(res.status).toBe(200);
    const answers = await waitFor(
      () => slack.responses(responseUrl).find((r) => JSON.stringify(r).includes('bert-jan')),
      'the answer',
      15_000,
    );
    expect(answers).toBeDefined();
    expect(logs.some((l) => l.includes('Slack knows the bot token'))).toBe(true);
    await running.stop();
    server = undefined;
  }, 40_000);

  test('a refused token is named as the problem, and the token is not logged', async () => {
    logs.length = 0;
    const token = 'xoxb-not-a-token-slack-knows';
    await start(token);
    const warning = await waitFor(() => logs.find((l) => l.includes('Slack refused')), 'the warning', 15_000);
    expect(warning).toContain('auth.test: invalid_auth');
    expect(logs.join('\n')).not.toContain(token);
  }, 30_000);
});

/**
 * Local mode: the whole bot on one machine before any Slack app exists (`npm start` without Slack credentials).
 * Only the chat side is swapped. A local Slack workspace (slack-server.ts, the Web API Trailbot's tests run
 * against, with Slack's limits) starts on its own loopback port with a fresh token and signing secret; the app
 * then runs exactly as in production (Bolt in HTTP mode, the outbox's Web API client, SNS verification, the flows,
 * core and store) pointed at it. The channel page (channel-page.ts) shows that workspace and sends what a person
 * would send through Slack; sample alarms are signed with a certificate made at startup (sns-signer.ts).
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Logger as PinoLogger } from 'pino';
import { type ChannelPage, createChannelPage, type PagePerson } from './channel-page.js';
import { loadSampleAlarms } from './sample-alarms.js';
import { type SlackServer, startSlackServer } from './slack-server.js';
import { createLocalSnsSigner, type LocalSnsSigner } from './sns-signer.js';

/** The local workspace's one channel, where the command box speaks and alerts go unless routed elsewhere. */
export const LOCAL_CHANNEL: PagePerson = { id: 'C0LOCAL0001', name: 'trailbot-local' };
const LOCAL_TEAM = { id: 'T0LOCAL0001', name: 'Local workspace' };
const LOCAL_USER_ID = 'U0LOCAL0001';

export interface LocalModeOptions {
  /** What answers questions, shown on the page (`samples`, `lookup`, …). */
  sourceLabel: string;
  /** The address the app listens on; anything but loopback turns the page's Host check off. */
  host: string;
  logger: PinoLogger;
}

export interface LocalMode {
  /** What the Bolt app and the outbox use instead of Slack's. */
  slack: { apiUrl: string; botToken: string; signingSecret: string };
  channel: PagePerson;
  signer: LocalSnsSigner;
  page: ChannelPage;
  workspace: SlackServer;
  close(): Promise<void>;
}

export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const botToken = `xoxb-local-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const user: PagePerson = { id: LOCAL_USER_ID, name: localUserName() };
  const [signer, samples] = await Promise.all([createLocalSnsSigner(), loadSampleAlarms()]);
  const workspace = await startSlackServer({
    token: botToken,
    teamId: LOCAL_TEAM.id,
    teamName: LOCAL_TEAM.name,
    users: { [user.id]: { name: user.name, real_name: user.name } },
    channelNames: { [LOCAL_CHANNEL.id]: LOCAL_CHANNEL.name },
  });
  const page = createChannelPage({
    workspace,
    signingSecret,
    channel: LOCAL_CHANNEL,
    user,
    signer,
    samples,
    sourceLabel: options.sourceLabel,
    loopbackOnly: isLoopback(options.host),
    logger: options.logger,
  });
  return {
    slack: { apiUrl: workspace.apiUrl, botToken, signingSecret },
    channel: LOCAL_CHANNEL,
    signer,
    page,
    workspace,
    close: async () => {
      page.close();
      await workspace.close();
    },
  };
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** The login name when it looks like one (the page labels the person at the keyboard), else "you". */
function localUserName(): string {
  try {
    const name = userInfo().username;
    return /^[\w.-]{1,40}$/.test(name) ? name : 'you';
  } catch {
    return 'you';
  }
}

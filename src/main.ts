/**
 * `trailbot serve`: the composition root of the server. Reads the environment once (loadConfig), builds the
 * adapters (store, event source, logger, Slack app) and starts them; SIGTERM/SIGINT stop it gracefully.
 */
import type { Logger as PinoLogger } from 'pino';
import { type Config, loadConfig } from './config.js';
import { asTrailbotError, TrailbotError } from './core/errors.js';
import { createGate } from './core/gate.js';
import type { AskTrailDeps } from './flows/ask-trail.js';
import { type RunningSlackApp, startSlackApp } from './inbound/slack/slack-app.js';
import { hasAwsCredentials } from './outbound/aws-credentials.js';
import { openSource } from './outbound/event-sources/open-source.js';
import { createLogger } from './outbound/logger.js';
import { createUserGroupLookup } from './outbound/slack/user-groups.js';
import { openStore } from './outbound/store/open-store.js';
import type { EventSource, Store } from './ports.js';

/** Questions answered at once; more wait in order (see core/gate.ts). */
const QUESTIONS_AT_ONCE = 4;

export interface ServeIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** The live source where AWS credentials exist, else the bundled samples (said plainly in the log). */
async function chooseSource(config: Config, env: NodeJS.ProcessEnv, logger: PinoLogger): Promise<EventSource> {
  if (hasAwsCredentials(env)) {
    const regions = config.regions.length > 0 ? config.regions : ['us-east-1'];
    if (config.regions.length === 0) logger.warn({}, 'no TRAILBOT_REGIONS or AWS_REGION: asking us-east-1 only');
    return openSource('lookup', { regions });
  }
  logger.warn({}, 'no AWS credentials: answering from the bundled sample trail (set AWS_PROFILE or AWS_* to go live)');
  return openSource('samples');
}

/** Starts the server from the environment; throws a TrailbotError that says what to set when it cannot. */
export async function startServer(env: NodeJS.ProcessEnv, logger?: PinoLogger): Promise<RunningServer> {
  const config = loadConfig(env);
  const log = logger ?? createLogger(config.logLevel);
  const { slack } = config;
  if (slack.mode === 'none') {
    throw new TrailbotError(
      'usage',
      [
        'no Slack credentials. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode)',
        'or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); see README.md. Meanwhile, ask in the terminal:',
        '  npx trailbot who i-05c30218156bcc246 --source samples',
      ].join('\n'),
      'user',
    );
  }
  const store: Store = await openStore(config.store);
  const source = await chooseSource(config, env, log);
  // The allowlist's user groups are read through the app's Web API client, which exists once the app does.
  let groupsOf: (userId: string) => Promise<readonly string[]> = async () => [];
  let app: RunningSlackApp | undefined;
  try {
    const ask: AskTrailDeps = {
      source,
      store,
      clock: () => new Date(),
      access: config.access,
      // Set once the app (and its Web API client) exists; asked only when the allowlist names groups.
      userGroupsOf: (userId) => groupsOf(userId),
      defaultRegions: config.regions.length > 0 ? config.regions : null,
      logger: log,
      gate: createGate(QUESTIONS_AT_ONCE),
    };
    app = await startSlackApp({
      connection:
        slack.mode === 'http'
          ? { mode: 'http', botToken: slack.botToken, signingSecret: slack.signingSecret }
          : { mode: 'socket', botToken: slack.botToken, appToken: slack.appToken },
      apiUrl: slack.apiUrl,
      port: config.port,
      logger: log,
      deps: { ask },
    });
    groupsOf = createUserGroupLookup(app.app.client, config.access.userGroups ?? []);
    const running = app;
    log.info({ source: source.label, store: config.store.split(':')[0], regions: config.regions }, 'trailbot serving');
    return {
      port: running.port,
      stop: async () => {
        await running.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function serve(io: ServeIo): Promise<number> {
  let server: RunningServer;
  try {
    server = await startServer(io.env);
  } catch (error) {
    const e = asTrailbotError(error);
    io.stderr(`trailbot serve: ${e.message}\n`);
    return e.fault === 'upstream' ? 1 : 2;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.stderr(`trailbot serve: ${signal}, stopping\n`);
      server.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

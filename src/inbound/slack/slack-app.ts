/**
 * The Bolt app: HTTP mode (signing secret; Slack posts to /slack/events) or Socket Mode (app token), the Web
 * API client pointed at SLACK_API_URL, our listeners, and extra HTTP routes (GET /healthz, later POST /sns)
 * on the same server. Errors are logged, never shown to Slack users as stack traces.
 */
import type { AddressInfo } from 'node:net';
import { App, type CustomRoute, webApi } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import { boltLogger } from '../../outbound/logger.js';
import { createBotAuthorization } from './bot-authorization.js';
import { registerListeners } from './register.js';
import type { SlackDeps } from './slack-deps.js';

export type SlackConnection =
  | { mode: 'http'; botToken: string; signingSecret: string }
  | { mode: 'socket'; botToken: string; appToken: string };

export interface SlackAppOptions {
  connection: SlackConnection;
  /** Web API base URL, ending in `/`. */
  apiUrl: string;
  /** HTTP port (0: any free port). */
  port: number;
  /** Address to listen on (HTTP mode; default every interface). */
  host?: string;
  logger: PinoLogger;
  deps: SlackDeps;
  routes?: CustomRoute[];
}

export interface RunningSlackApp {
  /** The HTTP port actually listened on. */
  port: number;
  app: App;
  /** The Web API client with the bot token, for calls outside a listener (user groups). */
  client: webApi.WebClient;
  stop(): Promise<void>;
}

export const HEALTH_ROUTE: CustomRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  },
};

/**
 * The listeners' own Web API calls (auth.test at start, views.open, an answer posted for a mention, a file upload)
 * are tried three times, 1 s then 2 s apart, and then fail: the Web API client's default keeps retrying for about
 * half an hour, which holds a listener (a trigger_id lasts 3 s), can post a stale answer many minutes late, and keeps
 * a stopped server's process alive when Slack is unreachable. Cards and replies go through the outbox, which has its
 * own retries.
 */
export const LISTENER_CALL_RETRIES = { retries: 2, factor: 2, minTimeout: 1000, randomize: false } as const;

export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { connection, logger } = options;
  const customRoutes = [HEALTH_ROUTE, ...(options.routes ?? [])];
  const slackLogger = boltLogger(logger);
  const clientOptions = { slackApiUrl: options.apiUrl, retryConfig: LISTENER_CALL_RETRIES, logger: slackLogger };
  const client = new webApi.WebClient(connection.botToken, clientOptions);
  const authorize = createBotAuthorization(client, connection.botToken, options.apiUrl, logger);
  const common = { authorize, logger: slackLogger, clientOptions, customRoutes };
  const app =
    connection.mode === 'http'
      ? new App({ ...common, signingSecret: connection.signingSecret })
      : new App({
          ...common,
          appToken: connection.appToken,
          socketMode: true,
          installerOptions: { port: options.port },
        });
  registerListeners(app, options.deps);
  app.error(async (error) => {
    logger.error({ code: (error as { code?: string }).code, err: error.message }, 'slack listener failed');
  });
  const listen =
    connection.mode === 'http' && options.host !== undefined
      ? { port: options.port, host: options.host }
      : options.port;
  const started = (await app.start(listen)) as unknown;
  const address = (started as { address?: () => AddressInfo | string | null })?.address?.();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  logger.info({ mode: connection.mode, port }, 'trailbot is listening');
  return { port, app, client, stop: () => app.stop() as Promise<void> };
}

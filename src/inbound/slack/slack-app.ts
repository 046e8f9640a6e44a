/**
 * The Bolt app: HTTP mode (signing secret; Slack posts to /slack/events) or Socket Mode (app token), the Web
 * API client pointed at SLACK_API_URL, our listeners, and extra HTTP routes (GET /healthz, later POST /sns)
 * on the same server. Errors are logged, never shown to Slack users as stack traces.
 */
import type { AddressInfo } from 'node:net';
import { App, type CustomRoute } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import { boltLogger } from '../../outbound/logger.js';
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

export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { connection, logger } = options;
  const customRoutes = [HEALTH_ROUTE, ...(options.routes ?? [])];
  const common = {
    token: connection.botToken,
    logger: boltLogger(logger),
    clientOptions: { slackApiUrl: options.apiUrl },
    customRoutes,
  };
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
  return { port, app, stop: () => app.stop() as Promise<void> };
}

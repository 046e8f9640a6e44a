/** Loggers that say nothing, for tests and benchmarks that check behaviour, not logs. */
import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../src/ports.js';

const noop = (): void => undefined;

/** Our Logger port. */
export const quietLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** The Slack SDK's logger (WebClient, Bolt). */
export const quietSlackLogger: SlackLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  setLevel: noop,
  getLevel: () => LogLevel.ERROR,
  setName: noop,
};

/**
 * JSON logs through pino, with tokens, secrets and credentials redacted wherever they appear in the fields,
 * and an adapter so Bolt (and the Web API client inside it) log through the same logger.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

const REDACTED_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'cookie',
];

export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k.toLowerCase()}`]);
  const options = { level, base: { app: 'trailbot' }, redact: { paths, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

function line(parts: unknown[]): string {
  return parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
}

/** Bolt's logger interface over pino; Bolt's messages carry no secrets we pass it, and pino redacts fields anyway. */
export function boltLogger(log: PinoLogger): SlackLogger {
  let name = 'bolt';
  return {
    debug: (...msg: unknown[]) => log.debug({ from: name }, line(msg)),
    info: (...msg: unknown[]) => log.info({ from: name }, line(msg)),
    warn: (...msg: unknown[]) => log.warn({ from: name }, line(msg)),
    error: (...msg: unknown[]) => log.error({ from: name }, line(msg)),
    setLevel: (level: LogLevel) => {
      log.level = level;
    },
    getLevel: () =>
      (Object.values(LogLevel) as string[]).includes(log.level) ? (log.level as LogLevel) : LogLevel.INFO,
    setName: (n: string) => {
      name = n;
    },
  };
}

/**
 * The environment the loopback alert tests start `trailbot serve` with (startServer): home, store and config in
 * `dir`, the loopback Slack, any free port, alerts to `channel` from `topic`, SNS certificates served on loopback.
 */
import { join } from 'node:path';
import { LOOPBACK_CERT_URL_PATTERN } from '../loopback/sns-signer.js';

export interface AlertServerEnvOptions {
  /** The test's temporary directory: HOME, the SQLite store and trailbot.yml. */
  dir: string;
  /** The loopback Slack. */
  slack: { token: string; apiUrl: string };
  /** The Slack signing secret. */
  secret: string;
  /** TRAILBOT_ALERT_CHANNEL */
  channel: string;
  /** TRAILBOT_SNS_TOPICS */
  topic: string;
  /** More variables (they win over the ones above). */
  extra?: Readonly<Record<string, string>>;
}

export function alertServerEnv({
  dir,
  slack,
  secret,
  channel,
  topic,
  extra,
}: AlertServerEnvOptions): NodeJS.ProcessEnv {
  return {
    HOME: dir,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    TRAILBOT_STORE: `sqlite:${join(dir, 'trailbot.db')}`,
    TRAILBOT_CONFIG: join(dir, 'trailbot.yml'),
    TRAILBOT_ALERT_CHANNEL: channel,
    TRAILBOT_SNS_TOPICS: topic,
    TRAILBOT_SNS_CERT_URL_PATTERN: LOOPBACK_CERT_URL_PATTERN.source,
    ...extra,
  };
}

/**
 * Which bot the token belongs to (auth.test), asked at start and remembered once answered. Bolt's own way with a
 * single token asks once and keeps the failure for the life of the process: a Slack outage at start-up then broke
 * every later command and button, and an unanswered auth.test with no request waiting on it crashed the process
 * (an unhandled rejection). Here a failure is logged with what to check, and asked again by the next request.
 */
import type { Authorize, AuthorizeResult, webApi } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';

type WebClient = webApi.WebClient;

interface BotIdentity {
  botUserId: string;
  botId: string;
}

/** Why auth.test failed, in words that say what to check; never the token. */
function failureWords(error: unknown, apiUrl: string): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === 'string') {
    return `Slack refused SLACK_BOT_TOKEN (auth.test: ${data.error}): check the token and that the app is installed`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Slack could not be reached at ${apiUrl} (${message}): commands and buttons fail until it answers; alerts wait in the outbox`;
}

export function createBotAuthorization(
  client: WebClient,
  botToken: string,
  apiUrl: string,
  logger: PinoLogger,
): Authorize<boolean> {
  let identity: Promise<BotIdentity> | null = null;

  const ask = (): Promise<BotIdentity> => {
    const asked = client.auth.test({ token: botToken }).then((result) => {
      if (typeof result.user_id !== 'string' || typeof result.bot_id !== 'string') {
        throw new Error('auth.test did not name a bot user: SLACK_BOT_TOKEN must be a bot token (xoxb-)');
      }
      return { botUserId: result.user_id, botId: result.bot_id };
    });
    identity = asked;
    asked.then(
      (bot) => logger.info({ botUserId: bot.botUserId }, 'Slack knows the bot token'),
      (error: unknown) => {
        if (identity === asked) identity = null;
        logger.warn({}, failureWords(error, apiUrl));
      },
    );
    return asked;
  };

  // Asked at start so the log says at once whether Slack knows the token; `ask` has handled a failure already.
  void ask();
  return async (): Promise<AuthorizeResult> => ({ botToken, ...(await (identity ?? ask())) });
}

/**
 * `@trailbot <query>` in a channel or thread: the answer goes into that thread (starting one under the mention
 * where there is none). Refusals, usage errors and failures go only to the asker, as ephemeral messages.
 */
import type { App } from '@slack/bolt';
import { queryFromSlackText } from '../../core/slack/mention-text.js';
import { askTrail } from '../../flows/ask-trail.js';
import { isPrivateOnly, messageFor } from './respond-outcome.js';
import type { SlackDeps } from './slack-deps.js';

export function registerAppMention(app: App, deps: SlackDeps): void {
  app.event('app_mention', async ({ event, client, context, logger }) => {
    const userId = event.user;
    if (userId === undefined) return; // A mention by a bot or integration: nobody to answer.
    const text = queryFromSlackText(event.text, context.botUserId ?? null);
    const threadTs = event.thread_ts ?? event.ts;
    const outcome = await askTrail(
      deps.ask,
      { surface: 'mention', teamId: event.team ?? context.teamId ?? null, userId, channelId: event.channel },
      text,
      { events: 0 },
    );
    const message = messageFor(outcome, text, { postToChannel: false, allEvents: true });
    try {
      if (isPrivateOnly(outcome)) {
        await client.chat.postEphemeral({ channel: event.channel, user: userId, thread_ts: threadTs, ...message });
      } else {
        await client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, ...message });
      }
    } catch (error) {
      logger.error(`@trailbot answer not delivered: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

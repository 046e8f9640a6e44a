/**
 * `/trail <query>`: ack at once with "looking…" (Slack allows 3 s), then answer through response_url:
 * privately, replacing the "looking…" note, or in the channel when the query says `public`.
 */
import type { App } from '@slack/bolt';
import { lookingMessage } from '../../core/render/answer-message.js';
import { queryFromSlackText } from '../../core/slack/mention-text.js';
import { askTrail } from '../../flows/ask-trail.js';
import { messageFor } from './respond-outcome.js';
import type { SlackDeps } from './slack-deps.js';

export function registerTrailCommand(app: App, deps: SlackDeps): void {
  app.command('/trail', async ({ command, ack, respond, logger }) => {
    const text = queryFromSlackText(command.text, null);
    await ack({ response_type: 'ephemeral', ...lookingMessage(text) });
    const outcome = await askTrail(
      deps.ask,
      { surface: 'slash', teamId: command.team_id, userId: command.user_id, channelId: command.channel_id },
      text,
      { events: 0 },
    );
    const isPublic = outcome.kind === 'answer' && outcome.query.public;
    const message = messageFor(outcome, text, { postToChannel: !isPublic, allEvents: true });
    try {
      if (isPublic) {
        await respond({ delete_original: true });
        await respond({ response_type: 'in_channel', ...message });
      } else {
        await respond({ response_type: 'ephemeral', replace_original: true, ...message });
      }
    } catch (error) {
      logger.error(`/trail answer not delivered: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

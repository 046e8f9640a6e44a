/**
 * The buttons on an answer. Each re-runs the query it carries (fresh data, audited as a `button` question):
 * - Post to channel: posts the answer in the channel, with who asked, and removes the private copy.
 * - All events: uploads every matching event as CSV and JSON into the answer's thread, or to the asker's DM
 *   when the answer was private (a file in the channel would show it to everyone).
 */
import type { App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Answer } from '../../core/answer.js';
import {
  ACTION_ALL_EVENTS,
  ACTION_POST_TO_CHANNEL,
  answerMessage,
  decodeButtonValue,
  failedMessage,
  withAskedBy,
} from '../../core/render/answer-message.js';
import { eventsToCsv } from '../../core/render/events-csv.js';
import { toAnswerJson } from '../../core/render/render-json.js';
import { untrusted } from '../../core/text/slack-mrkdwn.js';
import { askTrail } from '../../flows/ask-trail.js';
import { messageFor } from './respond-outcome.js';
import type { SlackDeps } from './slack-deps.js';

/** The most events one "All events" upload holds (the newest); the comment says when there were more. */
export const MAX_EXPORTED_EVENTS = 50_000;

const STALE = 'this button no longer carries a query; ask again with /trail';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Respond = SlackActionMiddlewareArgs<BlockAction<ButtonAction>>['respond'];

/**
 * What both buttons do first: read the query the button carries and ask it again (audited as a button
 * question), keeping `events` events. A stale or forged value, a refusal or a failure is answered here,
 * privately, and gives null.
 */
async function askAgain(
  deps: SlackDeps,
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
  respond: Respond,
  events: number,
): Promise<{ answer: Answer; query: string; channelId: string } | null> {
  const value = decodeButtonValue(action.value);
  const channelId = body.channel?.id ?? body.container.channel_id;
  if (value === null || channelId === undefined) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...failedMessage(STALE) });
    return null;
  }
  const asker = { surface: 'button' as const, teamId: body.team?.id ?? null, userId: body.user.id, channelId };
  const outcome = await askTrail(deps.ask, asker, value.q, { events });
  if (outcome.kind !== 'answer') {
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...messageFor(outcome, value.q, { postToChannel: false, allEvents: false }),
    });
    return null;
  }
  return { answer: outcome.answer, query: value.q, channelId };
}

export function registerAnswerButtons(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    ACTION_POST_TO_CHANNEL,
    async ({ ack, body, action, respond, client, logger }) => {
      await ack();
      const rerun = await askAgain(deps, body, action, respond, 0);
      if (rerun === null) return;
      const { answer, query, channelId } = rerun;
      const message = withAskedBy(
        answerMessage(answer, query, { postToChannel: false, allEvents: true }),
        body.user.id,
      );
      try {
        await client.chat.postMessage({ channel: channelId, ...message });
        await respond({ delete_original: true });
      } catch (error) {
        logger.error(`post to channel failed: ${errorText(error)}`);
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...failedMessage('Slack did not take the message (is Trailbot in this channel? /invite @trailbot)'),
        });
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(ACTION_ALL_EVENTS, async ({ ack, body, action, respond, client, logger }) => {
    await ack();
    const rerun = await askAgain(deps, body, action, respond, MAX_EXPORTED_EVENTS);
    if (rerun === null) return;
    const { answer, query, channelId } = rerun;
    const listed = answer.events.length;
    const comment =
      `All ${listed.toLocaleString('en-US')} events for \`${untrusted(query, 200)}\`` +
      (listed < answer.matched
        ? ` (the newest ${listed.toLocaleString('en-US')} of ${answer.matched.toLocaleString('en-US')})`
        : '') +
      (answer.complete ? '' : ' · partial answer: see the notes in the JSON');
    try {
      const isPrivate = body.container.is_ephemeral === true || body.message === undefined;
      let target: { channel_id: string; thread_ts?: string };
      if (isPrivate) {
        const dm = await client.conversations.open({ users: body.user.id });
        const dmId = dm.channel?.id;
        if (dmId === undefined) throw new Error('conversations.open returned no channel');
        target = { channel_id: dmId };
      } else {
        const threadTs = body.message?.thread_ts ?? body.message?.ts;
        target = threadTs === undefined ? { channel_id: channelId } : { channel_id: channelId, thread_ts: threadTs };
      }
      await client.files.uploadV2({
        ...target,
        initial_comment: comment,
        file_uploads: [
          { file: Buffer.from(eventsToCsv(answer.events)), filename: 'trailbot-events.csv', title: 'Events (CSV)' },
          {
            file: Buffer.from(JSON.stringify(toAnswerJson(answer), null, 2)),
            filename: 'trailbot-events.json',
            title: 'Events (JSON)',
          },
        ],
      });
      if (isPrivate) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'Sent you the events as a direct message (CSV and JSON).',
        });
      }
    } catch (error) {
      logger.error(`all events upload failed: ${errorText(error)}`);
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...failedMessage('the upload to Slack failed; try again in a minute'),
      });
    }
  });
}

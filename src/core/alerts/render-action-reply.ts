/** The thread reply a button press leaves: who did what, and until when for a snooze. */
import type { SlackMessage } from '../slack/block-kit-limits.js';
import { slackDate } from '../text/slack-mrkdwn.js';
import type { IncidentAction } from './incident-state.js';

const WORDS: Record<IncidentAction, [emoji: string, verb: string]> = {
  acknowledge: [':eyes:', 'Acknowledged'],
  'snooze-1h': [':zzz:', 'Snoozed for 1 hour'],
  'snooze-24h': [':zzz:', 'Snoozed for 24 hours'],
  resolve: [':white_check_mark:', 'Resolved'],
};

export function renderActionReply(action: IncidentAction, userId: string, snoozedUntil: Date | null): SlackMessage {
  const [emoji, verb] = WORDS[action];
  // The id comes from Slack's payload; only a real user id becomes a mention.
  const who = /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : 'someone';
  const until =
    snoozedUntil === null ? '' : ` (new alerts stay in this thread until ${slackDate(snoozedUntil.toISOString())})`;
  const text = `${emoji} ${verb} by ${who}${until}`;
  return { text: `${verb}`, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] }] };
}

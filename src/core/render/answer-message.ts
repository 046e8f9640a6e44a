/**
 * What /trail and @trailbot post: the answer's Block Kit rendering plus its buttons, and the short notices
 * (looking, usage error, refusal, failure) that stand in for an answer. Pure: every string in is untrusted.
 */
import type { ActionsBlock, Button } from '@slack/types';
import type { Answer } from '../answer.js';
import { LIMITS, type SlackMessage } from '../slack/block-kit-limits.js';
import { untrusted } from '../text/slack-mrkdwn.js';
import { capText, cleanText } from '../text/untrusted-text.js';
import type { UsageError } from '../trail-query.js';
import { renderBlocks } from './render-blocks.js';

export const ACTION_POST_TO_CHANNEL = 'trail_post_to_channel';
export const ACTION_ALL_EVENTS = 'trail_all_events';
export const ANSWER_ACTIONS = [ACTION_POST_TO_CHANNEL, ACTION_ALL_EVENTS] as const;

/** What a button carries back: the query to run again. */
export interface AnswerButtonValue {
  q: string;
}

export function encodeButtonValue(value: AnswerButtonValue): string | null {
  const text = JSON.stringify(value);
  return text.length <= LIMITS.buttonValue ? text : null;
}

/** The query a button carries, or null when the value is not ours (a forged or stale payload). */
export function decodeButtonValue(value: string | undefined): AnswerButtonValue | null {
  if (value === undefined || value.length > LIMITS.buttonValue) return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { q?: unknown }).q === 'string') {
      return { q: (parsed as { q: string }).q };
    }
  } catch {
    // Not JSON: not ours.
  }
  return null;
}

export interface AnswerButtons {
  /** "Post to channel": on a private answer. */
  postToChannel: boolean;
  /** "All events": uploads every matching event as CSV and JSON. */
  allEvents: boolean;
}

function button(text: string, actionId: string, value: string): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: false }, action_id: actionId, value };
}

export function answerMessage(answer: Answer, queryText: string, buttons: AnswerButtons): SlackMessage {
  const message = renderBlocks(answer);
  const value = encodeButtonValue({ q: queryText });
  const elements: Button[] = [];
  if (value !== null && buttons.postToChannel) elements.push(button('Post to channel', ACTION_POST_TO_CHANNEL, value));
  if (value !== null && buttons.allEvents && answer.matched > 0) {
    elements.push(button(`All events (${answer.matched.toLocaleString('en-US')})`, ACTION_ALL_EVENTS, value));
  }
  if (elements.length === 0 || message.blocks.length >= LIMITS.blocksPerMessage) return message;
  const actions: ActionsBlock = { type: 'actions', elements };
  // Buttons go before the closing context line.
  const blocks = [...message.blocks];
  blocks.splice(blocks.length - 1, 0, actions);
  return { text: message.text, blocks };
}

/** Adds "Asked by @person" to a message posted for someone (the id comes from Slack's payload, checked here). */
export function withAskedBy(message: SlackMessage, userId: string): SlackMessage {
  if (!/^[UW][A-Z0-9]{2,20}$/.test(userId)) return message;
  const blocks = [...message.blocks];
  const last = blocks.at(-1);
  const askedBy = { type: 'mrkdwn' as const, text: `Asked by <@${userId}>`, verbatim: true };
  if (last?.type === 'context' && last.elements.length < LIMITS.contextElements) {
    blocks[blocks.length - 1] = { ...last, elements: [...last.elements, askedBy] };
  } else if (blocks.length < LIMITS.blocksPerMessage) {
    blocks.push({ type: 'context', elements: [askedBy] });
  }
  return { text: message.text, blocks };
}

function notice(text: string): SlackMessage {
  return {
    text: cleanText(text.replace(/[*`]/g, ''), 300),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }],
  };
}

export function lookingMessage(queryText: string): SlackMessage {
  return notice(`:mag: Looking through CloudTrail for \`${untrusted(queryText, 200)}\`…`);
}

export function usageMessage(error: UsageError): SlackMessage {
  const at = error.word === null ? '' : ` (at \`${untrusted(error.word, 60)}\`)`;
  return notice(
    `${untrusted(error.message, 500)}${at}\nTry: \`/trail ${untrusted(error.example, 300)}\` · \`/trail help\` for more`,
  );
}

export function helpMessage(helpText: string): SlackMessage {
  // Line by line: cleanText makes one line of whatever it is given, and the help is a page of lines.
  const lines = helpText.split('\n').map((line) => untrusted(line, 300).replace(/`/g, "'"));
  return notice(`\`\`\`${capText(lines.join('\n'), 2800)}\`\`\``);
}

/**
 * A refusal's reason is never the asker's text: it is the operator's `refusal` from TRAILBOT_CONFIG (trusted
 * mrkdwn, so it may link a channel or group) or one of our own sentences. It is capped, not escaped.
 */
export function refusedMessage(reason: string): SlackMessage {
  return notice(`:no_entry: ${capText(reason, 1000)}`);
}

export function failedMessage(reason: string): SlackMessage {
  return notice(`:warning: Trailbot could not answer: ${untrusted(reason, 800)}`);
}

/** An AskOutcome → the Slack message that shows it (pure mapping; the listeners decide where it goes). */
import {
  type AnswerButtons,
  answerMessage,
  failedMessage,
  helpMessage,
  refusedMessage,
  usageMessage,
} from '../../core/render/answer-message.js';
import type { SlackMessage } from '../../core/slack/block-kit-limits.js';
import type { AskOutcome } from '../../flows/ask-trail.js';

export function messageFor(outcome: AskOutcome, queryText: string, buttons: AnswerButtons): SlackMessage {
  switch (outcome.kind) {
    case 'answer':
      return answerMessage(outcome.answer, queryText, buttons);
    case 'help':
      return helpMessage(outcome.text);
    case 'usage':
      return usageMessage(outcome.error);
    case 'refused':
      return refusedMessage(outcome.reason);
    case 'failed':
      return failedMessage(outcome.reason);
  }
}

/** Answers may go public; refusals, usage errors and failures stay with the asker. */
export function isPrivateOnly(outcome: AskOutcome): boolean {
  return outcome.kind !== 'answer';
}

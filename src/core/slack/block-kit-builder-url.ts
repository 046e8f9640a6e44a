/**
 * A link that opens a message in Slack's Block Kit Builder, so a team can see a card exactly as Slack draws it
 * (and edit it there). Pure.
 *
 * Format: `https://app.slack.com/block-kit-builder/#` followed by the URI-encoded JSON payload `{"blocks":[…]}`.
 * The Builder reads its payload from the URL fragment: that is the link its own "Copy link" / share action makes,
 * and the one Slack's SDK tooling builds (python-slack-sdk and the Block Kit helper libraries write
 * `app.slack.com/block-kit-builder/#` + the quoted JSON; a workspace id may stand before the `#`, and without one
 * the Builder asks which workspace to open). The fragment never reaches a server, so the payload is not sent
 * anywhere by opening the link. A message without blocks becomes one mrkdwn section holding its text, which is
 * how Slack shows such a message.
 */

/** Every Builder link starts with this; the URI-encoded `{"blocks":[…]}` follows. */
export const BLOCK_KIT_BUILDER = 'https://app.slack.com/block-kit-builder/#';

export interface BuilderMessage {
  text?: string | undefined;
  blocks?: readonly unknown[] | undefined;
}

function blocksOf(message: BuilderMessage): readonly unknown[] {
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  if (blocks.length > 0) return blocks;
  const text = typeof message.text === 'string' ? message.text : '';
  return text === '' ? [] : [{ type: 'section', text: { type: 'mrkdwn', text } }];
}

/** The Builder link for a message: one line (every character of the JSON is percent-encoded as needed). */
export function blockKitBuilderUrl(message: BuilderMessage): string {
  let json: string;
  try {
    // JSON.stringify writes lone surrogates as \u escapes, so the text is well formed for encodeURIComponent.
    json = JSON.stringify({ blocks: blocksOf(message) });
  } catch {
    // Not JSON at all (a cycle, a BigInt): nothing the Builder could read.
    json = JSON.stringify({ blocks: [] });
  }
  return BLOCK_KIT_BUILDER + encodeURIComponent(json);
}

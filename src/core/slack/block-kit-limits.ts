/**
 * Block Kit's limits (aws-slack-facts §6.2) and a checker that lists every violation of a message.
 * Renderers stay under them; tests and the loopback Slack server hold messages to them.
 */
import type { KnownBlock } from '@slack/types';

export const LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  /** Slack refuses long block messages (`msg_blocks_too_long`) near 12–13k characters; we stay under this. */
  messageText: 10_000,
  /** The notification `text` beside blocks; Slack truncates at 40,000, we keep it short. */
  fallbackText: 4000,
} as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

interface TextObject {
  type: string;
  text: string;
}

function textsOf(block: KnownBlock): TextObject[] {
  const out: TextObject[] = [];
  const b = block as unknown as Record<string, unknown>;
  const text = b.text as TextObject | undefined;
  if (text !== undefined) out.push(text);
  for (const f of (b.fields as TextObject[] | undefined) ?? []) out.push(f);
  for (const e of (b.elements as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof e.text === 'string') out.push(e as unknown as TextObject);
    else if (e.text !== undefined) out.push(e.text as TextObject);
  }
  return out;
}

/** Characters of text across all blocks: what Slack's message-length ceiling counts. */
export function blockTextLength(blocks: readonly KnownBlock[]): number {
  let n = 0;
  for (const block of blocks) for (const t of textsOf(block)) n += t.text.length;
  return n;
}

/** Every way `message` breaks a Block Kit limit; empty when it is fine to post. */
export function blockKitViolations(message: SlackMessage): string[] {
  const v: string[] = [];
  if (message.text.length === 0) v.push('text: empty (the notification fallback is required)');
  if (message.text.length > LIMITS.fallbackText) v.push(`text: ${message.text.length} > ${LIMITS.fallbackText}`);
  if (message.blocks.length > LIMITS.blocksPerMessage) {
    v.push(`blocks: ${message.blocks.length} > ${LIMITS.blocksPerMessage}`);
  }
  const total = blockTextLength(message.blocks);
  if (total > LIMITS.messageText) v.push(`blocks text: ${total} characters > ${LIMITS.messageText}`);
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}] (${block.type})`;
    const b = block as unknown as Record<string, unknown>;
    if (typeof b.block_id === 'string' && b.block_id.length > LIMITS.blockId) v.push(`${at}: block_id too long`);
    for (const t of textsOf(block)) if (t.text.length === 0) v.push(`${at}: empty text`);
    switch (block.type) {
      case 'header':
        if (block.text.type !== 'plain_text') v.push(`${at}: header text must be plain_text`);
        if (block.text.text.length > LIMITS.headerText)
          v.push(`${at}: header ${block.text.text.length} > ${LIMITS.headerText}`);
        break;
      case 'section': {
        if (block.text === undefined && (block.fields ?? []).length === 0) v.push(`${at}: needs text or fields`);
        if (block.text !== undefined && block.text.text.length > LIMITS.sectionText) {
          v.push(`${at}: text ${block.text.text.length} > ${LIMITS.sectionText}`);
        }
        const fields = block.fields ?? [];
        if (fields.length > LIMITS.sectionFields) v.push(`${at}: ${fields.length} fields > ${LIMITS.sectionFields}`);
        for (const f of fields)
          if (f.text.length > LIMITS.fieldText) v.push(`${at}: field ${f.text.length} > ${LIMITS.fieldText}`);
        break;
      }
      case 'context':
        if (block.elements.length > LIMITS.contextElements) {
          v.push(`${at}: ${block.elements.length} elements > ${LIMITS.contextElements}`);
        }
        break;
      case 'actions':
        if (block.elements.length > LIMITS.actionsElements) {
          v.push(`${at}: ${block.elements.length} elements > ${LIMITS.actionsElements}`);
        }
        for (const e of block.elements) {
          if (e.type !== 'button') continue;
          if (e.text.text.length > LIMITS.buttonText) v.push(`${at}: button text > ${LIMITS.buttonText}`);
          if ((e.value ?? '').length > LIMITS.buttonValue) v.push(`${at}: button value > ${LIMITS.buttonValue}`);
          if ((e.action_id ?? '').length > LIMITS.actionId) v.push(`${at}: action_id > ${LIMITS.actionId}`);
        }
        break;
      default:
        break;
    }
  });
  return v;
}

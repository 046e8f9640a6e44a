import type { KnownBlock } from '@slack/types';

/** Every mrkdwn and plain_text text object in Block Kit blocks, however deep, in document order. */
export function textsOf(blocks: readonly KnownBlock[]): { type: string; text: string; verbatim?: boolean }[] {
  const out: { type: string; text: string; verbatim?: boolean }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
        out.push(o as { type: string; text: string; verbatim?: boolean });
      } else Object.values(o).forEach(visit);
    }
  };
  visit(blocks);
  return out;
}

/**
 * Everything from CloudTrail, SNS or a user is untrusted. Before it is shown anywhere it passes through
 * `cleanText`: invisible and direction-changing characters become visible `⟨U+202E⟩` marks (a terminal
 * escape sequence or a right-to-left override cannot disguise a value), and it is capped in length.
 * Slack output then goes through `mrkdwnEscape` (slack-mrkdwn.ts).
 */

const ELLIPSIS = '…';

/**
 * C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, marks, zero-width characters, BOM,
 * line/paragraph separators, and lone surrogates (ill-formed UTF-16 that JSON can carry).
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point of this pattern.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function mark(ch: string): string {
  return `⟨U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Shorten to at most `max` code points, ending in `…` when cut; never splits a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count === max - 1) return out + ELLIPSIS;
    out += ch;
    count += 1;
  }
  return out;
}

/**
 * Make an untrusted value safe to show on one line: unsafe characters made visible (a tab or newline
 * becomes a space), then capped to `max` code points.
 */
export function cleanText(value: string | null | undefined, max = 200): string {
  if (value === null || value === undefined) return '';
  // Look at no more than needed, so a 10 MB value costs no more than a short one.
  const truncated = value.length > max * 2;
  const head = truncated ? value.slice(0, max * 2).replace(/[\ud800-\udbff]$/, '') : value;
  const visible = head.replace(UNSAFE, (ch) => (ch === '\t' || ch === '\n' || ch === '\r' ? ' ' : mark(ch)));
  return capText(truncated ? visible + ELLIPSIS : visible, max);
}

/**
 * The query in an @mention or slash command as the person typed it. Slack sends message text with `&`, `<`, `>`
 * escaped and with links, mentions and channels wrapped in `<…>`: undo that so `who <https://x|x>` or
 * `user a&amp;b` reach the parser as typed. The bot's own mention is removed.
 */
export function queryFromSlackText(text: string, botUserId: string | null): string {
  let out = text;
  if (botUserId !== null) out = out.split(`<@${botUserId}>`).join(' ');
  out = out.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_m, target: string, label: string | undefined) => {
    // Auto-linked text (`my.bucket.com` → `<http://my.bucket.com|my.bucket.com>`): the label is what was typed;
    // a mention or channel (`<@U…>`, `<#C…|name>`) keeps its readable part.
    if (target.startsWith('mailto:')) return label ?? target.slice('mailto:'.length);
    return label ?? target;
  });
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

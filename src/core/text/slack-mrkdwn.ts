/**
 * Slack mrkdwn has three control characters: `&`, `<`, `>` (aws-slack-facts §6.6). Escaping them means no
 * untrusted value can mention (`<!channel>`, `<@U…>`), link (`<https://…|…>`) or fake a date token.
 * Every mrkdwn text object we build also sets `verbatim: true`, so Slack does not auto-link URLs or
 * channel names inside it either.
 */
import { cleanText } from './untrusted-text.js';

export function mrkdwnEscape(text: string): string {
  return text.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

/** An untrusted value, cleaned, capped and escaped for mrkdwn. */
export function untrusted(value: string | null | undefined, max = 200): string {
  return mrkdwnEscape(cleanText(value, max));
}

/**
 * A time as Slack's date token, which each reader sees in their own zone, with a UTC fallback.
 * `iso` must be a valid instant (a normalized eventTime); anything else is shown as escaped text.
 */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return untrusted(iso, 40);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

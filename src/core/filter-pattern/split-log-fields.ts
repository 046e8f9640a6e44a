/**
 * Splits a log message into the fields a space-delimited pattern (`[ip, user, …]`) names, as CloudWatch Logs
 * describes it: fields are separated by runs of whitespace, and "the characters between a pair of square brackets []
 * or two double quotes ("") are treated as a single field", brackets and quotes removed
 * (`[10/Oct/2000:13:25:15 -0700]` is the field `10/Oct/2000:13:25:15 -0700`).
 *
 * Choices where AWS is silent: whitespace is ASCII space, tab and line breaks; only a `[` or `"` that starts a field
 * opens a group, which ends at the first `]` or `"` (no nesting, no escapes) and the field ends there, even if text
 * follows without a space (that text starts the next field); an opener never closed is an ordinary character. Pure.
 */
import { isSpace } from './pattern-error.js';

export function splitLogFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const ch = message.charAt(i);
    if (isSpace(ch)) {
      i += 1;
      continue;
    }
    if (ch === '[' || ch === '"') {
      const close = message.indexOf(ch === '[' ? ']' : '"', i + 1);
      if (close !== -1) {
        fields.push(message.slice(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    let end = i + 1;
    while (end < message.length && !isSpace(message.charAt(end))) end += 1;
    fields.push(message.slice(i, end));
    i = end;
  }
  return fields;
}

/**
 * String values with the `*` wildcard, as the CloudWatch Logs doc describes them: a `*` at the start and/or the end
 * of a value stands for any text (`*Event` matches PutEvent, `Event*` EventId, `*html*` anything containing html); a
 * `*` anywhere else is the character itself (`Ev*ent` matches only `Ev*ent`). Quoted values follow the same rule
 * (`"AccessDenied*"`). `*` alone, or `**`, matches any text.
 *
 * Choices where AWS is silent: only one `*` is stripped from each end (`**x` means "ends with `*x`"); there is no
 * escape for a literal leading or trailing `*`. Matching is case sensitive, like everything in filter patterns. Pure.
 */
import { couldBeNumberText } from './number-text.js';

export interface TextMatcher {
  test(text: string): boolean;
  /** The one text it matches, when it has no wildcard (then `=` can pin a field to it); null otherwise. */
  readonly exact: string | null;
  /** Matches every text. */
  readonly anything: boolean;
  /** Could it match a number's text (`String(n)`)? When not, number values skip the conversion. */
  readonly numbers: boolean;
}

export function compileWildcard(literal: string): TextMatcher {
  const leading = literal.startsWith('*');
  const trailing = literal.length > 1 && literal.endsWith('*');
  if (!leading && !trailing)
    return { test: (text) => text === literal, exact: literal, anything: false, numbers: couldBeNumberText(literal) };
  const core = literal.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  const anything = core.length === 0;
  const test = anything
    ? () => true
    : leading && trailing
      ? (text: string) => text.includes(core)
      : leading
        ? (text: string) => text.endsWith(core)
        : (text: string) => text.startsWith(core);
  return { test, exact: null, anything, numbers: true };
}

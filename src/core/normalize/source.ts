/**
 * Where the call came from: sourceIPAddress verbatim (an IP, or an AWS service's DNS name such as
 * `cloudformation.amazonaws.com`), with the `AWS Internal/#` forms folded to `AWS Internal`. Never empty:
 * a record without one reads `unknown`. Addresses are not validated (the Stratus corpus scrambles them
 * into forms like `035.249.253.232`), only capped.
 */
import { str } from './accessors.js';

const AWS_INTERNAL = 'AWS Internal';

export function sourceIpOf(sourceIPAddress: unknown): string {
  const source = str(sourceIPAddress);
  if (source === null) return 'unknown';
  if (
    source.startsWith(AWS_INTERNAL) &&
    (source.length === AWS_INTERNAL.length || source.charCodeAt(AWS_INTERNAL.length) === 0x2f)
  ) {
    return AWS_INTERNAL;
  }
  return source;
}

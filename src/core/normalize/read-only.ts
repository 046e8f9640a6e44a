/**
 * Whether a call only reads: the record's `readOnly` (a boolean in trail files, a string in LookupEvents
 * output), else inferred only from a clear read prefix of the event name (`DescribeInstances`,
 * `GetObject`, `ListBuckets`, `HeadBucket`, `LookupEvents`), else null.
 */
import { bool } from './accessors.js';

const READ_PREFIXES = ['Describe', 'Get', 'List', 'Head', 'Lookup'] as const;

export function readOnlyOf(readOnly: unknown, eventName: string): boolean | null {
  const stated = bool(readOnly);
  if (stated !== null) return stated;
  for (const prefix of READ_PREFIXES) {
    if (eventName.startsWith(prefix)) {
      // The prefix must be a word of its own: `GetObject`, not `Getaway`.
      const next = eventName.charCodeAt(prefix.length);
      if (next >= 0x41 && next <= 0x5a) return true;
    }
  }
  return null;
}

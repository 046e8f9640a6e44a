/** Words shared by every rendering, so the terminal and Slack say the same thing. */
import type { Answer } from '../answer.js';
import type { TrailRecord } from '../trail-record.js';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `12 events by 3 actors · 4 changes · 2 failed · 6 reads`, or `No matching events`. */
export function headline(answer: Answer): string {
  if (answer.matched === 0) return 'No matching events';
  const parts = [
    `${plural(answer.matched, 'event')} by ${plural(answer.actors.length, 'actor')}`,
    plural(answer.writes, 'change'),
  ];
  if (answer.failures > 0) parts.push(`${answer.failures.toLocaleString('en-US')} failed`);
  parts.push(plural(answer.reads, 'read'));
  return parts.join(' · ');
}

/** The most called event names of an actor: `StopInstances ×2, DescribeInstances ×9` (+N more). */
export function topEventNames(
  eventNames: Record<string, number>,
  max: number,
): { shown: [string, number][]; more: number } {
  const all = Object.entries(eventNames);
  return { shown: all.slice(0, max), more: Math.max(0, all.length - max) };
}

/** What an event did to its resources, for a timeline line: `i-0abc running → stopping`, else its resource names. */
export function effects(record: TrailRecord, max: number): string[] {
  if (record.transitions.length > 0) {
    return record.transitions.slice(0, max).map((t) => `${t.resource} ${t.from ?? '∅'} → ${t.to}`);
  }
  return record.resources.slice(0, max).map((r) => r.name);
}

/** The window in words, times written by `time`: `whole trail (matches A → B)` or `A → now`. */
export function windowPhrase(answer: Answer, time: (iso: string) => string): string {
  const { from, to } = answer.window;
  if (from === null && to === null) {
    return answer.span === null
      ? 'whole trail'
      : `whole trail (matches ${time(answer.span.first)} → ${time(answer.span.last)})`;
  }
  return `${from === null ? 'start' : time(from)} → ${to === null ? 'now' : time(to)}`;
}

/** `15 reads counted, not listed …` when reads were counted and none is on the timeline; else null. */
export function readsNote(answer: Answer): string | null {
  if (answer.reads === 0 || answer.timeline.some((r) => r.readOnly === true)) return null;
  return `${plural(answer.reads, 'read')} counted, not listed (add \`reads\` to the query to list them)`;
}

export function failureText(record: TrailRecord): string | null {
  if (record.errorCode === null && record.errorMessage === null) return null;
  if (record.errorCode !== null && record.errorMessage !== null) return `${record.errorCode}: ${record.errorMessage}`;
  return record.errorCode ?? record.errorMessage;
}

/** `4 of 15 rules hit · 57 events by 3 actors`, or `0 of 15 rules hit`: a `scan` answer's headline. */
export function scanHeadline(answer: Answer): string {
  const rules = answer.rules ?? [];
  const hit = rules.filter((r) => r.count > 0).length;
  const head = `${hit.toLocaleString('en-US')} of ${plural(rules.length, 'rule')} hit`;
  if (answer.matched === 0) return head;
  return `${head} · ${plural(answer.matched, 'event')} by ${plural(answer.actors.length, 'actor')}`;
}

/** The headline an answer is shown under: by rule for `scan` answers, else `headline`. */
export function answerHeadline(answer: Answer): string {
  return answer.rules === undefined ? headline(answer) : scanHeadline(answer);
}

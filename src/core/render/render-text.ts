/** The answer for a terminal: plain text, every untrusted value cleaned (no escape sequences, no bidi tricks). */
import type { Answer } from '../answer.js';
import { formatTime } from '../text/format-time.js';
import { cleanText } from '../text/untrusted-text.js';
import type { TrailRecord } from '../trail-record.js';
import { effects, failureText, headline, plural, readsNote, topEventNames, windowPhrase } from './describe-answer.js';
import { eventDetails } from './event-details.js';

export interface TextOptions {
  /** IANA zone for times; UTC by default. */
  timeZone?: string;
  /** Timeline lines shown (the newest ones). */
  maxTimeline?: number;
  /** Actors shown (the busiest ones). */
  maxActors?: number;
  /** Listed events (`id`, `limit N`) shown in full. */
  maxEvents?: number;
}

function timelineLine(r: TrailRecord, zone: string): string {
  const failure = failureText(r);
  const what = effects(r, 3).map((e) => cleanText(e, 120));
  const parts = [
    formatTime(r.eventTime, zone),
    `${failure === null ? ' ' : '✗'} ${cleanText(r.eventName, 80)}`,
    what.join(', '),
    r.change === null ? '' : `(${cleanText(r.change, 200)})`,
    `by ${cleanText(r.actor.display, 80)}`,
    `from ${cleanText(r.sourceIp, 60)}`,
  ].filter((p) => p !== '');
  const line = `  ${parts.join('  ')}`;
  return failure === null ? line : `${line}\n      ${cleanText(failure, 300)}`;
}

export function renderText(answer: Answer, options: TextOptions = {}): string {
  const zone = options.timeZone ?? 'UTC';
  const maxTimeline = options.maxTimeline ?? 50;
  const maxActors = options.maxActors ?? 20;
  const out: string[] = [];

  out.push(`${cleanText(answer.query, 200)} · ${headline(answer)}`);
  out.push(
    [
      `window ${windowPhrase(answer, (iso) => formatTime(iso, zone))}`,
      `regions ${answer.regions.length === 0 ? 'none' : cleanText(answer.regions.join(', '), 200)}`,
      `${plural(answer.scanned, 'event')} scanned`,
      `source ${cleanText(answer.source, 200)}`,
      answer.complete ? 'complete' : 'PARTIAL',
    ].join(' · '),
  );
  for (const note of answer.notes.slice(0, 10)) out.push(`! ${cleanText(note, 300)}`);
  if (answer.notes.length > 10) out.push(`! +${answer.notes.length - 10} more problems`);

  if (answer.actors.length > 0) {
    out.push('', `Actors (${answer.actors.length})`);
    for (const a of answer.actors.slice(0, maxActors)) {
      const failed = a.failures > 0 ? `, ${a.failures} failed` : '';
      out.push(
        `  ${cleanText(a.display, 120)} (${a.type})  ${plural(a.count, 'call')}${failed}  ${formatTime(a.firstSeen, zone)} → ${formatTime(a.lastSeen, zone)}`,
      );
      const ips = a.sourceIps.slice(0, 5).map((ip) => cleanText(ip, 60));
      const clients = a.clients.slice(0, 3).map((c) => cleanText(c, 80));
      out.push(
        `    from ${ips.join(', ')}${a.sourceIps.length > 5 ? ` +${a.sourceIps.length - 5}` : ''} · ${clients.join(', ')}`,
      );
      const names = topEventNames(a.eventNames, 6);
      out.push(
        `    ${names.shown.map(([n, c]) => `${cleanText(n, 80)} ×${c}`).join(', ')}${names.more > 0 ? ` +${names.more} more` : ''}`,
      );
    }
    if (answer.actors.length > maxActors) out.push(`  +${answer.actors.length - maxActors} more actors`);
  }

  if (answer.transitions.length > 0) {
    out.push('', 'State transitions');
    for (const h of answer.transitions.slice(0, 20)) {
      const first = h.steps[0];
      const chain = [
        cleanText(first?.from ?? '∅', 60),
        ...h.steps.map((s) => `${cleanText(s.to, 60)} (${cleanText(s.actor, 60)}, ${formatTime(s.time, zone)})`),
      ];
      out.push(`  ${cleanText(h.resource, 120)}: ${chain.join(' → ')}`);
    }
    if (answer.transitions.length > 20) out.push(`  +${answer.transitions.length - 20} more resources`);
  }

  const listed = answer.timeline.slice(-maxTimeline);
  const hidden = answer.timeline.length - listed.length + answer.timelineOmitted;
  if (listed.length > 0) {
    out.push('', `Timeline (changes and failures, oldest first)`);
    if (hidden > 0)
      out.push(`  +${hidden.toLocaleString('en-US')} earlier entries not shown (narrow the window or use --json)`);
    for (const r of listed) out.push(timelineLine(r, zone));
  }
  const maxEvents = options.maxEvents ?? 20;
  if (answer.events.length > 0) {
    out.push('', answer.events.length === 1 ? 'Event' : `Events (newest first)`);
    for (const r of answer.events.slice(0, maxEvents)) {
      for (const row of eventDetails(r)) {
        const value = row.time === true ? formatTime(row.value, zone) : cleanText(row.value, 600);
        out.push(`  ${row.label.padEnd(10)} ${value}`);
      }
      out.push('');
    }
    if (answer.events.length > maxEvents) out.push(`  +${answer.events.length - maxEvents} more events (use --json)`);
  }
  const reads = readsNote(answer);
  if (reads !== null) out.push('', reads);
  return `${out.join('\n')}\n`;
}

/** The answer for a terminal: plain text, every untrusted value cleaned (no escape sequences, no bidi tricks). */
import type { Answer, RuleHits } from '../answer.js';
import { formatTime } from '../text/format-time.js';
import { cleanText } from '../text/untrusted-text.js';
import type { TrailRecord } from '../trail-record.js';
import {
  answerHeadline,
  effects,
  failureText,
  plural,
  readsNote,
  topEventNames,
  windowPhrase,
} from './describe-answer.js';
import { eventDetails } from './event-details.js';
import {
  eventsById,
  quietRules,
  ruleActorCount,
  ruleEvents,
  rulesWithHits,
  ruleTopActors,
  SEVERITY_LABEL,
} from './render-rules.js';

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

/** Events listed under each rule of a `scan` answer (its newest). */
const EVENTS_PER_RULE = 3;
/** Actors named on each rule's line. */
const ACTORS_PER_RULE = 3;

/**
 * Short names (alias, else id) by account id, when the answer read several accounts: lines then say which account
 * each event or actor is in. Empty otherwise (one account needs no naming on every line).
 */
function accountNames(answer: Answer): Map<string, string> {
  const accounts = answer.accounts ?? [];
  return accounts.length > 1 ? new Map(accounts.map((a) => [a.id, a.alias ?? a.id])) : new Map();
}

/** ` in prod` for a record or actor of a several-account answer, else nothing. */
function inAccount(names: ReadonlyMap<string, string>, accountId: string | null | undefined): string {
  if (names.size === 0) return '';
  const name = accountId === null || accountId === undefined ? 'unknown account' : (names.get(accountId) ?? accountId);
  return ` in ${cleanText(name, 64)}`;
}

/** `prod (111111111111), dev (222222222222)`; past 5 accounts, the count and the first few names. */
function accountsPhrase(answer: Answer): string | null {
  const accounts = answer.accounts;
  if (accounts === undefined) return null;
  const label = (a: { id: string; alias: string | null }): string =>
    a.alias === null ? a.id : `${cleanText(a.alias, 64)} (${a.id})`;
  if (accounts.length <= 5) return `account${accounts.length === 1 ? '' : 's'} ${accounts.map(label).join(', ')}`;
  const first = accounts.slice(0, 3).map((a) => cleanText(a.alias ?? a.id, 64));
  return `${accounts.length} accounts (${first.join(', ')}, …)`;
}

function timelineLine(
  r: TrailRecord,
  zone: string,
  indent = '  ',
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const failure = failureText(r);
  const what = effects(r, 3).map((e) => cleanText(e, 120));
  const parts = [
    formatTime(r.eventTime, zone),
    `${failure === null ? ' ' : '✗'} ${cleanText(r.eventName, 80)}`,
    what.join(', '),
    r.change === null ? '' : `(${cleanText(r.change, 200)})`,
    `by ${cleanText(r.actor.display, 80)}`,
    `from ${cleanText(r.sourceIp, 60)}${inAccount(names, r.accountId)}`,
  ].filter((p) => p !== '');
  const line = `${indent}${parts.join('  ')}`;
  return failure === null ? line : `${line}\n${indent}    ${cleanText(failure, 300)}`;
}

/**
 * A `scan` answer by rule: each rule that hit (severity, id, title, counts, busiest actors, newest events), then
 * the quiet ones on one line.
 */
function rulesSection(answer: Answer, rules: readonly RuleHits[], zone: string): string[] {
  const accountsOf = accountNames(answer);
  const hit = rulesWithHits(rules);
  const out = ['', `Rules (${hit.length} of ${rules.length} hit)`];
  const byId = eventsById(answer.events);
  for (const rule of hit) {
    const last = rule.span === null ? '' : `, last ${formatTime(rule.span.last, zone)}`;
    out.push(
      `  [${SEVERITY_LABEL[rule.severity]}] ${cleanText(rule.id, 40)} ${cleanText(rule.title, 100)} — ${plural(rule.count, 'event')}, ${ruleActorCount(rule)}${last}`,
    );
    out.push(`    ${cleanText(rule.description, 300)}`);
    const actors = ruleTopActors(rule, ACTORS_PER_RULE);
    if (actors.shown.length > 0) {
      out.push(`    by ${actors.shown.map((a) => `${cleanText(a.display, 80)} ×${a.count}`).join(', ')}${actors.more}`);
    }
    const events = ruleEvents(rule, byId, EVENTS_PER_RULE);
    for (const r of events) out.push(timelineLine(r, zone, '    ', accountsOf));
    if (rule.count > events.length) {
      out.push(`    +${plural(rule.count - events.length, 'more event')}`);
    }
  }
  const quiet = quietRules(rules);
  if (quiet.length > 0) {
    out.push(`  No hits: ${quiet.map((r) => `${cleanText(r.id, 40)} ${cleanText(r.title, 80)}`).join(', ')}`);
  }
  return out;
}

export function renderText(answer: Answer, options: TextOptions = {}): string {
  const zone = options.timeZone ?? 'UTC';
  const maxTimeline = options.maxTimeline ?? 50;
  const maxActors = options.maxActors ?? 20;
  const out: string[] = [];
  const accountsOf = accountNames(answer);
  const accounts = accountsPhrase(answer);

  out.push(`${cleanText(answer.query, 200)} · ${answerHeadline(answer)}`);
  out.push(
    [
      `window ${windowPhrase(answer, (iso) => formatTime(iso, zone))}`,
      ...(accounts === null ? [] : [accounts]),
      `regions ${answer.regions.length === 0 ? 'none' : cleanText(answer.regions.join(', '), 200)}`,
      `${plural(answer.scanned, 'event')} scanned`,
      `source ${cleanText(answer.source, 200)}`,
      answer.complete ? 'complete' : 'PARTIAL',
    ].join(' · '),
  );
  for (const note of answer.notes.slice(0, 10)) out.push(`! ${cleanText(note, 300)}`);
  if (answer.notes.length > 10) out.push(`! +${answer.notes.length - 10} more problems`);
  if (answer.rules !== undefined) out.push(...rulesSection(answer, answer.rules, zone));

  if (answer.actors.length > 0) {
    out.push('', `Actors (${answer.actors.length})`);
    for (const a of answer.actors.slice(0, maxActors)) {
      const failed = a.failures > 0 ? `, ${a.failures} failed` : '';
      out.push(
        `  ${cleanText(a.display, 120)} (${a.type})${inAccount(accountsOf, a.accountId)}  ${plural(a.count, 'call')}${failed}  ${formatTime(a.firstSeen, zone)} → ${formatTime(a.lastSeen, zone)}`,
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

  // A scan answer's rules list their newest hits; a timeline of every hit would repeat them (--json has all).
  const scan = answer.rules !== undefined;
  const listed = scan ? [] : answer.timeline.slice(-maxTimeline);
  const hidden = answer.timeline.length - listed.length + answer.timelineOmitted;
  if (listed.length > 0) {
    out.push('', `Timeline (changes and failures, oldest first)`);
    if (hidden > 0)
      out.push(`  +${hidden.toLocaleString('en-US')} earlier entries not shown (narrow the window or use --json)`);
    for (const r of listed) out.push(timelineLine(r, zone, '  ', accountsOf));
  }
  const maxEvents = options.maxEvents ?? 20;
  // A scan answer's events are its rules' newest hits, listed under each rule above.
  if (answer.events.length > 0 && !scan) {
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
  const reads = scan ? null : readsNote(answer);
  if (reads !== null) out.push('', reads);
  return `${out.join('\n')}\n`;
}

/**
 * The answer as the Slack message `/trail` posts: a header, a headline, one section per actor, state
 * transitions, the timeline, and a context line (window, accounts when read through the accounts map, regions, events
 * scanned, complete or partial).
 * A `scan` answer goes by rule instead: one section per rule that hit (severity, title, id, CIS numbers, count,
 * busiest actors, last seen, newest events), the quiet rules on one context line, then the busiest actors and
 * state transitions; its events are shown under their rules, not in full or on a timeline.
 * Block Kit limits are kept by a budget: what does not fit becomes "+N more", never an oversized message.
 * Every untrusted value is cleaned and mrkdwn-escaped; every mrkdwn text object is `verbatim`.
 */
import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { ActorSummary, Answer, ResourceHistory, RuleHits } from '../answer.js';
import { LIMITS, type SlackMessage } from '../slack/block-kit-limits.js';
import { slackDate, untrusted } from '../text/slack-mrkdwn.js';
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
import { eventsById, quietRules, ruleActorCount, ruleEvents, rulesWithHits, ruleTopActors } from './render-rules.js';

const MAX_ACTORS = 8;
/** Actor sections after a `scan` answer's rules (each rule already names its busiest). */
const MAX_SCAN_ACTORS = 3;
/** Newest events and busiest actors shown under a rule, when there is room. */
const EVENTS_PER_RULE = 3;
const ACTORS_PER_RULE = 3;
/** The quiet-rules line stays well under a context element's 2,000 characters. */
const MAX_QUIET_TEXT = 1800;
const SEVERITY_MARK: Readonly<Record<RuleHits['severity'], string>> = {
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':white_circle:',
};
/** Room kept for the closing context block and "+N more" lines. */
const RESERVE_CHARS = 1200;
const RESERVE_BLOCKS = 3;

function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** Tracks what a message has used of Slack's limits. */
class Budget {
  private chars = 0;
  readonly blocks: KnownBlock[] = [];
  fits(chars: number, blocks = 1): boolean {
    return (
      this.chars + chars <= LIMITS.messageText - RESERVE_CHARS &&
      this.blocks.length + blocks <= LIMITS.blocksPerMessage - RESERVE_BLOCKS
    );
  }
  /** Characters left before the reserve. */
  charsLeft(): number {
    return LIMITS.messageText - RESERVE_CHARS - this.chars;
  }
  /** Adds regardless of the reserve (for the closing blocks the reserve is kept for). */
  add(block: KnownBlock, chars: number): void {
    this.blocks.push(block);
    this.chars += chars;
  }
}

function actorText(a: ActorSummary): string {
  const failed = a.failures > 0 ? `, ${a.failures} failed` : '';
  const ips = a.sourceIps.slice(0, 4).map((ip) => untrusted(ip, 60));
  const moreIps = a.sourceIps.length > 4 ? ` +${a.sourceIps.length - 4}` : '';
  const clients = a.clients.slice(0, 2).map((c) => untrusted(c, 60));
  const names = topEventNames(a.eventNames, 5);
  const nameText = names.shown.map(([n, c]) => `${untrusted(n, 60)} ×${c}`).join(', ');
  return [
    `*${untrusted(a.display, 120)}* · ${a.type} · ${plural(a.count, 'call')}${failed}`,
    `from ${ips.join(', ')}${moreIps} · ${clients.join(', ')}`,
    `${nameText}${names.more > 0 ? ` +${names.more} more` : ''}`,
    `${slackDate(a.firstSeen)} → ${slackDate(a.lastSeen)}`,
  ].join('\n');
}

function historyLine(h: ResourceHistory): string {
  const steps = h.steps.slice(-6);
  const start = untrusted(steps[0]?.from ?? '∅', 40);
  const chain = steps.map((s) => `${untrusted(s.to, 40)} (${untrusted(s.actor, 60)}, ${slackDate(s.time, '{time}')})`);
  const earlier = h.steps.length > steps.length ? `… ` : '';
  return `• ${untrusted(h.resource, 100)}: ${earlier}${start} → ${chain.join(' → ')}`;
}

function timelineLine(r: TrailRecord): string {
  const failure = failureText(r);
  const what = effects(r, 2).map((e) => untrusted(e, 100));
  const head = `${failure === null ? '' : ':x: '}${slackDate(r.eventTime)} *${untrusted(r.eventName, 60)}*`;
  const parts = [
    head,
    ...(what.length > 0 ? [what.join(', ')] : []),
    ...(r.change === null ? [] : [`_${untrusted(r.change, 160)}_`]),
    untrusted(r.actor.display, 80),
    untrusted(r.sourceIp, 60),
  ];
  const line = parts.join(' · ');
  return failure === null ? line : `${line}\n      ${untrusted(failure, 200)}`;
}

/** One of a rule's newest events, shorter than a timeline line: a rule section holds several. */
function ruleEventLine(r: TrailRecord): string {
  const failure = failureText(r);
  const parts = [
    `${slackDate(r.eventTime)} *${untrusted(r.eventName, 60)}*`,
    ...effects(r, 1).map((e) => untrusted(e, 80)),
    ...(r.change === null ? [] : [`_${untrusted(r.change, 100)}_`]),
    untrusted(r.actor.display, 60),
    untrusted(r.sourceIp, 45),
    ...(failure === null ? [] : [`:x: ${untrusted(failure, 80)}`]),
  ];
  return `• ${parts.join(' · ')}`;
}

/**
 * A rule that hit, in at most `allowance` characters where it can be (its first two lines always go in): what
 * else fits is added by importance (busiest actors, newest events, the description), shown in reading order.
 */
function ruleText(rule: RuleHits, events: readonly TrailRecord[], allowance: number): string {
  const last = rule.span === null ? '' : ` · last ${slackDate(rule.span.last)}`;
  const required = [
    `${SEVERITY_MARK[rule.severity]} *${untrusted(rule.title, 100)}* · ${untrusted(rule.id, 40)} · CIS ${untrusted(rule.cis, 40)}`,
    `*${plural(rule.count, 'event')}* · ${ruleActorCount(rule)}${last}`,
  ];
  const actors = ruleTopActors(rule, ACTORS_PER_RULE);
  const actorLine =
    actors.shown.length === 0
      ? null
      : `by ${actors.shown.map((a) => `${untrusted(a.display, 60)} ×${a.count}`).join(', ')}${actors.more}`;
  // [place in reading order, line], most important first.
  const optional: [number, string | null][] = [
    [1, actorLine],
    ...events.map((r, i): [number, string] => [2 + i, ruleEventLine(r)]),
    [0, `_${untrusted(rule.description, 300)}_`],
  ];
  let length = required.join('\n').length;
  const chosen: [number, string][] = [];
  for (const [place, line] of optional) {
    if (line === null || length + 1 + line.length > allowance) continue;
    chosen.push([place, line]);
    length += 1 + line.length;
  }
  chosen.sort((a, b) => a[0] - b[0]);
  return [...required, ...chosen.map(([, line]) => line)].join('\n');
}

/** `No hits: CloudWatch.4 IAM policy changes · …`, capped; null when every rule hit. */
function quietText(quiet: readonly RuleHits[]): string | null {
  if (quiet.length === 0) return null;
  let text = 'No hits:';
  let listed = 0;
  for (const rule of quiet) {
    const item = `${untrusted(rule.id, 40)} ${untrusted(rule.title, 100)}`;
    const next = `${text}${listed === 0 ? ' ' : ' · '}${item}`;
    if (next.length > MAX_QUIET_TEXT) break;
    text = next;
    listed += 1;
  }
  return listed === quiet.length ? text : `${text} · +${quiet.length - listed} more`;
}

/**
 * A `scan` answer's rules: a section per rule that hit, sharing what the budget has left, then the quiet rules on
 * one context line. Returns the "+N more" words for what did not fit.
 */
function addRules(budget: Budget, answer: Answer, rules: readonly RuleHits[]): string[] {
  const hit = rulesWithHits(rules);
  const quiet = quietText(quietRules(rules));
  const quietChars = quiet?.length ?? 0;
  const byId = eventsById(answer.events);
  let shown = 0;
  for (const rule of hit) {
    const share = Math.floor((budget.charsLeft() - quietChars) / (hit.length - shown));
    const text = ruleText(rule, ruleEvents(rule, byId, EVENTS_PER_RULE), Math.min(LIMITS.sectionText, share));
    if (text.length > LIMITS.sectionText || !budget.fits(text.length + quietChars, quiet === null ? 1 : 2)) break;
    budget.add(section(text), text.length);
    shown += 1;
  }
  const more: string[] = [];
  if (hit.length > shown) more.push(`+${plural(hit.length - shown, 'more rule')} with hits`);
  if (quiet !== null) {
    if (budget.fits(quiet.length)) budget.add({ type: 'context', elements: [mrkdwn(quiet)] }, quiet.length);
    else more.push(`${plural(rules.length - hit.length, 'rule')} without hits not listed`);
  }
  return more;
}

/**
 * Packs lines into sections of at most 3000 characters while the budget lasts, under a bold title.
 * Returns how many lines went in (none: nothing is added).
 */
function addLines(budget: Budget, title: string, lines: readonly string[]): number {
  let text = title;
  let used = 0;
  for (const line of lines) {
    const joined = `${text}\n${line}`;
    if (joined.length <= LIMITS.sectionText && budget.fits(joined.length)) {
      text = joined;
    } else if (line.length <= LIMITS.sectionText && budget.fits(text.length + line.length, 2)) {
      budget.add(section(text), text.length);
      text = line;
    } else {
      break;
    }
    used += 1;
  }
  if (used > 0) budget.add(section(text), text.length);
  return used;
}

/** How many of the newest `lines` should fit in what is left (sections hold at least ~2,500 characters each). */
function newestThatFit(budget: Budget, lines: readonly string[]): number {
  let chars = 100;
  let n = 0;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const len = (lines[i]?.length ?? 0) + 1;
    if (!budget.fits(chars + len, Math.ceil((chars + len) / 2500))) break;
    chars += len;
    n += 1;
  }
  return n;
}

/** The accounts read through the accounts map: named up to 5 (alias, else id), else counted. */
function accountsText(accounts: NonNullable<Answer['accounts']>): string[] {
  if (accounts.length === 0) return [];
  if (accounts.length > 5) return [`${accounts.length} accounts`];
  const names = accounts.map((a) => untrusted(a.alias ?? a.id, 64)).join(', ');
  return [`account${accounts.length === 1 ? '' : 's'} ${names}`];
}

function contextText(answer: Answer): string {
  const regions = answer.regions.length === 0 ? 'no regions' : untrusted(answer.regions.join(', '), 200);
  return [
    windowPhrase(answer, (iso) => slackDate(iso)),
    ...accountsText(answer.accounts ?? []),
    regions,
    `${plural(answer.scanned, 'event')} scanned`,
    `source ${untrusted(answer.source, 100)}`,
    answer.complete ? 'complete' : ':warning: *partial*',
  ].join(' · ');
}

export function renderBlocks(answer: Answer): SlackMessage {
  const budget = new Budget();
  const title = cleanText(`/trail ${answer.query}`, LIMITS.headerText);
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: title, emoji: false } };
  budget.add(header, title.length);
  const head = `*${answerHeadline(answer)}*`;
  budget.add(section(head), head.length);

  const scan = answer.rules !== undefined;
  const more: string[] = answer.rules === undefined ? [] : addRules(budget, answer, answer.rules);

  const shown: string[] = [];
  for (const a of answer.actors.slice(0, scan ? MAX_SCAN_ACTORS : MAX_ACTORS)) {
    const text = actorText(a);
    if (!budget.fits(text.length)) break;
    budget.add(section(text), text.length);
    shown.push(a.display);
  }
  const moreActors = answer.actors.length - shown.length;
  if (moreActors > 0) more.push(`+${plural(moreActors, 'more actor')}`);

  // Listed events (`id`, `limit N`) in full, as fields: at most 3, the newest. A scan shows its events under their rules.
  const detailed = scan ? [] : answer.events.slice(0, 3);
  for (const r of detailed) {
    const fields = eventDetails(r).map((row) =>
      mrkdwn(`*${row.label}*\n${row.time === true ? slackDate(row.value) : untrusted(row.value, 500)}`),
    );
    const sections: MrkdwnElement[][] = [];
    for (let i = 0; i < fields.length; i += LIMITS.sectionFields)
      sections.push(fields.slice(i, i + LIMITS.sectionFields));
    const chars = fields.reduce((n, f) => n + f.text.length, 0);
    if (!budget.fits(chars, sections.length)) break;
    for (const chunk of sections)
      budget.add(
        { type: 'section', fields: chunk },
        chunk.reduce((n, f) => n + f.text.length, 0),
      );
  }
  if (!scan && answer.events.length > detailed.length)
    more.push(`+${plural(answer.events.length - detailed.length, 'more listed event')}`);

  if (answer.transitions.length > 0) {
    const lines = answer.transitions.slice(0, 15).map(historyLine);
    const fit = addLines(budget, '*State transitions*', lines);
    const left = answer.transitions.length - fit;
    if (left > 0) more.push(`+${plural(left, 'more resource')} with transitions`);
  }

  if (!scan && answer.timeline.length > 0) {
    // Newest entries matter most when space is short: keep the newest that fit, shown oldest first.
    const lines = answer.timeline.slice(-60).map(timelineLine);
    const keep = newestThatFit(budget, lines);
    const fit = addLines(budget, '*Timeline* (changes and failures, oldest first)', lines.slice(lines.length - keep));
    const left = answer.timeline.length - fit + answer.timelineOmitted;
    if (left > 0) more.push(`+${plural(left, 'earlier timeline entry', 'earlier timeline entries')}`);
  }
  const reads = scan ? null : readsNote(answer);
  if (reads !== null) more.push(reads);

  const closing: ContextBlock['elements'] = [mrkdwn(contextText(answer))];
  if (more.length > 0) {
    // `limit` shortens a scan's event list, not its rules: a shorter window is what makes it fit.
    const narrow = scan ? 'narrow the window with `since`' : 'narrow the query or use `limit`';
    closing.push(mrkdwn(`${more.join(' · ')} · ${narrow}`));
  }
  for (const note of answer.notes.slice(0, 3)) closing.push(mrkdwn(`:warning: ${untrusted(note, 200)}`));
  if (answer.notes.length > 3) closing.push(mrkdwn(`:warning: +${answer.notes.length - 3} more problems`));
  budget.add({ type: 'context', elements: closing }, 0);

  const text = cleanText(
    `/trail ${answer.query}: ${answerHeadline(answer)}${answer.complete ? '' : ' (partial)'}`,
    300,
  );
  return { text: untrusted(text, 300), blocks: budget.blocks };
}

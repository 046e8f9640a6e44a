/**
 * The thread reply under an ALARM card that says which CloudTrail events tripped it: "Events matching this alarm's
 * filter". Layout:
 * 1. a title line (and who pressed Investigate);
 * 2. the filter pattern and where it came from (config, the metric filter, or assumed from the metric name);
 * 3. the window read, in Slack date tokens, and how it was computed;
 * 4. the events, newest first (at most 10): time, event name, actor, source IP, client, what changed, the error;
 *    a count line when more matched, and the actors in one line;
 *    or, when nothing matched, the likely reasons; or, when the lookup failed, one line saying why;
 * 5. notes (late events may still arrive, a partial answer, what the pattern resolution assumed);
 * 6. the Investigate button, which reads a wider window into the same thread.
 * Every untrusted string (CloudTrail fields, the account's filter names and patterns, config values) is cleaned and
 * escaped; Block Kit's limits always hold (caps shrink until they do).
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { ActorSummary, Answer } from '../answer.js';
import { cap } from '../normalize/accessors.js';
import { effects, failureText, plural } from '../render/describe-answer.js';
import { blockKitViolations, LIMITS, type SlackMessage } from '../slack/block-kit-limits.js';
import { slackDate, untrusted } from '../text/slack-mrkdwn.js';
import type { TrailRecord } from '../trail-record.js';
import { type AlarmPattern, type MetricRef, metricLabel, type PatternProvenance } from './alarm-filter.js';
import { type AlarmWindow, lateEventsPossible } from './evaluation-window.js';
import { periodWords } from './render-alert-card.js';

export const ACTION_ALERT_INVESTIGATE = 'alert_investigate';
/** Events listed in a reply; the rest are counted. */
export const MAX_LISTED_EVENTS = 10;
const MAX_ACTORS = 5;

/** What the Investigate button carries back: the incident key and the StateChangeTime the window is anchored on. */
export interface InvestigateValue {
  /** The incident key (≤512 characters: incident-key.ts). */
  k: string;
  /** StateChangeTime (ISO), or null when the notification had none. */
  t: string | null;
}

export function encodeInvestigateValue(value: InvestigateValue): string | null {
  const text = JSON.stringify({ k: value.k, t: value.t });
  return value.k.length > 0 && text.length <= LIMITS.buttonValue ? text : null;
}

/** The value an Investigate button carries, or null when it is not ours (forged, stale, cut). */
export function decodeInvestigateValue(text: string | undefined): InvestigateValue | null {
  if (text === undefined || text.length > LIMITS.buttonValue) return null;
  try {
    const parsed = JSON.parse(text) as { k?: unknown; t?: unknown } | null;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { k, t } = parsed;
    if (typeof k !== 'string' || k.length === 0) return null;
    if (t !== null && t !== undefined && (typeof t !== 'string' || t.length > 64)) return null;
    return { k, t: typeof t === 'string' ? t : null };
  } catch {
    return null;
  }
}

export type EnrichmentOutcome =
  | { kind: 'answer'; answer: Answer }
  /** One line (untrusted: it may quote AWS's message): why the lookup failed. */
  | { kind: 'failed'; reason: string };

export interface EnrichmentReply {
  alarmName: string;
  pattern: AlarmPattern;
  window: AlarmWindow;
  outcome: EnrichmentOutcome;
  /** The clock's reading, for "late events may still arrive". */
  now: Date;
  /** Lines to add to the notes (DescribeMetricFilters denied, …): untrusted. */
  notes: readonly string[];
  /** What the Investigate button carries; null: no button. */
  investigate: InvestigateValue | null;
  /** Who pressed Investigate (a Slack user id), for that reply. */
  investigatedBy: string | null;
}

// ---------------------------------------------------------------------------------------------------------------

/** Caps scale with `k`: 1 at first, smaller when hostile values make the reply too long. */
interface Ctx {
  k: number;
}

function size(ctx: Ctx, n: number): number {
  return Math.max(12, Math.floor(n * ctx.k));
}

function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(fitUnits(text, LIMITS.sectionText)) };
}

function fitUnits(text: string, max: number): string {
  return text.length <= max ? text : `${cap(text, max - 1)}…`;
}

/** An untrusted value, or a dash for nothing (Slack refuses empty texts). */
function u(value: string | null | undefined, max: number): string {
  const text = untrusted(value, max);
  return text.length === 0 ? '—' : text;
}

/** An untrusted value inside a code span: a backtick would end the span, so it becomes a quote. */
function code(value: string, max: number): string {
  return `\`${u(value, max).replace(/`/g, "'")}\``;
}

function who(userId: string): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(userId) ? `<@${userId}>` : u(userId, 40);
}

function time(date: Date): string {
  return slackDate(date.toISOString());
}

/** Where a pattern came from, in words (escaped). */
export function provenanceWords(p: PatternProvenance, ctx: Ctx = { k: 1 }): string {
  switch (p.kind) {
    case 'config-alarm':
      return `mapped to this alarm in TRAILBOT_CONFIG enrichment.filters${p.rule === null ? '' : ` (CIS ${u(p.rule, 40)})`}`;
    case 'config-metric':
      return `mapped to ${code(p.metric, size(ctx, 200))} in TRAILBOT_CONFIG enrichment.filters${p.rule === null ? '' : ` (CIS ${u(p.rule, 40)})`}`;
    case 'metric-filter': {
      const filter =
        p.filterName === null ? 'an unnamed metric filter' : `metric filter ${code(p.filterName, size(ctx, 200))}`;
      const group = p.logGroupName === null ? '' : ` on log group ${code(p.logGroupName, size(ctx, 200))}`;
      const more = p.count > 1 ? ` and ${plural(p.count - 1, 'more filter')} for the same metric, ORed` : '';
      return `${filter}${group}${more} (DescribeMetricFilters)`;
    }
    case 'assumed':
      return `assumed from the metric name (CIS ${u(p.rule, 40)})`;
  }
}

function metricOf(p: PatternProvenance): MetricRef | null {
  return p.kind === 'metric-filter' || p.kind === 'assumed' ? p.metric : null;
}

function filterSection(ctx: Ctx, pattern: AlarmPattern): SectionBlock {
  const several = pattern.sources.length > 1;
  const sources = pattern.sources.map((s) => {
    const metric = metricOf(s.provenance);
    const prefix = several && metric !== null ? `${code(metricLabel(metric), size(ctx, 120))}: ` : '';
    return `${prefix}${provenanceWords(s.provenance, ctx)}`;
  });
  return section(`*Filter* ${code(pattern.pattern, size(ctx, 1200))}\n_From ${sources.join('; ')}_`);
}

function windowText(window: AlarmWindow): string {
  const span = `${time(window.from)} → ${window.kind === 'investigate' ? 'now' : time(window.to)}`;
  if (window.kind === 'investigate') {
    const start = window.clipped
      ? 'from as far back as LookupEvents reaches (90 days)'
      : `from 24 hours before the alarm changed state at ${time(window.anchor)}`;
    return `*Window* ${span} (wider: ${start} to now)`;
  }
  const periods = `${plural(window.evaluationPeriods, 'period')} of ${periodWords(window.periodSeconds)}`;
  const delay =
    window.deliveryDelayMs > 0
      ? `, plus ${periodWords(Math.round(window.deliveryDelayMs / 1000))} for CloudTrail's delivery delay`
      : '';
  return `*Window* ${span} (the alarm's ${periods} before it changed state at ${time(window.anchor)}${delay})`;
}

function assumptions(window: AlarmWindow): string[] {
  const out: string[] = [];
  if (window.assumed.stateChangeTime)
    out.push('the notification had no StateChangeTime: the window ends when it arrived');
  if (window.kind === 'evaluation' && window.assumed.period) {
    out.push(`the notification had no Period: ${periodWords(window.periodSeconds)} assumed`);
  }
  if (window.kind === 'evaluation' && window.assumed.evaluationPeriods && !window.assumed.period) {
    out.push('the notification had no EvaluationPeriods: 1 assumed');
  }
  return out;
}

/** One event: `• <time> *StopInstances* by *alice* from 203.0.113.9 · aws-cli …` and what changed, or failed. */
function eventLine(ctx: Ctx, r: TrailRecord): string {
  const when = r.eventTime === '' ? 'unknown time' : slackDate(r.eventTime, '{date_short_pretty} {time_secs}');
  const failure = failureText(r);
  const head = `• ${when} *${u(r.eventName, size(ctx, 80))}* by *${u(r.actor.display, size(ctx, 100))}* from \`${u(r.sourceIp, size(ctx, 60)).replace(/`/g, "'")}\` · ${u(r.client.display, size(ctx, 60))}`;
  const detail: string[] = [];
  if (r.change !== null) detail.push(`_${u(r.change, size(ctx, 200))}_`);
  const what = effects(r, 3).map((e) => u(e, size(ctx, 120)));
  if (what.length > 0) detail.push(what.join(', '));
  const lines = [head];
  if (detail.length > 0) lines.push(`    ${detail.join(' · ')}`);
  if (failure !== null) lines.push(`    :x: ${u(failure, size(ctx, 200))}`);
  return lines.join('\n');
}

function actorWords(ctx: Ctx, a: ActorSummary): string {
  const ips = a.sourceIps.slice(0, 3).map((ip) => u(ip, size(ctx, 60)));
  const more = a.sourceIps.length > 3 ? ` +${a.sourceIps.length - 3}` : '';
  const failed = a.failures > 0 ? `, ${a.failures} failed` : '';
  return `*${u(a.display, size(ctx, 100))}* (${plural(a.count, 'call')} from ${ips.join(', ')}${more}${failed})`;
}

/** Lines packed into at most `maxSections` sections of at most `max` characters; how many lines went in. */
function packLines(
  lines: readonly string[],
  max: number,
  maxSections: number,
): { blocks: SectionBlock[]; used: number } {
  const blocks: SectionBlock[] = [];
  let text = '';
  let used = 0;
  for (const line of lines) {
    const joined = text === '' ? line : `${text}\n${line}`;
    if (joined.length > max) {
      if (text !== '') blocks.push(section(text));
      text = '';
      if (blocks.length >= maxSections || line.length > max) break;
      text = line;
    } else {
      text = joined;
    }
    used += 1;
  }
  if (text !== '') blocks.push(section(text));
  return { blocks, used };
}

function answerBlocks(ctx: Ctx, answer: Answer): { blocks: KnownBlock[]; notes: string[] } {
  const notes: string[] = [];
  if (answer.matched === 0) {
    const reasons = [
      'No CloudTrail event in this window matches the filter. Likely reasons:',
      '• CloudTrail reaches CloudWatch Logs and LookupEvents 5–15 minutes after the call: the events may not be readable yet (press *Investigate* in a few minutes)',
      '• the filter names fields CloudTrail does not write, or spells them differently (names are case-sensitive: `$.eventName`, not `$.EventName`)',
      '• the events are data events (S3 objects, Lambda invocations), which LookupEvents does not return, or happened in another region',
    ];
    return { blocks: [section(reasons.join('\n'))], notes };
  }
  const listed = answer.events.slice(0, MAX_LISTED_EVENTS);
  const head = `*${plural(answer.matched, 'event')}* by ${plural(answer.actors.length, 'actor')}, newest first${answer.matched > listed.length ? ` (the newest ${listed.length} shown)` : ''}`;
  const lines = listed.map((r) => eventLine(ctx, r));
  const packed = packLines([head, ...lines], size(ctx, LIMITS.sectionText), 2);
  const blocks: KnownBlock[] = [...packed.blocks];
  const shownEvents = Math.max(0, packed.used - 1);
  const more = answer.matched - shownEvents;
  if (more > 0) notes.push(`+${plural(more, 'more matching event')} (narrow it with \`/trail\`, or press Investigate)`);
  const actors = answer.actors.slice(0, MAX_ACTORS).map((a) => actorWords(ctx, a));
  if (actors.length > 0) {
    const rest = answer.actors.length - actors.length;
    blocks.push(section(`*Actors* ${actors.join(' · ')}${rest > 0 ? ` · +${plural(rest, 'more actor')}` : ''}`));
  }
  const transitions = answer.transitions.slice(0, 5).map((h) => {
    const steps = h.steps
      .slice(-4)
      .map((s) => `${u(s.from ?? '∅', 40)} → ${u(s.to, 40)} (${u(s.actor, size(ctx, 60))})`);
    return `• ${u(h.resource, size(ctx, 100))}: ${steps.join(', ')}`;
  });
  if (transitions.length > 0) blocks.push(section(`*Transitions*\n${transitions.join('\n')}`));
  return { blocks, notes };
}

function render(ctx: Ctx, reply: EnrichmentReply): SlackMessage {
  const by = reply.investigatedBy === null ? '' : ` · Investigated by ${who(reply.investigatedBy)}`;
  const blocks: KnownBlock[] = [
    section(`:mag: *Events matching this alarm's filter*${by}`),
    filterSection(ctx, reply.pattern),
  ];
  const context: string[] = [windowText(reply.window)];
  const notes: string[] = [];
  let summary: string;
  switch (reply.outcome.kind) {
    case 'failed':
      blocks.push(
        section(
          `:warning: Could not look up events: ${u(reply.outcome.reason, size(ctx, 600))}. Press *Investigate* to try again.`,
        ),
      );
      summary = 'could not look up events';
      break;
    case 'answer': {
      const answer = reply.outcome.answer;
      const rendered = answerBlocks(ctx, answer);
      const regions = answer.regions.length > 0 ? ` in ${u(answer.regions.join(', '), 200)}` : '';
      context.push(`· ${plural(answer.scanned, 'event')} read from ${u(answer.source, 60)}${regions}`);
      blocks.push(...rendered.blocks);
      notes.push(...rendered.notes);
      if (!answer.complete) notes.push(':warning: *partial*: not every event of the window was read');
      notes.push(...answer.notes.slice(0, 3).map((n) => u(n, size(ctx, 300))));
      if (answer.notes.length > 3) notes.push(`+${plural(answer.notes.length - 3, 'more problem')}`);
      summary =
        answer.matched === 0
          ? 'no matching events'
          : `${plural(answer.matched, 'event')} by ${plural(answer.actors.length, 'actor')}`;
      break;
    }
  }
  if (reply.window.kind === 'evaluation' && reply.outcome.kind === 'answer') {
    if (lateEventsPossible(reply.window, reply.now))
      notes.push(
        'CloudTrail events can take up to 15 minutes to be readable: late ones may still arrive; *Investigate* will find them',
      );
  }
  notes.push(...assumptions(reply.window));
  notes.push(...reply.pattern.notes.map((n) => u(n, size(ctx, 300))));
  notes.push(...reply.notes.map((n) => u(n, size(ctx, 300))));

  const elements = [context.join(' '), ...notes.slice(0, 8)].map((t) => mrkdwn(fitUnits(t, LIMITS.fieldText)));
  if (notes.length > 8) elements.push(mrkdwn(`+${plural(notes.length - 8, 'more note')}`));
  const contextBlock: ContextBlock = { type: 'context', elements: elements.slice(0, LIMITS.contextElements) };
  blocks.push(contextBlock);

  const value = reply.investigate === null ? null : encodeInvestigateValue(reply.investigate);
  if (value !== null) {
    const button: Button = {
      type: 'button',
      text: { type: 'plain_text', text: 'Investigate (24h)', emoji: false },
      action_id: ACTION_ALERT_INVESTIGATE,
      value,
    };
    const actions: ActionsBlock = { type: 'actions', block_id: 'alert_enrichment_actions', elements: [button] };
    blocks.push(actions);
  }
  const text = fitUnits(`Events matching the filter of ${untrusted(reply.alarmName, size(ctx, 150))}: ${summary}`, 300);
  return { text, blocks };
}

/** The reply (see the module comment); always within Block Kit's limits. */
export function renderEnrichment(reply: EnrichmentReply): SlackMessage {
  for (const k of [1, 0.5, 0.25, 0.1]) {
    const message = render({ k }, reply);
    if (blockKitViolations(message).length === 0) return message;
  }
  // Never expected: the title, a short line and the button.
  const minimal = render(
    { k: 0.1 },
    { ...reply, outcome: { kind: 'failed', reason: 'the reply was too long to show' }, notes: [] },
  );
  return { text: minimal.text, blocks: minimal.blocks.filter((b) => b.type !== 'context') };
}

/**
 * The one line posted when an alarm on a CloudTrail-looking metric has no pattern Trailbot can find: what to map.
 * (An alarm on any other metric gets nothing in Slack: see enrich-alarm.ts.)
 */
export function renderNoPattern(metrics: readonly MetricRef[], notes: readonly string[]): SlackMessage {
  const names = metrics.slice(0, 3).map((m) => code(metricLabel(m), 200));
  const more = metrics.length > 3 ? ` +${metrics.length - 3}` : '';
  const line = `:grey_question: No metric filter found for ${names.join(', ')}${more}; map it in TRAILBOT_CONFIG \`enrichment.filters\` to see the events behind this alarm.`;
  const blocks: KnownBlock[] = [section(line)];
  if (notes.length > 0) {
    blocks.push({
      type: 'context',
      elements: notes.slice(0, 5).map((n) => mrkdwn(fitUnits(u(n, 300), LIMITS.fieldText))),
    });
  }
  return {
    text: fitUnits(`No metric filter found for ${untrusted(metrics.map(metricLabel).join(', '), 200)}`, 300),
    blocks,
  };
}

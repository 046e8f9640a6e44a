/**
 * The Block Kit card of an alert and its incident, the thread reply for a later notification, and the
 * "Show event" modal. Pure: the incident's state and the time (`now`) come in as arguments.
 *
 * Card layout (every kind):
 * 1. header (plain_text, ≤150): an emoji for the state and the alarm name / `EventName by actor` /
 *    detail-type / subject;
 * 2. a section with what happened in a line or two (state and reason, description, failure);
 * 3. a section of fields (≤10): the essentials (account id with its alias, region, …);
 * 4. for some kinds, one more section (metric-math queries, state transitions, an event's key fields, the text);
 * 5. a context line: the incident's state, notification count, last change, who acknowledged, snoozed,
 *    resolved, and when;
 * 6. the buttons the incident's state allows: Acknowledge, Snooze 1h, Snooze 24h, Resolve, Show event.
 *
 * Every untrusted string is cleaned, capped and escaped (`untrusted`), every mrkdwn text object is `verbatim`,
 * and Block Kit's limits always hold: a card that would break one is rendered again with shorter caps, and
 * as a last resort as a minimal card.
 */
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  SectionBlock,
} from '@slack/types';
import { cap } from '../normalize/accessors.js';
import { failureText, plural } from '../render/describe-answer.js';
import { blockKitViolations, LIMITS, type SlackMessage } from '../slack/block-kit-limits.js';
import { mrkdwnEscape, slackDate, untrusted } from '../text/slack-mrkdwn.js';
import { cleanText } from '../text/untrusted-text.js';
import type {
  AlarmAlert,
  AlarmState,
  Alert,
  CloudTrailAlert,
  CloudWatchAlarm,
  EventAlert,
  MetricDimension,
  MetricMathQuery,
  MetricMathTrigger,
  MetricTrigger,
  TextAlert,
} from './alert.js';

// ---------------------------------------------------------------------------------------------------------------
// Public types and constants

export const ACTION_ALERT_ACKNOWLEDGE = 'alert_acknowledge';
export const ACTION_ALERT_SNOOZE_1H = 'alert_snooze_1h';
export const ACTION_ALERT_SNOOZE_24H = 'alert_snooze_24h';
export const ACTION_ALERT_RESOLVE = 'alert_resolve';
export const ACTION_ALERT_SHOW_EVENT = 'alert_show_event';
export const ALERT_ACTIONS = [
  ACTION_ALERT_ACKNOWLEDGE,
  ACTION_ALERT_SNOOZE_1H,
  ACTION_ALERT_SNOOZE_24H,
  ACTION_ALERT_RESOLVE,
  ACTION_ALERT_SHOW_EVENT,
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export type IncidentState = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

/** Who pressed a button, and when. */
export interface IncidentStamp {
  /** Slack user id (`U0123ABCD`); shown as a mention when shaped like one, else as escaped text. */
  user: string;
  /** ISO 8601. */
  at: string;
}

/** The incident a card stands for, as the store knows it. */
export interface IncidentView {
  /** What every button carries back (≤2000 characters; `incidentKeyOf` keys are ≤512), e.g. the incident key. */
  key: string;
  state: IncidentState;
  /** ISO 8601, while snoozed. */
  snoozedUntil: string | null;
  /** Notifications received for this incident (≥1). */
  notifications: number;
  /** ISO 8601: the newest notification or button press. */
  lastChange: string | null;
  acknowledged: IncidentStamp | null;
  snoozed: IncidentStamp | null;
  resolved: IncidentStamp | null;
}

export interface AlertCardOptions {
  /** The configured alias of the alert's account, shown beside its id. */
  accountAlias: string | null;
  /** Epoch ms. With it, a snooze whose time has passed shows as open (with its buttons). */
  now?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Small builders

/** Caps scale with `k`: 1 at first, smaller when a hostile alert makes the card too long. */
interface Ctx {
  k: number;
  alias: string | null;
  now: number | null;
}

function size(ctx: Ctx, n: number): number {
  return Math.max(12, Math.floor(n * ctx.k));
}

/**
 * At most `max` UTF-16 units (what Slack and `blockKitViolations` count), ending in `…` when cut, never splitting
 * a surrogate pair. `capText` counts code points, which an emoji-heavy text can exceed in units.
 */
function fitUnits(text: string, max: number): string {
  return text.length <= max ? text : `${cap(text, max - 1)}…`;
}

function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function header(emoji: string, title: string): HeaderBlock {
  const text = fitUnits(`${emoji} ${cleanText(title, LIMITS.headerText) || 'Alert'}`, LIMITS.headerText);
  return { type: 'header', text: { type: 'plain_text', text, emoji: false } };
}

/** An untrusted value for mrkdwn, or a dash when there is nothing to show (Slack refuses empty texts). */
function u(value: string | null | undefined, max: number): string {
  const text = untrusted(value, max);
  return text.length === 0 ? '—' : text;
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(fitUnits(`*${label}*\n${value}`, LIMITS.fieldText));
}

function fields(list: MrkdwnElement[]): SectionBlock {
  return { type: 'section', fields: list.slice(0, LIMITS.sectionFields) };
}

/** Lines packed into one section of at most 3000 characters; lines that do not fit become "+N more". */
function linesSection(title: string, lines: readonly string[], maxChars: number = LIMITS.sectionText): SectionBlock {
  let text = title;
  let used = 0;
  for (const line of lines) {
    const more = lines.length - used - 1;
    const reserve = more > 0 ? 40 : 0;
    if (text.length + 1 + line.length + reserve > Math.min(maxChars, LIMITS.sectionText)) break;
    text = `${text}\n${line}`;
    used += 1;
  }
  if (used < lines.length) text = `${text}\n… +${plural(lines.length - used, 'more line')}`;
  return section(fitUnits(text, LIMITS.sectionText));
}

function accountText(ctx: Ctx, accountId: string | null): string {
  const id = u(accountId, 64);
  return ctx.alias === null || ctx.alias === '' ? id : `${id} (${u(ctx.alias, 60)})`;
}

function time(iso: string | null): string {
  return iso === null || iso === '' ? '—' : slackDate(iso);
}

const SLACK_USER = /^[UW][A-Z0-9]{2,30}$/;

function who(user: string): string {
  return SLACK_USER.test(user) ? `<@${user}>` : u(user, 60);
}

// ---------------------------------------------------------------------------------------------------------------
// Incident context and buttons

function effectiveState(incident: IncidentView, ctx: Ctx): IncidentState {
  if (incident.state !== 'snoozed' || ctx.now === null || incident.snoozedUntil === null) return incident.state;
  const until = Date.parse(incident.snoozedUntil);
  if (Number.isNaN(until) || until > ctx.now) return 'snoozed';
  return incident.acknowledged === null ? 'open' : 'acknowledged';
}

const INCIDENT_WORDS: Readonly<Record<IncidentState, string>> = {
  open: '🚨 *Open*',
  acknowledged: '👀 *Acknowledged*',
  snoozed: '😴 *Snoozed*',
  resolved: '✅ *Resolved*',
};

function incidentContext(incident: IncidentView, state: IncidentState): ContextBlock {
  const count = Math.max(1, Math.floor(Number.isFinite(incident.notifications) ? incident.notifications : 1));
  const head = [
    state === 'snoozed' && incident.snoozedUntil !== null
      ? `${INCIDENT_WORDS.snoozed} until ${time(incident.snoozedUntil)}`
      : INCIDENT_WORDS[state],
    plural(count, 'notification'),
  ];
  if (incident.lastChange !== null) head.push(`last change ${time(incident.lastChange)}`);
  const elements: MrkdwnElement[] = [mrkdwn(head.join(' · '))];
  const stamp = (verb: string, s: IncidentStamp | null): void => {
    if (s !== null) elements.push(mrkdwn(`${verb} by ${who(s.user)} ${time(s.at)}`));
  };
  stamp('Acknowledged', incident.acknowledged);
  stamp('Snoozed', incident.snoozed);
  stamp('Resolved', incident.resolved);
  return { type: 'context', elements };
}

function button(text: string, actionId: AlertAction, value: string, style?: 'primary' | 'danger'): Button {
  const b: Button = { type: 'button', text: { type: 'plain_text', text, emoji: false }, action_id: actionId, value };
  if (style !== undefined) b.style = style;
  return b;
}

function actionsBlock(incident: IncidentView, state: IncidentState, showEvent: boolean): ActionsBlock | null {
  const value = incident.key;
  if (value.length === 0 || value.length > LIMITS.buttonValue) return null;
  const elements: Button[] = [];
  if (state === 'open' || (state === 'snoozed' && incident.acknowledged === null)) {
    elements.push(button('Acknowledge', ACTION_ALERT_ACKNOWLEDGE, value, 'primary'));
  }
  if (state === 'open' || state === 'acknowledged') {
    elements.push(button('Snooze 1h', ACTION_ALERT_SNOOZE_1H, value));
    elements.push(button('Snooze 24h', ACTION_ALERT_SNOOZE_24H, value));
  }
  if (state !== 'resolved') {
    const resolve = button('Resolve', ACTION_ALERT_RESOLVE, value);
    resolve.confirm = {
      title: { type: 'plain_text', text: 'Resolve this incident?' },
      text: { type: 'plain_text', text: 'The card shows it resolved; a new ALARM opens it again.' },
      confirm: { type: 'plain_text', text: 'Resolve' },
      deny: { type: 'plain_text', text: 'Cancel' },
    };
    elements.push(resolve);
  }
  if (showEvent) elements.push(button('Show event', ACTION_ALERT_SHOW_EVENT, value));
  return elements.length === 0 ? null : { type: 'actions', block_id: 'alert_actions', elements };
}

/** Blocks that close every card: the incident context line and the buttons. */
function closing(incident: IncidentView, ctx: Ctx, showEvent: boolean): KnownBlock[] {
  const state = effectiveState(incident, ctx);
  const actions = actionsBlock(incident, state, showEvent);
  return actions === null ? [incidentContext(incident, state)] : [incidentContext(incident, state), actions];
}

function headerEmoji(incident: IncidentView, emoji: string): string {
  return incident.state === 'resolved' ? '✅' : emoji;
}

// ---------------------------------------------------------------------------------------------------------------
// Alarms

const STATE_EMOJI: Readonly<Record<AlarmState, string>> = { ALARM: '🔴', OK: '🟢', INSUFFICIENT_DATA: '⚪' };

const OPERATORS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** 300 → `5 minutes`, 60 → `1 minute`, 3600 → `1 hour`, 10 → `10 seconds`. */
export function periodWords(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds > 0 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds > 0 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

const STATISTICS: Readonly<Record<string, string>> = {
  SUM: 'Sum',
  AVERAGE: 'Average',
  MINIMUM: 'Minimum',
  MAXIMUM: 'Maximum',
  SAMPLECOUNT: 'SampleCount',
};

/** `SUM` (as some notifications write it) → `Sum`; `p99` and the rest as they are. */
function statisticWords(statistic: string): string {
  return STATISTICS[statistic] ?? statistic;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US', { useGrouping: false }) : String(n);
}

type Condition = Pick<
  MetricTrigger,
  'comparisonOperator' | 'threshold' | 'evaluationPeriods' | 'datapointsToAlarm' | 'period'
> & { band?: string | null };

/**
 * The alarm's condition in words (already escaped): `SecurityGroupEventCount ≥ 1 for 1 period of 5 minutes`,
 * `expr_1 < 65 for 3 of 5 periods of 1 minute`, `m1 outside the band ad1 for …`.
 */
export function conditionWords(subject: string, c: Condition): string {
  const op = c.comparisonOperator === null ? '?' : (OPERATORS[c.comparisonOperator] ?? c.comparisonOperator);
  const band = op.includes('band');
  const against = band ? (c.band ?? '') : c.threshold === null ? '?' : numberText(c.threshold);
  const compare = `${subject} ${op}${against === '' ? '' : ` ${against}`}`;
  const n = c.evaluationPeriods;
  if (n === null) return untrusted(compare, 400);
  const m = c.datapointsToAlarm;
  const of = c.period === null ? '' : ` of ${periodWords(c.period)}`;
  const count = m !== null && m !== n ? `${numberText(m)} of ${plural(n, 'period')}` : plural(n, 'period');
  return untrusted(`${compare} for ${count}${of}`, 400);
}

/** `TargetGroup=tg-1, LoadBalancer=lb-1` (raw: the caller escapes), at most six. */
function dimensionsText(dimensions: readonly MetricDimension[]): string {
  const shown = dimensions
    .slice(0, 6)
    .map((d) => `${d.name}=${d.value}`)
    .join(', ');
  return dimensions.length > 6 ? `${shown} +${dimensions.length - 6}` : shown;
}

function metricFields(ctx: Ctx, t: MetricTrigger): MrkdwnElement[] {
  const name = t.metricName ?? '?';
  const out = [field('Condition', conditionWords(name, t))];
  const stat = t.statistic === null ? '' : `${statisticWords(t.statistic)} of `;
  const ns = t.namespace === null ? '' : `${t.namespace}/`;
  out.push(field('Metric', u(`${stat}${ns}${name}${t.unit === null ? '' : ` (${t.unit})`}`, size(ctx, 200))));
  if (t.dimensions.length > 0) out.push(field('Dimensions', u(dimensionsText(t.dimensions), size(ctx, 300))));
  if (t.treatMissingData !== null && t.treatMissingData !== 'missing') {
    out.push(field('Missing data', u(`treated as ${t.treatMissingData}`, 60)));
  }
  return out;
}

function queryLine(ctx: Ctx, q: MetricMathQuery, compared: boolean): string {
  const what =
    q.expression ??
    (q.metricStat === null
      ? '?'
      : [
          q.metricStat.stat === null ? '' : `${statisticWords(q.metricStat.stat)} of `,
          q.metricStat.namespace === null ? '' : `${q.metricStat.namespace}/`,
          q.metricStat.metricName ?? '?',
          q.metricStat.dimensions.length > 0 ? ` (${dimensionsText(q.metricStat.dimensions)})` : '',
          q.metricStat.period === null ? '' : ` · ${periodWords(q.metricStat.period)}`,
        ].join(''));
  const label = q.label === null ? '' : ` _${u(q.label, size(ctx, 60))}_`;
  return `• \`${u(q.id, 60)}\`${label} = ${u(what, size(ctx, 300))}${compared ? ' ← compared' : ''}`;
}

/** The query the alarm compares: the one returning data that is not the anomaly band. */
function comparedQuery(t: MetricMathTrigger): MetricMathQuery | null {
  return t.metrics.find((q) => q.returnData === true && q.id !== t.thresholdMetricId) ?? t.metrics[0] ?? null;
}

function alarmBlocks(ctx: Ctx, alert: AlarmAlert, incident: IncidentView): KnownBlock[] {
  const a = alert.alarm;
  const blocks: KnownBlock[] = [header(headerEmoji(incident, STATE_EMOJI[a.state]), a.name)];
  const lines: string[] = [];
  if (a.description !== null) lines.push(u(a.description, size(ctx, 300)));
  if (a.reason !== null) lines.push(`Reason: ${u(a.reason, size(ctx, 400))}`);
  if (lines.length > 0) blocks.push(section(lines.join('\n')));

  const list: MrkdwnElement[] = [
    field('Account', accountText(ctx, a.accountId)),
    field('Region', a.region === null ? u(a.regionName, 60) : u(a.region, 40)),
    field('State', `*${a.state}*${a.previousState === null ? '' : ` (was ${a.previousState})`}`),
    field('Changed', time(a.stateChangeTime)),
  ];
  let extra: SectionBlock | null = null;
  const t = a.trigger;
  switch (t.kind) {
    case 'metric':
      list.push(...metricFields(ctx, t));
      break;
    case 'metric-math': {
      const compared = comparedQuery(t);
      const subject = compared === null ? '?' : (compared.label ?? compared.id);
      list.push(field('Condition', conditionWords(subject, { ...t, band: t.thresholdMetricId })));
      if (t.treatMissingData !== null && t.treatMissingData !== 'missing') {
        list.push(field('Missing data', u(`treated as ${t.treatMissingData}`, 60)));
      }
      const shown = t.metrics.map((q) => queryLine(ctx, q, q === compared));
      const more = t.metricCount - t.metrics.length;
      extra = linesSection('*Metric math*', more > 0 ? [...shown, `… +${plural(more, 'more query')}`] : shown);
      break;
    }
    case 'composite': {
      const children = t.triggeringChildren.map(
        (c) => `• ${u(c.name, size(ctx, 120))}${c.state === null ? '' : ` → ${u(c.state, 30)}`}`,
      );
      extra = linesSection(
        `*Rule*\n\`${u(t.alarmRule, size(ctx, 600))}\`${children.length > 0 ? '\n*Triggered by*' : ''}`,
        children,
      );
      break;
    }
    case 'unknown':
      break;
  }
  blocks.push(fields(list));
  if (extra !== null) blocks.push(extra);
  blocks.push(...closing(incident, ctx, true));
  return blocks;
}

function alarmFallback(a: CloudWatchAlarm, ctx: Ctx): string {
  return `${a.state}: ${untrusted(a.name, size(ctx, 150))} · ${accountText(ctx, a.accountId)} · ${u(a.region ?? a.regionName, 60)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// CloudTrail events

function mfaText(mfa: boolean | null, eventName: string): string {
  if (mfa === null) return 'not recorded';
  if (mfa) return 'yes';
  return eventName === 'ConsoleLogin' ? ':warning: no' : 'no';
}

function cloudTrailBlocks(ctx: Ctx, alert: CloudTrailAlert, incident: IncidentView): KnownBlock[] {
  const r = alert.record;
  const failure = failureText(r);
  const eventName = r.eventName || alert.detailType;
  const emoji = failure === null ? '🔶' : '⛔';
  const blocks: KnownBlock[] = [header(headerEmoji(incident, emoji), `${eventName} by ${r.actor.display}`)];

  const when = time(r.eventTime || alert.eventBridge.time);
  const head = [`*${u(eventName, size(ctx, 120))}* by *${u(r.actor.display, size(ctx, 120))}* · ${when}`];
  if (failure !== null) head.push(`:x: Failed: ${u(failure, size(ctx, 400))}`);
  blocks.push(section(head.join('\n')));

  const actor = [`${u(r.actor.display, size(ctx, 120))} (${r.actor.type})`];
  if (r.actor.arn !== null) actor.push(u(r.actor.arn, size(ctx, 200)));
  if (r.actor.via !== null) actor.push(`via ${u(r.actor.via, size(ctx, 100))}`);
  const resources = r.resources.slice(0, 3).map((x) => u(x.name, size(ctx, 150)));
  if (r.resources.length > 3) resources.push(`+${plural(r.resources.length - 3, 'more')}`);
  blocks.push(
    fields([
      field('Actor', actor.join('\n')),
      field('Action', `${u(eventName, size(ctx, 100))}\n${u(r.eventSource, size(ctx, 100))}`),
      field('Resource', resources.length === 0 ? '—' : resources.join('\n')),
      field('Source IP', u(r.sourceIp, size(ctx, 100))),
      field('Client', u(r.client.display, size(ctx, 100))),
      field('MFA', mfaText(r.mfa, r.eventName)),
      field('Result', failure === null ? 'succeeded' : `failed: ${u(r.errorCode ?? 'error', size(ctx, 100))}`),
      field('Account', accountText(ctx, r.accountId ?? alert.eventBridge.account)),
      field('Region', u(r.region || alert.eventBridge.region, 40)),
    ]),
  );
  if (r.transitions.length > 0) {
    const lines = r.transitions
      .slice(0, 15)
      .map((t) => `• ${u(t.resource, size(ctx, 150))}: ${u(t.from ?? '∅', 40)} → ${u(t.to, 40)}`);
    if (r.transitions.length > 15) lines.push(`… +${plural(r.transitions.length - 15, 'more')}`);
    blocks.push(linesSection('*State transitions*', lines));
  }
  blocks.push(...closing(incident, ctx, true));
  return blocks;
}

function cloudTrailFallback(alert: CloudTrailAlert, ctx: Ctx): string {
  const r = alert.record;
  const failed = failureText(r) === null ? '' : ' (failed)';
  return `${untrusted(r.eventName || alert.detailType, size(ctx, 100))} by ${untrusted(r.actor.display, size(ctx, 100))}${failed} · ${accountText(ctx, r.accountId ?? alert.eventBridge.account)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Other events and text: readable key fields, never a raw dump

/** Keys read first, wherever they are in the object: what most events and findings lead with. */
const PREFERRED = [
  'title',
  'description',
  'message',
  'severity',
  'type',
  'state',
  'status',
  'reason',
  'instance-id',
  'eventName',
];
const MAX_DEPTH = 3;
const MAX_KEYS_SCANNED = 200;

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value.length === 0 ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** `{a, b, c, … +N}` for an object too deep to list; `[3 items]` for a list of objects. */
function summary(value: unknown): string {
  if (Array.isArray(value)) {
    const scalars = value.slice(0, 5).map(scalarText);
    if (value.length > 0 && scalars.every((s) => s !== null)) {
      return `${scalars.join(', ')}${value.length > 5 ? ` +${value.length - 5} more` : ''}`;
    }
    return `[${plural(value.length, 'item')}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    return `{${keys.slice(0, 5).join(', ')}${keys.length > 5 ? `, … +${keys.length - 5}` : ''}}`;
  }
  return scalarText(value) ?? '—';
}

/**
 * An object's leaves as `path: value` pairs (raw, untrusted), preferred keys first, nested objects walked to
 * depth 3 and summarized below that, empty values skipped. At most `max` pairs; the second value is how many
 * more there were.
 */
export function keyFields(root: Json, max: number): { pairs: [string, string][]; more: number } {
  const pairs: [string, string][] = [];
  let more = 0;
  let scanned = 0;
  const visit = (o: Json, prefix: string, depth: number): void => {
    const keys = Object.keys(o);
    const ordered = [...PREFERRED.filter((k) => keys.includes(k)), ...keys.filter((k) => !PREFERRED.includes(k))];
    for (const key of ordered) {
      scanned += 1;
      if (scanned > MAX_KEYS_SCANNED) {
        more += 1;
        continue;
      }
      const value = o[key];
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (value === null || value === undefined || value === '') continue;
      if (isObject(value) && depth < MAX_DEPTH) {
        if (Object.keys(value).length > 0) visit(value, path, depth + 1);
        continue;
      }
      if (pairs.length >= max) more += 1;
      else pairs.push([path, isObject(value) || Array.isArray(value) ? summary(value) : (scalarText(value) ?? '—')]);
    }
  };
  visit(root, '', 1);
  return { pairs, more };
}

function keyFieldLines(ctx: Ctx, root: Json, max: number): string[] {
  const { pairs, more } = keyFields(root, max);
  const lines = pairs.map(([k, v]) => `*${u(k, size(ctx, 80))}*: ${u(v, size(ctx, 240))}`);
  if (more > 0) lines.push(`… +${plural(more, 'more field')} (Show event for all)`);
  return lines;
}

/** A plain-text message, line by line (each cleaned and escaped), at most `maxChars` of escaped text. */
function textLines(ctx: Ctx, text: string, maxLines: number): string[] {
  const lines = text.split(/\r?\n/).slice(0, maxLines + 1);
  const out = lines.slice(0, maxLines).map((l) => untrusted(l, size(ctx, 300)) || ' ');
  if (lines.length > maxLines) out.push('…');
  // A line of only spaces is an empty text to Slack only when it is the whole text; trim the ends.
  while (out.length > 0 && (out[out.length - 1] ?? '').trim() === '') out.pop();
  return out.length === 0 ? ['(empty message)'] : out;
}

function eventBlocks(ctx: Ctx, alert: EventAlert, incident: IncidentView): KnownBlock[] {
  const blocks: KnownBlock[] = [header(headerEmoji(incident, '📣'), alert.detailType)];
  const resources = alert.resources.slice(0, 3).map((r) => u(r, size(ctx, 200)));
  if (alert.resources.length > 3) resources.push(`+${plural(alert.resources.length - 3, 'more')}`);
  blocks.push(
    fields([
      field('Source', u(alert.source, size(ctx, 100))),
      field('Account', accountText(ctx, alert.account)),
      field('Region', u(alert.region, 40)),
      field('Time', time(alert.time)),
      ...(resources.length > 0 ? [field('Resources', resources.join('\n'))] : []),
    ]),
  );
  if (isObject(alert.detail)) {
    const lines = keyFieldLines(ctx, alert.detail, 16);
    if (lines.length > 0) blocks.push(linesSection('*Details*', lines, size(ctx, LIMITS.sectionText)));
  }
  blocks.push(...closing(incident, ctx, true));
  return blocks;
}

function textBlocks(ctx: Ctx, alert: TextAlert, incident: IncidentView): KnownBlock[] {
  const blocks: KnownBlock[] = [header(headerEmoji(incident, '📝'), alert.subject ?? 'Notification')];
  if (alert.json !== null) {
    const lines = keyFieldLines(ctx, alert.json, 16);
    blocks.push(linesSection('*Fields*', lines.length > 0 ? lines : ['(an empty JSON object)'], size(ctx, 3000)));
  } else {
    const lines = textLines(ctx, alert.text, 40);
    blocks.push(linesSection(lines[0] ?? '—', lines.slice(1), size(ctx, LIMITS.sectionText)));
  }
  blocks.push(...closing(incident, ctx, alert.json !== null));
  return blocks;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** The card of an alert's incident: what the root message of the incident thread shows. */
export function renderAlertCard(alert: Alert, incident: IncidentView, options: AlertCardOptions): SlackMessage {
  if (alert.kind === 'event' || alert.kind === 'text') return renderGenericCard(alert, incident, options);
  return (
    fitted(options, (ctx) =>
      alert.kind === 'alarm'
        ? { text: alarmFallback(alert.alarm, ctx), blocks: alarmBlocks(ctx, alert, incident) }
        : { text: cloudTrailFallback(alert, ctx), blocks: cloudTrailBlocks(ctx, alert, incident) },
    ) ?? minimalCard(alert, incident, options)
  );
}

/** The card of an EventBridge event of no specific kind, or of a text message. */
export function renderGenericCard(
  alert: EventAlert | TextAlert,
  incident: IncidentView,
  options: AlertCardOptions,
): SlackMessage {
  return (
    fitted(options, (ctx) =>
      alert.kind === 'event'
        ? {
            text: `${untrusted(alert.detailType, size(ctx, 150))} · ${untrusted(alert.source, 100)} · ${accountText(ctx, alert.account)}`,
            blocks: eventBlocks(ctx, alert, incident),
          }
        : {
            text: untrusted(alert.subject ?? alert.text, size(ctx, 300)) || 'Notification',
            blocks: textBlocks(ctx, alert, incident),
          },
    ) ?? minimalCard(alert, incident, options)
  );
}

/** Renders with caps of full size, then smaller, until the card keeps every Block Kit limit. */
function fitted(options: AlertCardOptions, render: (ctx: Ctx) => SlackMessage): SlackMessage | null {
  for (const k of [1, 0.5, 0.25, 0.1]) {
    const message = render({ k, alias: options.accountAlias, now: options.now ?? null });
    if (blockKitViolations(message).length === 0) return message;
  }
  return null;
}

function titleOf(alert: Alert): string {
  switch (alert.kind) {
    case 'alarm':
      return alert.alarm.name;
    case 'cloudtrail':
      return alert.record.eventName || alert.detailType;
    case 'event':
      return alert.detailType;
    case 'text':
      return alert.subject ?? 'Notification';
  }
}

/** A card that always fits: the title, the incident line and the buttons. Never expected to be needed. */
function minimalCard(alert: Alert, incident: IncidentView, options: AlertCardOptions): SlackMessage {
  const ctx: Ctx = { k: 0.1, alias: null, now: options.now ?? null };
  const title = untrusted(titleOf(alert), 100) || 'Alert';
  return {
    text: title,
    blocks: [
      header('⚠️', titleOf(alert)),
      section(`${title} (too long to show; use Show event)`),
      ...closing(incident, ctx, alert.kind !== 'text'),
    ],
  };
}

/**
 * The thread reply for a notification of an existing incident: `OK → ALARM at <date> · reason` for an alarm
 * (`previous` is the incident's previous notification, else the alarm's own OldStateValue is used), one line
 * for another CloudTrail event, a few key fields for other events, the text for text.
 */
export function renderStateChangeReply(alert: Alert, previous: Alert | null): SlackMessage {
  const ctx: Ctx = { k: 1, alias: null, now: null };
  let text: string;
  let body: string[];
  switch (alert.kind) {
    case 'alarm': {
      const a = alert.alarm;
      const from = previous?.kind === 'alarm' ? previous.alarm.state : a.previousState;
      const change = `${from ?? '?'} → ${a.state}`;
      text = `${change}: ${untrusted(a.name, 150)}`;
      body = [
        `${STATE_EMOJI[a.state]} *${change}* at ${time(a.stateChangeTime)}${a.reason === null ? '' : ` · ${u(a.reason, 600)}`}`,
      ];
      break;
    }
    case 'cloudtrail': {
      const r = alert.record;
      const failure = failureText(r);
      text = cloudTrailFallback(alert, { ...ctx, alias: null });
      body = [
        `${failure === null ? '🔶' : '⛔'} *${u(r.eventName || alert.detailType, 100)}* by *${u(r.actor.display, 120)}* at ${time(r.eventTime || alert.eventBridge.time)} from ${u(r.sourceIp, 80)} · ${u(r.client.display, 80)}`,
      ];
      if (failure !== null) body.push(`:x: ${u(failure, 300)}`);
      if (r.resources.length > 0)
        body.push(
          `on ${r.resources
            .slice(0, 3)
            .map((x) => u(x.name, 150))
            .join(', ')}`,
        );
      for (const t of r.transitions.slice(0, 5))
        body.push(`• ${u(t.resource, 150)}: ${u(t.from ?? '∅', 40)} → ${u(t.to, 40)}`);
      break;
    }
    case 'event': {
      text = `${untrusted(alert.detailType, 150)} · ${untrusted(alert.source, 100)}`;
      body = [`📣 *${u(alert.detailType, 150)}* at ${time(alert.time)}`];
      if (isObject(alert.detail)) body.push(...keyFieldLines(ctx, alert.detail, 5));
      break;
    }
    case 'text': {
      text = untrusted(alert.subject ?? alert.text, 300) || 'Notification';
      body = [
        ...(alert.subject === null ? [] : [`*${u(alert.subject, 150)}*`]),
        ...(alert.json === null ? textLines(ctx, alert.text, 15) : keyFieldLines(ctx, alert.json, 8)),
      ];
      break;
    }
  }
  return { text: fitUnits(text, LIMITS.fallbackText), blocks: [linesSection(body[0] ?? '—', body.slice(1))] };
}

/** The JSON "Show event" opens: the notification, the CloudTrail record, the event, or the message's JSON. */
export function eventJsonOf(alert: Alert): unknown {
  switch (alert.kind) {
    case 'alarm':
    case 'cloudtrail':
    case 'event':
      return alert.raw;
    case 'text':
      return alert.json ?? alert.text;
  }
}

/** Characters of (escaped) JSON per code section: under 3000 with the fences. */
const MODAL_CHUNK = 2900;
/** Raw characters cut from one line at a time: escaping can grow them fivefold (`&` → `&amp;`). */
const MODAL_PIECE = 580;
const MODAL_MAX_SECTIONS = 40;
export const MODAL_TITLE_MAX = 24;

function prettyJson(raw: unknown): string {
  try {
    return JSON.stringify(raw, null, 2) ?? String(raw);
  } catch {
    return '(this event could not be shown: it is nested too deeply)';
  }
}

/**
 * The "Show event" modal: the event as pretty-printed JSON in code blocks of under 3000 characters each.
 * Unsafe characters are made visible, `&`, `<`, `>` escaped, a backtick fence inside a value broken up; a
 * value line longer than 2000 characters is cut, and what passes 40 sections is left off, said at the end.
 */
export function renderEventModal(raw: unknown, title = 'Event'): ModalView {
  const json = prettyJson(raw);
  const pieces: string[] = [];
  for (const line of json.split('\n')) {
    const clean = cleanText(line, 2000).replace(/`{3,}/g, (fence) => fence.split('').join(' '));
    for (let i = 0; i < clean.length || i === 0; i += MODAL_PIECE) {
      pieces.push(mrkdwnEscape(clean.slice(i, i + MODAL_PIECE)));
      if (clean.length === 0) break;
    }
  }
  const blocks: KnownBlock[] = [];
  let chunk = '';
  let left = 0;
  for (const piece of pieces) {
    if (blocks.length >= MODAL_MAX_SECTIONS) {
      left += 1;
      continue;
    }
    if (chunk.length > 0 && chunk.length + 1 + piece.length > MODAL_CHUNK) {
      blocks.push(section(`\`\`\`\n${chunk}\n\`\`\``));
      chunk = '';
      if (blocks.length >= MODAL_MAX_SECTIONS) {
        left += 1;
        continue;
      }
    }
    chunk = chunk.length === 0 ? piece : `${chunk}\n${piece}`;
  }
  if (chunk.length > 0 && blocks.length < MODAL_MAX_SECTIONS) blocks.push(section(`\`\`\`\n${chunk}\n\`\`\``));
  if (left > 0) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`… ${plural(left, 'more line')} not shown (the event is longer than a modal holds)`)],
    });
  }
  const name = fitUnits(cleanText(title, MODAL_TITLE_MAX) || 'Event', MODAL_TITLE_MAX);
  return {
    type: 'modal',
    title: { type: 'plain_text', text: name, emoji: false },
    close: { type: 'plain_text', text: 'Close', emoji: false },
    blocks,
  };
}

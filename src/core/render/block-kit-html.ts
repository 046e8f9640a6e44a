/**
 * A Slack message body (`{text, blocks}`) as an HTML fragment that looks as Slack shows it, for local mode's
 * channel page: header, section (text, fields, accessory), context, divider, actions, image, rich_text, markdown
 * and input blocks; buttons the page can press; other interactive elements as disabled controls. Pure.
 *
 * The input is untyped JSON from whatever posted it, so nothing is assumed about its shape: a value that is not
 * what Block Kit says is skipped, an unknown block shows as `[unsupported block: TYPE]`, and nothing throws.
 * Every string shown or put in an attribute goes through `escapeHtml` (mrkdwn-html.ts); the tags and attributes
 * in the output are only the ones written here. Links are written only for http(s) and mailto URLs, images only
 * for http(s) URLs (lazy, without a referrer).
 *
 * A button is `<button type="button" class="bk-button [bk-primary|bk-danger]" data-action-id data-block-id
 * data-value data-confirm>`: the page's script sends a press from those attributes, which decode back to exactly
 * the payload's strings (NUL aside, which HTML cannot carry). The class names are the page stylesheet's
 * (local-page/page.css).
 */
import {
  escapeHtml,
  isLinkUrl,
  isWebUrl,
  linkHtml,
  mentionHtml,
  mrkdwnToHtml,
  mrkdwnToPlainText,
  plainTextHtml,
  replaceShortcodes,
  textHtml,
} from './mrkdwn-html.js';

export interface MessageBody {
  text?: string | undefined;
  blocks?: readonly unknown[] | undefined;
}

type Json = Readonly<Record<string, unknown>>;

function record(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function string(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A type name from the payload, for a note: capped and escaped. */
function typeName(value: unknown): string {
  const name = string(value) ?? typeof value;
  return escapeHtml(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

/** An element the page does not show, as a visible note. */
function unsupportedElement(type: unknown): string {
  return `<span class="bk-unsupported">[unsupported element: ${typeName(type)}]</span>`;
}

/** A block the page does not show (or that is not a block at all), as a visible note. */
function unsupportedBlock(type: unknown): string {
  return `<div class="bk-unsupported">[unsupported block: ${typeName(type)}]</div>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text objects

/** A text object (`plain_text` or `mrkdwn`) as HTML; anything else as nothing. */
function textObjectHtml(value: unknown): string {
  const t = record(value);
  const text = string(t?.text);
  if (t === null || text === null) return '';
  if (t.type === 'mrkdwn') return mrkdwnToHtml(text);
  if (t.type === 'plain_text') return plainTextHtml(text, t.emoji !== false);
  return '';
}

/** A text object as the plain text a person reads (for a confirm dialog). */
function textObjectPlain(value: unknown): string {
  const t = record(value);
  const text = string(t?.text);
  if (t === null || text === null) return '';
  if (t.type === 'mrkdwn') return mrkdwnToPlainText(text);
  return t.emoji === false ? text : replaceShortcodes(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Elements

function attribute(name: string, value: string | null): string {
  return value === null ? '' : ` ${name}="${escapeHtml(value)}"`;
}

/** The confirm dialog's question, for the page's `window.confirm`. */
function confirmText(value: unknown): string | null {
  const confirm = record(value);
  if (confirm === null) return null;
  const text = textObjectPlain(confirm.text);
  const title = textObjectPlain(confirm.title);
  if (text !== '') return text;
  return title !== '' ? title : 'Are you sure?';
}

function buttonHtml(e: Json, blockId: string | null): string {
  const style = e.style === 'primary' ? ' bk-primary' : e.style === 'danger' ? ' bk-danger' : '';
  const label = textObjectHtml(e.text);
  const url = string(e.url);
  if (url !== null) {
    if (isWebUrl(url)) return linkHtml(url, label, `bk-button${style}`);
    return `<span class="bk-button bk-inert${style}">${label}</span>`;
  }
  return (
    `<button type="button" class="bk-button${style}"` +
    attribute('data-action-id', string(e.action_id)) +
    attribute('data-block-id', blockId) +
    attribute('data-value', string(e.value)) +
    attribute('data-confirm', confirmText(e.confirm)) +
    `>${label}</button>`
  );
}

function imageHtml(e: Json, className: string): string {
  const url = string(e.image_url);
  const alt = string(e.alt_text) ?? '';
  if (url === null || !isWebUrl(url)) return `<span class="bk-image-alt">${textHtml(alt)}</span>`;
  return (
    `<img class="${className}" src="${escapeHtml(url)}" alt="${escapeHtml(alt)}"` +
    ' loading="lazy" referrerpolicy="no-referrer">'
  );
}

/** What a select-like element shows while nothing is chosen. */
const CONTROL_DEFAULTS: Readonly<Record<string, string>> = {
  static_select: 'Select an item',
  external_select: 'Select an item',
  users_select: 'Select a user',
  conversations_select: 'Select a conversation',
  channels_select: 'Select a channel',
  multi_static_select: 'Select items',
  multi_external_select: 'Select items',
  multi_users_select: 'Select users',
  multi_conversations_select: 'Select conversations',
  multi_channels_select: 'Select channels',
  datepicker: 'Select a date',
  timepicker: 'Select a time',
  datetimepicker: 'Select a date and time',
  plain_text_input: '',
  email_text_input: '',
  url_text_input: '',
  number_input: '',
  radio_buttons: 'Choose one',
  checkboxes: 'Choose any',
};

/** A select, picker or input the page cannot operate: a disabled control showing its placeholder. */
function controlHtml(e: Json, type: string): string {
  const chosen = record(e.initial_option);
  const shown =
    textObjectHtml(e.placeholder) ||
    textObjectHtml(chosen?.text) ||
    escapeHtml(string(e.initial_date) ?? string(e.initial_time) ?? string(e.initial_value) ?? '') ||
    escapeHtml(CONTROL_DEFAULTS[type] ?? '');
  // A disabled select shows its first option; an option holds text only, so tags from mrkdwn are dropped.
  const text = shown.replace(/<br>/g, ' ').replace(/<[^>]*>/g, '');
  return `<select class="bk-select" disabled><option>${text}</option></select>`;
}

function elementHtml(value: unknown, blockId: string | null): string {
  const e = record(value);
  if (e === null) return '';
  const type = string(e.type) ?? '';
  if (type === 'button') return buttonHtml(e, blockId);
  if (type === 'image') return imageHtml(e, 'bk-element-image');
  if (type === 'overflow') return '<button type="button" class="bk-overflow" disabled aria-label="More">⋯</button>';
  if (Object.hasOwn(CONTROL_DEFAULTS, type)) return controlHtml(e, type);
  return unsupportedElement(e.type);
}

// ---------------------------------------------------------------------------------------------------------------
// rich_text

/** Inline styles of a rich text element, innermost first: code, strike, italic, bold. */
function styled(html: string, style: unknown): string {
  const s = record(style);
  if (s === null || html === '') return html;
  let out = html;
  if (s.code === true) out = `<code>${out}</code>`;
  if (s.strike === true) out = `<s>${out}</s>`;
  if (s.italic === true) out = `<em>${out}</em>`;
  if (s.bold === true) out = `<strong>${out}</strong>`;
  return out;
}

function emojiHtml(e: Json): string {
  const name = string(e.name) ?? '';
  const known = replaceShortcodes(`:${name}:`);
  if (known !== `:${name}:`) return escapeHtml(known);
  const unicode = string(e.unicode);
  if (unicode !== null && /^[0-9a-f]{1,6}(?:-[0-9a-f]{1,6})*$/i.test(unicode)) {
    const points = unicode.split('-').map((hex) => Number.parseInt(hex, 16));
    if (points.every((p) => p <= 0x10ffff && (p < 0xd800 || p > 0xdfff))) {
      return escapeHtml(String.fromCodePoint(...points));
    }
  }
  return escapeHtml(`:${name}:`);
}

function dateHtml(e: Json): string {
  const fallback = string(e.fallback);
  if (fallback !== null) return textHtml(fallback);
  const ms = typeof e.timestamp === 'number' ? e.timestamp * 1000 : Number.NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '';
  return escapeHtml(`${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
}

function richInlineHtml(value: unknown): string {
  const e = record(value);
  if (e === null) return '';
  switch (e.type) {
    case 'text':
      return styled(textHtml(string(e.text) ?? ''), e.style);
    case 'link': {
      const url = string(e.url) ?? '';
      const label = string(e.text) ?? '';
      const inner = styled(textHtml(label !== '' ? label : url), e.style);
      return isLinkUrl(url) ? linkHtml(url, inner) : inner;
    }
    case 'user':
      return mentionHtml(`@${string(e.user_id) ?? ''}`);
    case 'usergroup':
      return mentionHtml(`@${string(e.usergroup_id) ?? ''}`);
    case 'channel':
      return mentionHtml(`#${string(e.channel_id) ?? ''}`);
    case 'broadcast':
      return mentionHtml(`@${string(e.range) ?? ''}`);
    case 'emoji':
      return emojiHtml(e);
    case 'date':
      return dateHtml(e);
    case 'color':
      return textHtml(string(e.value) ?? '');
    default:
      return unsupportedElement(e.type);
  }
}

function richInlinesHtml(value: unknown): string {
  return list(record(value)?.elements).map(richInlineHtml).join('');
}

function richElementHtml(value: unknown): string {
  const e = record(value);
  if (e === null) return '';
  switch (e.type) {
    case 'rich_text_section':
      return `<div class="bk-rt-section">${richInlinesHtml(e)}</div>`;
    case 'rich_text_preformatted':
      return `<pre>\n${richInlinesHtml(e)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote>${richInlinesHtml(e)}</blockquote>`;
    case 'rich_text_list': {
      const tag = e.style === 'ordered' ? 'ol' : 'ul';
      const indent = typeof e.indent === 'number' && e.indent > 0 ? Math.min(8, Math.floor(e.indent)) : 0;
      const items = list(e.elements).map((item) => `<li>${richInlinesHtml(item)}</li>`);
      return `<${tag} class="bk-rt-list bk-indent-${indent}">${items.join('')}</${tag}>`;
    }
    default:
      return unsupportedElement(e.type);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Blocks

function sectionHtml(b: Json, blockId: string | null): string {
  const text = textObjectHtml(b.text);
  const fields = list(b.fields).map((f) => `<div class="bk-field">${textObjectHtml(f)}</div>`);
  const accessory = b.accessory === undefined ? '' : elementHtml(b.accessory, blockId);
  return (
    '<div class="bk-section"><div class="bk-section-main">' +
    (text === '' ? '' : `<div class="bk-section-text">${text}</div>`) +
    (fields.length === 0 ? '' : `<div class="bk-fields">${fields.join('')}</div>`) +
    '</div>' +
    (accessory === '' ? '' : `<div class="bk-accessory">${accessory}</div>`) +
    '</div>'
  );
}

function contextItemHtml(value: unknown): string {
  const e = record(value);
  if (e === null) return '';
  const html = e.type === 'image' ? imageHtml(e, 'bk-context-image') : textObjectHtml(e);
  return `<div class="bk-context-item">${html}</div>`;
}

function imageBlockHtml(b: Json): string {
  const title = textObjectHtml(b.title);
  return (
    '<div class="bk-image">' +
    (title === '' ? '' : `<div class="bk-image-title">${title}</div>`) +
    imageHtml(b, 'bk-image-img') +
    '</div>'
  );
}

function inputHtml(b: Json, blockId: string | null): string {
  return (
    `<div class="bk-input"><div class="bk-input-label">${textObjectHtml(b.label)}</div>` +
    `${elementHtml(b.element, blockId)}</div>`
  );
}

function blockHtml(value: unknown): string {
  const b = record(value);
  if (b === null) return unsupportedBlock(value === null ? 'null' : typeof value);
  const blockId = string(b.block_id);
  switch (b.type) {
    case 'header':
      return `<div class="bk-header">${textObjectHtml(b.text)}</div>`;
    case 'section':
      return sectionHtml(b, blockId);
    case 'context':
      return `<div class="bk-context">${list(b.elements).map(contextItemHtml).join('')}</div>`;
    case 'divider':
      return '<hr class="bk-divider">';
    case 'actions':
      return `<div class="bk-actions">${list(b.elements)
        .map((e) => elementHtml(e, blockId))
        .join('')}</div>`;
    case 'image':
      return imageBlockHtml(b);
    case 'rich_text':
      return `<div class="bk-rich-text">${list(b.elements).map(richElementHtml).join('')}</div>`;
    case 'markdown':
      return `<div class="bk-markdown">${textHtml(string(b.text) ?? '')}</div>`;
    case 'input':
      return inputHtml(b, blockId);
    default:
      return unsupportedBlock(b.type);
  }
}

function bodyHtml(message: unknown): string {
  const m = record(message);
  const blocks = list(m?.blocks);
  if (blocks.length > 0) return blocks.map(blockHtml).join('');
  const text = string(m?.text);
  return text === null || text === '' ? '' : `<div class="bk-text">${mrkdwnToHtml(text)}</div>`;
}

/**
 * A message body as Slack would show it, as one `div.bk-message`. Its blocks when it has any, else its `text` as
 * mrkdwn. Never throws: a shape that breaks even the defensive reading above shows as a note.
 */
export function renderMessageHtml(message: MessageBody): string {
  let body: string;
  try {
    body = bodyHtml(message);
  } catch {
    body = '<div class="bk-unsupported">[this message could not be shown]</div>';
  }
  return `<div class="bk-message">${body}</div>`;
}

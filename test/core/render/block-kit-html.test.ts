/**
 * The Block Kit → HTML renderer of the local channel page: every hostile string through every text position
 * comes out as text (the output, read by a small tag scanner, holds only the renderer's own tags and attributes,
 * and decoding it gives the original back); any JSON at all renders without throwing and stays well formed; and
 * the messages Trailbot really posts keep their structure (headers, fields, dividers, buttons and their ids).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { AlarmPattern } from '../../../src/core/alerts/alarm-filter.js';
import { evaluationWindow } from '../../../src/core/alerts/evaluation-window.js';
import { incidentKeyOf } from '../../../src/core/alerts/incident-key.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import { renderActionReply } from '../../../src/core/alerts/render-action-reply.js';
import {
  ALERT_ACTIONS,
  renderAlertCard,
  renderEventModal,
  renderStateChangeReply,
} from '../../../src/core/alerts/render-alert-card.js';
import { renderEnrichment, renderNoPattern } from '../../../src/core/alerts/render-enrichment.js';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import { HELP_TEXT } from '../../../src/core/query/usage.js';
import {
  answerMessage,
  failedMessage,
  helpMessage,
  lookingMessage,
  refusedMessage,
  usageMessage,
} from '../../../src/core/render/answer-message.js';
import { renderMessageHtml } from '../../../src/core/render/block-kit-html.js';
import { packRule } from '../../../src/core/rules/cis-pack.js';
import type { SlackMessage } from '../../../src/core/slack/block-kit-limits.js';
import { mrkdwnEscape } from '../../../src/core/text/slack-mrkdwn.js';
import { answerQuery } from '../../../src/flows/answer-query.js';
import { openSource } from '../../../src/outbound/event-sources/open-source.js';
import { HOSTILE_STRINGS } from '../../helpers/hostile-strings.js';
import { incidentView } from '../../helpers/incident-view.js';

// ---------------------------------------------------------------------------------------------------------------
// A small scanner for the renderer's HTML: tags, attributes, text, and everything it must not contain.

interface Element {
  name: string;
  attrs: Map<string, string>;
  children: Node[];
}
type Node = Element | string;

/** The tags and attributes the renderer writes; anything else in its output is an injection. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  div: ['class'],
  span: ['class'],
  strong: [],
  em: [],
  s: [],
  code: [],
  pre: [],
  blockquote: [],
  br: [],
  hr: ['class'],
  a: ['class', 'href', 'target', 'rel'],
  button: ['type', 'class', 'data-action-id', 'data-block-id', 'data-value', 'data-confirm', 'disabled', 'aria-label'],
  img: ['class', 'src', 'alt', 'loading', 'referrerpolicy'],
  select: ['class', 'disabled'],
  option: [],
  ul: ['class'],
  ol: ['class'],
  li: [],
};
const VOID = new Set(['br', 'hr', 'img']);
const CLASS = /^bk-[a-z0-9-]+$/;
const ENTITY = /&(amp|lt|gt|quot|#39|#13);/g;
const DECODED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' };

function decode(text: string): string {
  expect(text.replace(ENTITY, '')).not.toMatch(/[&<>"']/);
  return text.replace(ENTITY, (_, name: string) => DECODED[name] ?? '');
}

/** Parses the fragment, failing the test on anything the renderer would not have written. */
function parse(html: string): Element {
  const root: Element = { name: '#root', attrs: new Map(), children: [] };
  const stack: Element[] = [root];
  const top = (): Element => stack[stack.length - 1] as Element;
  const tag = /<(\/?)([a-z]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/y;
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    const text = html.slice(at, lt === -1 ? html.length : lt);
    if (text !== '') top().children.push(decode(text));
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(html);
    if (m === null) throw new Error(`not a tag at ${lt}: ${html.slice(lt, lt + 40)}`);
    const [whole, closing, name = '', attrText = ''] = m;
    const allowed = ALLOWED[name];
    if (allowed === undefined || !Object.hasOwn(ALLOWED, name))
      throw new Error(`a tag the renderer never writes: ${name}`);
    if (closing === '/') {
      if (top().name !== name) throw new Error(`</${name}> closes <${top().name}>`);
      stack.pop();
    } else {
      const attrs = new Map<string, string>();
      for (const a of attrText.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
        const attr = a[1] ?? '';
        if (!allowed.includes(attr)) throw new Error(`an attribute the renderer never writes: ${name} ${attr}`);
        if (attrs.has(attr)) throw new Error(`a repeated attribute: ${name} ${attr}`);
        attrs.set(attr, decode(a[2] ?? ''));
      }
      for (const c of (attrs.get('class') ?? 'bk-x').split(' ')) expect(c).toMatch(CLASS);
      if (name === 'a') expect(attrs.get('href')).toMatch(/^(https?:\/\/|mailto:)\S/i);
      if (name === 'img') expect(attrs.get('src')).toMatch(/^https?:\/\/\S/i);
      const element: Element = { name, attrs, children: [] };
      top().children.push(element);
      if (!VOID.has(name)) stack.push(element);
    }
    at = lt + whole.length;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${top().name}>`);
  return root;
}

/** The text a browser shows for a node: `<br>` as a newline, the newline the parser drops after `<pre>` dropped. */
function textOf(node: Node): string {
  if (typeof node === 'string') return node;
  if (node.name === 'br') return '\n';
  const inner = node.children.map(textOf).join('');
  return node.name === 'pre' && inner.startsWith('\n') ? inner.slice(1) : inner;
}

function all(node: Node, match: (e: Element) => boolean, out: Element[] = []): Element[] {
  if (typeof node === 'string') return out;
  if (match(node)) out.push(node);
  for (const child of node.children) all(child, match, out);
  return out;
}

const withClass = (name: string) => (e: Element) => (e.attrs.get('class') ?? '').split(' ').includes(name);
const named = (name: string) => (e: Element) => e.name === name;

function render(message: unknown): Element {
  const html = renderMessageHtml(message as SlackMessage);
  const root = parse(html);
  expect(root.children).toHaveLength(1);
  const [message_] = all(root, withClass('bk-message'));
  expect(message_?.name).toBe('div');
  return root;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile text in every position

const HOSTILE = [
  ...HOSTILE_STRINGS,
  '<img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  "' onmouseover='alert(1)",
  'x" data-action-id="trail_all_events" data-value="{&quot;q&quot;:&quot;scan&quot;}',
  '{{constructor.constructor("alert(1)")()}}',
  'line\u2028separator\u2029paragraph',
  'nul\u0000byte',
  '&amp;&lt;&gt;&quot;&#39;&#13;',
  '\r\n\r',
  '</div></div><div class="bk-header">forged',
];

/** What HTML can carry of a string: NUL is replaced by U+FFFD (the renderer does it, as every HTML parser would). */
const carried = (s: string) => s.replace(/\0/g, '\uFFFD');

/** The runs of a string that mrkdwn never reinterprets (emoji codes aside): each must show literally once escaped. */
const literalRuns = (s: string) =>
  carried(s)
    .replace(/:[a-z_]+:/g, ' ')
    .split(/[\s*_~`:]+/u)
    .filter((run) => run !== '');

describe('hostile strings in every text position', () => {
  test.each(HOSTILE.map((h) => [h]))('%j', (h) => {
    const escaped = mrkdwnEscape(h);
    const root = render({
      text: h,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: h, emoji: false } },
        { type: 'section', block_id: 'text', text: { type: 'mrkdwn', text: escaped, verbatim: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: escaped },
            { type: 'plain_text', text: h, emoji: false },
          ],
          accessory: { type: 'button', text: { type: 'plain_text', text: h, emoji: false }, action_id: h, value: h },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: escaped },
            { type: 'plain_text', text: h, emoji: false },
            { type: 'image', image_url: h, alt_text: h },
          ],
        },
        {
          type: 'actions',
          block_id: h,
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: h, emoji: false },
              action_id: h,
              value: h,
              style: 'danger',
              confirm: {
                title: { type: 'plain_text', text: 'Sure?' },
                text: { type: 'plain_text', text: h, emoji: false },
              },
            },
            { type: 'static_select', placeholder: { type: 'plain_text', text: h, emoji: false } },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: `<javascript:alert(1)|${escaped}> <${escaped}>` } },
        {
          type: 'image',
          image_url: 'javascript:alert(1)',
          alt_text: h,
          title: { type: 'plain_text', text: h, emoji: false },
        },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: h, style: { bold: true, code: true } },
                { type: 'link', url: 'javascript:alert(1)', text: h },
                { type: 'user', user_id: h },
              ],
            },
          ],
        },
        { type: h },
      ],
    });

    // Plain text positions show the string exactly.
    const headers = all(root, withClass('bk-header'));
    expect(headers.map(textOf)).toEqual([carried(h)]);
    const fields = all(root, withClass('bk-field'));
    expect(fields.map(textOf)[1]).toBe(carried(h));
    const contextItems = all(root, withClass('bk-context-item')).map(textOf);
    expect(contextItems.slice(1)).toEqual([carried(h), carried(h)]);
    expect(textOf(all(root, withClass('bk-image'))[0] as Element)).toBe(carried(h) + carried(h));
    expect(textOf(all(root, withClass('bk-rich-text'))[0] as Element)).toBe(`${carried(h)}${carried(h)}@${carried(h)}`);

    // mrkdwn positions: escaped text is text, never a token, a mention or a link.
    const sectionText = textOf(all(root, withClass('bk-section-text'))[0] as Element);
    for (const run of literalRuns(h)) expect(sectionText).toContain(run);
    for (const run of literalRuns(h)) expect(textOf(fields[0] as Element)).toContain(run);
    for (const run of literalRuns(h)) expect(contextItems[0]).toContain(run);
    expect(all(root, named('a'))).toEqual([]);
    expect(all(root, named('img'))).toEqual([]);
    expect(all(root, withClass('bk-mention')).map(textOf)).toEqual([`@${carried(h)}`]);

    // Buttons: label, action id, value, block id and confirm text round-trip exactly through the attributes.
    const buttons = all(root, withClass('bk-button'));
    expect(buttons.map((b) => b.name)).toEqual(['button', 'button']);
    for (const b of buttons) {
      expect(textOf(b)).toBe(carried(h));
      expect(b.attrs.get('data-action-id')).toBe(carried(h));
      expect(b.attrs.get('data-value')).toBe(carried(h));
    }
    expect(buttons[0]?.attrs.get('data-block-id')).toBeUndefined();
    expect(buttons[1]?.attrs.get('data-block-id')).toBe(carried(h));
    expect(buttons[1]?.attrs.get('data-confirm')).toBe(carried(h));
    expect(buttons[1]?.attrs.get('class')).toBe('bk-button bk-danger');

    // The unknown block is a visible note naming its (escaped) type.
    const note = all(root, withClass('bk-unsupported')).map(textOf);
    expect(note).toEqual([`[unsupported block: ${carried(h.length > 60 ? `${h.slice(0, 60)}…` : h)}]`]);
  });

  test('raw (unescaped) hostile text may format, mention or link, but only with the renderer’s own markup', () => {
    for (const h of HOSTILE) {
      const root = render({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: h } }] });
      for (const a of all(root, named('a'))) {
        expect(a.attrs.get('href')).toMatch(/^https:\/\/evil\.example\//);
        expect(a.attrs.get('rel')).toBe('noopener noreferrer');
      }
    }
  });

  test('link URLs: only http(s) and mailto become links, and a URL round-trips through href', () => {
    const hostileUrl = 'https://x.example/?a=1&b="><script>alert(1)</script>\'';
    const root = render({
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              '<javascript:alert(1)|click>',
              '<JaVaScRiPt:alert(1)>',
              '<data:text/html,<b>x</b>|data>',
              '<vbscript:msgbox|vb>',
              `<${mrkdwnEscape(hostileUrl)}|hostile>`,
              '<mailto:sec@example.com|mail>',
              '<https://example.com/a?b=1&amp;c=2>',
            ].join(' '),
          },
        },
      ],
    });
    const links = all(root, named('a'));
    expect(links.map((a) => a.attrs.get('href'))).toEqual([
      hostileUrl,
      'mailto:sec@example.com',
      'https://example.com/a?b=1&c=2',
    ]);
    expect(links.map(textOf)).toEqual(['hostile', 'mail', 'https://example.com/a?b=1&c=2']);
    for (const a of links)
      expect([a.attrs.get('target'), a.attrs.get('rel')]).toEqual(['_blank', 'noopener noreferrer']);
    const text = textOf(root);
    expect(text).toContain('click');
    expect(text).toContain('javascript:alert(1)'.replace('javascript', 'JaVaScRiPt'));
  });

  test('images load only from http(s), lazily, without a referrer, with the alt text escaped', () => {
    const alt = '"><script>alert(1)</script>';
    const root = render({
      blocks: [
        { type: 'image', image_url: 'https://example.com/a.png?x="onerror="alert(1)', alt_text: alt },
        { type: 'image', image_url: 'javascript:alert(1)', alt_text: 'no' },
        { type: 'context', elements: [{ type: 'image', image_url: 'http://example.com/i.png', alt_text: 'icon' }] },
      ],
    });
    const images = all(root, named('img'));
    expect(images.map((i) => [i.attrs.get('src'), i.attrs.get('alt')])).toEqual([
      ['https://example.com/a.png?x="onerror="alert(1)', alt],
      ['http://example.com/i.png', 'icon'],
    ]);
    for (const i of images) {
      expect(i.attrs.get('loading')).toBe('lazy');
      expect(i.attrs.get('referrerpolicy')).toBe('no-referrer');
    }
    expect(textOf(root)).toContain('no');
  });

  test('a url button is a link only for http(s)', () => {
    const label = { type: 'plain_text', text: 'Open' };
    const root = render({
      blocks: [
        {
          type: 'actions',
          elements: [
            { type: 'button', text: label, url: 'https://console.aws.amazon.com/', style: 'primary', action_id: 'o' },
            { type: 'button', text: label, url: 'javascript:alert(1)', action_id: 'j' },
          ],
        },
      ],
    });
    const links = all(root, named('a'));
    expect(links.map((a) => [a.attrs.get('href'), a.attrs.get('class'), textOf(a)])).toEqual([
      ['https://console.aws.amazon.com/', 'bk-button bk-primary', 'Open'],
    ]);
    expect(all(root, named('button'))).toEqual([]);
    expect(textOf(root)).toBe('OpenOpen');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Any shape at all

const TEXT = fc.oneof(fc.string(), fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme' }));
const TEXT_OBJECT = fc.record(
  { type: fc.constantFrom('mrkdwn', 'plain_text', 'other'), text: fc.oneof(TEXT, fc.anything()), emoji: fc.boolean() },
  { requiredKeys: ['type'] },
);
const ELEMENT = fc.record(
  {
    type: fc.constantFrom('button', 'image', 'overflow', 'static_select', 'datepicker', 'mrkdwn', 'plain_text', 'x'),
    text: fc.oneof(TEXT_OBJECT, TEXT),
    action_id: TEXT,
    value: fc.oneof(TEXT, fc.anything()),
    url: fc.oneof(TEXT, fc.constant('https://example.com/')),
    style: fc.constantFrom('primary', 'danger', 'x'),
    image_url: fc.oneof(TEXT, fc.constant('https://example.com/i.png')),
    alt_text: fc.oneof(TEXT, fc.anything()),
    placeholder: TEXT_OBJECT,
    confirm: fc.record({ title: TEXT_OBJECT, text: TEXT_OBJECT }),
  },
  { requiredKeys: ['type'] },
);
const RICH_INLINE = fc.record(
  {
    type: fc.constantFrom('text', 'link', 'user', 'channel', 'emoji', 'date', 'broadcast', 'x'),
    text: TEXT,
    url: TEXT,
    user_id: TEXT,
    name: TEXT,
    unicode: fc.oneof(TEXT, fc.constantFrom('1f6a8', '110000', 'd800', '1f1fa-1f1f8')),
    timestamp: fc.oneof(fc.double(), fc.integer()),
    style: fc.record({ bold: fc.boolean(), italic: fc.boolean(), strike: fc.boolean(), code: fc.boolean() }),
  },
  { requiredKeys: ['type'] },
);
const BLOCK = fc.record(
  {
    type: fc.constantFrom(
      'header',
      'section',
      'context',
      'divider',
      'actions',
      'image',
      'rich_text',
      'markdown',
      'input',
      'video',
    ),
    block_id: TEXT,
    text: fc.oneof(TEXT_OBJECT, TEXT),
    fields: fc.array(fc.oneof(TEXT_OBJECT, fc.anything()), { maxLength: 4 }),
    accessory: fc.oneof(ELEMENT, fc.anything()),
    elements: fc.array(
      fc.oneof(
        ELEMENT,
        fc.record({
          type: fc.constantFrom('rich_text_section', 'rich_text_list', 'rich_text_quote', 'rich_text_preformatted'),
          style: fc.constantFrom('bullet', 'ordered'),
          indent: fc.integer(),
          elements: fc.array(fc.oneof(RICH_INLINE, fc.record({ elements: fc.array(RICH_INLINE) })), { maxLength: 4 }),
        }),
        fc.anything(),
      ),
      { maxLength: 4 },
    ),
    image_url: TEXT,
    alt_text: TEXT,
    title: TEXT_OBJECT,
    label: TEXT_OBJECT,
    element: ELEMENT,
  },
  { requiredKeys: ['type'] },
);

describe('any input', () => {
  const check = (message: unknown): void => {
    const html = renderMessageHtml(message as SlackMessage);
    parse(html);
    expect(html).not.toContain('could not be shown');
  };

  test('fc.anything() as the message, its blocks or its text: no throw, well formed', () => {
    fc.assert(fc.property(fc.anything(), check), { numRuns: 500 });
    fc.assert(
      fc.property(fc.array(fc.anything()), (blocks) => check({ blocks })),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (text) => check({ text })),
      { numRuns: 200 },
    );
  });

  test('block-shaped values with random and hostile strings: no throw, well formed', () => {
    fc.assert(
      fc.property(fc.array(BLOCK, { maxLength: 6 }), TEXT, (blocks, text) => check({ text, blocks })),
      { numRuns: 1000 },
    );
  });

  test('mrkdwn made of its own syntax: no throw, well formed', () => {
    const piece = fc.constantFrom(
      '*',
      '_',
      '~',
      '`',
      '```',
      '<',
      '>',
      '|',
      '&amp;',
      '&lt;',
      '&gt;',
      '&',
      '\n',
      ' ',
      'a',
      ':',
      ':x:',
      '<@U1>',
      '<https://a.example|b>',
      '<!date^1^{date}|d>',
      '&gt; ',
      'é',
      '\u{1F6A8}',
      '\uD800',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        check({ text });
        check({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
      }),
      { numRuns: 2000 },
    );
  });

  test('long hostile input renders in about linear time (unclosed markers, tokens and code spans)', () => {
    const text = `${'*a <b `c :d'.repeat(20_000)}\n${'<'.repeat(50_000)}>`;
    const started = performance.now();
    const html = renderMessageHtml({ text });
    // About 0.1 s here; a quadratic scan of these 270,000 characters would take minutes.
    expect(performance.now() - started).toBeLessThan(3000);
    parse(html);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The messages Trailbot posts

interface Shape {
  headers: string[];
  sections: number;
  fields: number;
  dividers: number;
  buttons: { actionId: string; value: string | undefined; blockId: string | undefined }[];
}

function blockShape(message: { blocks: readonly unknown[] }): Shape {
  const shape: Shape = { headers: [], sections: 0, fields: 0, dividers: 0, buttons: [] };
  for (const raw of message.blocks) {
    const b = raw as Record<string, unknown> & { elements?: unknown[]; fields?: unknown[] };
    const blockId = typeof b.block_id === 'string' ? b.block_id : undefined;
    if (b.type === 'header') shape.headers.push((b.text as { text: string }).text);
    if (b.type === 'section') shape.sections += 1;
    shape.fields += b.type === 'section' ? (b.fields?.length ?? 0) : 0;
    if (b.type === 'divider') shape.dividers += 1;
    const elements = b.type === 'actions' ? (b.elements ?? []) : b.type === 'section' ? [b.accessory] : [];
    for (const e of elements as ({ type?: string; action_id: string; value?: string; url?: string } | undefined)[]) {
      if (e?.type === 'button' && e.url === undefined)
        shape.buttons.push({ actionId: e.action_id, value: e.value, blockId });
    }
  }
  return shape;
}

function htmlShape(root: Element): Shape {
  return {
    headers: all(root, withClass('bk-header')).map(textOf),
    sections: all(root, withClass('bk-section')).length,
    fields: all(root, withClass('bk-field')).length,
    dividers: all(root, (e) => e.name === 'hr' && withClass('bk-divider')(e)).length,
    buttons: all(root, (e) => e.name === 'button' && withClass('bk-button')(e)).map((b) => ({
      actionId: b.attrs.get('data-action-id') ?? '',
      value: b.attrs.get('data-value'),
      blockId: b.attrs.get('data-block-id'),
    })),
  };
}

/** The shortcodes in src/core/render and src/core/alerts. */
const TRAILBOT_EMOJI = [
  'mag',
  'no_entry',
  'red_circle',
  'large_orange_circle',
  'white_circle',
  'x',
  'eyes',
  'zzz',
  'white_check_mark',
  'grey_question',
  'warning',
];

/** The page shows what Slack would: the same headers, sections, fields, dividers and buttons, nothing unsupported. */
function expectFaithful(message: { text?: string; blocks: readonly unknown[] }): Element {
  const root = render(message);
  expect(htmlShape(root)).toEqual(blockShape(message));
  expect(all(root, withClass('bk-unsupported'))).toEqual([]);
  // No shortcode Trailbot writes is left as text.
  const text = textOf(root);
  for (const name of TRAILBOT_EMOJI) expect(text).not.toContain(`:${name}:`);
  return root;
}

async function answerFor(text: string, buttons = { postToChannel: true, allEvents: true }) {
  const parsed = parseTrailQuery(text);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${text}`);
  const source = await openSource('samples');
  const answer = await answerQuery({ source, now: new Date('2023-07-11T00:00:00Z') }, parsed.query, {
    events: 0,
    defaultRegions: null,
  });
  return { answer, message: answerMessage(answer, text, buttons) };
}

describe('the messages Trailbot builds', () => {
  test.each(['who i-05c30218156bcc246', 'errors', 'event AuthorizeSecurityGroupIngress', 'scan', 'who nobody-at-all'])(
    'the answer to /trail %s',
    async (text) => {
      const { answer, message } = await answerFor(text);
      const root = expectFaithful(message);
      const shape = htmlShape(root);
      expect(shape.headers).toHaveLength(1);
      expect(shape.headers[0]?.length).toBeGreaterThan(0);
      const ids = shape.buttons.map((b) => b.actionId);
      expect(ids).toEqual(
        answer.matched > 0 ? ['trail_post_to_channel', 'trail_all_events'] : ['trail_post_to_channel'],
      );
      for (const b of shape.buttons) expect(JSON.parse(b.value ?? '')).toEqual({ q: text });
      // Date tokens show their fallback, never the token.
      expect(textOf(root)).not.toContain('<!date');
    },
  );

  test('a resource history shows its launch and termination', async () => {
    const { message } = await answerFor('who i-05c30218156bcc246', { postToChannel: false, allEvents: false });
    const root = expectFaithful(message);
    expect(htmlShape(root).buttons).toEqual([]);
    expect(htmlShape(root).headers[0]).toContain('i-05c30218156bcc246');
    expect(textOf(root)).toContain('bert-jan');
  });

  const FIXTURES = new URL('../../fixtures/sns/', import.meta.url);
  const NAMES = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

  function alertOf(name: string) {
    const n = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as {
      Message: string;
      Subject?: string;
      MessageId: string;
    };
    const alert = parseAlert(n.Message, n.Subject ?? null);
    return { alert, key: incidentKeyOf(alert, { groupingWindowMs: 3_600_000 }) ?? `msg:${n.MessageId}` };
  }

  test.each(NAMES.map((n) => [n]))('the alert card of %s', (name) => {
    const { alert, key } = alertOf(name);
    const card = renderAlertCard(alert, incidentView(key), { accountAlias: 'prod' });
    const shape = htmlShape(expectFaithful(card));
    expect(shape.headers).toHaveLength(1);
    expect(shape.buttons.length).toBeGreaterThanOrEqual(3);
    for (const b of shape.buttons) {
      expect(ALERT_ACTIONS).toContain(b.actionId);
      expect(b.value).toBe(key);
    }
    expectFaithful(renderStateChangeReply(alert, null));
  });

  test('an acknowledged card and the replies buttons leave', () => {
    const { alert, key } = alertOf('alarm-metric-alarm');
    const acked = renderAlertCard(
      alert,
      { ...incidentView(key), state: 'acknowledged', acknowledged: { user: 'U0123ABCD', at: '2023-07-10T12:15:00Z' } },
      { accountAlias: null },
    );
    const root = expectFaithful(acked);
    expect(htmlShape(root).buttons.map((b) => b.actionId)).not.toContain('alert_acknowledge');
    expect(all(root, withClass('bk-mention')).map(textOf)).toContain('@U0123ABCD');
    const reply = expectFaithful(renderActionReply('snooze-1h', 'U0123ABCD', new Date('2023-07-10T13:00:00Z')));
    expect(textOf(reply)).toBe(
      '💤 Snoozed for 1 hour by @U0123ABCD (new alerts stay in this thread until 2023-07-10 13:00 UTC)',
    );
  });

  test('the Show event modal shows the event as preformatted JSON', () => {
    const raw = { eventName: 'StopInstances', requestParameters: { note: '<!channel> & `x`' } };
    const view = renderEventModal(raw, 'StopInstances');
    const root = expectFaithful({ blocks: view.blocks });
    const pre = all(root, named('pre')).map(textOf).join('\n');
    expect(pre).toContain('"eventName": "StopInstances"');
    expect(pre).toContain('<!channel> & ');
  });

  test('the enrichment reply lists the events and carries the Investigate button', async () => {
    const cis10 = packRule('CloudWatch.10')?.pattern ?? '';
    const { answer } = await answerFor(`match ${cis10}`);
    const window = evaluationWindow(
      { stateChangeTime: '2023-07-10T12:10:42Z', period: 300, evaluationPeriods: 1 },
      { now: new Date('2023-07-10T14:00:00Z'), deliveryDelayMs: 15 * 60_000 },
    );
    const pattern: AlarmPattern = {
      pattern: cis10,
      sources: [
        {
          pattern: cis10,
          provenance: {
            kind: 'assumed',
            metric: { namespace: 'CloudTrailMetrics', metricName: 'SecurityGroupEventCount' },
            rule: 'CloudWatch.10',
          },
        },
      ],
      notes: [],
    };
    const message = renderEnrichment({
      alarmName: 'SecurityGroupChanges',
      pattern,
      window,
      outcome: { kind: 'answer', answer },
      now: new Date('2023-07-10T14:00:00Z'),
      notes: ['<!channel> denied'],
      investigate: { k: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:SecurityGroupChanges', t: null },
      investigatedBy: 'U0123ABCD',
    });
    const root = expectFaithful(message);
    expect(htmlShape(root).buttons.map((b) => b.actionId)).toEqual(['alert_investigate']);
    expect(textOf(root)).toContain("Events matching this alarm's filter");
    expect(textOf(root)).toContain('<!channel> denied');
    expect(all(root, named('strong')).length).toBeGreaterThan(0);
    expectFaithful(
      renderNoPattern([{ namespace: 'CloudTrailMetrics', metricName: 'RootAccountUsage' }], ['a <b> note']),
    );
  });

  test('help, usage and the other notices', () => {
    const help = expectFaithful(helpMessage(HELP_TEXT));
    const [pre] = all(help, named('pre')).map(textOf);
    // Every line of the help shows, as code (helpMessage flattens its lines today, as Slack would show too).
    for (const line of HELP_TEXT.split('\n')) expect(pre).toContain(line.trim().replace(/`/g, "'"));

    const usage = expectFaithful(
      usageMessage({ word: 'sinse', message: 'Unknown word `sinse`.', example: 'who i-0abc since 2d' }),
    );
    expect(all(usage, named('code')).map(textOf)).toEqual([
      'sinse',
      'sinse',
      '/trail who i-0abc since 2d',
      '/trail help',
    ]);

    expect(textOf(expectFaithful(lookingMessage('who <!here>')))).toBe(
      '🔍 Looking through CloudTrail for who <!here>…',
    );
    expect(textOf(expectFaithful(failedMessage('<script>alert(1)</script>')))).toBe(
      '⚠️ Trailbot could not answer: <script>alert(1)</script>',
    );
    expect(textOf(expectFaithful(refusedMessage('Ask in <#C0123|secops>.')))).toBe('⛔ Ask in #secops.');
  });

  test('a message without blocks shows its text as mrkdwn', () => {
    const root = render({ text: '*Hello* <@U1> &lt;b&gt;' });
    const [text] = all(root, withClass('bk-text'));
    expect(text?.name).toBe('div');
    expect(all(root, named('strong')).map(textOf)).toEqual(['Hello']);
    expect(textOf(root)).toBe('Hello @U1 <b>');
    expect(render({ text: 'x', blocks: [] }).children.length).toBe(1);
    expect(textOf(render({}))).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Each block kind

describe('block kinds', () => {
  test('section with fields, a text and an accessory of each kind', () => {
    const root = render({
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Account*' },
          fields: [
            { type: 'mrkdwn', text: '*Region*\nus-east-1' },
            { type: 'plain_text', text: ':warning: plain', emoji: true },
          ],
          accessory: { type: 'overflow', options: [] },
        },
        {
          type: 'section',
          text: { type: 'plain_text', text: 'x' },
          accessory: { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a' },
        },
        {
          type: 'section',
          text: { type: 'plain_text', text: 'y' },
          accessory: { type: 'static_select', placeholder: { type: 'plain_text', text: 'Pick one' } },
        },
      ],
    });
    const [first] = all(root, withClass('bk-section'));
    expect(all(first as Element, withClass('bk-section-text')).map(textOf)).toEqual(['Account']);
    expect(all(first as Element, withClass('bk-field')).map(textOf)).toEqual(['Region\nus-east-1', '⚠️ plain']);
    expect(all(first as Element, withClass('bk-fields'))).toHaveLength(1);
    const accessories = all(root, withClass('bk-accessory'));
    expect(accessories).toHaveLength(3);
    expect(all(accessories[0] as Element, named('button'))[0]?.attrs.has('disabled')).toBe(true);
    expect(all(accessories[0] as Element, withClass('bk-button'))).toEqual([]);
    expect(all(accessories[1] as Element, named('img'))).toHaveLength(1);
    const [select] = all(accessories[2] as Element, named('select'));
    expect(select?.attrs.has('disabled')).toBe(true);
    expect(textOf(select as Element)).toBe('Pick one');
  });

  test('actions: button styles, a disabled select, a confirm dialog in mrkdwn', () => {
    const root = render({
      blocks: [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Ack' }, action_id: 'a', value: 'v', style: 'primary' },
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Resolve' },
              action_id: 'r',
              style: 'danger',
              confirm: { text: { type: 'mrkdwn', text: 'Resolve *this* &amp; close?' } },
            },
            { type: 'button', text: { type: 'plain_text', text: 'Plain' }, action_id: 'p', style: 'weird' },
            { type: 'datepicker', initial_date: '2023-07-10' },
            { type: 'checkboxes', options: [] },
          ],
        },
      ],
    });
    const buttons = all(root, withClass('bk-button'));
    expect(
      buttons.map((b) => [b.attrs.get('class'), b.attrs.get('data-action-id'), b.attrs.get('data-value')]),
    ).toEqual([
      ['bk-button bk-primary', 'a', 'v'],
      ['bk-button bk-danger', 'r', undefined],
      ['bk-button', 'p', undefined],
    ]);
    expect(buttons.map((b) => b.attrs.get('type'))).toEqual(['button', 'button', 'button']);
    expect(buttons.map((b) => b.attrs.get('data-block-id'))).toEqual(['b1', 'b1', 'b1']);
    expect(buttons[1]?.attrs.get('data-confirm')).toBe('Resolve this & close?');
    expect(buttons[0]?.attrs.has('data-confirm')).toBe(false);
    expect(all(root, named('select')).map(textOf)).toEqual(['2023-07-10', 'Choose any']);
  });

  test('context, divider, image, markdown, input and an unknown block', () => {
    const root = render({
      blocks: [
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: '_a_' },
            { type: 'plain_text', text: 'b' },
          ],
        },
        { type: 'divider' },
        { type: 'divider' },
        {
          type: 'image',
          image_url: 'https://example.com/x.png',
          alt_text: 'chart',
          title: { type: 'plain_text', text: 'T' },
        },
        { type: 'markdown', text: '**not parsed** <b>\nline' },
        { type: 'input', label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input' } },
        { type: 'video', title: { type: 'plain_text', text: 'v' } },
        'not a block',
      ],
    });
    expect(all(root, withClass('bk-context-item')).map(textOf)).toEqual(['a', 'b']);
    expect(all(root, withClass('bk-context-item'))[0]?.children).toEqual([
      { name: 'em', attrs: new Map(), children: ['a'] },
    ]);
    expect(all(root, named('hr')).map((e) => e.attrs.get('class'))).toEqual(['bk-divider', 'bk-divider']);
    expect(all(root, withClass('bk-image')).map(textOf)).toEqual(['T']);
    expect(all(root, withClass('bk-markdown')).map(textOf)).toEqual(['**not parsed** <b>\nline']);
    expect(all(root, named('select'))).toHaveLength(1);
    expect(all(root, withClass('bk-unsupported')).map(textOf)).toEqual([
      '[unsupported block: video]',
      '[unsupported block: string]',
    ]);
  });

  test('rich_text: sections, lists, preformatted, quotes, styles, links, mentions, emoji, dates', () => {
    const root = render({
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'bold', style: { bold: true } },
                { type: 'text', text: ' and ' },
                { type: 'text', text: 'code', style: { code: true, italic: true } },
                { type: 'link', url: 'https://example.com', text: 'site' },
                { type: 'user', user_id: 'U1' },
                { type: 'channel', channel_id: 'C1' },
                { type: 'broadcast', range: 'here' },
                { type: 'emoji', name: 'rotating_light' },
                { type: 'emoji', name: 'custom', unicode: '1f1fa-1f1f8' },
                { type: 'emoji', name: 'nothing' },
                { type: 'date', timestamp: 1688990885 },
              ],
            },
            {
              type: 'rich_text_list',
              style: 'ordered',
              indent: 1,
              elements: [
                { type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] },
                { type: 'rich_text_section', elements: [{ type: 'text', text: 'two' }] },
              ],
            },
            { type: 'rich_text_list', style: 'bullet', elements: [{ elements: [{ type: 'text', text: 'dot' }] }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: '\nlead *x*' }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'said' }] },
          ],
        },
      ],
    });
    expect(all(root, named('strong')).map(textOf)).toEqual(['bold']);
    expect(all(root, named('em')).map((e) => e.children)).toEqual([
      [{ name: 'code', attrs: new Map(), children: ['code'] }],
    ]);
    expect(all(root, named('a')).map((a) => [a.attrs.get('href'), textOf(a)])).toEqual([
      ['https://example.com', 'site'],
    ]);
    expect(all(root, withClass('bk-mention')).map(textOf)).toEqual(['@U1', '#C1', '@here']);
    expect(textOf(all(root, withClass('bk-rt-section'))[0] as Element)).toContain('🚨🇺🇸:nothing:2023-07-10 12:08 UTC');
    const [ol] = all(root, named('ol'));
    expect(ol?.attrs.get('class')).toBe('bk-rt-list bk-indent-1');
    expect(all(ol as Element, named('li')).map(textOf)).toEqual(['one', 'two']);
    expect(all(root, named('ul')).map(textOf)).toEqual(['dot']);
    expect(all(root, named('pre')).map(textOf)).toEqual(['\nlead *x*']);
    expect(all(root, named('blockquote')).map(textOf)).toEqual(['said']);
  });
});

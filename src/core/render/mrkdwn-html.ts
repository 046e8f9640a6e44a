/**
 * Slack's mrkdwn (https://api.slack.com/reference/surfaces/formatting) as an HTML fragment, for the local channel
 * page: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```preformatted``` ````, `>` quote lines, line
 * breaks, `<url|label>` links, `<@U…>` / `<#C…|name>` / `<!here>` / `<!subteam^…>` mentions, `<!date^…|fallback>`
 * dates and emoji shortcodes. Pure.
 *
 * Safety: the text is untrusted. It is read as Slack reads it: `&amp; &lt; &gt;` stand for a literal `& < >`
 * (an escaped `&lt;script&gt;` is the text `<script>`, never a token or a tag), and only a raw `<…>` is a token.
 * Everything shown goes through `escapeHtml` once; the only tags in the output are the ones written here
 * (`strong em s code pre blockquote br a span`), and a link is written only for http, https and mailto.
 *
 * Formatting follows Slack's rules closely enough for a card review: a marker opens after the start of the line,
 * a space or punctuation, and before a non-space; it closes after a non-space and before the end, a space or
 * punctuation (so `a*b*c` and `2*3` stay as they are); markers never cross lines, and nothing is formatted inside
 * code. Not done: auto-linking bare URLs in non-verbatim text, and skin-tone modifiers.
 */

/** The HTML escape for text and for double-quoted attribute values. Every shown string goes through it. */
export function escapeHtml(text: string): string {
  // `\r` as a reference so an attribute value round-trips (the HTML parser turns a raw CR into LF); NUL cannot be
  // carried in HTML at all (parsers replace it), so it becomes U+FFFD here rather than there.
  return text.replace(/[&<>"'\r\0]/g, (ch) => ESCAPES[ch] ?? ch);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\r': '&#13;',
  '\0': '\uFFFD',
};

/** Slack's own escaping undone: `&amp; &lt; &gt;` are the only entities mrkdwn has. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** True for the links the page may write as `<a href>`: http, https and mailto. */
export function isLinkUrl(url: string): boolean {
  return /^(?:https?:\/\/|mailto:)[^\s]/i.test(url);
}

/** True for the image URLs the page may load: http and https. */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\/[^\s]/i.test(url);
}

/** An `<a>` opening in a new tab, for a URL `isLinkUrl` accepted; `inner` is HTML already escaped. */
export function linkHtml(url: string, inner: string, className = 'bk-link'): string {
  return `<a class="${escapeHtml(className)}" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${inner}</a>`;
}

/** A mention (`@name`, `#channel`), as Slack highlights it. */
export function mentionHtml(text: string): string {
  return `<span class="bk-mention">${escapeHtml(text)}</span>`;
}

/** Text with line breaks as `<br>`, escaped. */
export function textHtml(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}

// ---------------------------------------------------------------------------------------------------------------
// Emoji

/** The shortcodes Trailbot's renderers use, plus the common ones; any other shortcode stays as text. */
const EMOJI: ReadonlyMap<string, string> = new Map([
  ['warning', '⚠️'],
  ['white_check_mark', '✅'],
  ['heavy_check_mark', '✔️'],
  ['rotating_light', '🚨'],
  ['red_circle', '🔴'],
  ['large_orange_circle', '🟠'],
  ['large_yellow_circle', '🟡'],
  ['large_green_circle', '🟢'],
  ['large_blue_circle', '🔵'],
  ['large_purple_circle', '🟣'],
  ['white_circle', '⚪'],
  ['black_circle', '⚫'],
  ['bell', '🔔'],
  ['no_bell', '🔕'],
  ['zzz', '💤'],
  ['mag', '🔍'],
  ['mag_right', '🔎'],
  ['lock', '🔒'],
  ['unlock', '🔓'],
  ['key', '🔑'],
  ['x', '❌'],
  ['information_source', 'ℹ️'],
  ['no_entry', '⛔'],
  ['no_entry_sign', '🚫'],
  ['eyes', '👀'],
  ['question', '❓'],
  ['grey_question', '❔'],
  ['exclamation', '❗'],
  ['heavy_exclamation_mark', '❗'],
  ['grey_exclamation', '❕'],
  ['bangbang', '‼️'],
  ['fire', '🔥'],
  ['tada', '🎉'],
  ['rocket', '🚀'],
  ['hourglass', '⌛'],
  ['hourglass_flowing_sand', '⏳'],
  ['alarm_clock', '⏰'],
  ['stopwatch', '⏱️'],
  ['shield', '🛡️'],
  ['cloud', '☁️'],
  ['gear', '⚙️'],
  ['wrench', '🔧'],
  ['memo', '📝'],
  ['pushpin', '📌'],
  ['link', '🔗'],
  ['clipboard', '📋'],
  ['bar_chart', '📊'],
  ['chart_with_upwards_trend', '📈'],
  ['bust_in_silhouette', '👤'],
  ['busts_in_silhouette', '👥'],
  ['computer', '💻'],
  ['globe_with_meridians', '🌐'],
  ['point_right', '👉'],
  ['arrow_right', '➡️'],
  ['arrows_counterclockwise', '🔄'],
  ['heavy_plus_sign', '➕'],
  ['heavy_minus_sign', '➖'],
  ['bulb', '💡'],
  ['sparkles', '✨'],
  ['+1', '👍'],
  ['thumbsup', '👍'],
  ['-1', '👎'],
  ['thumbsdown', '👎'],
  ['ok', '🆗'],
  ['new', '🆕'],
]);

/** The Unicode emoji for a shortcode name (`warning`), or undefined when it is not one we know. */
export function emojiOf(name: string): string | undefined {
  return EMOJI.get(name);
}

const SHORTCODE = /:([a-z0-9_+'-]{1,64}):/g;

/** Known `:shortcodes:` as Unicode; unknown ones stay as they are. */
export function replaceShortcodes(text: string): string {
  return text.replace(SHORTCODE, (whole, name: string) => EMOJI.get(name) ?? whole);
}

/** A plain_text object's text: literal (no entities, no tokens), emoji shortcodes unless `emoji` is false. */
export function plainTextHtml(text: string, emoji: boolean): string {
  return textHtml(emoji ? replaceShortcodes(text) : text);
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens: `<…>`

interface Token {
  /** The token as the page shows it. */
  html: string;
  /** The token as plain text (inside code, where nothing is a link). */
  text: string;
}

function prefixed(prefix: string, label: string): string {
  return label.startsWith(prefix) ? label : `${prefix}${label}`;
}

/** `<!date^1688990885^{date}|fallback>` without a fallback: the instant in UTC. */
function dateText(spec: string): string {
  const seconds = Number(spec.split('^')[1]);
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return spec;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What the inside of a raw `<…>` shows. */
function readToken(inner: string): Token {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? null : decodeSlackEntities(inner.slice(bar + 1));
  const mention = (text: string): Token => ({ html: mentionHtml(text), text });
  const plain = (text: string): Token => ({ html: textHtml(text), text });
  if (target.startsWith('@')) return mention(prefixed('@', label ?? decodeSlackEntities(target.slice(1))));
  if (target.startsWith('#')) return mention(prefixed('#', label ?? decodeSlackEntities(target.slice(1))));
  if (target.startsWith('!')) {
    const name = decodeSlackEntities(target.slice(1));
    if (name.startsWith('date^')) return plain(label ?? dateText(name));
    if (name.startsWith('subteam^')) return mention(prefixed('@', label ?? name.slice('subteam^'.length)));
    if (name === 'here' || name === 'channel' || name === 'everyone') return mention(`@${name}`);
    return plain(label ?? `<${decodeSlackEntities(inner)}>`);
  }
  const url = decodeSlackEntities(target);
  const shown = label !== null && label !== '' ? label : url;
  if (isLinkUrl(url)) return { html: linkHtml(url, textHtml(shown)), text: shown };
  return plain(shown);
}

// ---------------------------------------------------------------------------------------------------------------
// A line of inline mrkdwn

/** One unit of a line: a character (maybe decoded from an entity) or something already rendered. */
type Atom = { char: string; html?: undefined } | { char?: undefined; html: string };

const MARKERS: Readonly<Record<string, string>> = { '*': 'strong', _: 'em', '~': 's' };
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

function isWord(atom: Atom | undefined): boolean {
  return atom?.char !== undefined && WORD.test(atom.char);
}

function isSpace(atom: Atom | undefined): boolean {
  return atom?.char !== undefined && SPACE.test(atom.char);
}

/** The index of the next `ch` in `line` at or after `from`, or the length of the line when there is none. */
function nextIndex(line: string, ch: string, from: number): number {
  const at = line.indexOf(ch, from);
  return at === -1 ? line.length : at;
}

const SHORTCODE_HERE = /:([a-z0-9_+'-]{1,64}):/y;

/** Reads one line into atoms: tokens, inline code spans, known emoji and entities become single atoms. */
function atomsOf(line: string): Atom[] {
  const atoms: Atom[] = [];
  // The next raw `>`, `<` and backtick after the current one, kept between steps so the scan stays linear.
  let gt = -1;
  let lt = -1;
  let tick = -1;
  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (ch === '<') {
      if (gt <= i) gt = nextIndex(line, '>', i + 1);
      if (lt <= i) lt = nextIndex(line, '<', i + 1);
      if (gt < line.length && gt > i + 1 && lt > gt && !SPACE.test(line.charAt(i + 1))) {
        atoms.push({ html: readToken(line.slice(i + 1, gt)).html });
        i = gt + 1;
        continue;
      }
    } else if (ch === '`') {
      if (tick <= i) tick = nextIndex(line, '`', i + 1);
      if (tick < line.length && tick > i + 1) {
        atoms.push({ html: `<code>${escapeHtml(plainOf(line.slice(i + 1, tick)))}</code>` });
        i = tick + 1;
        continue;
      }
    } else if (ch === '&') {
      const entity = /^&(amp|lt|gt);/.exec(line.slice(i, i + 5));
      if (entity !== null) {
        atoms.push({ char: decodeSlackEntities(entity[0]) });
        i += entity[0].length;
        continue;
      }
    } else if (ch === ':') {
      SHORTCODE_HERE.lastIndex = i;
      const code = SHORTCODE_HERE.exec(line);
      const emoji = code === null ? undefined : EMOJI.get(code[1] ?? '');
      if (code !== null && emoji !== undefined) {
        atoms.push({ html: escapeHtml(emoji) });
        i += code[0].length;
        continue;
      }
    }
    const width = (line.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    atoms.push({ char: line.slice(i, i + width) });
    i += width;
  }
  return atoms;
}

const PLAIN_LINE_STOPS = /[<`&:*_~]/;

/** Inline mrkdwn of one line (no line breaks in it) as HTML. */
function inlineHtml(line: string): string {
  // Nothing that could be a token, code, entity, emoji or marker: the line is its own text.
  if (!PLAIN_LINE_STOPS.test(line)) return escapeHtml(line);
  const atoms = atomsOf(line);
  const canOpen = (i: number): boolean => !isWord(atoms[i - 1]) && atoms[i + 1] !== undefined && !isSpace(atoms[i + 1]);
  const canClose = (i: number): boolean => i > 0 && !isSpace(atoms[i - 1]) && !isWord(atoms[i + 1]);
  // For each marker, the index of the next atom at or after i that can close it (-1: none): one pass from the right.
  const nextClose = new Map<string, Int32Array>();
  const closer = (marker: string): Int32Array => {
    let table = nextClose.get(marker);
    if (table === undefined) {
      table = new Int32Array(atoms.length + 2).fill(-1);
      for (let i = atoms.length - 1; i >= 0; i -= 1) {
        table[i] = atoms[i]?.char === marker && canClose(i) ? i : (table[i + 1] ?? -1);
      }
      nextClose.set(marker, table);
    }
    return table;
  };
  const render = (from: number, to: number): string => {
    let out = '';
    let text = '';
    for (let i = from; i < to; i += 1) {
      const atom = atoms[i];
      if (atom === undefined) continue;
      if (atom.html !== undefined) {
        out += escapeHtml(text) + atom.html;
        text = '';
        continue;
      }
      const tag = MARKERS[atom.char];
      if (tag !== undefined && canOpen(i)) {
        const close = closer(atom.char)[i + 2] ?? -1;
        if (close !== -1 && close < to) {
          out += `${escapeHtml(text)}<${tag}>${render(i + 1, close)}</${tag}>`;
          text = '';
          i = close;
          continue;
        }
      }
      text += atom.char;
    }
    return out + escapeHtml(text);
  };
  return render(0, atoms.length);
}

/** Text with entities decoded and tokens as their plain text: what code and preformatted blocks show. */
function plainOf(text: string): string {
  let out = '';
  let start = 0;
  let gt = -1;
  let lt = -1;
  for (let i = text.indexOf('<'); i !== -1 && i < text.length; i = text.indexOf('<', i + 1)) {
    if (gt <= i) gt = nextIndex(text, '>', i + 1);
    if (lt <= i) lt = nextIndex(text, '<', i + 1);
    if (gt === text.length || gt === i + 1 || lt < gt || /\s/.test(text.charAt(i + 1))) continue;
    const inner = text.slice(i + 1, gt);
    if (inner.includes('\n')) continue;
    out += decodeSlackEntities(text.slice(start, i)) + readToken(inner).text;
    start = gt + 1;
    i = gt;
  }
  return out + decodeSlackEntities(text.slice(start));
}

// ---------------------------------------------------------------------------------------------------------------
// Lines, quotes and preformatted blocks

const QUOTE = /^(?:>|&gt;) ?/;

/** Lines of text outside preformatted blocks: runs of `>` lines become one blockquote. */
function linesHtml(text: string): string {
  const lines = text.split('\n');
  let out = '';
  let quote: string[] = [];
  let afterBlock = true;
  const flushQuote = (): void => {
    if (quote.length > 0) out += `<blockquote>${quote.join('<br>')}</blockquote>`;
    quote = [];
  };
  for (const line of lines) {
    const quoted = QUOTE.exec(line);
    if (quoted !== null) {
      quote.push(inlineHtml(line.slice(quoted[0].length)));
      continue;
    }
    if (quote.length > 0) {
      flushQuote();
      afterBlock = true;
    }
    out += (afterBlock ? '' : '<br>') + inlineHtml(line);
    afterBlock = false;
  }
  flushQuote();
  return out;
}

/** A preformatted block; the HTML parser drops one newline right after `<pre>`, so one is always written there. */
function preHtml(content: string): string {
  return `<pre>\n${escapeHtml(plainOf(content))}</pre>`;
}

/** Slack mrkdwn as an HTML fragment (inline content, with `<pre>` and `<blockquote>` where the text has them). */
export function mrkdwnToHtml(text: string): string {
  let out = '';
  let at = 0;
  let open = text.indexOf('```');
  while (open !== -1) {
    const close = text.indexOf('```', open + 3);
    if (close === -1) break;
    let content = text.slice(open + 3, close);
    if (content.startsWith('\n')) content = content.slice(1);
    if (content === '') {
      open = text.indexOf('```', close);
      continue;
    }
    let before = text.slice(at, open);
    if (before.endsWith('\n')) before = before.slice(0, -1);
    if (before !== '') out += linesHtml(before);
    out += preHtml(content);
    at = close + 3;
    if (text.charAt(at) === '\n') at += 1;
    open = text.indexOf('```', at);
  }
  const rest = text.slice(at);
  return rest === '' ? out : out + linesHtml(rest);
}

/** Slack mrkdwn as the plain text a person reads (a confirm dialog's text): formatting dropped, tokens shown. */
export function mrkdwnToPlainText(text: string): string {
  return htmlToText(mrkdwnToHtml(text));
}

/**
 * The text of HTML written by this renderer (well formed, every text escaped, so a raw `<` only opens a tag):
 * tags dropped, a line break at each edge between blocks (quote, preformatted), entities decoded.
 */
function htmlToText(html: string): string {
  return html
    .replace(/<pre>\n|<\/pre>|<\/?blockquote>/g, '<>')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/^(?:<>)+|(?:<>)+$/g, '')
    .replace(/(?:<>)+/g, '\n')
    .replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, name: string) => DECODE[name] ?? '');
}

const DECODE: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#13': '\r',
};

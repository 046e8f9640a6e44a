// The local channel page's script (local mode). It shows what the server streams (messages the app posted to the
// local Slack workspace, already rendered and escaped by the server's Block Kit renderer) and sends what a person
// does: a /trail command, a button press, a sample alarm. Every other text it writes goes through textContent.

const BUILDER_PREFIX = 'https://app.slack.com/block-kit-builder/';

const messagesEl = document.getElementById('messages');
const statusEl = document.getElementById('status');
const noticeEl = document.getElementById('notice');
const commandEl = document.getElementById('command');
const sampleEl = document.getElementById('sample-alarm');
const outageEl = document.getElementById('outage');
const modalEl = document.getElementById('modal');

/** key → { data, el } */
const shown = new Map();
const history = [];
let historyAt = 0;
let noticeTimer = 0;
/** user id → name, for mentions (`<@U…>` arrives as `@U…`; Slack shows the person's name). */
const people = new Map();
/** The channel this page shows; a message elsewhere (a DM from the bot, another alert channel) says where it went. */
let pageChannel = '';

function notice(text) {
  noticeEl.textContent = text;
  noticeEl.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    noticeEl.hidden = true;
  }, 8000);
}

async function post(path, body) {
  try {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (!response.ok || answer.ok !== true) notice(answer.error ?? `HTTP ${response.status}`);
    return answer;
  } catch (error) {
    notice(`the local server did not answer (${error.message}); is trailbot still running?`);
    return { ok: false };
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function timeOf(ts) {
  const date = new Date(Number(ts.split('.')[0]) * 1000);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function builderLink(url) {
  const link = el('a', 'builder-link', 'Open in Block Kit Builder');
  if (typeof url === 'string' && url.startsWith(BUILDER_PREFIX)) link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

function buildMessage(data) {
  const article = el('article', data.ephemeral ? 'message ephemeral' : 'message');
  article.dataset.key = data.key;
  article.dataset.channel = data.channel;
  article.dataset.ts = data.ts;
  article.dataset.ephemeral = String(data.ephemeral);
  article.append(el('div', 'avatar', data.bot ? 'T' : (data.author[0] ?? '?').toUpperCase()));
  const main = el('div', 'message-main');
  const head = el('div', 'message-head');
  head.append(el('span', 'author', data.author));
  if (data.bot) head.append(el('span', 'app-badge', 'APP'));
  const time = el('time', 'time', timeOf(data.ts));
  time.title = new Date(Number(data.ts.split('.')[0]) * 1000).toISOString();
  head.append(time);
  if (data.edited) head.append(el('span', 'edited', '(edited)'));
  if (data.ephemeral) head.append(el('span', 'badge-ephemeral', 'Only visible to you'));
  if (data.channel !== pageChannel) {
    const where = data.channel.startsWith('D') ? 'in a direct message to you' : `in #${data.channelName}`;
    head.append(el('span', 'elsewhere', where));
  }
  const body = el('div', 'message-body');
  // Rendered by the server's Block Kit renderer, which escapes every value it was given.
  body.innerHTML = data.html;
  for (const mention of body.querySelectorAll('.bk-mention')) {
    const name = people.get(mention.textContent.slice(1));
    if (mention.textContent.startsWith('@') && name !== undefined) mention.textContent = `@${name}`;
  }
  main.append(head, body);
  if (Array.isArray(data.files) && data.files.length > 0) main.append(fileList(data.files));
  main.append(builderLink(data.builderUrl));
  article.append(main);
  return article;
}

function sizeOf(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The files shared with a message, each a download (the server sends them as attachments, never inline). */
function fileList(files) {
  const list = el('ul', 'files');
  for (const file of files) {
    const item = el('li', 'file');
    const link = el('a', 'file-name', file.name);
    link.href = `/local/files/${encodeURIComponent(file.id)}`;
    link.download = file.name;
    item.append(link, el('span', 'file-size', sizeOf(file.bytes)));
    list.append(item);
  }
  return list;
}

function threadOf(rootEl) {
  let thread = rootEl.querySelector(':scope > .message-main > .thread');
  if (thread === null) {
    const toggle = el('button', 'thread-toggle');
    toggle.type = 'button';
    thread = el('div', 'thread');
    rootEl.querySelector(':scope > .message-main').append(toggle, thread);
  }
  return thread;
}

function updateToggle(rootEl) {
  const thread = rootEl.querySelector(':scope > .message-main > .thread');
  const toggle = rootEl.querySelector(':scope > .message-main > .thread-toggle');
  if (thread === null || toggle === null) return;
  const replies = thread.children.length;
  toggle.textContent = `${replies} ${replies === 1 ? 'reply' : 'replies'}${thread.hidden ? ' · show' : ' · hide'}`;
}

/** Inserts `node` among `container`'s children in ts order (the stream is mostly in order: usually an append). */
function insertByTs(container, node, ts) {
  const value = Number(ts);
  let before = null;
  for (let child = container.lastElementChild; child !== null; child = child.previousElementSibling) {
    if (Number(child.dataset.ts) <= value) break;
    before = child;
  }
  container.insertBefore(node, before);
}

function show(data) {
  const previous = shown.get(data.key);
  if (data.deleted) {
    previous?.el.remove();
    shown.delete(data.key);
    return;
  }
  const node = buildMessage(data);
  if (previous !== undefined) {
    // Keep the thread under a root that was edited (an acknowledged card keeps its replies).
    const thread = previous.el.querySelector(':scope > .message-main > .thread');
    const toggle = previous.el.querySelector(':scope > .message-main > .thread-toggle');
    if (thread !== null && toggle !== null) node.querySelector(':scope > .message-main').append(toggle, thread);
    previous.el.replaceWith(node);
    shown.set(data.key, { data, el: node });
    return;
  }
  const nearBottom = messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
  const root = data.threadTs === null ? undefined : shown.get(`${data.channel}:${data.threadTs}`);
  if (data.threadTs !== null && root !== undefined) {
    insertByTs(threadOf(root.el), node, data.ts);
    updateToggle(root.el);
  } else {
    insertByTs(messagesEl, node, data.ts);
  }
  shown.set(data.key, { data, el: node });
  if (nearBottom) messagesEl.scrollTop = messagesEl.scrollHeight;
}

function openModal(view) {
  document.getElementById('modal-title').textContent = view.title;
  // Rendered and escaped by the server, as messages are.
  document.getElementById('modal-body').innerHTML = view.html;
  document.getElementById('modal-builder').replaceChildren(builderLink(view.builderUrl));
  modalEl.hidden = false;
}

function closeModal() {
  modalEl.hidden = true;
  document.getElementById('modal-body').replaceChildren();
}

function connect() {
  const events = new EventSource('/local/events');
  events.addEventListener('init', (event) => {
    const init = JSON.parse(event.data);
    shown.clear();
    messagesEl.replaceChildren();
    document.getElementById('channel-name').textContent = `# ${init.channel.name}`;
    document.getElementById('source-label').textContent = init.source;
    people.set(init.user.id, init.user.name);
    pageChannel = init.channel.id;
    outageEl.checked = init.down === true;
    sampleEl.replaceChildren(
      ...init.samples.map((sample) => {
        const option = el('option', '', sample.title);
        option.value = sample.id;
        option.title = sample.description;
        return option;
      }),
    );
    statusEl.textContent = 'connected';
    statusEl.dataset.state = 'connected';
  });
  events.addEventListener('message', (event) => show(JSON.parse(event.data)));
  events.addEventListener('view', (event) => openModal(JSON.parse(event.data)));
  events.addEventListener('outage', (event) => {
    outageEl.checked = JSON.parse(event.data).down === true;
  });
  events.addEventListener('error', () => {
    statusEl.textContent = 'reconnecting…';
    statusEl.dataset.state = 'reconnecting';
  });
}

messagesEl.addEventListener('click', async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const toggle = target?.closest('.thread-toggle');
  if (toggle) {
    const thread = toggle.nextElementSibling;
    thread.hidden = !thread.hidden;
    updateToggle(toggle.closest('article.message'));
    return;
  }
  const button = target?.closest('button.bk-button');
  if (!button) return;
  const message = button.closest('article.message');
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  await post('/local/action', {
    channel: message.dataset.channel,
    ts: message.dataset.ts,
    ephemeral: message.dataset.ephemeral === 'true',
    actionId: button.dataset.actionId,
    value: button.dataset.value,
  });
  button.disabled = false;
});

document.getElementById('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = commandEl.value.trim();
  if (text === '' || text === '/trail') return;
  history.push(text);
  historyAt = history.length;
  commandEl.value = '/trail ';
  await post('/local/command', { text });
});

commandEl.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowUp' && historyAt > 0) {
    historyAt -= 1;
    commandEl.value = history[historyAt];
    event.preventDefault();
  } else if (event.key === 'ArrowDown' && historyAt < history.length) {
    historyAt += 1;
    commandEl.value = history[historyAt] ?? '/trail ';
    event.preventDefault();
  }
});

document.getElementById('send-alarm').addEventListener('click', () => post('/local/alarm', { sample: sampleEl.value }));
document.getElementById('send-pasted').addEventListener('click', async () => {
  const answer = await post('/local/alarm', {
    message: document.getElementById('alarm-message').value,
    subject: document.getElementById('alarm-subject').value,
  });
  // Sent: fold the box away so the card it makes can be seen.
  if (answer.ok === true) document.querySelector('details.paste-alarm').open = false;
});
outageEl.addEventListener('change', () => post('/local/outage', { down: outageEl.checked }));
document.getElementById('modal-close').addEventListener('click', closeModal);
modalEl.addEventListener('click', (event) => {
  if (event.target === modalEl) closeModal();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !modalEl.hidden) closeModal();
});

connect();

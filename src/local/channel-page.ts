/**
 * The local channel page (local mode), as routes on the app's own port: the page and its two assets, a stream of
 * the local workspace's messages rendered as Slack would show them, and the three things a person does in Slack,
 * each turned into exactly the request the app gets in production:
 * - `/trail …` typed in the command box → a signed slash-command POST to the app's `/slack/events`, with a
 *   response_url on the local workspace; the ack shows as an ephemeral message that the answer then replaces;
 * - a button pressed → a signed `block_actions` payload for that button of that message (only buttons the message
 *   really has, as Slack only sends those);
 * - "send alarm" → a bundled sample alarm (or pasted alarm JSON) signed as SNS signs and POSTed to the app's `/sns`.
 * Files the app uploads (All events: CSV and JSON) are listed under their message and downloaded from
 * `/local/files/:id`, always as an attachment of opaque bytes, never shown inline.
 * The page never talks to the listeners, the store or the outbox itself: what it shows is what reached the workspace.
 *
 * Everything is rendered on the server by the one escaping renderer (core/render/block-kit-html.ts); the page's
 * Content-Security-Policy allows no inline script, no remote image and no other origin. Requests are refused unless
 * their Host is this loopback address (no DNS rebinding) and, for POSTs, unless they are same-origin JSON (no CSRF
 * from another site the browser has open).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { create as contentDisposition } from 'content-disposition';
import type { Logger as PinoLogger } from 'pino';
import { renderMessageHtml } from '../core/render/block-kit-html.js';
import { blockKitBuilderUrl } from '../core/slack/block-kit-builder-url.js';
import { cleanText } from '../core/text/untrusted-text.js';
import type { SampleAlarm } from './sample-alarms.js';
import { blockActionBody, postToApp, slashCommandBody } from './slack-requests.js';
import type { EphemeralMessage, SlackServer, StoredMessage, WorkspaceChange } from './slack-server.js';
import type { LocalSnsSigner } from './sns-signer.js';

/** Where the page's files are: `local-page/` at the package root (beside src/ and dist/). */
const PAGE_DIR = new URL('../../local-page/', import.meta.url);
/** The most messages the page keeps (oldest dropped first): a long storm must not grow memory without bound. */
const MAX_MESSAGES = 2000;
/** Largest JSON body the page may POST (an SNS message is at most 256 KiB). */
const MAX_BODY_BYTES = 300 * 1024;
const HEARTBEAT_MS = 15_000;
/** Longest file name shown or sent (code points). */
const FILE_NAME_MAX = 200;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PagePerson {
  id: string;
  name: string;
}

export interface ChannelPageOptions {
  workspace: SlackServer;
  /** The app's signing secret: the page signs what it sends as Slack would. */
  signingSecret: string;
  /** The channel the command box speaks in (and where alerts go unless routed elsewhere). */
  channel: PagePerson;
  /** The person at the keyboard. */
  user: PagePerson;
  signer: LocalSnsSigner;
  samples: readonly SampleAlarm[];
  /** What answers questions (`samples`, `lookup`, …), shown in the page's header. */
  sourceLabel: string;
  /** Refuse requests whose Host is not a loopback name (true unless the operator chose another address). */
  loopbackOnly: boolean;
  logger: PinoLogger;
}

/** One message as the page shows it. */
export interface PageMessage {
  key: string;
  channel: string;
  channelName: string;
  ts: string;
  /** The thread's root ts for a reply, else null. */
  threadTs: string | null;
  author: string;
  bot: boolean;
  ephemeral: boolean;
  edited: boolean;
  deleted: boolean;
  html: string;
  builderUrl: string;
  /** Files shared with the message (All events' CSV and JSON), downloaded from `/local/files/<id>`. */
  files: PageFile[];
}

export interface PageFile {
  id: string;
  name: string;
  bytes: number;
}

export interface ChannelPage {
  routes: CustomRoute[];
  /** Where the app listens (`http://127.0.0.1:PORT`), known once it has started. */
  attach(appUrl: string): void;
  /** Ends the page's open streams (a server cannot close while they stay open). */
  close(): void;
}

type Json = Record<string, unknown>;

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createChannelPage(options: ChannelPageOptions): ChannelPage {
  const { workspace, logger } = options;
  const messages = new Map<string, PageMessage>();
  const streams = new Set<ServerResponse>();
  let appUrl: string | null = null;
  let down = false;

  const broadcast = (event: string, data: unknown): void => {
    const frame = sseFrame(event, data);
    for (const res of streams) res.write(frame);
  };

  const remember = (message: PageMessage): void => {
    messages.delete(message.key);
    messages.set(message.key, message);
    if (messages.size > MAX_MESSAGES) {
      const oldest = messages.keys().next().value;
      if (oldest !== undefined) messages.delete(oldest);
    }
    broadcast('message', message);
  };

  const unsubscribe = workspace.onChange((change: WorkspaceChange) => {
    try {
      if (change.kind === 'message') remember(pageMessage(change.message, false));
      else if (change.kind === 'ephemeral') remember(pageMessage(change.message, true));
      else broadcast('view', pageView(change.id, change.view));
    } catch (error) {
      logger.warn({ err: messageOf(error) }, 'local page: a workspace change could not be shown');
    }
  });

  function pageMessage(message: StoredMessage | EphemeralMessage, ephemeral: boolean): PageMessage {
    const channel = message.channel ?? options.channel.id;
    const body = { text: message.text, blocks: message.blocks };
    const bot = ephemeral ? true : (message as StoredMessage).bot;
    const user = ephemeral ? undefined : (message as StoredMessage).user;
    return {
      key: ephemeral ? `ephemeral:${message.ts}` : `${channel}:${message.ts}`,
      channel,
      channelName: workspace.channelName(channel),
      ts: message.ts,
      threadTs: message.thread_ts !== undefined && message.thread_ts !== message.ts ? message.thread_ts : null,
      author: bot || user === undefined ? 'Trailbot' : workspace.userName(user),
      bot,
      ephemeral,
      edited: !ephemeral && (message as StoredMessage).edits > 0,
      deleted: message.deleted === true,
      html: renderMessageHtml(body),
      builderUrl: blockKitBuilderUrl(body),
      files: ephemeral ? [] : pageFiles((message as StoredMessage).files),
    };
  }

  /** A file whose upload was completed: its bytes, and its name as the page shows it and the download sends it. */
  function downloadable(id: string): { name: string; bytes: Buffer } | undefined {
    const file = workspace.file(id);
    if (file?.bytes === undefined || !file.completed) return undefined;
    return { name: downloadName(file.filename), bytes: file.bytes };
  }

  function pageFiles(ids: readonly string[]): PageFile[] {
    const files: PageFile[] = [];
    for (const id of ids) {
      const file = downloadable(id);
      if (file !== undefined) files.push({ id, name: file.name, bytes: file.bytes.length });
    }
    return files;
  }

  function pageView(id: string, view: Json): Json {
    const title = view.title as { text?: unknown } | undefined;
    const blocks = Array.isArray(view.blocks) ? (view.blocks as unknown[]) : [];
    return {
      id,
      title: typeof title?.text === 'string' ? title.text : 'Trailbot',
      html: renderMessageHtml({ blocks }),
      builderUrl: blockKitBuilderUrl({ blocks }),
    };
  }

  const requireApp = (): string => {
    if (appUrl === null) throw new PageError(503, 'the app is still starting; try again in a moment');
    return appUrl;
  };

  /** `/trail TEXT` from the command box, as Slack sends a slash command. */
  async function runCommand(body: Json): Promise<Json> {
    const text = typeof body.text === 'string' ? body.text.replace(/^\s*\/trail\b/, '').trim() : '';
    const url = requireApp();
    const { channel, user } = options;
    // Slack shows the ack as an ephemeral message that the response_url's replace_original then replaces.
    const placeholder = workspace.addEphemeral({ channel: channel.id, user: user.id, text: `/trail ${text}` });
    const responseUrl = workspace.responseUrl({ channel: channel.id, user: user.id, ephemeralTs: placeholder.ts });
    const request = slashCommandBody({
      text,
      response_url: responseUrl,
      user_id: user.id,
      user_name: user.name,
      channel_id: channel.id,
      channel_name: channel.name,
      team_id: workspace.teamId,
      trigger_id: workspace.triggerId(user.id),
    });
    const response = await postToApp(`${url}/slack/events`, request, { signingSecret: options.signingSecret });
    const ack = await response.text();
    if (!response.ok) {
      workspace.replaceEphemeral(placeholder.ts, { text: `/trail failed: the app answered HTTP ${response.status}` });
      throw new PageError(502, `the app answered HTTP ${response.status}`);
    }
    const acked = parseJson(ack);
    // The answer may already have replaced the placeholder (a fast question); the ack then stays unseen, as in Slack.
    if (acked !== null && workspace.ephemeral(placeholder.ts)?.edits === 0) {
      workspace.replaceEphemeral(placeholder.ts, {
        text: typeof acked.text === 'string' ? acked.text : '',
        ...(Array.isArray(acked.blocks) ? { blocks: acked.blocks as unknown[] } : {}),
      });
    }
    return { ok: true };
  }

  /** A button of a message the workspace holds, as Slack sends a `block_actions` payload. */
  async function pressButton(body: Json): Promise<Json> {
    const url = requireApp();
    const ts = stringField(body, 'ts');
    const actionId = stringField(body, 'actionId');
    const ephemeral = body.ephemeral === true;
    const channelId = ephemeral ? options.channel.id : stringField(body, 'channel');
    const target = ephemeral ? workspace.ephemeral(ts) : workspace.message(channelId, ts);
    if (target === undefined || target.deleted === true) throw new PageError(404, 'that message is gone');
    const value = typeof body.value === 'string' ? body.value : undefined;
    const button = findButton(target.blocks, actionId, value);
    if (button === null) throw new PageError(404, 'that message has no such button');
    const { user } = options;
    const responseUrl = workspace.responseUrl(
      ephemeral
        ? { channel: channelId, user: user.id, ephemeralTs: ts }
        : { channel: channelId, user: user.id, messageTs: ts },
    );
    const request = blockActionBody({
      action_id: actionId,
      ...(button.value === undefined ? {} : { value: button.value }),
      ...(button.blockId === undefined ? {} : { block_id: button.blockId }),
      text: button.label,
      user: user.id,
      user_name: user.name,
      channel: channelId,
      channel_name: workspace.channelName(channelId),
      response_url: responseUrl,
      message_ts: ts,
      ...(target.thread_ts === undefined || target.thread_ts === ts ? {} : { thread_ts: target.thread_ts }),
      ephemeral,
      ...(ephemeral ? {} : { message: { text: target.text, blocks: target.blocks } }),
      team_id: workspace.teamId,
      trigger_id: workspace.triggerId(user.id),
    });
    const response = await postToApp(`${url}/slack/events`, request, { signingSecret: options.signingSecret });
    await response.arrayBuffer();
    if (!response.ok) throw new PageError(502, `the app answered HTTP ${response.status}`);
    return { ok: true };
  }

  /** A sample alarm (by id) or pasted alarm JSON, signed as SNS signs it and POSTed to the app's `/sns`. */
  async function sendAlarm(body: Json): Promise<Json> {
    const url = requireApp();
    let message: string;
    let subject: string | undefined;
    if (typeof body.sample === 'string') {
      const sample = options.samples.find((s) => s.id === body.sample);
      if (sample === undefined) throw new PageError(404, `no sample alarm "${body.sample}"`);
      message = sample.message;
      subject = sample.subject;
    } else if (typeof body.message === 'string' && body.message.trim() !== '') {
      message = body.message;
      subject = typeof body.subject === 'string' && body.subject !== '' ? body.subject : undefined;
    } else {
      throw new PageError(400, 'choose a sample alarm or paste an alarm message');
    }
    const signed = options.signer.signNotification(
      { message, ...(subject === undefined ? {} : { subject }) },
      `${url}${options.signer.certPath}`,
    );
    const response = await fetch(`${url}/sns`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-topic-arn': options.signer.topicArn,
      },
      body: signed,
    });
    const answer = await response.text();
    if (!response.ok) throw new PageError(502, `POST /sns answered HTTP ${response.status}: ${answer.slice(0, 300)}`);
    return { ok: true, status: response.status };
  }

  async function setOutage(body: Json): Promise<Json> {
    down = body.down === true;
    workspace.setDown(down);
    broadcast('outage', { down });
    logger.info({ down }, down ? 'local Slack is down (simulated outage)' : 'local Slack is back');
    return { ok: true, down };
  }

  const guard = (req: IncomingMessage): string | null => {
    const host = req.headers.host ?? '';
    if (options.loopbackOnly && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host)) {
      return 'this page answers only on its loopback address';
    }
    if (req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
        return 'send JSON (Content-Type: application/json)';
      }
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) return 'cross-origin requests are refused';
      if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site requests are refused';
    }
    return null;
  };

  const page = (
    method: 'GET' | 'POST',
    path: string,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ): CustomRoute => ({
    path,
    method: [method],
    handler: (req, res) => {
      const refused = guard(req);
      if (refused !== null) {
        reply(res, 403, { ok: false, error: refused });
        return;
      }
      handler(req, res);
    },
  });

  const action =
    (run: (body: Json) => Promise<Json>) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      readJson(req)
        .then(run)
        .then(
          (result) => reply(res, 200, result),
          (error: unknown) => {
            const status = error instanceof PageError ? error.status : 500;
            if (status === 500) logger.error({ err: messageOf(error) }, 'local page request failed');
            reply(res, status, {
              ok: false,
              error: status === 500 ? 'internal error (see the log)' : messageOf(error),
            });
          },
        );
    };

  const asset = (file: string, type: string) => {
    const bytes = readFileSync(new URL(file, PAGE_DIR));
    return (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
      res.end(bytes);
    };
  };

  const stream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    });
    res.write(
      sseFrame('init', {
        channel: options.channel,
        user: options.user,
        source: options.sourceLabel,
        down,
        samples: options.samples.map(({ id, title, description }) => ({ id, title, description })),
      }),
    );
    for (const message of messages.values()) res.write(sseFrame('message', message));
    streams.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(res);
    });
  };

  const download = (req: IncomingMessage, res: ServerResponse): void => {
    const id = (req as IncomingMessage & { params?: Record<string, string> }).params?.id ?? '';
    const file = downloadable(id);
    if (file === undefined) {
      reply(res, 404, { ok: false, error: 'no such file' });
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': attachmentHeader(file.name),
      'Content-Length': file.bytes.length,
    });
    res.end(file.bytes);
  };

  const certificate = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
    res.end(options.signer.certPem);
  };

  return {
    routes: [
      page('GET', '/', asset('index.html', 'text/html; charset=utf-8')),
      page('GET', '/local/page.js', asset('page.js', 'text/javascript; charset=utf-8')),
      page('GET', '/local/page.css', asset('page.css', 'text/css; charset=utf-8')),
      page('GET', '/local/events', stream),
      page('GET', '/local/files/:id', download),
      page('POST', '/local/command', action(runCommand)),
      page('POST', '/local/action', action(pressButton)),
      page('POST', '/local/alarm', action(sendAlarm)),
      page('POST', '/local/outage', action(setOutage)),
      // The app itself fetches this (as it fetches SNS's certificates), so no Host check beyond the route's own.
      { path: options.signer.certPath, method: ['GET'], handler: certificate },
    ],
    attach(url) {
      appUrl = url;
    },
    close() {
      unsubscribe();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A file's name as the page shows it: its folders dropped, invisible and direction-changing characters made visible. */
export function downloadName(name: string): string {
  return cleanText(name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1), FILE_NAME_MAX);
}

/** `attachment; filename=…` for a file name (as downloadName shows it, non-ASCII encoded), or a bare `attachment`. */
export function attachmentHeader(name: string): string {
  const base = downloadName(name);
  if (base === '') return 'attachment';
  try {
    return contentDisposition(base);
  } catch {
    return 'attachment';
  }
}

interface FoundButton {
  label: string;
  value: string | undefined;
  blockId: string | undefined;
}

/** The button with this action id (and value, when given) in a message's blocks, as Slack would echo it. */
export function findButton(
  blocks: readonly unknown[],
  actionId: string,
  value: string | undefined,
): FoundButton | null {
  for (const block of blocks) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as Json;
    const elements = [...(Array.isArray(b.elements) ? b.elements : []), b.accessory];
    for (const element of elements) {
      if (typeof element !== 'object' || element === null) continue;
      const e = element as Json;
      if (e.type !== 'button' || e.action_id !== actionId) continue;
      const buttonValue = typeof e.value === 'string' ? e.value : undefined;
      if (value !== undefined && buttonValue !== value) continue;
      const text = e.text as { text?: unknown } | undefined;
      return {
        label: typeof text?.text === 'string' ? text.text : actionId,
        value: buttonValue,
        blockId: typeof b.block_id === 'string' ? b.block_id : undefined,
      };
    }
  }
  return null;
}

function stringField(body: Json, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new PageError(400, `missing "${key}"`);
  return value;
}

function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function reply(res: ServerResponse, status: number, body: Json): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function parseJson(text: string): Json | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

function readJson(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) {
        reject(new PageError(413, `the request is over ${MAX_BODY_BYTES / 1024} KiB`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      if (body === null) reject(new PageError(400, 'the body is not a JSON object'));
      else resolve(body);
    });
    req.on('error', reject);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

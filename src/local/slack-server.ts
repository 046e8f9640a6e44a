/**
 * A Slack workspace on loopback: the Slack Web API (plus upload and response_url endpoints) that the real
 * `@slack/web-api` WebClient (and so Bolt's `app.client`, `say`, `respond`) talks to through `slackApiUrl` /
 * `SLACK_API_URL`. It serves two purposes:
 * - local mode's workspace: the Slack that `npm start` without Slack credentials talks to (local-mode.ts starts it
 *   with a fresh token; the channel page shows what reaches it through `onChange` and the accessors);
 * - the tests' loopback Slack, which fails a test where Slack would fail the app.
 *
 * It speaks Slack's wire format (form-encoded, JSON or multipart bodies; `Authorization: Bearer …`;
 * HTTP 200 `{"ok":true,…}` / `{"ok":false,"error":…}`) and holds the app to Slack's real limits (aws-slack-facts §6):
 * - Block Kit limits through `blockKitViolations` (the project's one checker) on every message-bearing
 *   call: `invalid_blocks`, `msg_blocks_too_long`, `msg_too_long`, `no_text`;
 * - about one `chat.postMessage` per second per channel (a small burst allowed), then HTTP 429 with
 *   `Retry-After` and `{"ok":false,"error":"ratelimited"}`;
 * - `response_url`: at most 5 posts within 30 minutes, then HTTP 404 `used_url` / `expired_url`; `replace_original`
 *   and `delete_original` act on the message the URL belongs to, or on the ephemeral message (a slash command's ack,
 *   a clicked ephemeral's buttons) as Slack does;
 * - message `metadata` (`{event_type, event_payload}`) on chat.postMessage, returned by `conversations.history` and
 *   `conversations.replies` when `include_all_metadata` is set (both paged with `cursor`/`limit`, `oldest`/`latest`);
 * - `views.open` (modal limits), `conversations.open` for DMs, `chat.getPermalink`, `usergroups.users.list`,
 *   `users.info`, `auth.test`;
 * - the files upload v2 flow that `files.uploadV2` runs (getUploadURLExternal → POST bytes → completeUploadExternal).
 * Everything is recorded in order in `log`, with accessors for messages, ephemerals, views, responses and files, and
 * every change a channel would show is announced to `onChange` listeners. Every string it holds came from the app or
 * a person and is stored as given: whoever shows it escapes it. It listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KnownBlock } from '@slack/types';
import { blockKitViolations } from '../core/slack/block-kit-limits.js';

export type OutageMode = 'http503' | 'reset';

export interface SlackServerOptions {
  /** Bot token(s) the server accepts (`Authorization: Bearer …`, or a form `token` field). */
  token?: string | readonly string[];
  botUserId?: string;
  botId?: string;
  teamId?: string;
  teamName?: string;
  /** `usergroups.users.list`: user group id → member user ids. */
  usergroups?: Record<string, readonly string[]>;
  /** `users.info`: user id → profile fields (the bot user is always known). */
  users?: Record<string, SlackUserFields>;
  /** When given, any other channel id is `channel_not_found` (`invalid_channel` for file shares). */
  channels?: readonly string[];
  /** Channel id → name, for `channelName` (the page shows `#name`). Names nothing about which channels exist. */
  channelNames?: Record<string, string>;
  /** Per-channel pacing of `chat.postMessage`; `false` turns it off. Default: 1 a second, a burst of 2. */
  rateLimit?: { perSecond?: number; burst?: number } | false;
  /**
   * The project's rule that a blocks message carries a notification `text` (block-kit-limits.ts).
   * Slack itself only warns; we refuse with `no_text`. Default true.
   */
  requireFallbackText?: boolean;
  /** `response_url` budget: uses (default 5) and lifetime in ms (default 30 minutes). */
  responseUrlMaxUses?: number;
  responseUrlTtlMs?: number;
  /**
   * Clock in ms for rate limits, `ts` values and response_url expiry (default `Date.now`). A fake clock
   * that does not advance with real time will keep a rate-limited channel limited: WebClient waits in real time.
   */
  now?: () => number;
}

export interface SlackUserFields {
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  deleted?: boolean;
  profile?: Record<string, unknown>;
}

/** A message as the channel shows it now (after updates; `deleted` once deleted). */
export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts: string | undefined;
  reply_broadcast: boolean;
  text: string;
  blocks: unknown[];
  user: string;
  bot: boolean;
  via: 'chat.postMessage' | 'response_url' | 'files.completeUploadExternal' | 'seed';
  /** Ids of files shared with this message. */
  files: string[];
  edits: number;
  deleted: boolean;
  /** Message metadata as posted (chat.postMessage `metadata`). */
  metadata: { event_type: string; event_payload: Record<string, unknown> } | undefined;
}

/** An ephemeral message as its one reader sees it now (after replacements; `deleted` once deleted). */
export interface EphemeralMessage {
  channel: string | undefined;
  user: string | undefined;
  ts: string;
  thread_ts: string | undefined;
  text: string;
  blocks: unknown[];
  /** `seed`: recorded with `addEphemeral` (e.g. a slash command's ack, which Slack shows as an ephemeral message). */
  via: 'chat.postEphemeral' | 'response_url' | 'seed';
  /** Times it was replaced (response_url `replace_original`, `replaceEphemeral`). */
  edits: number;
  deleted: boolean;
}

/**
 * What changed in the workspace, announced to `onChange` listeners right after the change: a channel message posted,
 * updated or deleted (`deleted: true`); an ephemeral added, replaced or deleted; a modal opened (`user` is the person
 * whose trigger opened it, when the trigger was minted by `triggerId`). Messages are snapshots of that moment.
 */
export type WorkspaceChange =
  | { kind: 'message'; message: StoredMessage }
  | { kind: 'ephemeral'; message: EphemeralMessage }
  | { kind: 'view'; id: string; view: Record<string, unknown>; user: string | undefined };

/** What a response_url is bound to: who invoked, where, and the message `replace/delete_original` act on. */
export interface ResponseUrlContext {
  channel?: string;
  user?: string;
  /** The channel message the URL belongs to (a button on it was clicked). */
  messageTs?: string;
  /**
   * The ephemeral message the URL belongs to (a slash command's ack, or the ephemeral message carrying a clicked
   * button); when given, `replace_original` / `delete_original` act on it rather than on `messageTs`.
   */
  ephemeralTs?: string;
}

export interface StoredFile {
  id: string;
  filename: string;
  title: string;
  /** `length` declared to files.getUploadURLExternal. */
  declaredLength: number;
  /** The bytes POSTed to the upload URL (undefined until then). */
  bytes: Buffer | undefined;
  uploaded: boolean;
  /** files.completeUploadExternal succeeded for it. */
  completed: boolean;
  channel: string | undefined;
  thread_ts: string | undefined;
  initial_comment: string | undefined;
  snippet_type: string | undefined;
  alt_text: string | undefined;
}

export interface ResponseUrlPost {
  urlId: string;
  status: number;
  ok: boolean;
  error: string | undefined;
  response_type: 'ephemeral' | 'in_channel';
  replace_original: boolean;
  delete_original: boolean;
  thread_ts: string | undefined;
  text: string | undefined;
  blocks: unknown[] | undefined;
  /** The JSON body as posted. */
  body: Record<string, unknown>;
}

export interface ApiLogEntry {
  seq: number;
  kind: 'api';
  method: string;
  status: number;
  ok: boolean;
  error: string | undefined;
  /** Seconds in `Retry-After` when the call was answered 429. */
  retryAfter: number | undefined;
  channel: string | undefined;
  thread_ts: string | undefined;
  /** The message ts that was created or touched. */
  ts: string | undefined;
  text: string | undefined;
  blocks: unknown[] | undefined;
  /** Parameters as received (JSON-valued form fields parsed; `token` removed). */
  params: Record<string, unknown>;
}

export type LogEntry =
  | ApiLogEntry
  | { seq: number; kind: 'upload'; fileId: string; status: number; bytes: number }
  | ({ seq: number; kind: 'response' } & ResponseUrlPost)
  | { seq: number; kind: 'down'; path: string; mode: OutageMode }
  | { seq: number; kind: 'not_found'; path: string };

export interface SlackServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/api/`: give it to WebClient as `slackApiUrl`, or to the app as `SLACK_API_URL`. */
  readonly apiUrl: string;
  /** The first accepted token. */
  readonly token: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  /** Everything, in the order the server answered it. */
  readonly log: readonly LogEntry[];
  /** API calls (optionally of one method), in order, including refused ones. */
  calls(method?: string): ApiLogEntry[];
  /** Live messages in a channel (top level and thread replies), in posting order. */
  messagesIn(channel: string): StoredMessage[];
  /** Live replies in the thread rooted at `threadTs`, in order. */
  threadReplies(channel: string, threadTs: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Live ephemeral messages (chat.postEphemeral, response_url, addEphemeral), optionally of one channel, in order. */
  ephemerals(channel?: string): EphemeralMessage[];
  /** One ephemeral message by ts (deleted ones too, marked `deleted`). */
  ephemeral(ts: string): EphemeralMessage | undefined;
  files(): StoredFile[];
  /** One uploaded file by id. */
  file(id: string): StoredFile | undefined;
  /** Modals opened with views.open, in order. */
  views(): Record<string, unknown>[];
  /** `#name` without the `#` for a channel id (the `channelNames` option), else the id itself. */
  channelName(id: string): string;
  /** A person's display name: `real_name`, else `name` from the `users` option (the bot is `trailbot`), else the id. */
  userName(id: string): string;
  /** Mint a response_url (`…/response/<id>`) bound to `context` (see ResponseUrlContext). */
  responseUrl(context?: ResponseUrlContext): string;
  /** Mint a trigger_id for `user`: a modal views.open opens with it is announced with that user. */
  triggerId(user: string): string;
  /** Accepted posts to a response_url (give the URL or its id). */
  responses(urlOrId: string): ResponseUrlPost[];
  /** Every post to a response_url, refused ones included. */
  responseAttempts(urlOrId: string): ResponseUrlPost[];
  /** The calls answered 429. */
  ratelimited(): ApiLogEntry[];
  readonly ratelimitedCount: number;
  /** Put a message from a person into a channel (e.g. the @mention a thread starts from); returns its ts. */
  addMessage(message: { channel: string; text: string; user?: string; thread_ts?: string }): string;
  /**
   * Record an ephemeral message shown to `user` (e.g. a slash command's immediate ack body, which Slack shows as an
   * ephemeral message), as given: it already went through the app. Announced; returned with a fresh `ts`.
   */
  addEphemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: readonly unknown[];
    thread_ts?: string;
  }): EphemeralMessage;
  /**
   * Replace a live ephemeral message's text and blocks (none when omitted), as a later ack or answer does; announced.
   * Undefined when there is no such ephemeral or it was deleted.
   */
  replaceEphemeral(ts: string, content: { text: string; blocks?: readonly unknown[] }): EphemeralMessage | undefined;
  /**
   * Call `listener` after every change the channel page must show (see WorkspaceChange), synchronously, before the
   * API call that made it is answered. A listener that throws is ignored. Returns the unsubscribe function.
   */
  onChange(listener: (change: WorkspaceChange) => void): () => void;
  setUsergroup(usergroup: string, users: readonly string[]): void;
  /** Simulate an outage of everything (API, uploads, response URLs): HTTP 503 (default) or a reset connection. */
  setDown(down: boolean, mode?: OutageMode): void;
  /** The next `times` calls of `method` (after auth) answer `{"ok":false,"error":error}`. */
  failNext(method: string, error: string, times?: number): void;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  channel?: string | undefined;
  thread_ts?: string | undefined;
  ts?: string | undefined;
  text?: string | undefined;
  blocks?: unknown[] | undefined;
  retryAfter?: number;
}

interface ResponseUrlState {
  id: string;
  createdAt: number;
  uses: number;
  channel: string | undefined;
  user: string | undefined;
  messageTs: string | undefined;
  ephemeralTs: string | undefined;
  attempts: ResponseUrlPost[];
}

interface OpenedView {
  id: string;
  view: Record<string, unknown>;
  user: string | undefined;
}

type Validated =
  | { ok: true; text: string; blocks: unknown[] | undefined }
  | { ok: false; error: string; messages: string[] };

const DEFAULT_TOKEN = 'xoxb-loopback-token';
const UPLOAD_PREFIX = '/upload/v1/';
const RESPONSE_PREFIX = '/response/';
const API_PREFIX = '/api/';

function ok(body: Record<string, unknown> = {}): ApiAnswer {
  return { status: 200, body: { ok: true, ...body } };
}

function fail(error: string, messages?: readonly string[]): ApiAnswer {
  const body: Record<string, unknown> = { ok: false, error };
  if (messages !== undefined && messages.length > 0) {
    body.response_metadata = { messages: messages.map((m) => `[ERROR] ${m}`) };
  }
  return { status: 200, body };
}

function str(params: Params, key: string): string | undefined {
  const v = params[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function bool(params: Params, key: string): boolean {
  const v = params[key];
  return v === true || v === 1 || v === 'true' || v === '1';
}

/** A form field carries JSON as a string; a JSON body carries it as is. Throws on unparseable JSON. */
function jsonField(params: Params, key: string): unknown {
  const v = params[key];
  if (typeof v === 'string') return JSON.parse(v) as unknown;
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** A copy for listeners: later changes to the stored message do not reach a change already announced. */
function messageSnapshot(m: StoredMessage): StoredMessage {
  return { ...m, blocks: [...m.blocks], files: [...m.files] };
}

function ephemeralSnapshot(m: EphemeralMessage): EphemeralMessage {
  return { ...m, blocks: [...m.blocks] };
}

function mimeOf(filename: string): { mimetype: string; filetype: string } {
  const ext = filename.includes('.') ? (filename.split('.').pop() ?? '').toLowerCase() : '';
  const known: Record<string, string> = {
    csv: 'text/csv',
    json: 'application/json',
    txt: 'text/plain',
    md: 'text/markdown',
    png: 'image/png',
    gz: 'application/gzip',
  };
  return { mimetype: known[ext] ?? 'application/octet-stream', filetype: ext === '' ? 'text' : ext };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseParams(
  req: IncomingMessage,
  raw: Buffer,
  query: URLSearchParams,
): Promise<Params | 'invalid_json'> {
  const params: Params = Object.fromEntries(query.entries());
  if (raw.length === 0) return params;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return 'invalid_json';
    }
    if (!isRecord(parsed)) return 'invalid_json';
    // Slack never takes a token from a JSON body: it must come in the Authorization header.
    const { token: _ignored, ...rest } = parsed;
    return { ...params, ...rest };
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form.entries()) {
      params[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8')).entries()) params[key] = value;
  return params;
}

class LoopbackSlack implements SlackServer {
  readonly log: LogEntry[] = [];
  readonly token: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  url = '';
  apiUrl = '';

  private readonly http: Server;
  private readonly tokens: ReadonlySet<string>;
  private readonly teamName: string;
  private readonly usergroups = new Map<string, readonly string[]>();
  private readonly users = new Map<string, SlackUserFields>();
  private readonly channels: Set<string> | undefined;
  private readonly dms = new Map<string, string>();
  private readonly channelNames = new Map<string, string>();
  private readonly openedViews: OpenedView[] = [];
  private readonly triggers = new Map<string, string>();
  private readonly listeners = new Set<(change: WorkspaceChange) => void>();
  private readonly rate: { perSecond: number; burst: number } | undefined;
  private readonly requireFallbackText: boolean;
  private readonly responseUrlMaxUses: number;
  private readonly responseUrlTtlMs: number;
  private readonly now: () => number;

  private seq = 0;
  private lastTsMicros = 0;
  private fileCounter = 0;
  private responseCounter = 0;
  private triggerCounter = 0;
  private down: OutageMode | undefined;
  private readonly messages: StoredMessage[] = [];
  private readonly ephemeralMessages: EphemeralMessage[] = [];
  private readonly storedFiles = new Map<string, StoredFile>();
  private readonly responseUrls = new Map<string, ResponseUrlState>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly injected = new Map<string, { error: string; times: number }>();

  constructor(options: SlackServerOptions) {
    const tokens = options.token === undefined ? [DEFAULT_TOKEN] : [options.token].flat();
    this.token = tokens[0] ?? DEFAULT_TOKEN;
    this.tokens = new Set(tokens);
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.teamId = options.teamId ?? 'T0LOOPBACK';
    this.teamName = options.teamName ?? 'Loopback';
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.usergroups.set(id, members);
    for (const [id, fields] of Object.entries(options.users ?? {})) this.users.set(id, fields);
    this.channels = options.channels === undefined ? undefined : new Set(options.channels);
    for (const [id, name] of Object.entries(options.channelNames ?? {})) this.channelNames.set(id, name);
    this.rate =
      options.rateLimit === false
        ? undefined
        : { perSecond: options.rateLimit?.perSecond ?? 1, burst: options.rateLimit?.burst ?? 2 };
    this.requireFallbackText = options.requireFallbackText ?? true;
    this.responseUrlMaxUses = options.responseUrlMaxUses ?? 5;
    this.responseUrlTtlMs = options.responseUrlTtlMs ?? 30 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
        else res.destroy();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}${API_PREFIX}`;
  }

  // ---- accessors ----------------------------------------------------------------------------

  calls(method?: string): ApiLogEntry[] {
    return this.log.filter((e): e is ApiLogEntry => e.kind === 'api' && (method === undefined || e.method === method));
  }

  messagesIn(channel: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.deleted);
  }

  threadReplies(channel: string, threadTs: string): StoredMessage[] {
    return this.messagesIn(channel).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  ephemerals(channel?: string): EphemeralMessage[] {
    return this.ephemeralMessages.filter((m) => !m.deleted && (channel === undefined || m.channel === channel));
  }

  ephemeral(ts: string): EphemeralMessage | undefined {
    return this.ephemeralMessages.find((m) => m.ts === ts);
  }

  files(): StoredFile[] {
    return [...this.storedFiles.values()];
  }

  file(id: string): StoredFile | undefined {
    return this.storedFiles.get(id);
  }

  views(): Record<string, unknown>[] {
    return this.openedViews.map((v) => v.view);
  }

  channelName(id: string): string {
    return this.channelNames.get(id) ?? id;
  }

  userName(id: string): string {
    const fields = id === this.botUserId ? { name: 'trailbot' } : this.users.get(id);
    return nonEmpty(fields?.real_name) ?? nonEmpty(fields?.name) ?? id;
  }

  responseUrl(context: ResponseUrlContext = {}): string {
    this.responseCounter += 1;
    const id = `R${String(this.responseCounter).padStart(6, '0')}`;
    this.responseUrls.set(id, {
      id,
      createdAt: this.now(),
      uses: 0,
      channel: context.channel,
      user: context.user,
      messageTs: context.messageTs,
      ephemeralTs: context.ephemeralTs,
      attempts: [],
    });
    return `${this.url}${RESPONSE_PREFIX}${id}`;
  }

  triggerId(user: string): string {
    this.triggerCounter += 1;
    const id = `${this.triggerCounter}.${Math.floor(this.now() / 1000)}.${this.triggerCounter.toString(16).padStart(32, '0')}`;
    this.triggers.set(id, user);
    return id;
  }

  responses(urlOrId: string): ResponseUrlPost[] {
    return this.responseAttempts(urlOrId).filter((p) => p.ok);
  }

  responseAttempts(urlOrId: string): ResponseUrlPost[] {
    const id = urlOrId.includes(RESPONSE_PREFIX) ? (urlOrId.split(RESPONSE_PREFIX).pop() ?? '') : urlOrId;
    return [...(this.responseUrls.get(id)?.attempts ?? [])];
  }

  ratelimited(): ApiLogEntry[] {
    return this.calls().filter((e) => e.status === 429);
  }

  get ratelimitedCount(): number {
    return this.ratelimited().length;
  }

  addMessage(message: { channel: string; text: string; user?: string; thread_ts?: string }): string {
    const ts = this.nextTs();
    this.storeMessage({
      channel: message.channel,
      ts,
      thread_ts: message.thread_ts,
      reply_broadcast: false,
      text: message.text,
      blocks: [],
      user: message.user ?? 'UHUMAN',
      bot: false,
      via: 'seed',
      files: [],
      edits: 0,
      deleted: false,
      metadata: undefined,
    });
    return ts;
  }

  addEphemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: readonly unknown[];
    thread_ts?: string;
  }): EphemeralMessage {
    return this.storeEphemeral({
      channel: message.channel,
      user: message.user,
      ts: this.nextTs(),
      thread_ts: message.thread_ts,
      text: message.text,
      blocks: [...(message.blocks ?? [])],
      via: 'seed',
      edits: 0,
      deleted: false,
    });
  }

  replaceEphemeral(ts: string, content: { text: string; blocks?: readonly unknown[] }): EphemeralMessage | undefined {
    const target = this.ephemeral(ts);
    if (target === undefined || target.deleted) return undefined;
    target.text = content.text;
    target.blocks = [...(content.blocks ?? [])];
    target.edits += 1;
    this.notify({ kind: 'ephemeral', message: ephemeralSnapshot(target) });
    return ephemeralSnapshot(target);
  }

  onChange(listener: (change: WorkspaceChange) => void): () => void {
    // Wrapped, so the same function subscribed twice is two subscriptions, each undone by its own unsubscribe.
    const subscription = (change: WorkspaceChange): void => listener(change);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  setUsergroup(usergroup: string, users: readonly string[]): void {
    this.usergroups.set(usergroup, [...users]);
  }

  setDown(down: boolean, mode: OutageMode = 'http503'): void {
    this.down = down ? mode : undefined;
  }

  failNext(method: string, error: string, times = 1): void {
    this.injected.set(method, { error, times });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  private push(entry: Unsequenced<LogEntry>): void {
    this.seq += 1;
    this.log.push({ seq: this.seq, ...entry } as LogEntry);
  }

  // ---- changes --------------------------------------------------------------------------------

  /** Tell every listener; one that throws neither stops the others nor fails the call that made the change. */
  private notify(change: WorkspaceChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own (the page logs its own); the workspace keeps answering as Slack would.
      }
    }
  }

  private storeMessage(message: StoredMessage): StoredMessage {
    this.messages.push(message);
    this.messageChanged(message);
    return message;
  }

  private messageChanged(message: StoredMessage): void {
    this.notify({ kind: 'message', message: messageSnapshot(message) });
  }

  private storeEphemeral(message: EphemeralMessage): EphemeralMessage {
    this.ephemeralMessages.push(message);
    this.notify({ kind: 'ephemeral', message: ephemeralSnapshot(message) });
    return ephemeralSnapshot(message);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (this.down !== undefined) {
      this.push({ kind: 'down', path: url.pathname, mode: this.down });
      if (this.down === 'reset') {
        req.socket.destroy();
        return;
      }
      this.send(res, 503, { ok: false, error: 'service_unavailable' });
      return;
    }
    if (url.pathname.startsWith(API_PREFIX) && (req.method === 'POST' || req.method === 'GET')) {
      await this.handleApi(url.pathname.slice(API_PREFIX.length), req, res, raw, url.searchParams);
      return;
    }
    if (url.pathname.startsWith(UPLOAD_PREFIX) && req.method === 'POST') {
      await this.handleUpload(url.pathname.slice(UPLOAD_PREFIX.length), req, res, raw);
      return;
    }
    if (url.pathname.startsWith(RESPONSE_PREFIX) && req.method === 'POST') {
      this.handleResponseUrl(url.pathname.slice(RESPONSE_PREFIX.length), req, res, raw);
      return;
    }
    this.push({ kind: 'not_found', path: url.pathname });
    this.send(res, 404, 'not_found');
  }

  private async handleApi(
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    query: URLSearchParams,
  ): Promise<void> {
    const parsed = await parseParams(req, raw, query);
    const params: Params = parsed === 'invalid_json' ? {} : parsed;
    const answer = this.answerApi(method, req, params, parsed === 'invalid_json');
    const { token: _token, ...logged } = params;
    for (const key of ['blocks', 'files', 'attachments']) {
      if (typeof logged[key] === 'string') {
        try {
          logged[key] = JSON.parse(logged[key] as string) as unknown;
        } catch {
          // keep the string as sent
        }
      }
    }
    this.push({
      kind: 'api',
      method,
      status: answer.status,
      ok: answer.body.ok === true,
      error: typeof answer.body.error === 'string' ? answer.body.error : undefined,
      retryAfter: answer.retryAfter,
      channel: answer.channel ?? str(params, 'channel') ?? str(params, 'channel_id'),
      thread_ts: answer.thread_ts ?? str(params, 'thread_ts'),
      ts: answer.ts,
      text: answer.text ?? str(params, 'text'),
      blocks: answer.blocks,
      params: logged,
    });
    this.send(res, answer.status, answer.body, answer.headers);
  }

  private answerApi(method: string, req: IncomingMessage, params: Params, invalidJson: boolean): ApiAnswer {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const token = bearer ?? str(params, 'token');
    if (token === undefined || token === '') return fail('not_authed');
    if (!this.tokens.has(token)) return fail('invalid_auth');
    if (invalidJson) return fail('invalid_json');
    const injected = this.injected.get(method);
    if (injected !== undefined && injected.times > 0) {
      injected.times -= 1;
      return fail(injected.error);
    }
    switch (method) {
      case 'api.test':
        return ok({ args: params });
      case 'auth.test':
        return ok({
          url: `https://${this.teamName.toLowerCase()}.slack.com/`,
          team: this.teamName,
          user: 'trailbot',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        });
      case 'chat.postMessage':
        return this.postMessage(params);
      case 'chat.update':
        return this.update(params);
      case 'chat.postEphemeral':
        return this.postEphemeral(params);
      case 'chat.delete':
        return this.deleteMessage(params);
      case 'chat.getPermalink':
        return this.getPermalink(params);
      case 'conversations.open':
        return this.conversationsOpen(params);
      case 'views.open':
        return this.viewsOpen(params);
      case 'conversations.history':
        return this.conversationsHistory(params);
      case 'conversations.replies':
        return this.conversationsReplies(params);
      case 'usergroups.users.list':
        return this.usergroupsUsersList(params);
      case 'users.info':
        return this.usersInfo(params);
      case 'files.getUploadURLExternal':
        return this.getUploadUrl(params);
      case 'files.completeUploadExternal':
        return this.completeUpload(params);
      default:
        return fail('unknown_method');
    }
  }

  // ---- messages -------------------------------------------------------------------------------

  private nextTs(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private unknownChannel(channel: string): boolean {
    return this.channels !== undefined && !this.channels.has(channel);
  }

  /** Slack's checks of a message body: presence, blocks format, then the project's Block Kit limits. */
  private validate(source: Params, requireFallbackText = this.requireFallbackText): Validated {
    let blocks: unknown[] | undefined;
    if (source.blocks !== undefined && source.blocks !== null && source.blocks !== '') {
      let value: unknown;
      try {
        value = jsonField(source, 'blocks');
      } catch {
        return { ok: false, error: 'invalid_blocks_format', messages: ['blocks is not valid JSON'] };
      }
      if (!Array.isArray(value)) {
        return { ok: false, error: 'invalid_blocks_format', messages: ['blocks must be an array'] };
      }
      blocks = value;
    }
    const text = str(source, 'text') ?? '';
    const attachments = source.attachments;
    const hasAttachments = Array.isArray(attachments)
      ? attachments.length > 0
      : typeof attachments === 'string' && attachments !== '' && attachments !== '[]';
    if (text === '' && (blocks === undefined || blocks.length === 0) && !hasAttachments) {
      return { ok: false, error: 'no_text', messages: ['text, blocks or attachments is required'] };
    }
    if (blocks === undefined) blocks = [];
    const malformed = blocks
      .map((b, i) => (isRecord(b) && typeof b.type === 'string' ? undefined : `blocks[${i}]: not a block object`))
      .filter((m): m is string => m !== undefined);
    if (malformed.length > 0) return { ok: false, error: 'invalid_blocks', messages: malformed };
    let violations: string[];
    try {
      violations = blockKitViolations({ text, blocks: blocks as KnownBlock[] });
    } catch (err) {
      return { ok: false, error: 'invalid_blocks', messages: [`malformed block: ${String(err)}`] };
    }
    const empty = violations.filter((v) => v.startsWith('text: empty'));
    const textTooLong = violations.filter((v) => v.startsWith('text:') && !v.startsWith('text: empty'));
    const blocksTooLong = violations.filter((v) => v.startsWith('blocks text:'));
    const invalid = violations.filter((v) => !v.startsWith('text:') && !v.startsWith('blocks text:'));
    if (invalid.length > 0) return { ok: false, error: 'invalid_blocks', messages: invalid };
    if (blocksTooLong.length > 0) return { ok: false, error: 'msg_blocks_too_long', messages: blocksTooLong };
    if (textTooLong.length > 0) return { ok: false, error: 'msg_too_long', messages: textTooLong };
    if (empty.length > 0 && requireFallbackText && blocks.length > 0) {
      return { ok: false, error: 'no_text', messages: empty };
    }
    return { ok: true, text, blocks: blocks.length > 0 ? blocks : undefined };
  }

  /** Token bucket per channel; undefined when a post may go now, else the Retry-After seconds. */
  private retryAfter(channel: string): number | undefined {
    if (this.rate === undefined) return undefined;
    const now = this.now();
    const bucket = this.buckets.get(channel) ?? { tokens: this.rate.burst, at: now };
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate.perSecond);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens >= 1) return undefined;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate.perSecond));
  }

  private spendToken(channel: string): void {
    const bucket = this.buckets.get(channel);
    if (bucket !== undefined) bucket.tokens -= 1;
  }

  private wireMessage(m: StoredMessage): Record<string, unknown> {
    const out: Record<string, unknown> = { type: 'message', text: m.text, ts: m.ts, user: m.user, team: this.teamId };
    if (m.bot) {
      out.bot_id = this.botId;
      out.app_id = 'ALOOPBACK';
    }
    if (m.blocks.length > 0) out.blocks = m.blocks;
    if (m.thread_ts !== undefined) out.thread_ts = m.thread_ts;
    if (m.files.length > 0) out.files = m.files.map((id) => ({ id }));
    return out;
  }

  /** `metadata` as Slack takes it: `{event_type: string, event_payload: object}`; absent is fine. */
  private readMetadata(params: Params): StoredMessage['metadata'] | 'invalid' {
    if (params.metadata === undefined || params.metadata === '') return undefined;
    let value: unknown;
    try {
      value = jsonField(params, 'metadata');
    } catch {
      return 'invalid';
    }
    if (!isRecord(value) || typeof value.event_type !== 'string' || !isRecord(value.event_payload)) return 'invalid';
    return { event_type: value.event_type, event_payload: value.event_payload };
  }

  /** A message as conversations.history / .replies show it (metadata only when asked for). */
  private listedMessage(m: StoredMessage, withMetadata: boolean): Record<string, unknown> {
    const out = this.wireMessage(m);
    if (m.reply_broadcast) out.subtype = 'thread_broadcast';
    if (withMetadata && m.metadata !== undefined) out.metadata = m.metadata;
    return out;
  }

  /** Cursor paging over an ordered list (the cursor is an opaque offset). */
  private page(
    list: StoredMessage[],
    params: Params,
  ): { items: StoredMessage[]; more: boolean; next: string } | 'invalid_cursor' {
    const limit = Math.min(999, Math.max(1, Number(str(params, 'limit') ?? '100') || 100));
    const cursor = str(params, 'cursor') ?? '';
    const start =
      cursor === ''
        ? 0
        : Number(
            Buffer.from(cursor, 'base64')
              .toString('utf8')
              .replace(/^offset:/, ''),
          );
    if (!Number.isInteger(start) || start < 0) return 'invalid_cursor';
    const items = list.slice(start, start + limit);
    const more = start + limit < list.length;
    return { items, more, next: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' };
  }

  /** Within `oldest`/`latest` (exclusive unless `inclusive`), as Slack filters by ts. */
  private inWindow(params: Params): (m: StoredMessage) => boolean {
    const oldest = Number(str(params, 'oldest') ?? '0') || 0;
    const latestText = str(params, 'latest');
    const latest = latestText === undefined || latestText === '' ? Number.POSITIVE_INFINITY : Number(latestText);
    const inclusive = bool(params, 'inclusive');
    return (m) => {
      const ts = Number(m.ts);
      return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    };
  }

  /** Top-level messages (and thread broadcasts) of a channel, newest first. */
  private conversationsHistory(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const inWindow = this.inWindow(params);
    const list = this.messagesIn(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast)
      .filter(inWindow)
      .reverse();
    return this.listing(list, params);
  }

  /** One page of messages as conversations.history and .replies answer it (cursor, metadata on request). */
  private listing(list: StoredMessage[], params: Params): ApiAnswer {
    const paged = this.page(list, params);
    if (paged === 'invalid_cursor') return fail('invalid_cursor');
    const withMetadata = bool(params, 'include_all_metadata');
    return ok({
      messages: paged.items.map((m) => this.listedMessage(m, withMetadata)),
      has_more: paged.more,
      response_metadata: { next_cursor: paged.next },
    });
  }

  /** A thread: its parent first, then the replies, oldest first (the parent is listed whatever the window). */
  private conversationsReplies(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const ts = str(params, 'ts');
    const parent = ts === undefined ? undefined : this.message(channel, ts);
    if (ts === undefined || parent === undefined || parent.deleted) return fail('thread_not_found');
    const inWindow = this.inWindow(params);
    const list = [parent, ...this.threadReplies(channel, ts).filter(inWindow)];
    return this.listing(list, params);
  }

  private postMessage(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const threadTs = str(params, 'thread_ts') || undefined;
    const retryAfter = this.retryAfter(channel);
    if (retryAfter !== undefined) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(retryAfter) },
        retryAfter,
      };
    }
    const v = this.validate(params);
    if (!v.ok) return fail(v.error, v.messages);
    const metadata = this.readMetadata(params);
    if (metadata === 'invalid') return fail('invalid_metadata_format');
    this.spendToken(channel);
    const stored: StoredMessage = {
      channel,
      ts: this.nextTs(),
      thread_ts: threadTs,
      reply_broadcast: threadTs !== undefined && bool(params, 'reply_broadcast'),
      text: v.text,
      blocks: v.blocks ?? [],
      user: this.botUserId,
      bot: true,
      via: 'chat.postMessage',
      files: [],
      edits: 0,
      deleted: false,
      metadata,
    };
    this.storeMessage(stored);
    return {
      ...ok({ channel, ts: stored.ts, message: this.wireMessage(stored) }),
      channel,
      thread_ts: threadTs,
      ts: stored.ts,
      text: v.text,
      blocks: v.blocks,
    };
  }

  private update(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const ts = str(params, 'ts');
    const target = ts === undefined ? undefined : this.message(channel, ts);
    if (target === undefined || target.deleted) return fail('message_not_found');
    if (!target.bot) return fail('cant_update_message');
    const hasText = str(params, 'text') !== undefined;
    const hasBlocks = params.blocks !== undefined;
    if (!hasText && !hasBlocks && params.attachments === undefined) return fail('no_text');
    // Omitted fields keep their old values (chat.update semantics: omit blocks to keep them, send [] to clear).
    const merged: Params = {
      text: hasText ? params.text : target.text,
      blocks: hasBlocks ? params.blocks : target.blocks,
    };
    const v = this.validate(merged);
    if (!v.ok) return fail(v.error, v.messages);
    target.text = v.text;
    target.blocks = v.blocks ?? [];
    target.edits += 1;
    this.messageChanged(target);
    return {
      ...ok({ channel, ts: target.ts, text: target.text, message: this.wireMessage(target) }),
      channel,
      thread_ts: target.thread_ts,
      ts: target.ts,
      text: v.text,
      blocks: v.blocks,
    };
  }

  private postEphemeral(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const user = str(params, 'user');
    if (user === undefined || user === '') return fail('user_not_found');
    const v = this.validate(params);
    if (!v.ok) return fail(v.error, v.messages);
    const ts = this.nextTs();
    const threadTs = str(params, 'thread_ts') || undefined;
    this.storeEphemeral({
      channel,
      user,
      ts,
      thread_ts: threadTs,
      text: v.text,
      blocks: v.blocks ?? [],
      via: 'chat.postEphemeral',
      edits: 0,
      deleted: false,
    });
    return { ...ok({ message_ts: ts }), channel, thread_ts: threadTs, ts, text: v.text, blocks: v.blocks };
  }

  private deleteMessage(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const ts = str(params, 'ts');
    const target = ts === undefined ? undefined : this.message(channel, ts);
    if (target === undefined || target.deleted) return fail('message_not_found');
    if (!target.bot) return fail('cant_delete_message');
    target.deleted = true;
    this.messageChanged(target);
    return { ...ok({ channel, ts: target.ts }), channel, ts: target.ts };
  }

  private getPermalink(params: Params): ApiAnswer {
    const channel = str(params, 'channel');
    if (channel === undefined || channel === '' || this.unknownChannel(channel)) return fail('channel_not_found');
    const ts = str(params, 'message_ts') ?? '';
    const target = this.message(channel, ts);
    if (target === undefined || target.deleted) return fail('message_not_found');
    const permalink = `${this.url}/archives/${channel}/p${ts.replace('.', '')}`;
    const query =
      target.thread_ts !== undefined && target.thread_ts !== ts ? `?thread_ts=${target.thread_ts}&cid=${channel}` : '';
    return ok({ channel, permalink: `${permalink}${query}` });
  }

  // ---- directory ------------------------------------------------------------------------------

  /**
   * A modal, opened from a trigger_id: Slack's limits for it (type modal, a plain_text title of at most 24
   * characters, at most 100 blocks, section texts of at most 3000) are checked, and the view is kept with a `V…` id
   * and the person whose trigger it was (known for triggers minted by `triggerId`).
   */
  private viewsOpen(params: Params): ApiAnswer {
    const triggerId = str(params, 'trigger_id');
    if (triggerId === undefined) return fail('invalid_trigger_id');
    const raw = params.view;
    let view: Record<string, unknown>;
    try {
      view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
    } catch {
      return fail('invalid_arguments', ['[ERROR] view is not JSON']);
    }
    const problems: string[] = [];
    const title = view?.title as { type?: string; text?: string } | undefined;
    if (view?.type !== 'modal') problems.push('[ERROR] view.type must be modal');
    if (title?.type !== 'plain_text' || (title.text ?? '').length === 0 || (title.text ?? '').length > 24) {
      problems.push('[ERROR] title must be plain_text of 1-24 characters');
    }
    const blocks = Array.isArray(view?.blocks) ? (view.blocks as { type?: string; text?: { text?: string } }[]) : [];
    if (blocks.length === 0 || blocks.length > 100)
      problems.push(`[ERROR] ${blocks.length} blocks: a modal takes 1-100`);
    for (const b of blocks) {
      if (b.type === 'section' && (b.text?.text ?? '').length > 3000) problems.push('[ERROR] section text over 3000');
    }
    if (problems.length > 0) return fail('invalid_arguments', problems);
    const opened: OpenedView = {
      id: `V${String(this.openedViews.length + 1).padStart(9, '0')}`,
      view,
      user: this.triggers.get(triggerId),
    };
    this.openedViews.push(opened);
    this.notify({ kind: 'view', id: opened.id, view: opened.view, user: opened.user });
    return ok({ view: { id: opened.id, ...view } });
  }

  /** A DM (or group DM) with the given users: one stable `D…` id per set of users. */
  private conversationsOpen(params: Params): ApiAnswer {
    const users = (str(params, 'users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (users.length === 0) return fail('users_list_not_supplied');
    const key = [...users].sort().join(',');
    const existing = this.dms.get(key);
    const id = existing ?? `D${String(this.dms.size + 1).padStart(9, '0')}`;
    if (existing === undefined) {
      this.dms.set(key, id);
      this.channels?.add(id);
      return ok({ channel: { id } });
    }
    return ok({ no_op: true, already_open: true, channel: { id } });
  }

  private usergroupsUsersList(params: Params): ApiAnswer {
    const usergroup = str(params, 'usergroup');
    const users = usergroup === undefined ? undefined : this.usergroups.get(usergroup);
    if (users === undefined) return fail('no_such_subteam');
    return ok({ users: [...users] });
  }

  private usersInfo(params: Params): ApiAnswer {
    const id = str(params, 'user') ?? '';
    const fields = id === this.botUserId ? { name: 'trailbot', is_bot: true } : this.users.get(id);
    if (fields === undefined) return fail('user_not_found');
    const name = fields.name ?? id.toLowerCase();
    return ok({
      user: {
        id,
        team_id: this.teamId,
        name,
        real_name: fields.real_name ?? name,
        deleted: fields.deleted ?? false,
        tz: fields.tz ?? 'Asia/Tokyo',
        is_bot: fields.is_bot ?? false,
        profile: { real_name: fields.real_name ?? name, display_name: name, ...fields.profile },
      },
    });
  }

  // ---- files (upload v2) ----------------------------------------------------------------------

  private getUploadUrl(params: Params): ApiAnswer {
    const filename = str(params, 'filename');
    if (filename === undefined || filename === '') return fail('invalid_arguments', ['filename is required']);
    const length = Number(str(params, 'length') ?? '0');
    if (!Number.isInteger(length) || length <= 0)
      return fail('missing_argument', ['length must be a positive integer']);
    this.fileCounter += 1;
    const id = `F${String(this.fileCounter).padStart(9, '0')}`;
    this.storedFiles.set(id, {
      id,
      filename,
      title: filename,
      declaredLength: length,
      bytes: undefined,
      uploaded: false,
      completed: false,
      channel: undefined,
      thread_ts: undefined,
      initial_comment: undefined,
      snippet_type: str(params, 'snippet_type'),
      alt_text: str(params, 'alt_text') ?? str(params, 'alt_txt'),
    });
    return ok({ upload_url: `${this.url}${UPLOAD_PREFIX}${id}`, file_id: id });
  }

  private async handleUpload(fileId: string, req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const file = this.storedFiles.get(fileId);
    if (file === undefined) {
      this.push({ kind: 'upload', fileId, status: 404, bytes: raw.length });
      this.send(res, 404, 'file_not_found');
      return;
    }
    let bytes = raw;
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    if (contentType.startsWith('multipart/form-data')) {
      // WebClient sends FormData with one file part (field `body`, or `file` from other clients).
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const part = [...form.values()].find((v) => typeof v !== 'string') as Blob | undefined;
      bytes = part === undefined ? Buffer.alloc(0) : Buffer.from(await part.arrayBuffer());
    }
    file.bytes = bytes;
    file.uploaded = true;
    this.push({ kind: 'upload', fileId, status: 200, bytes: bytes.length });
    this.send(res, 200, `OK - ${bytes.length}`);
  }

  private completeUpload(params: Params): ApiAnswer {
    let list: unknown;
    try {
      list = jsonField(params, 'files');
    } catch {
      return fail('invalid_arguments', ['files is not valid JSON']);
    }
    if (!Array.isArray(list) || list.length === 0)
      return fail('invalid_arguments', ['files must be a non-empty array']);
    const entries: { file: StoredFile; title: string | undefined }[] = [];
    for (const item of list) {
      const id = isRecord(item) && typeof item.id === 'string' ? item.id : undefined;
      const file = id === undefined ? undefined : this.storedFiles.get(id);
      if (file === undefined || !file.uploaded) return fail('file_not_found');
      entries.push({ file, title: isRecord(item) && typeof item.title === 'string' ? item.title : undefined });
    }
    const channel = str(params, 'channel_id') || str(params, 'channels') || undefined;
    if (channel !== undefined && this.unknownChannel(channel)) return fail('invalid_channel');
    const threadTs = channel === undefined ? undefined : str(params, 'thread_ts') || undefined;
    const comment = str(params, 'initial_comment') || undefined;
    let blocks: unknown[] | undefined;
    if (params.blocks !== undefined || comment !== undefined) {
      // The message the files arrive with: its blocks obey the same limits (text may be empty beside files).
      const v = this.validate({ text: comment ?? ' ', blocks: params.blocks }, false);
      if (!v.ok) return fail(v.error, v.messages);
      blocks = v.blocks;
    }
    for (const { file, title } of entries) {
      if (title !== undefined) file.title = title;
      file.completed = true;
      file.channel = channel;
      file.thread_ts = threadTs;
      file.initial_comment = comment;
    }
    let ts: string | undefined;
    if (channel !== undefined) {
      ts = this.nextTs();
      this.storeMessage({
        channel,
        ts,
        thread_ts: threadTs,
        reply_broadcast: false,
        text: comment ?? '',
        blocks: blocks ?? [],
        user: this.botUserId,
        bot: true,
        via: 'files.completeUploadExternal',
        files: entries.map((e) => e.file.id),
        edits: 0,
        deleted: false,
        metadata: undefined,
      });
    }
    const created = Math.floor(this.now() / 1000);
    const files = entries.map(({ file }) => ({
      id: file.id,
      created,
      timestamp: created,
      name: file.filename,
      title: file.title,
      ...mimeOf(file.filename),
      size: file.bytes?.length ?? 0,
      user: this.botUserId,
      url_private: `${this.url}/files-pri/${this.teamId}-${file.id}/${encodeURIComponent(file.filename)}`,
      permalink: `${this.url}/files/${this.botUserId}/${file.id}/${encodeURIComponent(file.filename)}`,
      ...(channel === undefined
        ? { shares: {} }
        : { shares: { public: { [channel]: [{ ts, ...(threadTs === undefined ? {} : { thread_ts: threadTs }) }] } } }),
    }));
    return { ...ok({ files }), channel, thread_ts: threadTs, ts, text: comment, blocks };
  }

  // ---- response_url ---------------------------------------------------------------------------

  private handleResponseUrl(id: string, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const state = this.responseUrls.get(id);
    let body: Record<string, unknown> = {};
    let badPayload = false;
    try {
      const contentType = (req.headers['content-type'] ?? '').toLowerCase();
      const text = raw.toString('utf8');
      const parsed: unknown = contentType.startsWith('application/x-www-form-urlencoded')
        ? JSON.parse(new URLSearchParams(text).get('payload') ?? '')
        : JSON.parse(text);
      if (isRecord(parsed)) body = parsed;
      else badPayload = true;
    } catch {
      badPayload = true;
    }
    const post: ResponseUrlPost = {
      urlId: id,
      status: 200,
      ok: true,
      error: undefined,
      response_type: body.response_type === 'in_channel' ? 'in_channel' : 'ephemeral',
      replace_original: bool(body, 'replace_original'),
      delete_original: bool(body, 'delete_original'),
      thread_ts: str(body, 'thread_ts') || undefined,
      text: str(body, 'text'),
      blocks: Array.isArray(body.blocks) ? body.blocks : undefined,
      body,
    };
    const refusal = this.refusal(state, body, badPayload, post.delete_original);
    if (refusal !== undefined) {
      post.status = refusal.status;
      post.ok = false;
      post.error = refusal.error;
    } else if (state !== undefined) {
      state.uses += 1;
      this.apply(state, post);
    }
    state?.attempts.push(post);
    this.push({ kind: 'response', ...post });
    if (refusal === undefined) {
      this.send(res, 200, { ok: true });
      return;
    }
    const answer: Record<string, unknown> = { ok: false, error: refusal.error };
    if (refusal.messages.length > 0) {
      answer.response_metadata = { messages: refusal.messages.map((m) => `[ERROR] ${m}`) };
    }
    this.send(res, refusal.status, answer);
  }

  /** Why Slack would refuse this response_url post (unknown, expired, used up, or a bad message), if it would. */
  private refusal(
    state: ResponseUrlState | undefined,
    body: Params,
    badPayload: boolean,
    deleteOriginal: boolean,
  ): { status: number; error: string; messages: string[] } | undefined {
    if (state === undefined) return { status: 404, error: 'no_service', messages: [] };
    if (this.now() - state.createdAt > this.responseUrlTtlMs)
      return { status: 404, error: 'expired_url', messages: [] };
    if (state.uses >= this.responseUrlMaxUses) return { status: 404, error: 'used_url', messages: [] };
    if (badPayload) return { status: 400, error: 'invalid_payload', messages: [] };
    if (deleteOriginal) return undefined;
    const v = this.validate(body);
    return v.ok ? undefined : { status: 400, error: v.error, messages: v.messages };
  }

  /**
   * What a response_url post does to the conversation. `replace_original` / `delete_original` act on the URL's
   * ephemeral message when it has one (a slash command's ack, a clicked ephemeral), else on its channel message;
   * otherwise the post is a new message: in the channel for `in_channel`, else an ephemeral one for the invoker.
   */
  private apply(state: ResponseUrlState, post: ResponseUrlPost): void {
    if (state.ephemeralTs !== undefined) {
      const original = this.ephemeral(state.ephemeralTs);
      if (original !== undefined && !original.deleted && (post.delete_original || post.replace_original)) {
        if (post.delete_original) {
          original.deleted = true;
        } else {
          original.text = post.text ?? '';
          original.blocks = post.blocks ?? [];
          original.edits += 1;
        }
        this.notify({ kind: 'ephemeral', message: ephemeralSnapshot(original) });
        return;
      }
      if (post.delete_original) return;
    } else {
      const original =
        state.channel === undefined || state.messageTs === undefined
          ? undefined
          : this.message(state.channel, state.messageTs);
      if (post.delete_original) {
        if (original !== undefined) {
          original.deleted = true;
          this.messageChanged(original);
        }
        return;
      }
      if (post.replace_original && original !== undefined) {
        original.text = post.text ?? '';
        original.blocks = post.blocks ?? [];
        original.edits += 1;
        this.messageChanged(original);
        return;
      }
    }
    const ts = this.nextTs();
    if (post.response_type === 'in_channel' && state.channel !== undefined) {
      this.storeMessage({
        channel: state.channel,
        ts,
        thread_ts: post.thread_ts,
        reply_broadcast: false,
        text: post.text ?? '',
        blocks: post.blocks ?? [],
        user: this.botUserId,
        bot: true,
        via: 'response_url',
        files: [],
        edits: 0,
        deleted: false,
        metadata: undefined,
      });
      return;
    }
    this.storeEphemeral({
      channel: state.channel,
      user: state.user,
      ts,
      thread_ts: post.thread_ts,
      text: post.text ?? '',
      blocks: post.blocks ?? [],
      via: 'response_url',
      edits: 0,
      deleted: false,
    });
  }
}

/** Start the workspace (local mode's Slack, the tests' loopback Slack) on 127.0.0.1 and a free port. */
export async function startSlackServer(options: SlackServerOptions = {}): Promise<SlackServer> {
  const server = new LoopbackSlack(options);
  await server.listen();
  return server;
}

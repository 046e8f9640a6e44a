/**
 * What Slack sends to our app, built and signed as Slack does (aws-slack-facts §6.1, §6.5): slash commands
 * (form-encoded), Events API callbacks (JSON), interactivity payloads (form field `payload=<json>`), each
 * signed with `v0=HMAC-SHA256(signingSecret, "v0:<ts>:<raw body>")`. It serves two purposes:
 * - local mode: the channel page turns a typed `/trail …` and a pressed button into exactly these requests, signed
 *   with the local workspace's signing secret and POSTed to the app's real `/slack/events`;
 * - tests: the same requests, and `postToApp` can also sign wrongly, sign stale, or not sign at all, so tests can
 *   show the receiver refuses those.
 *
 * Fields left out default to the loopback workspace of slack-server.ts (team `T0LOOPBACK`, bot user `UBOT`) and a
 * test person (`U0ALICE` in `C0ALERTS`); local mode passes its own.
 */
import { createHmac } from 'node:crypto';

export const TEAM_ID = 'T0LOOPBACK';
export const TEAM_DOMAIN = 'loopback';
export const API_APP_ID = 'A0TRAILBOT';
export const BOT_USER_ID = 'UBOT';
/** The legacy verification token Slack still puts in payloads; Bolt ignores it. */
const LEGACY_TOKEN = 'legacy-verification-token';

export type SlackContentType = 'application/x-www-form-urlencoded' | 'application/json';

export interface SlackSignatureHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

/** Slack's v0 request signature over the raw body. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = nowSeconds(),
): SlackSignatureHeaders {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'X-Slack-Signature': `v0=${hmac}`, 'X-Slack-Request-Timestamp': String(timestampSeconds) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

let counter = 0;
function next(): number {
  counter += 1;
  return counter;
}

/** A Slack-looking message ts (`seconds.micros`), unique within the test run. */
export function aTs(seconds: number = nowSeconds()): string {
  return `${seconds}.${String(next()).padStart(6, '0')}`;
}

function form(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) params.append(key, value);
  return params.toString();
}

export interface SlashCommandFields {
  command?: string;
  text: string;
  response_url: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  trigger_id?: string;
  api_app_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
}

/** The form-encoded body Slack POSTs for a slash command (`/trail` unless told otherwise). */
export function slashCommandBody(fields: SlashCommandFields): string {
  return form({
    token: LEGACY_TOKEN,
    team_id: fields.team_id ?? TEAM_ID,
    team_domain: fields.team_domain ?? TEAM_DOMAIN,
    channel_id: fields.channel_id ?? 'C0ALERTS',
    channel_name: fields.channel_name ?? 'alerts',
    user_id: fields.user_id ?? 'U0ALICE',
    user_name: fields.user_name ?? 'alice',
    command: fields.command ?? '/trail',
    text: fields.text,
    api_app_id: fields.api_app_id ?? API_APP_ID,
    is_enterprise_install: String(fields.is_enterprise_install ?? false),
    enterprise_id: fields.enterprise_id,
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? `${next()}.1234567890.abcdef0123456789`,
  });
}

export interface AppMentionFields {
  /** e.g. `<@UBOT> who i-0abc` */
  text: string;
  user?: string;
  channel?: string;
  /** The mention's own ts (default: a fresh one). */
  ts?: string;
  /** Set when the mention is a reply in a thread. */
  thread_ts?: string;
  team_id?: string;
  api_app_id?: string;
  bot_user_id?: string;
  event_id?: string;
}

/** The Events API `event_callback` envelope (JSON) for an `app_mention`. */
export function appMentionEventBody(fields: AppMentionFields): string {
  const ts = fields.ts ?? aTs();
  const teamId = fields.team_id ?? TEAM_ID;
  const event: Record<string, unknown> = {
    type: 'app_mention',
    user: fields.user ?? 'U0ALICE',
    text: fields.text,
    ts,
    team: teamId,
    channel: fields.channel ?? 'C0ALERTS',
    event_ts: ts,
  };
  if (fields.thread_ts !== undefined) event.thread_ts = fields.thread_ts;
  return JSON.stringify({
    token: LEGACY_TOKEN,
    team_id: teamId,
    api_app_id: fields.api_app_id ?? API_APP_ID,
    event,
    type: 'event_callback',
    event_id: fields.event_id ?? `Ev${String(next()).padStart(9, '0')}`,
    event_time: Math.floor(Number(ts)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: fields.bot_user_id ?? BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-loopback-${next()}`,
  });
}

/** The Events API handshake Slack sends when the Request URL is set. */
export function urlVerificationBody(challenge: string): string {
  return JSON.stringify({ token: LEGACY_TOKEN, challenge, type: 'url_verification' });
}

export interface BlockActionFields {
  action_id: string;
  value?: string;
  /** The button's label. */
  text?: string;
  block_id?: string;
  user?: string;
  user_name?: string;
  channel?: string;
  channel_name?: string;
  response_url: string;
  /** ts of the message the button sits on. */
  message_ts?: string;
  /** Set when that message is a thread reply. */
  thread_ts?: string;
  /** Buttons on an ephemeral message: Slack then sends no `message`, and `container.is_ephemeral` is true. */
  ephemeral?: boolean;
  /** The message carrying the button, as Slack echoes it (non-ephemeral only). */
  message?: { text?: string; blocks?: unknown[] };
  team_id?: string;
  trigger_id?: string;
  api_app_id?: string;
}

/** The interactivity payload for a button click, form-encoded as `payload=<json>` the way Slack posts it. */
export function blockActionBody(fields: BlockActionFields): string {
  const teamId = fields.team_id ?? TEAM_ID;
  const channel = fields.channel ?? 'C0ALERTS';
  const messageTs = fields.message_ts ?? aTs();
  const ephemeral = fields.ephemeral ?? false;
  const container: Record<string, unknown> = {
    type: 'message',
    message_ts: messageTs,
    channel_id: channel,
    is_ephemeral: ephemeral,
  };
  if (fields.thread_ts !== undefined) container.thread_ts = fields.thread_ts;
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: {
      id: fields.user ?? 'U0ALICE',
      username: fields.user_name ?? 'alice',
      name: fields.user_name ?? 'alice',
      team_id: teamId,
    },
    api_app_id: fields.api_app_id ?? API_APP_ID,
    token: LEGACY_TOKEN,
    container,
    trigger_id: fields.trigger_id ?? `${next()}.1234567890.abcdef0123456789`,
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: fields.channel_name ?? 'alerts' },
    state: { values: {} },
    response_url: fields.response_url,
    actions: [
      {
        type: 'button',
        action_id: fields.action_id,
        block_id: fields.block_id ?? 'actions',
        text: { type: 'plain_text', text: fields.text ?? fields.action_id, emoji: true },
        ...(fields.value === undefined ? {} : { value: fields.value }),
        action_ts: aTs(),
      },
    ],
  };
  if (!ephemeral) {
    const message: Record<string, unknown> = {
      type: 'message',
      subtype: 'bot_message',
      ts: messageTs,
      user: BOT_USER_ID,
      bot_id: 'BBOT',
      app_id: fields.api_app_id ?? API_APP_ID,
      team: teamId,
      text: fields.message?.text ?? 'message with buttons',
      blocks: fields.message?.blocks ?? [],
    };
    if (fields.thread_ts !== undefined) message.thread_ts = fields.thread_ts;
    payload.message = message;
  }
  return form({ payload: JSON.stringify(payload) });
}

export interface PostToAppOptions {
  signingSecret: string;
  /** Default: JSON when the body starts with `{`, else form-encoded (what the builders above return). */
  contentType?: SlackContentType;
  /** Seconds since the epoch to sign with (default now). */
  timestamp?: number;
  /** Sign 10 minutes in the past: Bolt refuses anything older than 5. */
  stale?: boolean;
  /** Sign with the wrong secret: a well-formed signature that does not match. */
  badSignature?: boolean;
  /** Send no signature headers at all. */
  unsigned?: boolean;
  /** Events API redelivery headers. */
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

/** POST a body to the app's Slack endpoint (e.g. `http://127.0.0.1:PORT/slack/events`), signed as told. */
export async function postToApp(url: string, body: string, options: PostToAppOptions): Promise<Response> {
  const contentType =
    options.contentType ??
    (body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  const timestamp = options.timestamp ?? (options.stale === true ? nowSeconds() - 10 * 60 : nowSeconds());
  const secret = options.badSignature === true ? `${options.signingSecret}-but-wrong` : options.signingSecret;
  const headers: Record<string, string> = { 'Content-Type': contentType, ...options.headers };
  if (options.unsigned !== true) Object.assign(headers, signSlackRequest(secret, body, timestamp));
  if (options.retryNum !== undefined) headers['X-Slack-Retry-Num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['X-Slack-Retry-Reason'] = options.retryReason;
  return fetch(url, { method: 'POST', headers, body });
}

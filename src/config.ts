/**
 * loadConfig(env) → a typed, frozen Config, or one ConfigError listing every problem at once, one a line,
 * each naming the variable (or the TRAILBOT_CONFIG key) and what to set. Pure given its inputs: the
 * environment and a file reader (the default reads the file). Secret values (tokens, the signing secret)
 * never appear in a message: only which variable is wrong.
 *
 * Variables: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, PORT, TRAILBOT_REGIONS,
 * AWS_REGION, TRAILBOT_STORE, TRAILBOT_CONFIG, LOG_LEVEL (see .env.example; the file: config.example.yml).
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { AccessPolicy } from './core/access/check-access.js';
import { type AccountSettings, DEFAULT_ACCOUNTS_ROLE_NAME } from './core/accounts.js';
import {
  DEFAULT_ENRICHMENT,
  type EnrichmentSettings,
  type FilterMapping,
  packRuleIds,
  packRuleOfReference,
  patternProblem,
} from './core/alerts/alarm-filter.js';
import { type AlertRoute, SEVERITIES } from './core/alerts/route-alert.js';
import { looksLikeRegion, REGION_SHAPE } from './core/aws-regions.js';
import { TrailbotError } from './core/errors.js';
import { editDistance } from './core/query/closest-word.js';
import { isValidTopicPattern } from './core/sns/sns-message.js';
import { DEFAULT_STORE_SPEC, parseStoreSpec } from './outbound/store/open-store.js';

/**
 * How Trailbot reaches Slack. `http`: bot token + signing secret (Events over HTTP). `socket`: bot token + app
 * token (Socket Mode; wins when all three are set, the signing secret is then kept but unused). `none`: no
 * Slack credentials at all (local mode).
 */
export type SlackConfig =
  | {
      readonly mode: 'http';
      readonly botToken: string;
      readonly signingSecret: string;
      readonly appToken: null;
      readonly apiUrl: string;
    }
  | {
      readonly mode: 'socket';
      readonly botToken: string;
      readonly appToken: string;
      readonly signingSecret: string | null;
      readonly apiUrl: string;
    }
  | { readonly mode: 'none'; readonly apiUrl: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly slack: SlackConfig;
  /** HTTP port (PORT, default 3000). */
  readonly port: number;
  /** HOST: the address to listen on; null when unset (all interfaces with Slack credentials, 127.0.0.1 in local mode). */
  readonly host: string | null;
  /**
   * Regions for questions without `in`: TRAILBOT_REGIONS, else the file's `regions`, else AWS_REGION;
   * empty when none is set. Lower case, no duplicates.
   */
  readonly regions: readonly string[];
  /** Where `regions` came from. */
  readonly regionsFrom: 'TRAILBOT_REGIONS' | 'TRAILBOT_CONFIG' | 'AWS_REGION' | 'none';
  /** AWS_REGION (the SDK reads it too), or null. */
  readonly awsRegion: string | null;
  /** TRAILBOT_STORE as given (default `sqlite:./trailbot.db`); a postgres:// URL may hold a password: never log it. */
  readonly store: string;
  /** Whether TRAILBOT_STORE was set (local mode otherwise keeps its store in a temporary file). */
  readonly storeGiven: boolean;
  /**
   * TRAILBOT_OUTBOX_TAKEOVER_MS (default 60 000): where replicas share the store (PostgreSQL), how long a Slack write
   * may stay in flight before another replica takes it over, its own presumed dead (docs/outbox.md). SQLite: unused.
   */
  readonly outboxTakeoverMs: number;
  /** TRAILBOT_CONFIG, the YAML file read, or null. */
  readonly configFile: string | null;
  /** Who may ask (the file's `access` and `refusal`); open to all when the file sets no lists. */
  readonly access: AccessPolicy;
  /** LOG_LEVEL, default `info`. */
  readonly logLevel: LogLevel;
  readonly alerts: AlertSettings;
  /** TRAILBOT_CONFIG `enrichment`: the CloudTrail events behind an ALARM, posted in its thread. */
  readonly enrichment: EnrichmentSettings;
  /**
   * TRAILBOT_CONFIG `accounts`: the accounts questions read, each through its read-only role (roleArn defaults to
   * `arn:aws:iam::<id>:role/<accountsRoleName>`); empty: the credentials' own account. Ids and aliases are unique.
   */
  readonly accounts: readonly AccountSettings[];
  /**
   * TRAILBOT_CONFIG `athena`: the organization trail's table. When set, questions LookupEvents answers badly (a
   * window past its 90 days, or one with no lookup attribute to narrow by: `ip`, bare `errors`, `scan`) go to
   * Athena; the rest stay on LookupEvents. Null when unset.
   */
  readonly athena: AthenaConfig | null;
}

/** TRAILBOT_CONFIG `athena`: where the organization trail's table is and how to query it. */
export interface AthenaConfig {
  /** `DATABASE.TABLE`. */
  readonly table: string;
  readonly workgroup?: string;
  /** `s3://bucket/prefix/` for query results. */
  readonly output?: string;
  readonly catalog?: string;
  readonly region?: string;
}

/** Where alerts come from and go (SNS → cards). */
export interface AlertSettings {
  /** TRAILBOT_ALERT_CHANNEL: the channel alerts go to when no route matches; null when unset. */
  readonly channel: string | null;
  /** TRAILBOT_SNS_TOPICS: the topic ARNs whose messages are accepted (a trailing `*` widens a name). */
  readonly snsTopics: readonly string[];
  /** TRAILBOT_SNS_CERT_URL_PATTERN: replaces the signing-certificate URL rule; for test rigs only. */
  readonly certUrlPattern: RegExp | null;
  /** TRAILBOT_CONFIG `alerts.routes`: the first matching route picks the channel. */
  readonly routes: readonly AlertRoute[];
  /**
   * TRAILBOT_CONFIG `alerts.accountAliases`, over the aliases of `accounts` (an entry here wins): shown beside the
   * account id on every card.
   */
  readonly accountAliases: Readonly<Record<string, string>>;
  /** TRAILBOT_CONFIG `alerts.groupingWindowMinutes` (default 15): CloudTrail events of one actor, action and resource within it share a thread. */
  readonly groupingWindowMs: number;
}

export interface ConfigProblem {
  /** The variable, or `TRAILBOT_CONFIG (path) key.path` for a key in the file. */
  readonly where: string;
  /** What is wrong and what to set; never a secret value. */
  readonly message: string;
}

export class ConfigError extends TrailbotError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super('config', formatProblems(problems), 'user');
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

/** `Trailbot's configuration has N problems:` then one `- WHERE: message` line per problem. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const head =
    problems.length === 1
      ? "Trailbot's configuration has 1 problem:"
      : `Trailbot's configuration has ${problems.length} problems:`;
  return [head, ...problems.map((p) => `- ${p.where}: ${p.message}`)].join('\n');
}

/** Every variable loadConfig reads (.env.example documents each one; a test keeps them in step). */
export const CONFIG_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'PORT',
  'HOST',
  'TRAILBOT_REGIONS',
  'AWS_REGION',
  'TRAILBOT_STORE',
  'TRAILBOT_OUTBOX_TAKEOVER_MS',
  'TRAILBOT_CONFIG',
  'LOG_LEVEL',
  'TRAILBOT_ALERT_CHANNEL',
  'TRAILBOT_SNS_TOPICS',
  'TRAILBOT_SNS_CERT_URL_PATTERN',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
export const DEFAULT_PORT = 3000;
export const DEFAULT_OUTBOX_TAKEOVER_MS = 60_000;

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

export function loadConfig(env: NodeJS.ProcessEnv, readFile: ReadFile = readUtf8): Config {
  const problems: ConfigProblem[] = [];
  const problem = (where: string, message: string): void => {
    problems.push({ where, message });
  };
  const get = (name: ConfigVariable): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const slack = readSlack(get, problem);
  const port = readPort(get('PORT'), problem);
  const host = readHost(get('HOST'), problem);
  const envRegions = readRegionList(get('TRAILBOT_REGIONS'), problem);
  const awsRegion = readAwsRegion(get('AWS_REGION'), problem);
  const store = get('TRAILBOT_STORE') ?? DEFAULT_STORE_SPEC;
  const storeSpec = parseStoreSpec(store);
  if (storeSpec.kind === 'invalid') problem('TRAILBOT_STORE', storeSpec.problem);
  const outboxTakeoverMs = readOutboxTakeoverMs(get('TRAILBOT_OUTBOX_TAKEOVER_MS'), problem);
  const configFile = get('TRAILBOT_CONFIG') ?? null;
  const file = configFile === null ? emptyFile() : readConfigFile(configFile, readFile, problem);
  const logLevel = readLogLevel(get('LOG_LEVEL'), problem);
  const alerts = readAlerts(get, problem);

  if (problems.length > 0) throw new ConfigError(problems);

  const [regions, regionsFrom] =
    envRegions !== null
      ? [envRegions, 'TRAILBOT_REGIONS' as const]
      : file.regions !== null
        ? [file.regions, 'TRAILBOT_CONFIG' as const]
        : awsRegion !== null
          ? [[awsRegion], 'AWS_REGION' as const]
          : [[], 'none' as const];

  // An account's alias labels its alert cards too, unless alerts.accountAliases says otherwise.
  const accountAliases = Object.fromEntries(
    file.accounts.flatMap((a) => (a.alias === null ? [] : [[a.id, a.alias] as const])),
  );
  return deepFreeze<Config>({
    slack,
    port,
    host,
    regions,
    regionsFrom,
    awsRegion,
    store,
    storeGiven: get('TRAILBOT_STORE') !== undefined,
    outboxTakeoverMs,
    configFile,
    access: file.access,
    logLevel,
    alerts: { ...alerts, ...file.alerts, accountAliases: { ...accountAliases, ...file.alerts.accountAliases } },
    enrichment: file.enrichment,
    accounts: file.accounts,
    athena: file.athena,
  });
}

/**
 * The accounts map alone, for the terminal (which needs no Slack settings): TRAILBOT_CONFIG's `accounts`, or none
 * when the variable is unset. Throws a ConfigError listing the file's problems.
 */
export function loadAccounts(env: NodeJS.ProcessEnv, readFile: ReadFile = readUtf8): readonly AccountSettings[] {
  const path = env.TRAILBOT_CONFIG?.trim();
  if (path === undefined || path === '') return [];
  const problems: ConfigProblem[] = [];
  const file = readConfigFile(path, readFile, (where, message) => {
    problems.push({ where, message });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(file.accounts);
}

type Report = (where: string, message: string) => void;

// ---- Slack -------------------------------------------------------------------------------------------------

function readSlack(get: (name: ConfigVariable) => string | undefined, problem: Report): SlackConfig {
  const botToken = get('SLACK_BOT_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  const appToken = get('SLACK_APP_TOKEN');
  const apiUrl = readApiUrl(get('SLACK_API_URL'), problem);

  if (botToken !== undefined) {
    const wrong = tokenProblem(botToken, 'xoxb-');
    if (wrong !== null) problem('SLACK_BOT_TOKEN', wrong);
  }
  if (appToken !== undefined) {
    const wrong = tokenProblem(appToken, 'xapp-');
    if (wrong !== null) problem('SLACK_APP_TOKEN', wrong);
  }
  if (signingSecret !== undefined && /\s/.test(signingSecret)) {
    problem('SLACK_SIGNING_SECRET', 'contains spaces; copy the Signing Secret again from Basic Information');
  }

  if (botToken === undefined) {
    const others = [signingSecret && 'SLACK_SIGNING_SECRET', appToken && 'SLACK_APP_TOKEN'].filter(Boolean);
    if (others.length > 0) {
      problem(
        'SLACK_BOT_TOKEN',
        `missing, but ${others.join(' and ')} ${others.length > 1 ? 'are' : 'is'} set; set it to the Bot User OAuth ` +
          'Token (xoxb-…) from OAuth & Permissions, or unset the other Slack variables for local mode',
      );
    }
    return { mode: 'none', apiUrl };
  }
  if (appToken !== undefined) {
    return { mode: 'socket', botToken, appToken, signingSecret: signingSecret ?? null, apiUrl };
  }
  if (signingSecret !== undefined) return { mode: 'http', botToken, signingSecret, appToken: null, apiUrl };
  problem(
    'SLACK_BOT_TOKEN',
    'set, but Slack needs a second credential: SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)',
  );
  return { mode: 'none', apiUrl };
}

/** Says what is wrong with a token without repeating it (only the documented prefixes are named). */
function tokenProblem(token: string, prefix: 'xoxb-' | 'xapp-'): string | null {
  if (/\s/.test(token)) return 'contains spaces; copy the token again';
  if (token.startsWith(prefix)) return null;
  if (prefix === 'xoxb-') {
    if (token.startsWith('xapp-')) {
      return 'holds an app-level token (xapp-…); move it to SLACK_APP_TOKEN and set this to the Bot User OAuth Token (xoxb-…)';
    }
    if (token.startsWith('xoxp-')) {
      return 'holds a user token (xoxp-…); set the Bot User OAuth Token (xoxb-…) from OAuth & Permissions';
    }
    return 'is not a bot token; set the Bot User OAuth Token (xoxb-…) from OAuth & Permissions';
  }
  if (token.startsWith('xoxb-')) {
    return 'holds a bot token (xoxb-…); set the app-level token (xapp-…, scope connections:write) from Basic Information';
  }
  return 'is not an app-level token; set the token (xapp-…, scope connections:write) from Basic Information';
}

function readApiUrl(value: string | undefined, problem: Report): string {
  if (value === undefined) return DEFAULT_SLACK_API_URL;
  // A URL may carry credentials: repeat it only when it has none.
  const shown = value.includes('@') ? 'the URL' : quote(value);
  const example = `e.g. ${DEFAULT_SLACK_API_URL} (the default) or http://127.0.0.1:4000/api/`;
  if (!URL.canParse(value)) {
    problem('SLACK_API_URL', `${shown} is not a URL; ${example}`);
    return DEFAULT_SLACK_API_URL;
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problem('SLACK_API_URL', `${shown} is not an http(s) URL; ${example}`);
  } else if (url.username !== '' || url.password !== '') {
    problem('SLACK_API_URL', `must not carry a user name or password; ${example}`);
  } else if (url.search !== '' || url.hash !== '') {
    problem('SLACK_API_URL', `${shown} has a ?query or #fragment; give the base URL only, ${example}`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

// ---- Plain variables ---------------------------------------------------------------------------------------

function readPort(value: string | undefined, problem: Report): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  // 0 asks the system for any free port (tests, side-by-side runs); the log says which one was taken.
  if (port >= 0 && port <= 65535) return port;
  problem(
    'PORT',
    `${quote(value)} is not a port; set a whole number from 0 (any free port) to 65535 (default ${DEFAULT_PORT})`,
  );
  return DEFAULT_PORT;
}

/** An IPv4 or IPv6 address or a host name to listen on (`0.0.0.0` for every interface). */
function readHost(value: string | undefined, problem: Report): string | null {
  if (value === undefined) return null;
  if (/^[\w.:-]{1,253}$/.test(value)) return value;
  problem('HOST', `${quote(value)} is not an address; set one such as 127.0.0.1 or 0.0.0.0 (every interface)`);
  return null;
}

function readOutboxTakeoverMs(value: string | undefined, problem: Report): number {
  if (value === undefined) return DEFAULT_OUTBOX_TAKEOVER_MS;
  const ms = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  // Well above a Slack call's timeout (a third of it, at most 30 s): a live replica's write is never taken from it.
  if (ms >= 1000 && ms <= 3_600_000) return ms;
  problem(
    'TRAILBOT_OUTBOX_TAKEOVER_MS',
    `${quote(value)} is not a takeover time; set a whole number of milliseconds from 1000 to 3600000 (default ${DEFAULT_OUTBOX_TAKEOVER_MS})`,
  );
  return DEFAULT_OUTBOX_TAKEOVER_MS;
}

function readRegionList(value: string | undefined, problem: Report): readonly string[] | null {
  if (value === undefined) return null;
  const items = value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  const bad = items.filter((item) => !looksLikeRegion(item));
  if (items.length === 0) {
    problem('TRAILBOT_REGIONS', 'lists no region; set a comma-separated list such as us-east-1,ap-northeast-1');
  } else if (bad.length > 0) {
    const names = bad.map(quote).join(', ');
    problem(
      'TRAILBOT_REGIONS',
      `${names} ${bad.length > 1 ? 'are not region names' : 'is not a region name'}; ` +
        'set a comma-separated list such as us-east-1,ap-northeast-1',
    );
  }
  return [...new Set(items)];
}

function readAwsRegion(value: string | undefined, problem: Report): string | null {
  if (value === undefined) return null;
  if (looksLikeRegion(value)) return value;
  problem('AWS_REGION', `${quote(value)} is not a region name; set one such as us-east-1 (lower case)`);
  return null;
}

function readLogLevel(value: string | undefined, problem: Report): LogLevel {
  if (value === undefined) return 'info';
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase());
  if (level !== undefined) return level;
  problem('LOG_LEVEL', `${quote(value)} is not a log level; set one of ${LOG_LEVELS.join(', ')} (default info)`);
  return 'info';
}

// ---- Alerts ------------------------------------------------------------------------------------------------

function readAlerts(get: (name: ConfigVariable) => string | undefined, problem: Report): AlertSettings {
  const channel = get('TRAILBOT_ALERT_CHANNEL') ?? null;
  if (channel !== null && !CHANNEL_ID.test(channel)) {
    problem(
      'TRAILBOT_ALERT_CHANNEL',
      `${quote(channel)} is not a channel ID (like C0123ABCD); copy the ID from the bottom of the channel's details`,
    );
  }
  const snsTopics = (get('TRAILBOT_SNS_TOPICS') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const topic of snsTopics) {
    if (!isValidTopicPattern(topic)) {
      problem(
        'TRAILBOT_SNS_TOPICS',
        `${quote(topic)} is not a topic ARN (like arn:aws:sns:us-east-1:123456789012:alarms)`,
      );
    }
  }
  const pattern = get('TRAILBOT_SNS_CERT_URL_PATTERN') ?? null;
  let certUrlPattern: RegExp | null = null;
  if (pattern !== null) {
    try {
      certUrlPattern = new RegExp(pattern);
    } catch {
      problem(
        'TRAILBOT_SNS_CERT_URL_PATTERN',
        `${quote(pattern)} is not a regular expression; unset it outside test rigs`,
      );
    }
  }
  return { channel, snsTopics, certUrlPattern, ...emptyFile().alerts };
}

// ---- TRAILBOT_CONFIG (YAML) --------------------------------------------------------------------------------

interface FileSettings {
  access: AccessPolicy;
  regions: readonly string[] | null;
  alerts: Pick<AlertSettings, 'routes' | 'accountAliases' | 'groupingWindowMs'>;
  enrichment: EnrichmentSettings;
  accounts: AccountSettings[];
  athena: AthenaConfig | null;
}

function emptyFile(): FileSettings {
  return {
    access: { channels: null, users: null, userGroups: null, refusal: null },
    regions: null,
    alerts: { routes: [], accountAliases: {}, groupingWindowMs: DEFAULT_GROUPING_MINUTES * 60_000 },
    enrichment: { ...DEFAULT_ENRICHMENT, filters: [] },
    accounts: [],
    athena: null,
  };
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;
const REFUSAL_MAX = 1000;
const DEFAULT_GROUPING_MINUTES = 15;
const ACCOUNT_ID = /^\d{12}$/;

const routeSchema = z.strictObject({
  channel: z.string().regex(CHANNEL_ID),
  topic: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  alarmName: z.string().min(1).optional(),
  eventName: z.string().min(1).optional(),
  severity: z.enum(SEVERITIES).optional(),
});

const alertsSchema = z.strictObject({
  routes: z.array(routeSchema).min(1).optional(),
  accountAliases: z.record(z.string().regex(ACCOUNT_ID), z.string().trim().min(1).max(64)).optional(),
  groupingWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});

/** An alias as the query language reads it (`account prod`): not digits alone, which read as an account id. */
const ACCOUNT_ALIAS = /^(?![\d-]+$)[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const accountSchema = z.strictObject({
  // A number too: YAML reads an unquoted id as one (and drops a leading zero, said in the message).
  id: z.union([z.string(), z.number()]),
  alias: z.string().regex(ACCOUNT_ALIAS).optional(),
  roleArn: z.string().regex(ROLE_ARN).optional(),
  regions: z.array(z.string().regex(REGION_SHAPE)).min(1).optional(),
  externalId: z.string().regex(EXTERNAL_ID).optional(),
});

const filterEntrySchema = z.strictObject({
  alarm: z.string().trim().min(1).max(255).optional(),
  metric: z.string().trim().min(1).max(512).optional(),
  pattern: z.string().trim().min(1).max(1024),
});

const enrichmentSchema = z.strictObject({
  enabled: z.boolean().optional(),
  describeMetricFilters: z.boolean().optional(),
  deliveryDelayMinutes: z.number().int().min(0).max(120).optional(),
  filters: z.array(filterEntrySchema).min(1).optional(),
});

const accessSchema = z.strictObject({
  channels: z.array(z.string().regex(CHANNEL_ID)).min(1).optional(),
  users: z.array(z.string().regex(USER_ID)).min(1).optional(),
  userGroups: z.array(z.string().regex(USER_GROUP_ID)).min(1).optional(),
});

const athenaSchema = z.strictObject({
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/),
  workgroup: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/)
    .optional(),
  output: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/)
    .optional(),
  catalog: z
    .string()
    .regex(/^[A-Za-z0-9_@-]{1,256}$/)
    .optional(),
  region: z.string().regex(REGION_SHAPE).optional(),
});

const fileSchema = z.strictObject({
  access: accessSchema.optional(),
  regions: z.array(z.string().regex(REGION_SHAPE)).min(1).optional(),
  refusal: z.string().trim().min(1).max(REFUSAL_MAX).optional(),
  alerts: alertsSchema.optional(),
  enrichment: enrichmentSchema.optional(),
  accounts: z.array(accountSchema).min(1).optional(),
  accountsRoleName: z.string().regex(ROLE_NAME).optional(),
  athena: athenaSchema.optional(),
});

/** What each key holds and how to fix it, for messages; `[]` stands for any list index. */
const KEY_HINTS: Record<string, { what: string; fix?: string; noun?: string }> = {
  '': { what: 'a mapping with access, regions, refusal, alerts, enrichment, accounts and/or athena' },
  access: { what: 'a mapping with channels, users and/or userGroups' },
  'access.channels': { what: 'a list of channel IDs, e.g. [C0123ABCD]', noun: 'channel ID' },
  'access.channels[]': {
    what: 'a channel ID (like C0123ABCD)',
    fix: "copy the ID from the bottom of the channel's details, not its #name",
  },
  'access.users': { what: 'a list of member IDs, e.g. [U0123ABCD]', noun: 'member ID' },
  'access.users[]': {
    what: 'a member ID (like U0123ABCD or W0123ABCD)',
    fix: 'use Copy member ID in the person’s profile, not the @name',
  },
  'access.userGroups': { what: 'a list of user group IDs, e.g. [S0123ABCD]', noun: 'user group ID' },
  'access.userGroups[]': {
    what: 'a user group ID (like S0123ABCD)',
    fix: 'use the group’s ID (usergroups.list shows it), not its @handle',
  },
  alerts: { what: 'a mapping with routes, accountAliases and/or groupingWindowMinutes' },
  'alerts.routes': { what: 'a list of routes, each with a channel and conditions', noun: 'route' },
  'alerts.routes[]': { what: 'a route: channel plus any of topic, account, region, alarmName, eventName, severity' },
  'alerts.routes[].channel': {
    what: 'a channel ID (like C0123ABCD)',
    fix: "copy the ID from the bottom of the channel's details",
  },
  'alerts.routes[].severity': { what: `one of ${SEVERITIES.join(', ')}` },
  'alerts.accountAliases': { what: 'a mapping of 12-digit account ids to names, e.g. {"123456789012": prod}' },
  'alerts.groupingWindowMinutes': { what: 'a whole number of minutes from 1 to 1440' },
  enrichment: { what: 'a mapping with enabled, describeMetricFilters, deliveryDelayMinutes and/or filters' },
  'enrichment.enabled': { what: 'true or false' },
  'enrichment.describeMetricFilters': { what: 'true or false' },
  'enrichment.deliveryDelayMinutes': { what: 'a whole number of minutes from 0 to 120 (default 15)' },
  'enrichment.filters': { what: 'a list of {alarm or metric, pattern} entries', noun: 'filter' },
  'enrichment.filters[]': {
    what: 'a mapping with alarm and/or metric, and pattern (a filter pattern or cis:CloudWatch.10)',
  },
  'enrichment.filters[].alarm': { what: 'an alarm name' },
  'enrichment.filters[].metric': { what: 'a metric as Namespace/MetricName or MetricName' },
  'enrichment.filters[].pattern': { what: 'a CloudWatch Logs filter pattern, or cis:<rule id>' },
  accounts: {
    what: 'a list of accounts, each with id and optionally alias, roleArn, regions, externalId',
    noun: 'account',
  },
  'accounts[]': { what: 'an account: id, and optionally alias, roleArn, regions, externalId' },
  'accounts[].id': { what: 'a 12-digit account id in quotes, e.g. "123456789012"' },
  'accounts[].alias': {
    what: 'an alias (letters, digits, dots, dashes, underscores; not digits alone), e.g. prod',
    fix: 'it is what `account <alias>` is typed with',
  },
  'accounts[].roleArn': {
    what: 'an IAM role ARN (like arn:aws:iam::123456789012:role/TrailbotReadOnly)',
    fix: 'or leave it out for arn:aws:iam::<id>:role/<accountsRoleName>',
  },
  'accounts[].regions': { what: 'a list of regions, e.g. [us-east-1, ap-northeast-1]', noun: 'region' },
  'accounts[].regions[]': { what: 'a region name (like us-east-1)', fix: 'write it in lower case, as AWS does' },
  'accounts[].externalId': { what: "the role's external id (2 to 1224 of letters, digits and +=,.@:/-)" },
  accountsRoleName: {
    what: `a role name (like ${DEFAULT_ACCOUNTS_ROLE_NAME}, the default)`,
    fix: 'the name only, not an ARN',
  },
  athena: { what: 'a mapping with table (DATABASE.TABLE) and optionally workgroup, output, catalog, region' },
  'athena.table': { what: 'the trail table as DATABASE.TABLE (letters, digits, _), e.g. cloudtrail.org_trail' },
  'athena.workgroup': { what: 'an Athena workgroup name, e.g. trailbot' },
  'athena.output': { what: 'an S3 location for query results, e.g. s3://my-athena-results/trailbot/' },
  'athena.catalog': { what: 'a data catalog name (default AwsDataCatalog)' },
  'athena.region': { what: 'the region Athena runs in, e.g. us-east-1' },
  regions: { what: 'a list of regions, e.g. [us-east-1, ap-northeast-1]', noun: 'region' },
  'regions[]': { what: 'a region name (like us-east-1)', fix: 'write it in lower case, as AWS does' },
  refusal: { what: 'one line of text (Slack mrkdwn) for people who may not ask' },
};

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(fileSchema.shape),
  access: Object.keys(accessSchema.shape),
  alerts: Object.keys(alertsSchema.shape),
  'alerts.routes[]': Object.keys(routeSchema.shape),
  enrichment: Object.keys(enrichmentSchema.shape),
  'enrichment.filters[]': Object.keys(filterEntrySchema.shape),
  'accounts[]': Object.keys(accountSchema.shape),
  athena: Object.keys(athenaSchema.shape),
};

/** A route as routeAlert takes it: only the conditions the file sets. */
function toRoute(r: z.infer<typeof routeSchema>): AlertRoute {
  const route: AlertRoute = { channel: r.channel };
  for (const key of ['topic', 'account', 'region', 'alarmName', 'eventName'] as const) {
    const value = r[key];
    if (value !== undefined) route[key] = value;
  }
  if (r.severity !== undefined) route.severity = r.severity;
  return route;
}

function readConfigFile(path: string, readFile: ReadFile, problem: Report): FileSettings {
  const where = `TRAILBOT_CONFIG (${path})`;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'a folder, not a file'
            : (code ?? (error instanceof Error ? error.message : String(error)));
    problem('TRAILBOT_CONFIG', `cannot read ${path} (${why}); set it to a YAML file such as config.example.yml`);
    return emptyFile();
  }

  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const at = error.linePos?.[0];
      const line = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
      problem(at === undefined ? where : `${where} line ${at.line}, column ${at.col}`, `invalid YAML: ${line}`);
    }
    return emptyFile();
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = fileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const [key, message] of describeIssue(issue)) problem(key === '' ? where : `${where} ${key}`, message);
    }
    return emptyFile();
  }
  const { access, regions, refusal, alerts, enrichment, accounts, accountsRoleName, athena } = parsed.data;
  const filters = readFilterMappings(enrichment?.filters ?? [], (key, message) => problem(`${where} ${key}`, message));
  return {
    athena: athena === undefined ? null : (stripUndefined(athena) as AthenaConfig),
    accounts: readAccounts(accounts ?? [], accountsRoleName ?? DEFAULT_ACCOUNTS_ROLE_NAME, (key, message) =>
      problem(`${where} ${key}`, message),
    ),
    enrichment: {
      enabled: enrichment?.enabled ?? DEFAULT_ENRICHMENT.enabled,
      describeMetricFilters: enrichment?.describeMetricFilters ?? DEFAULT_ENRICHMENT.describeMetricFilters,
      deliveryDelayMs:
        enrichment?.deliveryDelayMinutes === undefined
          ? DEFAULT_ENRICHMENT.deliveryDelayMs
          : enrichment.deliveryDelayMinutes * 60_000,
      filters,
    },
    alerts: {
      routes: (alerts?.routes ?? []).map(toRoute),
      accountAliases: alerts?.accountAliases ?? {},
      groupingWindowMs: (alerts?.groupingWindowMinutes ?? DEFAULT_GROUPING_MINUTES) * 60_000,
    },
    access: {
      channels: access?.channels ?? null,
      users: access?.users ?? null,
      userGroups: access?.userGroups ?? null,
      refusal: refusal ?? null,
    },
    regions: regions === undefined ? null : [...new Set(regions)],
  };
}

/**
 * `accounts` entries → AccountSettings: ids of 12 digits (YAML numbers are taken when they have 12 digits; a lost
 * leading zero is said), unique ids, aliases unique regardless of case, a roleArn in the account itself (LookupEvents
 * reads the account of the credentials), default `arn:aws:iam::<id>:role/<roleName>`.
 */
function readAccounts(
  entries: readonly z.infer<typeof accountSchema>[],
  roleName: string,
  problem: (key: string, message: string) => void,
): AccountSettings[] {
  const out: AccountSettings[] = [];
  const ids = new Map<string, number>();
  const aliases = new Map<string, number>();
  entries.forEach((entry, i) => {
    const at = `accounts[${i}]`;
    const id = typeof entry.id === 'number' ? String(entry.id) : entry.id.trim();
    if (!ACCOUNT_ID.test(id)) {
      const lostZero = typeof entry.id === 'number' && /^\d{1,11}$/.test(id);
      problem(
        `${at}.id`,
        lostZero
          ? `${id} has ${id.length} digits: YAML read the id as a number and dropped its leading zeros; write it in quotes, e.g. id: "${id.padStart(12, '0')}"`
          : `${quote(id)} is not a 12-digit account id; write it in quotes, e.g. id: "123456789012"`,
      );
      return;
    }
    const sameId = ids.get(id);
    if (sameId !== undefined) {
      problem(`${at}.id`, `${id} is listed already (accounts[${sameId}]); list each account once`);
      return;
    }
    ids.set(id, i);
    const alias = entry.alias ?? null;
    if (alias !== null) {
      const sameAlias = aliases.get(alias.toLowerCase());
      if (sameAlias !== undefined) {
        problem(
          `${at}.alias`,
          `${quote(alias)} is the alias of accounts[${sameAlias}] already; aliases must be unique (case does not count)`,
        );
        return;
      }
      aliases.set(alias.toLowerCase(), i);
    }
    const roleArn = entry.roleArn ?? `arn:aws:iam::${id}:role/${roleName}`;
    const roleAccount = ROLE_ARN.exec(roleArn)?.[1];
    if (roleAccount !== undefined && roleAccount !== id) {
      problem(
        `${at}.roleArn`,
        `names a role in account ${roleAccount}, not in ${id}: LookupEvents reads the account the role is in; use a role in ${id}`,
      );
      return;
    }
    out.push({
      id,
      alias,
      roleArn,
      regions: entry.regions === undefined ? null : [...new Set(entry.regions)],
      externalId: entry.externalId ?? null,
    });
  });
  return out;
}

/**
 * `enrichment.filters` entries → FilterMappings; each must name an alarm or a metric, and its pattern must be a CIS
 * pack rule (`cis:CloudWatch.10`) or a filter pattern that parses (the message names the alarm and the fault).
 */
function readFilterMappings(
  entries: readonly z.infer<typeof filterEntrySchema>[],
  problem: (key: string, message: string) => void,
): FilterMapping[] {
  const out: FilterMapping[] = [];
  entries.forEach((entry, i) => {
    const at = `enrichment.filters[${i}]`;
    const alarm = entry.alarm ?? null;
    const metric = entry.metric ?? null;
    const subject = alarm !== null ? `alarm ${quote(alarm)}` : metric !== null ? `metric ${quote(metric)}` : null;
    if (subject === null) {
      problem(at, 'names neither an alarm nor a metric; add alarm: <alarm name> or metric: <Namespace/MetricName>');
      return;
    }
    if (/^cis:/i.test(entry.pattern)) {
      const rule = packRuleOfReference(entry.pattern);
      if (rule === undefined) {
        problem(
          `${at}.pattern`,
          `${quote(entry.pattern)} (for ${subject}) is not a CIS pack rule; use one of ${packRuleIds()
            .map((id) => `cis:${id}`)
            .join(', ')}`,
        );
        return;
      }
      out.push({ alarm, metric, pattern: rule.pattern, rule: rule.id });
      return;
    }
    const fault = patternProblem(entry.pattern);
    if (fault !== null) {
      problem(`${at}.pattern`, `the filter pattern for ${subject} cannot be read: ${fault}`);
      return;
    }
    out.push({ alarm, metric, pattern: entry.pattern, rule: null });
  });
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): [key: string, message: string][] {
  const key = formatPath(issue.path);
  const hint = KEY_HINTS[hintKey(issue.path)];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = ALLOWED_KEYS[hintKey(issue.path)] ?? [];
      return issue.keys.map((unknown) => {
        const guess = closest(unknown, allowed);
        const suggestion = guess === null ? '' : `did you mean ${guess}? `;
        return [
          formatPath([...issue.path, unknown]),
          `unknown key; ${suggestion}the keys here are ${allowed.join(', ')}`,
        ];
      });
    }
    case 'invalid_format':
      return [
        [
          key,
          `${quote(input)} is not ${hint?.what ?? `in the expected form (${issue.format})`}` +
            (hint?.fix === undefined ? '' : `; ${hint.fix}`),
        ],
      ];
    case 'invalid_type':
      return [[key, `expected ${hint?.what ?? issue.expected}, found ${describeValue(input)}`]];
    case 'too_small':
      if (issue.origin === 'array') {
        return [[key, `is an empty list; list at least one ${hint?.noun ?? 'item'} or remove the key`]];
      }
      return [[key, 'is empty; write the text or remove the key']];
    case 'invalid_value':
      return [[key, `${quote(input)} is not ${hint?.what ?? `one of ${issue.values.map(String).join(', ')}`}`]];
    case 'invalid_key': {
      const parent = KEY_HINTS[hintKey(issue.path.slice(0, -1))];
      const name = issue.path.at(-1);
      return [[key, `the key ${quote(String(name))} is not allowed here; expected ${parent?.what ?? 'a valid key'}`]];
    }
    case 'too_big':
      return [[key, `is longer than ${issue.maximum} characters; shorten it`]];
    default:
      return [[key, hint === undefined ? issue.message : `${issue.message}; expected ${hint.what}`]];
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function hintKey(path: readonly PropertyKey[]): string {
  return formatPath(path.map((part) => (typeof part === 'number' ? -1 : part))).replace(/\[-1\]/g, '[]');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${quote(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/** The allowed key a typo most likely meant: same letters ignoring case and separators, or within 2 edits. */
function closest(unknown: string, allowed: readonly string[]): string | null {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = squash(candidate) === squash(unknown) ? 0 : editDistance(unknown.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** A non-secret value, quoted and cut short, for messages. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** zod leaves absent optional keys as `undefined`; exactOptionalPropertyTypes wants them gone. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

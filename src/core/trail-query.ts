/** A parsed `/trail` query (DESIGN.md, "The query language"). Produced by parseTrailQuery, pure data. */

export type Verb = 'who' | 'user' | 'event' | 'errors' | 'ip' | 'key' | 'id' | 'match' | 'scan';

/** What the events must match; every non-null filter must hold (AND). */
export interface QueryFilters {
  /** who: a resource id, name or ARN. */
  resource: string | null;
  /** user: an IAM user, role or role session name. */
  user: string | null;
  /** event: an API name such as `StopInstances`. */
  eventName: string | null;
  /** ip: an address or CIDR block, IPv4 or IPv6, as typed. */
  ip: string | null;
  /** key: an access key id. */
  accessKeyId: string | null;
  /** id: one event id. */
  eventId: string | null;
  /** errors: only failed calls. */
  errorsOnly: boolean;
  /** match: a CloudWatch Logs filter pattern as typed (valid: the parser checked it). */
  pattern: string | null;
}

/** No filter set: the start of every query's filters. */
export const NO_FILTERS: Readonly<QueryFilters> = Object.freeze({
  resource: null,
  user: null,
  eventName: null,
  ip: null,
  accessKeyId: null,
  eventId: null,
  errorsOnly: false,
  pattern: null,
});

export type WindowSpec =
  /** Not given: 24h for live sources, the whole trail for files. */
  | { kind: 'default' }
  /** `since 2h`: the last `ms` milliseconds before now. */
  | { kind: 'since'; ms: number; text: string }
  /** `from A [to B]`: absolute instants as ISO strings; `to` null means now. */
  | { kind: 'range'; from: string; to: string | null };

export interface TrailQuery {
  /** The query as typed, whitespace collapsed (shown back in answers). */
  text: string;
  verb: Verb;
  filters: QueryFilters;
  window: WindowSpec;
  /** `in a,b`: these regions; `in all`: every region; null: the configured default. */
  regions: string[] | 'all' | null;
  /** `account <id|alias>`. */
  account: string | null;
  /** `writes` / `reads`. */
  access: 'writes' | 'reads' | null;
  /** `limit N`: list at most N events. */
  limit: number | null;
  /** `public`: post in channel rather than privately. */
  public: boolean;
}

/** A mistake in a query: the word at fault (null when something is missing), what is wrong, and a correct example. */
export interface UsageError {
  word: string | null;
  message: string;
  example: string;
}

export type ParsedQuery =
  | { kind: 'query'; query: TrailQuery }
  | { kind: 'help'; text: string }
  | { kind: 'error'; error: UsageError };

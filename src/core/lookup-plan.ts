/**
 * How a query reads CloudTrail LookupEvents (aws-slack-facts §1): one lookup attribute a call, so the plan picks the
 * most selective one the query pins and the caller's record matcher checks every other condition client-side; and
 * which regions to call, adding us-east-1 where global services (IAM, STS, sign-in, CloudFront) record their events.
 * Pure: no I/O, no clock (`now` is an argument), no env.
 */
import { GLOBAL_EVENTS_REGION } from './aws-regions.js';
import { type FilterPattern, parseFilterPattern } from './filter-pattern/filter-pattern.js';
import type { QueryFilters, TrailQuery } from './trail-query.js';

/** The LookupEvents attribute keys a query can pin (CloudTrail also has ReadOnly and ResourceType). */
export type LookupAttributeKey = 'EventId' | 'AccessKeyId' | 'ResourceName' | 'Username' | 'EventName' | 'EventSource';

export interface LookupAttribute {
  key: LookupAttributeKey;
  /** As typed: LookupEvents compares case-sensitively. */
  value: string;
}

export interface LookupPlan {
  /**
   * The attributes LookupEvents filters on, one series of calls each (a call takes one). They never overlap: a
   * query pins one attribute, a pattern several event names or sources, and an event has one of each. Empty: every
   * event of the window, filtered client-side.
   */
  attributes: LookupAttribute[];
  /** Regions to call, deduplicated, in the order given, us-east-1 last when the plan added it. */
  regions: string[];
  /** us-east-1 was added to the regions asked for (so the caller's matcher must accept it too). */
  addedGlobalRegion: boolean;
}

/** How far back LookupEvents reaches: event history keeps 90 days. */
export const LOOKUP_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * Event names (or sources) a pattern may expand to before reading the whole window is the better bet: each name
 * costs at least one call, and 30 calls are 15 s of a region's quota.
 */
export const MAX_PATTERN_LOOKUPS = 30;

/** Event sources whose events CloudTrail records in us-east-1 only. */
const GLOBAL_EVENT_SOURCE = /^(?:iam|sts|signin|cloudfront)\.amazonaws\.com$/;

/** Most selective first: one event, one key, one resource, one principal, one API. */
const PRIORITY: readonly [LookupAttributeKey, (filters: QueryFilters) => string | null][] = [
  ['EventId', (f) => f.eventId],
  ['AccessKeyId', (f) => f.accessKeyId],
  ['ResourceName', (f) => f.resource],
  ['Username', (f) => f.user],
  ['EventName', (f) => f.eventName],
];

/**
 * Events CloudTrail records in us-east-1 whatever region the caller used: console sign-in, STS, IAM and CloudFront.
 * Case-insensitive because the matcher is (`event consolelogin` finds ConsoleLogin). Generous on purpose: a false
 * positive costs one more region's calls, a miss loses the answer.
 */
const GLOBAL_EVENT_NAME = new RegExp(
  [
    // Console sign-in (signin.amazonaws.com).
    '^(?:ConsoleLogin|CheckMfa|SwitchRole|ExitRole|RenewRole|CredentialChallenge|CredentialVerification|UserAuthentication|PasswordUpdated|GetSigninToken)$',
    // STS.
    '^(?:AssumeRole\\w*|AssumeRoot|GetSessionToken|GetFederationToken|GetCallerIdentity|GetAccessKeyInfo|DecodeAuthorizationMessage)$',
    // IAM: the plain verbs on its nouns, then nouns no other service uses.
    '^(?:Create|Delete|Update|Get|List|Tag|Untag)(?:User|Role|Group|Policy|Policies|Users|Roles|Groups)$',
    'AccessKey|LoginProfile|MFADevice|(?:User|Role|Group)Polic(?:y|ies)|PolicyVersion|InstanceProfile|SAMLProvider',
    'OpenIDConnectProvider|ServerCertificate|SigningCertificate|SSHPublicKey|AccountAlias|PasswordPolicy',
    'ServiceLinkedRole|PermissionsBoundary|AssumeRolePolicy|CredentialReport|AccountAuthorizationDetails',
    'ServiceSpecificCredential|UserToGroup|UserFromGroup|GroupsForUser|EntitiesForPolicy',
    // CloudFront.
    'Distribution|Invalidation|CloudFrontOriginAccessIdentity|OriginAccessControl|CachePolicy|FieldLevelEncryption',
  ].join('|'),
  'i',
);

/** ARNs of global services (no region in the ARN), and access key ids (their lifecycle is IAM's). */
const GLOBAL_RESOURCE = /^(?:arn:aws[a-z-]*:(?:iam|sts|cloudfront|signin)::|(?:AKIA|ASIA)[A-Z0-9]{12,}$)/;

/** LookupAttribute.AttributeValue: 1–2000 characters, where `_`, space, `,` and newline count twice. */
export function fitsAttributeValue(value: string): boolean {
  if (value.length === 0) return false;
  let weight = 0;
  for (const ch of value) weight += ch === '_' || ch === ' ' || ch === ',' || ch === '\n' ? 2 : 1;
  return weight <= 2000;
}

/** The most selective attribute the filters pin, or null (`ip` alone, bare `errors`): the whole window. */
export function chooseAttribute(filters: QueryFilters): LookupAttribute | null {
  for (const [key, pick] of PRIORITY) {
    const value = pick(filters);
    if (value !== null && fitsAttributeValue(value)) return { key, value };
  }
  return null;
}

/**
 * The lookups a filter pattern allows: one per event name when it pins `$.eventName` to a few exact names, else one
 * per event source when it pins `$.eventSource`, else none (the whole window). Names beat sources: they are the
 * narrower. LookupEvents compares exactly, and so do patterns: no case folding here.
 */
export function patternAttributes(pattern: FilterPattern): LookupAttribute[] {
  const keys = [
    ['eventName', 'EventName'],
    ['eventSource', 'EventSource'],
  ] as const;
  for (const [path, key] of keys) {
    const values = pattern.pinnedValues(path);
    if (values === null || values.size === 0 || values.size > MAX_PATTERN_LOOKUPS) continue;
    const sorted = [...values].sort();
    if (sorted.every(fitsAttributeValue)) return sorted.map((value) => ({ key, value }));
  }
  return [];
}

/** The attributes a query's lookups filter on: the one its filters pin, else its pattern's, else none. */
export function chooseAttributes(query: TrailQuery): LookupAttribute[] {
  const pinned = chooseAttribute(query.filters);
  if (pinned !== null) return [pinned];
  const pattern = compiledPattern(query.filters);
  return pattern === null ? [] : patternAttributes(pattern);
}

function compiledPattern(filters: QueryFilters): FilterPattern | null {
  if (filters.pattern === null) return null;
  const parsed = parseFilterPattern(filters.pattern);
  return parsed.ok ? parsed.pattern : null;
}

/**
 * Does the question reach events recorded only in us-east-1 (users, keys, sign-in, IAM, STS, CloudFront)? A pattern
 * that pins no event name or source may match any of them (root activity, denied calls), so it does.
 */
export function asksGlobalEvents(filters: QueryFilters): boolean {
  const pattern = compiledPattern(filters);
  if (pattern !== null) {
    const attributes = patternAttributes(pattern);
    if (attributes.length === 0) return true;
    return attributes.some(({ key, value }) =>
      key === 'EventName' ? GLOBAL_EVENT_NAME.test(value) : GLOBAL_EVENT_SOURCE.test(value),
    );
  }
  if (filters.user !== null || filters.accessKeyId !== null) return true;
  if (filters.eventName !== null && GLOBAL_EVENT_NAME.test(filters.eventName)) return true;
  return filters.resource !== null && GLOBAL_RESOURCE.test(filters.resource);
}

/**
 * The plan for one query over `regions` (the regions the request resolved to). us-east-1 joins for global-service
 * questions (and `scan`, whose pack watches root, sign-in and IAM) unless the query named its regions with `in`: then the reader chose, and gets what they chose.
 */
export function planLookup(query: TrailQuery, regions: readonly string[]): LookupPlan {
  const planned = [...new Set(regions)];
  const explicit = Array.isArray(query.regions);
  const addGlobal =
    !explicit &&
    planned.length > 0 &&
    !planned.includes(GLOBAL_EVENTS_REGION) &&
    (query.verb === 'scan' || asksGlobalEvents(query.filters));
  if (addGlobal) planned.push(GLOBAL_EVENTS_REGION);
  return { attributes: chooseAttributes(query), regions: planned, addedGlobalRegion: addGlobal };
}

export interface RetentionWindow {
  /** Inclusive start; null: as far back as LookupEvents reaches. */
  from: Date | null;
  to: Date | null;
  /** The window asked for started before LookupEvents' reach, and was moved up to it. */
  clipped: boolean;
  /** The whole window ends before LookupEvents' reach: there is nothing to read. */
  outOfReach: boolean;
  /** The oldest instant LookupEvents reaches (now − 90 days). */
  earliest: Date;
}

/** Clips a window to LookupEvents' 90 days; says whether it had to, and whether anything is left. */
export function clipToRetention(from: Date | null, to: Date | null, now: Date): RetentionWindow {
  const earliest = new Date(now.getTime() - LOOKUP_RETENTION_MS);
  if (to !== null && to.getTime() < earliest.getTime()) return { from, to, clipped: true, outOfReach: true, earliest };
  if (from !== null && from.getTime() < earliest.getTime())
    return { from: earliest, to, clipped: true, outOfReach: false, earliest };
  return { from, to, clipped: false, outOfReach: false, earliest };
}

/**
 * How a query reads CloudTrail LookupEvents (aws-slack-facts §1): one lookup attribute a call, so the plan picks the
 * most selective one the query pins and the caller's record matcher checks every other condition client-side; and
 * which regions to call, adding us-east-1 where global services (IAM, STS, sign-in, CloudFront) record their events.
 * Pure: no I/O, no clock (`now` is an argument), no env.
 */
import { GLOBAL_EVENTS_REGION } from './aws-regions.js';
import type { QueryFilters, TrailQuery } from './trail-query.js';

/** The LookupEvents attribute keys a query can pin (CloudTrail also has ReadOnly, ResourceType, EventSource). */
export type LookupAttributeKey = 'EventId' | 'AccessKeyId' | 'ResourceName' | 'Username' | 'EventName';

export interface LookupAttribute {
  key: LookupAttributeKey;
  /** As typed: LookupEvents compares case-sensitively. */
  value: string;
}

export interface LookupPlan {
  /** The one attribute LookupEvents filters on; null: every event of the window (filtered client-side). */
  attribute: LookupAttribute | null;
  /** Regions to call, deduplicated, in the order given, us-east-1 last when the plan added it. */
  regions: string[];
  /** us-east-1 was added to the regions asked for (so the caller's matcher must accept it too). */
  addedGlobalRegion: boolean;
}

/** How far back LookupEvents reaches: event history keeps 90 days. */
export const LOOKUP_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

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

/** Does the question reach events recorded only in us-east-1 (users, keys, sign-in, IAM, STS, CloudFront)? */
export function asksGlobalEvents(filters: QueryFilters): boolean {
  if (filters.user !== null || filters.accessKeyId !== null) return true;
  if (filters.eventName !== null && GLOBAL_EVENT_NAME.test(filters.eventName)) return true;
  return filters.resource !== null && GLOBAL_RESOURCE.test(filters.resource);
}

/**
 * The plan for one query over `regions` (the regions the request resolved to). us-east-1 joins for global-service
 * questions unless the query named its regions with `in`: then the reader chose, and gets what they chose.
 */
export function planLookup(query: TrailQuery, regions: readonly string[]): LookupPlan {
  const planned = [...new Set(regions)];
  const explicit = Array.isArray(query.regions);
  const addGlobal =
    !explicit && planned.length > 0 && !planned.includes(GLOBAL_EVENTS_REGION) && asksGlobalEvents(query.filters);
  if (addGlobal) planned.push(GLOBAL_EVENTS_REGION);
  return { attribute: chooseAttribute(query.filters), regions: planned, addedGlobalRegion: addGlobal };
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

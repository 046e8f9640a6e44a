/**
 * Who may ask Trailbot (TRAILBOT_CONFIG `access:`). Pure: the caller looks the user's groups up, and only
 * when {@link needsUserGroups} says they matter.
 *
 * A question is allowed when
 *   the channel is allowed (or there is no channel list), AND
 *   there are no user lists, or the user is listed, or the user is in a listed user group.
 * An absent list (null) sets no restriction; an empty list allows nobody (config.ts refuses to load one).
 */

export interface AccessPolicy {
  /** Channel IDs (C…, G…, D…) questions may come from; null: any channel. */
  readonly channels: readonly string[] | null;
  /** User IDs (U…, W…) who may ask; null: no list of users. */
  readonly users: readonly string[] | null;
  /** User group IDs (S…) whose members may ask; null: no list of groups. */
  readonly userGroups: readonly string[] | null;
  /** The operator's own refusal text (Slack mrkdwn, trusted), shown instead of the built-in reasons. */
  readonly refusal: string | null;
}

/** No allowlist: everyone may ask from everywhere. */
export const OPEN_ACCESS: AccessPolicy = Object.freeze({
  channels: null,
  users: null,
  userGroups: null,
  refusal: null,
});

export interface AccessAsker {
  /** Where the question was asked; null when it came from no channel. */
  channelId: string | null;
  userId: string;
  /** The user groups the user is in (empty when the policy names no groups, or they could not be read). */
  userGroupIds: readonly string[];
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export const CHANNEL_REFUSAL =
  "This channel is not on Trailbot's allowlist; ask in an allowed channel or ask your Trailbot admin to add it.";
export const NO_CHANNEL_REFUSAL =
  'Trailbot answers only in the channels on its allowlist; ask in one of them or ask your Trailbot admin.';
export const USER_REFUSAL =
  "You are not on Trailbot's allowlist; ask your Trailbot admin to add you or a user group you are in.";

export function checkAccess(policy: AccessPolicy, asker: AccessAsker): AccessDecision {
  if (!channelAllowed(policy, asker.channelId)) {
    return refuse(policy, asker.channelId === null ? NO_CHANNEL_REFUSAL : CHANNEL_REFUSAL);
  }
  if (policy.users === null && policy.userGroups === null) return { allowed: true };
  if (policy.users?.includes(asker.userId) === true) return { allowed: true };
  const groups = policy.userGroups;
  if (groups !== null && asker.userGroupIds.some((id) => groups.includes(id))) return { allowed: true };
  return refuse(policy, USER_REFUSAL);
}

/**
 * Whether the answer depends on the user's groups, so the caller calls `usergroups.users.list` only then.
 * Given the asker, also false when the channel is refused anyway or the user is listed by ID.
 */
export function needsUserGroups(
  policy: AccessPolicy,
  asker?: { readonly channelId: string | null; readonly userId: string },
): boolean {
  if (policy.userGroups === null || policy.userGroups.length === 0) return false;
  if (asker === undefined) return true;
  if (!channelAllowed(policy, asker.channelId)) return false;
  return policy.users?.includes(asker.userId) !== true;
}

function channelAllowed(policy: AccessPolicy, channelId: string | null): boolean {
  if (policy.channels === null) return true;
  return channelId !== null && policy.channels.includes(channelId);
}

function refuse(policy: AccessPolicy, reason: string): AccessDecision {
  return { allowed: false, reason: policy.refusal ?? reason };
}

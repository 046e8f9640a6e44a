/**
 * Which of the allowlist's user groups a user is in, through usergroups.users.list (scope usergroups:read),
 * each group's members cached for a few minutes so a busy channel does not spend Slack's rate limit on it.
 */
import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;

export interface UserGroupLookupOptions {
  ttlMs?: number;
  now?: () => number;
}

export function createUserGroupLookup(
  client: WebClient,
  groups: readonly string[],
  options: UserGroupLookupOptions = {},
): (userId: string) => Promise<readonly string[]> {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; members: Set<string> }>();

  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit !== undefined && now() - hit.at < ttl) return hit.members;
    const result = await client.usergroups.users.list({ usergroup: group });
    const set = new Set(result.users ?? []);
    cache.set(group, { at: now(), members: set });
    return set;
  }

  return async (userId) => {
    const found: string[] = [];
    for (const group of groups) if ((await members(group)).has(userId)) found.push(group);
    return found;
  };
}

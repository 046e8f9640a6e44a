import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  type AccessPolicy,
  CHANNEL_REFUSAL,
  checkAccess,
  NO_CHANNEL_REFUSAL,
  needsUserGroups,
  OPEN_ACCESS,
  USER_REFUSAL,
} from '../../../src/core/access/check-access.js';

function policy(overrides: Partial<AccessPolicy>): AccessPolicy {
  return { ...OPEN_ACCESS, ...overrides };
}

const OPS = 'C0OPS';
const ALICE = 'U0ALICE';
const SECURITY = 'S0SEC';

type Row = [
  label: string,
  policy: AccessPolicy,
  asker: { channelId: string | null; userId: string; userGroupIds: string[] },
  expected: true | string,
];

const rows: Row[] = [
  ['no lists: anyone, anywhere', OPEN_ACCESS, { channelId: 'C9', userId: 'U9', userGroupIds: [] }, true],
  ['no lists: no channel either', OPEN_ACCESS, { channelId: null, userId: 'U9', userGroupIds: [] }, true],
  ['channel listed', policy({ channels: [OPS] }), { channelId: OPS, userId: 'U9', userGroupIds: [] }, true],
  [
    'channel not listed',
    policy({ channels: [OPS] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: [] },
    CHANNEL_REFUSAL,
  ],
  [
    'channel list, question from no channel',
    policy({ channels: [OPS] }),
    { channelId: null, userId: 'U9', userGroupIds: [] },
    NO_CHANNEL_REFUSAL,
  ],
  [
    'empty channel list allows nobody',
    policy({ channels: [] }),
    { channelId: OPS, userId: ALICE, userGroupIds: [] },
    CHANNEL_REFUSAL,
  ],
  ['user listed', policy({ users: [ALICE] }), { channelId: 'C9', userId: ALICE, userGroupIds: [] }, true],
  ['user not listed', policy({ users: [ALICE] }), { channelId: 'C9', userId: 'U9', userGroupIds: [] }, USER_REFUSAL],
  [
    'user list only: a group does not help',
    policy({ users: [ALICE] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: [SECURITY] },
    USER_REFUSAL,
  ],
  [
    'in a listed group',
    policy({ userGroups: [SECURITY] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: ['S1', SECURITY] },
    true,
  ],
  [
    'in no listed group',
    policy({ userGroups: [SECURITY] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: ['S1'] },
    USER_REFUSAL,
  ],
  [
    'users and groups: listed user outside the groups',
    policy({ users: [ALICE], userGroups: [SECURITY] }),
    { channelId: 'C9', userId: ALICE, userGroupIds: [] },
    true,
  ],
  [
    'users and groups: unlisted user in a group',
    policy({ users: [ALICE], userGroups: [SECURITY] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: [SECURITY] },
    true,
  ],
  [
    'users and groups: neither',
    policy({ users: [ALICE], userGroups: [SECURITY] }),
    { channelId: 'C9', userId: 'U9', userGroupIds: ['S1'] },
    USER_REFUSAL,
  ],
  [
    'channel and user both needed: right user, wrong channel',
    policy({ channels: [OPS], users: [ALICE] }),
    { channelId: 'C9', userId: ALICE, userGroupIds: [] },
    CHANNEL_REFUSAL,
  ],
  [
    'channel and user both needed: right channel, wrong user',
    policy({ channels: [OPS], users: [ALICE] }),
    { channelId: OPS, userId: 'U9', userGroupIds: [] },
    USER_REFUSAL,
  ],
  [
    'channel and group: both right',
    policy({ channels: [OPS], userGroups: [SECURITY] }),
    { channelId: OPS, userId: 'U9', userGroupIds: [SECURITY] },
    true,
  ],
  [
    'IDs match exactly (case matters)',
    policy({ channels: [OPS], users: [ALICE] }),
    { channelId: OPS.toLowerCase(), userId: ALICE, userGroupIds: [] },
    CHANNEL_REFUSAL,
  ],
  [
    'the operator refusal replaces the built-in reason',
    policy({ channels: [OPS], refusal: 'Ask in <#C0OPS>, please.' }),
    { channelId: 'C9', userId: ALICE, userGroupIds: [] },
    'Ask in <#C0OPS>, please.',
  ],
  [
    'the operator refusal for users too',
    policy({ users: [ALICE], refusal: 'Security team only.' }),
    { channelId: 'C9', userId: 'U9', userGroupIds: [] },
    'Security team only.',
  ],
];

describe('checkAccess', () => {
  test.each(rows)('%s', (_label, p, asker, expected) => {
    const decision = checkAccess(p, asker);
    if (expected === true) expect(decision).toEqual({ allowed: true });
    else expect(decision).toEqual({ allowed: false, reason: expected });
  });

  test('built-in reasons are polite one-liners that name no channel or user', () => {
    for (const reason of [CHANNEL_REFUSAL, NO_CHANNEL_REFUSAL, USER_REFUSAL]) {
      expect(reason).not.toMatch(/\n/);
      expect(reason).not.toMatch(/[#@]|\b[CUGWS][A-Z0-9]{6,}\b/);
      expect(reason).toMatch(/admin/);
    }
  });
});

describe('needsUserGroups', () => {
  const cases: [string, AccessPolicy, { channelId: string | null; userId: string } | undefined, boolean][] = [
    ['no lists', OPEN_ACCESS, undefined, false],
    ['channels only', policy({ channels: [OPS] }), undefined, false],
    ['users only', policy({ users: [ALICE] }), undefined, false],
    ['groups', policy({ userGroups: [SECURITY] }), undefined, true],
    ['empty group list', policy({ userGroups: [] }), undefined, false],
    [
      'groups, asker in an allowed channel',
      policy({ userGroups: [SECURITY] }),
      { channelId: 'C9', userId: 'U9' },
      true,
    ],
    [
      'groups, channel refused anyway',
      policy({ channels: [OPS], userGroups: [SECURITY] }),
      { channelId: 'C9', userId: 'U9' },
      false,
    ],
    [
      'groups, user listed by ID',
      policy({ users: [ALICE], userGroups: [SECURITY] }),
      { channelId: 'C9', userId: ALICE },
      false,
    ],
    [
      'groups, user not listed',
      policy({ users: [ALICE], userGroups: [SECURITY] }),
      { channelId: 'C9', userId: 'U9' },
      true,
    ],
  ];
  test.each(cases)('%s', (_label, p, asker, expected) => {
    expect(needsUserGroups(p, asker)).toBe(expected);
  });

  test('agrees with checkAccess: when groups are not needed, they do not change the decision', () => {
    const policies = [
      OPEN_ACCESS,
      policy({ channels: [OPS] }),
      policy({ users: [ALICE] }),
      policy({ userGroups: [SECURITY] }),
      policy({ channels: [OPS], users: [ALICE], userGroups: [SECURITY] }),
    ];
    const askers = [
      { channelId: OPS, userId: ALICE },
      { channelId: OPS, userId: 'U9' },
      { channelId: 'C9', userId: ALICE },
      { channelId: null, userId: 'U9' },
    ];
    for (const p of policies) {
      for (const a of askers) {
        if (needsUserGroups(p, a)) continue;
        const without = checkAccess(p, { ...a, userGroupIds: [] });
        const withGroups = checkAccess(p, { ...a, userGroupIds: [SECURITY] });
        expect(withGroups).toEqual(without);
      }
    }
  });
});

test('src/core/access is pure', () => {
  const source = readFileSync(new URL('../../../src/core/access/check-access.ts', import.meta.url), 'utf8');
  expect(source).not.toMatch(/from 'node:|require\(|process\.|Date\.now\(|new Date\(\)|Math\.random\(/);
});

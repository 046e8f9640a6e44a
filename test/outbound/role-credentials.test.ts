/** The role credentials cache: one AssumeRole shared by concurrent callers, kept while fresh, a failure not kept. */
import type { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, test } from '@jest/globals';
import { createRoleCredentials, defaultSessionName } from '../../src/outbound/role-credentials.js';

const T0 = new Date('2026-05-01T00:00:00Z');

/** A fake STS: answers in a tick, credentials numbered by call, expiring `lifetimeMs` after `now()`. */
function fakeSts(now: () => Date, lifetimeMs = 3600_000, fail: (n: number) => boolean = () => false) {
  const inputs: unknown[] = [];
  return {
    inputs,
    send: async (command: AssumeRoleCommand) => {
      inputs.push(command.input);
      const n = inputs.length;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail(n)) throw Object.assign(new Error('User: x is not authorized'), { name: 'AccessDenied' });
      return {
        $metadata: {},
        Credentials: {
          AccessKeyId: `ASIA${n}`,
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(now().getTime() + lifetimeMs),
        },
      };
    },
  };
}

describe('createRoleCredentials', () => {
  test('concurrent callers share one AssumeRole; the input carries the role, session, duration and external id', async () => {
    const now = () => T0;
    const sts = fakeSts(now);
    const role = createRoleCredentials({
      sts,
      roleArn: 'arn:aws:iam::111111111111:role/TrailbotReadOnly',
      externalId: 'ext-1',
      sessionName: 'trailbot-a',
      now,
    });
    const all = await Promise.all([role.get(), role.get(), role.provider(), role.get()]);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
    expect(sts.inputs).toEqual([
      {
        RoleArn: 'arn:aws:iam::111111111111:role/TrailbotReadOnly',
        RoleSessionName: 'trailbot-a',
        DurationSeconds: 3600,
        ExternalId: 'ext-1',
      },
    ]);
    expect(role.assumed).toBe(1);
    // The SDK asks the provider on every request instead of caching it by its own clock.
    expect((role.provider as { memoized?: boolean }).memoized).toBe(true);
  });

  test('kept until 5 minutes before expiry, then fetched again; a failure is not kept', async () => {
    let now = T0;
    const sts = fakeSts(
      () => now,
      3600_000,
      (n) => n === 2,
    );
    const role = createRoleCredentials({
      sts,
      roleArn: 'arn:aws:iam::1:role/R',
      externalId: null,
      sessionName: 's1',
      now: () => now,
    });
    expect((await role.get()).accessKeyId).toBe('ASIA1');
    now = new Date(T0.getTime() + 54 * 60_000);
    expect((await role.get()).accessKeyId).toBe('ASIA1');
    now = new Date(T0.getTime() + 56 * 60_000);
    await expect(role.get()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await role.get()).accessKeyId).toBe('ASIA3');
    expect(role.assumed).toBe(3);
  });

  test('the session name: trailbot-<host>, only the characters AssumeRole allows', () => {
    expect(defaultSessionName('web-7d9f.internal.example')).toBe('trailbot-web-7d9f');
    expect(defaultSessionName('pod name/with:odd*chars')).toBe('trailbot-podnamewithoddchars');
    expect(defaultSessionName('')).toBe('trailbot');
    expect(defaultSessionName('x'.repeat(100))).toHaveLength(63);
  });
});

/**
 * Credentials for one account of the accounts map: STS AssumeRole on its read-only role (RoleSessionName
 * `trailbot-<host>`, one hour, the external id when one is set), kept until 5 minutes before they expire and fetched
 * again then. One AssumeRole at a time per role: concurrent callers share it. A failure is not kept: the next question
 * tries again. Settings are the SDK's own (the bot's credentials, AWS_ENDPOINT_URL_STS); this file reads no env.
 */
import { hostname } from 'node:os';
import { AssumeRoleCommand, type AssumeRoleCommandInput, type STSClient } from '@aws-sdk/client-sts';
// The SDK's credential types (a dependency of every @aws-sdk client; types only).
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RoleCredentialsOptions {
  /** The client AssumeRole goes through (signed with the bot's own credentials). */
  sts: Pick<STSClient, 'send'>;
  roleArn: string;
  externalId: string | null;
  /** RoleSessionName: what the account's own CloudTrail shows as the session. */
  sessionName: string;
  /** DurationSeconds asked for (default 3600, what a role allows unless its maximum was raised). */
  durationSeconds?: number;
  /** Fetch again this long before the credentials expire (default 5 minutes). */
  refreshBeforeMs?: number;
  /** The clock the expiry is read against (default the system clock). */
  now?: () => Date;
}

export interface RoleCredentials {
  /** The role's credentials: cached ones while fresh, else from one AssumeRole (shared by concurrent callers). */
  get(): Promise<AwsCredentialIdentity>;
  /**
   * The same cache as an SDK credentials provider. Marked memoized, so a client asks it on every request instead of
   * wrapping it in the SDK's own cache (whose clock would disagree with `now`).
   */
  readonly provider: AwsCredentialIdentityProvider;
  /** AssumeRole calls made so far (answered or not). */
  readonly assumed: number;
}

export const DEFAULT_ROLE_DURATION_SECONDS = 3600;
export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;

export function createRoleCredentials(options: RoleCredentialsOptions): RoleCredentials {
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  const now = options.now ?? (() => new Date());
  const input: AssumeRoleCommandInput = {
    RoleArn: options.roleArn,
    RoleSessionName: options.sessionName,
    DurationSeconds: options.durationSeconds ?? DEFAULT_ROLE_DURATION_SECONDS,
  };
  if (options.externalId !== null) input.ExternalId = options.externalId;

  let cached: AwsCredentialIdentity | null = null;
  let pending: Promise<AwsCredentialIdentity> | null = null;
  let assumed = 0;

  const fresh = (c: AwsCredentialIdentity | null): c is AwsCredentialIdentity =>
    c !== null && (c.expiration === undefined || c.expiration.getTime() - refreshBeforeMs > now().getTime());

  const assume = async (): Promise<AwsCredentialIdentity> => {
    assumed += 1;
    const { Credentials: c } = await options.sts.send(new AssumeRoleCommand(input));
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw Object.assign(new Error(`AssumeRole of ${options.roleArn} answered without credentials`), {
        name: 'IncompleteCredentials',
      });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
    };
  };

  const get = (): Promise<AwsCredentialIdentity> => {
    if (fresh(cached)) return Promise.resolve(cached);
    if (pending === null) {
      pending = assume().then(
        (credentials) => {
          cached = credentials;
          pending = null;
          return credentials;
        },
        (error: unknown) => {
          pending = null;
          throw error;
        },
      );
    }
    return pending;
  };

  const provider: AwsCredentialIdentityProvider = Object.assign(() => get(), { memoized: true });
  return {
    get,
    provider,
    get assumed() {
      return assumed;
    },
  };
}

/** `trailbot-<host>`: the machine (or pod) asking, as AssumeRole's session name allows ([\w+=,.@-], 2–64). */
export function defaultSessionName(host: string = hostname()): string {
  const short = (host.split('.')[0] ?? '').replace(/[^\w+=,.@-]/g, '').slice(0, 54);
  return short === '' ? 'trailbot' : `trailbot-${short}`;
}

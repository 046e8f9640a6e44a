/**
 * The live source over the accounts map (TRAILBOT_CONFIG `accounts:`): LookupEvents in every account a question
 * reads, through a read-only role assumed in each (DESIGN.md, "Scale"). Per account: credentials from STS AssumeRole,
 * kept until 5 minutes before they expire (role-credentials.ts); one LookupEvents source (lookup-source.ts), so one
 * CloudTrail client and ONE token bucket per account and region, shared by every question: the quota is 2 requests/s
 * per account per region, so accounts run at once and so do their regions. A question without `account` reads every
 * account; `account <id|alias>` reads that one (core/accounts.ts resolves it). Records carry their own
 * recipientAccountId, so answers tell the accounts apart.
 *
 * Failures are one line per account, naming the account and what to fix (a role that cannot be assumed, LookupEvents
 * denied in every region), through onProblem while the other accounts answer; a TrailbotError when none answers.
 * Problems of one account's region are named `<account> <region>`. Settings are the SDK's own (the bot's credentials,
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_CLOUDTRAIL): this file reads no environment.
 */
import { setMaxListeners } from 'node:events';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
// The SDK's credential types (a dependency of every @aws-sdk client; types only).
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  type AccountRef,
  type AccountSettings,
  accountLabel,
  regionsOfAccount,
  resolveAccount,
} from '../../core/accounts.js';
import { TrailbotError } from '../../core/errors.js';
import { createGate } from '../../core/gate.js';
import type { EventSource, ScanRequest } from '../../ports.js';
import { createRoleCredentials, defaultSessionName, type RoleCredentials } from '../role-credentials.js';
import { BatchQueue, classifyFailure, createLookupSource, type LookupSourceOptions } from './lookup-source.js';

export interface AccountsSourceOptions extends Omit<LookupSourceOptions, 'clientFor'> {
  /** The accounts map; at least one. */
  accounts: readonly AccountSettings[];
  /**
   * The CloudTrail client for one account's region, signing with that account's role credentials; default
   * `new CloudTrailClient({ region, credentials, maxAttempts: 1 })`. Called once per account and region.
   */
  clientFor?: (
    region: string,
    credentials: AwsCredentialIdentityProvider,
    account: AccountSettings,
  ) => CloudTrailClient;
  /** The client AssumeRole goes through; default an STSClient in `stsRegion` with the SDK's credential chain. */
  sts?: Pick<STSClient, 'send'>;
  /** The default STS client's region (its regional endpoint); default the first of `regions`, else us-east-1. */
  stsRegion?: string;
  /** RoleSessionName (default `trailbot-<host>`): what each account's own CloudTrail shows. */
  sessionName?: string;
  /** DurationSeconds asked of AssumeRole (default 3600). */
  durationSeconds?: number;
  /** Credentials are fetched again this long before they expire (default 5 minutes). */
  refreshBeforeMs?: number;
  /** Accounts read at once per question (default 50); each reads all its regions at once. */
  accountsAtOnce?: number;
}

const LABEL = 'lookup';
const DEFAULT_ACCOUNTS_AT_ONCE = 50;
/** Accounts named in a line before `and N more`. */
const LISTED = 10;

function defaultClient(region: string, credentials: AwsCredentialIdentityProvider): CloudTrailClient {
  return new CloudTrailClient({
    region,
    credentials,
    // As lookup-source.ts's default: the source retries through its bucket, the SDK must not on its own schedule.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
}

interface AccountState {
  role: RoleCredentials;
  source: EventSource;
}

type AccountOutcome = { kind: 'read' } | { kind: 'failed'; message: string; error: unknown } | { kind: 'stopped' };

export function createAccountsSource(options: AccountsSourceOptions): EventSource {
  const { accounts, clientFor = defaultClient, accountsAtOnce = DEFAULT_ACCOUNTS_AT_ONCE, ...lookupOptions } = options;
  if (accounts.length === 0) throw new RangeError('accounts source: the accounts map is empty');
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const sessionName = options.sessionName ?? defaultSessionName();
  let sts = options.sts ?? null;
  const stsClient = (): Pick<STSClient, 'send'> => {
    sts ??= new STSClient({
      region: options.stsRegion ?? options.regions[0] ?? 'us-east-1',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
    return sts;
  };

  const states = new Map<string, AccountState>();
  const stateOf = (account: AccountSettings): AccountState => {
    let state = states.get(account.id);
    if (state === undefined) {
      const role = createRoleCredentials({
        sts: { send: (command) => stsClient().send(command) },
        roleArn: account.roleArn,
        externalId: account.externalId,
        sessionName,
        ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
        ...(options.refreshBeforeMs === undefined ? {} : { refreshBeforeMs: options.refreshBeforeMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      const source = createLookupSource({
        ...lookupOptions,
        clientFor: (region) => clientFor(region, role.provider, account),
      });
      state = { role, source };
      states.set(account.id, state);
    }
    return state;
  };

  return {
    kind: 'live',
    label: LABEL,
    accounts,
    async *scan(request: ScanRequest): AsyncIterable<readonly unknown[]> {
      const resolved = resolveAccount(request.query.account, accounts);
      if (!resolved.ok) throw new TrailbotError('usage', resolved.message, 'user');
      const chosen = (resolved.accounts ?? accounts).flatMap((ref) => byId.get(ref.id) ?? []);

      const abort = new AbortController();
      // Every account's scan listens to it (one listener each), past Node's default warning at 10.
      setMaxListeners(chosen.length + 10, abort.signal);
      const stop = (): void => abort.abort();
      if (request.signal?.aborted) abort.abort();
      request.signal?.addEventListener('abort', stop, { once: true });
      const queue = new BatchQueue(chosen.length);
      const gate = createGate(Math.max(1, accountsAtOnce));
      const failures: { account: AccountSettings; message: string; error: unknown }[] = [];
      const said = new Set<string>();
      let answered = 0;

      const readAccount = async (account: AccountSettings): Promise<AccountOutcome> => {
        const { signal } = abort;
        if (signal.aborted) return { kind: 'stopped' };
        const { role, source } = stateOf(account);
        try {
          await role.get();
        } catch (error) {
          return signal.aborted ? { kind: 'stopped' } : { kind: 'failed', message: assumeRoleProblem(error), error };
        }
        const label = accountLabel(account);
        const scoped: ScanRequest = {
          ...request,
          regions: regionsOfAccount(account, request.query, request.regions),
          signal,
          onProblem: (p) => {
            // A note about the whole question (LookupEvents' 90 days) reads once, not once per account.
            if (p.where === source.label) {
              if (!said.has(p.message)) request.onProblem(p);
              said.add(p.message);
              return;
            }
            request.onProblem({ ...p, where: `${label} ${p.where}`, region: p.region ?? p.where });
          },
        };
        try {
          for await (const batch of source.scan(scoped)) queue.push(batch);
        } catch (error) {
          if (signal.aborted) return { kind: 'stopped' };
          const message = error instanceof TrailbotError ? error.message : classifyFailure(error, '').describe('');
          return { kind: 'failed', message, error };
        }
        return signal.aborted ? { kind: 'stopped' } : { kind: 'read' };
      };

      for (const account of chosen) {
        gate
          .run(() => readAccount(account))
          .then(
            (outcome) => {
              if (outcome.kind === 'read') answered += 1;
              else if (outcome.kind === 'failed') {
                failures.push({ account, message: outcome.message, error: outcome.error });
                request.onProblem({ where: accountLabel(account), message: outcome.message });
              }
              queue.close();
            },
            (error: unknown) => {
              // readAccount catches what it expects; this is a bug, reported rather than lost.
              const message = `internal error: ${String(error)}`;
              failures.push({ account, message, error });
              request.onProblem({ where: accountLabel(account), message });
              queue.close();
            },
          );
      }

      try {
        yield* queue.drain();
      } finally {
        abort.abort(); // Done, or the consumer stopped early: stop every account's reads.
        request.signal?.removeEventListener('abort', stop);
      }
      if (answered === 0 && failures.length > 0) {
        // A mistake of the asker's (no region to read) is theirs in every account: say it once, as theirs.
        const mine = failures.find((f) => f.error instanceof TrailbotError && f.error.fault === 'user');
        if (mine !== undefined && failures.every((f) => f.message === mine.message)) throw mine.error;
        const order = (f: { account: AccountSettings }): number => chosen.indexOf(f.account);
        failures.sort((a, b) => order(a) - order(b));
        throw new TrailbotError('source_failed', summarizeAccountFailures(failures), 'upstream');
      }
    },
  };
}

// ── Failures ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Why a role could not be assumed, as one line naming what to fix. Lines do not name the account (the caller puts
 * it in front), so the same fault in many accounts reads once with the accounts listed.
 */
export function assumeRoleProblem(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const name = text(e.name) || text(e.Code) || text(e.code);
  const message = text(e.message) || (typeof error === 'string' ? error : '');
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    const principal = /\bUser: (arn:[\w+=,.@:/-]{1,300})/.exec(message)?.[1];
    const role = /\bon resource: arn:[\w-]+:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})/.exec(message)?.[1];
    const subject = role === undefined ? 'the role' : `role ${role}`;
    const who = principal === undefined ? '' : ` for ${principal}`;
    return (
      `cannot assume ${subject} (AccessDenied${who}): its trust policy must allow ${principal === undefined ? "Trailbot's principal" : 'that principal'} ` +
      "(with the external id, when one is set) and Trailbot's own policy must allow sts:AssumeRole on it (see iam-policy.json and README, Many accounts)"
    );
  }
  if (name === 'RegionDisabledException') {
    return 'STS is not activated in the region Trailbot calls it in: activate it (IAM, Account settings) or set AWS_REGION to a region where it is';
  }
  if (name === 'InvalidClientTokenId' || name === 'UnrecognizedClientException') {
    return "STS does not recognize Trailbot's own access key: check AWS_ACCESS_KEY_ID or the profile";
  }
  const network = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/.exec(
    `${text(e.code)} ${message}`,
  )?.[1];
  if (network !== undefined || name === 'TimeoutError') {
    return `cannot reach STS to assume the role (${network ?? name}): check the network, the proxy or AWS_ENDPOINT_URL_STS`;
  }
  // Trailbot's own credentials: the same lines as for LookupEvents (none of them names a region).
  const own = classifyFailure(error, '');
  if (own.kind === 'credentials' || own.kind === 'expired' || own.kind === 'clock' || own.kind === 'signature') {
    return own.describe('');
  }
  const detail = oneLine(`${name || 'Error'}${message === '' ? '' : `: ${message}`}`);
  return `AssumeRole failed: ${detail}`;
}

/** One line for a question no account answered: the same fault in several accounts reads once, accounts listed. */
export function summarizeAccountFailures(
  failures: readonly { account: Pick<AccountRef, 'id' | 'alias'>; message: string }[],
): string {
  const groups = new Map<string, string[]>();
  for (const { account, message } of failures) {
    const labels = groups.get(message);
    if (labels === undefined) groups.set(message, [accountLabel(account)]);
    else labels.push(accountLabel(account));
  }
  const lines = [...groups].map(([message, labels]) => {
    const shown = labels.slice(0, LISTED).join(', ');
    const more = labels.length > LISTED ? ` and ${labels.length - LISTED} more` : '';
    return `${shown}${more}: ${message}`;
  });
  return failures.length === 1 ? (lines[0] ?? '') : `no account answered: ${lines.join('; ')}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

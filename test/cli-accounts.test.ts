/**
 * `trailbot` as a process with an accounts map in TRAILBOT_CONFIG: the real SDK reaches the loopback STS and
 * CloudTrail through AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDTRAIL; exit codes and stderr lines as documented.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AnswerJson } from '../src/core/render/render-json.js';
import { type CliResult, runCliProcess } from './helpers/run-cli-process.js';
import { type CloudTrailServer, startCloudTrailServer } from './loopback/cloudtrail-server.js';
import { type StsServer, startStsServer } from './loopback/sts-server.js';

const PROD = '111111111111';
const STAGING = '222222222222';
const TARGET = 'i-0accounts0000001';
let home: string;
let config: string;
let sts: StsServer;
let deniedSts: StsServer;
let ct: CloudTrailServer;

function events(account: string, region: string): unknown[] {
  return Array.from({ length: 3 }, (_, i) => ({
    eventVersion: '1.08',
    eventID: `${account}-${region}-${i}`,
    eventTime: new Date(Date.now() - (i + 1) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventName: 'StopInstances',
    eventSource: 'ec2.amazonaws.com',
    awsRegion: region,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.13.5',
    recipientAccountId: account,
    userIdentity: { type: 'IAMUser', userName: 'alice', accountId: account, arn: `arn:aws:iam::${account}:user/alice` },
    requestParameters: { instancesSet: { items: [{ instanceId: TARGET }] } },
  }));
}

function run(args: string[], env: Record<string, string> = {}, stsUrl: string = sts.url): Promise<CliResult> {
  return runCliProcess(args, {
    HOME: home,
    AWS_ENDPOINT_URL_STS: stsUrl,
    AWS_ENDPOINT_URL_CLOUDTRAIL: ct.url,
    AWS_ACCESS_KEY_ID: 'AKIALOOPBACKEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret-key-not-real',
    AWS_REGION: 'eu-west-1',
    TRAILBOT_CONFIG: config,
    ...env,
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'trailbot-cli-accounts-'));
  config = join(home, 'trailbot.yml');
  writeFileSync(
    config,
    `accounts:\n  - { id: "${PROD}", alias: prod }\n  - { id: "${STAGING}", alias: staging }\n`,
    'utf8',
  );
  sts = await startStsServer();
  deniedSts = await startStsServer({ denied: [`arn:aws:iam::${STAGING}:role/TrailbotReadOnly`] });
  ct = await startCloudTrailServer({
    recordsByAccount: {
      [PROD]: { 'eu-west-1': events(PROD, 'eu-west-1') },
      [STAGING]: { 'eu-west-1': events(STAGING, 'eu-west-1') },
    },
  });
});
afterAll(async () => {
  await Promise.all([sts.close(), deniedSts.close(), ct.close()]);
  rmSync(home, { recursive: true, force: true });
});

describe('trailbot with accounts in TRAILBOT_CONFIG', () => {
  test('no `account`: every account, each event with its own account id; `account staging`: that one', async () => {
    const all = await run(['who', TARGET, '--json']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const answer = JSON.parse(all.stdout) as AnswerJson;
    expect(answer.accounts).toEqual([
      { id: PROD, alias: 'prod' },
      { id: STAGING, alias: 'staging' },
    ]);
    expect(answer.events.map((e) => e.accountId).sort()).toEqual([PROD, PROD, PROD, STAGING, STAGING, STAGING]);
    expect(answer.actors.map((a) => [a.display, a.accountId, a.count])).toEqual(
      expect.arrayContaining([
        ['alice', PROD, 3],
        ['alice', STAGING, 3],
      ]),
    );

    const one = await run(['who', TARGET, 'account', 'Staging']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`account staging (${STAGING})`);
    expect(one.stdout).not.toContain(PROD);
  });

  test('an unknown alias: exit 2, one line listing the aliases with the closest', async () => {
    const r = await run(['who', TARGET, 'account', 'stagign']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trailbot: account "stagign" is not an alias in the accounts map; did you mean staging? the aliases are prod, staging\n',
    );
  });

  test('a role refused: a warning line naming the account, the other answers; exit 0', async () => {
    const r = await run(['who', TARGET, '--json'], {}, deniedSts.url);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as AnswerJson).events.map((e) => e.accountId)).toEqual([PROD, PROD, PROD]);
    expect(r.stderr).toMatch(
      /^trailbot: warning: staging \(222222222222\): cannot assume role TrailbotReadOnly \(AccessDenied for arn:aws:iam::999999999999:user\/trailbot\): .*\n$/,
    );
  });

  test('without an accounts map an alias is a usage error that says how to configure one', async () => {
    const r = await run(['who', TARGET, 'account', 'prod', '--source', 'samples'], { TRAILBOT_CONFIG: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trailbot: account "prod": an alias needs an accounts map; add `accounts:` to TRAILBOT_CONFIG, each with its 12-digit id and alias (see config.example.yml), or use the 12-digit account id\n',
    );
  });
});

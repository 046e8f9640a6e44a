/**
 * `trailbot` as a process, against a loopback CloudTrail reached through AWS_ENDPOINT_URL_CLOUDTRAIL: the real
 * SDK, its real credential chain (static keys from the environment), our pacing, exit codes and stderr lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AnswerJson } from '../src/core/render/render-json.js';
import { loadCorpus } from './helpers/corpora.js';
import { type CliResult, runCliProcess } from './helpers/run-cli-process.js';
import { type CloudTrailServer, startCloudTrailServer } from './loopback/cloudtrail-server.js';

let home: string;

/** The invictus trail moved to the last few hours, copied into `region`. */
function recentRecords(region: string): unknown[] {
  const records = loadCorpus('invictus').map(({ record }) => record as Record<string, unknown>);
  const newest = Math.max(...records.map((r) => Date.parse(String(r.eventTime))));
  const shift = Date.now() - 60 * 60_000 - newest;
  return records.map((r) => ({
    ...r,
    eventID: `${region}-${String(r.eventID)}`,
    awsRegion: region,
    eventTime: new Date(Date.parse(String(r.eventTime)) + shift).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

function run(server: CloudTrailServer, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliProcess(args, {
    HOME: home,
    AWS_ENDPOINT_URL_CLOUDTRAIL: server.url,
    AWS_ACCESS_KEY_ID: 'AKIALOOPBACKEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret-key-not-real',
    ...env,
  });
}

let server: CloudTrailServer;
let denying: CloudTrailServer;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'trailbot-cli-lookup-'));
  server = await startCloudTrailServer({
    records: { 'us-east-1': recentRecords('us-east-1'), 'eu-west-1': recentRecords('eu-west-1') },
  });
  denying = await startCloudTrailServer({
    records: { 'eu-west-1': recentRecords('eu-west-1') },
    denied: ['us-east-1', 'eu-west-1'],
  });
});
afterAll(async () => {
  await server.close();
  await denying.close();
  rmSync(home, { recursive: true, force: true });
});

describe('trailbot --source lookup', () => {
  test('with credentials and a region, lookup is the default; regions are asked at once and merged newest first', async () => {
    const before = server.calls.length;
    const r = await run(server, ['who', 'i-05c30218156bcc246', '--json'], { TRAILBOT_REGIONS: 'us-east-1,eu-west-1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.source).toBe('lookup');
    expect(answer.complete).toBe(true);
    expect(answer.regions.sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(new Set(answer.events.map((e) => e.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    const times = answer.events.map((e) => e.eventTime);
    expect(times).toEqual([...times].sort().reverse());
    const calls = server.calls.slice(before);
    expect(calls.every((c) => c.attribute?.key === 'ResourceName' && c.attribute.value === 'i-05c30218156bcc246')).toBe(
      true,
    );
    expect(calls.filter((c) => c.outcome === 'throttled')).toEqual([]);
  });

  test('sign-in questions also read us-east-1, where IAM, STS and sign-in events live', async () => {
    const r = await run(server, ['event', 'ConsoleLogin', '--json'], { AWS_REGION: 'eu-west-1' });
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as AnswerJson;
    expect(answer.regions.sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(answer.events.map((e) => e.region)).toContain('us-east-1');
  });

  test('denied everywhere: exit 1 with one line naming the IAM action to grant', async () => {
    const r = await run(denying, ['errors', '--source', 'lookup', '--regions', 'us-east-1,eu-west-1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cloudtrail:LookupEvents is not allowed/);
    expect(r.stderr).not.toContain('loopback-secret-key-not-real');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('without credentials the default is the bundled samples', async () => {
    const r = await run(server, ['event', 'ConsoleLogin', '--json'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as AnswerJson).source).toBe('samples');
  });
});

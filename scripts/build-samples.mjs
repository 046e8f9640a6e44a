#!/usr/bin/env node
/**
 * Builds samples/: the small sample trail bundled with the package (`--source samples`), laid out as a trail
 * delivers to S3 (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<16>.json.gz`,
 * each file `{"Records":[…]}` gzipped), from the permissively licensed corpora in ../shared/data/cloudtrail:
 * - invictus-ir/aws_dataset (MIT): all 55 delivery files, each gzipped byte for byte under its own name;
 * - DataDog/stratus-red-team detonation logs (Apache-2.0): the two techniques with EC2 StopInstances /
 *   StartInstances transitions and a ConsoleLogin without MFA, each JSON array wrapped as `{"Records":<array>}`
 *   (the array's bytes unchanged) in a delivery file of its own.
 * Also copies each corpus's LICENSE (and NOTICE) into samples/LICENSES/ and writes samples/README.md. Keeps
 * samples/alarms/ (local mode's sample alarms, written by hand) as it is.
 *
 * Deterministic: same input, same bytes (gzip level 9, header mtime = the delivery time, OS byte fixed; file
 * mtimes set to the delivery time). Run: `node scripts/build-samples.mjs` from anywhere.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('..', import.meta.url));
const corpora = join(repo, '..', 'shared', 'data', 'cloudtrail');
const out = join(repo, 'samples');

const INVICTUS = 'invictus-ir-aws_dataset';
const STRATUS = 'datadog-stratus-red-team-detonation-logs';
const STRATUS_FILES = [
  // StopInstances then StartInstances (running → stopping, stopped → pending) around a user-data change.
  'aws.execution.ec2-user-data.json',
  // ConsoleLogin, Success, MFAUsed: No.
  'aws.initial-access.console-login-without-mfa.json',
];
/** Kept across rebuilds: local mode's sample alarms, tied to this trail's events by hand (not generated). */
const KEPT = 'alarms';
/** A fixed date for files that have no delivery time of their own (licences, README). */
const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');
const DELIVERY_NAME = /^(\d{12})_CloudTrail_([^_]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_([A-Za-z0-9]{16})\.json$/;

/** Repository and commit, as the corpus's SOURCE.md records them. */
function provenance(folder) {
  const text = readFileSync(join(corpora, folder, 'SOURCE.md'), 'utf8');
  const repository = /Repository: (\S+)/.exec(text)?.[1];
  const commit = /Commit: ([0-9a-f]{40})/.exec(text)?.[1];
  if (repository === undefined || commit === undefined) throw new Error(`${folder}/SOURCE.md: no repository or commit`);
  return { repository, commit };
}

/** gzip with fixed settings, the header's MTIME set to `mtime` and its OS byte to 3 (Unix) whatever the platform. */
function gzipFixed(bytes, mtime) {
  const gz = gzipSync(bytes, { level: 9, memLevel: 8, windowBits: 15, strategy: 0 });
  gz.writeUInt32LE(Math.floor(mtime.getTime() / 1000), 4);
  gz[9] = 3;
  return gz;
}

function write(path, bytes, mtime) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  utimesSync(path, mtime, mtime);
}

/** Where a trail would deliver a file of `account`/`region` at `time`. */
function deliveryPath(account, region, time, unique) {
  const p = (n) => String(n).padStart(2, '0');
  const [y, mo, d, h, mi] = [
    time.getUTCFullYear(),
    p(time.getUTCMonth() + 1),
    p(time.getUTCDate()),
    p(time.getUTCHours()),
    p(time.getUTCMinutes()),
  ];
  const name = `${account}_CloudTrail_${region}_${y}${mo}${d}T${h}${mi}Z_${unique}.json.gz`;
  return join(out, 'AWSLogs', account, 'CloudTrail', region, String(y), mo, d, name);
}

/** A 16-character [A-Za-z0-9] string derived from the content, standing in for CloudTrail's random one. */
function uniqueOf(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(bytes).digest();
  let s = '';
  for (let i = 0; i < 16; i++) s += alphabet[(digest[i] ?? 0) % alphabet.length];
  return s;
}

function countBy(records, key) {
  const counts = new Map();
  for (const r of records) {
    const k = key(r);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

// Everything is rebuilt except alarms/: local mode's sample alarms are written by hand (see the README section).
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(out)) {
  if (entry !== KEPT) rmSync(join(out, entry), { recursive: true, force: true });
}
/** [path relative to samples/, records, source] for the README. */
const written = [];
const allRecords = [];
const invictusRecords = [];

// invictus-ir: every delivery file, gzipped as it is.
const invictusDir = join(corpora, INVICTUS, 'CloudTrail');
for (const name of readdirSync(invictusDir).sort()) {
  const m = DELIVERY_NAME.exec(name);
  if (m === null) throw new Error(`${INVICTUS}: unexpected file name ${name}`);
  const [, account, region, y, mo, d, h, mi, unique] = m;
  const delivered = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  const bytes = readFileSync(join(invictusDir, name));
  const records = JSON.parse(bytes.toString('utf8')).Records;
  const path = deliveryPath(account, region, delivered, unique);
  write(path, gzipFixed(bytes, delivered), delivered);
  written.push({ path: relative(out, path), records: records.length, source: 'invictus' });
  allRecords.push(...records);
  invictusRecords.push(...records);
}

// stratus-red-team: the array's bytes inside {"Records": …}, one delivery file per technique.
for (const name of STRATUS_FILES) {
  const array = readFileSync(join(corpora, STRATUS, 'docs', 'detonation-logs', name));
  const records = JSON.parse(array.toString('utf8'));
  const accounts = new Set(records.map((r) => r.recipientAccountId));
  const regions = new Set(records.map((r) => r.awsRegion));
  if (accounts.size !== 1 || regions.size !== 1) throw new Error(`${name}: expected one account and one region`);
  const [account] = accounts;
  const [region] = regions;
  const latest = Math.max(...records.map((r) => Date.parse(r.eventTime)));
  // Delivered within minutes: the next 5-minute mark after the last record, plus 5 minutes.
  const step = 5 * 60_000;
  const delivered = new Date(Math.ceil(latest / step) * step + step);
  const bytes = Buffer.concat([Buffer.from('{"Records":'), array, Buffer.from('}\n')]);
  const path = deliveryPath(account, region, delivered, uniqueOf(bytes));
  write(path, gzipFixed(bytes, delivered), delivered);
  written.push({ path: relative(out, path), records: records.length, source: `stratus ${name}` });
  allRecords.push(...records);
}

// Licences, as the corpora carry them.
const licences = [
  [join(INVICTUS, 'LICENSE'), 'LICENSES/invictus-ir-aws_dataset/LICENSE'],
  [join(STRATUS, 'LICENSE'), 'LICENSES/stratus-red-team/LICENSE'],
  [join(STRATUS, 'NOTICE'), 'LICENSES/stratus-red-team/NOTICE'],
];
for (const [from, to] of licences) write(join(out, to), readFileSync(join(corpora, from)), FIXED_MTIME);

// README.
const invictus = provenance(INVICTUS);
const stratus = provenance(STRATUS);
const total = allRecords.length;
const names = countBy(invictusRecords, (r) => r.eventName);
const pick = (n) => names.get(n) ?? 0;
const times = invictusRecords.map((r) => r.eventTime).sort();
const hhmm = (t) => t.slice(11, 16);
const folders = new Map();
for (const w of written) {
  const folder = dirname(w.path);
  const rows = folders.get(folder) ?? [];
  rows.push(`| \`${w.path.slice(folder.length + 1)}\` | ${w.records} |`);
  folders.set(folder, rows);
}
const tables = [...folders]
  .map(([folder, rows]) => `\`${folder}/\`\n\n| file | records |\n|---|---|\n${rows.join('\n')}`)
  .join('\n\n');
const readme = `# Sample trail

The trail logs behind \`--source samples\`: ${written.length} delivery files, ${total} CloudTrail records, laid out as a
trail writes them to S3 (\`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz\`,
each file \`{"Records":[…]}\` gzipped). Generated by \`node scripts/build-samples.mjs\`; do not edit by hand.

The records are unmodified: every field of every record is exactly as its publisher released it. Only the packaging
differs, as said below.

## What is in it

- Account 218007301253, us-east-1, ${times[0]?.slice(0, 10)} ${hhmm(times[0])}–${hhmm(times.at(-1))} UTC: an attack
  simulation run with Stratus Red Team against a real account (${written.filter((w) => w.source === 'invictus').length}
  files, ${invictusRecords.length} records): ConsoleLogin (${pick('ConsoleLogin')}), RunInstances (${pick('RunInstances')}) and
  TerminateInstances (${pick('TerminateInstances')}) with state transitions, security-group changes (CreateSecurityGroup,
  AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress), IAM changes (CreateUser, CreateAccessKey,
  AttachUserPolicy, CreateLoginProfile, DeleteUser), StopLogging (${pick('StopLogging')}) and DeleteTrail (${pick('DeleteTrail')}),
  secrets and parameter reads, and failed calls (ThrottlingException, AccessDenied, Client.UnauthorizedOperation).
- Account 309303190113, "region" ca-northsouth-2r, 2024-08-01: StopInstances and StartInstances of one instance
  around a ModifyInstanceAttribute (user data), amid DescribeInstances polling.
- Account 562283505220, "region" eu-west-2r, 2024-08-02: a ConsoleLogin without MFA.

The last two come from logs their publisher anonymized: account ids, ARNs, IP addresses and region names are
scrambled (regions such as \`ca-northsouth-2r\` do not exist, some IPs are not valid dotted quads). They are kept as
published, which also shows that Trailbot copes with such values.

${tables}

## Sample alarms (\`alarms/\`)

Not trail data (\`--source samples\` reads \`AWSLogs/\` only): the alarms local mode's channel page can send, each
signed as SNS signs a notification and POSTed to the app's \`/sns\`. Written by hand, not by the script (which keeps
the folder). Each file is \`{ "title", "description", "subject" (the SNS Subject; none for EventBridge), "message" }\`,
\`message\` being the SNS Message as an object. They are tied to the 2023-07-10 run above, whose records name the
account 123837392027 (\`recipientAccountId\`), so that alarm enrichment finds what tripped them:

- CloudWatch alarms in ALARM on CIS metric filters (namespace \`CloudTrailMetrics\`, a metric name the CIS pack
  maps): \`security-group-changes\` (SecurityGroupEventCount), \`cloudtrail-changes\` (CloudTrailEventCount),
  \`iam-policy-changes\` (IAMPolicyEventCount), \`console-sign-in-without-mfa\` (ConsoleSignInWithoutMfaCount), each
  with a StateChangeTime a minute or two after its events, so the evaluation window covers them;
- \`ssh-open-to-the-internet\`: an EventBridge "AWS API Call via CloudTrail" event whose \`detail\` is the
  AuthorizeSecurityGroupIngress record (port 22 from 0.0.0.0/0, eventID 74bd84b4-6729-4895-b2a4-e2beb7c6b377)
  verbatim.

\`test/local/sample-alarms.test.ts\` checks that each still parses and still finds its events.

## Where it came from, and licences

- **invictus-ir/aws_dataset**, ${invictus.repository}, commit ${invictus.commit}, path \`CloudTrail/\`.
  MIT License, Copyright (c) 2023 Invictus Incident Response: \`LICENSES/invictus-ir-aws_dataset/LICENSE\`.
  Each delivery file is gzipped byte for byte under its original name (the publisher stored them uncompressed).
- **DataDog/stratus-red-team**, ${stratus.repository}, commit ${stratus.commit}, path
  \`docs/detonation-logs/\` (${STRATUS_FILES.map((f) => `\`${f}\``).join(', ')}).
  Apache License 2.0, "Stratus Red Team, Copyright 2021-Present Datadog, Inc.": \`LICENSES/stratus-red-team/LICENSE\`
  and \`NOTICE\`. Changed by us: each file's JSON array (its bytes unchanged) is wrapped as \`{"Records":<array>}\` and
  gzipped, and the file is named and placed as a delivery file of the record's account and region, delivered
  5–10 minutes after its last record.
`;
write(join(out, 'README.md'), readme, FIXED_MTIME);

let bytesOnDisk = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else bytesOnDisk += statSync(p).size;
  }
};
walk(out);
console.log(`samples/: ${written.length} trail files, ${total} records, ${bytesOnDisk} bytes`);

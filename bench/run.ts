/**
 * `npm run bench [-- --only answers,ack,lookup,org,outbox,storm,patterns,scan,replicas,local] [--events N] [--folder-events N]`: every figure the issues ask
 * for, printed as tables, never asserted. Targets are shown in brackets.
 */
import { parseArgs } from 'node:util';
import { benchAlertStorm } from './alert-storm.js';
import { benchAnswers } from './answer-throughput.js';
import { benchLocalMode } from './local-mode.js';
import { benchLookup } from './lookup-fanout.js';
import { benchOrgWho } from './org-who.js';
import { benchOutboxStorm } from './outbox-storm.js';
import { benchPatternChecks } from './pattern-checks.js';
import { benchReplicas } from './replicas.js';
import { benchScanCalls } from './scan-calls.js';
import { benchSlackAck } from './slack-ack.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'answers,ack,lookup,org,outbox,storm,patterns,scan,replicas,local' },
    events: { type: 'string', default: '200000' },
    'folder-events': { type: 'string', default: '1000000' },
  },
});
const only = new Set((values.only ?? '').split(','));

console.log(`# trailbot bench · node ${process.version} · ${new Date().toISOString()}`);
if (only.has('answers')) {
  await benchAnswers({ events: Number(values.events), folderEvents: Number(values['folder-events']) });
}
if (only.has('ack')) await benchSlackAck({ concurrent: 20, rounds: 10 });
if (only.has('lookup')) await benchLookup();
if (only.has('org')) await benchOrgWho();
if (only.has('outbox')) await benchOutboxStorm();
if (only.has('storm')) await benchAlertStorm();
if (only.has('patterns')) await benchPatternChecks();
if (only.has('scan')) await benchScanCalls();
// PostgreSQL from TRAILBOT_BENCH_POSTGRES_URL or TRAILBOT_TEST_POSTGRES_URL; without either, the SQLite rows only.
if (only.has('replicas')) await benchReplicas();
if (only.has('local')) await benchLocalMode({ startups: 5, questions: 30, alarms: 12 });

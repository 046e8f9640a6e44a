/**
 * CloudWatch Logs filter patterns over real CloudTrail records: the 15 CIS / Security Hub metric-filter patterns of
 * CIS_PACK (src/core/rules/cis-pack.ts, aws-slack-facts §5.2), compiled once, each tested with matchEvent against
 * every record of the four public corpora in ../shared/data/cloudtrail (parsed objects, as a scan holds them). Single
 * thread, after a warmup. Figures:
 * - per pattern (rows labelled by the pack rule's id and title): event-pattern checks per second and hits over the
 *   corpora;
 * - overall: every record against all 15 patterns, record by record, as an alarm evaluator would
 *   [≥ 1M checks/s on one core];
 * - for scale: the same checks through the JSON text (JSON.stringify, then matchMessage parses it back).
 * Run alone with `node --import tsx bench/pattern-checks.ts`.
 */
import { pathToFileURL } from 'node:url';
import { type FilterPattern, parseFilterPattern } from '../src/core/filter-pattern/filter-pattern.js';
import { CIS_PACK } from '../src/core/rules/cis-pack.js';
import { loadAllCorpora } from '../test/helpers/corpora.js';

/** How long each measurement runs: long enough to smooth timer noise and GC. */
const MEASURE_MS = 400;
const WARMUP_PASSES = 30;

interface Compiled {
  id: string;
  title: string;
  pattern: FilterPattern;
}

function compileAll(): Compiled[] {
  return CIS_PACK.map(({ id, title, pattern }) => {
    const parsed = parseFilterPattern(pattern);
    if (!parsed.ok) throw new Error(`CIS pattern ${id} does not parse: ${parsed.error.message}`);
    return { id, title, pattern: parsed.pattern };
  });
}

/** Runs `pass` (which makes `checksPerPass` checks and returns its hits) until MEASURE_MS has gone by. */
function measure(checksPerPass: number, pass: () => number): { checksPerSecond: number; hitsPerPass: number } {
  let passes = 0;
  let hits = 0;
  const started = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < MEASURE_MS) {
    hits += pass();
    passes += 1;
    elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return { checksPerSecond: (passes * checksPerPass) / (elapsedMs / 1000), hitsPerPass: hits / passes };
}

const rate = (perSecond: number): string => `${(perSecond / 1e6).toFixed(2)} M/s`;

export async function benchPatternChecks(): Promise<void> {
  const records = loadAllCorpora().map((entry) => entry.record);
  const compiled = compileAll();
  const texts = records.map((record) => JSON.stringify(record));
  console.log(
    `\n## Filter patterns: ${compiled.length} CIS patterns × ${records.length.toLocaleString('en-US')} CloudTrail records (matchEvent on parsed objects, one thread)\n`,
  );

  for (let i = 0; i < WARMUP_PASSES; i += 1)
    for (const { pattern } of compiled) for (const record of records) pattern.matchEvent(record);

  const rows: Record<string, string | number>[] = compiled.map(({ id, title, pattern }) => {
    const { checksPerSecond, hitsPerPass } = measure(records.length, () => {
      let hits = 0;
      for (const record of records) if (pattern.matchEvent(record)) hits += 1;
      return hits;
    });
    return {
      rule: id,
      title,
      hits: hitsPerPass,
      'checks/s': rate(checksPerSecond),
    };
  });

  const all = measure(records.length * compiled.length, () => {
    let hits = 0;
    for (const record of records) for (const { pattern } of compiled) if (pattern.matchEvent(record)) hits += 1;
    return hits;
  });
  rows.push({
    rule: 'ALL 15, record by record',
    title: '[≥ 1M checks/s]',
    hits: all.hitsPerPass,
    'checks/s': rate(all.checksPerSecond),
  });

  const viaText = measure(records.length * compiled.length, () => {
    let hits = 0;
    for (const text of texts) for (const { pattern } of compiled) if (pattern.matchMessage(text) !== null) hits += 1;
    return hits;
  });
  rows.push({
    rule: 'ALL 15 via JSON text',
    title: 'matchMessage (JSON.parse each check)',
    hits: viaText.hitsPerPass,
    'checks/s': rate(viaText.checksPerSecond),
  });
  console.table(rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await benchPatternChecks();

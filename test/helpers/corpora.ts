/**
 * The four public CloudTrail corpora in ../shared/data/cloudtrail (each folder's SOURCE.md says what it
 * holds), as raw records: what a parser hands to normalizeRecord. Used by tests and the benchmark.
 * - invictus: CloudTrail S3 delivery files, `{"Records": [...]}`
 * - stratus: one JSON array of records per technique
 * - otrf: newline-delimited JSON (the extracted `unzipped/` member of the zip)
 * - panther: YAML rule files whose `Tests[].Log` is one record each
 * Loaded once per process (per test file under jest) and shared: do not mutate the records.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export type CorpusName = 'invictus' | 'stratus' | 'otrf' | 'panther';

export const CORPUS_NAMES: readonly CorpusName[] = ['invictus', 'stratus', 'otrf', 'panther'];

export interface CorpusRecord {
  corpus: CorpusName;
  /** The file's path inside the corpus folder's data directory. */
  file: string;
  /** The record as parsed: untrusted. */
  record: unknown;
}

/** `shared/` is the repository's sibling: /work/main/test/helpers → /work/shared/data/cloudtrail. */
export const CORPORA_ROOT = fileURLToPath(new URL('../../../shared/data/cloudtrail/', import.meta.url));

const FOLDERS: Readonly<Record<CorpusName, string>> = {
  invictus: 'invictus-ir-aws_dataset/CloudTrail',
  stratus: 'datadog-stratus-red-team-detonation-logs/docs/detonation-logs',
  otrf: 'otrf-security-datasets-aws/unzipped',
  panther: 'panther-analysis-cloudtrail-rule-tests/rules',
};

const loaded = new Map<CorpusName, readonly CorpusRecord[]>();

/** The records of one corpus (a fresh array each call; the records themselves are shared). */
export function loadCorpus(name: CorpusName, root: string = CORPORA_ROOT): CorpusRecord[] {
  const cached = root === CORPORA_ROOT ? loaded.get(name) : undefined;
  if (cached !== undefined) return [...cached];
  const dir = join(root, FOLDERS[name]);
  const records: CorpusRecord[] = [];
  for (const file of listFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const record of recordsOf(name, text, file)) records.push({ corpus: name, file, record });
  }
  if (root === CORPORA_ROOT) loaded.set(name, records);
  return [...records];
}

/** Every record of every corpus, in corpus order (invictus, stratus, otrf, panther), files sorted. */
export function loadAllCorpora(root: string = CORPORA_ROOT): CorpusRecord[] {
  return CORPUS_NAMES.flatMap((name) => loadCorpus(name, root));
}

/** The first record of `corpus` with this eventID (optionally only in `file`); throws if there is none. */
export function findRecord(corpus: CorpusName, eventId: string, file?: string): Record<string, unknown> {
  const found = loadCorpus(corpus).find(
    (entry) =>
      (file === undefined || entry.file === file) &&
      typeof entry.record === 'object' &&
      entry.record !== null &&
      (entry.record as { eventID?: unknown }).eventID === eventId,
  );
  if (found === undefined) throw new Error(`no record ${eventId} in ${corpus}${file === undefined ? '' : `/${file}`}`);
  return found.record as Record<string, unknown>;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json') || file.endsWith('.yml') || file.endsWith('.yaml'))
    .sort();
}

function recordsOf(name: CorpusName, text: string, file: string): unknown[] {
  switch (name) {
    case 'invictus': {
      const parsed: unknown = JSON.parse(text);
      const records = (parsed as { Records?: unknown }).Records;
      if (!Array.isArray(records)) throw new Error(`${file}: no Records array`);
      return records;
    }
    case 'stratus': {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error(`${file}: not a JSON array`);
      return parsed;
    }
    case 'otrf':
      return text
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as unknown);
    case 'panther': {
      const doc = parseYaml(text) as { Tests?: unknown } | null;
      const tests = Array.isArray(doc?.Tests) ? (doc.Tests as unknown[]) : [];
      return tests
        .filter((test): test is { Log: unknown } => typeof test === 'object' && test !== null && 'Log' in test)
        .map((test) => test.Log);
    }
  }
}

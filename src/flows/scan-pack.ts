/**
 * answerScan: `scan [modifiers]` → the CIS monitoring pack run over one event source, answered by rule. Sequences
 * the source and the pure core (planScan, normalize, match, RuleHitsBuilder); holds no formatting.
 *
 * LookupEvents is read as planScan says: the whole window once when a rule pins no event name, then the shared
 * event-name series only where that read was cut short by the page budget (or everywhere when no rule needs the
 * whole window). Trail files are read once: every rule sees every record.
 */
import { questionRegions, resolveAccount } from '../core/accounts.js';
import type { Answer } from '../core/answer.js';
import { AnswerBuilder } from '../core/answer-builder.js';
import { createRecordMatcher } from '../core/match-record.js';
import { normalizeRecord } from '../core/normalize/normalize-record.js';
import { resolveWindow } from '../core/query/resolve-window.js';
import { CIS_PACK, type PackRule } from '../core/rules/cis-pack.js';
import { RuleHitsBuilder } from '../core/rules/rule-hits.js';
import { planScan } from '../core/rules/scan-plan.js';
import type { TrailQuery } from '../core/trail-query.js';
import type { ScanRequest, SourceProblem } from '../ports.js';
import type { AnswerQueryDeps, AnswerQueryOptions } from './answer-query.js';
import { readSource } from './read-source.js';

const MAX_NOTES = 50;

export async function answerScan(
  deps: AnswerQueryDeps,
  query: TrailQuery,
  options: AnswerQueryOptions,
  rules: readonly PackRule[] = CIS_PACK,
): Promise<Answer> {
  const { source, now } = deps;
  const { from, to } = resolveWindow(query.window, now, source.kind);
  // The query's account is resolved (answerQuery did it): with an accounts map, null reads every account.
  const account = resolveAccount(query.account, source.accounts ?? null);
  const accounts = account.ok ? account.accounts : null;
  const { read: toRead, match: regions } = questionRegions(source.kind, query, options.defaultRegions, accounts);
  const plan = planScan(rules);
  const matches = createRecordMatcher(query, { from, to, regions });
  const builder = new AnswerBuilder({ events: 0, timeline: 500, listReads: query.access === 'reads' });
  const hits = new RuleHitsBuilder(plan.rules.map((p) => p.rule));

  const notes: string[] = plan.broken.map(
    (b) => `rule ${b.rule.id} was not run: its pattern cannot be read (${b.message})`,
  );
  let unnoted = 0;
  const note = (line: string): void => {
    if (notes.length < MAX_NOTES) notes.push(line);
    else unnoted += 1;
  };
  const cut = new Set<string>();

  const read = async (request: Omit<ScanRequest, 'onProblem'>, onBudget: (p: SourceProblem) => void) => {
    await readSource(
      source,
      {
        ...request,
        onProblem: (p) => (p.budgetSpent === true ? onBudget(p) : note(`${p.where}: ${p.message}`)),
      },
      (raw) => {
        const record = normalizeRecord(raw);
        builder.scanned(record);
        if (!matches(record)) return;
        let hit = false;
        plan.rules.forEach(({ pattern }, index) => {
          if (pattern.matchEvent(raw)) {
            hits.add(index, record);
            hit = true;
          }
        });
        // Both builders drop an event id they already have: the series after a cut read re-read its newest events.
        if (hit) builder.add(record);
      },
    );
  };

  const wholeWindowFirst = plan.wholeWindow || source.kind === 'files';
  if (wholeWindowFirst) {
    await read({ query, from, to, regions: toRead, attributes: [] }, (p) => cut.add(p.region ?? p.where));
  }
  if (source.kind === 'live' && plan.attributes.length > 0 && (!wholeWindowFirst || cut.size > 0)) {
    const again = wholeWindowFirst ? [...cut] : toRead;
    // Only the regions a budget cut are read again; else the question's own (an account's own regions included).
    const narrowed: TrailQuery = wholeWindowFirst ? { ...query, regions: [...cut] } : query;
    await read({ query: narrowed, from, to, regions: again, attributes: plan.attributes }, (p) =>
      note(`${p.where}: ${p.message}`),
    );
    const unpinned = plan.rules.filter((p) => p.attributes.length === 0).map((p) => p.rule.title);
    for (const region of cut) {
      note(
        `${region}: reading the whole window stopped at the page budget, so ${unpinned.join(' and ')} cover only its newest events there; narrow with since or from … to`,
      );
    }
  }
  if (unnoted > 0) notes.push(`+${unnoted} more problems`);

  const answer = builder.finish({ query: query.text, source: source.label, window: { from, to }, regions, notes });
  const kept = hits.kept();
  return {
    ...answer,
    events: query.limit === null ? kept : kept.slice(0, query.limit),
    rules: hits.finish(),
  };
}

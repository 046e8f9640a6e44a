/**
 * How `scan` reads LookupEvents for a pack of rules with as few calls as their patterns allow. Pure.
 *
 * A rule whose pattern pins its event names (or sources) needs one series of calls per name; a name several rules
 * share (ConsoleLogin: sign-ins without MFA and failed sign-ins) is read once for all of them. A rule that pins
 * nothing (root activity, denied calls) needs every event of the window, and that read serves every other rule too:
 * when it is whole, the named series would only read the same events again, so they run only in the regions where
 * it was cut short by the page budget.
 */
import type { FilterPattern } from '../filter-pattern/filter-pattern.js';
import { parseFilterPattern } from '../filter-pattern/filter-pattern.js';
import { type LookupAttribute, patternAttributes } from '../lookup-plan.js';
import type { PackRule } from './cis-pack.js';

export interface PlannedRule {
  rule: PackRule;
  pattern: FilterPattern;
  /** The series this rule alone would need; empty: the whole window. */
  attributes: LookupAttribute[];
}

export interface ScanPlan {
  rules: PlannedRule[];
  /** Some rule pins no event name or source: the whole window is read first. */
  wholeWindow: boolean;
  /** The series the pinned rules need, each once, names before sources, sorted. */
  attributes: LookupAttribute[];
  /** Rules whose pattern does not parse (a bug in the pack, or a custom pack): listed, never run. */
  broken: { rule: PackRule; message: string }[];
}

export function planScan(rules: readonly PackRule[]): ScanPlan {
  const planned: PlannedRule[] = [];
  const broken: ScanPlan['broken'] = [];
  for (const rule of rules) {
    const parsed = parseFilterPattern(rule.pattern);
    if (!parsed.ok) broken.push({ rule, message: parsed.error.message });
    else planned.push({ rule, pattern: parsed.pattern, attributes: patternAttributes(parsed.pattern) });
  }
  const shared = new Map<string, LookupAttribute>();
  for (const { attributes } of planned) {
    for (const attribute of attributes) shared.set(`${attribute.key}\u0000${attribute.value}`, attribute);
  }
  const order = (a: LookupAttribute): string => `${a.key === 'EventName' ? 0 : 1}${a.value}`;
  return {
    rules: planned,
    wholeWindow: planned.some((p) => p.attributes.length === 0),
    attributes: [...shared.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)),
    broken,
  };
}

/**
 * Series of calls per region if every rule were read on its own, as a tool running one query per rule would: one
 * per attribute of each rule, one whole-window read per rule that pins nothing. The benchmark's yardstick.
 */
export function seriesPerRule(plan: ScanPlan): number {
  return plan.rules.reduce((sum, { attributes }) => sum + Math.max(1, attributes.length), 0);
}

/** Series per region this plan runs when the whole-window read (if any) was cut short, its most. */
export function seriesAtMost(plan: ScanPlan): number {
  return (plan.wholeWindow ? 1 : 0) + plan.attributes.length;
}

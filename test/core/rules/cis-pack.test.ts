import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';
import { CIS_PACK, packRule, packRuleForMetric, unauthorizedLaterCis } from '../../../src/core/rules/cis-pack.js';

/** The §5.2 table of the facts file: control → pattern, as AWS publishes them (markdown `\|` unescaped). */
function publishedPatterns(): Map<string, string> {
  const facts = readFileSync(new URL('../../../../shared/reference/aws-slack-facts.md', import.meta.url), 'utf8');
  const section = facts.slice(facts.indexOf('### 5.2'), facts.indexOf('Variants to know'));
  const table = new Map<string, string>();
  for (const line of section.split('\n')) {
    const row = /^\| (CloudWatch\.\d+|CIS 1\.4\+ 4\.15)[^|]*\| `(.+?)`(?: —.*)? \|$/.exec(line);
    if (row?.[1] !== undefined && row[2] !== undefined) {
      table.set(row[1] === 'CIS 1.4+ 4.15' ? 'CIS.4.15' : row[1], row[2].replaceAll('\\|', '|'));
    }
  }
  return table;
}

describe('the CIS monitoring pack', () => {
  test('holds the 15 published patterns, character for character', () => {
    const published = publishedPatterns();
    expect(published.size).toBe(15);
    expect(CIS_PACK.map((rule) => rule.id).sort()).toEqual([...published.keys()].sort());
    for (const rule of CIS_PACK) expect(rule.pattern).toBe(published.get(rule.id));
  });

  test('every pattern parses, and so does the later unauthorized-calls variant', () => {
    for (const { pattern } of CIS_PACK) expect(parseFilterPattern(pattern).ok).toBe(true);
    expect(parseFilterPattern(unauthorizedLaterCis).ok).toBe(true);
  });

  test('ids, titles and metric names are unique', () => {
    expect(new Set(CIS_PACK.map((r) => r.id)).size).toBe(CIS_PACK.length);
    expect(new Set(CIS_PACK.map((r) => r.title)).size).toBe(CIS_PACK.length);
    const metrics = CIS_PACK.flatMap((r) => r.metricNames.map((m) => m.toLowerCase()));
    expect(new Set(metrics).size).toBe(metrics.length);
  });

  test('rules by id and by metric name', () => {
    expect(packRule('cloudwatch.10')?.title).toBe('Security group changes');
    expect(packRule('CloudWatch.99')).toBeUndefined();
    expect(packRuleForMetric('SecurityGroupEventCount')?.id).toBe('CloudWatch.10');
    expect(packRuleForMetric('ConsoleSigninFailureCount')?.id).toBe('CloudWatch.6');
    expect(packRuleForMetric('CPUUtilization')).toBeUndefined();
  });
});

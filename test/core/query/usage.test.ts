import { describe, expect, test } from '@jest/globals';
import { parseTrailQuery } from '../../../src/core/query/parse-trail-query.js';
import { HELP_TEXT, MODIFIER_EXAMPLES, VERB_EXAMPLES } from '../../../src/core/query/usage.js';

describe('help text', () => {
  test.each([...VERB_EXAMPLES, ...MODIFIER_EXAMPLES].map((example) => example.query))('%s is a valid query', (text) => {
    expect(parseTrailQuery(text).kind).toBe('query');
    expect(HELP_TEXT).toContain(text);
  });

  test('has an example for each verb and modifier', () => {
    const queries = [...VERB_EXAMPLES, ...MODIFIER_EXAMPLES].map((example) => ` ${example.query} `);
    for (const verb of ['who', 'user', 'event', 'errors', 'ip', 'key', 'id']) {
      expect(queries.some((text) => text.startsWith(` ${verb} `))).toBe(true);
    }
    for (const modifier of ['since', 'from', 'to', 'in', 'account', 'writes', 'limit', 'public']) {
      expect(queries.some((text) => text.includes(` ${modifier} `))).toBe(true);
    }
    for (const word of ['help', 'reads', 'in all']) expect(HELP_TEXT).toContain(word);
  });

  test('is short plain text that names no particular source or flag', () => {
    expect(HELP_TEXT.split('\n').length).toBeLessThanOrEqual(30);
    expect(HELP_TEXT).not.toMatch(/--|\*|`|LookupEvents|Athena|S3|samples/);
    for (const line of HELP_TEXT.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

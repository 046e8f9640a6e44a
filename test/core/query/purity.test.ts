/** src/core is pure (DESIGN.md): the query modules read no clock, environment, file or network. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';

const dir = new URL('../../../src/core/query/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

describe('src/core/query is pure', () => {
  test.each(files)('%s', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    expect(source).not.toMatch(/from 'node:|require\(|process\.|Date\.now\(|new Date\(\)|Math\.random\(/);
  });
});

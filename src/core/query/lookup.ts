/** Table lookups for words the user typed. Pure. */

/** `table[key]` for the table's own keys only: typed words such as `__proto__` or `constructor` find nothing. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

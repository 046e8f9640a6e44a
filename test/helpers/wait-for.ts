/** Polls `probe` every 20 ms until it gives a value (not undefined or false); fails after `ms` naming `what`. */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** {@link waitFor} for a probe that must be awaited (a browser locator's count, say). */
export async function waitForAsync<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

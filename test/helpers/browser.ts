/**
 * A real browser for the local-mode page tests: Debian's headless Chromium (`/usr/bin/chromium`, or
 * `TRAILBOT_TEST_CHROMIUM`) driven by playwright-core, started the way this machine needs (no sandbox as root, no
 * background networking: nothing may leave loopback) with a fresh profile each time (Playwright makes one). `describeBrowser` runs its
 * block with one browser shared by its tests.
 *
 * Without Chromium: under CI (`CI` set) the block fails with a test saying what to install (.ci/run installs it),
 * so CI never passes without the browser tests; elsewhere it prints one loud warning and skips only those blocks.
 * Screenshots go to `test-artifacts/browser/` (kept by CI as artifacts, ignored by git).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_VARIABLE = 'TRAILBOT_TEST_CHROMIUM';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go. */
export const ARTIFACTS_DIR: string = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));

/** The machine's flags for Chromium (Playwright adds `--headless` and a fresh `--user-data-dir` of its own). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserHandle {
  /** The running browser (read it inside tests and hooks). */
  readonly browser: Browser;
  /** `test-artifacts/browser/<name>.png` */
  screenshotPath(name: string): string;
}

let warned = false;

export function describeBrowser(name: string, body: (handle: BrowserHandle) => void): void {
  const executablePath = process.env[CHROMIUM_VARIABLE]?.trim() || DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    const what = `Chromium at ${executablePath} (apt-get install chromium, or set ${CHROMIUM_VARIABLE})`;
    if (process.env.CI !== undefined && process.env.CI !== '') {
      describe(name, () => {
        test('needs a browser', () => {
          throw new Error(`the local-mode browser tests need ${what}; .ci/run installs it`);
        });
      });
      return;
    }
    if (!warned) {
      warned = true;
      console.warn(`⚠️  browser tests SKIPPED: no ${what}. CI runs them and fails without it.`);
    }
    describe.skip(name, () => body({ browser: undefined as unknown as Browser, screenshotPath: () => '' }));
    return;
  }
  let browser: Browser | undefined;
  const handle: BrowserHandle = {
    get browser(): Browser {
      if (browser === undefined) throw new Error('the browser has not started');
      return browser;
    },
    screenshotPath: (file) => join(ARTIFACTS_DIR, `${file}.png`),
  };
  describe(name, () => {
    beforeAll(async () => {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });
    body(handle);
  });
}

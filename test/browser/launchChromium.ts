/**
 * The browser for the tests that drive a page (the run report, `smlm-stream view`): Debian's
 * `chromium` (/usr/bin/chromium, `apt-get install -y chromium`), driven by playwright-core, which
 * downloads no browser of its own. `.ci/run` installs chromium and sets
 * SMLM_STREAM_REQUIRE_CHROMIUM=1, so in CI a missing browser is a failure, never a skip.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Where Debian installs Chromium; SMLM_STREAM_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.SMLM_STREAM_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when Chromium is installed. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.SMLM_STREAM_REQUIRE_CHROMIUM === '1') throw new Error(`SMLM_STREAM_REQUIRE_CHROMIUM=1 but ${CHROMIUM_PATH} is not installed`);
  return `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`;
}

/**
 * Headless Chromium (playwright-core gives it a fresh temporary profile) with the flags this
 * closed network needs: without the background-networking ones Chromium keeps trying to reach
 * Google's hosts. `close()` closes the browser.
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** One view server on a simulated stack and one Chromium page on it: the page tests' shared set-up and tear-down. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/launchChromium.js';
import { runCli } from './runCli.js';
import { startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

/** What {@link openViewPage} made: the temporary folder, the stack in it, the view, the browser and its page. */
export interface ViewPage {
  dir: string;
  stack: string;
  view: ViewProcess;
  browser: Browser;
  closeBrowser: () => Promise<void>;
  page: Page;
}

/**
 * Simulates `stack.tif` (`smlm-stream simulate` with `simulated`) in a new temporary folder, starts
 * `smlm-stream view` on it, launches Chromium and opens a page of `viewport` size whose console
 * errors and page errors are pushed onto `consoleErrors`. The page is not navigated yet (a test may
 * listen to more first; then `page.goto(view.firstLine)`).
 * @param prefix - the temporary folder's name prefix
 */
export async function openViewPage(prefix: string, simulated: readonly string[], viewport: { width: number; height: number }, consoleErrors: string[]): Promise<ViewPage> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const stack = join(dir, 'stack.tif');
  await runCli(['simulate', stack, ...simulated]);
  const view = await startView([stack]);
  const { browser, close: closeBrowser } = await launchChromium();
  const page = await browser.newPage({ viewport });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return { dir, stack, view, browser, closeBrowser, page };
}

/** Closes the browser, stops the view (asserting it exits 0 on Ctrl-C) and removes the folder. */
export async function closeViewPage(opened: { closeBrowser: () => Promise<void>; view?: ViewProcess; dir: string }): Promise<void> {
  await opened.closeBrowser();
  const code = await opened.view?.stop();
  assert.equal(code, 0, `view exits 0 on Ctrl-C; stderr: ${opened.view?.stderr()}`);
  rmSync(opened.dir, { recursive: true, force: true });
}

/**
 * The page of `smlm-stream view FOLDER` in a real browser: the Files panel lists what the folder
 * holds, a click enters a folder, a click opens a stack (its first frame and overlay drawn), a
 * flag localize refuses is said in localize's words, a run is cancelled from the page, and a
 * click on a localization CSV shows its image with every row of it counted. One browser for the
 * file; the compiled CLI (build first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../browser/launchChromium.js';
import type { ViewState } from '../../src/view/protocol.js';
import { canvasContent } from './pageCanvas.js';
import { runCli } from './runCli.js';
import { startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const skip = chromiumMissing();

let dir = '';
let view: ViewProcess;
let closeBrowser: () => Promise<void> = async () => undefined;
let page: Page;
const consoleErrors: { text: string; url: string }[] = [];

before(async () => {
  if (skip !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'smlm-view-files-'));
  // The stack in a subfolder: a folder holding TIFFs is itself a stack, opened at start.
  mkdirSync(join(dir, 'day1'));
  await runCli(['simulate', join(dir, 'day1', 'cells.tif'), '--width', '48', '--height', '48', '--frames', '12', '--seed', '4', '--quiet']);
  await runCli(['localize', join(dir, 'day1', 'cells.tif'), '-o', join(dir, 'table.csv'), '--quiet']);
  // Long enough that a run is still going when the test cancels it (~4 s of frames at load 10).
  await runCli(['simulate', join(dir, 'day1', 'long.tif'), '--width', '128', '--height', '128', '--frames', '400', '--seed', '5', '--quiet']);
  view = await startView([dir]);
  const launched = await launchChromium();
  closeBrowser = launched.close;
  page = await launched.browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => consoleErrors.push({ text: error.message, url: '' }));
  await page.goto(view.firstLine);
});

after(async () => {
  if (skip !== undefined) return;
  await closeBrowser();
  assert.equal(await view?.stop(), 0, `view exits 0 on Ctrl-C; stderr: ${view?.stderr()}`);
  rmSync(dir, { recursive: true, force: true });
});

/** The Files panel's entry named so (a button for what opens). */
const entry = (name: string) => page.locator('[data-testid="file-list"] button', { hasText: name });

test('a folder opens the Files panel with its folders and tables', { skip }, async () => {
  await entry('day1').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('details.files-panel').getAttribute('open'), '', 'the panel is open when nothing is');
  assert.equal(await entry('table.csv').count(), 1);
  assert.equal(await page.locator('[data-testid="candidate-count"]').textContent(), '', 'no frame, no overlay');
  await entry('day1').click();
  await entry('cells.tif').waitFor({ timeout: 15_000 });
  assert.equal(await page.textContent('[data-testid="file-dir"]'), '/day1');
});

test('a click on a stack draws its first frame and overlay', { skip }, async () => {
  await entry('cells.tif').click();
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'ready', null, { timeout: 15_000 });
  const content = await canvasContent(page, 'frame-canvas');
  assert.ok(content.levels > 20, `frame-canvas shows ${content.levels} grey levels`);
  assert.match((await page.textContent('[data-testid="stack-info"]')) ?? '', /day1\/cells\.tif · 48×48 px × 12 frames/);
});

test('a threshold localize refuses is said in its words, and the overlay comes back', { skip }, async () => {
  await page.fill('[data-testid="threshold-input"]', '-1');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'error', null, { timeout: 15_000 });
  assert.match((await page.textContent('[data-testid="settings-message"]')) ?? '', /--threshold: the detection threshold must be > 0/);
  await page.fill('[data-testid="threshold-input"]', '1.15');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'ready', null, { timeout: 15_000 });
  // What stays is at most a warning of the preview (12 frames give an uncertain gain), not the refusal.
  assert.notEqual(await page.getAttribute('[data-testid="settings-message"]', 'data-kind'), 'error');
});

test('cancel stops a run from the page; the page has the rows of its finished frames', { skip }, async () => {
  await page.click('details.files-panel summary');
  await entry('long.tif').click();
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'ready', null, { timeout: 15_000 });
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => /running: [1-9]/.test(document.querySelector('[data-testid="run-status"]')?.textContent ?? ''), null, { timeout: 30_000 });
  await page.click('[data-testid="cancel-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent === 'cancelled', null, { timeout: 30_000 });
  const state = (await (await view.api('/api/state')).json()) as ViewState;
  assert.equal(state.run.state, 'cancelled');
  assert.ok(state.run.framesDone < state.run.framesTotal, `cancelled after ${state.run.framesDone} of ${state.run.framesTotal} frames`);
  await page.waitForFunction((want) => document.querySelector('[data-testid="localization-count"]')?.textContent?.replaceAll(',', '') === want, String(state.run.localizations), { timeout: 15_000 });
  assert.equal(await page.locator('[data-testid="run-button"]').isDisabled(), false, 'a new run may start');
  assert.equal(await page.locator('[data-testid="cancel-button"]').isDisabled(), true);
});

test('a click on a localization table shows its image with every row', { skip }, async () => {
  const rows = readFileSync(join(dir, 'table.csv'), 'utf8').trimEnd().split('\n').length - 1;
  await page.click('details.files-panel summary');
  await entry('..').click();
  await entry('table.csv').click();
  await page.waitForFunction((want) => document.querySelector('[data-testid="localization-count"]')?.textContent?.replaceAll(',', '') === want, String(rows), { timeout: 15_000 });
  assert.ok(rows > 10, `${rows} rows`);
  assert.equal(await page.textContent('[data-testid="filtered-count"]'), await page.textContent('[data-testid="localization-count"]'));
  assert.equal(await page.locator('[data-testid="run-button"]').isDisabled(), true, 'a table has nothing to run');
  let image = await canvasContent(page, 'render-canvas');
  for (let tries = 0; tries < 50 && image.differing < rows / 2; tries++) {
    await page.waitForTimeout(100);
    image = await canvasContent(page, 'render-canvas');
  }
  // At least one lit pixel per two localizations (some fall on others), beyond the scale bar.
  assert.ok(image.differing >= rows / 2, `render-canvas: ${image.differing} pixels drawn for ${rows} localizations`);
});

test('the page logged no console errors but the refused preview', { skip }, () => {
  // Chromium logs every 4xx answer to a fetch; the refused threshold's 400 is the test's own doing.
  const unexpected = consoleErrors.filter((e) => !(e.url.endsWith('/api/preview') && e.text.includes('400')));
  assert.deepEqual(unexpected, []);
  assert.equal(consoleErrors.length - unexpected.length, 1, 'one refused preview');
});

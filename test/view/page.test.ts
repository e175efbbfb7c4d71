/**
 * The page of `smlm-stream view` in a real browser (Debian's Chromium, playwright-core), against
 * the compiled CLI on a small simulated stack: the first frame drawn without a click, the
 * overlay's candidate count equal to the server's preview of the shown frame with the page's
 * flags, a threshold change and a frame change updating it, a run from the page ending in "done"
 * with the CSV `localize` writes with the same flags, the reconstruction drawn, a filter changing
 * the count shown, the exports, and no console errors. One browser for the file. Build first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import type { PreviewResult } from '../../src/view/protocol.js';
import { chromiumMissing } from '../browser/launchChromium.js';
import { canvasContent } from './pageCanvas.js';
import { runCli } from './runCli.js';
import { closeViewPage, openViewPage } from './viewPage.js';
import type { ViewProcess } from './viewProcess.js';

const skip = chromiumMissing();
/**
 * A small stack: 64×64 px, 24 frames, spots of 500 photons on 20 photons/px: faint enough that
 * the threshold matters (frame 1: 19 candidates at 1.15, 4 at 4; at simulate's 2000 photons
 * every spot passes up to 8).
 */
const SIMULATED = ['--width', '64', '--height', '64', '--frames', '24', '--density', '0.6', '--photons', '500', '--seed', '30', '--quiet'];
/** The threshold the test types: well above the default (1.15), so fewer candidates pass. */
const HIGH_THRESHOLD = '4';

let dir = '';
let stack = '';
let view: ViewProcess;
let closeBrowser: () => Promise<void> = async () => undefined;
let page: Page;
const consoleErrors: string[] = [];
/** The flags of every POST /api/preview the page sent, in order. */
const previewFlags: Record<string, string>[] = [];

/** Waits until the overlay of the shown frame is drawn; its candidate count and frame. */
async function overlay(): Promise<{ count: number; frame: number }> {
  const handle = await page.waitForFunction(() => {
    const element = document.querySelector<HTMLElement>('[data-testid="candidate-count"]');
    return element?.dataset.state === 'ready' ? { text: element.textContent ?? '', frame: Number(element.dataset.frame) } : undefined;
  }, null, { timeout: 15_000 });
  const { text, frame } = (await handle.jsonValue()) as { text: string; frame: number };
  assert.match(text, /^[\d,]+$/, `candidate-count is a count, got '${text}'`);
  return { count: Number(text.replaceAll(',', '')), frame };
}

/** POST /api/preview from the test, as the page asks it. */
async function askPreview(body: { frame: number; flags: Record<string, string> }): Promise<PreviewResult> {
  const response = await view.post('/api/preview', body);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as PreviewResult;
}

/** A count the page shows (digits with thousands separators). */
async function shownCount(testid: string): Promise<number> {
  const text = (await page.textContent(`[data-testid="${testid}"]`)) ?? '';
  assert.match(text, /^[\d,]+$/, `${testid} is a count, got '${text}'`);
  return Number(text.replaceAll(',', ''));
}

before(async () => {
  if (skip !== undefined) return;
  ({ dir, stack, view, closeBrowser, page } = await openViewPage('smlm-view-page-', SIMULATED, { width: 1280, height: 800 }, consoleErrors));
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/preview') previewFlags.push((request.postDataJSON() as { flags: Record<string, string> }).flags);
  });
  await page.goto(view.firstLine);
});

after(async () => {
  if (skip !== undefined) return;
  await closeViewPage({ closeBrowser, view, dir });
});

test('the first frame is drawn without a click', { skip }, async (t) => {
  await page.waitForFunction(() => performance.getEntriesByName('smlm:first-frame').length > 0, null, { timeout: 15_000 });
  const content = await canvasContent(page, 'frame-canvas');
  // A camera frame has noise: many grey levels, where a blank canvas has one.
  assert.ok(content.levels > 20, `frame-canvas shows ${content.levels} grey levels`);
  assert.ok(content.differing > (content.width * content.height) / 4, `${content.differing} of ${content.width * content.height} pixels differ from the corner`);
  const firstFrameMs = await page.evaluate(() => performance.getEntriesByName('smlm:first-frame')[0]?.startTime ?? NaN);
  t.diagnostic(`first frame ${firstFrameMs.toFixed(0)} ms after navigation (64×64 px)`);
});

test('the overlay counts the candidates the server detects on the shown frame', { skip }, async () => {
  const shown = await overlay();
  assert.equal(shown.frame, 0);
  // An untouched page sends no flag: localize's defaults, as `localize STACK` runs.
  assert.deepEqual(previewFlags.at(-1), {});
  const preview = await askPreview({ frame: 0, flags: {} });
  assert.ok(preview.candidates.length > 0, 'the simulated frame has spots');
  assert.equal(shown.count, preview.candidates.length);
});

test('a threshold change updates the overlay', { skip }, async (t) => {
  const before = await overlay();
  await page.fill('[data-testid="threshold-input"]', HIGH_THRESHOLD);
  const shown = await overlay();
  assert.deepEqual(previewFlags.at(-1), { threshold: HIGH_THRESHOLD });
  const preview = await askPreview({ frame: 0, flags: { threshold: HIGH_THRESHOLD } });
  assert.equal(shown.count, preview.candidates.length);
  assert.ok(shown.count < before.count, `threshold ${HIGH_THRESHOLD} keeps fewer candidates than the default: ${shown.count} vs ${before.count}`);
  const overlayMs = await page.evaluate(() => performance.getEntriesByName('smlm:overlay').at(-1)?.duration ?? NaN);
  t.diagnostic(`overlay ${overlayMs.toFixed(0)} ms after the threshold change (64×64 px)`);
});

test('the frame slider shows another frame and its overlay', { skip }, async () => {
  await page.fill('[data-testid="frame-slider"]', '5');
  const shown = await overlay();
  assert.equal(shown.frame, 5);
  const preview = await askPreview({ frame: 5, flags: { threshold: HIGH_THRESHOLD } });
  assert.equal(shown.count, preview.candidates.length);
});

test('a run from the page writes the CSV localize writes with the same flags', { skip }, async () => {
  const emptyImage = await canvasContent(page, 'render-canvas');
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.includes('done'), null, { timeout: 30_000 });
  const written = join(dir, 'stack.csv');
  assert.ok(existsSync(written), 'the run wrote STACK.csv next to the stack, as localize does');
  const reference = join(dir, 'reference.csv');
  await runCli(['localize', stack, '--threshold', HIGH_THRESHOLD, '-o', reference, '--quiet']);
  const csv = readFileSync(written, 'utf8');
  assert.equal(csv, readFileSync(reference, 'utf8'), 'the same rows as localize --threshold 4');
  const rows = csv.trimEnd().split('\n').length - 1;
  assert.ok(rows > 10, `${rows} localizations`);
  assert.equal(await shownCount('localization-count'), rows);
  assert.equal(await shownCount('filtered-count'), rows, 'with no filter, every localization is shown');
  // The image grows from the scale bar alone to the localizations (drawn over a few animation
  // frames): each lights a few canvas pixels, some fall on others, so at least one new pixel per
  // two localizations.
  const enough = emptyImage.differing + rows / 2;
  let image = await canvasContent(page, 'render-canvas');
  for (let tries = 0; tries < 50 && image.differing <= enough; tries++) {
    await page.waitForTimeout(100);
    image = await canvasContent(page, 'render-canvas');
  }
  assert.ok(image.differing > enough, `render-canvas: ${image.differing} pixels differ from the background after the run of ${rows} localizations, ${emptyImage.differing} before`);
});

test('the CSV export is the run\'s table; the PNG export is a PNG', { skip }, async () => {
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  assert.equal(readFileSync(await csvDownload.path(), 'utf8'), readFileSync(join(dir, 'stack.csv'), 'utf8'));
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
  const png = readFileSync(await pngDownload.path());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
});

test('a filter changes the count shown to the rows it keeps', { skip }, async (t) => {
  const total = await shownCount('localization-count');
  const rows = readFileSync(join(dir, 'stack.csv'), 'utf8').trimEnd().split('\n');
  // The median frame splits the table: whole frame numbers, no rounding at the boundary.
  const frameColumn = (rows[0] as string).split(',').findIndex((name) => name.replaceAll('"', '').startsWith('frame'));
  const frames = rows.slice(1).map((row) => Number(row.split(',')[frameColumn])).sort((a, b) => a - b);
  const median = frames[Math.floor(frames.length / 2)] as number;
  const expected = frames.filter((frame) => frame < median).length;
  await page.fill('[data-testid="filter-input"]', `frame < ${median}`);
  t.diagnostic(`frame < ${median}: ${expected} of ${total}`);
  await page
    .waitForFunction((want) => document.querySelector('[data-testid="filtered-count"]')?.textContent?.replaceAll(',', '') === want, String(expected), { timeout: 10_000 })
    .catch(async (error: unknown) => {
      const shown = await page.textContent('[data-testid="filtered-count"]');
      const message = await page.textContent('[data-testid="filter-message"]');
      throw new Error(`filtered-count ${shown}, expected ${expected} (message: '${message}'): ${String(error)}`);
    });
  assert.ok(expected > 0 && expected < total, `the filter keeps ${expected} of ${total}`);
});

test('the page logged no console errors', { skip }, () => {
  assert.deepEqual(consoleErrors, []);
});

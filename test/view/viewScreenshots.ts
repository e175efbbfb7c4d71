/**
 * The screenshots of docs/guides/view.md, taken in headless Chromium on a copy of the sample
 * stack (samples/filaments.tif, so that the run's CSV is not written into samples/):
 *
 *   npm run build && node --import tsx test/view/viewScreenshots.ts [OUT_DIR]
 *
 * writes OUT_DIR/view-open.png (the page as it opens: the first frame with its candidates and
 * fits, the settings with the estimated camera and PSF) and OUT_DIR/view-run.png (after a run:
 * the super-resolution image, its histograms, a filter). OUT_DIR defaults to docs/images.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../browser/launchChromium.js';
import { startView } from './viewProcess.js';

const out = process.argv[2] ?? join(import.meta.dirname, '../../docs/images');
const dir = mkdtempSync(join(tmpdir(), 'smlm-view-shots-'));
const stack = join(dir, 'filaments.tif');
copyFileSync(join(import.meta.dirname, '../../samples/filaments.tif'), stack);
const view = await startView([stack]);
const { browser, close } = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
  await page.goto(view.firstLine);
  const overlayReady = () => page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'ready', null, { timeout: 30_000 });
  await overlayReady();
  await page.fill('[data-testid="frame-slider"]', '11');
  await overlayReady();
  await page.waitForFunction(() => document.querySelector('[data-testid="baseline-estimate"]')?.textContent !== '', null, { timeout: 30_000 });
  await page.screenshot({ path: join(out, 'view-open.png') });
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.includes('done'), null, { timeout: 120_000 });
  await page.selectOption('[data-testid="color-select"]', 'frame');
  await page.fill('[data-testid="filter-input"]', 'uncertainty < 5');
  await page.waitForTimeout(1500); // the filter's debounce, the image and the histograms redrawn
  await page.screenshot({ path: join(out, 'view-run.png') });
  console.log(`wrote ${join(out, 'view-open.png')} and ${join(out, 'view-run.png')}`);
} finally {
  await close();
  await view.stop();
  rmSync(dir, { recursive: true, force: true });
}

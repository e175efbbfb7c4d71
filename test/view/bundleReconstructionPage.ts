/**
 * Bundle test/view/reconstructionPage.ts for the browser (esbuild's JS API, one IIFE file in a
 * temporary folder) and give a page that has it loaded, a canvas of the given size and three
 * histogram canvases; used by the reconstruction tests and test/bench/viewFrameRate.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * A page with the reconstruction module on `window.smlm`, a `render-canvas` of `width` × `height`
 * px shown at that size (1 canvas px = 1 CSS px at the top-left of the page), and 300 × 150 px
 * `hist-photons`, `hist-uncertainty`, `hist-sigma` canvases.
 * @param entry - the page script to bundle @default test/view/reconstructionPage.ts
 * @returns the page and a function removing the bundle's folder
 */
export async function openReconstructionPage(browser: Browser, width: number, height: number, entry: string = join(HERE, 'reconstructionPage.ts')): Promise<{ page: Page; cleanUp: () => void }> {
  const folder = mkdtempSync(join(tmpdir(), 'smlm-view-test-'));
  const bundle = join(folder, 'page.js');
  await build({ entryPoints: [entry], outfile: bundle, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  const page = await browser.newPage({ viewport: { width: Math.max(width, 960) + 20, height: height + 200 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(
    `<!doctype html><html><body style="margin:0">` +
      `<canvas data-testid="render-canvas" width="${width}" height="${height}" style="display:block;width:${width}px;height:${height}px"></canvas>` +
      ['photons', 'uncertainty', 'sigma'].map((k) => `<canvas data-testid="hist-${k}" width="300" height="150"></canvas>`).join('') +
      `</body></html>`,
  );
  await page.addScriptTag({ path: bundle });
  if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
  return { page, cleanUp: () => rmSync(folder, { recursive: true, force: true }) };
}

/**
 * The run report in a browser: the page written by `report` opened from a file:// URL in
 * headless Chromium loads without a console error or a failed resource, asks for nothing but
 * data: and file: URLs, shows every section, every image decodes and every plot has drawn content.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { writeReport } from '../../src/cli/reportCommand.js';
import { REPORT_SECTIONS } from '../../src/report/ReportContent.js';
import { chromiumMissing, launchChromium } from '../browser/launchChromium.js';
import { writeSyntheticRun } from './syntheticRun.js';

let dir: string;
let page: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-page-'));
  const run = await writeSyntheticRun(dir, 'run', { rows: 2000, frames: 100, widthPx: 16, drift: true });
  page = join(dir, 'run.report.html');
  await writeReport(run.driftRecord as string, page);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the report opens from a file in Chromium: no error, no network, every section and image shown', { skip: chromiumMissing() }, async () => {
  const { browser, close } = await launchChromium();
  try {
    const tab = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('requestfailed', (r) => problems.push(`failed: ${r.url().slice(0, 80)}`));
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    assert.deepEqual(problems, [], 'no console error, page error or failed request');
    const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('file:'));
    assert.deepEqual(foreign, [], 'only data: and file: URLs');
    for (const id of REPORT_SECTIONS) {
      assert.ok(await tab.getByTestId(id).isVisible(), `section ${id} shown`);
    }
    const images = await tab.$$eval('img', (all) => all.map((i) => ({ complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })));
    assert.ok(images.length >= 1, 'the image is there');
    for (const im of images) assert.ok(im.complete && im.width > 0 && im.height > 0, `an image decodes: ${JSON.stringify(im)}`);
    const svgs = await tab.$$eval('svg', (all) => all.map((s) => ({ marks: s.querySelectorAll('path, rect, line').length, box: s.getBoundingClientRect().width })));
    // The per-frame plot, four histograms and the drift.
    assert.ok(svgs.length >= 6, `plots drawn: ${svgs.length}`);
    for (const s of svgs) assert.ok(s.marks > 0 && s.box > 0, `a plot has content: ${JSON.stringify(s)}`);
    const bar = await tab.getByTestId('scale-bar').boundingBox();
    const img = await tab.locator('#image img').boundingBox();
    assert.ok(bar && img && bar.width > 0.05 * img.width && bar.width < 0.25 * img.width, 'the scale bar is drawn over the image, 8–20 % of its width');
  } finally {
    await close();
  }
});

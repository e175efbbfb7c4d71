/**
 * The report screenshot of docs/guides/report.md (docs/images/report.png): a report page opened
 * from its file in headless Chromium (test/browser/launchChromium.ts), the page's top (the run,
 * the image with its scale bar, localizations per frame) and, beside it, further down, NeNA and
 * FRC, each as a PNG.
 * Run: `node --import tsx test/build/reportScreenshot.ts REPORT.html OUT.png [SECTION OUT2.png]`,
 * e.g. `… report.html docs/images/report.png frc docs/images/report-frc.png`.
 */
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../browser/launchChromium.js';

const [page, out, section, sectionOut] = process.argv.slice(2);
if (!page || !out) throw new Error('usage: reportScreenshot.ts REPORT.html OUT.png [SECTION OUT2.png]');
const { browser, close } = await launchChromium();
try {
  const tab = await browser.newPage({ viewport: { width: 1000, height: 1250 } });
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  // The image at half its size, so the top of the page holds the run, the image and the per-frame plot.
  await tab.addStyleTag({ content: '.image img { width: 520px; height: auto; }' });
  await tab.screenshot({ path: out });
  if (section && sectionOut) await tab.locator(`#${section}`).screenshot({ path: sectionOut });
} finally {
  await close();
}

/**
 * Frame rate of the reconstruction of `smlm-stream view` (issue 30: pan and zoom at ≥ 30
 * frames/s with 10⁶ localizations in headless Chromium), run by hand:
 *
 *   node --import tsx test/bench/viewFrameRate.ts [N …] [--webgl] [--size WxH]
 *
 * (default N: 1000000 and 10000000; canvas 1280×800). For each N it opens the test browser
 * (test/browser/launchChromium.ts: headless, --disable-gpu, so software rendering) with the
 * ReconstructionView on a canvas, appends N synthetic localizations (40 filaments over 25.6 µm,
 * seeded; batches of 10⁴), then times requestAnimationFrame intervals during a scripted 3 s
 * drag (panBy each frame) and a 3 s wheel zoom (a WheelEvent each frame), and how long the
 * image takes to be whole again after each, the filter's time and a full redraw. `--webgl` also
 * measures the alternative design, WebGL point splats with additive blending into a float
 * texture, redrawn every frame (test/bench/viewFrameRatePage.ts). Prints one JSON line per run.
 * Frames per second count rAF callbacks over the gesture (60 is Chromium's ceiling); `viewWork`
 * is the view's own time in its frames (mean and longest, ms: ReconstructionView.frameStats),
 * which says what the code costs when the machine is shared and the fps say more about the load.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../browser/launchChromium.js';
import { openReconstructionPage } from '../view/bundleReconstructionPage.js';

const args = process.argv.slice(2);
const sizeArg = args.find((_, k) => args[k - 1] === '--size') ?? '1280x800';
const [width, height] = sizeArg.split('x').map(Number);
const counts = args.filter((a, k) => /^\d+$/.test(a) && args[k - 1] !== '--size').map(Number);
const webgl = args.includes('--webgl');
const entry = join(dirname(fileURLToPath(import.meta.url)), 'viewFrameRatePage.ts');

for (const n of counts.length > 0 ? counts : [1_000_000, 10_000_000]) {
  const { browser, close } = await launchChromium();
  try {
    const { page, cleanUp } = await openReconstructionPage(browser, width, height, entry);
    try {
      for (const colour of ['none', 'z']) {
        const result = await page.evaluate(`bench.measureView(${n}, '${colour}')`);
        console.log(JSON.stringify({ canvas: sizeArg, ...(result as object) }));
      }
      if (webgl) console.log(JSON.stringify({ canvas: sizeArg, webgl: await page.evaluate(`bench.measureWebgl(${n})`) }));
    } finally {
      cleanUp();
    }
  } finally {
    await close();
  }
}

/**
 * The page of `smlm-stream view` against issue 30's targets: the first frame within 1 s of
 * opening a 256² stack, the overlay within 100 ms of a settings change on a 256² frame. Measured
 * in headless Chromium with the page's own performance entries (src/view/client/timingNames.ts):
 * the mark smlm:first-frame (ms from navigation) and the measure smlm:overlay (from the input
 * event to the current overlay on the canvas, the server's preview included; smlm:overlay-shown
 * to the first overlay drawn, stale while the background's choice is made). Build first, then
 *
 *   node --import tsx test/bench/viewPageTimings.ts [--loads N] [--changes N] [-- VIEW_FLAGS…]
 *
 * prints the medians and 95th percentiles as JSON (flags after `--` go to `view`, e.g.
 * `-- --background none` to leave out the background choice a threshold change repeats).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../browser/launchChromium.js';
import { runCli } from '../view/runCli.js';
import { startView } from '../view/viewProcess.js';

const { values, positionals } = parseArgs({ options: { loads: { type: 'string', default: '5' }, changes: { type: 'string', default: '20' } }, allowPositionals: true });
const loads = Number(values.loads);
const changes = Number(values.changes);

function summary(samples: number[]): { median: number; p95: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number) * 10) / 10;
  return { median: at(0.5), p95: at(0.95), max: at(1), n: sorted.length };
}

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-timings-'));
const stack = join(dir, 'stack256.tif');
await runCli(['simulate', stack, '--width', '256', '--height', '256', '--frames', '50', '--density', '0.5', '--quiet']);
const view = await startView([stack, ...positionals]);
const { browser, close } = await launchChromium();
try {
  const firstFrame: number[] = [];
  const stateAnswered: number[] = [];
  const frameRequest: number[] = [];
  const frameToDrawn: number[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(view.firstLine);
    await page.waitForFunction(() => performance.getEntriesByName('smlm:first-frame').length > 0, null, { timeout: 30_000 });
    const marks = await page.evaluate(() => {
      const frame = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/frame')) as PerformanceResourceTiming | undefined;
      return [
        performance.getEntriesByName('smlm:state')[0]?.startTime ?? NaN,
        performance.getEntriesByName('smlm:first-frame')[0]?.startTime ?? NaN,
        frame === undefined ? NaN : frame.responseEnd - frame.startTime,
        frame?.responseEnd ?? NaN,
      ];
    });
    stateAnswered.push(marks[0] as number);
    firstFrame.push(marks[1] as number);
    frameRequest.push(marks[2] as number);
    frameToDrawn.push((marks[1] as number) - (marks[3] as number));
    if (i < loads - 1) await page.close();
  }
  const page = browser.contexts()[0]?.pages().at(-1);
  if (page === undefined) throw new Error('no page');
  const ready = () => page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="candidate-count"]')?.dataset.state === 'ready', null, { timeout: 30_000 });
  await ready();
  const overlay: number[] = [];
  const server: number[] = [];
  const overlayShown: number[] = [];
  const shownCount = () => page.evaluate(() => performance.getEntriesByName('smlm:overlay-shown').length);
  for (let i = 0; i < changes; i++) {
    const shownBefore = await shownCount();
    await page.fill('[data-testid="threshold-input"]', (1.2 + 0.1 * (i % 10)).toFixed(2));
    await ready();
    await page.waitForFunction((n) => performance.getEntriesByName('smlm:overlay').length >= n, i + 1);
    overlay.push(await page.evaluate(() => performance.getEntriesByName('smlm:overlay').at(-1)?.duration ?? NaN));
    // The first overlay drawn for the change (stale while the background is chosen); a build without it records none.
    if ((await shownCount()) > shownBefore) overlayShown.push(await page.evaluate(() => performance.getEntriesByName('smlm:overlay-shown').at(-1)?.duration ?? NaN));
    const text = (await page.textContent('[data-testid="preview-timing"]')) ?? '';
    server.push(Number(/server (\d+)/.exec(text)?.[1] ?? NaN));
  }
  const slider: number[] = [];
  for (let i = 0; i < Math.min(changes, 40); i++) {
    const before = await page.evaluate(() => performance.getEntriesByName('smlm:overlay').length);
    await page.fill('[data-testid="frame-slider"]', String((i * 7) % 50));
    await ready();
    await page.waitForFunction((n) => performance.getEntriesByName('smlm:overlay').length > n, before);
    slider.push(await page.evaluate(() => performance.getEntriesByName('smlm:overlay').at(-1)?.duration ?? NaN));
  }
  console.log(
    JSON.stringify(
      {
        stack: '256×256 px, 50 frames',
        viewFlags: positionals.join(' '),
        stateAnsweredMs: summary(stateAnswered),
        firstFrameMs: summary(firstFrame),
        frameRequestMs: summary(frameRequest),
        frameAnswerToDrawnMs: summary(frameToDrawn),
        overlayAfterThresholdMs: summary(overlay),
        overlayShownAfterThresholdMs: overlayShown.length > 0 ? summary(overlayShown) : null,
        serverPreviewMs: summary(server),
        overlayAfterFrameChangeMs: summary(slider),
      },
      null,
      2,
    ),
  );
} finally {
  await close();
  await view.stop();
  rmSync(dir, { recursive: true, force: true });
}

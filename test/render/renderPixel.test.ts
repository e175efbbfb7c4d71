import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decode } from 'fast-png';
import { run as render } from '../../src/cli/renderCommand.js';
import { PIXEL_FROM_PRECISION, pixelFromPrecision } from '../../src/render/pixelFromPrecision.js';
import { RENDER_DEFAULTS, RENDER_LIMITS } from '../../src/render/SuperResolutionImage.js';
import { blinkingTable, uniformSites } from '../post/blinkingTable.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-pixel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('pixelFromPrecision: half the precision in whole nm, raised only to keep the image within its size', () => {
  const field = { x0: 0, x1: 4000, y0: 0, y1: 4000 }; // 4000 px at 1 nm: within the size limit
  // [precision nm, pixel nm]
  for (const [precision, pixel] of [[20, 10], [8.6, 4], [9.2, 5], [3, 2], [0.8, 1], [0.1, 1]]) {
    assert.deepEqual(pixelFromPrecision(precision, field), { pixelNm: pixel, precisionPixelNm: pixel, raised: false }, `${precision} nm`);
  }
  // A 40 µm × 30 µm field at half of 4 nm would be 20000 px wide: the smallest whole nm that fits.
  const wide = { x0: 0, x1: 40000, y0: 0, y1: 30000 };
  const raised = pixelFromPrecision(4, wide);
  assert.equal(raised.raised, true);
  assert.equal(raised.precisionPixelNm, 2);
  const side = (p: number) => Math.max(Math.ceil(40000 / p), Math.ceil(30000 / p));
  assert.ok(side(raised.pixelNm) <= PIXEL_FROM_PRECISION.maxSidePx && Math.ceil(40000 / raised.pixelNm) * Math.ceil(30000 / raised.pixelNm) <= RENDER_LIMITS.maxPixels);
  assert.ok(side(raised.pixelNm - 1) > PIXEL_FROM_PRECISION.maxSidePx, 'the smallest that fits');
  assert.throws(() => pixelFromPrecision(Number.NaN, field), /precision > 0 nm/);
});

/** Write a table as our CSV (frame, x, y), optionally with a detections column. */
function writeTable(path: string, frame: Float64Array, x: Float64Array, y: Float64Array, detections?: (row: number) => number): void {
  const lines = [`"frame","x [nm]","y [nm]"${detections ? ',"detections"' : ''}`];
  for (let i = 0; i < frame.length; i++) lines.push(`${frame[i]},${x[i].toFixed(2)},${y[i].toFixed(2)}${detections ? `,${detections(i)}` : ''}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

test('render without --pixel: half of NeNA when the table allows; the default otherwise, and says which', () => {
  // 2000 molecules on a mean 4 frames each, σ = 12 nm: NeNA ≈ 12 nm (the res slice's tests hold
  // it within 10 %), so the pixel is 6 nm (5 to 7 allows NeNA's ±1.5 nm around 12 nm).
  const sigmaNm = 12;
  const table = blinkingTable({ seed: 5, sites: uniformSites(6, 2000, 8000), sigmaNm, frames: 1000, meanOnFrames: 4 });
  const [frame, x, y] = table.columns;
  const csv = join(dir, 'blinking.csv');
  writeTable(csv, frame, x, y);
  const said: string[] = [];
  const png = join(dir, 'blinking.png');
  assert.equal(render([csv, '-o', png, '--range', '0:8000,0:8000'], (line) => said.push(line)), 0);
  const note = said.find((line) => line.includes('pixel:')) ?? '';
  const m = /pixel: (\d+) nm \(half of NeNA's ([\d.]+) nm precision, (\d+) next-frame pairs; --pixel sets it\)/.exec(note);
  assert.ok(m, said.join('\n'));
  const [pixel, nena] = [Number(m[1]), Number(m[2])];
  assert.ok(Math.abs(nena - sigmaNm) < 0.1 * sigmaNm, `NeNA ${nena} nm for σ ${sigmaNm} nm`);
  assert.equal(pixel, Math.round(nena / 2));
  const image = decode(readFileSync(png));
  assert.equal(image.width, Math.ceil(8000 / pixel), 'the image at that pixel');
  assert.match(said[0], new RegExp(`px of ${pixel} nm`));

  // One localization per molecule: no next-frame pairs, today's default.
  const lone = join(dir, 'lone.csv');
  const n = 300;
  writeTable(lone, Float64Array.from({ length: n }, (_, i) => 1 + 3 * i), Float64Array.from({ length: n }, (_, i) => 100 + 20 * i), Float64Array.from({ length: n }, () => 500));
  said.length = 0;
  assert.equal(render([lone, '-o', join(dir, 'lone.png')], (line) => said.push(line)), 0);
  assert.match(said.join('\n'), new RegExp(`pixel: ${RENDER_DEFAULTS.pixelNm} nm, the default \\(no NeNA: NeNA found 0 localizations with a neighbour in the next frame`));
  assert.match(said[0], new RegExp(`px of ${RENDER_DEFAULTS.pixelNm} nm`));

  // A merged table (detections above 1): the default, saying why.
  const merged = join(dir, 'merged.csv');
  writeTable(merged, frame, x, y, (row) => 1 + (row % 3));
  said.length = 0;
  assert.equal(render([merged, '-o', join(dir, 'merged.png'), '--range', '0:8000,0:8000'], (line) => said.push(line)), 0);
  assert.match(said.join('\n'), /pixel: 10 nm, the default \(NeNA needs per-frame localizations; this table is merged/);

  // --pixel given: no NeNA, no note.
  said.length = 0;
  assert.equal(render([csv, '-o', png, '--range', '0:8000,0:8000', '--pixel', '20'], (line) => said.push(line)), 0);
  assert.ok(!said.some((line) => line.includes('pixel:')));
  assert.match(said[0], /400×400 px of 20 nm/);
});

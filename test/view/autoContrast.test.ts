/** The frame view's automatic contrast: the display range from percentiles of the frame's pixels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_CONTRAST, autoContrast } from '../../src/view/client/autoContrast.js';

test('the range is the low and high percentile of the pixels', () => {
  // 0 … 9999 shuffled (a fixed permutation): the p-th percentile is p % of 9999.
  const pixels = new Float32Array(10_000);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 10_000;
  const range = autoContrast(pixels);
  assert.equal(range.min, Math.round((AUTO_CONTRAST.lowPercent / 100) * 9999));
  assert.equal(range.max, Math.round((AUTO_CONTRAST.highPercent / 100) * 9999));
});

test('a few hot pixels do not set the white', () => {
  const pixels = new Float32Array(256 * 256).fill(100);
  for (let i = 0; i < pixels.length; i += 97) pixels[i] = 150; // spots: 1 % of the pixels
  for (let i = 0; i < 20; i++) pixels[i * 1000] = 65_535; // 0.03 % saturated
  const range = autoContrast(pixels);
  assert.equal(range.max, 150, 'white at the spots, not at the hot pixels');
  assert.equal(range.min, 100);
});

test('a flat frame gets a range of width 1; NaN pixels are ignored', () => {
  assert.deepEqual(autoContrast(new Float32Array(100).fill(7)), { min: 6.5, max: 7.5 });
  const pixels = new Float32Array([NaN, 1, 2, 3, NaN]);
  const range = autoContrast(pixels);
  assert.ok(range.min >= 1 && range.max <= 3 && range.max > range.min, JSON.stringify(range));
  assert.deepEqual(autoContrast(new Float32Array([NaN, NaN])), { min: 0, max: 1 });
});

test('a large frame is sampled evenly, within a percentile step of the exact range', () => {
  const side = 1024;
  const pixels = new Float32Array(side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) % 1_000_003; // spread over 0 … 10⁶
  const range = autoContrast(pixels);
  const sorted = Float32Array.from(pixels).sort();
  const exact = (p: number) => sorted[Math.round((p / 100) * (sorted.length - 1))] as number;
  // 65 536 of 1 048 576 pixels (every 16th): a percentile's sampling error is ~√(p(1−p)/n) ≈ 0.012 % at 99.9 %, far below 0.1 %.
  const tolerance = 0.001 * 1_000_003;
  assert.ok(Math.abs(range.min - exact(AUTO_CONTRAST.lowPercent)) < tolerance, `${range.min} vs ${exact(AUTO_CONTRAST.lowPercent)}`);
  assert.ok(Math.abs(range.max - exact(AUTO_CONTRAST.highPercent)) < tolerance, `${range.max} vs ${exact(AUTO_CONTRAST.highPercent)}`);
});

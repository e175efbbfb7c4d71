import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILTER_KERNELS } from '../../src/detect/FilterKernel.js';
import { WasmWaveletKernel } from '../../src/detect/WasmWaveletKernel.js';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { Random } from '../../src/simulate/Random.js';

/** The rank-th smallest of V1's samples in the tile, by sorting them (the definition). */
function bySorting(filter: WaveletFilter, r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number {
  const samples: number[] = [];
  for (let r = r0; r < r1; r += step) for (let c = c0; c < c1; c += step) samples.push(filter.v1[filter.f2Origin + r * filter.f2Stride + c]);
  samples.sort((a, b) => a - b);
  return rank < samples.length ? samples[rank] : Number.NaN;
}

test('the kernel\'s tile quantile (lowSample) is the rank-th smallest sample, for every rank it takes', () => {
  const width = 83, height = 61;
  const rng = new Random(7);
  const pixels = new Uint16Array(width * height);
  // Background noise with bright spots and runs of equal values (ties).
  for (let p = 0; p < pixels.length; p++) pixels[p] = 100 + rng.poisson(p % 97 < 10 ? 5 : 20 + (p % 13 === 0 ? 400 : 0));
  const filter = new WaveletFilter(width, height, 'wasm');
  assert.equal(filter.engine, 'wasm');
  filter.apply(pixels);
  let checked = 0;
  for (const step of [1, 2, 3]) {
    for (const [r0, r1, c0, c1] of [[0, 16, 0, 16], [5, 21, 40, 57], [45, 61, 67, 83], [10, 13, 0, 83], [0, 1, 0, 1], [30, 33, 30, 31]]) {
      for (let rank = 0; rank < 8; rank++) {
        const expected = bySorting(filter, r0, r1, c0, c1, step, rank);
        const got = filter.lowSample(r0, r1, c0, c1, step, rank);
        assert.ok(Object.is(got, expected), `step ${step}, rows ${r0}–${r1}, columns ${c0}–${c1}, rank ${rank}: ${got} ≠ ${expected}`);
        if (!Number.isNaN(expected)) checked++;
      }
    }
  }
  assert.ok(checked > 100, `${checked} tiles with enough samples`);
  // Ranks of 8 or more are left to the caller (NaN), as is the JavaScript engine.
  assert.ok(Number.isNaN(filter.lowSample(0, 16, 0, 16, 1, 8)));
  const js = new WaveletFilter(width, height, 'js');
  js.apply(pixels);
  assert.ok(Number.isNaN(js.lowSample(0, 16, 0, 16, 2, 3)));
});

test('a tile row\'s quantiles in one call (lowSampleRow) are each tile\'s lowSample, NaN where it takes none', () => {
  const width = 83, height = 61;
  const rng = new Random(9);
  const pixels = Uint16Array.from({ length: width * height }, (_, p) => 100 + rng.poisson(p % 89 < 9 ? 4 : 25 + (p % 11 === 0 ? 300 : 0)));
  const kernel = WasmWaveletKernel.create(FILTER_KERNELS.bspline7, width, height, 1024);
  assert.ok(kernel);
  kernel.load(pixels, { baselineAdu: 100, photonsPerAduNet: 1 });
  kernel.filter();
  // Uneven tiles, one of 1 px; quantiles whose rank reaches 8 (NaN: the caller's own loop).
  const starts = Int32Array.from([0, 13, 14, 30, 51, 83]);
  let checked = 0;
  for (const [r0, r1] of [[0, 16], [16, 31], [40, 61]]) {
    for (const step of [1, 2]) {
      for (const quantile of [0, 0.1, 0.5]) {
        const row = kernel.lowSampleRow(r0, r1, starts, 1, 5, step, quantile);
        for (let tc = 1; tc < 5; tc++) {
          const m = Math.ceil((r1 - r0) / step) * Math.ceil((starts[tc + 1] - starts[tc]) / step);
          const expected = kernel.lowSample(r0, r1, starts[tc], starts[tc + 1], step, Math.floor(quantile * m));
          assert.ok(Object.is(row[tc], expected), `rows ${r0}–${r1}, tile ${tc}, step ${step}, quantile ${quantile}: ${row[tc]} ≠ ${expected}`);
          if (!Number.isNaN(expected)) checked++;
        }
      }
    }
  }
  assert.ok(checked > 30, `${checked} tiles compared`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILTER_BAND_ROWS } from '../../src/detect/detectConstants.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { Random } from '../../src/simulate/Random.js';

/** A uint16 frame: a 100 ADU offset, Poisson-like noise and a few bright spots, seeded. */
function frame(width: number, height: number, seed: number): Uint16Array {
  const random = new Random(seed);
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 100 + Math.round(20 + 5 * random.normal());
  for (let s = 0; s < (width * height) / 400; s++) {
    const x0 = random.uniform() * width;
    const y0 = random.uniform() * height;
    for (let y = Math.max(0, Math.floor(y0) - 4); y < Math.min(height, y0 + 4); y++) {
      for (let x = Math.max(0, Math.floor(x0) - 4); x < Math.min(width, x0 + 4); x++) data[y * width + x] += Math.round(200 * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / 2));
    }
  }
  return data;
}

/**
 * The banded filter against one whole-frame pass (bands at least the frame's height) on the same
 * frame: every pixel the detection reads — F2 and V1 over the image, F1 at every pixel, the local
 * maxima — must be identical, bit for bit (the bands run the same arithmetic on the same inputs).
 */
function assertBandsExact(width: number, height: number, bandRows: number, kind: FilterKind): void {
  const pixels = frame(width, height, width * 7919 + height);
  const camera = { baselineAdu: 100, photonsPerAduNet: 0.5 };
  const whole = new WaveletFilter(width, height, 'wasm', 8192, kind, height);
  const banded = new WaveletFilter(width, height, 'wasm', 8192, kind, bandRows);
  assert.equal(banded.engine, 'wasm');
  // Twice, so stale values of the previous frame in the band scratch would show.
  for (const factor of [1, 0.5]) {
    whole.apply(pixels, { ...camera, photonsPerAduNet: factor });
    banded.apply(pixels, { ...camera, photonsPerAduNet: factor });
    const { f2Origin: o, f2Stride: s } = whole;
    let differ = 0;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const q = o + r * s + c;
        if (!Object.is(whole.f2[q], banded.f2[q]) || !Object.is(whole.v1[q], banded.v1[q]) || !Object.is(whole.f1At(r * width + c), banded.f1At(r * width + c))) differ++;
      }
    }
    assert.equal(differ, 0, `${width}×${height}, ${kind}, bands of ${bandRows} rows: pixels differing from the whole-frame pass`);
    const n = whole.maxima(1);
    assert.ok(n > 0, 'the frame has maxima to compare');
    assert.equal(banded.maxima(1), n);
    assert.deepEqual(banded.list.subarray(0, n), whole.list.subarray(0, n));
  }
}

test('filter bands give exactly the whole-frame F2, V1, F1 and maxima', () => {
  // Heights that are and are not multiples of the band, bands of one row and a last band of one row.
  for (const kind of ['bspline7', 'thunderstorm'] as FilterKind[]) {
    for (const [width, height, band] of [
      [256, 256, FILTER_BAND_ROWS],
      [200, 3 * FILTER_BAND_ROWS + 1, FILTER_BAND_ROWS],
      [97, 131, 16],
      [64, 40, 7],
      [33, 30, 1],
      [300, 2 * FILTER_BAND_ROWS, FILTER_BAND_ROWS],
    ]) assertBandsExact(width, height, band, kind);
  }
});

test('a band at least the frame is one whole-frame pass', () => {
  const small = new WaveletFilter(50, 20, 'wasm', 8192, 'bspline7', 1000);
  assert.equal(small.engine, 'wasm');
  assertBandsExact(50, 20, 1000, 'bspline7');
});

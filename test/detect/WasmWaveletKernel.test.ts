import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PixelArray } from '../../src/io/Frame.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { FILTER_KINDS } from '../../src/detect/FilterKernel.js';
import { MadEstimator } from '../../src/detect/MadEstimator.js';
import { selectKth } from '../../src/camera/selectKth.js';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { Random } from '../../src/simulate/Random.js';
import { compileKernel, WASM_PATH } from '../build/buildWasm.js';

test('the committed waveletKernel.wasm is assembly/waveletKernel.ts compiled', async () => {
  assert.deepEqual(new Uint8Array(readFileSync(WASM_PATH)), await compileKernel());
});

/**
 * The WebAssembly engine (f32) against the JavaScript reference (f64) on one frame; returns the
 * largest |difference| of F2, of F1, and max |photons|.
 */
function compare(width: number, height: number, pixels: PixelArray, baseline: number, factor: number, filter: FilterKind = 'bspline7'): { f2: number; f1: number; scale: number; borderMaxima: number } {
  const wasm = new WaveletFilter(width, height, 'wasm', 8192, filter);
  const js = new WaveletFilter(width, height, 'js', 8192, filter);
  assert.equal(wasm.engine, 'wasm', 'Node 20 runs WebAssembly SIMD');
  assert.equal(js.engine, 'js');
  const camera = { baselineAdu: baseline, photonsPerAduNet: factor };
  wasm.apply(pixels, camera);
  js.apply(pixels, camera);
  let f2 = 0, f1 = 0, scale = 0;
  for (let p = 0; p < width * height; p++) {
    f2 = Math.max(f2, Math.abs(wasm.f2At(p) - js.f2At(p)));
    f1 = Math.max(f1, Math.abs(wasm.f1At(p) - js.f1At(p)));
    scale = Math.max(scale, Math.abs((pixels[p] - baseline) * factor));
  }
  // Both engines find the same local maxima (no two neighbours nor a maximum and the threshold
  // lie within f32 rounding of each other in these frames), at the border too.
  const threshold = 3.5;
  const n = wasm.maxima(threshold);
  assert.ok(n > 0);
  assert.equal(n, js.maxima(threshold));
  assert.deepEqual(wasm.list.subarray(0, n), js.list.subarray(0, n));
  let borderMaxima = 0;
  for (const p of wasm.list.subarray(0, n)) {
    const r = Math.floor(p / width), c = p % width;
    if (r === 0 || c === 0 || r === height - 1 || c === width - 1) borderMaxima++;
  }
  return { f2, f1, scale, borderMaxima };
}

// f32 keeps 24 significant bits: each value is rounded to within 2⁻²⁴ ≈ 6e-8 of itself, and the
// kernel weights sum to 1, so each pass adds about one such rounding of values up to
// max |photons|; four passes (the column passes as a cascade of up to six additions, each
// rounded) and the subtractions stay within 2e-7 · max |photons| (observed ≤ 3.3e-8).
const F32_TOLERANCE = 2e-7;

test('the WebAssembly filter (f32) equals the JavaScript one (f64) on photons, odd and even sizes, every filter', () => {
  for (const filter of FILTER_KINDS) {
    let borderMaxima = 0;
    for (const [width, height] of [[256, 256], [37, 29], [18, 40], [64, 19], [13, 12]]) {
      if (filter === 'bspline7' && width < 18) continue;
      const rng = new Random(width * 1000 + height);
      const image = Float64Array.from({ length: width * height }, () => rng.poisson(20) + (rng.uniform() < 0.01 ? 800 : 0) - 3);
      const d = compare(width, height, image, 0, 1, filter);
      borderMaxima += d.borderMaxima;
      assert.ok(d.f2 <= F32_TOLERANCE * d.scale, `${filter}: F2 of ${width}×${height}: ${d.f2} (max ${d.scale})`);
      assert.ok(d.f1 <= F32_TOLERANCE * d.scale, `${filter}: F1 of ${width}×${height}: ${d.f1}`);
    }
    assert.ok(borderMaxima >= 5, `${filter}: ${borderMaxima} maxima on the border rows and columns`);
  }
  // The kernel's padded layout needs frames of at least twice the filter's margin a side.
  assert.equal(new WaveletFilter(17, 40, 'wasm', 8192, 'bspline7').engine, 'js', '7 taps: frames under 18 px a side use JavaScript');
  assert.equal(new WaveletFilter(17, 40, 'wasm', 8192, 'bspline5').engine, 'wasm', '5 taps: from 12 px');
  assert.equal(new WaveletFilter(11, 40, 'wasm', 8192, 'bspline5').engine, 'js', '5 taps: frames under 12 px a side use JavaScript');
});

test('uint16 frames are converted to photons in the kernel, other types in JavaScript: same result', () => {
  for (const [width, height] of [[64, 48], [37, 21]]) {
    const rng = new Random(width + height);
    const adu = Uint16Array.from({ length: width * height }, () => 100 + 2 * rng.poisson(20) + (rng.uniform() < 0.01 ? 1600 : 0));
    const d16 = compare(width, height, adu, 100, 0.5);
    assert.ok(d16.f2 <= F32_TOLERANCE * d16.scale && d16.f1 <= F32_TOLERANCE * d16.scale, `uint16 ${width}×${height}: ${d16.f2}, ${d16.f1}`);
    const d32 = compare(width, height, Float32Array.from(adu), 100, 0.5);
    assert.ok(d32.f2 <= F32_TOLERANCE * d32.scale && d32.f1 <= F32_TOLERANCE * d32.scale, `float32 ${width}×${height}: ${d32.f2}, ${d32.f1}`);
  }
});

test("the kernel's F1 samples and window passes give the noise estimate of the JavaScript passes, exactly", () => {
  const width = 256;
  const rng = new Random(9);
  const image = Float64Array.from({ length: width * width }, () => rng.poisson(20) + (rng.uniform() < 0.002 ? 2000 : 0));
  const filter = new WaveletFilter(width, width, 'wasm', 8192);
  assert.ok(filter.windowPass, 'the kernel supplies the window pass');
  filter.apply(image);
  const m = filter.sampleF1(8);
  assert.equal(m, 8192);
  // The same samples as F1 read pixel by pixel.
  for (let i = 0; i < m; i += 97) assert.equal(filter.samples[i], filter.f1At(8 * i), `sample ${i}`);
  const copy = Float64Array.from(filter.samples.subarray(0, m));
  const viaKernel = new MadEstimator(m).std(filter.samples, m, filter.windowPass);
  const viaJs = new MadEstimator(m).std(copy, m);
  assert.equal(viaKernel, viaJs);
  assert.ok(viaKernel > 1 && viaKernel < 10, `${viaKernel}: the F1 noise of 20 photons/px is a few photons`);
  // An odd count: the kernel's pass takes two values per vector and the last one alone.
  filter.sampleF1(8);
  const odd = Float64Array.from(filter.samples.subarray(0, m - 1));
  assert.equal(new MadEstimator(m).std(filter.samples, m - 1, filter.windowPass), new MadEstimator(m).std(odd, m - 1));
});

test('F1 is sampled at every step-th pixel of the frame, rows wrapping, also for steps that do not divide the width or exceed it', () => {
  for (const [width, height, step] of [[37, 29, 7], [40, 20, 8], [20, 19, 23], [64, 21, 1]]) {
    const rng = new Random(step * 100 + width);
    const image = Float64Array.from({ length: width * height }, () => rng.poisson(20));
    const filter = new WaveletFilter(width, height, 'wasm', width * height);
    filter.apply(image);
    const m = filter.sampleF1(step);
    assert.equal(m, Math.ceil((width * height) / step), `${width}×${height} step ${step}: count`);
    for (let i = 0; i < m; i++) assert.equal(filter.samples[i], filter.f1At(step * i), `${width}×${height} step ${step}: sample ${i}`);
  }
});

test("the kernel's histogram selection finds selectKth's value for every rank tried, ties and narrow ranges included", () => {
  const filter = new WaveletFilter(256, 256, 'wasm', 8192);
  const pass = filter.windowPass;
  assert.ok(pass?.select, 'the kernel supplies the selection');
  const select = pass.select.bind(pass);
  const rng = new Random(31);
  const kinds: [string, () => number][] = [
    ['normal', () => rng.normal() * 4],
    ['ties (half-photon steps)', () => Math.round(rng.normal() * 8) / 2],
    ['two values', () => (rng.uniform() < 0.3 ? 1 : 2)],
    ['all equal', () => 7.25],
    ['wide range', () => (rng.uniform() - 0.5) * 1e300],
    ['one outlier', () => (rng.uniform() < 0.001 ? 1e12 : rng.normal())],
  ];
  for (const [kind, draw] of kinds) {
    for (const n of [1, 2, 23, 24, 25, 100, 1345, 8192]) {
      const values = Float64Array.from({ length: n }, draw);
      for (const rank of new Set([0, n - 1, n >> 1, Math.floor(rng.uniform() * n)])) {
        pass.window.set(values);
        const got = select(n, rank);
        assert.equal(got, selectKth(Float64Array.from(values), rank, n), `${kind}, n ${n}, rank ${rank}`);
      }
    }
  }
});

// The pilot's values are copied into the kernel's window, which is then shorter than the pilot
// array: the copy must take only what the window holds (a whole-pilot copy throws here).
test('the noise estimate through the kernel equals the JavaScript one when the samples are fewer than the pilot takes (256)', () => {
  const rng = new Random(12);
  const image = Float64Array.from({ length: 64 * 64 }, () => rng.poisson(15));
  const filter = new WaveletFilter(64, 64, 'wasm', 100);
  filter.apply(image);
  const m = filter.sampleF1(41);
  assert.equal(m, 100);
  const copy = Float64Array.from(filter.samples.subarray(0, m));
  assert.equal(new MadEstimator(m).std(filter.samples, m, filter.windowPass), new MadEstimator(m).std(copy, m));
});

test('where the pilot mispredicts the median, the full selection through the kernel gives the JavaScript estimate', () => {
  const filter = new WaveletFilter(256, 256, 'wasm', 8192);
  const rng = new Random(77);
  const n = 8192;
  // The pilot takes every 32nd value: make those far from the rest, so both windows miss.
  const values = Float64Array.from({ length: n }, (_, i) => (i % 32 === 0 ? 100 + rng.normal() : rng.normal() * 3));
  filter.samples.set(values);
  const viaKernel = new MadEstimator(n).std(filter.samples, n, filter.windowPass);
  const viaJs = new MadEstimator(n).std(Float64Array.from(values), n);
  assert.equal(viaKernel, viaJs);
  assert.ok(viaKernel > 2 && viaKernel < 4, `${viaKernel}: the spread of the bulk (3), not of the pilot`);
});

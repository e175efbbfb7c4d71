import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Candidates } from '../../src/detect/Candidates.js';
import { resolveDetectOptions } from '../../src/detect/DetectOptions.js';
import { SpotDetector } from '../../src/detect/SpotDetector.js';
import { FILTER_KERNELS, foldedWeights } from '../../src/detect/FilterKernel.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

function noiseFrame(width: number, height: number, background: number, rng: Random): Float64Array {
  return Float64Array.from({ length: width * height }, () => rng.poisson(background));
}

test("the wavelet filter preserves a constant image in V1 (F1 = F2 = 0), also at the borders", () => {
  const filter = new WaveletFilter(20, 15);
  filter.apply(new Float64Array(300).fill(7));
  for (let p = 0; p < 300; p++) assert.ok(Math.abs(filter.f1At(p)) < 1e-12 && Math.abs(filter.f2At(p)) < 1e-12, `pixel ${p}`);
});

test('finds a spot at its pixel, and a spot in a corner', () => {
  const rng = new Random(1);
  const width = 40;
  const height = 30;
  const image = noiseFrame(width, height, 20, rng);
  const ax = new GaussianAxis(9);
  const ay = new GaussianAxis(9);
  renderSpot(image, width, 10, 8, ax, ay, 4.3, 4.6, 2000, 1.3); // centre at (14.3, 12.6)
  renderSpot(image, width, 0, 0, ax, ay, 0.6, 0.4, 2000, 1.3); // in the top-left corner
  const detector = new SpotDetector(width, height, resolveDetectOptions());
  const out = new Candidates();
  detector.detect(image, out);
  assert.equal(out.count, 2, `${out.count} candidates`);
  const found = Array.from({ length: out.count }, (_, i) => [out.row[i], out.column[i]]).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(found, [[0, 0], [12, 14]]);
});

test('the noise estimate is robust: it equals std(F1) of noise and rises far less than std(F1) with spots', () => {
  const rng = new Random(2);
  const width = 128;
  const image = noiseFrame(width, width, 50, rng);
  const detector = new SpotDetector(width, width, resolveDetectOptions());
  detector.detect(image, new Candidates());
  // F1 of the same frame from the whole-frame filter (the detector's kernel holds bands of it).
  const filter = new WaveletFilter(width, width);
  filter.apply(image);
  const f1 = Float64Array.from({ length: width * width }, (_, p) => filter.f1At(p));
  let s = 0, ss = 0;
  for (const v of f1) {
    s += v;
    ss += v * v;
  }
  const std = Math.sqrt(ss / f1.length - (s / f1.length) ** 2);
  assert.ok(Math.abs(detector.noise / std - 1) < 0.05, `${detector.noise} vs ${std}`); // MAD on 8192 samples: ±2 %
  const noiseOnly = detector.noise;
  const ax = new GaussianAxis(9);
  // 30 spots of 2000 photons (0.18 per µm² at 100 nm pixels): the plain std of F1 rises by far
  // more than the robust estimate.
  for (let k = 0; k < 30; k++) renderSpot(image, width, 5 + (k % 6) * 20, 5 + Math.floor(k / 6) * 24, ax, ax, 4.5, 4.5, 2000, 1.3);
  detector.detect(image, new Candidates());
  filter.apply(image);
  let s2 = 0, ss2 = 0;
  for (let p = 0; p < width * width; p++) {
    const v = filter.f1At(p);
    s2 += v;
    ss2 += v * v;
  }
  const plain = Math.sqrt(ss2 / f1.length - (s2 / f1.length) ** 2);
  // Part of the rise is real: the spots add their own shot noise to the pixels they cover.
  assert.ok(detector.noise / noiseOnly < 1.1, `spots raise the robust estimate by ${detector.noise / noiseOnly}`);
  assert.ok(plain / std - 1 > 4 * (detector.noise / noiseOnly - 1), `the plain std rises by ${plain / std}`);
});

test('no excess false positives along the border: the per-pixel threshold follows the noise gain', () => {
  // The folded kernels give F2 another noise near the border; check the computed gain there
  // against the empirical standard deviation of F2 over many noise frames, for both filters.
  const width = 48;
  for (const kind of ['bspline7', 'thunderstorm'] as FilterKind[]) {
    const sums = foldedWeights(FILTER_KERNELS[kind], width);
    const gain2 = (r: number, c: number) => sums.aa[c] * sums.aa[r] - 2 * sums.ab[c] * sums.ab[r] + sums.bb[c] * sums.bb[r];
    const rng = new Random(3);
    const filter = new WaveletFilter(width, width, 'wasm', 8192, kind);
    const positions = [[0, 0], [0, 24], [2, 24], [24, 24]];
    const acc = positions.map(() => [0, 0]);
    const frames = 400;
    for (let f = 0; f < frames; f++) {
      const image = Float64Array.from({ length: width * width }, () => rng.normal());
      filter.apply(image);
      positions.forEach(([r, c], k) => {
        acc[k][0] += filter.f2At(r * width + c);
        acc[k][1] += filter.f2At(r * width + c) ** 2;
      });
    }
    positions.forEach(([r, c], k) => {
      const variance = acc[k][1] / frames - (acc[k][0] / frames) ** 2;
      // 400 samples: the variance's standard error is √(2/400) ≈ 7 %; allow 25 %.
      assert.ok(Math.abs(variance / gain2(r, c) - 1) < 0.25, `${kind} (${r}, ${c}): ${variance} vs ${gain2(r, c)}`);
    });
    // Both paddings count edge pixels more than once: the middle of an edge is noisier than the
    // interior (1.76× with mirroring, 1.37× with ThunderSTORM's, whose zeros beyond 4 px take
    // some of it back).
    assert.ok(gain2(0, 24) > 1.25 * gain2(24, 24), `${kind}: an edge is noisier than the interior`);
  }
  const rng = new Random(4);
  // And on pure noise the candidates do not crowd the border band.
  const detector = new SpotDetector(width, width, resolveDetectOptions({ threshold: 0.6 }));
  const out = new Candidates();
  let border = 0;
  let interior = 0;
  for (let f = 0; f < 200; f++) {
    detector.detect(noiseFrame(width, width, 20, rng), out);
    for (let i = 0; i < out.count; i++) {
      const d = Math.min(out.row[i], out.column[i], width - 1 - out.row[i], width - 1 - out.column[i]);
      if (d < 3) border++;
      else interior++;
    }
  }
  const borderArea = width * width - (width - 6) ** 2;
  const interiorArea = (width - 6) ** 2;
  // Per unit area the border band gets no more candidates than the interior (± counting noise).
  assert.ok(interior > 50, `${interior} interior candidates at a low threshold`);
  assert.ok(border / borderArea < 1.3 * (interior / interiorArea), `border ${border}, interior ${interior}`);
});

test('candidates closer than the minimum distance: the weaker is dropped', () => {
  const width = 30;
  const image = new Float64Array(width * width).fill(10);
  const ax = new GaussianAxis(7);
  renderSpot(image, width, 5, 5, ax, ax, 3.5, 3.5, 3000, 0.8);
  renderSpot(image, width, 11, 5, ax, ax, 3.5, 3.5, 2000, 0.8); // 6 px to the right
  const near = new Candidates();
  new SpotDetector(width, width, resolveDetectOptions({ minDistancePx: 2 })).detect(image, near);
  const far = new Candidates();
  new SpotDetector(width, width, resolveDetectOptions({ minDistancePx: 7 })).detect(image, far);
  assert.equal(near.count, 2);
  assert.equal(far.count, 1);
  assert.equal(far.column[0], 8, 'the brighter one is kept');
});

test('no two candidates are 8-neighbours (a minimum distance of 2 px or less drops none), strongest first', () => {
  // Dense spots on noise, with plateaus (a flat frame region), in both engines: a minimum
  // distance of 2 px keeps every local maximum above the threshold (SpotDetector.suppressClose
  // relies on it), listed strongest first; 6 px drops some.
  const width = 96;
  const height = 80;
  const rng = new Random(11);
  const image = noiseFrame(width, height, 5, rng);
  for (let p = 0; p < 12 * width; p++) image[p] = 5;
  // Two pairs of equal spikes on the flat rows, side by side and diagonal: F2 ties at both pixels of each.
  for (const [r, c] of [[5, 20], [5, 21], [5, 60], [6, 61]]) image[r * width + c] = 200;
  const ax = new GaussianAxis(9);
  for (let k = 0; k < 120; k++) renderSpot(image, width, Math.floor(rng.uniform() * (width - 9)), 12 + Math.floor(rng.uniform() * (height - 21)), ax, ax, 4.5, 4.5, 300 + 1000 * rng.uniform(), 1.3);
  for (const engine of ['wasm', 'js'] as const) {
    const all = new Candidates();
    new SpotDetector(width, height, resolveDetectOptions({ engine, minDistancePx: 2 })).detect(image, all);
    assert.ok(all.count >= 60, `${engine}: ${all.count} candidates`);
    const at = (r: number, c: number) => Array.from({ length: all.count }, (_, i) => i).filter((i) => all.row[i] === r && all.column[i] === c).length;
    assert.equal(at(5, 20) + at(5, 21), 1, `${engine}: one candidate for the side-by-side tie`);
    assert.equal(at(5, 60) + at(6, 61), 1, `${engine}: one candidate for the diagonal tie`);
    for (let i = 0; i < all.count; i++) {
      if (i > 0) assert.ok(all.strength[i] <= all.strength[i - 1], `${engine}: strongest first at ${i}`);
      for (let j = i + 1; j < all.count; j++) {
        const near = Math.abs(all.row[i] - all.row[j]) <= 1 && Math.abs(all.column[i] - all.column[j]) <= 1;
        assert.ok(!near, `${engine}: candidates ${i} and ${j} are neighbours`);
      }
    }
    const spaced = new Candidates();
    new SpotDetector(width, height, resolveDetectOptions({ engine, minDistancePx: 6 })).detect(image, spaced);
    assert.ok(spaced.count < all.count, `${engine}: 6 px drops some (${spaced.count} of ${all.count})`);
  }
});

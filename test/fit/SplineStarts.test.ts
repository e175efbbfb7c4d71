import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { Random } from '../../src/simulate/Random.js';

const BOX = 15;
const PIXEL_NM = 100;
const SOLVER = { maxIterations: 50, tolerance: 1e-4 };
/** The benchmark's dim spots (test/bench/splineVsGaussian.ts): N = 2000 photons, b = 20 photons/px. */
const PHOTONS = 2000;
const BACKGROUND = 20;
/** A z error beyond this is an outlier (the 250 nm). */
const OUTLIER_NM = 250;

/**
 * Fits `count` spots of the pupil PSF at (x, y) px in the window and depth z nm drawn by `place`,
 * started at `startOf(x, y, data)` with N the window's sum less the background (as a detector's
 * start would be); returns the fits whose z is off by more than
 * OUTLIER_NM or whose x or y is off by more than 1 px, and those that did not converge.
 */
function outliers(fit: SplineFit, psf: PupilPsf, count: number, seed: number, place: (rng: Random) => [number, number, number], startOf: (x: number, y: number, data: Float64Array) => [number, number]): { bad: number; failed: number; rows: string[] } {
  const rng = new Random(seed);
  const data = new Float64Array(BOX * BOX);
  let bad = 0, failed = 0;
  const rows: string[] = [];
  for (let s = 0; s < count; s++) {
    const [x, y, z] = place(rng);
    data.fill(0);
    psf.add(data, BOX, BOX, x, y, PHOTONS, z);
    for (let k = 0; k < data.length; k++) data[k] = rng.poisson(data[k] + BACKGROUND);
    const [sx, sy] = startOf(x, y, data);
    let sum = 0;
    for (let k = 0; k < data.length; k++) sum += data[k] - BACKGROUND;
    const status = fit.fit(data, 0, { x: sx, y: sy, photons: Math.max(sum, 1), background: BACKGROUND }, SOLVER);
    if (status !== FitStatus.converged && status !== FitStatus.zOutOfRange) {
      failed++;
      if (rows.length < 10) rows.push(`status ${status} at (${x.toFixed(2)}, ${y.toFixed(2)}, ${z.toFixed(0)}): (${fit.theta[0].toFixed(2)}, ${fit.theta[1].toFixed(2)}, ${fit.theta[4].toFixed(0)}), ${fit.iterations} iterations`);
      continue;
    }
    const t = fit.theta;
    if (Math.abs(t[4] - z) > OUTLIER_NM || Math.abs(t[0] - x) > 1 || Math.abs(t[1] - y) > 1) {
      bad++;
      if (rows.length < 10) rows.push(`true (${x.toFixed(2)}, ${y.toFixed(2)}, ${z.toFixed(0)}) fitted (${t[0].toFixed(2)}, ${t[1].toFixed(2)}, ${t[4].toFixed(0)}), N ${t[2].toFixed(0)}`);
    }
  }
  return { bad, failed, rows };
}

/** The centre of the window's brightest pixel, px (a detector's start). */
function brightest(data: Float64Array): [number, number] {
  let best = 0;
  for (let k = 1; k < data.length; k++) if (data[k] > data[best]) best = k;
  return [(best % BOX) + 0.5, Math.floor(best / BOX) + 0.5];
}

describe('the spline fit\'s z starts (a scan of the spline\'s planes)', () => {
  // The PSF of the benchmark's optics (NA 1.49, 80 nm astigmatism, 20 nm spherical aberration) as
  // a spline 25 px wide, planes every 20 nm over ±800 nm; the spots drawn by the pupil simulator.
  const psf = new PupilPsf(PIXEL_NM, { sphericalNm: 20 });
  let spline: SplinePsf;
  before(() => {
    const size = 25, dz = 20, planes = 81;
    const volume = new Float64Array(size * size * planes);
    for (let k = 0; k < planes; k++) psf.add(volume.subarray(k * size * size, (k + 1) * size * size), size, size, size / 2, size / 2, 1, -800 + k * dz);
    spline = buildSpline(volume, size, size, planes, dz);
  });

  test('dim spots far above focus (+450…+600 nm) are not taken for in-focus ones: < 1 % outliers (300 spots, seed 21)', () => {
    // Three fixed starts (∓400 and 0 nm of this range, ranked by ℓ at the start's N, b) let the
    // best-ranked one converge to an in-focus spot of a third of the photons (benchmark, a bead
    // spline: 21 of 186 spots of +500…+600 nm beyond 250 nm; the scan: 0).
    const fit = new SplineFit(BOX, spline, PIXEL_NM);
    const r = outliers(fit, psf, 300, 21, (rng) => [BOX / 2 + rng.uniform() - 0.5, BOX / 2 + rng.uniform() - 0.5, 450 + 150 * rng.uniform()], (_x, _y, data) => brightest(data));
    const report = `${r.bad} outliers, ${r.failed} not converged of 300:\n${r.rows.join('\n')}`;
    console.log(report);
    // 1 % of 300 (measured 2, both fits that stopped at the range's edge before the next start was
    // tried; three fixed starts gave 1 here: these spots of the true PSF's spline do not show the
    // benchmark's failure, which this guards). Fits stopped by the iteration limit are counted
    // apart: 1 % (measured 0; 3 before the Newton-decrement test, SPLINE_SETTLED_DECREMENT).
    assert.ok(r.bad <= 3, report);
    assert.ok(r.failed <= 3, report);
  });

  test('spots the frame cuts (0.3–0.9 px from the window\'s edge) are fitted from every start: ≤ 2 % outliers (200 spots, seed 22)', () => {
    // The pipeline shifts a window inside the frame: its spot lies at the window's edge, started
    // from the brightest pixel's centre. The best-ranked start alone converged to a dimmer spot
    // ~2 px inside the window at another z (benchmark: one emitter, 5 of 5 frames).
    const fit = new SplineFit(BOX, spline, PIXEL_NM);
    const r = outliers(fit, psf, 200, 22, (rng) => [BOX / 2 + rng.uniform() - 0.5, 0.3 + 0.6 * rng.uniform(), -600 + 1200 * rng.uniform()], (x) => [x, 0.5]);
    const report = `${r.bad} outliers, ${r.failed} not converged of 200:\n${r.rows.join('\n')}`;
    console.log(report);
    // 1 % of 200 (measured 0; three fixed starts, the best-ranked alone: 3). Iteration-limit stops
    // apart (zig-zagging along the ridge a cut spot leaves between y, N and z, θ̂ reached): 2 %
    // (measured 2; 6 before the Newton-decrement test).
    assert.ok(r.bad <= 2, report);
    assert.ok(r.failed <= 4, report);
  });
});

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { SplineModel } from '../../src/fit/models/SplineModel.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { Random } from '../../src/simulate/Random.js';
import { noisyBeadSpline } from './spline/noisyBeadSpline.js';
import { ZStartFit } from '../../src/fit/ZStartFit.js';

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
function outliers(fit: ZStartFit<SplineModel>, psf: PupilPsf, count: number, seed: number, place: (rng: Random) => [number, number, number], startOf: (x: number, y: number, data: Float64Array) => [number, number]): { bad: number; failed: number; rows: string[] } {
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

  test('dim spots far above focus (+450…+600 nm) are not taken for in-focus ones with a bead-calibrated spline: ≤ 2 % outliers, where three fixed starts give ≥ 4 % (300 spots, seed 21)', () => {
    // The spline as calibrate-psf measures it: the mean of 3 beads of 20 000 photons over
    // 50 photons/px a plane, Poisson noise and all (seed 5). With three fixed starts (∓400 and
    // 0 nm of the range, ranked by ℓ at the start's N, b: the ZStartFit base) the best-ranked one
    // converges to an in-focus spot of a third of the photons (benchmark splineVsGaussian: 21 of
    // 186 spots of +500…+600 nm beyond 250 nm; the scan: 0). The true PSF's own spline (above)
    // does not show it (three fixed starts: 1 outlier of these 300).
    const beadSpline = noisyBeadSpline(psf);
    const place = (r: Random): [number, number, number] => [BOX / 2 + r.uniform() - 0.5, BOX / 2 + r.uniform() - 0.5, 450 + 150 * r.uniform()];
    const start = (_x: number, _y: number, data: Float64Array) => brightest(data);
    const r = outliers(new SplineFit(BOX, beadSpline, PIXEL_NM), psf, 300, 21, place, start);
    const model = new SplineModel(BOX, beadSpline);
    const fixed = outliers(new ZStartFit(model, model.zRangeNm), psf, 300, 21, place, start);
    const report = `scan: ${r.bad} outliers, ${r.failed} not converged of 300; three fixed starts: ${fixed.bad} outliers, ${fixed.failed} not converged\n${r.rows.join('\n')}`;
    console.log(report);
    // The data shows the failure: three fixed starts, 4 % of 300 (measured 18; 18–19 with other
    // bead draws of 1 and 3 beads).
    assert.ok(fixed.bad >= 12, report);
    // The scan: 2 % of 300 (measured 1; 0–4 with the other bead draws). Fits stopped by
    // the iteration limit counted apart: 1 % (measured 0).
    assert.ok(r.bad <= 6, report);
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

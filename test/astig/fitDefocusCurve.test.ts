import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitDefocusCurve } from '../../src/astig/fitDefocusCurve.js';
import type { DefocusCurveFit } from '../../src/astig/fitDefocusCurve.js';
import { judgeCurves, MAX_CURVE_RMS_SHARE } from '../../src/astig/judgeCurves.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import type { DefocusCurve } from '../../src/fit/models/DefocusCurve.js';
import { leastSquares } from '../../src/fit/leastSquares.js';
import { Random } from '../../src/simulate/Random.js';

/** Six curves of the form: the simulator's two, and foci, depths and higher orders around them. */
const CURVES: readonly DefocusCurve[] = [
  { sigma0Nm: 130, centerNm: -200, depthNm: 400, a: 0.1, b: 0.05 },
  { sigma0Nm: 130, centerNm: 200, depthNm: 400, a: -0.1, b: 0.05 },
  { sigma0Nm: 100, centerNm: -350, depthNm: 300, a: 0.3, b: 0 },
  { sigma0Nm: 95, centerNm: 300, depthNm: 500, a: -0.2, b: 0.15 },
  { sigma0Nm: 150, centerNm: 0, depthNm: 250, a: 0, b: 0.02 },
  { sigma0Nm: 110, centerNm: 100, depthNm: 600, a: 0.5, b: 0.3 },
];

/** 9 beads' widths at 81 depths from −800 to +800 nm, with Gaussian noise of `noiseNm`. */
function widths(curve: DefocusCurve, noiseNm = 0, seed = 1): { z: number[]; w: number[] } {
  const rng = new Random(seed);
  const z: number[] = [];
  const w: number[] = [];
  for (let k = 0; k < 81; k++) {
    const depth = -800 + 20 * k;
    for (let b = 0; b < 9; b++) {
      z.push(depth);
      w.push(defocusSigma(curve, depth) + noiseNm * rng.normal());
    }
  }
  return { z, w };
}

describe('the defocus curve fit', () => {
  test('noise-free widths of six curves: every parameter recovered, from starts that are not the truth', () => {
    for (const curve of CURVES) {
      const { z, w } = widths(curve);
      const f = fitDefocusCurve(z, w);
      // It moved (its starts have A = B = 0 and a focus on the 20 nm grid of depths) and converged.
      assert.ok(f.moved && f.converged, JSON.stringify(f));
      assert.equal(f.convergedStarts, f.starts);
      // Exact widths: the fit ends at rounding (RMS ~1e-14 nm measured); 1e-6 relative leaves room.
      const close = (fitted: number, truth: number, scale: number) => Math.abs(fitted - truth) < 1e-6 * scale;
      const c = f.curve;
      assert.ok(close(c.sigma0Nm, curve.sigma0Nm, curve.sigma0Nm) && close(c.centerNm, curve.centerNm, curve.depthNm) && close(c.depthNm, curve.depthNm, curve.depthNm), JSON.stringify(c));
      assert.ok(close(c.a, curve.a, 1) && close(c.b, curve.b, 1), JSON.stringify(c));
      assert.ok(f.rmsNm < 1e-6, String(f.rmsNm));
    }
  });

  test('noisy widths (2.5 nm, as beads of 20 000 photons): the curve within 2 nm over ±600 nm and the RMS is the noise', () => {
    for (const [i, curve] of CURVES.entries()) {
      const { z, w } = widths(curve, 2.5, 10 + i);
      const f = fitDefocusCurve(z, w);
      assert.ok(f.moved && f.converged, JSON.stringify(f));
      // 729 widths of 2.5 nm noise: the fitted curve's own error is ~2.5·√(5/729) ≈ 0.2 nm RMS,
      // larger at the ends; 2 nm is ten of those.
      let worst = 0;
      for (let depth = -600; depth <= 600; depth += 10) worst = Math.max(worst, Math.abs(defocusSigma(f.curve, depth) - defocusSigma(curve, depth)));
      assert.ok(worst < 2, `curve ${i}: ${worst.toFixed(2)} nm`);
      // The RMS about the curve estimates the noise (729 − 5 degrees of freedom: ±5 %).
      assert.ok(Math.abs(f.rmsNm / 2.5 - 1) < 0.08, String(f.rmsNm));
    }
  });

  test('Levenberg–Marquardt with Marquardt scaling: a line in nm and a slope of order 1e-3 in one fit, and its statuses', () => {
    // y = p0 + p1·x over x = 0…1000: p0 ~ 100, p1 ~ 0.003 (units 5 orders apart).
    const xs = Array.from({ length: 50 }, (_, i) => i * 20);
    const ys = xs.map((x) => 100 + 0.003 * x);
    const problem = {
      parameters: 2,
      residualCount: xs.length,
      lower: [-Infinity, -Infinity],
      upper: [Infinity, Infinity],
      residuals: (t: Float64Array, out: Float64Array) => {
        xs.forEach((x, i) => (out[i] = t[0] + t[1] * x - ys[i]));
        return true;
      },
      jacobian: (_t: Float64Array, out: Float64Array) => xs.forEach((x, i) => out.set([1, x], 2 * i)),
    };
    const r = leastSquares(problem, [0, 0]);
    assert.equal(r.status, 'converged');
    assert.ok(Math.abs(r.theta[0] - 100) < 1e-8 && Math.abs(r.theta[1] - 0.003) < 1e-12, String(r.theta));
    assert.ok(r.cost < r.startCost);
    // An iteration limit is said, not hidden.
    assert.equal(leastSquares(problem, [0, 0], { maxIterations: 1, gradientTolerance: 0, stepTolerance: 0, costTolerance: 0 }).status, 'max-iterations');
    // An impossible start.
    assert.equal(leastSquares({ ...problem, residuals: () => false }, [0, 0]).status, 'bad-start');
  });

  test('curves that did not move, or miss the beads, are refused; a misfit or no convergence warned about', () => {
    const { z, w } = widths(CURVES[0], 2.5, 3);
    const good = fitDefocusCurve(z, w);
    const judge = (x: DefocusCurveFit, rms = { x: 2.5, y: 2.5 }) => judgeCurves({ fits: { x, y: good }, rmsNm: rms, scatterNm: { x: 2.5, y: 2.5 }, medianWidthNm: { x: 200, y: 200 }, fociSeparationNm: 400 });
    assert.deepEqual(judge(good).warnings, []);
    assert.deepEqual(judge(good).converged, { x: true, y: true });
    assert.throws(() => judge({ ...good, moved: false, status: 'stuck' }), /^InputFileError: the defocus curve σx\(z\) did not move from its start \(stuck after \d+ iterations, RMS 2\.5 nm about the beads' widths\): the curve fit failed/);
    assert.throws(() => judge(good, { x: MAX_CURVE_RMS_SHARE * 200 + 1, y: 2.5 }), /the defocus curve σx\(z\) misses the beads: RMS 51\.0 nm about their widths, above 0\.25 × their median width \(200 nm\)/);
    assert.match(judge({ ...good, converged: false, status: 'max-iterations' }).warnings[0], /^the defocus curve σx\(z\) did not converge \(max-iterations/);
    assert.match(judge(good, { x: 6, y: 2.5 }).warnings[0], /^the widths do not follow the defocus curve σx\(z\): RMS 6\.0 nm about it, 2\.4 × the beads' scatter at one z \(2\.5 nm\)/);
  });
});

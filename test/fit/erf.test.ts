import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { erf, erfc } from '../../src/fit/erf.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import reference from './reference/erf_reference.json' with { type: 'json' };

// References: 50-digit mpmath values written by reference/make_erf_reference.py.
describe('erf and erfc', () => {
  test('absolute error ≤ 1e-15 over the real line', () => {
    let worst = 0;
    for (const p of reference.points) {
      worst = Math.max(worst, Math.abs(erf(p.x) - Number(p.erf)), Math.abs(erfc(p.x) - Number(p.erfc)));
    }
    assert.ok(worst <= 1e-15, `worst absolute error ${worst}`);
    assert.ok(reference.points.length > 600);
  });

  test('erfc keeps relative accuracy in the upper tail (x up to 26.5, values down to 1e-300)', () => {
    // Cody's approximations are good to ~18 digits; 4 ulp allows for the exp split and division.
    let worst = 0;
    for (const p of reference.points) {
      if (p.x > 0 && p.x < 26.5) worst = Math.max(worst, Math.abs(erfc(p.x) / Number(p.erfc) - 1));
    }
    assert.ok(worst <= 1e-15, `worst relative error ${worst}`);
  });

  test('special values', () => {
    assert.equal(erf(0), 0);
    assert.equal(erfc(0), 1);
    assert.equal(erf(Infinity), 1);
    assert.equal(erf(-Infinity), -1);
    assert.equal(erfc(Infinity), 0);
    assert.equal(erfc(-Infinity), 2);
    assert.ok(Number.isNaN(erf(Number.NaN)));
    assert.ok(Number.isNaN(erfc(Number.NaN)));
    assert.equal(erf(-0.3), -erf(0.3));
  });
});

describe('GaussianAxis pixel integrals', () => {
  test('keep relative accuracy far in the tails (erfc differences, not erf differences)', () => {
    // Pixels down to 1e-67 of the PSF mass; an erf difference would return 0 or noise there.
    // 1e-13 relative: the boundary Gaussians come from a recurrence of ≤ 15 products.
    const axis = new GaussianAxis(7);
    let worst = 0;
    for (const q of reference.pixels) {
      axis.evaluate(q.center, q.sigma, false);
      const want = Number(q.integral);
      assert.ok(want > 0, 'the reference is positive');
      worst = Math.max(worst, Math.abs(axis.value[q.pixel] / want - 1));
    }
    assert.ok(worst <= 1e-13, `worst relative error ${worst}`);
  });

  test('derivatives match central differences of the values', () => {
    const axis = new GaussianAxis(7);
    const probe = new GaussianAxis(7);
    const c = 3.37;
    const s = 1.21;
    axis.evaluate(c, s, true);
    const h = 1e-5;
    const fd = (dc: number, ds: number, i: number) => {
      probe.evaluate(c + dc, s + ds, false);
      return probe.value[i];
    };
    for (let i = 0; i < 7; i++) {
      const dC = (fd(h, 0, i) - fd(-h, 0, i)) / (2 * h);
      const dS = (fd(0, h, i) - fd(0, -h, i)) / (2 * h);
      // Truncation O(h²) ≈ 1e-10 and rounding ~1e-16/h ≈ 1e-11: 1e-8 absolute on values ≤ 0.4.
      assert.ok(Math.abs(axis.dCenter[i] - dC) < 1e-8, `dE/dc at ${i}`);
      assert.ok(Math.abs(axis.dSigma[i] - dS) < 1e-8, `dE/dσ at ${i}`);
      probe.evaluate(c + h, s, true);
      const d1p = probe.dCenter[i];
      const s1p = probe.dSigma[i];
      probe.evaluate(c - h, s, true);
      const d1m = probe.dCenter[i];
      const s1m = probe.dSigma[i];
      assert.ok(Math.abs(axis.d2Center[i] - (d1p - d1m) / (2 * h)) < 1e-8, `d²E/dc² at ${i}`);
      assert.ok(Math.abs(axis.dCenterSigma[i] - (s1p - s1m) / (2 * h)) < 1e-8, `d²E/dcdσ at ${i}`);
      probe.evaluate(c, s + h, true);
      const sp = probe.dSigma[i];
      probe.evaluate(c, s - h, true);
      const sm = probe.dSigma[i];
      assert.ok(Math.abs(axis.d2Sigma[i] - (sp - sm) / (2 * h)) < 1e-8, `d²E/dσ² at ${i}`);
    }
  });

  test('the values of a centred spot sum to the mass inside the patch', () => {
    const axis = new GaussianAxis(5);
    axis.evaluate(2.5, 1, false);
    const sum = axis.value.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - erf(2.5 / Math.SQRT2)) < 1e-15);
  });
});

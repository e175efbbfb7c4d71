import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulatePatches } from '../../src/simulate/simulatePatches.js';
import { jacobian, negLogLikelihood, scipyStyleFit } from './baseline/scipyStyleFit.js';

// The benchmark baseline must be a correct fit, or its speed says nothing.
test('the baseline Jacobian (y term corrected) matches central differences of its likelihood', () => {
  const box = 7;
  const sim = simulatePatches({ count: 1, box, sigmaPx: 1.3, photons: 1200, background: 12, seed: 5 });
  for (const params of [[3.2, 3.9, 110, 14], [3.2, 3.9, 110, 14, 1.9]]) {
    const jac = new Float64Array(params.length);
    jacobian(params, sim.data, 0, box, 1.3 * Math.SQRT2, jac);
    for (let a = 0; a < params.length; a++) {
      const h = 1e-5 * Math.max(1, Math.abs(params[a]));
      const plus = [...params];
      const minus = [...params];
      plus[a] += h;
      minus[a] -= h;
      const fd = (negLogLikelihood(plus, sim.data, 0, box, 1.3 * Math.SQRT2) - negLogLikelihood(minus, sim.data, 0, box, 1.3 * Math.SQRT2)) / (2 * h);
      // Central-difference error O(h²) plus rounding 1e-12·|f|/h: 1e-5 relative to |∂f| or 1e-4 absolute.
      assert.ok(Math.abs(jac[a] - fd) <= 1e-5 * Math.abs(fd) + 1e-4, `param ${a}: ${jac[a]} vs ${fd}`);
    }
  }
});

test('the baseline fit finds the spot', () => {
  const sim = simulatePatches({ count: 1, box: 7, sigmaPx: 1.3, photons: 2000, background: 10, seed: 6, noise: false });
  const fit = scipyStyleFit(sim.data, 0, 7, 1.3, false, { x: 3.5, y: 3.5, photons: 1500, background: 12 });
  assert.ok(Math.abs(fit.x - sim.x[0]) < 1e-4 && Math.abs(fit.y - sim.y[0]) < 1e-4);
  assert.ok(Math.abs(fit.photons / 2000 - 1) < 1e-3);
});

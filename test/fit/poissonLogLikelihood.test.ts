import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poissonLogLikelihood } from '../../src/fit/poissonLogLikelihood.js';

test('the Poisson log-likelihood of a window: n·ln μ − μ summed, 0·ln μ for empty pixels, the shift in both, −∞ where μ + s ≤ 0', () => {
  // A window of three pixels inside a longer array (at = 2).
  const data = Float64Array.from([99, 99, 4, 0, 10]);
  const mu = Float64Array.from([2, 3, 5]);
  // 4·ln 2 − 2 + (0 − 3) + 10·ln 5 − 5, written out; 1e-12 covers the three logarithms' rounding.
  const expected = 4 * Math.log(2) - 2 - 3 + 10 * Math.log(5) - 5;
  assert.ok(Math.abs(poissonLogLikelihood(mu, data, 2, 3) - expected) < 1e-12);
  const shift = Float64Array.from([0, 0, 1, 1, 1]);
  const shifted = 5 * Math.log(3) - 3 + (1 * Math.log(4) - 4) + 11 * Math.log(6) - 6;
  assert.ok(Math.abs(poissonLogLikelihood(mu, data, 2, 3, shift) - shifted) < 1e-12);
  assert.equal(poissonLogLikelihood(Float64Array.from([2, 0, 5]), data, 2, 3), Number.NEGATIVE_INFINITY);
  assert.equal(poissonLogLikelihood(Float64Array.from([2, Number.NaN, 5]), data, 2, 3), Number.NEGATIVE_INFINITY);
});

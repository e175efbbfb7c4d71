import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FisherScoring } from '../../src/fit/FisherScoring.js';
import type { ScoringModel } from '../../src/fit/FisherScoring.js';
import { STATUS_CONVERGED, STATUS_MAX_ITERATIONS } from '../../src/fit/fitConstants.js';

/**
 * ℓ(θ) = −½·c·(θ − t)², its Fisher information given as `over` × the curvature: each step covers
 * 1/over of the way (undamped), a linear convergence of rate ρ = 1 − 1/over, as the
 * Fisher-scoring steps of a model that misfits its data creep along a ridge.
 */
function creeping(c: number, t: number, over: number): ScoringModel {
  return {
    evaluate: (theta) => -0.5 * c * (theta[0] - t) ** 2,
    derivatives: (theta, gradient, fisher) => {
      gradient[0] = -c * (theta[0] - t);
      fisher[0] = over * c;
    },
    propose: (theta, step, trial) => {
      trial[0] = theta[0] + step[0];
      return Math.abs(step[0]);
    },
    leftWindow: () => false,
  };
}

describe('FisherScoring', () => {
  test('minGain: a creeping fit stops once a step gains less than it, within √(2·minGain/(c(1 − ρ²))) of the maximum; 0 leaves the position test alone', () => {
    const c = 4, t = 1, over = 2.5;
    const rho = 1 - 1 / over;
    const scoring = new FisherScoring(1);
    const theta = Float64Array.of(0);
    // Position test alone (1e-9): every step until |δ| < 1e-9.
    assert.equal(scoring.run(creeping(c, t, over), theta, 1, 200, 1e-9), STATUS_CONVERGED);
    const positionOnly = scoring.iterations;
    assert.ok(Math.abs(theta[0] - t) < 1e-8, `θ ${theta[0]}`);
    const minGain = 1e-6;
    theta[0] = 0;
    assert.equal(scoring.run(creeping(c, t, over), theta, 1, 200, 1e-9, 0, minGain), STATUS_CONVERGED);
    assert.ok(scoring.iterations < positionOnly / 2, `${scoring.iterations} iterations vs ${positionOnly}`);
    // The last step from e to ρ·e gained ½c·e²(1 − ρ²) < minGain, so |θ̂ − t| = ρ·e < ρ·√(2·minGain/(c(1 − ρ²))).
    const bound = rho * Math.sqrt((2 * minGain) / (c * (1 - rho * rho)));
    assert.ok(Math.abs(theta[0] - t) < bound, `|θ̂ − t| ${Math.abs(theta[0] - t)} vs ${bound}`);
    // And not sooner: the step before gained at least minGain, so |θ̂ − t| ≥ ρ²·√(2·minGain/(c(1 − ρ²))).
    assert.ok(Math.abs(theta[0] - t) >= rho * bound, `stopped early: |θ̂ − t| ${Math.abs(theta[0] - t)}`);
  });

  test('minRatio: steps that overshoot (Fisher information half the curvature: a two-cycle about the maximum) raise the damping, and the fit converges', () => {
    const c = 4, t = 1, over = 0.51;
    const scoring = new FisherScoring(1);
    const theta = Float64Array.of(0);
    // Undamped, each step lands at −0.96 × the error: 100 iterations leave it far from converged.
    assert.equal(scoring.run(creeping(c, t, over), theta, 1, 100, 1e-9), STATUS_MAX_ITERATIONS);
    theta[0] = 0;
    assert.equal(scoring.run(creeping(c, t, over), theta, 1, 100, 1e-9, 0, 0, 0.25), STATUS_CONVERGED);
    assert.ok(scoring.iterations < 30, `${scoring.iterations} iterations`);
    assert.ok(Math.abs(theta[0] - t) < 1e-8, `θ ${theta[0]}`);
  });
});


describe('FisherScoring, minGain after heavy damping', () => {
  test('a small gain from a heavily damped step (λ raised by rejected trials) does not end the fit', () => {
    // ℓ = −½c(θ − t)² with σ = 1/√c ≈ 31.6 and the start 3.2 σ away; the first 9 trials are
    // refused (−∞, as a step out of bounds would be), so the first accepted step has λ = 1e-3·10⁹
    // and covers 1/(1 + λ) of the way: it gains ~1e-5, below minGain, 3.2 σ from the maximum.
    const c = 1e-3, t = 100;
    let refusals = 9;
    let calls = 0;
    const model: ScoringModel = {
      ...creeping(c, t, 1),
      evaluate: (theta) => (calls++ > 0 && refusals-- > 0 ? Number.NEGATIVE_INFINITY : -0.5 * c * (theta[0] - t) ** 2),
    };
    const scoring = new FisherScoring(1);
    const theta = Float64Array.of(0);
    assert.equal(scoring.run(model, theta, 1, 100, 1e-9, 0, 1e-4), STATUS_CONVERGED);
    // It runs on until λ is small again and the exact (Fisher = curvature) steps land on t.
    assert.ok(Math.abs(theta[0] - t) < 1e-3, `θ ${theta[0]}, ${scoring.iterations} iterations`);
  });
});

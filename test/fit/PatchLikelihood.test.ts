import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { erf } from '../../src/fit/erf.js';
import { PassMode, PatchLikelihood } from '../../src/fit/PatchLikelihood.js';
import { Random } from '../../src/simulate/Random.js';

/** μ of pixel (row, column) written straight from design.md §3, one erf per boundary per pixel. */
function mu(theta: readonly number[], row: number, column: number): number {
  const [x, y, n, b, s] = theta;
  const k = 1 / (Math.SQRT2 * s);
  const ex = 0.5 * (erf((column + 1 - x) * k) - erf((column - x) * k));
  const ey = 0.5 * (erf((row + 1 - y) * k) - erf((row - y) * k));
  return n * ex * ey + b;
}

/** ℓ = Σ n log μ − μ from the independent model above. */
function logLikelihood(theta: readonly number[], data: Float64Array, box: number): number {
  let ll = 0;
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < box; c++) {
      const m = mu(theta, r, c);
      const n = data[r * box + c];
      ll += (n === 0 ? 0 : n * Math.log(m)) - m;
    }
  }
  return ll;
}

function noisyPatch(box: number, theta: readonly number[], seed: number): Float64Array {
  const rng = new Random(seed);
  const data = new Float64Array(box * box);
  for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) data[r * box + c] = rng.poisson(mu(theta, r, c));
  return data;
}

// Step sizes for central differences: parameters have different scales (px vs photons).
const STEP = [1e-4, 1e-4, 1e-3, 1e-4, 1e-5];
// Second differences of ℓ divide its rounding (~1e-12·|ℓ|) by h²: larger steps there.
const STEP2 = [1e-3, 1e-3, 1, 1e-2, 1e-3];

for (const box of [5, 7]) {
  for (const fitSigma of [false, true]) {
    describe(`cached pass, box ${box}, ${fitSigma ? 'free' : 'fixed'} σ`, () => {
      // Evaluate away from the optimum (θ ≠ truth) so the gradient is far from zero.
      const truth = [box / 2 + 0.3, box / 2 - 0.4, 1800, 15, 1.2];
      const at = [box / 2 + 0.1, box / 2 - 0.1, 1500, 20, fitSigma ? 1.1 : 1.2];
      const data = noisyPatch(box, truth, 17 + box);
      const lik = new PatchLikelihood(box, fitSigma);
      const p = lik.parameterCount;
      const passAt = (theta: readonly number[], mode: number) => {
        lik.theta.set(theta);
        return lik.evaluate(data, 0, mode);
      };
      const ll = passAt(at, PassMode.hessian | PassMode.fisher | PassMode.logLikelihood);
      const gradient = Array.from(lik.gradient);
      const hessian = Array.from(lik.hessian);
      const fisher = Array.from(lik.fisher);
      // Natural scale of entry (a, b): √(|H_aa|·|H_bb|); gradient entry a: √|H_aa|. The check is
      // relative 1e-6 to the larger of the entry and that scale (entries near zero have no
      // meaningful relative error).
      const scale = (a: number, b: number) => Math.sqrt(Math.abs(hessian[a * p + a] * hessian[b * p + b]));

      test('ℓ equals the model written pixel by pixel', () => {
        const want = logLikelihood(at, data, box);
        assert.ok(Math.abs(ll - want) <= 1e-12 * Math.abs(want), `${ll} vs ${want}`);
      });

      test('gradient matches central differences of ℓ (rel. 1e-6)', () => {
        for (let a = 0; a < p; a++) {
          const plus = [...at];
          const minus = [...at];
          plus[a] += STEP[a];
          minus[a] -= STEP[a];
          const fd = (logLikelihood(plus, data, box) - logLikelihood(minus, data, box)) / (2 * STEP[a]);
          const tol = 1e-6 * Math.max(Math.abs(gradient[a]), Math.sqrt(Math.abs(hessian[a * p + a])));
          assert.ok(Math.abs(gradient[a] - fd) <= tol, `∂ℓ/∂θ${a}: ${gradient[a]} vs ${fd}`);
        }
      });

      test('Hessian matches central differences of the gradient and of ℓ (rel. 1e-6)', () => {
        for (let b = 0; b < p; b++) {
          const plus = [...at];
          const minus = [...at];
          plus[b] += STEP[b];
          minus[b] -= STEP[b];
          passAt(plus, PassMode.gradient);
          const gPlus = Array.from(lik.gradient);
          passAt(minus, PassMode.gradient);
          const gMinus = Array.from(lik.gradient);
          for (let a = 0; a < p; a++) {
            const fd = (gPlus[a] - gMinus[a]) / (2 * STEP[b]);
            const tol = 1e-6 * Math.max(Math.abs(hessian[a * p + b]), scale(a, b));
            assert.ok(Math.abs(hessian[a * p + b] - fd) <= tol, `H[${a},${b}]: ${hessian[a * p + b]} vs ${fd}`);
          }
          // Diagonal also from ℓ itself (second central difference), a check independent of the
          // gradient code; rounding of ℓ (~1e-12·|ℓ|/h²) limits it to rel. 1e-4.
          const plus2 = [...at];
          const minus2 = [...at];
          plus2[b] += STEP2[b];
          minus2[b] -= STEP2[b];
          const fd2 = (logLikelihood(plus2, data, box) - 2 * logLikelihood(at, data, box) + logLikelihood(minus2, data, box)) / STEP2[b] ** 2;
          assert.ok(Math.abs(hessian[b * p + b] - fd2) <= 1e-4 * Math.abs(hessian[b * p + b]), `H[${b},${b}] from ℓ`);
        }
      });

      test('Fisher information equals Σ ∂μ∂μ/μ with ∂μ by central differences (rel. 1e-6)', () => {
        const want = new Float64Array(p * p);
        for (let r = 0; r < box; r++) {
          for (let c = 0; c < box; c++) {
            const m = mu(at, r, c);
            const d = new Float64Array(p);
            for (let a = 0; a < p; a++) {
              const plus = [...at];
              const minus = [...at];
              plus[a] += STEP[a];
              minus[a] -= STEP[a];
              d[a] = (mu(plus, r, c) - mu(minus, r, c)) / (2 * STEP[a]);
            }
            for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) want[a * p + b] += (d[a] * d[b]) / m;
          }
        }
        for (let a = 0; a < p; a++) {
          for (let b = 0; b < p; b++) {
            const tol = 1e-6 * Math.max(Math.abs(want[a * p + b]), Math.sqrt(want[a * p + a] * want[b * p + b]));
            assert.ok(Math.abs(fisher[a * p + b] - want[a * p + b]) <= tol, `I[${a},${b}]`);
          }
        }
      });
    });
  }
}

test('a pass with N or b changed only reuses the axis terms and stays exact', () => {
  const box = 5;
  const data = noisyPatch(box, [2.6, 2.4, 900, 12, 1], 3);
  const lik = new PatchLikelihood(box, false);
  lik.theta.set([2.5, 2.5, 800, 10, 1]);
  lik.evaluate(data, 0, PassMode.gradient);
  lik.theta[2] = 950;
  lik.theta[3] = 11;
  const ll = lik.evaluate(data, 0, PassMode.logLikelihood);
  const want = logLikelihood([2.5, 2.5, 950, 11, 1], data, box);
  assert.ok(Math.abs(ll - want) <= 1e-12 * Math.abs(want));
});
